"""An administrator's password reset makes the person choose their own (issue 16).

``user.must_change_password``: set by a reset, cleared when the person changes it; until then
every page takes them to "Change your password".
"""

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('user', 'must_change_password', BooleanField(default=False)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('user', 'must_change_password'),
    )
