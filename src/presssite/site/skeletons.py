"""Published documents that still hold what ``presssite new`` wrote for the editor."""

from __future__ import annotations

from typing import Any

from presssite.content import skeleton
from presssite.model import Site, own_body
from presssite.site.assemble import is_public


def unfinished(site: Site, bodies: Any) -> list[str]:
    """What the build warns about: every public document's leftovers of the skeleton
    (``content.skeleton``: a title marked for translation, an empty summary, the
    placeholder body), as "file:line: what"."""
    out: list[str] = []
    for doc in site.translations():
        if is_public(doc, site.now):
            body = bodies.get(doc) if bodies is not None else own_body(doc)
            out.extend(str(problem) for problem in skeleton.unfinished(doc, body))
    return out
