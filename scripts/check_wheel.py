"""Build the wheel and prove it runs where it is installed, far from this repository.

The steps a council's IT team would take: build the wheel (GOV.UK Frontend's compiled
assets inside it), install it in a clean virtual environment, and from an empty folder
run ``audit-service migrate``, ``rubrics load``, ``demo`` and ``serve``; then fetch the
sign-in page and the stylesheet and font it links to. Every command runs with the
installed package only: the repository's ``rubrics/``, ``plugins/`` and ``migrations/``
are not on any path.

    python scripts/check_wheel.py [--workdir DIR] [--keep]

Run by ``make wheel-check`` and by ``tests/test_wheel.py``; prints what it did.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What a source tree needs to build the wheel; nothing else is copied, so nothing else
# (tests, node_modules, the virtualenv) can leak into it.
SOURCES = ("setup.py", "setup.cfg", "pyproject.toml", "README.md", "audit_service", "plugins",
           "rubrics", "migrations")
STYLESHEET = "audit_service/static/govuk/govuk-frontend.min.css"
RUBRICS = 7


class CheckFailed(RuntimeError):
    pass


def _run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise CheckFailed(f"`{' '.join(args)}` failed ({done.returncode}):\n"
                          f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def build_wheel(workdir: Path) -> Path:
    """Copy the sources to ``workdir/src`` and build the wheel there (assets included)."""
    if not (ROOT / STYLESHEET).exists():
        raise CheckFailed(f"{STYLESHEET} is missing: run `make assets` before building")
    src = workdir / "src"
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests"))
        else:
            src.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, src / name)
    dist = workdir / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
          "-w", str(dist), str(src)], cwd=workdir, env=dict(os.environ))
    [wheel] = dist.glob("audit_service-*.whl")
    return wheel


def install(wheel: Path, workdir: Path) -> Path:
    """A clean virtual environment with the wheel and its pinned dependencies."""
    venv = workdir / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=workdir, env=dict(os.environ))
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
          "-c", str(ROOT / "constraints.txt"), str(wheel)], cwd=workdir, env=dict(os.environ))
    return venv / "bin" / "audit-service"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, "", b""


def run_from_empty_folder(command: Path, workdir: Path) -> list[str]:
    """migrate, rubrics load, demo, serve: from an empty folder, nothing of the repository."""
    here = workdir / "council"
    here.mkdir()
    env = {"PATH": f"{command.parent}:/usr/bin:/bin", "HOME": str(workdir),
           "AUDIT_SECRET_KEY": "wheel-check-secret-key-0123456789", "AUDIT_INSECURE_COOKIES": "1",
           "LANG": "C.UTF-8"}
    report = []
    report.append(_run([str(command), "migrate"], cwd=here, env=env).strip().splitlines()[-1])
    loaded = _run([str(command), "rubrics", "load"], cwd=here, env=env)
    created = re.findall(r"version 1 created", loaded)
    if len(created) != RUBRICS:
        raise CheckFailed(f"expected {RUBRICS} rubrics loaded, got:\n{loaded}")
    report.append(f"rubrics load: {len(created)} rubrics, version 1 each")
    demo = _run([str(command), "demo"], cwd=here, env=env)
    report.append(demo.strip().splitlines()[0])
    port = _free_port()
    server = subprocess.Popen([str(command), "serve", "--port", str(port)], cwd=here, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            if server.poll() is not None:
                raise CheckFailed(f"serve stopped: {server.stdout.read() if server.stdout else ''}")
            try:
                status, _, page = _get(f"{base}/login")
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise CheckFailed("serve did not answer within 20 seconds")
        html = page.decode()
        if status != 200 or "govuk-frontend.min.css" not in html:
            raise CheckFailed(f"/login answered {status} without the GOV.UK stylesheet")
        css_path = re.search(r'href="([^"]*govuk-frontend\.min\.css)"', html).group(1)
        status, kind, css = _get(base + css_path)
        if status != 200 or kind != "text/css" or len(css) < 50_000:
            raise CheckFailed(f"{css_path} answered {status} {kind}, {len(css)} bytes")
        font = re.search(r"url\((assets/fonts/[^)]+\.woff2)\)", css.decode()).group(1)
        font_url = base + css_path.rsplit("/", 1)[0] + "/" + font
        status, _, data = _get(font_url)
        if status != 200 or not data:
            raise CheckFailed(f"the stylesheet's font {font} answered {status}")
        report.append(f"serve: /login 200 with {css_path} ({len(css):,} bytes of CSS) "
                      f"and its fonts")
    finally:
        server.terminate()
        server.wait(timeout=10)
    leftovers = sorted(p.name for p in here.iterdir())
    report.append(f"the folder it ran in holds only: {', '.join(leftovers)}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="where to build and install (default: a "
                        "temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="audit-wheel-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        wheel = build_wheel(workdir)
        print(f"built {wheel.name} ({wheel.stat().st_size:,} bytes)")
        command = install(wheel, workdir)
        print(f"installed into a clean virtual environment: {command}")
        for line in run_from_empty_folder(command, workdir):
            print(line)
    except CheckFailed as exc:
        print(f"wheel check failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print("wheel check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
