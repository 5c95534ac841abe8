#!/usr/bin/env python3
"""Fetch-only Scrapy baseline: the fastest a plain Scrapy crawl can walk a portal.

Starts from NukeViet category listing URLs, follows only same-host links that stay
inside the start category and look like a pager link (<cat>/page-N) or an article
(<cat>/<slug>-<id>.html) - that covers listing items, the pager, sidebar news and
the "Tin khác" list.  No parsing beyond link extraction, no images, no items.

    python bench/throughput/fetch_only.py URL [URL ...] [--per-host 1] [--delay 0] [--downloader CLASS]

Prints {"pages": N, "seconds": S, "pages_per_s": X} on stdout (S: from the spider's opening to
its last page).

``--per-host`` is Scrapy's CONCURRENT_REQUESTS_PER_DOMAIN. Scrapy 2.19's own downloader keeps it
only with a delay: with ``--delay 0`` it lets up to CONCURRENT_REQUESTS (16 here) requests to one
host be in flight at once. ``--downloader`` names another downloader class (Scrapy's DOWNLOADER
setting; it must be importable), e.g. one that keeps the limit.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess

TAIL_RE = re.compile(r"(?:page-[1-9]\d*|[A-Za-z0-9-]+-\d+\.html)?")


class FetchOnlySpider(scrapy.Spider):
    name = "fetch_only"

    def __init__(self, urls: list[str], spider_dedup: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.urls = urls
        # URLs already yielded.  Scrapy's dupefilter still guarantees each page is
        # fetched once; this set only avoids pushing the same sidebar / pager /
        # "Tin khác" links through the middleware chain again and again.
        self.spider_dedup = spider_dedup
        self.yielded: set[str] = set(urls)
        # netloc -> category path prefix ("/vi/news/<cat>/")
        self.scopes: dict[str, list[str]] = {}
        for u in urls:
            parts = urlsplit(u)
            path = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
            self.scopes.setdefault(parts.netloc, []).append(path)
        self.pages = 0
        self.t_start: float | None = None
        self.t_last: float | None = None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_opened, signal=signals.spider_opened)
        return spider

    def on_opened(self, spider):
        self.t_start = time.perf_counter()

    def req(self, url: str) -> scrapy.Request:
        # One download slot per host:port, so ports on 127.0.0.1 count as separate hosts.
        return scrapy.Request(url, callback=self.parse, meta={"download_slot": urlsplit(url).netloc})

    async def start(self):
        for u in self.urls:
            yield self.req(u)

    def parse(self, response):
        self.pages += 1
        self.t_last = time.perf_counter()
        here = urlsplit(response.url).netloc
        prefixes = self.scopes.get(here, ())
        for href in response.css("a::attr(href)").getall():
            href = href.strip()
            if not href or href.startswith(("#", "javascript:", "mailto:")):
                continue
            url = urljoin(response.url, href).split("#", 1)[0]
            parts = urlsplit(url)
            if parts.netloc != here or parts.query:
                continue
            for prefix in prefixes:
                if parts.path.startswith(prefix) and TAIL_RE.fullmatch(parts.path[len(prefix):]):
                    if self.spider_dedup:
                        if url in self.yielded:
                            break
                        self.yielded.add(url)
                    yield self.req(url)
                    break


def run(urls: list[str], per_host: int = 1, delay: float = 0.0, spider_dedup: bool = True,
        concurrent_items: int | None = None, downloader: str | None = None) -> dict:
    hosts = len({urlsplit(u).netloc for u in urls})
    settings = {
        "ROBOTSTXT_OBEY": True,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": per_host,
        "CONCURRENT_REQUESTS": max(16, per_host * hosts),
        # Fair scheduling across many hosts when per-host concurrency is small.
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "USER_AGENT": "fetch-only-bench/1.0 (+scrapy)",
    }
    if concurrent_items:
        settings["CONCURRENT_ITEMS"] = concurrent_items
    if downloader:
        settings["DOWNLOADER"] = downloader
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(FetchOnlySpider)
    process.crawl(crawler, urls=urls, spider_dedup=spider_dedup)
    process.start()
    spider = crawler.spider
    seconds = (spider.t_last or 0) - (spider.t_start or 0)
    seconds = max(seconds, 1e-9)
    return {"pages": spider.pages, "seconds": round(seconds, 3), "pages_per_s": round(spider.pages / seconds, 1)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("urls", nargs="+", help="category listing URLs (page 1)")
    ap.add_argument("--per-host", type=int, default=1, help="CONCURRENT_REQUESTS_PER_DOMAIN (default 1)")
    ap.add_argument("--delay", type=float, default=0.0, help="DOWNLOAD_DELAY in seconds (default 0)")
    ap.add_argument("--no-spider-dedup", action="store_true",
                    help="yield every matching link and leave all de-duplication to Scrapy's dupefilter")
    ap.add_argument("--concurrent-items", type=int, default=None,
                    help="CONCURRENT_ITEMS (default: Scrapy's default, 100)")
    ap.add_argument("--downloader", default=None, metavar="CLASS",
                    help="Scrapy's DOWNLOADER setting, a class path (default: Scrapy's own)")
    a = ap.parse_args(argv)
    summary = run(a.urls, a.per_host, a.delay, not a.no_spider_dedup, a.concurrent_items, a.downloader)
    sys.stdout.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main()
