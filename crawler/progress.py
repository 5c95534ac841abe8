"""A live progress line per portal while a crawl runs on a terminal (a Scrapy extension, tqdm).

``PORTAL_NAME: 12 listing pages, 230 new, 3 updated, 40 unchanged, 2 failures, 4.1 req/s [02:13]``,
redrawn every second. Enabled by ``PROGRESS_ENABLED`` (``newsarchive crawl`` sets it when stderr is
a terminal and the log level is not DEBUG); without a terminal (cron, systemd) nothing is drawn.
Counts come from the items the pipeline has handled (``ArchivedPage.outcome``, ``ArticleCheck``)
and from the spider's per-portal health (requests, failures) and yields (listing pages).
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from .extract.urls import host_of
from .items import ArchivedPage, ArticleCheck


class Progress:
    def __init__(self, crawler):
        self.crawler = crawler
        self.bars: dict = {}
        self.counts: dict[str, Counter] = {}
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("PROGRESS_ENABLED"):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider):
        from tqdm import tqdm

        try:
            columns, lines = os.get_terminal_size(sys.stderr.fileno())
        except OSError:
            columns, lines = 0, 0
        names = list(dict.fromkeys(self._name(url) for url in spider.start_urls))
        for position, name in enumerate(names):
            # a terminal that reports no size (a pseudo-terminal nobody sized) gets 160 columns and
            # a line per portal (tqdm hides the lines a terminal has no room for)
            self.bars[name] = tqdm(total=None, position=position, file=sys.stderr, bar_format="{desc} [{elapsed}]",
                                   ncols=columns or 160, nrows=lines or len(names) + 1,
                                   dynamic_ncols=bool(columns), leave=True)
            self.counts[name] = Counter()
        self.loop = task.LoopingCall(self.refresh)
        self.loop.start(1.0, now=True)

    def item_scraped(self, item, response=None, spider=None):
        if isinstance(item, ArchivedPage) and item.outcome:
            self.counts.setdefault(self._name(item.snapshot.url), Counter())[item.outcome] += 1
        elif isinstance(item, ArticleCheck):
            self.counts.setdefault(self._name(item.url), Counter())[item.outcome] += 1

    def refresh(self):
        spider = self.crawler.spider
        if spider is None:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        for name, bar in self.bars.items():
            hosts = {host_of(url) for url in spider.start_urls if self._name(url) == name}
            requests = sum(spider.health.requests[h] for h in hosts)
            failures = sum(spider.health.failures[h] for h in hosts)
            pages = sum(entry.listing_pages for url, entry in spider.yields.by_start_url.items()
                        if self._name(url) == name)
            counts = self.counts.get(name, Counter())
            bar.set_description_str(
                f"{name}: {pages} listing pages, {counts['new']} new, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged, {counts['not_modified']} not modified, "
                f"{counts['taken_down']} taken down, {failures} failures, {requests / elapsed:.1f} req/s",
                refresh=True)

    def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.refresh()
        for bar in self.bars.values():
            bar.close()

    def _name(self, url: str) -> str:
        spider = self.crawler.spider
        host = host_of(url)
        return spider.health.name_of(host) if spider is not None else host
