"""Benchmark runner (placeholder, being written)."""
