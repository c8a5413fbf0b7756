"""Run Lighthouse (npm ``lighthouse``, pinned in package.json) on a page, in Debian's Chromium.

``audit(url)`` returns the categories' scores (0 to 100) and every audit of the report, so
a test can assert a score and, when it is short, name the audits that cost it points
(``Report.failing``). Lighthouse drives its own Chromium (``CHROME_PATH``) in headless
mode; the page must be served over HTTP (on 127.0.0.1, a secure context for the
browser), not opened as a file.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conftest import NODE_MODULES, find_chromium, missing_tool

LIGHTHOUSE_CLI = NODE_MODULES / "lighthouse" / "cli" / "index.js"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"


@dataclass(frozen=True)
class Report:
    """What Lighthouse found on one page."""

    url: str
    scores: dict[str, int | None]  # category id ("seo") -> 0..100, None when not scored
    audits: dict[str, dict[str, Any]]  # audit id -> Lighthouse's audit result
    categories: dict[str, list[str]]  # category id -> ids of the audits that are scored in it

    def failing(self, category: str) -> list[str]:
        """The audits of ``category`` that cost points: "id (score): title; explanation"."""
        out = []
        for audit_id in self.categories.get(category, []):
            result = self.audits[audit_id]
            score = result.get("score")
            if score is None or score >= 1:
                continue
            why = result.get("explanation") or ""
            items = result.get("details", {}).get("items", [])[:3]
            out.append(f"{audit_id} ({score}): {result.get('title')}; {why} {items}".strip())
        return out


def available() -> tuple[str, Path]:
    """Chromium and Lighthouse's CLI; skips (fails under CI) when either is missing."""
    chromium = find_chromium()
    if chromium is None:
        missing_tool("Chromium not found; CI must have Chromium: .ci/run installs it")
    if not LIGHTHOUSE_CLI.is_file():
        missing_tool(f"{LIGHTHOUSE_CLI} not found: run npm ci --ignore-scripts (make test does)")
    assert chromium is not None
    return chromium, LIGHTHOUSE_CLI


def audit(
    url: str,
    *,
    categories: Sequence[str] = ("best-practices", "seo"),
    audits: Sequence[str] = (),
    form_factor: str = "mobile",
    timeout: float = 240,
) -> Report:
    """Run Lighthouse on ``url`` for ``categories``, and ``audits`` of other categories
    (e.g. "uses-responsive-images", unscored here); return its report."""
    chromium, cli = available()
    env = {**os.environ, "CHROME_PATH": chromium}
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        out = Path(tmp) / "report.json"
        args = [
            "node",
            str(cli),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--only-categories={','.join(categories)}",
            f"--chrome-flags={CHROME_FLAGS}",
            f"--form-factor={form_factor}",
            "--max-wait-for-load=60000",
        ]
        if audits:
            args.append(f"--only-audits={','.join(audits)}")
        if form_factor == "desktop":
            args += ["--preset=desktop"]
        done = subprocess.run(
            args,
            env={**env, "TMPDIR": tmp},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0 or not out.is_file():
            raise AssertionError(
                f"lighthouse failed on {url} ({done.returncode}):\n{done.stderr[-3000:]}"
            )
        data = json.loads(out.read_text(encoding="utf-8"))
    if data.get("runtimeError"):
        raise AssertionError(f"lighthouse could not load {url}: {data['runtimeError']}")
    scores = {
        cid: None if cat.get("score") is None else round(cat["score"] * 100)
        for cid, cat in data["categories"].items()
    }
    scored = {
        cid: [ref["id"] for ref in cat["auditRefs"] if ref.get("weight", 0) > 0]
        for cid, cat in data["categories"].items()
    }
    return Report(url=url, scores=scores, audits=data["audits"], categories=scored)
