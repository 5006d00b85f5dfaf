"""Calibration against observed targets: targets as data, ABC-SMC with pyabc, predictive checks."""
