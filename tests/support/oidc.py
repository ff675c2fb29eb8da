"""A real OpenID provider for sign-on tests: the npm package ``oidc-provider`` on loopback.

Each test starts its own provider (Node, about half a second) registered for the callback
of the app under test, with the people and groups the test chooses. Without Node or the
package (``make install`` runs ``npm ci``) these tests skip; CI (``AUDIT_REQUIRE_OIDC=1``)
fails instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "oidc" / "provider.mjs"
PACKAGE = REPO / "node_modules" / "oidc-provider"
CLIENT_ID = "audit-service"
CLIENT_SECRET = "a-client-secret-long-enough-for-hs256-signing-0123456789"
ROLE_MAP = ("cs-admins=admin,cs-quality=quality_lead,cs-managers=supervisor,"
            "cs-social-workers=practitioner,cs-hr=hr,cs-leaders=senior_leader")
#: One person per mapped group, and one in no mapped group.
PEOPLE: dict[str, dict] = {
    "ada.admin": {"name": "Ada Admin", "email": "ada.admin@council.example",
                  "groups": ["cs-admins", "all-staff"]},
    "quinn.quality": {"name": "Quinn Quality", "email": "quinn@council.example",
                      "groups": ["cs-quality"]},
    "tom.manager": {"name": "Tom Manager", "email": "tom.manager@council.example",
                    "groups": ["cs-managers"]},
    "sam.worker": {"name": "Sam Worker", "email": "sam.worker@council.example",
                   "groups": ["cs-social-workers"]},
    "hana.hr": {"name": "Hana HR", "email": "hana@council.example", "groups": ["cs-hr"]},
    "lee.leader": {"name": "Lee Leader", "email": "lee@council.example",
                   "groups": ["cs-leaders"]},
    "nat.nobody": {"name": "Nat Nobody", "email": "nat@council.example",
                   "groups": ["all-staff"]},
}


@dataclass
class Provider:
    issuer: str
    people: dict[str, dict]

    def config(self) -> dict:
        """The app settings (as ``AUDIT_OIDC_*`` give them) that point at this provider."""
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": CLIENT_ID,
                "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_ROLE_MAP": ROLE_MAP,
                "OIDC_GROUPS_CLAIM": "groups", "OIDC_PROVIDER_NAME": "Council account"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _need_provider() -> None:
    problem = None
    if shutil.which("node") is None:
        problem = "Node.js is not installed; sign-on tests run a real OpenID provider in it"
    elif not PACKAGE.exists():
        problem = f"{PACKAGE} is missing: run `make install` (npm ci) first"
    if problem:
        if os.environ.get("AUDIT_REQUIRE_OIDC") == "1":
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)


@contextmanager
def running_provider(app_base: str, people: Mapping[str, dict] | None = None, *,
                     port: int | None = None) -> Iterator[Provider]:
    """A provider whose one client may return to ``app_base``'s callback and sign-in page;
    on ``port`` when the app was configured with its address before it started."""
    _need_provider()
    port = port or free_port()
    people = dict(PEOPLE if people is None else people)
    settings = {"port": port, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{app_base}/auth/oidc/callback"],
                "post_logout_redirect_uris": [f"{app_base}/login"], "users": people}
    process = subprocess.Popen(
        ["node", str(SCRIPT), json.dumps(settings)], cwd=REPO, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line.startswith("ready "):
            raise RuntimeError(f"the OpenID provider did not start (said {line!r})")
        yield Provider(line.split()[1], people)
    finally:
        process.terminate()
        process.wait(timeout=10)


def sign_in_at_provider(authorize_url: str, login: str, stop_at: str) -> str:
    """Drive the provider's own sign-in form as a person would, without a browser; return
    the first redirect back to ``stop_at`` (the app's callback, with code and state)."""
    session = requests.Session()
    url, method, data = authorize_url, "GET", None
    for _ in range(12):
        response = session.request(method, url, data=data, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url, method, data = urljoin(url, response.headers["Location"]), "GET", None
            if url.startswith(stop_at):
                return url
            continue
        form = re.search(r'<form[^>]*action="([^"]+)"[^>]*method="post"', response.text)
        assert form and 'name="login"' in response.text, response.text[:500]
        url, method = urljoin(url, form.group(1)), "POST"
        data = {"prompt": "login", "login": login, "password": "any password at all"}
    raise AssertionError("the provider never sent the browser back to the service")
