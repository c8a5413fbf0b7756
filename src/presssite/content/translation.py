"""One translation file: its bytes parsed into a ``Translation`` (front matter, Markdown
body, photos), with every error found in it.

Pure but for the existence checks, which ``exists`` answers (``load`` backs it with one
walk of the content folder and remembers the answers outside the bundle, since a cached
parse holds only while they do).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from presssite import urls
from presssite.content.store import Parsed
from presssite.errors import ContentError, PresssiteError
from presssite.model import Photo, Translation
from presssite.settings import Settings

PARSE_VERSION = "1"  # bump when parsing changes what a cached Translation holds


def settings_fingerprint(settings: Settings) -> str:
    """The settings a parse depends on, so changing one of them invalidates the cache."""
    relevant = (
        PARSE_VERSION,
        settings.base_url,
        settings.default_locale,
        settings.locales,
        settings.timezone,
        settings.unsafe_html,
        settings.contact,
        str(settings.content_dir),
    )
    return hashlib.sha256(repr(relevant).encode()).hexdigest()


class Exists:
    """File existence from the walk; remembers what it answered outside the bundle."""

    def __init__(self, files: set[str], bundle_dir: str) -> None:
        self.files = files
        self.prefix = bundle_dir + os.sep
        self.outside: dict[str, bool] = {}

    def __call__(self, path: str) -> bool:
        path = os.path.normpath(path)
        found = path in self.files
        if not path.startswith(self.prefix):
            self.outside[path] = found
        return found


def parse(
    data: bytes,
    path: Path,
    *,
    digest: str,
    settings: Settings,
    bundle_id: str,
    locale: str,
    exists: Callable[[str], bool],
) -> Parsed:
    """Parse one file's ``data``; ``digest`` is the hash of its bytes."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        error = ContentError(
            "not UTF-8 text", path=path, line=line, hint="save the file as UTF-8 in your editor"
        )
        return Parsed(None, (error,))
    # here: a build that parses nothing never imports them
    from presssite.content import frontmatter, references
    from presssite.content import markdown as markup

    try:
        meta, lines, body, body_line = frontmatter.split(text, path)
    except ContentError as exc:
        return Parsed(None, (exc,))
    fm, problems = frontmatter.fields(meta, lines, path=path, settings=settings)
    errors: list[PresssiteError] = list(problems)
    bundle_dir = path.parent
    rendered = markup.render(
        body,
        path=path,
        bundle_dir=bundle_dir,
        content_dir=settings.content_dir,
        body_line=body_line,
        settings=settings,
        exists=exists,
    )
    errors.extend(rendered.errors)
    if fm is None:
        return Parsed(None, tuple(errors))

    section = bundle_id.split("/", 1)[0]
    slug = urls.bundle_slug(bundle_dir.name)
    if fm.slug is not None:
        if urls.slugify(fm.slug):
            slug = urls.slugify(fm.slug)
        else:
            errors.append(
                ContentError(
                    "slug has no letters or digits",
                    path=path,
                    line=lines.get("slug"),
                    key="slug",
                    hint="write e.g. slug: vietnam-attends-conference",
                )
            )

    photos: list[Photo] = []
    for entry in fm.photos:
        local = references.bundle_relative(entry.src)
        key = f"{entry.key}.src"
        if local is None:
            errors.append(
                ContentError(
                    f"photo path leaves the bundle folder: {entry.src}",
                    path=path,
                    line=entry.src_line,
                    key=key,
                    hint="put the photo in this bundle's folder, e.g. photos/01.jpg",
                )
            )
        elif not exists(os.path.join(bundle_dir, local)):
            errors.append(
                ContentError(
                    f"photo not found: {entry.src}",
                    path=path,
                    line=entry.src_line,
                    key=key,
                    hint=f"no file {local} in {bundle_id}/ (names are case-sensitive)",
                )
            )
        else:
            photos.append(
                Photo(
                    src=local,
                    path=bundle_dir / local,
                    caption=entry.caption,
                    credit=entry.credit,
                    decorative=entry.decorative,
                    line=entry.line,
                    in_gallery=True,
                )
            )
    seen = {p.src for p in photos}
    for src, alt, line in rendered.images:
        if src not in seen:
            seen.add(src)
            photos.append(
                Photo(
                    src=src,
                    path=bundle_dir / src,
                    caption=alt,
                    decorative=not alt,
                    line=line,
                    in_gallery=False,
                )
            )

    translation = Translation(
        bundle=bundle_id,
        section=section,
        locale=locale,
        path=path,
        title=fm.title,
        date=fm.date,
        slug=slug,
        url=urls.document(settings, locale, section, slug),
        summary=fm.summary,
        tags=fm.tags,
        draft=fm.draft,
        embargo=fm.embargo,
        updated=fm.updated,
        expires=fm.expires,
        contact=fm.contact or settings.contact,
        source=fm.source,
        photos=tuple(photos),
        body_html=rendered.html,
        references=rendered.references,
        lines=dict(lines),
        digest=digest,
        extra=fm.extra,
    )
    return Parsed(translation, tuple(errors))
