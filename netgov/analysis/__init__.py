"""Analysis of runs and batches: summaries with confidence intervals, sensitivity indices, plots."""
