"""Generated Swedish sentences (narrative); imports :mod:`helpers.sources` and below."""
