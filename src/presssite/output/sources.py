"""The files published as they are: the theme's and the site's static files, and the
bundle files a body links to (attachments)."""

from __future__ import annotations

from pathlib import Path

from presssite.leftovers import unwanted_path
from presssite.model import OutputFile, Site
from presssite.settings import Settings


def static_files(settings: Settings) -> list[OutputFile]:
    """The theme's static files, then the site's over them, published under ``static/``;
    and the stylesheet of ``[theme] brand_color`` (``render.theme.brand_css``).

    Hidden files and editors' leftovers (``leftovers.unwanted``) are not published."""
    from presssite import THEME_DIR
    from presssite.render import theme

    found: dict[str, Path] = {}
    for folder in (THEME_DIR / "static", settings.static_dir):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_file() and not unwanted_path(rel):
                found[rel.as_posix()] = path
    out = [OutputFile(path=f"static/{rel}", source=path) for rel, path in sorted(found.items())]
    brand = theme.brand_css(settings)
    if brand is not None:
        out.append(OutputFile(path=f"static/{theme.BRAND_CSS}", data=brand))
    return out


def attachments(site: Site) -> list[OutputFile]:
    """Bundle files linked from a body (``presssite:file:``), published next to the page."""
    base = site.settings.base_path
    out = []
    for doc in site.translations():
        bundle_dir = site.bundles[doc.bundle].dir
        for ref in doc.references:
            if ref.kind != "file":
                continue
            rel = ref.target.split("#", 1)[0].split("?", 1)[0]
            source = (doc.path.parent / rel).resolve()
            try:
                inner = source.relative_to(bundle_dir.resolve()).as_posix()
            except ValueError:
                continue  # markup already reported a path that escapes the bundle
            out.append(OutputFile(path=doc.url[len(base) :] + inner, source=source))
    return out
