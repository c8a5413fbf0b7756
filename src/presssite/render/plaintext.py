"""A release as plain text, for its press kit's ``release.txt``.

A journalist pastes it into an editor: the title, the localized date, the lead, the body
with its paragraphs, list items and headings on their own lines and every external link's
URL after its text, then the source and the release's own URL. Labels come from the
same catalogs as the pages ("Source: %(link)s").
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Mapping
from html.parser import HTMLParser

from presssite import urls
from presssite.cache.store import digest
from presssite.content.store import body_key
from presssite.model import Translation
from presssite.render import i18n
from presssite.settings import Settings

_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "tr", "pre"}
_BLOCKS |= {"ul", "ol", "figure", "figcaption", "section", "hr"}
_SKIPPED = {"presssite-figure", "script", "style"}


class _Text(HTMLParser):
    """Collects a body's text; block ends become blank lines, external links keep URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str | None] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append(href if href.startswith(("http://", "https://")) else None)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        joined = "".join(self.parts)
        lines = [line.strip() for line in joined.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def body_text(body_html: str) -> str:
    """A rendered body as plain text (figures left out: the kit has the photos)."""
    parser = _Text()
    parser.feed(body_html)
    parser.close()
    return parser.text()


class ReleaseTexts:
    """``texts(doc)``: the release as plain text, ``body(doc)`` giving its body's HTML;
    ``texts.key(doc)``: a digest of all that text is made of, its body standing as
    its parse key in ``parse_keys`` (``content.store.body_key``), so that facts of the text (its
    size and hash, which its kit's page and cache name need) are kept by it
    (``cache.facts``) and the body is read only when the text changed.

    The catalogs are compiled once for all the releases.
    """

    def __init__(
        self,
        settings: Settings,
        body: Callable[[Translation], str],
        parse_keys: Mapping[tuple[str, str], str],
    ) -> None:
        self.settings, self.body, self.parse_keys = settings, body, parse_keys
        self.catalogs: Mapping[str, gettext.NullTranslations] = i18n.catalogs(settings)

    def __call__(self, doc: Translation) -> str:
        date = i18n.format_datetime(doc.date, doc.locale, self.settings.tz)
        return "\n\n".join(self._parts(doc, date, body_text(self.body(doc)))) + "\n"

    def key(self, doc: Translation) -> str:
        date = repr((doc.date, doc.locale, self.settings.tz))  # what the date is made of
        return digest("release.txt", self._parts(doc, date, "\0" + body_key(doc, self.parse_keys)))

    def _parts(self, doc: Translation, date: str, body: str) -> list[str]:
        """The text's paragraphs, ``date`` and ``body`` (theirs, or what stands for
        them) among them."""
        _ = self.catalogs[doc.locale].gettext
        parts = [doc.title, date]
        if doc.summary:
            parts.append(doc.summary)
        if body:
            parts.append(body)
        if doc.source is not None:
            link = f"{doc.source.name} ({doc.source.url})"
            parts.append(_("Source: %(link)s") % {"link": link})
        parts.append(urls.absolute(self.settings, doc.url))
        return parts
