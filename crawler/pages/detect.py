"""Which platform built a page: fingerprints checked in one place.

Every module of ``crawler.pages`` may export ``PAGE_OBJECTS`` (page-object classes, each with a
``matches(url, soup)`` classmethod: generator meta, class names, URL shapes, portlet ids). They
are collected here, tried by descending ``priority``, and the first match wins;
:class:`~crawler.pages.generic.GenericPage` is the fallback.

Precedence is the priority alone: a more specific page object ranks higher than one that would
also claim its pages (a version subclass above the layout it extends, NukeViet 3 above 4; Tân
Dân's ePortal above SharePoint's page objects), so no module needs another's fingerprint. Page
objects of different platforms never share the top priority among a page's matches
(``tests/test_pages.py`` checks every fixture page); module order is never what decides.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from bs4 import BeautifulSoup

from ..extract.body import soup_of
from .base import PageObject
from .generic import GenericPage


def _discover() -> tuple[type[PageObject], ...]:
    package = importlib.import_module(__package__)
    found: list[type[PageObject]] = []
    for module in pkgutil.iter_modules(package.__path__):
        if module.name in ("base", "detect", "generic"):
            continue
        found.extend(getattr(importlib.import_module(f"{__package__}.{module.name}"), "PAGE_OBJECTS", ()))
    return tuple(sorted(found, key=lambda cls: (-cls.priority, cls.__module__, cls.__name__)))


#: Platform page objects, in detection order.
PLATFORMS: tuple[type[PageObject], ...] = _discover()


#: Page-object class name → class, for :func:`page_class`'s ``hint``.
BY_NAME: dict[str, type[PageObject]] = {cls.__name__: cls for cls in PLATFORMS}


def page_class(url: str, soup: BeautifulSoup, hint: str | None = None) -> type[PageObject]:
    """The page-object class for this page (:class:`GenericPage` when nothing matches).

    ``hint``: the class name detected on the same host's earlier pages (detection once per
    portal). Its platform's page objects are tried first, in their usual order (a 3.x page on a
    host seen as 4.x still gets the 3.x page object, a SharePoint list form on a host of
    publishing pages the list form's); only a page none of them fits goes through every other
    platform's fingerprints."""
    hinted = BY_NAME.get(hint) if hint else None
    family = [cls for cls in PLATFORMS if cls.platform == hinted.platform] if hinted else []
    for platform in family:
        if platform.matches(url, soup):
            # what outranks it still comes first (Tân Dân's ePortal on a host of SharePoint pages)
            above = (cls for cls in PLATFORMS if cls not in family and cls.priority > platform.priority)
            return next((cls for cls in above if cls.matches(url, soup)), platform)
    for platform in PLATFORMS:
        if platform not in family and platform.matches(url, soup):
            return platform
    return GenericPage


def page_object(url: str, html: str | bytes) -> PageObject:
    """Parse ``html`` once and wrap it in the page object of its platform."""
    soup = soup_of(html)
    return page_class(url, soup)(url, soup)


@lru_cache(maxsize=2048)
def is_duplicate_url(url: str) -> bool:
    """True when any known platform says ``url`` is a print/save/send-mail view of an article
    (kept for the last URLs asked: the crawl asks of every link it finds, again and again)."""
    return any(platform.is_duplicate_url(url) for platform in PLATFORMS)

