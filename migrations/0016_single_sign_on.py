"""Single sign-on with OpenID Connect (issue 16).

``user.oidc_subject`` is the provider's issuer and subject (``sub``) of the person, the one
identifier a provider promises never to reuse or change: a returning person is found by it,
never by a name or email address that could be given to someone else.
"""

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('user', 'oidc_subject', CharField(null=True)),
        migrator.add_index('user', ('oidc_subject',), True),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('user', 'user_oidc_subject'),
        migrator.drop_column('user', 'oidc_subject'),
    )
