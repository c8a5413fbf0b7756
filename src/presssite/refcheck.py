"""Reference checking: every internal link and image of the rendered pages must resolve.

After rendering, and before anything is written, each page's ``href``, ``src`` and
``srcset`` values (and the ``og:image``, ``og:url`` and ``twitter:image`` of its head)
that point into the site are resolved to output files and looked up in
the set of files the build will publish: pages, images, static files, attachments,
feeds. One regex pass over each page's bytes keeps this fast for thousands of pages.

A broken reference that comes from a document's body is reported against its Markdown
file and line: the body's references (``Translation.references``) are matched by the
target as written. Anything else comes from a template, and is reported once per
target with the first page it was found on and how many pages share it.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin

from . import urls
from .errors import ContentError, PresssiteError, TemplateError
from .model import OutputFile, Reference, Site, Translation
from .settings import Settings

_ATTR = re.compile(rb"""\s(href|src|srcset)\s*=\s*"([^"]*)\"""")
# Link-preview URLs: <meta property="og:image" content="...">, og:url, twitter:image.
_META = re.compile(
    rb"""<meta\s+(?:property|name)="((?:og|twitter):(?:url|image))"\s+content="([^"]*)\""""
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
NOT_PUBLISHED = "not published"  # under the base path, but no such output file
OUTSIDE = "outside the base path"  # a site-absolute path that misses the base path


@dataclass(frozen=True)
class BrokenReference:
    """An internal link or image that no published file answers."""

    url: str  # the URL as the page has it ("/portal/en/press/nope/")
    page: str  # output path of the (first) page that has it
    reason: str  # NOT_PUBLISHED or OUTSIDE
    source: Path | None = None  # the Markdown file, when the reference is in a body
    line: int | None = None  # its line there
    pages: int = 1  # how many pages have it (a template reference is on many)

    def error(self, settings: Settings) -> PresssiteError:
        """The reference as an error naming where to fix it."""
        if self.reason == OUTSIDE:
            hint = f"site paths start with the base path {settings.base_path}"
            what = f"link to {self.url} is outside the site's base path {settings.base_path}"
        else:
            hint = "check the spelling; drafts, embargoed and expired releases are not published"
            what = f"link to {self.url}: the build publishes no such page or file"
        if self.source is not None:
            return ContentError(what, path=self.source, line=self.line, hint=hint)
        more = f" (and {self.pages - 1} more page{'s' if self.pages > 2 else ''})"
        return TemplateError(
            f"{what}, on {self.page}{more if self.pages > 1 else ''}",
            hint=hint + "; the link comes from a template (the site's templates/ or the theme)",
        )


def check(
    site: Site, pages: Sequence[OutputFile], published: Collection[str]
) -> list[BrokenReference]:
    """The broken internal references of ``pages`` (rendered HTML) against ``published``.

    ``published`` holds the output-relative paths of every file the build will write.
    """
    settings = site.settings
    docs = {urls.output_path(settings, d.url): d for d in site.translations()}
    found: list[BrokenReference] = []
    from_templates: dict[str, BrokenReference] = {}
    for page in pages:
        if page.data is None or not page.path.endswith(".html"):
            continue
        broken = list(_broken_in(settings, page, published))
        doc = docs.get(page.path)
        for url, reason in broken:
            refs = _matching(doc, url, settings) if doc is not None else []
            if refs:
                assert doc is not None
                found.extend(
                    BrokenReference(url, page.path, reason, source=doc.path, line=ref.line)
                    for ref in refs
                )
                continue
            seen = from_templates.get(url)
            if seen is None:
                from_templates[url] = BrokenReference(url, page.path, reason)
            else:
                from_templates[url] = BrokenReference(url, seen.page, reason, pages=seen.pages + 1)
    unique = list(dict.fromkeys(found))
    return [*unique, *from_templates.values()]


def _broken_in(
    settings: Settings, page: OutputFile, published: Collection[str]
) -> Iterable[tuple[str, str]]:
    """(url, reason) of each broken reference of one page, once per distinct url."""
    assert page.data is not None
    page_url = urls.url_for_output(settings, page.path.removesuffix("index.html"))
    seen: set[str] = set()
    for match in (*_ATTR.finditer(page.data), *_META.finditer(page.data)):
        attr = match.group(1)
        value = html.unescape(match.group(2).decode("utf-8", "replace")).strip()
        candidates = (
            [part.split()[0] for part in value.split(",") if part.strip()]
            if attr == b"srcset"
            else [value]
        )
        for url in candidates:
            if url in seen:
                continue
            seen.add(url)
            reason = _resolve(settings, url, page_url, published)
            if reason is not None:
                yield url, reason


def _resolve(settings: Settings, url: str, page_url: str, published: Collection[str]) -> str | None:
    """None when ``url`` is external or resolves to a published file, else the reason."""
    if not url or url.startswith("#"):
        return None
    if url.startswith(settings.base_url):
        url = settings.base_path + url[len(settings.base_url) :]
    elif url.startswith("//") or _SCHEME.match(url):
        return None  # another site, mailto:, tel:, data:
    elif not url.startswith("/"):
        url = urljoin(page_url, url)
    path = unquote(url.split("#", 1)[0].split("?", 1)[0])
    base = settings.base_path
    if not path.startswith(base):
        return OUTSIDE
    rel = path[len(base) :]
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    if rel in published or f"{rel}/index.html" in published:
        return None
    return NOT_PUBLISHED


def _matching(doc: Translation, url: str, settings: Settings) -> list[Reference]:
    """The body references of ``doc`` that became ``url`` in its page.

    Targets are compared without fragment and percent-encoding, since markdown-it
    encodes what the author wrote literally (and ``markup`` records it decoded).
    """
    wanted = unquote(url.split("#", 1)[0])
    out = []
    for ref in doc.references:
        target = unquote(ref.target.split("#", 1)[0])
        if ref.kind == "url":
            candidate = target
        elif ref.kind in ("photo", "file"):
            candidate = doc.url + posixpath.normpath(target.split("?", 1)[0])
        else:
            continue
        if wanted in (candidate, candidate.split("?", 1)[0]):
            out.append(ref)
    return out
