"""The image stage's plan and result: what it decides before any pixel, and what it made.

Frozen values the render stage reads (``ImagePlan.for_page``, ``crops_for_page``,
``kit_for_page``) and the build reports (``ImageResult``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Protocol, TypeVar

from presssite.errors import PresssiteError
from presssite.images.downloads import DownloadFacts, Words
from presssite.images.presskit import KitPlan
from presssite.model import OutputFile, Photo, PhotoImage, PressKit, Translation, Variant

# The SHA-256 of a file (path, size, mtime_ns) when the build already knows it unread.
Known = Callable[[str, int, int], str | None]

T = TypeVar("T")


class Facts(Protocol):
    """Facts kept between builds by the digest of what they are made of
    (``cache.facts.Facts``): ``get(key, make)`` is the kept one, or ``make()``'s."""

    def get(self, key: str, make: Callable[[], T]) -> T: ...


class Unkept:
    """``Facts`` that keeps nothing: every fact is worked out."""

    def get(self, key: str, make: Callable[[], T]) -> T:
        return make()


@dataclass(frozen=True)
class SourceInfo:
    """One source photo file, as planned: header facts and where it is first used."""

    path: Path
    size: int  # bytes, from stat
    mtime_ns: int
    width: int  # orientation applied
    height: int
    orientation: int
    caption: str  # embedded (IPTC/XMP) caption, "" when none
    credit: str  # embedded credit or creator, "" when none
    doc: Path  # the Markdown file that first uses it (for error messages)
    photo: Photo  # its entry there
    sha256: str = ""  # from the cache index when the file is known unchanged
    download: DownloadFacts | None = None  # how its full-size download is made


@dataclass(frozen=True)
class ImagePlan:
    """Every variant the build publishes, known before any pixel is decoded."""

    pages: Mapping[tuple[str, str], Mapping[str, PhotoImage]]  # (bundle, locale) -> src -> image
    sources: Mapping[Path, SourceInfo]  # each source file once, in first-use order
    quality: int
    # (bundle, locale) -> the structured-data crops: per lead photo, one per CROP_RATIOS
    crops: Mapping[tuple[str, str], tuple[Crop, ...]]
    errors: tuple[PresssiteError, ...] = ()  # only when plan(..., raise_errors=False)
    # photos with neither a caption nor a credit, even embedded, for the build to report
    uncredited: tuple[Uncredited, ...] = ()
    # (bundle, locale, src) -> the caption, credit and rights its download carries
    words: Mapping[tuple[str, str, str], Words] = field(default_factory=dict)
    kits: Mapping[tuple[str, str], KitPlan] = field(default_factory=dict)  # (bundle, locale)
    kit_texts_made: int = 0  # kits whose release.txt this plan worked out (not kept)

    def kit_for_page(self, doc: Translation) -> PressKit | None:
        """The release's press kit in the page's locale, when it has one."""
        kit = self.kits.get((doc.bundle, doc.locale))
        return kit.kit if kit is not None else None

    def for_page(self, doc: Translation) -> Mapping[str, PhotoImage]:
        """src -> PhotoImage for one page; empty when it has no photos."""
        return self.pages.get((doc.bundle, doc.locale), _EMPTY)

    def crops_for_page(self, doc: Translation) -> tuple[Crop, ...]:
        """The article's JSON-LD ``image`` list: gallery order, then 16:9, 4:3, 1:1."""
        return self.crops.get((doc.bundle, doc.locale), ())

    @property
    def variant_count(self) -> int:
        return sum(len(pi.variants) for page in self.pages.values() for pi in page.values())


_EMPTY: Mapping[str, PhotoImage] = MappingProxyType({})


@dataclass(frozen=True)
class Uncredited:
    """A photo on a page with neither caption nor credit; str() is "file:line: src"."""

    doc: Translation
    photo: Photo

    def __str__(self) -> str:
        line = f":{self.photo.line}" if self.photo.line is not None else ""
        return f"{self.doc.path}{line}: {self.photo.src}"


@dataclass(frozen=True)
class Crop:
    """A centred crop of a gallery photo at one aspect ratio, for structured data."""

    photo: Photo  # caption and credit filled like the PhotoImage's
    ratio: tuple[int, int]  # (16, 9), (4, 3) or (1, 1)
    variant: Variant


@dataclass(frozen=True)
class ImageResult:
    """What ``process`` made: the files to publish and counts that prove skipped work."""

    files: tuple[OutputFile, ...]  # every published variant; source = its cache file
    processed: int  # source photos decoded
    cached: int  # source photos whose variants all came from the cache
    pruned: int  # cache files deleted because no page uses them any more
