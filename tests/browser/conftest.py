"""Real headless Chromium (Debian's) driven by Playwright, against a live server.

The server runs the real app in a thread on a loopback port, against the same
per-test database as every other test, so journeys run on SQLite and PostgreSQL.
Without Chromium these tests skip, and CI (``AUDIT_REQUIRE_BROWSER=1``) fails.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

REPO = Path(__file__).resolve().parents[2]
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    return os.environ.get("AUDIT_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    path = _chromium()
    if not path:
        message = "Chromium is not installed (apt-get install chromium); browser tests need it"
        if os.environ.get("AUDIT_REQUIRE_BROWSER") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve ``app`` on a free loopback port for the length of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core with the WCAG 2.2 AA rule tags; return the violations found.

    The script goes in through ``evaluate`` (DevTools), not a ``<script>`` tag, so
    the page's own Content-Security-Policy stays in force during the test.
    """
    if not AXE_JS.exists():
        raise AssertionError(f"{AXE_JS} is missing: run `make install` (npm ci) first")
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    return result["violations"]


def screenshot(page, name: str, selector: str = "main") -> None:
    """A screenshot of one part of the page for docs/screenshots, when AUDIT_SCREENSHOTS
    names a folder to write it to."""
    folder = os.environ.get("AUDIT_SCREENSHOTS")
    if folder:
        page.locator(selector).screenshot(path=str(Path(folder) / name))


def assert_accessible(page, state: str) -> None:
    violations = axe_violations(page)
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    ]
    assert not violations, (
        f"axe found {len(violations)} violations on {page.url} [{state}]:\n" + "\n".join(summary)
    )
