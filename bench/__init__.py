"""Benchmark of this service against PostGraphile (bench/README.md)."""
