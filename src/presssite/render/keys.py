"""Page keys: what makes each page what it is, hashed, so unchanged pages are not rendered.

A build renders a page only when its key is new; a key must therefore change whenever
anything the page's template is given changes. ``PageKeys`` derives the keys from the
same values the renderer uses (and the pure helpers both share are here).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from presssite import urls
from presssite.cache.store import digest
from presssite.model import PhotoImage, Site, Tag, Translation
from presssite.render import context as pages

DOC_LINK = re.compile(r'presssite:doc:([^"\s<>]*)')


class _Images(Protocol):
    def for_page(self, doc: Translation) -> Mapping[str, PhotoImage]: ...


class PageKeys:
    """The key of every page: a hash of everything its template is given.

    ``base`` covers what all pages share (settings, catalogs, presssite's code and library
    versions, build flags: the build computes it); ``templates`` holds, for each kind of
    page, a hash of the templates its pages are rendered with (``templating.
    template_keys``; without it, ``base`` must cover the templates). ``docs`` holds each
    translation's parse key, which covers its Markdown file, its bundle's other files and
    the settings of a parse. The rest is read from the site the way the renderer uses it:
    a document's URL and slug (assembly may change them), its translations' URLs, its
    tags' names and URLs, its planned photos, the URLs its body links to and its stale
    and preview notices; for a list page, its number, the number of pages, and each
    item's key and lead photo; for a tag, also how many releases it has.

    Deliberately left out: the other releases of a release page's tags (the theme shows a
    tag's name and link there, so adding a release to a tag re-renders only the lists).
    A site template that lists them on release pages needs a build without the cache.
    """

    def __init__(
        self,
        site: Site,
        images: _Images,
        *,
        base: str,
        templates: Mapping[str, str] | None = None,
        docs: Mapping[tuple[str, str], str] | None = None,
        doc_links: Mapping[tuple[str, str], tuple[str, ...]] | None = None,
        preview: bool = False,
        stale: Mapping[tuple[str, str], str] | None = None,
    ) -> None:
        self.site = site
        self.images = images
        self.base = base
        self.templates = templates or {}
        self.docs = docs or {}
        self.doc_links = doc_links
        self.preview = preview
        self.stale = stale or {}
        self._doc_keys: dict[tuple[str, str], str] = {}
        self._locales: dict[str, str] = {}
        self._heads: dict[tuple[str, str], str] = {}
        self._tags: dict[str, dict[str, Tag]] = {}
        self._tag_names: dict[str, dict[str, Tag]] = {}

    def key(self, job: Any) -> str:
        site, loc, size = self.site, job.locale, self.site.settings.page_size
        head = self._heads.get((loc, job.kind))
        if head is None:
            head = digest(self.locale_key(loc), self.templates.get(job.kind, ""))
            self._heads[(loc, job.kind)] = head
        if job.kind in ("root", "404"):
            return digest(head, job.kind)
        if job.kind == "home":
            (number,) = job.ref
            releases = site.releases.get(loc, ())
            return digest(head, "home", *self.list_items(releases, number, size))
        tags = site.tags.get(loc, ())
        if job.kind == "tags":
            return digest(
                head, "tags", tuple((t.name, t.slug, t.url, len(t.releases)) for t in tags)
            )
        if job.kind == "tag":
            slug, number = job.ref
            if loc not in self._tags:
                self._tags[loc] = {t.slug: t for t in tags}
            tag = self._tags[loc][slug]
            items = self.list_items(tag.releases, number, size)
            return digest(head, "tag", tag.name, tag.slug, tag.url, len(tag.releases), *items)
        (bundle_id,) = job.ref
        return digest(head, job.kind, self.document(site.bundles[bundle_id].translations[loc]))

    def locale_key(self, loc: str) -> str:
        if loc not in self._locales:
            nav = tuple(self.doc_key(d) for d in self.site.pages.get(loc, ()))
            self._locales[loc] = digest(self.base, loc, nav, self.preview)
        return self._locales[loc]

    def doc_key(self, doc: Translation) -> str:
        """A translation's own key: its parse key (else its whole value), URL and slug."""
        where = (doc.bundle, doc.locale)
        found = self._doc_keys.get(where)
        if found is None:
            parsed = self.docs.get(where) or digest(repr(doc))
            found = self._doc_keys[where] = digest(parsed, doc.url, doc.slug)
        return found

    def list_items(
        self, items: Sequence[Translation], number: int, size: int
    ) -> tuple[int, int, tuple[tuple[str, str], ...]]:
        chunk = items[(number - 1) * size : number * size]
        total = page_count(len(items), size)
        out = []
        for doc in chunk:
            lead = doc.lead_photo
            image = self.images.for_page(doc).get(lead.src) if lead is not None else None
            out.append((self.doc_key(doc), repr(image)))
        return number, total, tuple(out)

    def document(self, doc: Translation) -> tuple[Any, ...]:
        site = self.site
        bundle = site.bundles[doc.bundle]
        if doc.locale not in self._tag_names:
            self._tag_names[doc.locale] = tags_by_name(site.tags.get(doc.locale, ()))
        tags = doc_tags(doc, self._tag_names[doc.locale])
        crops_for_page = getattr(self.images, "crops_for_page", None)
        notice = None
        if self.preview:
            found = pages.preview_notice(doc, site.now, "")
            notice = found.kind if found is not None else None
        return (
            self.doc_key(doc),
            tuple((loc, t.url) for loc, t in bundle.translations.items()),
            self.stale.get((doc.bundle, doc.locale)),
            tuple((t.name, t.slug, t.url) for t in tags),
            repr(sorted(self.images.for_page(doc).items())),
            repr(crops_for_page(doc)) if crops_for_page is not None else "",
            repr(getattr(self.images, "kit_for_page", lambda _doc: None)(doc)),
            notice,
            tuple(self.resolve(target) for target in self.links_of(doc)),
        )

    def links_of(self, doc: Translation) -> tuple[str, ...]:
        if self.doc_links is not None:
            return self.doc_links.get((doc.bundle, doc.locale), ())
        return tuple(DOC_LINK.findall(doc.body_html))

    def resolve(self, target: str) -> str | None:
        """The URL a ``presssite:doc:`` target of a body becomes (as ``pages`` resolves it)."""
        ref = html.unescape(target).partition("#")[0]
        bundle_id, _, locale = ref.rpartition(":")
        s = self.site.settings
        found = pages.resolve_document(
            self.site.bundles, s.default_locale, bundle_id or ref, locale
        )
        return found.url if found is not None else None


def page_count(count: int, page_size: int) -> int:
    """How many pages a list of ``count`` items takes (an empty list still has one)."""
    return max(1, -(-count // page_size))


def doc_tags(doc: Translation, tags: Mapping[str, Tag]) -> list[Tag]:
    """The tags of a document, from its locale's ``tags_by_name``."""
    found = (tags.get(name) or tags.get(urls.slugify(name)) for name in doc.tags)
    return [tag for tag in found if tag is not None]


def tags_by_name(tags: tuple[Tag, ...]) -> dict[str, Tag]:
    """Tags of a locale by name as written, and by slug for differently cased spellings."""
    by_name: dict[str, Tag] = {}
    for tag in tags:
        by_name.setdefault(tag.name, tag)
    for tag in tags:
        by_name.setdefault(urls.slugify(tag.name), tag)
    return by_name
