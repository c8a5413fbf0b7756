"""The words that mark a photo credit and a source line, in every locale of the site.

They are the theme's own labels ("Photo: %(credit)s", "Source: %(link)s") as the site's
catalogs translate them ("Foto", "Ảnh"; "Sumber", "Nguồn"), so a pasted article is read
with the words the site itself prints under its photos and releases; English, the
catalogs' ``msgid``, is always one of them.
"""

from __future__ import annotations

from presssite.importer.text import Labels
from presssite.messages import N_
from presssite.render import i18n
from presssite.settings import Settings

CREDIT_MSGID = N_("Photo: %(credit)s")
SOURCE_MSGID = N_("Source: %(link)s")


def labels(settings: Settings) -> Labels:
    """The credit and source words of the site's locales, English included."""
    catalogs = i18n.catalogs(settings).values()
    credit = [_word(CREDIT_MSGID)] + [_word(c.gettext(CREDIT_MSGID)) for c in catalogs]
    source = [_word(SOURCE_MSGID)] + [_word(c.gettext(SOURCE_MSGID)) for c in catalogs]
    return Labels(credit=_distinct(credit), source=_distinct(source))


def _word(message: str) -> str:
    """The label before the placeholder: "Foto: %(credit)s" -> "Foto"."""
    return message.split("%(", 1)[0].strip().rstrip(":：").strip()


def _distinct(words: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for w in words if w))
