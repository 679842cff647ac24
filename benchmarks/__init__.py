"""Benchmarks, run by hand: `python -m benchmarks.run` (see run.py). Not tests."""
