"""Placeholders: the references of a body that only the assembled site can resolve.

The Markdown of a document is rendered once, in the content stage, before the site
knows any URL: a photo's URL depends on the image plan, a document's URL on the other
translation's slug. The body therefore carries placeholders, written by the functions
here (``markdown`` calls them) and read back by ``resolve`` alone, for the pages and
the feeds alike:

``<presssite-figure src="SRC" alt="ALT"></presssite-figure>``
    a paragraph holding only one bundle photo: a captioned figure. It replaces the ``<p>``.
``<img src="presssite:photo:SRC" alt="ALT">``
    any other bundle photo, inline.
``href="presssite:doc:BUNDLE_ID:LOCALE[#fragment]"``
    a link to ``index.<locale>.md`` of this or another bundle; ``BUNDLE_ID`` is the
    content-relative folder ("press/2025-01-02-other").
``href="presssite:file:SRC[?query][#fragment]"``
    a link to another file of the bundle (an attachment such as ``files/report.pdf``).

``SRC`` is the normalised bundle-relative POSIX path ("photos/02.jpg"), HTML-escaped.
What a placeholder means is decided here too: a document link goes to the asked
locale's translation, else the default locale's, else any published one
(``document``); a link to an unpublished document keeps its text only. What it becomes
(a relative or an absolute URL, a ``<figure>`` or an ``<img>``) is the caller's
``Resolver``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from typing import Protocol

from presssite.model import Bundle, Translation

PREFIX = "presssite:"


def _escape(text: str) -> str:
    """HTML-escaped as markdown-it escapes attributes (``&<>"``), so bodies stay as they were."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


# --------------------------------------------------------------------------- writing


def figure(src: str, alt: str) -> str:
    """The placeholder of a paragraph holding only a bundle photo (a block of its own)."""
    return f'<presssite-figure src="{_escape(src)}" alt="{_escape(alt)}"></presssite-figure>\n'


def photo(src: str) -> str:
    """The ``src`` of an inline bundle photo."""
    return f"{PREFIX}photo:{src}"


def file(src: str, suffix: str = "") -> str:
    """The ``href`` of a link to a file of the bundle (``suffix``: ``?query#fragment``)."""
    return f"{PREFIX}file:{src}{suffix}"


def doc(bundle_id: str, locale: str, fragment: str = "") -> str:
    """The ``href`` of a link to a translation (``fragment``: ``#...`` or "")."""
    return f"{PREFIX}doc:{bundle_id}:{locale}{fragment}"


# --------------------------------------------------------------------------- reading

_PATTERN = re.compile(
    r'(?P<p><p>\s*)?<presssite-figure src="(?P<fig_src>[^"]*)" alt="(?P<fig_alt>[^"]*)">'
    r"</presssite-figure>(?(p)\s*</p>)"
    r'|<a (?P<a_pre>[^>]*?)href="presssite:doc:(?P<a_doc>[^"]*)"(?P<a_post>[^>]*)>'
    r"(?P<a_text>.*?)</a>"
    r'|<img (?P<i_pre>[^>]*?)src="presssite:photo:(?P<i_src>[^"]*)"(?P<i_post>[^>]*)>'
    r'|presssite:(?P<kind>photo|file|doc):(?P<target>[^"\s<>]*)',
    re.DOTALL,
)
_DOC_TARGET = re.compile(r'presssite:doc:([^"\s<>]*)')


def has_placeholders(body: str) -> bool:
    return PREFIX in body or "<presssite-" in body


def doc_targets(body: str) -> tuple[str, ...]:
    """The ``BUNDLE:LOCALE[#fragment]`` targets of a body's document links, once each."""
    if PREFIX not in body:
        return ()
    return tuple(dict.fromkeys(_DOC_TARGET.findall(body)))


def split_target(target: str) -> tuple[str, str, str]:
    """(bundle id, locale, "#fragment" or "") of an (escaped) document target."""
    ref, hash_, fragment = html.unescape(target).partition("#")
    bundle_id, _, locale = ref.rpartition(":")
    return (bundle_id or ref), locale, hash_ + fragment


def document(
    bundles: Mapping[str, Bundle] | Callable[[str], Bundle | None],
    default_locale: str,
    bundle_id: str,
    locale: str,
) -> Translation | None:
    """The translation a document link points to: the asked locale, else the default
    locale, else any; None when the bundle has nothing published.

    ``bundles`` is the site's, or a function giving one bundle (a render records which
    bundles it read that way).
    """
    bundle = bundles(bundle_id) if callable(bundles) else bundles.get(bundle_id)
    if bundle is None or not bundle.translations:
        return None
    return (
        bundle.translations.get(locale)
        or bundle.translations.get(default_locale)
        or next(iter(bundle.translations.values()))
    )


class Resolver(Protocol):
    """What the placeholders of one body become on one output (a page, a feed entry)."""

    def figure(self, src: str, alt: str, number: int) -> str:
        """The HTML of a figure placeholder; ``number`` counts figures from 1."""
        ...

    def photo(self, src: str) -> str | None:
        """The URL of an inline photo; None drops its ``<img>``."""
        ...

    def file(self, target: str) -> str:
        """The URL of a bundle file (``SRC[?query][#fragment]``)."""
        ...

    def doc(self, found: Translation, fragment: str) -> str:
        """The URL of a published translation a link points to (``document``)."""
        ...

    def missing(self) -> str:
        """A bare document reference (raw HTML) to a document with nothing published."""
        ...


def resolve(
    body: str,
    resolver: Resolver,
    documents: Callable[[str, str], Translation | None],
) -> tuple[str, int]:
    """Replace every placeholder of ``body`` in one pass; (new body, figures placed).

    ``documents(bundle_id, locale)`` finds a link's translation (``document`` over the
    site's bundles). Replaced values are HTML-escaped here, so a resolver returns plain
    URLs (but a figure's HTML). A link to a document with nothing published keeps its
    text and loses the link, so nothing hidden is revealed.
    """
    if not has_placeholders(body):
        return body, 0  # nothing to replace: skip the costly pattern
    figures = 0

    def doc_url(target: str) -> str | None:
        bundle_id, locale, fragment = split_target(target)
        found = documents(bundle_id, locale)
        return None if found is None else _escape(resolver.doc(found, fragment))

    def replace(match: re.Match[str]) -> str:
        nonlocal figures
        if match.group("fig_src") is not None:
            figures += 1
            src, alt = html.unescape(match.group("fig_src")), html.unescape(match.group("fig_alt"))
            return resolver.figure(src, alt, figures)
        if match.group("a_doc") is not None:
            url = doc_url(match.group("a_doc"))
            if url is None:
                return match.group("a_text")
            pre, post, text = match.group("a_pre", "a_post", "a_text")
            return f'<a {pre}href="{url}"{post}>{text}</a>'
        if match.group("i_src") is not None:
            found = resolver.photo(html.unescape(match.group("i_src")))
            if found is None:
                return ""
            pre, post = match.group("i_pre", "i_post")
            return f'<img {pre}src="{_escape(found)}"{post}>'
        kind, target = match.group("kind"), match.group("target")
        if kind == "photo":
            found = resolver.photo(html.unescape(target))
            return _escape(found) if found is not None else ""
        if kind == "file":
            return _escape(resolver.file(html.unescape(target)))
        return doc_url(target) or _escape(resolver.missing())

    return _PATTERN.sub(replace, body), figures
