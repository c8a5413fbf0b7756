"""Site assembly: publishing rules, order, tags, missing translations, URL collisions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from factories import make_settings, make_translation

from presssite import urls
from presssite.errors import ContentError
from presssite.model import Bundle, Translation
from presssite.settings import Settings
from presssite.site import assemble as site

WIB = timezone(timedelta(hours=7))
NOW = datetime(2026, 1, 31, 9, 0, tzinfo=WIB)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, page_size=2)


def doc(settings: Settings, bundle: str, locale: str, day: int, **fields) -> Translation:
    """A translation whose slug is its whole folder name, unless ``fields`` gives one."""
    return make_translation(
        settings,
        bundle,
        locale,
        date=datetime(2026, 1, day, 9, 0, tzinfo=WIB),
        slug=fields.pop("slug", bundle.split("/")[-1]),
        title=fields.pop("title", f"{bundle} {locale}"),
        **fields,
    )


def bundle(settings: Settings, *docs: Translation) -> Bundle:
    first = docs[0]
    return Bundle(
        id=first.bundle,
        section=first.section,
        dir=settings.content_dir / first.bundle,
        translations={d.locale: d for d in docs},
    )


def test_releases_newest_first_and_pages_apart(settings: Settings) -> None:
    bundles = [
        bundle(settings, doc(settings, "press/a", "id", 1), doc(settings, "press/a", "en", 1)),
        bundle(settings, doc(settings, "press/b", "id", 5), doc(settings, "press/b", "en", 5)),
        bundle(
            settings, doc(settings, "pages/about", "id", 1), doc(settings, "pages/about", "en", 1)
        ),
    ]
    s, problems = site.assemble(settings, bundles, now=NOW)
    assert problems == []
    assert [d.bundle for d in s.releases["id"]] == ["press/b", "press/a"]
    assert [d.bundle for d in s.pages["en"]] == ["pages/about"]
    assert s.missing == ()


@pytest.mark.parametrize(
    ("fields", "public"),
    [
        ({"draft": True}, False),
        ({"embargo": NOW + timedelta(minutes=1)}, False),
        ({"embargo": NOW}, True),
        ({"expires": NOW}, False),
        ({"expires": NOW + timedelta(days=1)}, True),
    ],
    ids=["draft", "embargo-future", "embargo-lifted-now", "expired", "expires-later"],
)
def test_publishing_rules(settings: Settings, fields: dict, public: bool) -> None:
    held = bundle(
        settings,
        doc(settings, "press/held", "id", 2, tags=("secret-tag",), **fields),
        doc(settings, "press/held", "en", 2, tags=("secret-tag",), **fields),
    )
    other = bundle(
        settings, doc(settings, "press/other", "id", 1), doc(settings, "press/other", "en", 1)
    )
    s, _ = site.assemble(settings, [held, other], now=NOW)
    assert ("press/held" in s.bundles) is public
    assert any(d.bundle == "press/held" for d in s.releases["en"]) is public
    assert any(t.slug == "secret-tag" for t in s.tags["id"]) is public


def test_drafts_and_embargoes_in_preview(settings: Settings) -> None:
    draft = bundle(settings, doc(settings, "press/d", "id", 2, draft=True))
    held = bundle(settings, doc(settings, "press/e", "id", 3, embargo=NOW + timedelta(days=1)))
    s, _ = site.assemble(settings, [draft, held], now=NOW, include_drafts=True)
    assert set(s.bundles) == {"press/d"}
    s, _ = site.assemble(
        settings, [draft, held], now=NOW, include_drafts=True, include_embargoed=True
    )
    assert set(s.bundles) == {"press/d", "press/e"}


def test_missing_translations_are_listed(settings: Settings) -> None:
    only_id = bundle(settings, doc(settings, "press/a", "id", 1))
    s, _ = site.assemble(settings, [only_id], now=NOW)
    assert s.missing == (("press/a", "en"),)
    assert s.releases["en"] == ()


def test_embargoed_translation_counts_as_missing_without_trace(settings: Settings) -> None:
    b = bundle(
        settings,
        doc(settings, "press/a", "id", 1),
        doc(settings, "press/a", "en", 1, embargo=NOW + timedelta(hours=1)),
    )
    s, _ = site.assemble(settings, [b], now=NOW)
    assert set(s.bundles["press/a"].translations) == {"id"}


def test_tags_per_locale_group_by_slug(settings: Settings) -> None:
    b1 = bundle(
        settings,
        doc(settings, "press/a", "id", 1, tags=("Energi", "diplomasi")),
        doc(settings, "press/a", "en", 1, tags=("energy",)),
    )
    b2 = bundle(settings, doc(settings, "press/b", "id", 3, tags=("energi",)))
    s, _ = site.assemble(settings, [b1, b2], now=NOW)
    energi = next(t for t in s.tags["id"] if t.slug == "energi")
    assert [d.bundle for d in energi.releases] == ["press/b", "press/a"]
    assert energi.url == "/portal/id/tags/energi/"
    assert [t.slug for t in s.tags["en"]] == ["energy"]


def test_two_documents_on_one_url_are_both_named(settings: Settings) -> None:
    explicit = {"slug": 4}  # both slugs written in front matter
    a = bundle(settings, doc(settings, "press/2026-01-01-x", "id", 1, slug="same", lines=explicit))
    b = bundle(settings, doc(settings, "press/2026-01-02-x", "id", 2, slug="same", lines=explicit))
    _, problems = site.assemble(settings, [a, b], now=NOW)
    assert len(problems) == 1
    err = problems[0]
    assert isinstance(err, ContentError)
    text = err.format()
    assert "2026-01-01-x" in text and "2026-01-02-x" in text


def test_a_page_cannot_take_a_generated_url(settings: Settings) -> None:
    page = bundle(settings, doc(settings, "pages/tags", "id", 1, slug="tags"))
    _, problems = site.assemble(settings, [page], now=NOW)
    assert problems and "tags index" in problems[0].message


def test_namesakes_on_different_days_keep_distinct_urls(settings: Settings) -> None:
    def derived(bundle_id: str, day: int) -> Translation:
        return doc(settings, bundle_id, "en", day, slug=urls.bundle_slug(bundle_id.split("/")[1]))

    old = bundle(settings, derived("press/2026-01-02-visit", 2))
    new = bundle(settings, derived("press/2026-01-20-visit", 20))
    s, problems = site.assemble(settings, [new, old], now=NOW)
    assert problems == []
    assert s.bundles["press/2026-01-02-visit"].translations["en"].url == "/portal/en/press/visit/"
    assert (
        s.bundles["press/2026-01-20-visit"].translations["en"].url
        == "/portal/en/press/2026-01-20-visit/"
    )
