"""Which platform built a page: fingerprints checked in one place.

Each platform class offers ``matches(url, soup) -> bool`` (generator meta, class names, URL
shapes). The first match wins; :class:`~crawler.pages.base.PageObject` is the generic fallback.
"""

from __future__ import annotations

from bs4 import BeautifulSoup

from ..extract.html import soup_of
from .base import PageObject
from .nukeviet import NukeViet4

#: Platform page objects, most specific first.
PLATFORMS: tuple[type[PageObject], ...] = (NukeViet4,)


def page_class(url: str, soup: BeautifulSoup) -> type[PageObject]:
    """The page-object class for this page (the generic one when nothing matches)."""
    for platform in PLATFORMS:
        if platform.matches(url, soup):
            return platform
    return PageObject


def page_object(url: str, html: str | bytes) -> PageObject:
    """Parse ``html`` once and wrap it in the page object of its platform."""
    soup = soup_of(html)
    return page_class(url, soup)(url, soup)


def is_duplicate_url(url: str) -> bool:
    """True when any known platform says ``url`` is a print/save/send-mail view of an article."""
    return any(platform.is_duplicate_url(url) for platform in PLATFORMS)
