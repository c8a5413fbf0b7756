"""Markdown bodies: one configured markdown-it-py, and the references a body makes.

The parser is CommonMark plus tables, strikethrough and footnotes. Raw HTML is
escaped (shown as text) unless ``[markdown] unsafe_html = true``, as Hugo does by
default. Headings get ``id``s (ASCII slugs, like URL slugs) so ``#fragment`` links work.

Local references cannot become final URLs here: a photo's URL depends on the image
plan, a document's URL on the other translation's slug. The body therefore carries
placeholders that the render stage replaces:

``<presssite-figure src="SRC" alt="ALT"></presssite-figure>``
    a paragraph holding only one bundle photo: a captioned figure (caption and credit
    come from the gallery entry of the same ``src``). It replaces the ``<p>``.
``<img src="presssite:photo:SRC" alt="ALT">``
    any other bundle photo, inline.
``href="presssite:doc:BUNDLE_ID:LOCALE[#fragment]"``
    a link to ``index.<locale>.md`` of this or another bundle; ``BUNDLE_ID`` is the
    content-relative folder ("press/2025-01-02-other").
``href="presssite:file:SRC[?query][#fragment]"``
    a link to another file of the bundle (an attachment such as ``files/report.pdf``).

``SRC`` is always the normalised bundle-relative POSIX path ("photos/02.jpg"),
HTML-escaped in the attribute. URLs with a scheme, ``//host`` URLs and ``#fragment``
links are left alone; site-absolute paths ("/id/tags/x/") are left alone but recorded
so a later stage can check them. Every local reference is recorded with its 1-based
line in the file, and every broken one becomes a ``ContentError`` (all of them, not
only the first).
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from slugify import slugify

from presssite.errors import ContentError
from presssite.model import Reference
from presssite.settings import Settings

TRANSLATION_FILE = re.compile(r"^index\.([^./\\]+)\.md$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# First segments of the site paths presssite writes, besides the locales.
_SITE_ROOTS = frozenset({"static", "sitemap.xml", "robots.txt", "404.html", "favicon.ico"})


@dataclass(frozen=True)
class Rendered:
    """A rendered body: HTML with placeholders, what it references, what went wrong."""

    html: str
    references: tuple[Reference, ...]  # every local reference, in document order
    images: tuple[tuple[str, str, int], ...]  # (bundle-relative src, alt, line) of photos
    errors: tuple[ContentError, ...] = ()


@lru_cache(maxsize=1 << 12)
def _heading_slug(text: str) -> str:
    """Memoised: releases share headings ("Key results"), and python-slugify is slow."""
    return slugify(text, max_length=80, word_boundary=True, save_order=True) or "section"


# Rules that cannot match a body without one of their characters: a table needs a "|"
# in its header line, strikethrough "~~", a footnote "[^" or "^[", a fence ``` or ~~~, a
# block quote ">", a link reference definition "[". Most press releases have few of these,
# and trying the rules at every line and delimiter costs a quarter of a parse.
_TRIGGERED_RULES = (
    ("|", ("table",)),
    ("~", ("strikethrough",)),
    ("^", ("footnote_def", "footnote_inline", "footnote_ref", "footnote_tail")),
    ("`~", ("fence",)),
    (">", ("blockquote",)),
    ("[", ("reference",)),
)


@lru_cache(maxsize=4)
def parser(unsafe_html: bool) -> MarkdownIt:
    """The configured parser, built once per setting: building one costs far more than
    parsing a press release, and a build parses thousands."""
    md = _build(unsafe_html)
    _quiet_rule_logs()
    return md


def parser_for(text: str, unsafe_html: bool) -> MarkdownIt:
    """``parser(unsafe_html)`` without the rules ``text`` cannot trigger: the same tokens
    and HTML, sooner."""
    absent = tuple(not any(c in text for c in chars) for chars, _ in _TRIGGERED_RULES)
    return _without(unsafe_html, absent)


@lru_cache(maxsize=2 << len(_TRIGGERED_RULES))  # 2 settings x every subset of the rules
def _without(unsafe_html: bool, absent: tuple[bool, ...]) -> MarkdownIt:
    full = parser(unsafe_html)
    if not any(absent):
        return full
    md = _build(unsafe_html)
    pairs = zip(absent, _TRIGGERED_RULES, strict=True)
    md.disable([name for off, (_, names) in pairs if off for name in names])
    return md


def _build(unsafe_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": unsafe_html, "xhtmlOut": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=_heading_slug)
    md.core.ruler.at("normalize", _normalize)
    return md


def _normalize(state: StateCore) -> None:
    """markdown-it's first rule (CR and CRLF become LF, NUL becomes U+FFFD), without its
    two regex passes over every body: a body rarely holds either."""
    src = state.src
    if "\r" in src:
        src = src.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in src:
        src = src.replace("\0", "\ufffd")
    state.src = src


def _quiet_rule_logs() -> None:
    """Skip the debug line markdown-it's block rules log on entering, unless it is shown.

    Each rule logs one as it is tried, some 130 per press release, and the call costs
    several percent of a parse even when the line is dropped. Only loggers that would
    drop it anyway (debug logging off when the parser is made) are quieted; a parser
    made with debug logging on has them log again.
    """
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if name.startswith("markdown_it.") and isinstance(logger, logging.Logger):
            if logger.isEnabledFor(logging.DEBUG):
                logger.__dict__.pop("debug", None)
            else:
                logger.debug = _drop  # type: ignore[method-assign]


def _drop(*_args: Any, **_kwargs: Any) -> None:
    return None


def bundle_relative(target: str) -> str | None:
    """The normalised bundle-relative POSIX path of a relative reference.

    ``None`` when it leaves the bundle folder ("../x", "/etc/passwd") or names the
    folder itself. Backslashes count as separators, as a Windows editor writes them.
    """
    target = target.replace("\\", "/")
    if target.startswith("/"):
        return None
    norm = posixpath.normpath(target)
    if norm == "." or norm == ".." or norm.startswith("../"):
        return None
    return norm


def render(
    text: str,
    *,
    path: Path,
    bundle_dir: Path,
    content_dir: Path,
    body_line: int,
    settings: Settings,
    exists: Callable[[str], bool] = os.path.isfile,
) -> Rendered:
    """Render a body; check and rewrite its local links and images.

    ``exists`` answers whether an absolute file path (a string) exists; ``content``
    passes one backed by a single walk of the content folder, so checking a thousand
    links costs no system calls.
    """
    md = parser_for(text, settings.unsafe_html)
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    refs = _References(
        path=path,
        bundle_dir=os.path.abspath(bundle_dir),
        content_dir=os.path.abspath(content_dir),
        settings=settings,
        exists=exists,
    )
    line = body_line
    for token in tokens:
        if token.map is not None:
            line = body_line + token.map[0]
        if token.type == "inline" and token.children:
            refs.inline(token.children, line)
    out = _with_figures(md, tokens, refs.photo_src, env) if refs.photo_src else tokens
    html = md.renderer.render(out, md.options, env)
    images = tuple(
        (src, _plain_text(md, tok.children or [], env), ln) for tok, src, ln in refs.images
    )
    return Rendered(
        html=html,
        references=tuple(refs.references),
        images=images,
        errors=tuple(refs.errors),
    )


def _plain_text(md: MarkdownIt, tokens: list[Token], env: dict[str, Any]) -> str:
    """The text of inline ``tokens`` without markup, as the HTML renderer writes an alt."""
    renderer = md.renderer
    assert isinstance(renderer, RendererHTML)  # MarkdownIt's default, which ``_build`` keeps
    return renderer.renderInlineAsText(tokens, md.options, env)


def _with_figures(
    md: MarkdownIt, tokens: list[Token], photo_src: dict[int, str], env: dict[str, Any]
) -> list[Token]:
    """``tokens`` with each paragraph holding only a bundle photo replaced by a figure
    placeholder (only called when the body has bundle photos: most have none)."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        image = _lone_image(tokens, i)
        src = photo_src.get(id(image)) if image is not None else None
        if image is not None and src is not None:
            alt = _plain_text(md, image.children or [], env)
            html = (
                f'<presssite-figure src="{escapeHtml(src)}" alt="{escapeHtml(alt)}">'
                "</presssite-figure>\n"
            )
            out.append(Token("html_block", "", 0, content=html, map=tokens[i].map))
            i += 3
            continue
        out.append(tokens[i])
        i += 1
    return out


def _lone_image(tokens: Sequence[Token], i: int) -> Token | None:
    """The image token when ``tokens[i]`` opens a paragraph holding only that image."""
    if tokens[i].type != "paragraph_open" or i + 2 >= len(tokens):
        return None
    inline, close = tokens[i + 1], tokens[i + 2]
    if inline.type != "inline" or close.type != "paragraph_close":
        return None
    children = [
        c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())
    ]
    if len(children) == 1 and children[0].type == "image":
        return children[0]
    return None


class _References:
    """Classifies, checks and rewrites the links and images of one body."""

    def __init__(
        self,
        *,
        path: Path,
        bundle_dir: str,
        content_dir: str,
        settings: Settings,
        exists: Callable[[str], bool],
    ) -> None:
        self.path = path
        self.bundle_dir = bundle_dir
        self.content_dir = content_dir
        self.settings = settings
        self.exists = exists
        self.references: list[Reference] = []
        self.errors: list[ContentError] = []
        self.images: list[tuple[Token, str, int]] = []
        self.photo_src: dict[int, str] = {}  # id(image token) -> src, for figures

    @cached_property
    def bundle_id(self) -> str:
        """The bundle's content-relative POSIX path, for the few bodies that need it."""
        return Path(os.path.relpath(self.bundle_dir, self.content_dir)).as_posix()

    def error(self, message: str, line: int, hint: str | None = None) -> None:
        self.errors.append(ContentError(message, path=self.path, line=line, hint=hint))

    def inline(self, children: Sequence[Token], line: int) -> None:
        """Visit the links and images of one inline run that starts on ``line``."""
        for child in children:
            if child.type == "link_open":
                href = child.attrGet("href")
                if isinstance(href, str) and href:
                    new = self.link(unquote(href), line)
                    if new is not None:
                        child.attrSet("href", new)
            elif child.type == "image":
                src = child.attrGet("src")
                if isinstance(src, str) and src:
                    local = self.image(unquote(src), line)
                    if local is not None:
                        child.attrSet("src", f"presssite:photo:{local}")
                        self.photo_src[id(child)] = local
                        self.images.append((child, local, line))
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type in ("html_inline", "text") and "\n" in child.content:
                line += child.content.count("\n")

    # --------------------------------------------------------------- classification

    def _external(self, target: str, line: int, kind: str) -> bool:
        """True when ``target`` is left as is (a URL, a fragment, a site path)."""
        if target.startswith("#") or target.startswith("//"):
            return True
        scheme = _SCHEME.match(target)
        if scheme:
            name = scheme.group(1).lower()
            # markdown-it itself refuses file:, javascript:, vbscript: and most data: URLs.
            if len(name) == 1:  # a Windows drive: C:/Users/...
                self.error(
                    f"{kind} points at a file on this computer: {target}",
                    line,
                    "put the file in the bundle folder and refer to it relatively",
                )
            return True
        if target.startswith("/"):
            if self._site_path(target):
                self.references.append(Reference(target=target, line=line, kind="url"))
            else:
                self.error(
                    f"absolute path {target} is not a page of this site",
                    line,
                    "refer to a file of this bundle relatively (photos/01.jpg), a translation "
                    f"(../other/index.{self.settings.default_locale}.md) or a site page "
                    f"(/{self.settings.default_locale}/...)",
                )
            return True
        return False

    def _site_path(self, target: str) -> bool:
        path = target.split("#", 1)[0].split("?", 1)[0]
        base = self.settings.base_path
        if base != "/" and path.startswith(base):
            path = "/" + path[len(base) :]
        first = path.lstrip("/").split("/", 1)[0]
        return first == "" or first in self.settings.locales or first in _SITE_ROOTS

    def image(self, target: str, line: int) -> str | None:
        """The bundle-relative src of a local photo, else ``None`` (external or broken)."""
        if self._external(target, line, "image"):
            return None
        path = target.split("#", 1)[0].split("?", 1)[0]
        local = bundle_relative(path)
        self.references.append(Reference(target=target, line=line, kind="photo"))
        if local is None:
            self.error(
                f"image path leaves the bundle folder: {target}",
                line,
                "put the photo in this bundle's folder, e.g. photos/01.jpg",
            )
            return None
        if not self.exists(os.path.join(self.bundle_dir, local)):
            self.error(
                f"image not found: {target}",
                line,
                f"no file {local} in {self.bundle_id}/ (names are case-sensitive)",
            )
            return None
        return local

    def link(self, target: str, line: int) -> str | None:
        """The rewritten href of a local link, else ``None`` (left unchanged)."""
        if self._external(target, line, "link"):
            return None
        path, sep, fragment = target.partition("#")
        path, qsep, query = path.partition("?")
        suffix = (qsep + query) + (sep + fragment)
        if not path:
            return None
        name = posixpath.basename(path.replace("\\", "/"))
        if name.lower().endswith(".md"):
            self.references.append(Reference(target=target, line=line, kind="doc"))
            return self._doc(target, path, name, line, sep + fragment)
        self.references.append(Reference(target=target, line=line, kind="file"))
        local = bundle_relative(path)
        if local is None:
            self.error(
                f"link leaves the bundle folder: {target}",
                line,
                "link a file of this bundle (files/report.pdf) or a translation "
                f"(../other/index.{self.settings.default_locale}.md)",
            )
            return None
        if not self.exists(os.path.join(self.bundle_dir, local)):
            self.error(
                f"linked file not found: {target}",
                line,
                f"no file {local} in {self.bundle_id}/ (names are case-sensitive)",
            )
            return None
        return f"presssite:file:{local}{suffix}"

    def _doc(self, target: str, path: str, name: str, line: int, fragment: str) -> str | None:
        locales = self.settings.locales
        match = TRANSLATION_FILE.match(name)
        if match is None or match.group(1) not in locales:
            self.error(
                f"link to a Markdown file that is not a translation: {target}",
                line,
                f"link a bundle's index.<locale>.md, with locale one of {', '.join(locales)}",
            )
            return None
        joined = posixpath.normpath(posixpath.join(self.bundle_id, path.replace("\\", "/")))
        if path.startswith("/") or joined == ".." or joined.startswith("../"):
            self.error(
                f"link leaves the content folder: {target}",
                line,
                "link another bundle relatively, e.g. ../other/index.en.md",
            )
            return None
        if not self.exists(os.path.join(self.content_dir, joined)):
            self.error(
                f"linked document not found: {target}",
                line,
                f"no file content/{joined}; check the folder name and the locale",
            )
            return None
        bundle = posixpath.dirname(joined)
        return f"presssite:doc:{bundle}:{match.group(1)}{fragment}"
