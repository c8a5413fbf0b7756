"""The placeholders of a new document's skeleton, and how a build finds them left in.

``presssite new`` writes a draft whose title is marked for translation in every locale
but the default one, whose summary is empty and whose body is a placeholder line
(``scaffold.new_document``). Publishing it unchanged would put the marks on the site,
so a build warns, naming the file and the line, about every published document that
still holds one of them or an empty summary (the summary is the release's lead
paragraph, its teaser and its description for search engines).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from presssite.model import Translation

TITLE_MARK = "[translate] "  # before a skeleton's title in a locale it must be translated to
BODY_PLACEHOLDER = "Write the release here"  # the skeleton body's one line starts so


@dataclass(frozen=True)
class Unfinished:
    """A published document that still holds a skeleton's placeholder; str() says where."""

    path: Path
    line: int | None
    what: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.what}"


def title(title: str, *, translate: bool) -> str:
    """A skeleton's title: marked when it is still to be translated into the locale."""
    return TITLE_MARK + title if translate else title


def body(locale: str) -> str:
    return f"{BODY_PLACEHOLDER} ({locale}).\n"


def unfinished(doc: Translation, body_html: str) -> list[Unfinished]:
    """What of the skeleton ``doc`` still holds: a marked title, an empty summary, the
    placeholder body."""
    out = []
    if doc.title.startswith(TITLE_MARK.strip()):
        out.append(
            Unfinished(
                doc.path, doc.lines.get("title"), "the title is still marked for translation"
            )
        )
    if not doc.summary.strip():
        out.append(
            Unfinished(
                doc.path,
                doc.lines.get("summary"),
                "the summary is empty: it is the release's lead paragraph; write one",
            )
        )
    if BODY_PLACEHOLDER in body_html:
        out.append(
            Unfinished(
                doc.path, _line_of(doc.path, BODY_PLACEHOLDER), "the body is still the placeholder"
            )
        )
    return out


def _line_of(path: Path, text: str) -> int | None:
    try:
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if text in line:
                return number
    except (OSError, UnicodeDecodeError):
        return None
    return None
