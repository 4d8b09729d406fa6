"""Benchmarks that print figures (run with `python -m benchmarks.<name>`); see docs/ for recorded results."""
