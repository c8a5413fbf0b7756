"""Content: find the bundles under ``content/`` and parse every translation.

One walk of the content folder gives every bundle, every file name and every file's
size and modification time; all existence checks of links, photos and attachments are
then answered from that walk, without further system calls. Each
``index.<locale>.md`` goes through ``frontmatter`` and ``markup`` into a
``Translation``.

Loading never raises for content problems: it collects every error of every file, so
one run shows them all, and hands back every translation (drafts and embargoed ones
included: deciding what is published is the site stage's job).

``ParseCache`` keeps parsed translations between rebuilds (``presssite serve``). Its
key holds every input of a parse: the file's bytes, the settings that affect parsing,
and the listing of the bundle folder (a photo added or removed changes existence
checks). Links to other bundles are re-checked on every hit.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import frontmatter, markup, urls
from .errors import ContentError, PresssiteError
from .model import Bundle, Photo, Translation
from .settings import Settings

log = logging.getLogger(__name__)

PARSE_VERSION = "1"  # bump when parsing changes what a cached Translation holds
_INDEX = re.compile(r"^index(?:\.([^.]+))?\.md$")


@dataclass(frozen=True)
class Loaded:
    """What ``load`` found: all bundles, all errors, and how much work it did."""

    bundles: tuple[Bundle, ...]  # sorted by id; every translation, drafts included
    errors: tuple[PresssiteError, ...]
    parsed: int  # files parsed in this run
    reused: int  # files taken from the cache


@dataclass(frozen=True)
class Parsed:
    """The outcome of parsing one file, as the cache keeps it."""

    translation: Translation | None  # None when title or date are unusable
    errors: tuple[PresssiteError, ...] = ()
    # Files outside the bundle whose existence the result depends on (links to other
    # bundles), with the answer seen when parsing: a hit is valid only if all still hold.
    outside: tuple[tuple[str, bool], ...] = ()


class ParseCache:
    """Parsed translations by file, for rebuilds that re-parse only what changed.

    One entry per file (a new version replaces the old one), so memory stays
    proportional to the site, not to the number of edits.
    """

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[tuple[str, ...], Parsed]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, path: Path, key: tuple[str, ...], exists: Callable[[str], bool]) -> Parsed | None:
        entry = self._entries.get(path)
        if entry is None or entry[0] != key:
            return None
        parsed = entry[1]
        if any(exists(p) != seen for p, seen in parsed.outside):
            return None
        return parsed

    def put(self, path: Path, key: tuple[str, ...], parsed: Parsed) -> None:
        self._entries[path] = (key, parsed)

    def clear(self) -> None:
        self._entries.clear()


# --------------------------------------------------------------------------- the walk


@dataclass
class _Tree:
    """One walk of ``content/``: files, folders, and the bundles among them."""

    root: str  # absolute content folder
    files: set[str] = field(default_factory=set)  # absolute paths of all files
    listing: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)  # dir -> files
    subdirs: dict[str, list[str]] = field(default_factory=dict)
    bundles: dict[str, list[str]] = field(default_factory=dict)  # dir -> its index*.md names

    def bundle_fingerprint(self, bundle_dir: str) -> str:
        """A hash of every file below a bundle folder (name, size, mtime).

        The bundle's own ``index.*.md`` files count by name only, so editing one
        translation does not invalidate the cached parse of the others.
        """
        h = hashlib.sha256()
        stack = [bundle_dir]
        while stack:
            folder = stack.pop()
            rel = os.path.relpath(folder, bundle_dir)
            for name, size, mtime in self.listing.get(folder, ()):
                if folder == bundle_dir and _INDEX.match(name):
                    h.update(f"{name}\0".encode())
                else:
                    h.update(f"{rel}/{name}\0{size}\0{mtime}\0".encode())
            stack.extend(sorted(self.subdirs.get(folder, ()), reverse=True))
        return h.hexdigest()


def _walk(content_dir: Path) -> _Tree:
    """List the content folder once. Hidden entries are skipped; symlinked folders are
    not followed (a link cycle must not hang a build), symlinked files are listed."""
    tree = _Tree(root=os.path.abspath(content_dir))
    stack = [tree.root]
    while stack:
        folder = stack.pop()
        files: list[tuple[str, int, int]] = []
        dirs: list[str] = []
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            log.warning("cannot list %s: %s", folder, exc.strerror)
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    dirs.append(entry.path)
                elif entry.is_file():
                    st = entry.stat()
                    files.append((entry.name, st.st_size, st.st_mtime_ns))
                    tree.files.add(entry.path)
            except OSError:
                continue
        files.sort()
        dirs.sort()
        tree.listing[folder] = files
        tree.subdirs[folder] = dirs
        index = [name for name, _, _ in files if _INDEX.match(name)]
        if index:
            tree.bundles[folder] = index
        stack.extend(reversed(dirs))
    return tree


def _sorted_bundles(tree: _Tree) -> list[str]:
    return sorted(tree.bundles, key=lambda d: Path(os.path.relpath(d, tree.root)).as_posix())


def discover(settings: Settings) -> list[Path]:
    """Every folder under ``content/`` holding ``index*.md`` files, sorted by bundle id."""
    content_dir = settings.content_dir
    if not content_dir.is_dir():
        return []
    return [Path(d) for d in _sorted_bundles(_walk(content_dir))]


# --------------------------------------------------------------------------- loading


def load(settings: Settings, *, cache: ParseCache | None = None) -> Loaded:
    """Parse every translation of every bundle; collect every error.

    A cache hit skips reading nothing but the parse: the file is still read and hashed.
    """
    content_dir = settings.content_dir
    if not content_dir.is_dir():
        return Loaded(bundles=(), errors=(), parsed=0, reused=0)
    tree = _walk(content_dir)
    fingerprint = _settings_fingerprint(settings)
    locales = settings.locales
    bundles: list[Bundle] = []
    errors: list[PresssiteError] = []
    parsed = reused = 0

    for folder in _sorted_bundles(tree):
        bundle_id = Path(os.path.relpath(folder, tree.root)).as_posix()
        names = tree.bundles[folder]
        if bundle_id == "." or "/" not in bundle_id:
            where = "content/" if bundle_id == "." else f"content/{bundle_id}/"
            for name in names:
                errors.append(
                    ContentError(
                        f"a document directly in {where} has no section",
                        path=Path(folder, name),
                        hint="move its folder into a section, e.g. content/press/<name>/ "
                        "for a release or content/pages/<name>/ for a page",
                    )
                )
            continue
        bundle_print = tree.bundle_fingerprint(folder)
        translations: dict[str, Translation] = {}
        for name in names:
            path = Path(folder, name)
            match = _INDEX.match(name)
            locale = match.group(1) if match else None
            if locale is None:
                errors.append(
                    ContentError(
                        "index.md has no locale",
                        path=path,
                        hint=f"name it index.<locale>.md, e.g. index.{settings.default_locale}.md",
                    )
                )
                continue
            if locale not in locales:
                errors.append(
                    ContentError(
                        f"locale {locale!r} is not one of the site's locales: {', '.join(locales)}",
                        path=path,
                        hint=f"rename it to index.<locale>.md with one of {', '.join(locales)}, "
                        f"or add {locale!r} to locales in presssite.toml",
                    )
                )
                continue
            result, hit = _load_file(
                path,
                settings=settings,
                tree=tree,
                bundle_id=bundle_id,
                locale=locale,
                cache=cache,
                key_parts=(fingerprint, bundle_print),
            )
            reused += hit
            parsed += not hit
            errors.extend(result.errors)
            if result.translation is not None:
                translations[locale] = result.translation
        if translations:
            ordered = {loc: translations[loc] for loc in locales if loc in translations}
            bundles.append(
                Bundle(
                    id=bundle_id,
                    section=bundle_id.split("/", 1)[0],
                    dir=Path(folder),
                    translations=ordered,
                )
            )
    return Loaded(bundles=tuple(bundles), errors=tuple(errors), parsed=parsed, reused=reused)


def _settings_fingerprint(settings: Settings) -> str:
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


class _Exists:
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


def _load_file(
    path: Path,
    *,
    settings: Settings,
    tree: _Tree,
    bundle_id: str,
    locale: str,
    cache: ParseCache | None,
    key_parts: tuple[str, str],
) -> tuple[Parsed, bool]:
    """Parse one translation, or take it from the cache; (result, True on a cache hit)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Parsed(None, (ContentError(f"cannot read: {exc.strerror}", path=path),)), False
    digest = hashlib.sha256(data).hexdigest()
    key = (digest, *key_parts)
    if cache is not None:
        hit = cache.get(path, key, tree.files.__contains__)
        if hit is not None:
            return hit, True
    exists = _Exists(tree.files, str(path.parent))
    result = _parse(
        data,
        path,
        digest=digest,
        settings=settings,
        bundle_id=bundle_id,
        locale=locale,
        exists=exists,
    )
    result = Parsed(result.translation, result.errors, tuple(sorted(exists.outside.items())))
    if cache is not None:
        cache.put(path, key, result)
    return result, False


def _parse(
    data: bytes,
    path: Path,
    *,
    digest: str,
    settings: Settings,
    bundle_id: str,
    locale: str,
    exists: Callable[[str], bool],
) -> Parsed:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        error = ContentError(
            "not UTF-8 text", path=path, line=line, hint="save the file as UTF-8 in your editor"
        )
        return Parsed(None, (error,))
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
        local = markup.bundle_relative(entry.src)
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
