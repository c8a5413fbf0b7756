"""``presssite import``: read the pasted text, gather its photos, write the translation.

The order is the promise: every option and the whole text are checked, and the photos
counted against the images, before anything is written; photos are then copied or
downloaded into a staging folder and checked as the build checks them; only when all of
that succeeded does the bundle (or the one new translation file) appear, by a rename.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from presssite import scaffold
from presssite.content import frontmatter
from presssite.errors import ContentError, UsageError, raise_all
from presssite.importer import bundle as bundle_
from presssite.importer import download as download_
from presssite.importer import photos as photos_
from presssite.importer import text as text_
from presssite.importer.labels import labels
from presssite.settings import Settings
from presssite.urls import slugify


@dataclass(frozen=True)
class Request:
    """What ``presssite import`` was asked to do."""

    file: Path  # the pasted article
    locale: str  # its language, one of the site's locales
    title: str
    when: datetime | None = None  # --date; default: the bundle's date (--into), else now
    section: str = "press"  # the top-level folder of content/ a new bundle goes in
    photos: Path | None = None  # --photos DIR: one file per image, in name order
    into: Path | None = None  # --into BUNDLE: add this translation to an existing bundle
    fetch: bool = False  # download the images' URLs
    source_name: str | None = None  # --source-name: else the source URL's host


@dataclass(frozen=True)
class Imported:
    """What an import wrote and what it left out, for the command to tell."""

    bundle: Path  # the bundle folder, new or existing
    file: Path  # the translation written
    article: text_.Article  # the text as read: blocks, source, dropped furniture
    photos: tuple[bundle_.GalleryEntry, ...]
    new_bundle: bool


def run(
    settings: Settings,
    request: Request,
    *,
    max_bytes: int = download_.MAX_BYTES,
    timeout: float = download_.TIMEOUT,
) -> Imported:
    """Import ``request.file``; raise before writing anything when any part of it fails."""
    _check_options(settings, request)
    article = text_.parse(_read(request.file), labels(settings), path=request.file)
    if article.source is not None and request.source_name:
        article = replace(article, source=replace(article.source, name=request.source_name))
    if request.into is not None:
        return _into(settings, request, article, _bundle_folder(settings, request.into))
    return _new(settings, request, article, max_bytes=max_bytes, timeout=timeout)


def summary(imported: Imported, request: Request) -> str:
    """The lines the command prints: what was written, and what was dropped."""
    article, entries = imported.article, imported.photos
    captioned = sum(1 for e in entries if e.caption)
    credited = sum(1 for e in entries if e.credit)
    source = article.source
    lines = [
        f"Imported {request.file} as {_shown(imported.file)} (a draft"
        + (", in a new bundle)" if imported.new_bundle else ")"),
        f"  {_count(len(article.paragraphs), 'paragraph')}, {_count(len(entries), 'photo')} "
        f"({captioned} with a caption, {credited} with a credit)",
        f"  source: {source.name} <{source.url}>" if source else "  source: none found",
    ]
    if article.dropped:
        lines.append(f"Dropped after the source line (line {source.line if source else '?'}):")
        lines += [f"  {d.describe()}" for d in article.dropped]
    lines.append("Preview it with presssite serve; remove draft: true to publish it.")
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _shown(path: Path) -> Path:
    """``path`` relative to the working folder when it is below it."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _check_options(settings: Settings, request: Request) -> None:
    if request.locale not in settings.locales:
        raise UsageError(
            f"{request.locale!r} is not one of the site's locales",
            key="--locale",
            hint=f"use one of: {', '.join(settings.locales)}",
        )
    if not request.title.strip():
        raise UsageError("the title is empty", key="--title", hint='e.g. --title "Pameran"')
    if request.photos is not None and request.fetch:
        raise UsageError(
            "--photos and --fetch both give the photos",
            key="--fetch",
            hint="use --photos DIR for files at hand, --fetch to download the images' URLs",
        )
    if request.into is not None and (request.photos is not None or request.fetch):
        raise UsageError(
            "--into reuses the bundle's photos",
            key="--into",
            hint="leave out --photos and --fetch when adding a translation",
        )
    if slugify(request.section) != request.section:
        raise UsageError(
            f"not a section folder name: {request.section!r}",
            key="--section",
            hint="lowercase letters, digits and hyphens, e.g. --section press",
        )


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read: {exc.strerror or exc}", path=path, key="FILE") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(
            "not UTF-8 text",
            path=path,
            line=data.count(b"\n", 0, exc.start) + 1,
            hint="save the article as UTF-8 plain text",
        ) from None


def _new(
    settings: Settings,
    request: Request,
    article: text_.Article,
    *,
    max_bytes: int,
    timeout: float,
) -> Imported:
    when = scaffold.parse_date(None, settings.tz, request.when)
    target = scaffold.bundle_folder(settings, request.title, when=when, section=request.section)
    bundle_.refuse_existing(target)
    images, path = article.images, request.file
    max_pixels = settings.images.max_pixels
    files: list[Path] = []
    urls: list[str] = []
    if request.photos is not None:
        files = photos_.folder_files(request.photos)
        photos_.check_count(images, [f.name for f in files], f"in {request.photos}", path=path)
    elif request.fetch:
        urls = photos_.image_urls(images, path=path)
    elif images:
        raise UsageError(
            f"{_count(len(images), 'image')} in the text but no photos",
            path=path,
            hint="give them with --photos DIR (one file per image, in name order), "
            "or download the images' URLs with --fetch",
        )
    with bundle_.staging(settings.content_dir) as staged:
        srcs: list[str] = []
        if files:
            srcs = photos_.copy_in(images, files, staged, max_pixels=max_pixels, path=path)
        elif urls:
            srcs = photos_.download_in(
                images,
                urls,
                staged,
                max_pixels=max_pixels,
                path=path,
                max_bytes=max_bytes,
                timeout=timeout,
            )
        entries = bundle_.gallery(images, srcs)
        text = bundle_.translation_text(
            title=request.title, when=when, article=article, photos=entries, source=article.source
        )
        file = bundle_.translation_file(staged, request.locale)
        bundle_.check(text, path=file, settings=settings)
        file.write_text(text, encoding="utf-8")
        bundle_.publish_bundle(staged, target)
    return Imported(
        bundle=target,
        file=bundle_.translation_file(target, request.locale),
        article=article,
        photos=entries,
        new_bundle=True,
    )


def _into(settings: Settings, request: Request, article: text_.Article, folder: Path) -> Imported:
    target = bundle_.translation_file(folder, request.locale)
    bundle_.refuse_existing(target)
    others = _translations(settings, folder)
    if not others:
        raise UsageError(
            "not a bundle: it has no index.<locale>.md of the site's locales",
            path=folder,
            key="--into",
            hint="give the folder of an existing release, e.g. content/press/2026-01-05-x",
        )
    shown = next((fm for fm in others if fm.photos), others[0])
    srcs = [entry.src for entry in shown.photos]
    photos_.check_count(article.images, srcs, f"in {folder}", path=request.file)
    credits = {entry.src: entry.credit for entry in shown.photos}
    entries = tuple(
        e if e.credit else replace(e, credit=credits.get(e.src, ""))
        for e in bundle_.gallery(article.images, srcs)
    )
    text = bundle_.translation_text(
        title=request.title,
        when=scaffold.parse_date(None, settings.tz, request.when or others[0].date),
        article=article,
        photos=entries,
        source=article.source,
    )
    bundle_.check(text, path=target, settings=settings)
    bundle_.publish_file(text, target)
    return Imported(bundle=folder, file=target, article=article, photos=entries, new_bundle=False)


def _bundle_folder(settings: Settings, into: Path) -> Path:
    """``--into``: a bundle folder, as a path, or relative to the site or to ``content/``."""
    for candidate in (into, settings.root / into, settings.content_dir / into):
        if candidate.is_dir():
            folder = candidate.resolve()
            if folder.is_relative_to(settings.content_dir.resolve()):
                return folder
    raise UsageError(
        f"no bundle folder {into} in {settings.content_dir}",
        key="--into",
        hint="give the folder of an existing release, e.g. content/press/2026-01-05-x",
    )


def _translations(settings: Settings, folder: Path) -> list[frontmatter.FrontMatter]:
    """The front matter of the bundle's translations, in the site's locale order."""
    found = []
    for locale in settings.locales:
        path = bundle_.translation_file(folder, locale)
        if not path.is_file():
            continue
        meta, lines, _, _ = frontmatter.split(path.read_text(encoding="utf-8"), path)
        fields, errors = frontmatter.fields(meta, lines, path=path, settings=settings)
        raise_all(errors)
        if fields is not None:
            found.append(fields)
    return found
