"""Page objects: ``(url, html)`` → Article | Listing | NotArticle. No Scrapy, no I/O.

Use :func:`parse_page` for the whole job (platform detection, then the fallback cascade of
:mod:`crawler.pages.cascade`), or :func:`crawler.pages.detect.page_object` to reach one page
object's individual fields.
"""

from __future__ import annotations

from .cascade import parse_page, read_page
from .detect import is_duplicate_url, page_object

__all__ = ["parse_page", "read_page", "page_object", "is_duplicate_url"]
