"""Which platform built a page: fingerprints checked in one place.

Every module of ``crawler.pages`` may export ``PAGE_OBJECTS`` (page-object classes, each with a
``matches(url, soup)`` classmethod: generator meta, class names, URL shapes, portlet ids). They
are collected here, tried by descending ``priority`` (a version subclass outranks the layout it
extends), and the first match wins; :class:`~crawler.pages.generic.GenericPage` is the fallback.
"""

from __future__ import annotations

import importlib
import pkgutil

from bs4 import BeautifulSoup

from ..extract.html import soup_of
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


def page_class(url: str, soup: BeautifulSoup) -> type[PageObject]:
    """The page-object class for this page (:class:`GenericPage` when nothing matches)."""
    for platform in PLATFORMS:
        if platform.matches(url, soup):
            return platform
    return GenericPage


def page_object(url: str, html: str | bytes) -> PageObject:
    """Parse ``html`` once and wrap it in the page object of its platform."""
    soup = soup_of(html)
    return page_class(url, soup)(url, soup)


def is_duplicate_url(url: str) -> bool:
    """True when any known platform says ``url`` is a print/save/send-mail view of an article."""
    return any(platform.is_duplicate_url(url) for platform in PLATFORMS)

