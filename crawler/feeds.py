"""Scrapy feed exports (``scrapy crawl portal -a start_url=URL -O items.jsonl``): one JSON object per
archived article.

The spider's items are the crawl's bookkeeping as well as its articles (:mod:`crawler.items`):
an :class:`~crawler.items.ArchivedPage` carries the raw response (bytes, which JSON cannot hold),
and :class:`~crawler.items.ArticleCheck` / :class:`~crawler.items.ListingWalk` are progress
records. The exporters below write only the pages that parsed as articles, as the article's
fields (:meth:`crawler.items.Article.to_dict`) plus ``fetched_at`` and ``http_status`` of the
response; the raw response stays in the archive's ``snapshots`` table.
"""

from __future__ import annotations

from typing import Any

from scrapy.exporters import CsvItemExporter, JsonItemExporter, JsonLinesItemExporter, XmlItemExporter

from .items import ArchivedPage


def exported(item: Any) -> dict[str, Any] | None:
    """The object a feed holds for ``item``, or ``None`` for items that are not articles."""
    if not isinstance(item, ArchivedPage) or item.article is None:
        return None
    return {**item.article.to_dict(), "fetched_at": item.snapshot.fetched_at, "http_status": item.snapshot.status}


class _ArticlesOnly:
    def export_item(self, item: Any) -> None:
        row = exported(item)
        if row is not None:
            super().export_item(row)  # type: ignore[misc]  # a mixin: the exporter class after it in the MRO


class ArticleJsonLinesExporter(_ArticlesOnly, JsonLinesItemExporter):
    """``.jsonl`` / ``jsonlines``: one article per line."""


class ArticleJsonExporter(_ArticlesOnly, JsonItemExporter):
    """``.json``: a list of articles."""


class ArticleCsvExporter(_ArticlesOnly, CsvItemExporter):
    """``.csv``: one article per row (lists and mappings as their Python text)."""


class ArticleXmlExporter(_ArticlesOnly, XmlItemExporter):
    """``.xml``: one ``<item>`` per article."""
