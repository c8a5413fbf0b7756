"""Lighthouse on the example site: accessibility 100 and properly sized images on a
release page of each locale (mobile: 412 px at 1.75x, as Lighthouse emulates it)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from conftest import REPO, run_cli, serve_folder
from lighthouse import audit

pytestmark = pytest.mark.browser

# the example's release with the most gallery photos, and one with an inline figure
RELEASES = {
    "id": "press/indonesian-cultural-week-hanoi/",
    "en": "press/le-anh-tuan-visits-jakarta/",
}


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
    with serve_folder(tmp / "srv") as origin:
        yield f"{origin}/portal/"


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
