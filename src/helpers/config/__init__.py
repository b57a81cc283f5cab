"""Configuration: run files, notebook parameters, the indicator catalogue and variable maps.

Imports only :mod:`helpers.core`.
"""
