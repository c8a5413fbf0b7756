"""Views of translations and tags, as templates see them: each field read is recorded
in the page's ``Reads`` (``dependencies``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from presssite.model import Tag, Translation

if TYPE_CHECKING:
    from presssite.render.dependencies import Reads

WHOLE = "*"  # a field name: everything of the source


class DocView:
    """A translation as a template sees it: each field read is recorded."""

    __slots__ = ("_doc", "_fields")

    def __init__(self, doc: Translation, fields: set[str]) -> None:
        self._doc = unwrap(doc)
        self._fields = fields

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._doc, name)
        self._fields.add(WHOLE if callable(found) else name)
        return found

    def __repr__(self) -> str:
        return f"DocView({self._doc.bundle!r}, {self._doc.locale!r})"


class TagView:
    """A tag as a template sees it: its releases are read as views, and recorded."""

    __slots__ = ("_tag", "_reads")

    def __init__(self, tag: Tag, reads: Reads) -> None:
        self._tag = tag
        self._reads = reads

    def __getattr__(self, name: str) -> Any:
        tag = self._tag
        self._reads.note(("tag", tag.locale, tag.slug), name)
        if name == "releases":
            return self._reads.docs(tag.releases)
        return getattr(tag, name)

    def __repr__(self) -> str:
        return f"TagView({self._tag.locale!r}, {self._tag.slug!r})"


def unwrap(doc: Any) -> Translation:
    """The translation behind a view (or the translation itself)."""
    found: Translation = doc._doc if isinstance(doc, DocView) else doc
    return found
