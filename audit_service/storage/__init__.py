"""Persistence: the peewee models, the connection and the migration runner."""
