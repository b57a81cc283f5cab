"""Statistics: confidence intervals, proportions, life tables, survey design, reliability, disclosure control, inequality and Strategi status.

Pure functions on DataFrames; imports :mod:`helpers.core` and :mod:`helpers.config`.
"""
