"""What the templates get of ``[theme]``, and the checks a site's own templates need.

Installed into the Jinja environment once per build (``templates.make_environment``):
- ``static_url(name)``: the URL of a file of the theme's or the site's ``static/``;
- ``logo_url``, ``favicon_url``, ``brand_css_url`` (None when unset) and ``footer_links``
  (locale -> links); the filters ``filesize`` and ``number`` (localized, CLDR);
- warnings: a brand colour that fails WCAG AA (4.5:1) against white, and a block of a
  site template that the template it extends does not have (Jinja ignores it silently).

The brand colour reaches the pages as one CSS custom property, ``--brand``, in a small
generated stylesheet (``brand_css``): no inline style, so a strict Content Security
Policy holds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from babel.numbers import format_decimal

from presssite import urls
from presssite.settings import Settings

if TYPE_CHECKING:
    import jinja2

log = logging.getLogger(__name__)

BRAND_CSS = "brand.css"  # under static/, generated when [theme] brand_color is set
AA_CONTRAST = 4.5  # WCAG 2 AA for body text (links are text)
# The blocks of the theme's base.html that a site template may override, documented in
# the README; the theme's page templates add their own (``title``, ``description``, ``main``).
BASE_BLOCKS = ("head", "header", "footer", "content")


def install(env: jinja2.Environment, settings: Settings) -> None:
    """Give ``env`` the theme's globals and filters, and warn about the site's templates."""
    theme = settings.theme
    env.globals["static_url"] = lambda name: static_url(settings, str(name))
    env.globals["logo_url"] = static_url(settings, theme.logo) if theme.logo else None
    env.globals["favicon_url"] = static_url(settings, theme.favicon) if theme.favicon else None
    env.globals["brand_css_url"] = urls.static(settings, BRAND_CSS) if theme.brand_color else None
    env.globals["footer_links"] = dict(theme.footer_links)
    env.filters["filesize"] = filesize
    env.filters["number"] = lambda value, locale: format_decimal(value, locale=_babel(locale))
    if theme.brand_color:
        ratio = contrast(theme.brand_color, "#ffffff")
        if ratio < AA_CONTRAST:
            log.warning(
                "%s: [theme] brand_color %s has a contrast of %.2f:1 against white, under "
                "WCAG AA's %.1f:1: links and accents in it are hard to read; pick a darker "
                "colour",
                settings.source,
                theme.brand_color,
                ratio,
                AA_CONTRAST,
            )
    for problem in unknown_blocks(env, settings):
        log.warning("%s", problem)


def static_url(settings: Settings, name: str) -> str:
    """The URL of a file of ``static/``, named "logo.png" or "static/logo.png"."""
    return urls.static(settings, name.lstrip("/").removeprefix("static/"))


def brand_css(settings: Settings) -> bytes | None:
    """The generated stylesheet holding ``--brand``, or None without a brand colour."""
    color = settings.theme.brand_color
    return f":root {{\n  --brand: {color};\n}}\n".encode() if color else None


def filesize(size: int, locale: str) -> str:
    """A file size as people read it, in the page's language: "850 KB", "2,4 MB"."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= scale:
            value = round(size / scale, 1 if size < 10 * scale else 0)
            return f"{format_decimal(value, locale=_babel(locale))} {unit}"
    return f"{format_decimal(size, locale=_babel(locale))} B"


def _babel(locale: str) -> str:
    return locale.replace("-", "_") if locale else "en"


def contrast(foreground: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two "#rrggbb" colours, 1 to 21."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def unknown_blocks(env: jinja2.Environment, settings: Settings) -> Iterator[str]:
    """ "file:line: ..." for each block of a site template that what it extends lacks."""
    import jinja2
    from jinja2 import nodes

    folder = settings.templates_dir
    if not folder.is_dir():
        return
    assert env.loader is not None
    for path in sorted(folder.rglob("*.htm*")):
        name = path.relative_to(folder).as_posix()
        try:
            tree = env.parse(path.read_text("utf-8"), name, str(path))
        except (OSError, UnicodeDecodeError, jinja2.TemplateSyntaxError):
            continue  # reported when a page renders with it
        parent = next(iter(tree.find_all(nodes.Extends)), None)
        if parent is None or not isinstance(parent.template, nodes.Const):
            continue
        known = _blocks_of(env, str(parent.template.value), name)
        if known is None:
            continue
        for block in tree.body:
            if isinstance(block, nodes.Block) and block.name not in known:
                yield (
                    f"{path}:{block.lineno}: block {block.name!r} is not in "
                    f"{parent.template.value} and is ignored (its blocks: "
                    f"{', '.join(sorted(known))})"
                )


def _blocks_of(env: jinja2.Environment, name: str, child: str) -> set[str] | None:
    """Every block of template ``name`` and of those it extends; None when unreadable."""
    import jinja2
    from jinja2 import nodes

    assert env.loader is not None
    found: set[str] = set()
    seen = {child}
    while name not in seen:
        seen.add(name)
        try:
            source, filename, _ = env.loader.get_source(env, name)
            tree = env.parse(source, name, filename)
        except (jinja2.TemplateNotFound, jinja2.TemplateSyntaxError):
            return None
        found.update(block.name for block in tree.find_all(nodes.Block))
        parent = next(iter(tree.find_all(nodes.Extends)), None)
        if parent is None or not isinstance(parent.template, nodes.Const):
            break
        name = str(parent.template.value)
    return found
