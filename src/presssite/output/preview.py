"""The preview mark: an output that shows what the public must not see yet says so.

A build with drafts, with embargoed releases shown (the dev server), or with a clock
later than the real one (``--now`` in the future, to preview an embargo) is a preview.
Its output carries a small JSON file, ``.presssite-preview.json``, published with the
pages (so it is swapped in and out with them, and a later public build into the same
folder removes it); ``deploy --no-build`` reads it and refuses to publish such a folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from presssite.model import OutputFile

MARKER = ".presssite-preview.json"


@dataclass(frozen=True)
class Preview:
    """Why an output is not the public site."""

    drafts: bool  # drafts are shown
    embargoed: bool  # embargoed releases are shown (with a "not public" banner)
    clock: str | None  # the build clock, ISO 8601, when it was ahead of the real one

    def reasons(self) -> str:
        """The reasons in words, for messages: "drafts shown, clock 2026-02-02T09:00:00+07:00"."""
        words = []
        if self.drafts:
            words.append("drafts shown (--drafts)")
        if self.embargoed:
            words.append("embargoed releases shown")
        if self.clock:
            words.append(f"built with --now {self.clock}, ahead of the real clock")
        return ", ".join(words) or "a preview"


def preview_of(
    *, include_drafts: bool, show_embargoed: bool, now: datetime, real_now: datetime
) -> Preview | None:
    """The preview a build makes with these flags and clocks; None for the public site."""
    ahead = now > real_now
    if not (include_drafts or show_embargoed or ahead):
        return None
    return Preview(
        drafts=include_drafts,
        embargoed=show_embargoed,
        clock=now.isoformat() if ahead else None,
    )


def marker(preview: Preview) -> OutputFile:
    """The marker file published with a preview's pages."""
    data = {"drafts": preview.drafts, "embargoed": preview.embargoed, "clock": preview.clock}
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    return OutputFile(path=MARKER, data=text.encode("utf-8"))


def read(folder: Path) -> Preview | None:
    """The preview an output folder holds, None when it is a public build.

    A marker that cannot be read still marks a preview: a folder is deployable only
    when it has none.
    """
    path = folder / MARKER
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Preview(
            drafts=bool(data.get("drafts")),
            embargoed=bool(data.get("embargoed")),
            clock=str(data["clock"]) if data.get("clock") else None,
        )
    except (OSError, ValueError, AttributeError):
        return Preview(drafts=False, embargoed=False, clock=None)
