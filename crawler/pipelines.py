"""Validate archived pages and hand them to ``archive.store`` (no SQL here)."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict
from urllib.parse import urlsplit

from archive import store

from . import portals
from .extract.dates import now_iso
from .items import Article, ArchivedPage

logger = logging.getLogger(__name__)


def problems(article: Article) -> list[str]:
    """Why an extracted article must not be stored (empty list: fine)."""
    found = []
    if not article.title:
        found.append("no title")
    if not article.body_text and not article.images:
        found.append("empty body")
    if urlsplit(article.url).scheme not in ("http", "https"):
        found.append(f"bad url {article.url!r}")
    return found


class ArchivePipeline:
    """Writes each :class:`~crawler.items.ArchivedPage` to the SQLite archive; records the run."""

    def __init__(self, db_path: str, crawler=None):
        self.db_path = db_path
        self.crawler = crawler
        self.counts: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("ARCHIVE_DB"), crawler)

    def open_spider(self, spider=None):
        self.registry = portals.load()
        self.db = store.open_db(self.db_path)
        spider = spider or self.crawler.spider
        self.run_id = store.start_crawl_run(self.db, spider.start_urls, now_iso())

    def process_item(self, item, spider=None):
        if not isinstance(item, ArchivedPage):
            return item
        store.save_snapshot(self.db, asdict(item.snapshot), self.run_id)
        article = item.article
        if article is None:
            return item
        issues = problems(article)
        if issues:
            self.counts["failures"] += 1
            logger.warning("not archived %s: %s", article.url, ", ".join(issues))
            return item
        parts = urlsplit(article.url)
        seen_at = item.snapshot.fetched_at
        registered = portals.for_host(item.host, self.registry)
        slug = registered.slug if registered else item.host
        store.save_portal(self.db, slug, name=registered.name if registered else article.site_name,
                          province=registered.province if registered else None,
                          base_url=f"{parts.scheme}://{parts.netloc}/", platform=article.platform, seen_at=seen_at)
        outcome = store.save_article(self.db, article.to_dict(), portal=slug, seen_at=seen_at)
        self.counts[f"articles_{outcome}"] += 1
        yields = getattr(spider or self.crawler.spider, "yields", None)
        if yields is not None:
            yields.article(item.start_url, article.extracted_by, dated=bool(article.published_at))
        logger.info("%s article %s", outcome, article.url)
        return item

    def close_spider(self, spider=None):
        spider = spider or self.crawler.spider
        stats = self.crawler.stats if self.crawler else None
        counts = dict(self.counts)
        counts["failures"] = counts.get("failures", 0) + getattr(spider, "failures", 0)
        counts["pages_fetched"] = stats.get_value("response_received_count", 0) if stats else 0
        yields = getattr(spider, "yields", None)
        self.yields = yields.as_list() if yields else []
        self.warnings = yields.warnings() if yields else []
        for warning in self.warnings:
            logger.warning("%s", warning)
        store.finish_crawl_run(self.db, self.run_id, now_iso(), counts, start_url_yields=self.yields,
                               warnings=self.warnings)
        self.summary = counts
        if stats:
            for key, value in counts.items():
                stats.set_value(f"newsarchive/{key}", value)
        self.db.close()
