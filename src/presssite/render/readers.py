"""Which outputs read each document: the dev server's index of recorded dependencies.

An edit of a translation's words can change only the pages and feeds that read it
(``dependencies.Deps``); this index finds them without looking at every output's record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from presssite.render.dependencies import Deps, document_of


class Readers:
    """Which outputs (pages by path, feeds by name) read each translation and bundle.

    An index of recorded ``Deps``, made once for a dev server's session of edits and
    grown as outputs are made again (an entry left over from an earlier version only
    makes an output's key be checked once more).
    """

    def __init__(self, outputs: Mapping[str, Deps]) -> None:
        self.by: dict[tuple[str, str] | str, set[str]] = {}
        for name, deps in outputs.items():
            self.add(name, deps)

    def add(self, name: str, deps: Deps) -> None:
        for source, _fields in deps:
            about = document_of(source)
            if about is not None:
                self.by.setdefault(about, set()).add(name)

    def of(self, docs: Iterable[tuple[str, str]]) -> set[str]:
        """The outputs that read one of ``docs`` (bundle, locale): the translation itself,
        its photos, notices or status, or its bundle's translations."""
        out: set[str] = set()
        for bundle_id, locale in docs:
            out |= self.by.get((bundle_id, locale), set())
            out |= self.by.get(bundle_id, set())
        return out
