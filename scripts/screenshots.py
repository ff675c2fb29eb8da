"""Take the README's screenshots of the key pages from a freshly built small demo council.

Usage: .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--chromium PATH]

Everything happens in a temporary directory: a SQLite database is migrated, the
small demo council is loaded through the services (as ``audit-service demo``
does, without the audit history), the app is served on a loopback port and
Debian's Chromium is driven through the journeys the screenshots show. The PNGs
are 1280 CSS pixels wide, plus one of the audit form at 320 wide. Nothing is
kept but the PNGs, so the pictures always match the current templates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

REPO = Path(__file__).resolve().parents[1]
SAMPLE_WORKBOOK = REPO.parent / "shared" / "data" / "annex_a_2024_jan_synthetic.xlsx"
PASSWORD = "demo-password-2024"  # noqa: S105 - the published demo password
WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 720}


@contextmanager
def serving(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def build_demo(db_path: Path):
    """The small demo council, this month's rounds, and a login for one drawn case's worker.

    Returns the app and the names the journeys need: the supervisor's round and
    cases, and the username of the practitioner allocated to the first case.
    """
    from audit_service.app import create_app
    from audit_service.domain.vocabulary import Role
    from audit_service.extension import registries
    from audit_service.services.accounts import users as accounts
    from audit_service.services.audits.lifecycle import ensure_published
    from audit_service.services.demo.council import generate_council
    from audit_service.services.demo.loader import load_demo, start_demo_sampling
    from audit_service.storage.database import bind
    from audit_service.storage.migrations import migrate
    from audit_service.storage.models import RoundCase, SamplingRound, Staff, User

    url = f"sqlite:///{db_path}"
    migrate(bind(url))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": os.urandom(24).hex(),
                      "SESSION_COOKIE_SECURE": False})
    today = dt.date.today()
    with app.app_context():
        load_demo(generate_council("small", 2024, today), PASSWORD)
        start_demo_sampling(today, registry=registries().sampling_strategies)
        ensure_published(registries())
        supervisor = User.get(User.username == "demo-supervisor")
        round_ = SamplingRound.get((SamplingRound.supervisor == supervisor.staff_id)
                                   & (SamplingRound.period == f"{today:%Y-%m}"))
        drawn = list(RoundCase.select().where(RoundCase.round == round_)
                     .order_by(RoundCase.position))
        if len(drawn) < 2:
            raise SystemExit("the demo supervisor's round has fewer than two cases")
        worker = Staff.get_by_id(drawn[0].case.worker_id)
        practitioner = User.get_or_none(User.staff == worker.id)
        if practitioner is None:
            practitioner = accounts.create_user(
                "demo-worker", role=Role.PRACTITIONER, password=PASSWORD,
                display_name=worker.name, staff=worker, actor_label="screenshots")
        # One answer that trips a limiting rule, so the result explains a capped grade.
        rubric = next(src.rubric for src in registries().rubrics.values()
                      if src.rubric.limiting_rules)
        rule = rubric.limiting_rules[0]
        names = {"cases": [rc.case.public_id for rc in drawn],
                 "practitioner": practitioner.username,
                 "limit": (f"{rubric.id}-{rule.criterion}", rule.when[0])}
    return app, names


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def shot(page, out: Path, name: str, *, at: str | None = None, height: int | None = None
         ) -> Path:
    """A viewport-sized PNG, scrolled so that ``at`` (a selector) is at the top if given;
    with ``height``, the top ``height`` pixels of the whole page instead."""
    if at:
        page.locator(at).first.evaluate("el => el.scrollIntoView({block: 'start'})")
    else:
        page.evaluate("window.scrollTo(0, 0)")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    path = out / f"{name}.png"
    extra = {}
    if height:
        width = page.viewport_size["width"]
        extra = {"full_page": True, "clip": {"x": 0, "y": 0, "width": width, "height": height}}
    page.screenshot(path=str(path), animations="disabled", caret="hide", **extra)
    print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}"
          f"  {path.stat().st_size // 1024} KB")
    return path


def answer(page, stem: str, text: str) -> None:
    page.locator(f"#rating-{stem}-2").check()
    page.locator(f"#evidence-{stem}").fill(text)


def stems_on(page) -> list[str]:
    names = page.eval_on_selector_all(
        "input[type=radio][name^='rating-']", "els => [...new Set(els.map(e => e.name))]")
    return [name.removeprefix("rating-") for name in names]


def take(base: str, out: Path, names: dict, chromium: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    taken = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium,
                                     args=["--headless=new", "--no-sandbox", "--disable-gpu"])
        sup_context = browser.new_context(viewport=WIDE)
        page = sup_context.new_page()
        page.goto(f"{base}/login")
        taken.append(shot(page, out, "login"))

        sign_in(page, base, "demo-supervisor")
        page.goto(f"{base}/my-audits")
        taken.append(shot(page, out, "supervisor-home"))

        first, second = names["cases"][:2]
        with page.expect_navigation():
            page.locator(f"#start-audit-{first}").click()
        audit_url = page.url
        stems = stems_on(page)
        answer(page, stems[0], "Seen alone on 3 March; the record of the visit is clear.")
        answer(page, stems[1], "Plan reviewed at core group; actions dated and owned.")
        with page.expect_navigation():
            page.locator("#save-draft").click()
        taken.append(shot(page, out, "audit-form", height=1500))

        for stem in stems[2:-2]:
            answer(page, stem, "Seen in the case file.")
        with page.expect_navigation():
            page.locator("#submit-audit").click()
        taken.append(shot(page, out, "audit-form-errors", height=1100))

        # Two tabs: this one saves, the stale one meets the conflict page.
        other = sup_context.new_page()
        other.goto(audit_url)
        page.goto(audit_url)
        page.locator(f"#evidence-{stems[-1]}").fill("Chronology is up to date to last week.")
        with page.expect_navigation():
            page.locator("#save-draft").click()
        other.locator(f"#evidence-{stems[-1]}").fill("Chronology stops in January.")
        with other.expect_navigation():
            other.locator("#save-draft").click()
        taken.append(shot(other, out, "conflict"))
        with other.expect_navigation():
            other.locator("#keep-saved").click()
        other.close()

        page.goto(audit_url)
        for stem in stems[-2:]:
            answer(page, stem, "Seen in the case file.")
        limited, value = names["limit"]
        page.locator(f"input[name='rating-{limited}'][value='{value}']").check()
        with page.expect_navigation():
            page.locator("#submit-audit").click()
        if page.locator("#result-heading").count() == 0:
            raise SystemExit(f"the audit was not submitted: {page.title()}")
        taken.append(shot(page, out, "audit-result", height=1500))

        page.set_viewport_size(NARROW)
        page.goto(f"{base}/my-audits")
        with page.expect_navigation():
            page.locator(f"#start-audit-{second}").click()
        taken.append(shot(page, out, "audit-form-320", height=1500))
        sup_context.close()

        pat_context = browser.new_context(viewport=WIDE)
        pat = pat_context.new_page()
        sign_in(pat, base, names["practitioner"])
        pat.goto(audit_url)
        pat.locator("#response").fill("I agree with the ratings. The chronology has been "
                                      "brought up to date since the audit.")
        taken.append(shot(pat, out, "practitioner-audit", at="#response-heading"))
        pat_context.close()

        if SAMPLE_WORKBOOK.exists():
            admin_context = browser.new_context(viewport=WIDE)
            admin = admin_context.new_page()
            sign_in(admin, base, "demo-admin")
            admin.goto(f"{base}/admin/imports")
            admin.locator("input[type=file]").set_input_files(str(SAMPLE_WORKBOOK))
            with admin.expect_navigation():
                admin.get_by_role("button", name="Import cases").click()
            taken.append(shot(admin, out, "import-report"))
            admin_context.close()
        else:
            print(f"skipped the import report: {SAMPLE_WORKBOOK} is missing", file=sys.stderr)
        browser.close()
    return taken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--chromium", default=os.environ.get("AUDIT_CHROMIUM")
                        or shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with tempfile.TemporaryDirectory() as tmp:
        app, names = build_demo(Path(tmp) / "demo.sqlite3")
        with serving(app) as base:
            take(base, args.out, names, args.chromium)
    return 0


if __name__ == "__main__":
    sys.exit(main())
