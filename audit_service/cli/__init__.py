"""The ``audit-service`` console script. Each area's commands live in their own module."""

from audit_service.cli.group import cli, main

# Importing a module registers its commands on ``cli``.
from audit_service.cli import (  # noqa: F401  isort: skip
    account_commands,
    database_commands,
    demo_commands,
    import_commands,
    plugin_commands,
    round_commands,
    rubric_commands,
    scheduler_commands,
    security_commands,
    server_commands,
)

__all__ = ["cli", "main"]
