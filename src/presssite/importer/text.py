"""Reading the plain text of a translated article, as a translator pastes it; pure.

The shape, line by line (copied out of another site's page):

    ![](https://example.org/a.jpg) |                  an image, alone on its line
    | The minister opens the fair. (Foto: Humas) |     its caption row: caption and credit
    The fair runs for three days ...                   a paragraph: one line, one paragraph
    Sumber: https://example.org/berita/12345.html      the source line
    Komentar (0)                                       page furniture: dropped

- An image is a Markdown image alone on its line (a table pipe before or after it is
  ignored). The one-cell table row after it (blank lines and a ``|---|`` delimiter row may
  come between) is its caption; an image without one is a photo without a caption (but
  for the image's own alt text, when it has one).
- A caption ending in "(<credit word>: X)" has the credit X; the credit words are the
  theme's "Photo" label in each of the site's locales ("Foto", "Photo", "Ảnh"): ``Labels``.
- The last line starting with a source word ("Sumber:", "Source:", "Nguồn:") is the
  source; its value is a URL, ``<URL>`` or ``[name](URL)``. Everything after it is page
  furniture (comment counters, share lines, blank runs): dropped, and listed.
- Every other non-blank line is a paragraph, kept as written (Markdown inside stays).

Problems are ``ContentError``s naming the file and line; all are raised together.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from presssite.errors import ContentError, PresssiteError, raise_all

_ONE_IMAGE = r"""
    !\[(?P<alt>(?:[^\]\\]|\\.)*)\]                  # ![alt]
    \(\s*(?:<(?P<angled>[^>]*)>|(?P<src>[^\s)]*))     # (src) or (<src>)
    (?:\s+(?:"[^"]*"|'[^']*'))?\s*\)                   # an optional title
"""
_IMAGE = re.compile(rf"^\|?\s*{_ONE_IMAGE}\s*\|?\s*$", re.VERBOSE)
_BARE_IMAGE = re.compile(r"!\[(?:[^\]\\]|\\.)*\]\([^)]*\)")
_DELIMITER_ROW = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_LINK = re.compile(r"^\[(?P<name>(?:[^\]\\]|\\.)+)\]\(\s*<?(?P<url>[^\s)>]+)>?\s*\)$")


@dataclass(frozen=True)
class Labels:
    """The words that mark a credit and a source, in every locale of the site."""

    credit: tuple[str, ...]  # "Foto", "Photo", "Ảnh"
    source: tuple[str, ...]  # "Sumber", "Source", "Nguồn"


@dataclass(frozen=True)
class Paragraph:
    """One line of text: one paragraph of the body, as written."""

    line: int  # 1-based line in the pasted file
    text: str


@dataclass(frozen=True)
class Image:
    """A photo of the article, where it stood, with what its caption row says."""

    line: int  # line of the image
    src: str  # as written: "" (empty), a URL, or a name
    caption: str = ""
    credit: str = ""
    caption_line: int | None = None  # line of its caption row, None without one


@dataclass(frozen=True)
class Source:
    """The article's source line: where it was first published."""

    line: int
    url: str  # http or https, with a host
    name: str  # the link's text, else the URL's host without "www."


@dataclass(frozen=True)
class Dropped:
    """Page furniture after the source line: one line of text, or a run of blank lines."""

    first: int
    last: int
    text: str  # "" for a run of blank lines

    def describe(self) -> str:
        if self.text:
            return f"line {self.first}: {self.text}"
        count = self.last - self.first + 1
        where = f"line {self.first}" if count == 1 else f"lines {self.first}-{self.last}"
        return f"{where}: {count} blank line{'s' if count != 1 else ''}"


@dataclass(frozen=True)
class Article:
    """The pasted text, read: the body in order, the source, and what was dropped."""

    blocks: tuple[Paragraph | Image, ...]
    source: Source | None
    dropped: tuple[Dropped, ...] = ()

    @property
    def images(self) -> tuple[Image, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Image))

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Paragraph))


@functools.lru_cache(maxsize=16)
def _patterns(labels: Labels) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(credit at the end of a caption, source line), case-insensitive."""

    def words(items: tuple[str, ...]) -> str:
        return "|".join(re.escape(w) for w in sorted(set(items), key=len, reverse=True))

    credit = re.compile(
        rf"\(\s*(?:{words(labels.credit)})\s*:\s*(?P<credit>[^()]*?)\s*\)\s*\.?\s*$",
        re.IGNORECASE,
    )
    source = re.compile(rf"^\s*(?:{words(labels.source)})\s*:\s*(?P<value>.*?)\s*$", re.IGNORECASE)
    return credit, source


def split_credit(caption: str, labels: Labels) -> tuple[str, str]:
    """(caption, credit): "Opening. (Foto: Humas)" -> ("Opening.", "Humas")."""
    credit_re, _ = _patterns(labels)
    match = credit_re.search(caption)
    if match is None or not match.group("credit"):
        return caption.strip(), ""
    return caption[: match.start()].strip(), match.group("credit")


def source_name(url: str) -> str:
    """The name a source gets from its URL: the host, without a leading "www."."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def parse(text: str, labels: Labels, *, path: Path) -> Article:
    """Read the pasted article; raise every problem at once, each with file and line."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.removesuffix("\n").split("\n")
    errors: list[PresssiteError] = []
    _, source_re = _patterns(labels)

    end, source = len(lines), None
    dropped: tuple[Dropped, ...] = ()
    for index in range(len(lines) - 1, -1, -1):
        match = source_re.match(lines[index])
        if match is not None:
            end = index
            source = _source(match.group("value"), index + 1, path, errors)
            dropped = _furniture(lines, index + 1)
            break
    blocks = _body(lines[:end], labels, path, errors)
    raise_all(errors)
    return Article(blocks=tuple(blocks), source=source, dropped=dropped)


def _source(value: str, line: int, path: Path, errors: list[PresssiteError]) -> Source | None:
    link = _LINK.match(value)
    url, name = (link.group("url"), _unescape(link.group("name"))) if link else (value, "")
    url = url.removeprefix("<").removesuffix(">")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in url:
        errors.append(
            ContentError(
                f"the source line is not a URL: {value!r}",
                path=path,
                line=line,
                key="source",
                hint="end the article with e.g. Sumber: https://example.org/berita/12345.html",
            )
        )
        return None
    return Source(line=line, url=url, name=name.strip() or source_name(url))


def _furniture(lines: list[str], start: int) -> tuple[Dropped, ...]:
    """What follows the source line, as lines of text and runs of blank lines."""
    out: list[Dropped] = []
    blank_from: int | None = None
    for index in range(start, len(lines)):
        number, stripped = index + 1, lines[index].strip()
        if not stripped:
            blank_from = number if blank_from is None else blank_from
            continue
        if blank_from is not None:
            out.append(Dropped(blank_from, number - 1, ""))
            blank_from = None
        out.append(Dropped(number, number, stripped))
    if blank_from is not None:
        out.append(Dropped(blank_from, len(lines), ""))
    return tuple(out)


def _body(
    lines: list[str], labels: Labels, path: Path, errors: list[PresssiteError]
) -> list[Paragraph | Image]:
    blocks: list[Paragraph | Image] = []
    last_image: int | None = None  # index in blocks of an image still without a caption row
    for index, raw in enumerate(lines):
        number, stripped = index + 1, raw.strip()
        if not stripped:
            continue
        image = _IMAGE.match(stripped)
        if image is not None:
            src = image.group("angled") if image.group("angled") is not None else image["src"]
            caption, credit = split_credit(_unescape(image["alt"]), labels)
            blocks.append(Image(line=number, src=src.strip(), caption=caption, credit=credit))
            last_image = len(blocks) - 1
            continue
        if stripped.startswith("|") and _DELIMITER_ROW.match(stripped):
            continue
        if stripped.startswith("|"):
            if last_image is None:
                errors.append(_row_error("a caption row with no image above it", number, path))
                continue
            cells = _cells(stripped)
            if len(cells) > 1:
                errors.append(
                    _row_error(f"a caption row with {len(cells)} cells", number, path, cells=True)
                )
            else:
                caption, credit = split_credit(cells[0] if cells else "", labels)
                photo = blocks[last_image]
                assert isinstance(photo, Image)
                blocks[last_image] = Image(photo.line, photo.src, caption, credit, number)
            last_image = None
            continue
        if len(_BARE_IMAGE.findall(stripped)) > 1 and not _BARE_IMAGE.sub("", stripped).strip("| "):
            errors.append(
                ContentError(
                    "several images on one line",
                    path=path,
                    line=number,
                    hint="put each image on a line of its own, each followed by its caption row",
                )
            )
            continue
        blocks.append(Paragraph(line=number, text=stripped))
        last_image = None
    return blocks


def _cells(row: str) -> list[str]:
    """The non-empty cells of a table row, unescaped: "| a \\| b |" -> ["a | b"]."""
    inner = row.strip().removeprefix("|")
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    cells = [_unescape(c.strip()) for c in _UNESCAPED_PIPE.split(inner)]
    return [c for c in cells if c]


def _unescape(text: str) -> str:
    return re.sub(r"\\([\\\[\]|()])", r"\1", text)


def _row_error(message: str, line: int, path: Path, *, cells: bool = False) -> ContentError:
    hint = (
        "write the caption and its credit in one cell: | Caption. (Foto: Name) |"
        if cells
        else "put the caption row right after its image: ![](...) then | Caption. (Foto: Name) |"
    )
    return ContentError(message, path=path, line=line, key="caption", hint=hint)
