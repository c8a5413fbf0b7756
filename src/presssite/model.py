"""The site model: frozen dataclasses, no I/O.

Data flows one way: ``content`` makes ``Translation``s and ``Bundle``s, ``site``
assembles them into a ``Site``, ``images.plan`` turns the site's photos into
``PhotoImage``s (URLs and sizes known before any pixel is touched), and the render
and output stages turn all of it into files. A translation's identity is its bundle
plus its locale; the bundle is the one map that links translations.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from presssite.settings import Contact, Settings

PAGES_SECTION = "pages"  # bundles in content/pages/ are static pages, not releases

C = TypeVar("C", bound=type)


def pickled_by_fields(cls: C) -> C:
    """A slotted dataclass pickled as a call of its constructor with its fields.

    Pickled as it is, such a dataclass goes through ``dataclasses``' own state methods,
    which look its fields up for every object: the tens of thousands of bodies, page
    jobs and rendered pages a large site's build sends between processes and keeps in
    its cache took about four times as long to pickle and unpickle as they do now.
    """
    names = [f.name for f in dataclasses.fields(cls)]
    get, one = operator.attrgetter(*names), len(names) == 1

    def reduce(self: Any) -> tuple[Any, tuple[Any, ...]]:
        return (cls, (get(self),) if one else get(self))

    setattr(cls, "__reduce__", reduce)  # noqa: B010 - mypy refuses to assign a method
    return cls


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class StoredBody:
    """A translation's body kept out of the model, in the build cache (``cache.packs``):
    what a translation carries in place of its text when it travels through a build.

    Only ``content.store.Bodies.get`` reads the text. Used as text anywhere else (a
    template printing it, a string operation, ``own_body``) it fails loudly: a reader
    that forgets to fetch a body stops the build instead of publishing an empty one.
    """

    where: Any  # the pack, offset and length (``cache.packs.BodyRef``)

    def __str__(self) -> str:
        raise TypeError("a body kept in the build cache: read it through content.store.Bodies")

    __html__ = __str__  # what a template's autoescape calls


def own_body(doc: Translation) -> str:
    """The body ``doc`` carries (a freshly parsed document's, or one ``Bodies.full``
    gave back); a body kept in the build cache is an error here, not an empty text."""
    body = doc.body_html
    if isinstance(body, StoredBody):
        raise TypeError(f"{doc.path}: its body is in the build cache; read it through Bodies")
    return body


@dataclass(frozen=True)
class Source:
    """Where a release was first published: the source-attribution footer."""

    name: str  # e.g. "Báo Quốc tế"
    url: str  # absolute URL of the original


@dataclass(frozen=True)
class Photo:
    """One gallery entry (or an inline photo) of a bundle."""

    src: str  # as written in front matter, bundle-relative POSIX path ("photos/01.jpg")
    path: Path  # the resolved file inside the bundle folder
    caption: str = ""  # "" when front matter gave none
    credit: str = ""  # photographer or agency, shown as "Photo: <credit>"
    decorative: bool = False  # true only when the photo carries no information (alt="")
    line: int | None = None  # line of the entry in its Markdown file
    in_gallery: bool = True  # false for a photo used only inline in the body

    @property
    def alt(self) -> str:
        """Text alternative: the caption, empty only for a decorative photo."""
        return "" if self.decorative else self.caption


@dataclass(frozen=True)
class Reference:
    """A link or image written in a document's body, kept to check and rewrite it."""

    target: str  # as written ("../other/index.en.md", "photos/02.jpg", "/id/tags/x/")
    line: int  # 1-based line in the Markdown file
    kind: str  # "doc", "photo", "file" (bundle-relative) or "url" (site-absolute path)


@dataclass(frozen=True)
class Translation:
    """One document in one locale: an ``index.<locale>.md`` file, parsed."""

    bundle: str  # bundle id: content-relative POSIX path of its folder ("press/2025-11-06-x")
    section: str  # first path part of the bundle ("press", "pages", ...)
    locale: str  # e.g. "id"
    path: Path  # the Markdown file
    title: str
    date: datetime  # timezone-aware
    slug: str  # URL slug, from front matter or the bundle folder name
    url: str  # site path with the base path, ends with "/" ("/portal/id/press/x/")
    summary: str = ""
    tags: tuple[str, ...] = ()  # as written, in order
    draft: bool = False
    embargo: datetime | None = None  # not published before this instant
    updated: datetime | None = None  # shown as "Updated", drives dateModified
    expires: datetime | None = None  # taken down after this instant
    contact: Contact | None = None
    source: Source | None = None
    photos: tuple[Photo, ...] = ()  # the gallery, in order (inline-only photos too, last)
    # rendered Markdown (see ``content.placeholders`` for its placeholders), or where
    # the build cache keeps it; ``content.store.Bodies.get`` gives the text either way
    body_html: str | StoredBody = ""
    references: tuple[Reference, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict)  # front-matter key -> line
    digest: str = ""  # hash of the file's bytes, for caches
    extra: Mapping[str, Any] = field(default_factory=dict)  # front matter "extra:", for templates

    @property
    def is_page(self) -> bool:
        return self.section == PAGES_SECTION

    @property
    def last_changed(self) -> datetime:
        """When the translation last changed: ``updated:``, else its date (feeds,
        sitemaps, structured data and the translation status all go by it)."""
        return self.updated or self.date

    @property
    def gallery(self) -> tuple[Photo, ...]:
        return tuple(p for p in self.photos if p.in_gallery)

    @property
    def lead_photo(self) -> Photo | None:
        gallery = self.gallery
        return gallery[0] if gallery else None

    def photo(self, src: str) -> Photo | None:
        for p in self.photos:
            if p.src == src:
                return p
        return None


@dataclass(frozen=True)
class Bundle:
    """A folder under content/: the translations of one document, by locale."""

    id: str  # content-relative POSIX path ("press/2025-11-06-x")
    section: str
    dir: Path
    translations: Mapping[str, Translation]  # locale -> translation (published ones only)


@dataclass(frozen=True)
class Alternate:
    """One entry of a page's locale switcher."""

    locale: str
    url: str  # the translation's URL, or that locale's home when it is missing
    exists: bool  # false: the translation is missing and url is the home page
    current: bool  # this is the page being shown


@dataclass(frozen=True)
class Tag:
    """A tag in one locale, with its releases newest first."""

    name: str  # as written
    slug: str
    locale: str
    url: str
    releases: tuple[Translation, ...]


@dataclass(frozen=True)
class ListPage:
    """One page of a paginated list (a home, section or tag page): ``site.paging``."""

    locale: str
    number: int  # in the URL: counted from the oldest releases (1), 0 on the front page
    front: bool  # the list's first page, with its newest releases
    url: str
    items: tuple[Translation, ...]
    prev_url: str | None  # newer releases
    next_url: str | None  # older releases


@dataclass(frozen=True)
class Site:
    """The assembled, published site: what is visible at the build's instant."""

    settings: Settings
    now: datetime  # the build clock (aware)
    bundles: Mapping[str, Bundle]  # id -> bundle with its published translations
    releases: Mapping[str, tuple[Translation, ...]]  # locale -> releases, newest first
    pages: Mapping[str, tuple[Translation, ...]]  # locale -> static pages (section "pages")
    tags: Mapping[str, tuple[Tag, ...]]  # locale -> tags by name
    missing: tuple[tuple[str, str], ...]  # (bundle id, locale) of missing translations
    include_drafts: bool = False
    # locale -> section -> its releases, newest first; every section in every locale, in
    # the sections' order (``site.sections``)
    sections: Mapping[str, Mapping[str, tuple[Translation, ...]]] = field(default_factory=dict)

    def translations(self) -> list[Translation]:
        """Every published translation, in bundle order then locale order."""
        out = []
        for bundle in self.bundles.values():
            for loc in self.settings.locales:
                if loc in bundle.translations:
                    out.append(bundle.translations[loc])
        return out

    def translation_of(self, doc: Translation, locale: str) -> Translation | None:
        return self.bundles[doc.bundle].translations.get(locale)


@dataclass(frozen=True)
class Variant:
    """One image file the build publishes: a thumbnail size in one format, or a copy."""

    url: str  # site path with the base path
    output: str  # output-relative POSIX path
    width: int
    height: int
    format: str  # "jpeg", "webp", "avif", "png", "gif"

    @property
    def mime(self) -> str:
        return f"image/{self.format}"


@dataclass(frozen=True)
class Download:
    """A photo's full-size JPEG with its caption and credit inside, for one page's locale."""

    url: str  # site path with the base path
    output: str  # output-relative POSIX path
    width: int
    height: int
    size: int  # bytes, known before the file is made (``images.downloads``)


@dataclass(frozen=True)
class PressKit:
    """A release's ZIP in one locale: its full-size photos, captions.txt, the release as text."""

    url: str
    output: str
    size: int  # bytes, known before the file is made (``images.presskit``)


@dataclass(frozen=True)
class PhotoImage:
    """What a template needs to show one photo on one page."""

    photo: Photo
    width: int  # intrinsic size of the largest variant (for width/height attributes)
    height: int
    variants: tuple[Variant, ...]  # every format and width
    fallback: Variant  # the <img src>: a widely supported format
    large: Variant  # the lightbox / no-JS link target
    social: Variant | None = None  # about 1200 px wide, for og:image
    download: Download | None = None  # the full-size JPEG with caption and credit inside

    def by_format(self) -> list[tuple[str, tuple[Variant, ...]]]:
        """(format, variants by ascending width) in the order the formats were planned."""
        order: list[str] = []
        for v in self.variants:
            if v.format not in order:
                order.append(v.format)
        return [
            (
                fmt,
                tuple(sorted((v for v in self.variants if v.format == fmt), key=lambda v: v.width)),
            )
            for fmt in order
        ]

    def srcset(self, fmt: str) -> str:
        return ", ".join(
            f"{v.url} {v.width}w"
            for v in sorted(self.variants, key=lambda v: v.width)
            if v.format == fmt
        )


@dataclass(frozen=True)
class OutputFile:
    """A file to publish: bytes made by the build, or a file to link or copy."""

    path: str  # output-relative POSIX path
    data: bytes | None = None
    source: Path | None = None  # linked (or copied) when data is None
