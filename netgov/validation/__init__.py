"""Pattern-oriented validation (``netgov validate``) and the calibration that fits P1-P3 (``netgov calibrate``)."""
