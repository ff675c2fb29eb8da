"""Server-side browser sessions: one row per sign-in, so sign-out and disabling end them."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class UserSession(Model):
        session_hash = CharField(unique=True)
        user = ForeignKeyField(User, on_delete='CASCADE')
        created_at = DateTimeField()
        last_seen_at = DateTimeField()
        ended_at = DateTimeField(null=True)
        ended_reason = CharField(null=True)
        remote_addr = CharField(null=True)
        user_agent = CharField(null=True)

        class Meta:
            database = db
            table_name = 'user_session'
            indexes = ((('user', 'ended_at'), False),)

    db.create_tables([UserSession])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('user_session'))
