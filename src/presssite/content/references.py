"""The links and images of a Markdown body: classified, checked, rewritten to placeholders.

A local reference is one to a file of the bundle (a photo, an attachment) or to a
translation (``index.<locale>.md``) of this or another bundle: it becomes a placeholder
(``placeholders``), since its URL is known only once the site is assembled. URLs with a
scheme, ``//host`` URLs and ``#fragment`` links are left alone; site-absolute paths
("/id/tags/x/") are left alone but recorded so a later stage can check them. Every
local reference is recorded with its 1-based line in the file, and every broken one
becomes a ``ContentError`` (all of them, not only the first).
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote

from markdown_it.token import Token

from presssite.content import placeholders
from presssite.errors import ContentError
from presssite.model import Reference
from presssite.settings import Settings

TRANSLATION_FILE = re.compile(r"^index\.([^./\\]+)\.md$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# First segments of the site paths presssite writes, besides the locales.
_SITE_ROOTS = frozenset({"static", "sitemap.xml", "robots.txt", "404.html", "favicon.ico"})


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


class References:
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
                        child.attrSet("src", placeholders.photo(local))
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
        return placeholders.file(local, suffix)

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
        return placeholders.doc(bundle, match.group(1), fragment)
