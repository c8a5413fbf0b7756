"""Social cards and structured data of a release: Open Graph, Twitter and NewsArticle.

Everything a link preview (Facebook, X, WhatsApp, Telegram) or a search engine reads
from a release's ``<head>`` is computed here, from the model alone, as plain values:
the template only prints them. Every URL is absolute under ``base_url``, because these
values are read by machines outside the site, never resolved against the page.

Translations are linked the schema.org way: the bundle's default-locale translation is
*the work* (``workTranslation`` lists the others) and every other translation is a
``translationOfWork`` of it. When the default locale is missing, the first translation in
the site's locale order stands in as the work, so the links stay a tree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from presssite import urls
from presssite.model import Bundle, Photo, PhotoImage, Translation, Variant
from presssite.render import i18n
from presssite.render.context import iso
from presssite.settings import Settings

TWITTER_LARGE = "summary_large_image"  # a wide photo above the title
TWITTER_SMALL = "summary"  # a text card, for a release without photos


@dataclass(frozen=True)
class CardImage:
    """The image of a link preview: an absolute URL with its pixel size."""

    url: str
    width: int
    height: int
    mime: str
    alt: str


@dataclass(frozen=True)
class Card:
    """The ``<head>`` values of a release's social card and structured data."""

    og_locale: str  # "id_ID"
    og_alternates: tuple[str, ...]  # the other published translations' og:locale
    image: CardImage | None  # the lead photo, about 1200 px wide
    published: str  # ISO 8601 with offset
    modified: str  # "" unless the release has ``updated:``
    expires: str  # "" unless the release has ``expires:``
    tags: tuple[str, ...]  # article:tag
    twitter_card: str  # TWITTER_LARGE with a photo, else TWITTER_SMALL
    jsonld: Mapping[str, Any]  # the NewsArticle, ready for ``|tojson``


def card(
    settings: Settings,
    bundle: Bundle,
    doc: Translation,
    *,
    photos: Mapping[str, PhotoImage],
    crops: Sequence[tuple[Photo, Variant]] = (),
    tz: tzinfo,
) -> Card:
    """The social card of ``doc`` (a published translation of ``bundle``).

    ``photos`` are the page's planned images by ``src``; ``crops`` are the lead photos'
    structured-data crops (16:9, 4:3, 1:1) with their photo, when the image stage made any.
    """
    lead = photos.get(doc.lead_photo.src) if doc.lead_photo is not None else None
    image = _card_image(settings, lead) if lead is not None else None
    published = iso(doc.date, tz)
    modified = iso(doc.updated, tz) if doc.updated is not None else ""
    others = [t for loc, t in bundle.translations.items() if loc != doc.locale]
    return Card(
        og_locale=i18n.og_locale(doc.locale),
        og_alternates=tuple(i18n.og_locale(t.locale) for t in others),
        image=image,
        published=published,
        modified=modified,
        expires=iso(doc.expires, tz) if doc.expires is not None else "",
        tags=tuple(dict.fromkeys(doc.tags)),
        twitter_card=TWITTER_LARGE if image is not None else TWITTER_SMALL,
        jsonld=news_article(settings, bundle, doc, lead=lead, crops=crops, tz=tz),
    )


def news_article(
    settings: Settings,
    bundle: Bundle,
    doc: Translation,
    *,
    lead: PhotoImage | None,
    crops: Sequence[tuple[Photo, Variant]],
    tz: tzinfo,
) -> dict[str, Any]:
    """The schema.org ``NewsArticle`` of a translation, with absolute URLs only."""
    s = settings
    url = urls.absolute(s, doc.url)
    organization = _organization(s, doc.locale)
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": article_id(settings, doc),
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": doc.title,
        "inLanguage": doc.locale,
        "datePublished": iso(doc.date, tz),
        "dateModified": iso(doc.last_changed, tz),
        "author": organization,
        "publisher": organization,
    }
    if doc.summary:
        article["description"] = doc.summary
    if doc.tags:
        article["keywords"] = list(dict.fromkeys(doc.tags))
    if doc.expires is not None:
        article["expires"] = iso(doc.expires, tz)
    images = _images(s, lead, crops)
    if images:
        article["image"] = images
    if doc.source is not None:
        article["isBasedOn"] = doc.source.url
    article.update(_translation_links(s, bundle, doc))
    return article


def _card_image(settings: Settings, lead: PhotoImage) -> CardImage:
    variant = lead.social or lead.large
    return CardImage(
        url=urls.absolute(settings, variant.url),
        width=variant.width,
        height=variant.height,
        mime=variant.mime,
        alt=lead.photo.alt,
    )


def _organization(settings: Settings, locale: str) -> dict[str, Any]:
    """The publisher (also the author: a press release speaks for the organization)."""
    name = settings.localized(settings.publisher.name, locale) or settings.localized(
        settings.title, locale
    )
    org: dict[str, Any] = {
        "@type": "Organization",
        "name": name,
        "url": urls.absolute(settings, urls.home(settings, locale)),
    }
    if settings.publisher.logo:
        logo = urls.url_for_output(settings, settings.publisher.logo.lstrip("/"))
        org["logo"] = {"@type": "ImageObject", "url": urls.absolute(settings, logo)}
    return org


def _images(
    settings: Settings, lead: PhotoImage | None, crops: Sequence[tuple[Photo, Variant]]
) -> list[dict[str, Any]]:
    """The crops (16:9, 4:3, 1:1) when planned, else the lead photo's largest variant."""
    chosen = list(crops) or ([(lead.photo, lead.large)] if lead is not None else [])
    out: list[dict[str, Any]] = []
    for photo, variant in chosen:
        entry: dict[str, Any] = {
            "@type": "ImageObject",
            "url": urls.absolute(settings, variant.url),
            "width": variant.width,
            "height": variant.height,
        }
        if photo.caption:
            entry["caption"] = photo.caption
        if photo.credit:
            entry["creditText"] = photo.credit
        out.append(entry)
    return out


def _translation_links(settings: Settings, bundle: Bundle, doc: Translation) -> dict[str, Any]:
    """``workTranslation`` on the work, ``translationOfWork`` on every translation of it."""
    work = bundle.translations.get(settings.default_locale) or next(
        (bundle.translations[loc] for loc in settings.locales if loc in bundle.translations),
        None,
    )
    if work is None or len(bundle.translations) < 2:
        return {}
    if doc.locale == work.locale:
        return {
            "workTranslation": [
                _ref(settings, t) for loc, t in bundle.translations.items() if loc != work.locale
            ]
        }
    return {"translationOfWork": _ref(settings, work)}


def article_id(settings: Settings, doc: Translation) -> str:
    """The JSON-LD node id of a translation's article (its page is the bare URL)."""
    return urls.absolute(settings, doc.url) + "#article"


def _ref(settings: Settings, doc: Translation) -> dict[str, Any]:
    return {
        "@type": "NewsArticle",
        "@id": article_id(settings, doc),
        "url": urls.absolute(settings, doc.url),
        "inLanguage": doc.locale,
    }
