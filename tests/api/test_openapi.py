"""The OpenAPI document lists every API path with its bearer security, and the docs page loads."""

from __future__ import annotations

import re

from audit_service.api.auth import SECURITY_SCHEME


def test_openapi_lists_the_paths_and_the_bearer_scheme(app, client) -> None:
    spec = client.get("/api/openapi.json").json
    assert spec["components"]["securitySchemes"][SECURITY_SCHEME] == {
        "type": "http", "scheme": "bearer",
        "description": "A token from `audit-service tokens create --user NAME`",
    }
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops
                  if method != "parameters"}
    assert {("/api/v1/me", "get"), ("/api/v1/imports", "get"), ("/api/v1/imports", "post"),
            ("/api/v1/imports/{public_id}", "get")} <= documented
    # Every operation needs the bearer token, documents 401/403 and says what it does.
    for path, method in documented:
        operation = spec["paths"][path][method]
        assert operation["security"] == [{SECURITY_SCHEME: []}], (path, method)
        assert {"401", "403"} <= set(operation["responses"]), (path, method)
        assert operation.get("description", operation.get("summary", "")).strip(), (path, method)
    # Every /api/v1 route in the app, with every method, is documented.
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == documented


def test_upload_is_documented_as_multipart(client) -> None:
    spec = client.get("/api/openapi.json").json
    body = spec["paths"]["/api/v1/imports"]["post"]["requestBody"]
    ref = body["content"]["multipart/form-data"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.rpartition("/")[2]]
    assert schema["properties"]["file"] == {"type": "string", "format": "binary",
                                            "description": "The Annex A workbook or CSV, a CIN "
                                            "census (XML) or an SSDA903 table (CSV)"}
    assert schema["required"] == ["file"]
    assert schema["additionalProperties"] is False


def test_docs_page_has_its_own_policy(client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in html
    assert f"script-src 'self' 'nonce-{nonce}';" in csp  # no third-party origin
    assert 'src="/static/vendor/swagger-ui/swagger-ui-bundle.js"' in html
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert '"/api/openapi.json"' in html


def test_docs_page_assets_are_served_from_our_origin(client) -> None:
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        response = client.get(f"/static/vendor/swagger-ui/{name}")
        assert response.status_code == 200, f"{name}: run `make assets`"
