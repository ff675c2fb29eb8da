"""A second factor for password accounts: authenticator-app codes and recovery codes (issue 16).

- ``user.totp_secret``: the shared secret of the person's authenticator app (base32), set once
  they have proved their app with a code; ``user.totp_last_step``: the 30-second step of the last
  code accepted, so a code seen over a shoulder cannot be used again.
- ``recovery_code``: ten single-use codes for a lost phone; only their SHA-256 is kept.
"""

from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class RecoveryCode(Model):
        user = ForeignKeyField(User, on_delete='CASCADE', index=True)
        code_hash = CharField(unique=True)
        created_at = DateTimeField()
        used_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'recovery_code'

    migrator.migrate(
        migrator.add_column('user', 'totp_secret', CharField(null=True)),
        migrator.add_column('user', 'totp_last_step', IntegerField(null=True)),
    )
    db.create_tables([RecoveryCode])


def down(migrator, db):
    migrator.migrate(
        migrator.drop_table('recovery_code'),
        migrator.drop_column('user', 'totp_last_step'),
        migrator.drop_column('user', 'totp_secret'),
    )
