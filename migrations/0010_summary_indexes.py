"""Indexes for the HR and leadership summaries (issue 7).

Summaries filter submitted audits by date and group them by team or
practitioner, and count each practitioner's open cases for caseload bands.
"""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_index('audit', ('status', 'submitted_at'), False),
        migrator.add_index('audit', ('practitioner_id', 'submitted_at'), False),
        migrator.add_index('case', ('worker_id', 'status'), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('audit', 'audit_status_submitted_at'),
        migrator.drop_index('audit', 'audit_practitioner_id_submitted_at'),
        migrator.drop_index('case', 'case_worker_id_status'),
    )
