"""The "case reader" grant (issue 16's least privilege).

Administrators and senior leaders no longer read audits, evidence or children's case
references by their role. ``user.case_reader`` lets a council give one of them read access
again, deliberately and on the record. Existing accounts start without it: an upgrade takes
access away rather than silently keeping it; docs/security.md ("Who reads case files") says
how to give it.
"""

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('user', 'case_reader', BooleanField(default=False)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('user', 'case_reader'),
    )
