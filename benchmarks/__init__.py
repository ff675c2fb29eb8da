"""Benchmarks for the issue-9 targets; ``make bench`` runs them all (``benchmarks/run.py``)."""
