"""Sampling: policies, each month's rounds and their population, the notices they send, and
thematic audits of a cohort.
"""
