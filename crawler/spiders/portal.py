"""The one generic spider: what to follow, how far. No parsing logic (that is in crawler.pages).

From each start URL (a category listing page) it follows:

* the listing's own pagination (``Listing.page_links``) and its article links;
* each article's related links ("Tin khác"), up to ``related_hops`` links away from a listing
  (default 2);
* archived articles due for a recheck (:mod:`crawler.incremental`), requested with
  ``If-None-Match`` / ``If-Modified-Since``.

Incremental by default: a listing is walked one page at a time (the next page by its number)
and paging stops at a page whose every entry is already archived (unless an interrupted earlier
walk got deeper); archived articles are not fetched again except as rechecks. ``full=True``
walks every listing page the pager links and rechecks every archived article of the hosts.
A recheck answered 304 is an :class:`~crawler.items.ArticleCheck` ``not_modified`` (nothing
parsed); 404, 410, or a redirect to the home page or to a listing is ``taken_down``; a timeout,
a 5xx or a refused connection is a failure, never a take-down.

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

Run: ``scrapy crawl portal -a start_url=URL [-a full=1] [-a recheck_days=7] [-a rotation_days=30]
-s ARCHIVE_DB=archive.db`` or ``newsarchive crawl URL --db archive.db``.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import time
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import (
    CannotResolveHostError,
    IgnoreRequest,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from ..extract.dates import now_iso
from ..extract.encoding import looks_binary
from ..extract.urls import canonical, host_of, is_document
from ..middlewares import RedirectRefused
from ..incremental import ArchiveView, FrontierView, archived_row, conditional_headers, is_home_page, next_page
from ..items import (Article, ArchivedPage, ArticleCheck, Listing, ListingWalk, MediaFile, NotArticle, PageFailure,
                     RelatedLink, Snapshot, WorkerReport)
from ..pages import is_duplicate_url
from ..pages.detect import BY_NAME
from ..parsing import ParserPool, default_workers
from ..pipelines import FAILURES
from .. import portals
from ..crawlbook import CrawlBook, FleetBook
from ..urlkeys import UrlSet
from ..report import PortalHealth, YieldReport


#: A walk's first listing page goes before everything (priority 0 for a listing's articles, -N
#: for N related hops)...
LISTING_PRIORITY = 100
#: ...and each next one at its articles' priority, requested before them (see parse_listing).
WALK_PRIORITY = 0
#: Pages that failed in an earlier crawl are retried before this crawl's articles.
RETRY_PRIORITY = 50
#: An article's images and attachments come right after it, before the next article: put after
#: every page instead, they waited in memory for the whole listing walk (about one request per
#: article of a long crawl).
MEDIA_PRIORITY = 10
#: Statuses a recheck of an archived article handles itself (not modified; gone).
RECHECK_STATUSES = [304, 404, 410]


def _settles_lease(callback):
    """For a worker of a crawl fleet (:mod:`crawler.fleet`): once ``callback`` (a callback or an
    errback) has handed on everything it produced, or raised, the frontier lease of its request
    is settled; a worker killed before that leaves the request to another."""
    if inspect.isasyncgenfunction(callback):
        @functools.wraps(callback)
        async def settling(self, answer):
            try:
                async for output in callback(self, answer):
                    yield output
            except Exception as error:
                self._failed(error)
                self._settle(answer)
                raise
            self._settle(answer)
    else:
        @functools.wraps(callback)
        def settling(self, answer):
            try:
                yield from callback(self, answer)
            except Exception as error:
                self._failed(error)
                self._settle(answer)
                raise
            self._settle(answer)
    return settling


def check_start_url(url: str) -> str:
    """Return ``url`` stripped, or raise ValueError with a message a user can act on."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not a web address: {url!r} (expected http://host/path or https://host/path)")
    return url


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(self, start_url: str | None = None, start_urls=None, related_hops: int | str = 2,
                 full: bool | str = False, recheck_days: float | str = 7, rotation_days: float | str = 30,
                 max_failure_rate: float | str = 0.10, join: bool | str = False, **kwargs):
        super().__init__(**kwargs)
        #: a worker joining a fleet's run (crawler.fleet): no start URL of its own, nothing seeded
        self.join = str(join).lower() in ("1", "true", "yes") if isinstance(join, str) else bool(join)
        if isinstance(start_urls, str):  # -a start_urls=URL1,URL2
            urls = [u for u in start_urls.split(",") if u.strip()]
        else:
            urls = list(start_urls or [])
        if start_url:
            urls.append(start_url)
        if not urls and not self.join:
            raise ValueError("no start URL: pass a category listing URL (-a start_url=URL)")
        self.start_urls = [check_start_url(u) for u in urls]
        self.hosts = {host_of(u) for u in self.start_urls}
        self.related_hops = int(related_hops)
        self.full = str(full).lower() in ("1", "true", "yes") if isinstance(full, str) else bool(full)
        self.recheck_days = float(recheck_days)
        self.rotation_days = float(rotation_days)
        self.max_failure_rate = float(max_failure_rate)  #: above it (and 3 failures), a portal is unhealthy
        # URL bookkeeping kept as 64-bit keys (crawler.urlkeys): a few bytes a URL, for long crawls
        #: what this crawl requested and archived, each article's distance from a listing
        #: (crawler.crawlbook; a fleet's is shared by its workers)
        self.book = CrawlBook()
        self.requested_new = UrlSet()  #: canonical identities of requested links not archived before this crawl
        self.listings_seen = UrlSet()  #: canonical URLs of listing pages (start URLs included)
        self.unsupported_logged: set[str] = set()
        self.mismatch_logged: set[str] = set()  #: hosts whose registered platform is not the detected one
        self.yields = YieldReport(self.start_urls)
        self.registry = registry = portals.load()
        #: where images and attachments may come from: the portals' hosts and their registered media hosts
        self.media_hosts = self._media_hosts_of(self.hosts)
        self._outside: dict[str, float] = {}  #: host → when a fleet worker last found it outside the run
        self.health = PortalHealth(self.yields, name_of=lambda host: getattr(portals.for_host(host, registry),
                                                                              "slug", None) or host)
        #: per start URL: listing pages read in this crawl, and whether its walk broke (a listing
        #: page failed), so the walk is not complete
        self.walk_pages: dict[str, int] = {url: 0 for url in self.start_urls}
        self.walk_broken: set[str] = set()
        self.bad_pages: list[PageFailure] = []  #: failures found by :meth:`_read`, not yet handed on
        self.robots_responses: list = []  #: robots.txt responses not yet kept (crawler.middlewares.KeepRobotsTxt)
        self.media_requested = UrlSet()  #: image and attachment URLs requested by this crawl
        self.resume: dict[str, int] = {}
        self.view: ArchiveView | None = None
        self.platforms: dict[str, str] = {}  #: host → page-object class detected on its last page (the next one's hint)
        self._parser: ParserPool | None = None
        self.attachments: dict[str, list[tuple[str, str]]] = {}  #: article URL → its attachments, read by the parser

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._request_dropped, signal=signals.request_dropped)
        return spider

    def _request_dropped(self, request, spider=None) -> None:
        """In a fleet, an image or attachment already requested by another worker (the frontier's
        fetched-once set drops this request): this article's link to it is sent all the same, as
        a lone crawl sends it for a file it requested for an earlier article."""
        media = request.meta.get("media")
        if media is not None and self.fleet is not None:
            try:
                self.fleet.frontier.send_item(media)
            except Exception as error:
                if not self.fleet.guard(error):
                    raise

    def _media_hosts_of(self, hosts: set[str]) -> set[str]:
        return hosts | {h for host in hosts if (p := portals.for_host(host, self.registry)) for h in p.media_hosts}

    @property
    def fleet(self):
        """This worker's :class:`crawler.fleet.Fleet` when the crawl runs on a shared frontier, else None."""
        return getattr(getattr(self, "crawler", None), "fleet", None)

    def _failed(self, error: Exception) -> None:
        """A callback raised ``error``: if it is the frontier's (Redis unreachable), the worker stops."""
        if self.fleet is not None:
            self.fleet.guard(error)

    def _settle(self, answer) -> None:
        fleet = self.fleet
        if fleet is not None and getattr(answer, "request", None) is not None:
            fleet.settle(answer.request)

    def _read_fleet_scope(self, host: str) -> None:
        """A fleet worker's hosts are those of the run's start URLs, wherever they were seeded:
        read again when ``host`` is not in scope (at most every 5 s for a host found outside)."""
        if time.monotonic() - self._outside.get(host, -5.0) < 5:
            return
        try:
            run = self.fleet.frontier.run()
        except Exception as error:
            if not self.fleet.guard(error):
                raise
            return
        seeds = (run or {}).get("seeds", [])
        self.yields.add_start_urls(seeds)
        hosts = {host_of(u) for u in seeds}
        if not hosts <= self.hosts:
            self.hosts |= hosts
            self.media_hosts = self._media_hosts_of(self.hosts)
        if host not in self.hosts:
            self._outside[host] = time.monotonic()

    def fleet_report(self, run_id: int) -> WorkerReport:
        """This worker's part of the run's report, for the fleet's writer to merge."""
        return WorkerReport(run_id=run_id, worker=self.fleet.name, requests=dict(self.health.requests),
                            failures=dict(self.health.failures), start_failures=dict(self.health.start_failures),
                            listings=self.yields.listings())

    @property
    def parser(self) -> ParserPool:
        """The pool that parses pages (``PARSER_WORKERS`` processes; 0: in the reactor thread)."""
        if self._parser is None:
            workers = self.settings.get("PARSER_WORKERS")
            self._parser = ParserPool(default_workers() if workers in (None, "") else int(workers),
                                      timeout=self.settings.getfloat("PARSER_TIMEOUT", 120))
        return self._parser

    async def start(self):
        if self.fleet is not None:  # the archive's state as the fleet's writer published it
            self.view = FrontierView(self.fleet.frontier)
            self.book = FleetBook(self.fleet.frontier)
            if self.join:
                return  # the run's requests are in the frontier already, or will be
        else:
            self.view = ArchiveView(self.settings.get("ARCHIVE_DB"), self.hosts)
        self.resume = self.view.resume_depth(self.start_urls)
        for url, depth in self.resume.items():
            if depth:
                self.logger.info("%s: the last walk of this listing was interrupted; reading at least %d pages",
                                 url, depth)
        for url in self.start_urls:
            self.listings_seen.add(canonical(url))
            yield self._listing_request(url, start_url=url, depth=1)
        retry = self.view.failures_to_retry()
        if retry:
            self.logger.info("retrying %d article pages that failed before", len(retry))
        seeding = "seed:" + hashlib.sha1(" ".join(sorted(self.start_urls)).encode()).hexdigest()[:16]
        for row in retry:
            for request in self._article_requests(row["url"], row["url"], hops=0, start_url=None,
                                                  priority=RETRY_PRIORITY, by=seeding):
                yield request
        due = self.view.rechecks(recheck_days=self.recheck_days, rotation_days=self.rotation_days,
                                 everything=self.full)
        if due:
            self.logger.info("rechecking %d archived articles (%s)", len(due), ", ".join(
                f"{sum(1 for d in due if d['reason'] == reason)} {reason}"
                for reason in dict.fromkeys(d["reason"] for d in due)))
        for row in due:
            recheck = self._recheck_request(row, by=seeding)
            if recheck is not None:
                yield recheck
        if self.fleet is not None:
            self.fleet.frontier.mark_seeded()

    def closed(self, reason):
        if self.view is not None:
            self.view.close()
        if self._parser is not None:
            self._parser.close()

    def walk_complete(self, start_url: str) -> bool:
        """Whether this crawl's walk of ``start_url`` read every listing page it needed (call when
        the crawl finished: every request answered)."""
        return self.walk_pages.get(start_url, 0) > 0 and start_url not in self.walk_broken

    # --- callbacks -------------------------------------------------------------------------

    @_settles_lease
    async def parse_listing(self, response):
        view = self.view
        assert view is not None, "the archive's view is opened before the first request"
        self._answered(response)
        page = await self._read(response, expect="listing")
        for item in self._take_bad_pages():
            yield item
        start_url = response.meta.get("start_url")
        depth = response.meta.get("listing_depth", 1)
        if isinstance(page, Article):  # a start URL may be an article
            for item in self._article_outputs(response, page, hops=0):
                yield item
            return
        if not isinstance(page, Listing):
            if page is not None:
                self.logger.warning("start/listing page %s is not a listing: %s", response.url, page.reason)
            self.walk_broken.add(start_url)
            return
        self.listings_seen.update({canonical(response.url), canonical(page.url)})
        # in a fleet, other workers read other pages of the walk: the frontier knows them all
        seen = _FetchedByFleet(self.listings_seen, page.page_links, self.fleet) if self.fleet else self.listings_seen
        self.yields.listing_page(start_url, page.extracted_by)
        # the listing as the portal served it (kept once per distinct body: WARC export, history)
        yield ArchivedPage(snapshot=_snapshot(response, kind="listing"), article=None, host=host_of(response.url),
                           note="listing page", start_url=start_url)
        if self.fleet is not None and start_url:  # walks are spread over workers: their depth counts
            yield ListingWalk(start_url=start_url, pages_read=max(depth, view.resume_depth([start_url])[start_url]))
        elif start_url in self.walk_pages:
            self.walk_pages[start_url] += 1
            yield ListingWalk(start_url=start_url,
                              pages_read=max(self.walk_pages[start_url], self.resume.get(start_url, 0)))
        if page.unsupported_pagination and page.url not in self.unsupported_logged:
            self.unsupported_logged.add(page.url)
            self.logger.warning("listing %s: further pages unreachable (%s); crawling this page only",
                                page.url, page.unsupported_pagination)
        known = view.known([u for e in page.entries for u in (e.url, e.href) if u])
        by = response.meta.get("rid")  # this request's id: the book's answers are kept by it
        fresh = 0
        articles: list[scrapy.Request] = []  # requested after the next listing page (see below)
        for entry in page.entries:
            if canonical(entry.url) in self.requested_new or canonical(entry.href or entry.url) in self.requested_new:
                fresh += 1  # found new by this crawl (through a related link or another page)
                articles += self._article_requests(entry.url, entry.href, hops=0, category=page.category,
                                                   start_url=start_url, by=by)  # now 0 links from a listing
                continue
            if not view.is_fresh(entry.url, entry.href, entry.published_at, known):
                continue  # archived: rechecked when due (the window, the rotation, --full)
            fresh += 1
            archived = archived_row(known, entry.url, entry.href)
            if archived is not None:  # shown with a date newer than anything archived
                request = self._recheck_request({**archived, "category": page.category, "reason": "listed as new"},
                                                start_url=start_url, by=by)
                if request is not None:
                    articles.append(request)
            else:
                articles += self._article_requests(entry.url, entry.href, hops=0, category=page.category,
                                                   start_url=start_url, by=by)
        self.yields.already_archived(start_url, len(page.entries) - fresh)
        self.logger.debug("listing %s: %d articles (%d not archived), %d other pages", response.url,
                         len(page.entries), fresh, len(page.page_links))
        if self.full:
            following = [link for link in page.page_links if canonical(link.url) not in seen]
        elif fresh or depth < self.resume.get(start_url, 0):
            following = [link] if (link := next_page(response.url, page.page_links, seen)) else []
        else:
            self.logger.info("listing %s: every entry already archived; not paging further (--full walks every "
                             "page)", response.url)
            following = []
        walking = False
        for link in following:
            if self.in_scope(link.href) and canonical(link.url) not in seen:
                self.listings_seen.add(canonical(link.url))
                walking = True
                yield self._listing_request(link.href, start_url=start_url, depth=depth + 1)
        if self.fleet is not None and start_url and not walking:  # the end of this walk
            yield ListingWalk(start_url=start_url, pages_read=depth, complete=True)
        # The next listing page goes first, at its articles' priority: it is read while this page's
        # articles are fetched, and its own articles queue behind them. Ahead of every article, the
        # walk ran far ahead of the articles and their requests waited in memory (about one per
        # article of a long crawl).
        for request in articles:
            yield request

    @_settles_lease
    async def parse_article(self, response):
        self._answered(response)
        recheck = response.meta.get("recheck")  # the archived article's URL, for a recheck
        start_url = response.meta.get("start_url")
        if recheck and response.status == 304:
            self.book.archive(recheck, by=response.meta.get("rid"))
            yield ArticleCheck(url=recheck, checked_at=now_iso(), status=304, outcome="not_modified",
                               start_url=start_url)
            return
        if recheck and response.status in (404, 410):
            yield self._taken_down(recheck, response, f"HTTP {response.status}")
            return
        if response.status not in range(200, 300):  # a status only rechecks handle, on a fresh link
            yield self._bad_page(response, f"HTTP {response.status}")
            return
        redirected = bool(recheck and response.meta.get("redirect_urls"))
        if redirected and (is_home_page(response.url) or canonical(response.url) in self.listings_seen):
            where = "the home page" if is_home_page(response.url) else "a listing"
            yield self._taken_down(recheck, response, f"redirected to {where} {response.url}")
            return
        page = await self._read(response, expect="article", category=response.meta.get("category"))
        for item in self._take_bad_pages():
            yield item
        hops = min(response.meta.get("hops", 0), self.book.distance(response.meta.get("identity"), self.related_hops))
        if redirected and isinstance(page, Listing):
            yield self._taken_down(recheck, response, f"redirected to a listing {response.url}")
            return
        if isinstance(page, Article):
            if not page.category and response.meta.get("category"):
                page.category = response.meta["category"]
            for item in self._article_outputs(response, page, hops=hops):
                yield item
        elif isinstance(page, NotArticle) and page.canonical_url:
            self.logger.debug("skipped %s: %s", response.url, page.reason)
            for request in self._article_requests(page.canonical_url, page.canonical_url, hops=hops,
                                                  start_url=start_url, by=response.meta.get("rid")):
                yield request
        elif page is not None:  # None: a failure, already counted and logged; nothing is kept
            reason = page.reason if isinstance(page, NotArticle) else "a listing page, not an article"
            self.logger.warning("%s is not an article: %s", response.url, reason)
            yield ArchivedPage(snapshot=_snapshot(response, kind="page"), article=None, host=host_of(response.url),
                               note=reason, start_url=start_url)

    def _answered(self, response) -> None:
        host = host_of(response.url)
        self.health.answered(host)
        if self.fleet is not None and host not in self.hosts:
            self._read_fleet_scope(host)

    def _take_bad_pages(self):
        while self.bad_pages:
            yield self.bad_pages.pop(0)
        while self.robots_responses:  # robots.txt answers, kept as they came (crawler.middlewares.KeepRobotsTxt)
            response = self.robots_responses.pop(0)
            yield ArchivedPage(snapshot=_snapshot(response, kind="robots"), article=None, host=host_of(response.url),
                               note="robots.txt", start_url=None)

    def _taken_down(self, url: str, response, reason: str) -> ArticleCheck:
        self.book.archive(url, by=response.meta.get("rid"))
        self.logger.info("taken down: %s (%s)", url, reason)
        return ArticleCheck(url=url, checked_at=now_iso(), status=response.status, outcome="taken_down",
                            reason=reason, start_url=response.meta.get("start_url"))

    @_settles_lease
    def on_error(self, failure):
        request = failure.request
        if self.fleet is not None and self.fleet.lost:
            return  # not a failure of the page: its lease stays, another worker fetches it
        message = failure.getErrorMessage()
        limit = f"{self.settings.getint('DOWNLOAD_MAXSIZE') // 2**20} MB"
        if failure.check(IgnoreRequest) and not failure.check(HttpError, RedirectRefused) and "robots.txt" in message:
            self.logger.info("not fetched %s (%s)", request.url, message)
            if request.meta.get("listing_depth") == 1:  # not a failure, but the start URL yields nothing
                self.health.start_failures.setdefault(request.meta.get("start_url"), "forbidden by robots.txt")
            return  # robots.txt forbids it: a decision, not a failure
        if failure.check(HttpError):
            reason = f"HTTP {failure.value.response.status}"
        elif failure.check(RedirectRefused):
            reason = failure.value.reason
        elif failure.check(IgnoreRequest) and "max redirections" in message:
            reason = "too many redirects"
        elif failure.check(IgnoreRequest) and "during decompression" in message:
            reason = f"over the {limit} page limit once decompressed"
        elif failure.check(IgnoreRequest):
            reason = f"dropped: {message}"
        elif failure.check(CannotResolveHostError):
            reason = "host name not found"
        elif failure.check(DownloadConnectionRefusedError):
            reason = "connection refused"
        elif failure.check(DownloadTimeoutError):
            timeout = request.meta.get("download_timeout")
            reason = f"timed out after {timeout:g} s" if isinstance(timeout, (int, float)) else "timed out"
        elif failure.check(ResponseDataLossError):
            reason = "connection closed before the page was complete"
        elif failure.check(DownloadFailedError):
            reason = f"download failed ({message})"
        elif failure.check(DownloadCancelledError):
            reason = f"over the {limit} page limit"
        else:
            reason = f"{failure.type.__name__}: {message}"
        start_url = request.meta.get("start_url")
        if request.callback == self.parse_listing:
            self.walk_broken.add(start_url)
        self.health.failed(host_of(request.url), reason=reason,
                           start_url=start_url if request.meta.get("listing_depth") == 1 else None)
        self._count_failure()
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        self.logger.warning("failed %s (%s)", url, reason)
        yield PageFailure(url=url, reason=reason, start_url=start_url,
                          kind="listing" if request.callback == self.parse_listing else "article")

    def _count_failure(self) -> None:
        self.crawler.stats.inc_value(FAILURES)

    # --- decisions -------------------------------------------------------------------------

    def in_scope(self, url: str) -> bool:
        """Same host as a start URL, not a print/save/send-mail duplicate view, not a file download."""
        if self.fleet is not None and host_of(url) not in self.hosts:
            self._read_fleet_scope(host_of(url))
        return host_of(url) in self.hosts and not is_duplicate_url(url) and not is_document(url)

    def _article_outputs(self, response, article: Article, *, hops: int):
        attachments = self.attachments.pop(article.url, [])
        by = response.meta.get("rid")
        if not self.book.archive(article.url, by=by):
            self.logger.debug("duplicate of an archived article: %s", response.url)
            return
        self.book.note_requested(canonical(article.url))
        start_url = response.meta.get("start_url")
        aliases = {canonical(u) for u in (response.meta.get("identity"), response.request.url, response.url,
                                          *response.meta.get("redirect_urls", [])) if u}
        yield ArchivedPage(snapshot=_snapshot(response, article.url), article=article, host=host_of(response.url),
                           start_url=start_url, aliases=sorted(a for a in aliases if host_of(a) in self.hosts))
        yield from self._media_requests(article, attachments)
        if hops > 0:  # kept, in case a listing or a nearer article links it later
            # its links only, not the article: a long crawl keeps thousands of these
            self.book.keep_unfollowed({canonical(article.url), response.meta.get("identity")} - {None},
                                      (article.related_links, article.category, start_url))
        if hops < self.related_hops:
            yield from self._related_requests(article.related_links, article.category, hops, start_url, by=by)

    def _media_requests(self, article: Article, attachments: list[tuple[str, str]]):
        """The article's images and attachments on its portal (:mod:`crawler.extract.media`;
        ``attachments`` as the parser read them, :func:`~crawler.extract.media.article_attachments`):
        a request for each not yet archived (politeness, robots.txt and a size limit per kind,
        ``MEDIA_*`` settings), a link-only :class:`MediaFile` for the others."""
        if not self.settings.getbool("MEDIA_ENABLED", True):
            return
        wanted: list[tuple[str, str, str | None, int]] = [
            (image.src, "image", None, n) for n, image in enumerate(article.images) if image.src]
        wanted += [(url, "attachment", title, n) for n, (url, title) in enumerate(attachments)]
        wanted = [w for w in wanted if host_of(w[0]) in self.media_hosts and w[0].startswith(("http://", "https://"))]
        known = self.view.known_media([w[0] for w in wanted], retry_failed=self.full) if self.view else set()
        for url, role, title, position in wanted:
            item = MediaFile(url=url, article_url=article.url, role=role, title=title, position=position)
            if url in known or url in self.media_requested:
                yield item  # archived (or on its way): only the link
                continue
            self.media_requested.add(url)
            limit = self.settings.getint("MEDIA_IMAGE_MAXSIZE" if role == "image" else "MEDIA_ATTACHMENT_MAXSIZE")
            yield scrapy.Request(url, callback=self.parse_media, errback=self.on_media_error, priority=MEDIA_PRIORITY,
                                 meta={"media": item, "download_maxsize": limit, "download_warnsize": 0})

    @_settles_lease
    def parse_media(self, response):
        item: MediaFile = response.meta["media"]
        item.status = response.status
        item.content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        item.body = response.body
        item.fetched_at = now_iso()
        yield item

    @_settles_lease
    def on_media_error(self, failure):
        """A missing or oversized image or attachment: logged, counted (``newsarchive/media_failures``),
        never a page failure (the article is archived; the next crawl tries the file again)."""
        item = failure.request.meta["media"]
        self.crawler.stats.inc_value("newsarchive/media_failures")
        self.logger.debug("media not kept %s (%s of %s): %s", failure.request.url, item.role, item.article_url,
                         failure.getErrorMessage()[:200])
        # The link stays (the reading page falls back on the original). An HTTP answer (404…) is
        # recorded, so nightly crawls do not ask again (--full does); other failures are retried.
        status = failure.value.response.status if failure.check(HttpError) else None
        yield MediaFile(url=item.url, article_url=item.article_url, role=item.role, title=item.title,
                        position=item.position, status=status, fetched_at=now_iso() if status else None)

    def _related_requests(self, related: list[RelatedLink], category: str | None, hops: int, start_url: str | None,
                          by: str | None = None):
        """Requests for an article's ``related`` links (the article reached ``hops`` links from a
        listing, in ``category``) that are not archived."""
        links = [link for link in related if self.in_scope(link.href or link.url)]
        known = self.view.known([u for link in links for u in (link.url, link.href) if u]) if self.view else {}
        requested = self.book.requested_any([canonical(link.url) for link in links])
        for link, asked in zip(links, requested):
            if not asked and archived_row(known, link.url, link.href) is not None:
                continue  # archived before this crawl: rechecked when due
            yield from self._article_requests(link.url, link.href, hops=hops + 1, category=category,
                                              start_url=start_url, by=by)

    async def _read(self, response, expect: str,
                     category: str | None = None) -> Article | Listing | NotArticle | None:
        """The page object's reading of ``response``, made by the parser pool
        (:mod:`crawler.parsing`) with the platform found on the host's earlier pages tried first;
        ``None`` when it is not a web page or cannot be parsed (a counted failure, one log line,
        its :class:`PageFailure` in :attr:`bad_pages` for the callback to hand on)."""
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        binary = looks_binary(response.body)
        if binary or not isinstance(response, TextResponse):
            self.bad_pages.append(self._bad_page(response, f"not a web page ({content_type or 'no Content-Type'}, "
                                                           f"{'binary' if binary else 'not text'})"))
            return None
        host = host_of(response.url)
        parsed = await self.parser.parse(response.url, response.body, content_type, expect, category,
                                         self.platforms.get(host))
        if parsed.page is None:
            if parsed.detail:
                self.logger.debug("could not parse %s:\n%s", response.url, parsed.detail)
            self.bad_pages.append(self._bad_page(response, parsed.error or "could not be parsed"))
            return None
        detected = parsed.platform or "GenericPage"
        self.platforms[host] = detected
        self._check_registered_platform(host, detected)
        if parsed.attachments:
            self.attachments[parsed.page.url] = parsed.attachments
        return parsed.page

    def _check_registered_platform(self, host: str, detected: str) -> None:
        """Warn (once per host) and count (``newsarchive/platform_mismatches``, once per page) when
        the registry says another platform than the page objects detect: the portal moved to
        another CMS, a theme change hides its fingerprint, or the registry is wrong."""
        registered = portals.for_host(host, self.registry)
        platform = getattr(BY_NAME.get(detected), "platform", "generic")
        if registered is None or registered.platform == platform:
            return
        self.crawler.stats.inc_value("newsarchive/platform_mismatches")
        if host not in self.mismatch_logged:
            self.mismatch_logged.add(host)
            self.logger.warning("%s (%s) is registered as %s but its pages are read as %s (%s): the portal may have "
                                "changed, or its registry entry is wrong", registered.slug, host, registered.platform,
                                platform, detected)

    def _bad_page(self, response, reason: str) -> PageFailure:
        """Count, log (one line) and describe a page that was answered but is no use."""
        start = response.meta.get("start_url") if response.meta.get("listing_depth") == 1 else None
        self.health.bad_answer(host_of(response.url), start_url=start, reason=reason)
        self._count_failure()
        url = (response.meta.get("redirect_urls") or [response.request.url])[0]
        self.logger.warning("failed %s (%s)", url, reason)
        return PageFailure(url=url, reason=reason, start_url=response.meta.get("start_url"),
                           kind="listing" if response.meta.get("listing_depth") else "article")

    def _listing_request(self, url: str, *, start_url: str | None, depth: int) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_listing, errback=self.on_error,
                              priority=LISTING_PRIORITY if depth == 1 else WALK_PRIORITY,
                              meta={"start_url": start_url, "listing_depth": depth, "rid": _request_id()})

    def _recheck_request(self, archived: dict, *, start_url: str | None = None,
                         by: str | None = None) -> scrapy.Request | None:
        """A conditional request for an archived article (a row of
        :meth:`~crawler.incremental.ArchiveView.rechecks` or ``known``), at the URL it was last
        fetched under; its related links are not followed (they are archived or listed). Not
        filtered as a duplicate (rechecks are de-duplicated here), so that a redirect to a page
        this crawl already read (the listing, the home page) still comes back as a take-down."""
        url, href = archived["url"], archived.get("fetch_url") or archived["url"]
        if not self.in_scope(href) or not self.book.claim(canonical(url), canonical(href), by=by):
            return None
        return scrapy.Request(href, callback=self.parse_article, errback=self.on_error, dont_filter=True,
                              headers=conditional_headers(archived.get("etag"), archived.get("last_modified")),
                              meta={"hops": self.related_hops, "category": archived.get("category"),
                                    "start_url": start_url, "recheck": url, "identity": canonical(url),
                                    "handle_httpstatus_list": RECHECK_STATUSES, "rid": _request_id()})

    def _article_requests(self, url: str, href: str | None, *, hops: int, category: str | None = None,
                          start_url: str | None = None, priority: int | None = None,
                          by: str | None = None) -> list[scrapy.Request]:
        """A request for the article link ``href`` (identity ``url``), unless it is out of scope or
        that article was already requested. Already requested from farther away (a related link
        read before the listing page that lists it): its distance becomes ``hops``, and if it was
        already archived, its related links are followed again from there (those already
        requested get nearer in turn; those beyond the related-hops limit before are requested)."""
        href = href or url
        identity = canonical(url)
        if not self.in_scope(href) or not self.in_scope(url):
            return []
        before = self.book.nearer(identity, hops, by=by)
        if before is not None:  # requested already
            if hops >= before:
                return []
            unfollowed = self.book.take_unfollowed(identity, keep=hops != 0)
            if unfollowed is None or hops >= self.related_hops:
                return []
            related, category_then, first_start_url = unfollowed
            return list(self._related_requests(related, category_then, hops, first_start_url, by=by))
        self.requested_new.update({identity, canonical(href)})
        return [scrapy.Request(href, callback=self.parse_article, errback=self.on_error,
                               priority=-hops if priority is None else priority,
                               meta={"hops": hops, "category": category, "start_url": start_url,
                                     "identity": identity, "rid": _request_id()})]


def _request_id() -> str:
    """A request's id (``meta["rid"]``, kept by its retries and redirects): the crawl's book keeps
    its answers to the request's callback by it (:mod:`crawler.crawlbook`)."""
    return os.urandom(8).hex()


class _FetchedByFleet:
    """Listing pages (canonical URLs) this worker has seen, or whose link among ``links`` the
    fleet has already requested (:meth:`crawler.fleet.Fleet.requested`)."""

    def __init__(self, local, links, fleet):
        self.local, self.fleet = local, fleet
        self.href = {canonical(link.url): link.href or link.url for link in links}

    def __contains__(self, url: str) -> bool:
        return url in self.local or (url in self.href and self.fleet.requested(self.href[url]))


def _snapshot(response, identity: str | None = None, kind: str = "article") -> Snapshot:
    """The response as a snapshot of ``identity`` (an article's canonical URL; default: the URL
    requested, which is always kept as ``requested_url``) of a page of ``kind``."""
    headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
    return Snapshot(url=identity or response.url, fetched_at=now_iso(), status=response.status, headers=headers,
                    body=response.body, requested_url=response.url, kind=kind)
