"""Moderation rules: agreement between auditors and the exemplars a council learns from."""
