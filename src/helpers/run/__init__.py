"""Batch runs: the per-kommun report runner, warm kernels and the index."""
