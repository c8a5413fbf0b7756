"""The one rule for files no site wants published or watched.

Editors, operating systems and tools leave files beside the ones a user writes: backups
(``style.css~``), Emacs locks and autosaves (``.#style.css``, ``#style.css#``), Vim swap
files and its write probe (``.style.css.swp``, ``4913``), ``sed -i``'s temporary file
(``sedAb12Cd``, renamed over the real one a moment later), Finder's ``.DS_Store`` and
Explorer's ``Thumbs.db``. Publishing them leaks drafts of a file and clutters the site;
taking their creation for a change makes the dev server rebuild everything. Hidden names
(a dot first) are never published either. Static files, bundle files and the dev server's
watcher all ask ``unwanted()``, so the list lives here only.
"""

from __future__ import annotations

import re
from pathlib import PurePath

_LEFTOVER = re.compile(
    r"""(
        ~$                        # backup: style.css~
      | ^\#.*\#$                  # Emacs autosave: #style.css#
      | \.sw[a-p]$                # Vim swap: .style.css.swp, .swo, ...
      | ^4913$                    # Vim's probe that the folder is writable
      | ^sed[A-Za-z0-9]{6}$       # sed -i's temporary file
      | \.tmp$                    # editors' and downloaders' temporary files
      | ^(Thumbs\.db|ehthumbs\.db|desktop\.ini)$   # Windows Explorer
    )""",
    re.VERBOSE | re.IGNORECASE,
)


def unwanted(name: str) -> bool:
    """True for a file or folder name that is hidden or an editor's or system's leftover.

    Hidden names include ``.DS_Store``, Emacs locks (``.#x``) and Vim swap files.
    """
    return name.startswith(".") or bool(_LEFTOVER.search(name))


def unwanted_path(rel: PurePath) -> bool:
    """True when any part of a relative path is ``unwanted()``: a file in a hidden folder
    is as unpublished as a hidden file."""
    return any(unwanted(part) for part in rel.parts)
