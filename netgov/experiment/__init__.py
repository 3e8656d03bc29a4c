"""The experiment engine: experiment specs, samplers, runs on local processes or Dask, the Parquet store."""
