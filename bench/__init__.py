"""Benchmarks of the generated app's database runtime against the alternatives: ``python -m bench``."""
