"""Factories for the model: settings, translations, a site as ``assemble`` makes it, and
the front matter of a release written into a fixture site.

Unit tests of one stage start from these rather than from a site on disk; every test builds
its settings and its site the same way, so a change to ``Settings`` or to how a site is
assembled (its order, its tags) reaches every test at once. Import them with
``from factories import make_settings, make_translation, assemble_site, release``.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from presssite import settings as settings_
from presssite import urls
from presssite.model import Bundle, Site, Translation
from presssite.settings import Settings
from presssite.site.assemble import assemble

# The settings of every fixture site: what ``conftest.make_site`` writes to presssite.toml.
DEFAULT_SETTINGS = """\
title = { id = "Portal Uji", en = "Test Portal" }
base_url = "https://example.org/portal/"
default_locale = "id"
locales = ["id", "en"]
timezone = "Asia/Jakarta"
"""

RELEASE_DATE = "2026-01-10T09:30:00+07:00"


def make_settings(root: Path, **overrides: Any) -> Settings:
    """The settings of a site in ``root``: ``DEFAULT_SETTINGS`` with ``overrides``.

    An override of None removes the key (the setting's own default applies). Locales
    given without a default locale make the first one the default.
    """
    data: dict[str, Any] = tomllib.loads(DEFAULT_SETTINGS)
    if "locales" in overrides and "default_locale" not in overrides:
        data["default_locale"] = list(overrides["locales"])[0]
    data.update(overrides)
    data = {key: value for key, value in data.items() if value is not None}
    return settings_.parse(data, root=root, source=root / "presssite.toml")


def make_translation(
    settings: Settings, bundle: str, locale: str, *, date: datetime, **fields: Any
) -> Translation:
    """The translation in ``locale`` of the bundle ``bundle`` ("press/2025-11-08-summit").

    Its section, slug, file and URL follow from the bundle as the content stage derives
    them; ``fields`` sets any other field of ``Translation`` (``slug`` included).
    """
    section, _, folder = bundle.partition("/")
    slug = fields.pop("slug", urls.bundle_slug(folder))
    values: dict[str, Any] = {"title": f"{folder} ({locale})", **fields}
    return Translation(
        bundle=bundle,
        section=section,
        locale=locale,
        path=settings.content_dir / bundle / f"index.{locale}.md",
        date=date,
        slug=slug,
        url=urls.document(settings, locale, section, slug),
        **values,
    )


def bundles_of(settings: Settings, docs: Iterable[Translation]) -> list[Bundle]:
    """``docs`` grouped into their bundles, as the content stage loads them."""
    grouped: dict[str, dict[str, Translation]] = {}
    for doc in docs:
        grouped.setdefault(doc.bundle, {})[doc.locale] = doc
    return [
        Bundle(
            id=bundle_id,
            section=bundle_id.split("/")[0],
            dir=settings.content_dir / bundle_id,
            translations=translations,
        )
        for bundle_id, translations in grouped.items()
    ]


def assemble_site(
    settings: Settings,
    docs: Iterable[Translation],
    *,
    now: datetime,
    include_drafts: bool = False,
    preview: bool = False,
) -> Site:
    """The site ``site.assemble`` makes of ``docs``: published, linked, sorted, tagged.

    ``include_drafts`` and ``preview`` keep drafts and embargoed releases, as the build's
    flags of those names do. Fails the test when ``assemble`` reports a problem (a test of
    those calls it itself).
    """
    bundles = bundles_of(settings, docs)
    site, problems = assemble(
        settings, bundles, now=now, include_drafts=include_drafts, include_embargoed=preview
    )
    assert problems == [], problems
    return site


def release(
    title: str, date: str = RELEASE_DATE, body: str = "Isi siaran pers.", **extra: str
) -> str:
    """An ``index.<locale>.md``: front matter with ``title``, ``date`` and ``extra`` keys
    (values written as YAML), then ``body``."""
    lines = ["---", f"title: {json.dumps(title)}", f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    return "\n".join([*lines, "---", "", body, ""])
