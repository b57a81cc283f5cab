"""Synthetic demo data in the shape of the real sources (one synthetic population)."""
