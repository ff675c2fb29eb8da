"""Security headers on every kind of response, and error pages in GOV.UK style."""

from __future__ import annotations

import re

import pytest

from audit_service.domain.vocabulary import Role
from tests.support.pages import XHTML

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}
PAGE_CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _assert_page_headers(page) -> None:
    headers = page.response.headers
    for name, value in EXPECTED.items():
        assert headers[name] == value, name
    scripts = list(page.doc.iter(f"{XHTML}script"))
    inline = [s for s in scripts if not s.get("src")]
    assert len(inline) == 1, "only GOV.UK's js-enabled snippet may be inline"
    nonce = inline[0].get("nonce")
    assert nonce and len(nonce) >= 16
    assert headers["Content-Security-Policy"] == PAGE_CSP.format(nonce=nonce)


def test_login_page_headers(page) -> None:
    _assert_page_headers(page.get("/login"))


@pytest.mark.parametrize("url", ["/", "/admin/imports", "/admin/users"])
def test_signed_in_page_headers(login_as, url: str) -> None:
    _assert_page_headers(login_as(Role.ADMIN).get(url))


def test_nonces_differ_per_response(page) -> None:
    first = page.get("/login").response.headers["Content-Security-Policy"]
    second = page.get("/login").response.headers["Content-Security-Policy"]
    assert first != second


def test_error_pages_have_the_headers_and_the_layout(login_as) -> None:
    admin = login_as(Role.ADMIN)
    missing = admin.get("/no-such-page", expected_status=404)
    assert missing.h1() == "Page not found"
    _assert_page_headers(missing)
    wrong_method = admin.get("/logout", expected_status=404)
    assert wrong_method.h1() == "Page not found"


def test_static_assets_may_be_cached_and_are_served(client) -> None:
    css = client.get("/static/govuk/govuk-frontend.min.css")
    assert css.status_code == 200
    assert "Cache-Control" not in css.headers or "no-store" not in css.headers["Cache-Control"]
    assert css.headers["X-Content-Type-Options"] == "nosniff"
    text = css.get_data(as_text=True)
    assert "url(/assets/" not in text
    fonts = re.findall(r"url\((assets/fonts/[^)]+)\)", text)
    assert fonts
    for font in fonts:
        assert client.get(f"/static/govuk/{font}").status_code == 200
    assert client.get("/static/js/govuk-init.mjs").status_code == 200


def test_too_large_upload_gets_the_413_page(app, login_as) -> None:
    admin = login_as(Role.ADMIN)
    token = admin.get("/admin/imports").csrf_token()
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    import io

    page = admin.post(
        "/admin/imports",
        data={"csrf_token": token, "file": (io.BytesIO(b"x" * (1024 * 1024 + 1)), "big.csv")},
        content_type="multipart/form-data",
        expected_status=413,
    )
    assert page.h1() == "The file is too large"
    assert "smaller than 1 MB" in page.text()


def test_unexpected_errors_get_the_500_page(app, page) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("boom")

    failed = page.get("/boom-for-test", expected_status=500)
    assert failed.h1() == "Sorry, there is a problem with the service"
    assert "boom" not in failed.html


def test_pages_fail_clearly_when_assets_are_missing(db_url, tmp_path) -> None:
    from audit_service.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "x",
                      "GOVUK_ASSETS_DIR": tmp_path / "empty"})
    client = app.test_client()
    response = client.get("/login")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "GOV.UK Frontend assets are missing" in body and "make assets" in body
    assert client.get("/api/openapi.json").status_code == 200
