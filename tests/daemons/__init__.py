"""Helpers that start real download-client daemons on loopback for tests and benchmarks."""
