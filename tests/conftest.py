"""Shared test helpers: fixture sites, real photos, the CLI, headless Chromium, vnu.jar.

End-to-end tests write a small site inside the test (``make_site``), build it with the real
command line (``run_cli``) and read the output back with an HTML parser. Import the plain
helpers with ``from conftest import make_site, make_photo, run_cli``; the model's
factories (settings, a site from ``assemble``, a release's front matter) are in
``factories``.

Browser and validator fixtures skip when their tool is missing on a developer's machine,
but fail under CI (``CI=true``): there ``.ci/run`` installs them, so a skip would hide a
broken set-up.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from factories import DEFAULT_SETTINGS

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
NODE_MODULES = REPO / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def in_ci() -> bool:
    """True under CI, where a missing tool is a broken set-up rather than a reason to skip."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing_tool(message: str) -> None:
    """Skip the test on a developer's machine; fail it under CI."""
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def required_tool(name: str, message: str) -> str:
    """The path of the program ``name``; skipped (failed under CI) when it is missing."""
    path = shutil.which(name)
    if path is None:
        missing_tool(message)
    assert path is not None
    return path


# --------------------------------------------------------------------------- fixture sites


def make_site(
    tmp_path: Path,
    files: Mapping[str, str | bytes],
    settings: str | None = None,
) -> Path:
    """Write a site into ``tmp_path/site`` and return its folder.

    ``files`` maps site-relative POSIX paths ("content/press/2026-01-05-x/index.id.md")
    to text (written as UTF-8) or bytes. ``settings`` replaces the default presssite.toml
    (base_url with the /portal/ sub-path, locales id and en, Asia/Jakarta); a
    "presssite.toml" key in ``files`` wins over both.
    """
    root = tmp_path / "site"
    root.mkdir(parents=True, exist_ok=True)
    (root / "presssite.toml").write_text(
        DEFAULT_SETTINGS if settings is None else settings, encoding="utf-8"
    )
    for rel, data in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8")
    return root


def make_photo(
    path: Path,
    size: tuple[int, int] = (1200, 800),
    color: tuple[int, int, int] = (70, 110, 160),
    fmt: str = "JPEG",
    exif: Mapping[int, Any] | None = None,
) -> Path:
    """Write a real image file (a flat colour with a lighter band) and return its path.

    ``exif`` maps EXIF tag numbers to values, e.g. ``{0x0112: 6}`` for an orientation
    that rotates the picture 90 degrees clockwise when shown.
    """
    from PIL import Image, ImageDraw

    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "RGBA" if fmt.upper() == "PNG" else "RGB"
    image = Image.new(mode, size, color)
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle((0, h // 3, w, h // 2), fill=tuple(min(255, c + 60) for c in color))
    options: dict[str, Any] = {}
    if exif:
        data = Image.Exif()
        for tag, value in exif.items():
            data[tag] = value
        options["exif"] = data.tobytes()
    if fmt.upper() == "JPEG":
        options["quality"] = 80
    image.save(path, fmt, **options)
    return path


def run_cli(
    *args: str | os.PathLike[str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m presssite ARGS`` as a user would; capture stdout and stderr as text.

    The source tree is put first on PYTHONPATH so the tests run the code under test even
    without an install, and the terminal is made wide and colourless so messages are not
    wrapped or decorated.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    env.update({"NO_COLOR": "1", "COLUMNS": "200", "TERM": "dumb", "PYTHONUTF8": "1"})
    return subprocess.run(
        [sys.executable, "-m", "presssite", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


# --------------------------------------------------------------------------- tools


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` as static files on 127.0.0.1 (as a static host would); yields its
    origin, ``http://127.0.0.1:<port>``. A built site under a sub-path goes in a
    subfolder of ``folder``."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def find_chromium() -> str | None:
    """Debian's Chromium: /usr/bin/chromium, else whatever ``chromium`` is on PATH."""
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = find_chromium()
    if path is None:
        missing_tool("Chromium not found; CI must have Chromium: .ci/run installs it")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[Any]:
    """One headless Chromium for the whole session, driven by Playwright's sync API."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_tool("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def java_executable() -> str:
    return required_tool(
        "java", "java not found; CI must have Java for vnu.jar: .ci/run installs it"
    )


@pytest.fixture(scope="session")
def vnu_jar(java_executable: str) -> Path:
    """The Nu Html Checker from the npm package vnu-jar (``make test`` runs ``npm ci``)."""
    if not VNU_JAR.is_file():
        missing_tool(f"{VNU_JAR} not found: run npm ci --ignore-scripts (make test does)")
    return VNU_JAR


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, to inject into pages (from the npm package axe-core)."""
    if not AXE_JS.is_file():
        missing_tool(f"{AXE_JS} not found: run npm ci --ignore-scripts (make test does)")
    return AXE_JS.read_text(encoding="utf-8")
