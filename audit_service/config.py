"""Settings read from the environment (PRODUCT.md section 7).

One place turns ``AUDIT_*`` variables into Flask config keys so that the web
app, the CLI and the scheduler agree on what they run against.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULT_TIMEZONE = "Europe/London"


def instance_dir() -> Path:
    """Where the embedded SQLite database and uploads live by default."""
    return Path(os.environ.get("AUDIT_INSTANCE_DIR", Path.cwd() / "instance")).resolve()


def default_database_url() -> str:
    return f"sqlite:///{instance_dir() / 'audit-service.sqlite3'}"


def from_environ(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from ``AUDIT_*`` environment variables."""
    env = os.environ if environ is None else environ
    secret = env.get("AUDIT_SECRET_KEY")
    secure = env.get("AUDIT_INSECURE_COOKIES", "") not in ("1", "true")
    return {
        "DATABASE_URL": env.get("AUDIT_DATABASE_URL") or default_database_url(),
        # Without a configured key each process gets its own random one: sessions
        # then survive only as long as the process, which is safe but never silent.
        "SECRET_KEY": secret or os.urandom(32).hex(),
        "SECRET_KEY_IS_EPHEMERAL": not secret,
        "TIMEZONE": env.get("AUDIT_TIMEZONE", DEFAULT_TIMEZONE),
        "ORGANISATION_NAME": env.get("AUDIT_ORGANISATION_NAME", "Children's Services"),
        # Where people report accessibility problems (shown on /accessibility).
        "ACCESSIBILITY_CONTACT_EMAIL": env.get("AUDIT_ACCESSIBILITY_EMAIL"),
        "SMTP_URL": env.get("AUDIT_SMTP_URL"),
        # Scheduler and notifications; validated where they are used, with plain-words errors.
        "BASE_URL": env.get("AUDIT_BASE_URL"),
        "MAIL_FROM": env.get("AUDIT_MAIL_FROM"),
        "REMINDER_WORKING_DAYS": env.get("AUDIT_REMINDER_WORKING_DAYS"),
        "BANK_HOLIDAYS_FILE": env.get("AUDIT_BANK_HOLIDAYS_FILE"),
        "OPEN_LATE_PREVIOUS_MONTH": env.get("AUDIT_OPEN_LATE_PREVIOUS_MONTH"),
        "PLUGINS": [p for p in env.get("AUDIT_PLUGINS", "").replace(",", " ").split() if p],
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": int(env.get("AUDIT_MAX_UPLOAD_MB", "50")) * 1024 * 1024,
        "SESSION_IDLE_MINUTES": positive_int(env, "AUDIT_SESSION_IDLE_MINUTES", 30),
        "SESSION_MAX_HOURS": positive_int(env, "AUDIT_SESSION_MAX_HOURS", 12),
        "RETENTION_YEARS": positive_int(env, "AUDIT_RETENTION_YEARS", 7),
        "IMPORT_CONFIRM_PERCENT": positive_int(env, "AUDIT_IMPORT_CONFIRM_PERCENT", 10),
        # Uploads this large (in KB) are imported by the scheduler, never in a web request.
        "IMPORT_BACKGROUND_BYTES": positive_int(env, "AUDIT_IMPORT_BACKGROUND_KB", 1024) * 1024,
        # Single sign-on through the council's OpenID provider (off while the issuer is unset).
        "OIDC_ISSUER": env.get("AUDIT_OIDC_ISSUER"),
        "OIDC_CLIENT_ID": env.get("AUDIT_OIDC_CLIENT_ID"),
        "OIDC_CLIENT_SECRET": env.get("AUDIT_OIDC_CLIENT_SECRET"),
        "OIDC_ROLE_MAP": env.get("AUDIT_OIDC_ROLE_MAP"),
        "OIDC_GROUPS_CLAIM": env.get("AUDIT_OIDC_GROUPS_CLAIM") or "groups",
        "OIDC_PROVIDER_NAME": env.get("AUDIT_OIDC_PROVIDER_NAME") or "your council account",
        "LOCAL_LOGIN": env.get("AUDIT_LOCAL_LOGIN", "1").strip().lower() not in ("0", "false"),
        # Roles whose password accounts must use an authenticator app (read in web.account).
        "SECOND_FACTOR_ROLES": env.get("AUDIT_SECOND_FACTOR_ROLES"),
        "TRUSTED_PROXIES": (positive_int(env, "AUDIT_TRUSTED_PROXIES", 1)
                            if env.get("AUDIT_TRUSTED_PROXIES", "0").strip() not in ("", "0")
                            else 0),
    }


def positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    """A whole-number setting; a wrong value stops start-up with a message naming it."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise ValueError(f"{name} must be 1 or more, not {value}")
    return value
