"""Staff records carry their Social Work England registration number.

Accounts are linked to staff records by it (issue 16), and the workforce census matches its
workers by it (issue 15). Unique: one registration is one person. Existing records have none
until an administrator or an import gives it.
"""

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('staff', 'swe_number', CharField(null=True)),
        migrator.add_index('staff', ('swe_number',), True),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('staff', 'staff_swe_number'),
        migrator.drop_column('staff', 'swe_number'),
    )
