"""Moderation: blind second audits and adjudication, agreement statistics, and learning (themes and
exemplars).
"""
