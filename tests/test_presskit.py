"""Full-size downloads and press kits, end to end: built sites read back as a newsroom would.

The downloads' metadata is read back with exiftool (Debian's libimage-exiftool-perl), an
independent reader; the ZIPs with ``zipfile``; the pages with selectolax.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import make_photo, make_site, required_tool, run_cli
from PIL import Image
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from presssite.images import downloads

GPS_IFD = 0x8825


def release(locale: str, title: str, photos: str, extra: str = "") -> str:
    return f"""---
title: "{title}"
date: 2026-03-02T09:00:00+07:00
summary: "Summary {locale}."
source:
  name: Origin {locale}
  url: https://origin.example.org/{locale}/story
{extra}photos:
{photos}
---
Body of the release in {locale}, with a [link](https://example.com/more).

![The harbour](photos/a.jpg)
"""


def gallery(locale: str) -> str:
    return (
        f'  - {{src: photos/a.jpg, caption: "Harbour at dawn {locale}", credit: "Ana Rahman"}}\n'
        f'  - {{src: photos/b.jpg, caption: "Turned photo {locale}", credit: "Budi"}}\n'
    )


def jpeg_with_gps(path: Path) -> Path:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif.get_ifd(GPS_IFD)[2] = (6.0, 12.0, 30.0)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1500, 1000), (40, 90, 140)).save(path, quality=90, exif=exif)
    return path


@pytest.fixture(scope="module")
def exiftool() -> str:
    return required_tool(
        "exiftool", "exiftool not found: apt-get install libimage-exiftool-perl (.ci/run does)"
    )


def read_tags(exiftool: str, path: Path) -> dict[str, object]:
    out = subprocess.run(
        [exiftool, "-json", "-G1", "-a", "-charset", "utf8", str(path)],
        capture_output=True,
        check=True,
        text=True,
        encoding="utf-8",
    ).stdout
    data: dict[str, object] = json.loads(out)[0]
    return data


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("presskit")
    bundle = "content/press/2026-03-02-harbour"
    site = make_site(
        tmp,
        {
            f"{bundle}/index.id.md": release("id", "Pelabuhan", gallery("id")),
            f"{bundle}/index.en.md": release("en", "Harbour", gallery("en")),
            "content/press/2026-03-03-draft/index.id.md": release(
                "id", "Draf", "  - {src: photos/a.jpg, caption: c, credit: d}\n", "draft: true\n"
            ),
            "content/press/2026-03-04-embargo/index.id.md": release(
                "id",
                "Embargo",
                "  - {src: photos/a.jpg, caption: c, credit: d}\n",
                "embargo: 2099-01-01T00:00:00+07:00\n",
            ),
        },
        settings=(
            'title = { id = "Portal Uji", en = "Test Portal" }\n'
            'base_url = "https://example.org/portal/"\n'
            'default_locale = "id"\nlocales = ["id", "en"]\ntimezone = "Asia/Jakarta"\n'
            '[publisher]\nname = { id = "Kedutaan", en = "The Embassy" }\n'
        ),
    )
    jpeg_with_gps(site / bundle / "photos/a.jpg")
    make_photo(site / bundle / "photos/b.jpg", size=(900, 600), exif={0x0112: 6})
    make_photo(site / "content/press/2026-03-03-draft/photos/a.jpg")
    make_photo(site / "content/press/2026-03-04-embargo/photos/a.jpg")
    result = run_cli("build", "--site", site, "--out", site / "build")
    assert result.returncode == 0, result.stderr
    return site


def page(site: Path, locale: str, slug: str = "2026-03-02-harbour") -> HTMLParser:
    found = list((site / "build" / locale / "press").glob("*harbour*/index.html"))
    assert len(found) == 1, found
    return HTMLParser(found[0].read_text("utf-8"))


def download_of(site: Path, locale: str, name: str) -> Path:
    (folder,) = (site / "build" / locale / "press").glob("*harbour*")
    return folder / "photos" / f"{name}-full.jpg"


@pytest.mark.parametrize("locale", ["id", "en"])
def test_download_carries_the_pages_caption_and_the_credit(built, exiftool, locale):
    tags = read_tags(exiftool, download_of(built, locale, "a"))
    assert tags["XMP-dc:Description"] == f"Harbour at dawn {locale}"
    assert tags["XMP-dc:Creator"] == "Ana Rahman"
    assert tags["XMP-photoshop:Credit"] == "Ana Rahman"
    publisher = {"id": "Kedutaan", "en": "The Embassy"}[locale]
    assert tags["XMP-dc:Rights"] == f"© Ana Rahman / {publisher}"
    assert tags["IFD0:ImageDescription"] == f"Harbour at dawn {locale}"
    assert tags["IFD0:Artist"] == "Ana Rahman"
    assert tags["IFD0:Copyright"] == f"© Ana Rahman / {publisher}"
    assert not [k for k in tags if k.startswith("GPS") or "GPS" in k]
    assert "IFD0:Make" not in tags and "SecretCam" not in json.dumps(tags)
    assert (tags["File:ImageWidth"], tags["File:ImageHeight"]) == (1500, 1000)


def test_an_upright_jpeg_keeps_its_compressed_data(built):
    source = built / "content/press/2026-03-02-harbour/photos/a.jpg"
    own = downloads.body(source.read_bytes())
    for locale in ("id", "en"):
        data = download_of(built, locale, "a").read_bytes()
        assert data.endswith(own)  # the source's tables and scan, byte for byte
    # each locale's copy differs only in its metadata
    assert downloads.body(download_of(built, "id", "a").read_bytes()) == own


def test_a_turned_photo_is_encoded_once_upright(built, exiftool):
    bodies = {downloads.body(download_of(built, loc, "b").read_bytes()) for loc in ("id", "en")}
    assert len(bodies) == 1  # one master for both locales
    image = Image.open(download_of(built, "en", "b"))
    assert image.size == (600, 900)  # orientation 6 applied
    assert read_tags(exiftool, download_of(built, "en", "b"))["XMP-dc:Description"] == (
        "Turned photo en"
    )


@pytest.mark.parametrize(("locale", "word"), [("id", "Unduh"), ("en", "Download")])
def test_gallery_links_each_download_with_pixel_and_file_size(built, locale, word):
    links = page(built, locale).css(".gallery figcaption .download a")
    assert len(links) == 2
    first = links[0]
    target = download_of(built, locale, "a")
    assert first.attributes["href"].endswith("/photos/a-full.jpg")
    text = first.text(strip=True)
    assert text.startswith(word)
    assert "1.500 × 1.000 px" in text if locale == "id" else "1,500 × 1,000 px" in text
    size_kb = round(target.stat().st_size / 1000)
    assert f"{size_kb} KB" in text, (text, target.stat().st_size)


def test_a_figure_links_its_download_too(built):
    for locale in ("id", "en"):
        (link,) = page(built, locale).css("figure.photo-inline figcaption .download a")
        assert link.attributes["href"].endswith("/photos/a-full.jpg")
        assert link.text(strip=True).startswith({"id": "Unduh", "en": "Download"}[locale])


def kit_path(site: Path, locale: str) -> Path:
    (folder,) = (site / "build" / locale / "press").glob("*harbour*")
    (found,) = folder.glob("*.zip")
    return found


@pytest.mark.parametrize("locale", ["id", "en"])
def test_press_kit_holds_photos_captions_and_text(built, locale):
    path = kit_path(built, locale)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        prefix = names[0].split("/")[0] + "/"
        assert names == [
            prefix + "release.txt",
            prefix + "captions.txt",
            prefix + "photos/photos-a.jpg",
            prefix + "photos/photos-b.jpg",
        ]
        assert (
            zf.read(prefix + "photos/photos-a.jpg") == download_of(built, locale, "a").read_bytes()
        )
        captions = zf.read(prefix + "captions.txt").decode("utf-8")
        text = zf.read(prefix + "release.txt").decode("utf-8")
    assert f"photos-a.jpg\nHarbour at dawn {locale}\n© Ana Rahman\n" in captions
    title = {"id": "Pelabuhan", "en": "Harbour"}[locale]
    assert text.startswith(title + "\n\n")
    assert f"Body of the release in {locale}, with a link (https://example.com/more)." in text
    assert f"https://origin.example.org/{locale}/story" in text
    link = page(built, locale).css_first(".press-kit a")
    assert link.attributes["href"].endswith(path.name)
    assert f"{round(path.stat().st_size / 1000)} KB" in link.text()


def test_no_draft_or_embargoed_release_has_a_kit(built, tmp_path):
    zips = sorted(p.relative_to(built / "build").as_posix() for p in built.rglob("build/**/*.zip"))
    assert len(zips) == 2 and all("harbour" in z for z in zips)
    preview = run_cli("build", "--site", built, "--out", tmp_path / "preview", "--drafts")
    assert preview.returncode == 0, preview.stderr
    assert len(list((tmp_path / "preview").rglob("*.zip"))) == 2  # the draft shows, no kit


def test_press_kit_bytes_are_the_same_across_builds(built, tmp_path):
    first = {p: p.read_bytes() for p in (kit_path(built, "id"), kit_path(built, "en"))}
    stats = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in first}
    again = run_cli("build", "--site", built, "--out", built / "build")
    assert again.returncode == 0, again.stderr
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in first} == stats  # not rewritten
    # from scratch, elsewhere, without the cache: the same bytes
    copy = tmp_path / "copy"
    shutil.copytree(built, copy, ignore=shutil.ignore_patterns("build", ".presssite-cache"))
    fresh = run_cli("build", "--site", copy, "--out", copy / "build")
    assert fresh.returncode == 0, fresh.stderr
    for path, data in first.items():
        assert (copy / path.relative_to(built)).read_bytes() == data


def test_zip_size_is_known_before_it_is_made():
    from presssite.images import presskit

    entries = [("a/release.txt", b"x" * 10), ("a/photos/ü.jpg", b"\xff" * 1234)]
    data = presskit.write(entries)
    assert len(data) == presskit.size([(n, len(d)) for n, d in entries])
    assert zipfile.ZipFile(io.BytesIO(data)).read("a/photos/ü.jpg") == b"\xff" * 1234


def test_download_max_caps_the_long_edge(tmp_path, exiftool):
    bundle = "content/press/2026-03-02-harbour"
    site = make_site(
        tmp_path,
        {f"{bundle}/index.id.md": release("id", "Pelabuhan", gallery("id"))},
        settings=(
            'base_url = "https://example.org/"\ndefault_locale = "id"\nlocales = ["id"]\n'
            "[images]\ndownload_max = 1000\n"
        ),
    )
    jpeg_with_gps(site / bundle / "photos/a.jpg")
    make_photo(site / bundle / "photos/b.jpg", size=(900, 600))
    result = run_cli("build", "--site", site, "--out", site / "build")
    assert result.returncode == 0, result.stderr
    (folder,) = (site / "build/id/press").glob("*harbour*")
    assert Image.open(folder / "photos/a-full.jpg").size == (1000, 667)
    tags = read_tags(exiftool, folder / "photos/a-full.jpg")
    assert tags["XMP-dc:Description"] == "Harbour at dawn id"
    assert not [k for k in tags if "GPS" in k]
    # within the cap: the source's own data
    source = (site / bundle / "photos/b.jpg").read_bytes()
    assert (folder / "photos/b-full.jpg").read_bytes().endswith(downloads.body(source))


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One.</p><p>Two.</p>", "One.\n\nTwo."),
        ('<p>See <a href="https://x.org/a">this</a>.</p>', "See this (https://x.org/a)."),
        ('<p>See <a href="/portal/en/x/">that</a>.</p>', "See that."),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n- b"),
        ("<h2>Head</h2><p>Body &amp; more</p>", "Head\n\nBody & more"),
        ('<presssite-figure src="a.jpg" alt="x"></presssite-figure><p>After.</p>', "After."),
    ],
    ids=["paragraphs", "external-link", "internal-link", "list", "heading", "figure"],
)
def test_a_body_as_plain_text(html, text):
    from presssite.render.plaintext import body_text

    assert body_text(html) == text


def kit_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith("/release.txt")]
        return zf.read(name).decode("utf-8")


def test_a_rebuild_reads_back_only_the_texts_of_changed_releases(tmp_path):
    """A kit's release.txt is planned by facts kept from the last build; a release whose
    words changed gets its new text, and the output is the one a build without the cache
    makes."""
    bundle, other = "content/press/2026-03-02-harbour", "content/press/2026-03-05-bridge"
    site = make_site(
        tmp_path,
        {
            f"{bundle}/index.id.md": release("id", "Pelabuhan", gallery("id")),
            f"{bundle}/index.en.md": release("en", "Harbour", gallery("en")),
            f"{other}/index.en.md": release("en", "Bridge", gallery("en")),
        },
    )
    for folder in (bundle, other):
        make_photo(site / folder / "photos/a.jpg")
        make_photo(site / folder / "photos/b.jpg", size=(900, 600))
    build = ["build", "--site", site, "--out", site / "build", "--timings"]
    first = run_cli(*build)
    assert first.returncode == 0, first.stderr
    assert "press-kit texts made 3, kept 0" in first.stdout

    # a new checkout of the same files: every time new, no text worked out again
    for path in (site / "content").rglob("*"):
        path.touch()
    again = run_cli(*build)
    assert again.returncode == 0, again.stderr
    assert "press-kit texts made 0, kept 3" in again.stdout

    # the English body edited: that kit alone gets its new text
    en = site / bundle / "index.en.md"
    en.write_text(en.read_text("utf-8").replace("Body of", "New body of"), "utf-8")
    edited = run_cli(*build)
    assert edited.returncode == 0, edited.stderr
    assert "press-kit texts made 1, kept 2" in edited.stdout
    assert "New body of the release in en" in kit_text(kit_path(site, "en"))
    link = page(site, "en").css_first(".press-kit a")
    assert f"{round(kit_path(site, 'en').stat().st_size / 1000)} KB" in link.text()

    # the site's time zone changed, no release: every text has its new local time
    toml = site / "presssite.toml"
    toml.write_text(toml.read_text("utf-8").replace("Asia/Jakarta", "Asia/Jayapura"), "utf-8")
    moved = run_cli(*build)
    assert moved.returncode == 0, moved.stderr
    assert "press-kit texts made 3, kept 0" in moved.stdout
    assert "2 Maret 2026, 11.00 WIT" in kit_text(kit_path(site, "id"))

    copy = tmp_path / "copy"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("build", ".presssite-cache"))
    fresh = run_cli("build", "--site", copy, "--out", copy / "build")
    assert fresh.returncode == 0, fresh.stderr
    zips = sorted(p.relative_to(site / "build") for p in (site / "build").rglob("*.zip"))
    assert len(zips) == 3
    for rel in zips:
        assert (copy / "build" / rel).read_bytes() == (site / "build" / rel).read_bytes()
