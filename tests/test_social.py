"""Social cards and structured data, end to end: Open Graph, Twitter and NewsArticle JSON-LD."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_photo, make_site, run_cli
from factories import DEFAULT_SETTINGS, release
from PIL import Image
from selectolax.lexbor import LexborHTMLParser

NOW = "2026-01-31T12:00:00+07:00"
BASE = "https://example.org/portal/"
SETTINGS = (
    DEFAULT_SETTINGS
    + """
[publisher]
name = { id = "Kementerian Uji", en = "Ministry of Tests" }
logo = "static/logo.png"
"""
)
BUNDLE = "content/press/2026-01-10-partnership"
SOURCE = "https://baoquocte.vn/viet-nam-tham-du-hoi-nghi-quoc-te-338048.html"
EVIL = "Breaking </script><script>alert(1)</script> news"


def photos(caption: str) -> str:
    return f"\n  - src: photos/01.jpg\n    caption: {caption}\n    credit: Bao Chi"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {
        f"{BUNDLE}/index.id.md": release(
            "Kemitraan global",
            summary="Ringkasan kemitraan.",
            tags="[diplomasi]",
            source=f"\n  name: Báo Quốc tế\n  url: {SOURCE}",
            photos=photos("Wakil menteri berbicara."),
        ),
        f"{BUNDLE}/index.en.md": release(
            "Global partnership",
            summary="Partnership summary.",
            tags="[diplomacy, security]",
            source=f"\n  name: Báo Quốc tế\n  url: {SOURCE}",
            photos=photos("The deputy minister speaks."),
            updated="2026-01-12T08:00:00+07:00",
            expires="2027-01-01T00:00:00+07:00",
        ),
        "content/press/2026-01-11-text-only/index.en.md": release("Text only"),
        "content/press/2026-01-12-evil/index.id.md": release(EVIL),
    }
    root = make_site(tmp_path_factory.mktemp("social"), files, settings=SETTINGS)
    make_photo(root / BUNDLE / "photos/01.jpg", (1600, 1000))
    make_photo(root / "static/logo.png", (200, 60), fmt="PNG")
    result = run_cli("build", "--site", root, "--now", NOW)
    assert result.returncode == 0, result.stderr
    return root


def page(site: Path, path: str) -> LexborHTMLParser:
    return LexborHTMLParser((site / "build" / path).read_text(encoding="utf-8"))


def meta(tree: LexborHTMLParser) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for node in tree.css("head meta[property], head meta[name]"):
        key = node.attributes.get("property") or node.attributes.get("name") or ""
        out.setdefault(key, []).append(node.attributes.get("content") or "")
    return out


def jsonld(tree: LexborHTMLParser) -> dict[str, Any]:
    scripts = tree.css('script[type="application/ld+json"]')
    assert len(scripts) == 1
    return json.loads(scripts[0].text())


def strings(value: Any) -> Iterator[tuple[str, str]]:
    """(key, value) of every string in a JSON document."""
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, str):
                yield k, v
            else:
                yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def output_file(site: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    return site / "build" / url.removeprefix(BASE)


# --------------------------------------------------------------------------- Open Graph


def test_open_graph_describes_the_release(site: Path) -> None:
    tags = meta(page(site, "en/press/partnership/index.html"))
    assert tags["og:type"] == ["article"]
    assert tags["og:title"] == ["Global partnership"]
    assert tags["og:description"] == ["Partnership summary."]
    assert tags["og:url"] == [f"{BASE}en/press/partnership/"]
    assert tags["og:locale"] == ["en_US"]
    assert tags["og:locale:alternate"] == ["id_ID"]
    assert tags["article:published_time"] == ["2026-01-10T09:30:00+07:00"]
    assert tags["article:modified_time"] == ["2026-01-12T08:00:00+07:00"]
    assert tags["article:expiration_time"] == ["2027-01-01T00:00:00+07:00"]
    assert tags["article:tag"] == ["diplomacy", "security"]


def test_og_image_is_absolute_published_and_sized_truly(site: Path) -> None:
    tags = meta(page(site, "id/press/partnership/index.html"))
    (url,) = tags["og:image"]
    file = output_file(site, url)
    assert file.is_file()
    with Image.open(file) as image:
        assert [str(image.width)] == tags["og:image:width"]
        assert [str(image.height)] == tags["og:image:height"]
    assert tags["og:image:alt"] == ["Wakil menteri berbicara."]
    assert tags["og:image:type"] == ["image/jpeg"]


def test_optional_article_times_only_when_set(site: Path) -> None:
    tags = meta(page(site, "id/press/partnership/index.html"))
    assert "article:modified_time" not in tags
    assert "article:expiration_time" not in tags


def test_twitter_card_is_large_with_a_photo_and_small_without(site: Path) -> None:
    with_photo = meta(page(site, "en/press/partnership/index.html"))
    assert with_photo["twitter:card"] == ["summary_large_image"]
    assert with_photo["twitter:title"] == ["Global partnership"]
    assert with_photo["twitter:description"] == ["Partnership summary."]
    assert with_photo["twitter:image"] == with_photo["og:image"]
    text_only = meta(page(site, "en/press/text-only/index.html"))
    assert text_only["twitter:card"] == ["summary"]
    assert "twitter:image" not in text_only and "og:image" not in text_only
    assert "og:locale:alternate" not in text_only


# --------------------------------------------------------------------------- JSON-LD


def test_news_article_has_the_required_fields(site: Path) -> None:
    data = jsonld(page(site, "en/press/partnership/index.html"))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Global partnership"
    assert data["description"] == "Partnership summary."
    assert data["datePublished"] == "2026-01-10T09:30:00+07:00"
    assert data["dateModified"] == "2026-01-12T08:00:00+07:00"
    assert data["inLanguage"] == "en"
    assert data["isBasedOn"] == SOURCE
    assert data["url"] == f"{BASE}en/press/partnership/"
    assert data["mainEntityOfPage"]["@id"] == data["url"]
    for role in ("author", "publisher"):
        assert data[role]["@type"] == "Organization"
        assert data[role]["name"] == "Ministry of Tests"
    logo = data["publisher"]["logo"]
    assert logo["@type"] == "ImageObject"
    assert logo["url"] == f"{BASE}static/logo.png"
    assert output_file(site, logo["url"]).is_file()


def test_date_modified_falls_back_to_the_date(site: Path) -> None:
    data = jsonld(page(site, "id/press/partnership/index.html"))
    assert data["dateModified"] == data["datePublished"] == "2026-01-10T09:30:00+07:00"
    assert data["publisher"]["name"] == "Kementerian Uji"


def test_article_images_are_published_files_of_the_stated_size(site: Path) -> None:
    data = jsonld(page(site, "en/press/partnership/index.html"))
    assert data["image"], "a release with a photo lists images"
    for entry in data["image"]:
        assert entry["@type"] == "ImageObject"
        assert entry["caption"] == "The deputy minister speaks."
        with Image.open(output_file(site, entry["url"])) as image:
            assert (image.width, image.height) == (entry["width"], entry["height"])


def test_every_url_in_the_json_ld_is_absolute_under_the_base_url(site: Path) -> None:
    for path in ("id/press/partnership/index.html", "en/press/partnership/index.html"):
        data = jsonld(page(site, path))
        found = [(k, v) for k, v in strings(data) if k in ("@id", "url")]
        assert found
        for key, value in found:
            assert value.startswith(BASE), (key, value)


def test_translations_are_linked_to_the_default_locale_work(site: Path) -> None:
    work = jsonld(page(site, "id/press/partnership/index.html"))
    translation = jsonld(page(site, "en/press/partnership/index.html"))
    assert "translationOfWork" not in work
    assert [t["@id"] for t in work["workTranslation"]] == [translation["@id"]]
    assert work["workTranslation"][0]["inLanguage"] == "en"
    assert translation["translationOfWork"]["@id"] == work["@id"]
    assert translation["translationOfWork"]["url"] == f"{BASE}id/press/partnership/"
    assert "workTranslation" not in translation
    assert work["@id"] != translation["@id"]


def test_a_document_without_translations_links_none(site: Path) -> None:
    data = jsonld(page(site, "en/press/text-only/index.html"))
    assert "workTranslation" not in data and "translationOfWork" not in data
    assert "image" not in data and "isBasedOn" not in data


def test_script_end_tag_in_a_title_cannot_leave_the_json_ld(site: Path) -> None:
    raw = (site / "build/id/press/evil/index.html").read_text(encoding="utf-8")
    tree = LexborHTMLParser(raw)
    assert len(tree.css("script")) == len(tree.css("script[src], script[type]"))
    data = jsonld(tree)
    assert data["headline"] == EVIL
    start = raw.index('<script type="application/ld+json">')
    body = raw[start + len('<script type="application/ld+json">') : raw.index("</script>", start)]
    assert json.loads(body)["headline"] == EVIL
    assert "alert(1)" not in "".join(s.text() for s in tree.css("script:not([type])"))
