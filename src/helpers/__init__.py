"""Open analysis workbook for Swedish regional public-health analysts.

The package ``helpers`` holds every calculation, loader, plot and widget the
notebooks use. Notebooks narrate; this package computes.
"""

__version__ = "0.1.0"
