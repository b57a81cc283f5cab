"""Data sources: Kolada, SCB, survey files, the loaders per indicator and the demo generators.

Imports :mod:`helpers.stats` and below.
"""
