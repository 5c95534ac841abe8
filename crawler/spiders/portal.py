"""The one generic spider: what to follow, how far. No parsing logic (that is in crawler.pages).

From each start URL (a category listing page) it follows:

* the listing's own pagination (``Listing.page_links``) and its article links;
* each article's related links ("Tin khác"), up to ``related_hops`` links away from a listing
  (default 2);

Listing pages are fetched first, then the listings' articles, then related links (request
priorities), so an article's distance from a listing does not depend on crawl order. Never:
another host, ``javascript:``/``mailto:`` links (page objects drop them), print /
save / send-mail views (``crawler.pages.is_duplicate_url``), menus, sidebars or footers (page
objects only return listing entries, pagination and related links). Links are requested exactly
as the portal wrote them (``href``) and de-duplicated by their identity (``url``, the platform's
clean form): a page is requested once, and never under a URL the portal did not link. Every
article response is handed on as an ``ArchivedPage``.

Each request carries the start URL it descends from (``meta["start_url"]``); :attr:`yields`
counts, per start URL, the listing pages read, the articles extracted and the page objects that
produced their fields (see :class:`StartUrlYield`).

Run: ``scrapy crawl portal -a start_url=URL [-a start_url2=…] -s ARCHIVE_DB=archive.db`` or
``newsarchive crawl URL --db archive.db``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    IgnoreRequest,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
)
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from ..extract.dates import now_iso
from ..extract.encoding import decode_html
from ..extract.urls import canonical, host_of, is_document
from ..items import Article, ArchivedPage, Listing, NotArticle, Snapshot
from ..pages import is_duplicate_url, parse_page
from ..report import YieldReport


#: Listing pages go before articles (priority 0 for a listing's articles, -N for N related hops).
LISTING_PRIORITY = 100


def check_start_url(url: str) -> str:
    """Return ``url`` stripped, or raise ValueError with a message a user can act on."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not a web address: {url!r} (expected http://host/path or https://host/path)")
    return url


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(self, start_url: str | None = None, start_urls=None, related_hops: int | str = 2, **kwargs):
        super().__init__(**kwargs)
        if isinstance(start_urls, str):  # -a start_urls=URL1,URL2
            urls = [u for u in start_urls.split(",") if u.strip()]
        else:
            urls = list(start_urls or [])
        if start_url:
            urls.append(start_url)
        if not urls:
            raise ValueError("no start URL: pass a category listing URL (-a start_url=URL)")
        self.start_urls = [check_start_url(u) for u in urls]
        self.hosts = {host_of(u) for u in self.start_urls}
        self.related_hops = int(related_hops)
        self.archived: set[str] = set()  #: canonical URLs of archived articles
        self.requested: set[str] = set()  #: canonical identities of requested article links
        self.listings_seen: set[str] = set()  #: canonical URLs of listing pages (start URLs included)
        self.failures = 0
        self.unsupported_logged: set[str] = set()
        self.yields = YieldReport(self.start_urls)

    async def start(self):
        for url in self.start_urls:
            self.listings_seen.add(canonical(url))
            yield self._listing_request(url, start_url=url)

    # --- callbacks -------------------------------------------------------------------------

    def parse_listing(self, response):
        page = self._parse(response, expect="listing")
        start_url = response.meta.get("start_url")
        if isinstance(page, Article):  # a start URL may be an article
            yield from self._article_outputs(response, page, hops=0)
            return
        if not isinstance(page, Listing):
            if page is not None:
                self.logger.warning("start/listing page %s is not a listing: %s", response.url, page.reason)
            return
        self.listings_seen.update({canonical(response.url), canonical(page.url)})
        self.yields.listing_page(start_url, page.extracted_by)
        if page.unsupported_pagination and page.url not in self.unsupported_logged:
            self.unsupported_logged.add(page.url)
            self.logger.warning("listing %s: further pages unreachable (%s); crawling this page only",
                                page.url, page.unsupported_pagination)
        self.logger.info("listing %s: %d articles, %d other pages", response.url, len(page.entries), len(page.page_links))
        for link in page.page_links:
            if self.in_scope(link.href) and canonical(link.url) not in self.listings_seen:
                self.listings_seen.add(canonical(link.url))
                yield self._listing_request(link.href, start_url=start_url)
        for entry in page.entries:
            request = self._article_request(entry.url, entry.href, hops=0, category=page.category,
                                            start_url=start_url)
            if request is not None:
                yield request

    def parse_article(self, response):
        page = self._parse(response, expect="article", category=response.meta.get("category"))
        hops = response.meta.get("hops", 0)
        if isinstance(page, Article):
            if not page.category and response.meta.get("category"):
                page.category = response.meta["category"]
            yield from self._article_outputs(response, page, hops=hops)
        elif isinstance(page, NotArticle) and page.canonical_url:
            self.logger.info("skipped %s: %s", response.url, page.reason)
            request = self._article_request(page.canonical_url, page.canonical_url, hops=hops,
                                            start_url=response.meta.get("start_url"))
            if request is not None:
                yield request
        else:
            reason = page.reason if isinstance(page, NotArticle) else "a listing page, not an article"
            if page is not None:
                self.logger.warning("%s is not an article: %s", response.url, reason)
            yield ArchivedPage(snapshot=_snapshot(response), article=None, host=host_of(response.url), note=reason,
                               start_url=response.meta.get("start_url"))

    def on_error(self, failure):
        request = failure.request
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.logger.info("not fetched %s (%s)", request.url, failure.getErrorMessage())
            return  # robots.txt forbids it, or a middleware dropped it: a decision, not a failure
        if failure.check(HttpError):
            reason = f"HTTP {failure.value.response.status}"
        elif failure.check(CannotResolveHostError):
            reason = "host name not found"
        elif failure.check(DownloadConnectionRefusedError):
            reason = "connection refused"
        elif failure.check(DownloadTimeoutError):
            reason = f"timed out after {request.meta.get('download_timeout', '?')} s"
        elif failure.check(DownloadCancelledError):
            reason = f"download cancelled (over the {self.settings.getint('DOWNLOAD_MAXSIZE') // 2**20} MB page limit?)"
        else:
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        self.failures += 1
        self.crawler.stats.inc_value("newsarchive/failures")
        self.logger.warning("failed %s (%s)", request.url, reason)

    # --- decisions -------------------------------------------------------------------------

    def in_scope(self, url: str) -> bool:
        """Same host as a start URL, not a print/save/send-mail duplicate view, not a file download."""
        return host_of(url) in self.hosts and not is_duplicate_url(url) and not is_document(url)

    def _article_outputs(self, response, article: Article, *, hops: int):
        if article.url in self.archived:
            self.logger.debug("duplicate of an archived article: %s", response.url)
            return
        self.archived.add(article.url)
        self.requested.add(canonical(article.url))
        start_url = response.meta.get("start_url")
        yield ArchivedPage(snapshot=_snapshot(response, article.url), article=article, host=host_of(response.url),
                           start_url=start_url)
        if hops >= self.related_hops:
            return
        for link in article.related_links:
            request = self._article_request(link.url, link.href, hops=hops + 1, category=article.category,
                                            start_url=start_url)
            if request is not None:
                yield request

    def _parse(self, response, expect: str, category: str | None = None) -> Article | Listing | NotArticle | None:
        if not isinstance(response, TextResponse):
            self.logger.warning("skipped %s: not a text page (%s)", response.url,
                                response.headers.get("Content-Type", b"?").decode("latin-1"))
            return None
        try:
            text, _ = decode_html(response.body, response.headers.get("Content-Type", b"").decode("latin-1"))
            return parse_page(response.url, text, expect=expect, category=category)
        except Exception:  # a broken page must not stop the crawl
            self.failures += 1
            self.crawler.stats.inc_value("newsarchive/failures")
            self.logger.exception("could not parse %s", response.url)
            return None

    def _listing_request(self, url: str, *, start_url: str | None) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_listing, errback=self.on_error, priority=LISTING_PRIORITY,
                              meta={"start_url": start_url})

    def _article_request(self, url: str, href: str | None, *, hops: int, category: str | None = None,
                         start_url: str | None = None) -> scrapy.Request | None:
        """A request for the article link ``href`` (identity ``url``), unless it is out of scope or
        that article was already requested."""
        href = href or url
        identity = canonical(url)
        if not self.in_scope(href) or not self.in_scope(url) or identity in self.requested:
            return None
        self.requested.add(identity)
        return scrapy.Request(href, callback=self.parse_article, errback=self.on_error, priority=-hops,
                              meta={"hops": hops, "category": category, "start_url": start_url})


def _snapshot(response, identity: str | None = None) -> Snapshot:
    """The response as a snapshot of ``identity`` (an article's canonical URL; default: the URL
    requested, which is always kept as ``requested_url``)."""
    headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
    return Snapshot(url=identity or response.url, fetched_at=now_iso(), status=response.status, headers=headers,
                    body=response.body, requested_url=response.url)
