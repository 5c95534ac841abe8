"""Page objects: ``(url, html)`` → Article | Listing | NotArticle. No Scrapy, no I/O.

Use :func:`parse_page` for the whole job, or :func:`crawler.pages.detect.page_object` to reach a
page object's individual fields.
"""

from __future__ import annotations

from ..items import Article, Listing, NotArticle
from .detect import is_duplicate_url, page_object


def parse_page(url: str, html: str | bytes, expect: str | None = None) -> Article | Listing | NotArticle:
    """Detect the platform of the page at ``url`` and extract it (``expect``: see ``PageObject.parse``)."""
    return page_object(url, html).parse(expect)


__all__ = ["parse_page", "page_object", "is_duplicate_url"]
