"""Core: errors, formatting, paths, area lookup, geometry, the indicator table, raw cache and HTTP.

The bottom layer: it imports nothing else from :mod:`helpers`.
"""
