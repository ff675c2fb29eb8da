"""The click group every command attaches to, with the app (and its database) loaded."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup


def _create_app():
    from audit_service.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
@click.version_option(package_name="audit-service")
def cli() -> None:
    """Run and administer audit-service. Configure it with AUDIT_* environment variables."""


def main() -> None:
    cli(prog_name="audit-service")


# FlaskGroup adds --app/--env-file/--debug for generic Flask apps; this command has one app,
# configured only through AUDIT_* variables, so those options would only mislead.
cli.params = [p for p in cli.params if p.name not in {"app", "env_file", "debug"}]
