"""Benchmarks and the large synthetic data generator (not part of the application)."""
