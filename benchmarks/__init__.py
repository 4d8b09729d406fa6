"""Benchmarks: scripts that print measured figures (see docs/ for the commands and recorded results)."""
