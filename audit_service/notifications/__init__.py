"""Notifiers: the channels outbox messages are delivered through (email, the in-app inbox)."""
