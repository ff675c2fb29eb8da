"""One audit per drawn case: opening a round case's audit twice (two tabs, a retried
request) must find the first draft, never create a second one."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.drop_index('audit', 'audit_round_case_id'),
        migrator.add_index('audit', ('round_case_id',), True),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('audit', 'audit_round_case_id'),
        migrator.add_index('audit', ('round_case_id',), False),
    )
