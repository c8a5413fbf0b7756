"""Thumbnails sized for the layout: each photo's ``sizes`` is the width the CSS gives it.

Headless Chromium lays out a release page (gallery and an inline figure) and a list page
(teasers) at phone, tablet and desktop widths and screen densities; every ``<img>``'s
``sizes``, evaluated there, must equal its rendered width, every ``<source>`` must say
the same, and the candidate the browser picks from the default widths must not be much
larger than the pixels it fills.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import make_photo, make_site, run_cli, serve_folder

pytestmark = pytest.mark.browser

BUNDLE = "content/press/2026-01-10-gallery"
RELEASE = """---
title: Galeri
date: 2026-01-10T09:30:00+07:00
summary: Ringkasan.
photos:
  - {src: photos/01.jpg, caption: Satu., credit: A}
  - {src: photos/02.jpg, caption: Dua., credit: B}
  - {src: photos/03.jpg, caption: Tiga., credit: C}
  - {src: photos/04.jpg, caption: Empat., credit: D}
---

Isi pertama.

![Foto di dalam teks](photos/inline.jpg)

Isi kedua.
"""

# What the page does for one image: the width its ``sizes`` gives at this viewport (the
# first matching media condition's length, measured in a throwaway element), its own
# rendered width, the sizes of its picture's sources, and the width of the candidate
# the browser chose.
MEASURE = """
async (img) => {
  img.loading = 'eager';
  await img.decode().catch(() => null);
  const parts = img.sizes.split(/,(?![^(]*\\))/).map(s => s.trim());
  let evaluated = null;
  for (const part of parts) {
    const m = part.match(/^(\\(.*\\))\\s+(.+)$/);
    if (m && !matchMedia(m[1]).matches) continue;
    const probe = document.createElement('div');
    probe.style.position = 'absolute';
    probe.style.width = m ? m[2] : part;
    document.body.appendChild(probe);
    evaluated = probe.getBoundingClientRect().width;
    probe.remove();
    break;
  }
  const sources = [...(img.parentElement.tagName === 'PICTURE'
    ? img.parentElement.querySelectorAll('source') : [])].map(s => s.sizes);
  const chosen = (img.currentSrc.match(/-(\\d+)\\.[a-z]+$/) || [])[1];
  return {sizes: img.sizes, evaluated, rendered: img.getBoundingClientRect().width,
          sources, chosen: chosen ? Number(chosen) : null, src: img.currentSrc};
}
"""


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("sizes")
    root = make_site(tmp, {f"{BUNDLE}/index.id.md": RELEASE})
    for name in ("01", "02", "03", "04", "inline"):
        make_photo(root / BUNDLE / f"photos/{name}.jpg", (2400, 1600))
    result = run_cli("build", "--site", root, "--out", tmp / "srv/portal")
    assert result.returncode == 0, result.stderr
    with serve_folder(tmp / "srv") as origin:
        yield f"{origin}/portal/id/"


@pytest.mark.parametrize(
    ("width", "scale"),
    [(320, 2), (360, 3), (412, 1.75), (480, 2), (600, 2), (768, 1), (820, 2), (1280, 1), (1440, 2)],
    ids=lambda v: str(v),
)
@pytest.mark.parametrize("path", ["press/gallery/", ""], ids=["release", "home"])
def test_sizes_match_the_layout_and_the_widths_cover_it(browser, origin, path, width, scale):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, device_scale_factor=scale
    )
    try:
        page = context.new_page()
        page.goto(origin + path, wait_until="load")
        found = [page.evaluate(MEASURE, img) for img in page.query_selector_all("main img")]
    finally:
        context.close()
    assert found
    for image in found:
        assert image["evaluated"] == pytest.approx(image["rendered"], abs=1), image
        assert all(s == image["sizes"] for s in image["sources"]), image
        needed = image["rendered"] * scale
        assert image["chosen"] is not None, image
        # the widths cover it: a candidate at least as wide, and not much wider
        assert image["chosen"] >= min(needed, 2400) - 1 or image["chosen"] == 1600, image
        assert image["chosen"] <= max(needed * 1.5, 360), image
