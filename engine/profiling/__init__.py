"""Opt-in measurement hooks for the benchmarks (never on in a real deployment)."""
