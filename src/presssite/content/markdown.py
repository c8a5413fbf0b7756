"""Markdown bodies: one configured markdown-it-py, and the references a body makes.

The parser is CommonMark plus tables, strikethrough and footnotes. Raw HTML is
escaped (shown as text) unless ``[markdown] unsafe_html = true``, as Hugo does by
default. Headings get ``id``s (ASCII slugs, like URL slugs) so ``#fragment`` links work.

Local references cannot become final URLs here: a photo's URL depends on the image
plan, a document's URL on the other translation's slug. The body therefore carries
placeholders (``placeholders`` writes them and alone reads them back). Links and
images are classified, checked and rewritten by ``references``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from slugify import slugify

from presssite.content import placeholders
from presssite.content.references import References
from presssite.errors import ContentError
from presssite.model import Reference
from presssite.settings import Settings


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
    refs = References(
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
            html = placeholders.figure(src, alt)
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
