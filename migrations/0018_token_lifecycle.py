"""API tokens expire and may be read-only (issue 16).

``api_token.expires_at``: a token stops working then (90 days by default). Tokens issued
before this migration never expired; they are given 90 days from the migration, so that no
council's integration stops without warning, and ``audit-service tokens list`` shows when.
``api_token.read_only``: such a token may only read (GET).
"""

import datetime as dt

from peewee import *

GRACE = dt.timedelta(days=90)


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('api_token', 'expires_at', DateTimeField(null=True)),
        migrator.add_column('api_token', 'read_only', BooleanField(default=False)),
    )
    expires = (dt.datetime.now(dt.UTC) + GRACE).replace(tzinfo=None)
    db.execute_sql("UPDATE api_token SET expires_at = %s WHERE expires_at IS NULL"
                   .replace("%s", db.param), (expires,))


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('api_token', 'read_only'),
        migrator.drop_column('api_token', 'expires_at'),
    )
