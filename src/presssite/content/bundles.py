"""Every bundle of the site as written, for commands that look at the content itself."""

from __future__ import annotations

from presssite.errors import raise_all
from presssite.model import Bundle
from presssite.settings import Settings


def load_bundles(settings: Settings) -> tuple[Bundle, ...]:
    """Every bundle, drafts and embargoed translations included (``presssite embargoes``
    and ``translations`` look at the content rather than the public site); content
    errors are raised as in a build."""
    from presssite.content import load as content

    loaded = content.load(settings)
    raise_all(loaded.errors)
    return loaded.bundles
