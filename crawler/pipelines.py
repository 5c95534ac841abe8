"""Validate what the spider hands over and give it to ``archive.store`` (no SQL here)."""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import time
from collections import Counter
from dataclasses import asdict
from urllib.parse import urlsplit

from scrapy import signals
from twisted.internet import task

from archive import store
from archive.media import media_dir

from . import portals
from .extract.dates import now_iso
from .extract.urls import host_of
from .items import Article, ArchivedPage, ArticleCheck, ListingWalk, MediaFile, PageFailure

logger = logging.getLogger(__name__)

#: The one counter of a crawl's failures (pages that failed, pages not archived, items not
#: saved), in Scrapy's stats: the spider and the pipeline both count there.
FAILURES = "newsarchive/failures"


class LocalStats:
    """The part of Scrapy's stats collector the pipeline uses, for a pipeline run without a
    crawl (the crawl fleet's writer, the benches)."""

    def __init__(self):
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] += count

    def get_value(self, key: str, default=None):
        return self.values.get(key, default)

    def set_value(self, key: str, value) -> None:
        self.values[key] = value


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
    """Writes each :class:`~crawler.items.ArchivedPage`, :class:`~crawler.items.ArticleCheck`,
    :class:`~crawler.items.ListingWalk` and :class:`~crawler.items.PageFailure` to the SQLite
    archive; records the run, its counters with every batch of items, its end, and each portal's
    part of it (``crawl_portal_runs``).

    Items are written in batches: one transaction holds up to ``batch_items`` items (setting
    ``ARCHIVE_BATCH_ITEMS``, default 100) and is committed when it has them or is
    ``batch_seconds`` old (``ARCHIVE_BATCH_SECONDS``, default 1; checked on every item and every
    ``batch_seconds`` while the crawl waits), and when the crawl ends, however it ends but
    ``kill -9``. The run's counters are written in the same transaction as the items they count,
    so a crawl killed without warning leaves an archive whose run record counts exactly what it
    holds; it loses at most the last batch, which the next crawl fetches again."""

    def __init__(self, db_path: str, crawler=None, batch_items: int = 100, batch_seconds: float = 1.0):
        self.db_path = db_path
        self.media_root = media_dir(db_path) if db_path else None  #: image and attachment files
        self.crawler = crawler
        self.counts: Counter[str] = Counter()
        #: the crawl's stats (where failures are counted, :data:`FAILURES`); its own without a crawl
        self.stats = crawler.stats if crawler is not None and crawler.stats is not None else LocalStats()
        self.portal_counts: dict[str, Counter] = {}  #: portal slug → counters of its articles
        self.batch_items = max(1, batch_items)
        self.batch_seconds = batch_seconds
        self._batch: list[str] = []  #: what the open transaction holds (for the message if its commit fails)
        self._batch_started = 0.0
        self._committer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings.get("ARCHIVE_DB"), crawler,
                       batch_items=crawler.settings.getint("ARCHIVE_BATCH_ITEMS", 100),
                       batch_seconds=crawler.settings.getfloat("ARCHIVE_BATCH_SECONDS", 1.0))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider=None):
        self.open_run((spider or self.crawler.spider).start_urls)

    def open_run(self, start_urls: list[str]) -> None:
        """Open the archive and record a crawl run of ``start_urls`` (a crawl's, or a fleet's run
        for its writer, :mod:`crawler.ingest`)."""
        self.registry = portals.load()
        self.db = store.open_db(self.db_path)
        for run in store.running_crawl_runs(self.db):
            if run["hostname"] in (None, socket.gethostname()) and not _alive(run["pid"]):
                store.close_interrupted_run(self.db, run["id"])
                logger.warning("crawl run %d (started %s) was killed before it finished: closed as interrupted, "
                               "with the counts it had saved", run["id"], run["started_at"])
        self.run_id = store.start_crawl_run(self.db, start_urls, now_iso(), pid=os.getpid(),
                                            hostname=socket.gethostname())
        if self.crawler is not None and self.batch_seconds > 0:  # a batch left open while the crawl waits
            self._committer = task.LoopingCall(self._commit_if_due)
            self._committer.start(self.batch_seconds, now=False)

    # --- batches -----------------------------------------------------------------------------

    def _begin(self) -> None:
        if not self.db.conn.in_transaction:
            self.db.conn.execute("BEGIN")
            self._batch_started = time.monotonic()

    def _commit_if_due(self) -> None:
        if self._batch and (len(self._batch) >= self.batch_items
                            or time.monotonic() - self._batch_started >= self.batch_seconds):
            self.commit()

    def commit(self) -> None:
        """Commit the open batch. If that fails (the disk is full…), its items are counted as
        failures and named in the log: never lost silently."""
        held, self._batch = self._batch, []
        if not self.db.conn.in_transaction:
            return
        try:
            if held:  # the run's counters, saved with the items they count
                store.record_crawl_progress(self.db, self.run_id, now_iso(), self._run_counts())
            self.db.conn.commit()
        except sqlite3.Error as error:
            self.db.conn.rollback()
            self.count_failure(len(held))
            logger.error("could not save the last %d items (%s): %s", len(held), ", ".join(held[:5])
                         + (", …" if len(held) > 5 else ""), error)

    def process_item(self, item, spider=None):
        spider = spider or (self.crawler.spider if self.crawler else None)
        self._begin()
        try:
            if isinstance(item, ListingWalk):
                store.record_listing_walk(self.db, item.start_url, pages_read=item.pages_read, complete=item.complete,
                                          crawl_run_id=self.run_id, at=now_iso())
            elif isinstance(item, ArticleCheck):
                self._check(item)
            elif isinstance(item, ArchivedPage):
                self._archive(item, spider)
            elif isinstance(item, MediaFile):
                if self.media_root is None:  # a pipeline opened without an archive path
                    raise ValueError(f"{item.url}: no archive to keep media files beside")
                if store.save_media(self.db, self.media_root, asdict(item)) == "stored":
                    self.stats.inc_value("newsarchive/media_stored")
            elif isinstance(item, PageFailure):
                store.record_failure(self.db, crawl_run_id=self.run_id, portal=self._slug(host_of(item.url)),
                                     url=item.url, kind=item.kind, reason=item.reason, at=now_iso())
            else:
                return item
        except sqlite3.Error as error:  # the disk is full, the file went away…: counted, never silent
            self.count_failure()
            logger.error("could not save %s: %s", _what(item), error)
            if self._batch and not self.db.conn.in_transaction:  # the error rolled the whole batch back
                self.count_failure(len(self._batch))
                logger.error("the %d items saved before it in the same transaction were lost with it: %s",
                             len(self._batch), ", ".join(self._batch[:5]) + (", …" if len(self._batch) > 5 else ""))
                self._batch = []
        else:
            self._batch.append(_what(item))
        self._commit_if_due()
        return item

    def _slug(self, host: str) -> str:
        registered = portals.for_host(host, self.registry)
        return registered.slug if registered else host

    def _count(self, host: str, key: str) -> None:
        self.counts[key] += 1
        self.portal_counts.setdefault(self._slug(host), Counter())[key] += 1

    def _check(self, check: ArticleCheck) -> None:
        store.resolve_failures(self.db, [check.url], check.checked_at)
        if check.outcome == "not_modified":
            store.mark_not_modified(self.db, check.url, check.checked_at)
            self._count(host_of(check.url), "not_modified")
            logger.debug("not modified %s", check.url)
        elif store.mark_taken_down(self.db, check.url, check.checked_at, check.reason or f"HTTP {check.status}"):
            self._count(host_of(check.url), "articles_taken_down")
            logger.info("taken down %s (%s)", check.url, check.reason)

    def _archive(self, item: ArchivedPage, spider) -> None:
        snapshot = asdict(item.snapshot)
        article = item.article
        if article is None:
            store.save_snapshot(self.db, snapshot, self.run_id)
            return
        issues = problems(article)
        if issues:
            store.save_snapshot(self.db, snapshot, self.run_id)
            self.count_failure()
            logger.warning("not archived %s: %s", article.url, ", ".join(issues))
            return
        parts = urlsplit(article.url)
        seen_at = item.snapshot.fetched_at
        registered = portals.for_host(item.host, self.registry)
        slug = registered.slug if registered else item.host
        store.save_portal(self.db, slug, name=registered.name if registered else article.site_name,
                          province=registered.province if registered else None,
                          base_url=f"{parts.scheme}://{parts.netloc}/", platform=article.platform, seen_at=seen_at)
        headers = {name.lower(): value for name, value in item.snapshot.headers.items()}
        outcome = store.save_article(self.db, article.to_dict(), portal=slug, seen_at=seen_at, aliases=item.aliases,
                                     fetch_url=item.snapshot.requested_url, etag=headers.get("etag"),
                                     last_modified=headers.get("last-modified"))
        if outcome != "unchanged" or not store.has_snapshot(self.db, article.url):
            store.save_snapshot(self.db, snapshot, self.run_id)  # the response that brought this version
        store.resolve_failures(self.db, [item.snapshot.requested_url or article.url, article.url, *item.aliases],
                               seen_at)
        self._count(item.host, f"articles_{outcome}")
        item.outcome = outcome
        yields = getattr(spider, "yields", None)
        if yields is not None:
            yields.article(item.start_url, article.extracted_by, dated=bool(article.published_at))
        logger.debug("%s article %s", outcome, article.url)

    def count_failure(self, n: int = 1) -> None:
        """``n`` more failures of the crawl: one counter (:data:`FAILURES`) for the spider's and
        the pipeline's, the run's ``failures``."""
        self.stats.inc_value(FAILURES, n)

    def _run_counts(self) -> dict[str, int]:
        counts = dict(self.counts)
        counts["failures"] = self.stats.get_value(FAILURES, 0)
        counts["requests"] = self.stats.get_value("downloader/request_count", 0)
        counts["pages_fetched"] = self.stats.get_value("response_received_count", 0)
        return counts

    def close_spider(self, spider=None):
        """Nothing: the run is closed on ``spider_closed``, which knows why the crawl ended."""

    def spider_closed(self, spider, reason):
        if self._committer is not None and self._committer.running:
            self._committer.stop()
        self.commit()
        counts = self._run_counts()
        status = {"finished": "finished", "shutdown": "interrupted"}.get(reason, "stopped")
        at = now_iso()
        for start_url, pages in getattr(spider, "walk_pages", {}).items():
            if status == "finished" and spider.walk_complete(start_url):
                store.record_listing_walk(self.db, start_url, pages_read=pages, complete=True,
                                          crawl_run_id=self.run_id, at=at)
        yields = getattr(spider, "yields", None)
        self.yields = yields.as_list() if yields else []
        self.warnings = yields.warnings() if yields else []
        for warning in self.warnings:
            logger.warning("%s", warning)
        store.finish_crawl_run(self.db, self.run_id, at, counts, status=status, start_url_yields=self.yields,
                               warnings=self.warnings)
        health = getattr(spider, "health", None)
        for portal in health.portals(spider.max_failure_rate) if health else []:
            mine = self.portal_counts.get(portal["portal"], Counter())
            listing_pages = sum(y["listing_pages"] for y in self.yields if y["start_url"] in portal["start_urls"])
            store.record_portal_run(self.db, self.run_id, {
                "portal": portal["portal"], "start_urls": portal["start_urls"], "requests": portal["requests"],
                "listing_pages": listing_pages, "failures": portal["failures"], "failure_rate": portal["failure_rate"],
                **{key: mine[key] for key in ("articles_new", "articles_updated", "articles_unchanged",
                                              "articles_taken_down")},
                "status": "interrupted" if status != "finished" else "healthy" if portal["healthy"] else "unhealthy",
                "message": "; ".join(portal["problems"]) or None, "finished_at": at})
        self.summary = counts
        for key, value in counts.items():
            self.stats.set_value(f"newsarchive/{key}", value)
        self.stats.set_value("newsarchive/status", status)
        self.db.close()


def _what(item) -> str:
    return getattr(getattr(item, "article", None), "url", None) or getattr(item, "url", None) or "crawl state"


def _alive(pid: int | None) -> bool:
    """Whether process ``pid`` exists on this machine."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True
