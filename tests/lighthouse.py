"""Lighthouse (npm ``lighthouse``, pinned in package.json) run on Debian's Chromium.

``run(url, categories=..., audits=...)`` audits one page as Lighthouse's mobile default
(a 412 px wide screen at 1.75x) and returns ``Report``: each category's score (0 to 1)
and every audit's result by id, as Lighthouse's JSON gives them. Chromium is found by
``CHROME_PATH`` and started with ``--headless=new --no-sandbox --disable-gpu``; the page
must be served on 127.0.0.1 (``serve_folder``).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from conftest import NODE_MODULES, find_chromium, missing_tool

LIGHTHOUSE = NODE_MODULES / ".bin" / "lighthouse"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"


@dataclass(frozen=True)
class Report:
    """What Lighthouse found on one page."""

    scores: dict[str, float | None]  # category id -> score, e.g. {"accessibility": 1.0}
    audits: dict[str, dict[str, Any]]  # audit id -> its JSON (score, details, ...)
    weighted: dict[str, tuple[str, ...]]  # category id -> the audits its score weighs

    def failing(self, category: str) -> list[str]:
        """The audits of ``category`` that count against its score, with their titles."""
        return [
            f"{audit_id}: {self.audits[audit_id].get('title')}"
            for audit_id in self.weighted.get(category, ())
            if self.audits[audit_id].get("score") not in (None, 1)
        ]


def run(
    url: str,
    *,
    categories: Sequence[str] = ("accessibility",),
    audits: Sequence[str] = (),
    timeout: int = 300,
) -> Report:
    """Audit ``url`` with Lighthouse; ``audits`` adds single audits to the categories."""
    if not LIGHTHOUSE.is_file():
        missing_tool(f"{LIGHTHOUSE} not found: run npm ci --ignore-scripts (make test does)")
    chromium = find_chromium()
    if chromium is None:
        missing_tool("Chromium not found; CI must have Chromium: .ci/run installs it")
    assert chromium is not None
    args = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--only-categories={','.join(categories)}",
    ]
    if audits:
        args.append(f"--only-audits={','.join(audits)}")
    env = dict(os.environ, CHROME_PATH=chromium)
    result = subprocess.run(
        args, capture_output=True, text=True, encoding="utf-8", timeout=timeout, env=env
    )
    assert result.returncode == 0, result.stderr[-4000:]
    data = json.loads(result.stdout)
    return Report(
        scores={cid: cat.get("score") for cid, cat in data["categories"].items()},
        audits=data["audits"],
        weighted={
            cid: tuple(ref["id"] for ref in cat.get("auditRefs", ()) if ref.get("weight", 0) > 0)
            for cid, cat in data["categories"].items()
        },
    )


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1; yields the origin ("http://127.0.0.1:PORT")."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
