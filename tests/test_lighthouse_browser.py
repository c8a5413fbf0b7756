"""Lighthouse on the example site: accessibility 100 and properly sized images on a
release page of each locale (mobile: 412 px at 1.75x, as Lighthouse emulates it)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from conftest import REPO, run_cli
from lighthouse import audit

pytestmark = pytest.mark.browser

# the example's release with the most gallery photos, and one with an inline figure
RELEASES = {
    "id": "press/indonesian-cultural-week-hanoi/",
    "en": "press/le-anh-tuan-visits-jakarta/",
}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("lighthouse")
    site = tmp / "site"
    site.mkdir()
    for name in ("content", "static", "templates"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, site / name)
    shutil.copy(REPO / "presssite.toml", site / "presssite.toml")
    result = run_cli("build", "--site", site, "--out", tmp / "srv/portal")
    assert result.returncode == 0, result.stderr
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(tmp / "srv")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/portal/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def release_url(origin: str, locale: str) -> str:
    return f"{origin}{locale}/{RELEASES[locale]}"


@pytest.mark.parametrize("locale", ["id", "en"])
def test_a_release_page_scores_100_and_sizes_its_images(origin, locale):
    report = audit(
        release_url(origin, locale),
        categories=("accessibility",),
        audits=("uses-responsive-images",),
    )
    assert report.scores["accessibility"] == 100, report.failing("accessibility")
    sized = report.audits["uses-responsive-images"]
    items = (sized.get("details") or {}).get("items", [])
    assert sized["score"] == 1, [(i.get("url"), i.get("wastedBytes")) for i in items]
