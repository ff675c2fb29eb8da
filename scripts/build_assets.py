"""Copy GOV.UK Frontend's compiled assets from node_modules into the package's static folder.

Run after ``npm ci`` (``make assets``). Nothing copied here is committed: the
source of truth is the exact version pinned in ``package.json``.

GOV.UK Frontend's stylesheet refers to its fonts and images at ``/assets/``;
we rewrite those to paths relative to the stylesheet, so the files work
wherever the app serves ``static/govuk/``.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
TARGET = ROOT / "audit_service" / "static" / "govuk"
SWAGGER_SOURCE = ROOT / "node_modules" / "swagger-ui-dist"
SWAGGER_TARGET = ROOT / "audit_service" / "static" / "vendor" / "swagger-ui"
SWAGGER_FILES = ("swagger-ui.css", "swagger-ui-bundle.js")
CHARTJS_SOURCE = ROOT / "node_modules" / "chart.js" / "dist"
CHARTJS_TARGET = ROOT / "audit_service" / "static" / "vendor" / "chartjs"
CHARTJS_FILES = ("chart.umd.min.js",)
CSS = "govuk-frontend.min.css"
JS = "govuk-frontend.min.js"
ABSOLUTE_ASSETS = "url(/assets/"
RELATIVE_ASSETS = "url(assets/"


def _expected_version() -> str:
    package = json.loads((ROOT / "package.json").read_text())
    return package["dependencies"]["govuk-frontend"]


def _installed_version() -> str | None:
    manifest = SOURCE.parent.parent / "package.json"
    if not manifest.exists():
        return None
    return json.loads(manifest.read_text())["version"]


def build(source: Path = SOURCE, target: Path = TARGET) -> list[Path]:
    """Copy the stylesheet, script, fonts and images; returns the files written."""
    expected, installed = _expected_version(), _installed_version()
    if installed is None:
        raise SystemExit(f"govuk-frontend is not installed in {source}: run `npm ci` first")
    if installed != expected:
        raise SystemExit(
            f"node_modules has govuk-frontend {installed} but package.json pins {expected}: "
            "run `npm ci`"
        )
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)

    css = (source / CSS).read_text(encoding="utf-8")
    if ABSOLUTE_ASSETS not in css:
        raise SystemExit(f"{CSS} no longer refers to {ABSOLUTE_ASSETS!r}; update this script")
    (target / CSS).write_text(css.replace(ABSOLUTE_ASSETS, RELATIVE_ASSETS), encoding="utf-8")
    shutil.copyfile(source / JS, target / JS)
    shutil.copytree(source / "assets", target / "assets")
    (target / "VERSION").write_text(installed + "\n")
    return sorted(p for p in target.rglob("*") if p.is_file())


def build_swagger_ui(source: Path = SWAGGER_SOURCE, target: Path = SWAGGER_TARGET) -> list[Path]:
    """Swagger UI for ``/api/docs``, served from our own origin like every other asset."""
    if not source.is_dir():
        raise SystemExit(f"swagger-ui-dist is not installed in {source}: run `npm ci` first")
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in SWAGGER_FILES:
        shutil.copyfile(source / name, target / name)
    return [target / name for name in SWAGGER_FILES]


def build_chartjs(source: Path = CHARTJS_SOURCE, target: Path = CHARTJS_TARGET) -> list[Path]:
    """Chart.js for the summary charts (UMD build: it defines ``window.Chart``)."""
    if not source.is_dir():
        raise SystemExit(f"chart.js is not installed in {source}: run `npm ci` first")
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in CHARTJS_FILES:
        shutil.copyfile(source / name, target / name)
    return [target / name for name in CHARTJS_FILES]


def main() -> int:
    written = build()
    print(f"copied {len(written)} GOV.UK Frontend files into {TARGET.relative_to(ROOT)}")
    swagger = build_swagger_ui()
    print(f"copied {len(swagger)} Swagger UI files into {SWAGGER_TARGET.relative_to(ROOT)}")
    charts = build_chartjs()
    print(f"copied {len(charts)} Chart.js files into {CHARTJS_TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
