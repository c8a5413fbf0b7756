"""The translation file an import writes, and writing an import all or nothing.

The file is what an editor would have written by hand (CONTENT-FORMAT.md): front matter
with ``draft: true``, the ``source:`` and a ``photos:`` gallery with captions and
credits, then the body, one paragraph per paragraph of the text and each photo where
its image stood, alone in its paragraph, so the build makes it a captioned figure.

A new bundle is made in a hidden folder inside ``content/`` (builds skip dot folders)
and renamed into place once complete; a translation added to a bundle is written under
a hidden name and renamed to ``index.<locale>.md``. A failure removes what was staged,
and nothing that exists is ever replaced.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from presssite.content import frontmatter
from presssite.errors import raise_all
from presssite.importer.text import Article, Image, Paragraph, Source
from presssite.scaffold import ScaffoldError
from presssite.settings import Settings

_ALT_SPECIALS = re.compile(r"([\\\[\]])")


@dataclass(frozen=True)
class GalleryEntry:
    """One entry of the ``photos:`` list written, in the order the images stand."""

    src: str  # bundle-relative, "photos/01.jpg"
    caption: str = ""
    credit: str = ""


def translation_file(bundle: Path, locale: str) -> Path:
    return bundle / f"index.{locale}.md"


def gallery(images: Sequence[Image], srcs: Sequence[str]) -> tuple[GalleryEntry, ...]:
    """Each image's photo with the caption and credit its caption row gave."""
    return tuple(
        GalleryEntry(src, image.caption, image.credit)
        for image, src in zip(images, srcs, strict=True)
    )


def translation_text(
    *,
    title: str,
    when: datetime,
    article: Article,
    photos: Sequence[GalleryEntry],
    source: Source | None,
) -> str:
    """The whole ``index.<locale>.md``: front matter, then the body."""
    lines = [
        "---",
        f"title: {_quoted(title)}",
        f"date: {when.isoformat()}",
        "draft: true",
        'summary: ""',
        "tags: []",
    ]
    if source is not None:
        lines += ["source:", f"  name: {_quoted(source.name)}", f"  url: {_quoted(source.url)}"]
    if photos:
        lines.append("photos:")
        for entry in photos:
            lines.append(f"  - src: {_quoted(entry.src)}")
            lines += [f"    caption: {_quoted(entry.caption)}"] if entry.caption else []
            lines += [f"    credit: {_quoted(entry.credit)}"] if entry.credit else []
    lines += ["---", "", body(article, photos)]
    return "\n".join(lines)


def body(article: Article, photos: Sequence[GalleryEntry]) -> str:
    """Paragraphs as written, and each photo as a figure where its image stood."""
    entries = iter(photos)
    parts: list[str] = []
    for block in article.blocks:
        if isinstance(block, Paragraph):
            parts.append(block.text)
        else:
            entry = next(entries)
            alt = _ALT_SPECIALS.sub(r"\\\1", entry.caption)
            parts.append(f"![{alt}]({entry.src})")
    return "\n\n".join(parts) + "\n"


def check(text: str, *, path: Path, settings: Settings) -> None:
    """Read the composed file back as a build reads front matter; raise what it finds."""
    meta, lines, _, _ = frontmatter.split(text, path)
    _, errors = frontmatter.fields(meta, lines, path=path, settings=settings)
    raise_all(errors)


def refuse_existing(path: Path) -> None:
    """``ScaffoldError`` when ``path`` exists: an import never replaces anything."""
    if path.exists():
        raise ScaffoldError(
            "exists already; nothing was written",
            path=path,
            hint="move it away first, or import with another --title or --date",
        )


@contextmanager
def staging(content_dir: Path) -> Iterator[Path]:
    """A new hidden folder inside ``content_dir``, removed unless it was renamed away.

    A ``content_dir`` made for it is removed again when it is still empty afterwards.
    """
    made = not content_dir.exists()
    content_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".presssite-import-", dir=content_dir))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if made:
            with contextlib.suppress(OSError):  # not empty: the import succeeded
                content_dir.rmdir()


def publish_bundle(staged: Path, target: Path) -> None:
    """Rename the complete staged bundle to ``target``, which must not exist."""
    refuse_existing(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # POSIX rename replaces an empty folder: refuse_existing above is what forbids it
    os.rename(staged, target)


def publish_file(text: str, target: Path) -> None:
    """Write ``text`` beside ``target`` under a hidden name, then rename it to ``target``."""
    refuse_existing(target)
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        temp.write_text(text, encoding="utf-8")
        try:
            os.link(temp, target)  # fails if the file appeared meanwhile: never replaced
        except FileExistsError:
            refuse_existing(target)
            raise
        except OSError:  # a file system without hard links
            refuse_existing(target)
            os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)
