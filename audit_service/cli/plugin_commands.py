"""``audit-service plugins``: what is loaded, from where, implementing which hooks."""

from __future__ import annotations

import dataclasses
import json

import click
from flask.cli import with_appcontext

from audit_service.cli.group import cli
from audit_service.extension import registries
from audit_service.plugins.manager import describe_plugins


@cli.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def plugins_command(as_json: bool) -> None:
    """List loaded plugins with their version and hooks."""
    infos = describe_plugins(registries().plugin_manager)
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(info) for info in infos], indent=2))
        return
    width = max(len(info.name) for info in infos)
    for info in infos:
        click.echo(f"{info.name:<{width}}  {info.version:<8}  {info.source}")
        for hook in info.hooks:
            click.echo(f"{'':<{width}}    {hook}")
