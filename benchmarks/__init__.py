"""Benchmarks: national-scale synthetic data and timed stages (``make bench``)."""
