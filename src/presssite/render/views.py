"""Views of translations and tags, as templates see them: each field read is recorded
in the page's ``Reads`` (``dependencies``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

from presssite.model import Tag, Translation

if TYPE_CHECKING:
    from presssite.render.reads import Reads

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
            return Views(tag.releases, self._reads)
        return getattr(tag, name)

    def __repr__(self) -> str:
        return f"TagView({self._tag.locale!r}, {self._tag.slug!r})"


class Views(Sequence[Translation]):
    """Translations as views, each made when it is read: a template that counts a
    tag's thousand releases (``tag.releases|length``) or shows its first few makes no
    view of the others (on every page of a large site, that was most of its render)."""

    __slots__ = ("_docs", "_reads")

    def __init__(self, docs: Sequence[Translation], reads: Reads) -> None:
        self._docs = docs
        self._reads = reads

    def __len__(self) -> int:
        return len(self._docs)

    @overload
    def __getitem__(self, index: int) -> Translation: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Translation]: ...

    def __getitem__(self, index: int | slice) -> Translation | Sequence[Translation]:
        if isinstance(index, slice):
            return self._reads.docs(self._docs[index])
        return self._reads.doc(self._docs[index])

    def __iter__(self) -> Iterator[Translation]:
        return (self._reads.doc(doc) for doc in self._docs)

    def __repr__(self) -> str:
        return f"Views({len(self._docs)})"


def unwrap(doc: Any) -> Translation:
    """The translation behind a view (or the translation itself)."""
    found: Translation = doc._doc if isinstance(doc, DocView) else doc
    return found
