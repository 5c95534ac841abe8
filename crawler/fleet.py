"""Scrapy's side of a crawl fleet (``newsarchive crawl --frontier URL [--join]``).

The spider stays the same; these components, switched on by :func:`fleet_settings`, make its
processes share one frontier (:mod:`crawler.frontier`):

* :class:`FrontierScheduler` / :class:`LeasedQueue`: scrapy-redis' scheduler and dupefilter,
  with a queue that leases each request it hands out. The lease is settled when the request's
  callback or errback has handed on everything it produced (:meth:`Fleet.settle`, called by
  the spider), or when a retry or redirect that replaces it is queued; a worker renews its
  leases while it lives, so the requests of a worker that died go back to the queue;
* :class:`FleetPoliteness`: one request at a time per host and the delay between them, for the
  whole fleet (a per-host slot leased in Redis, on Redis' clock);
* :class:`SharedRobotsTxt`: each host's robots.txt fetched once per run by one worker, read
  from the frontier by the others;
* :class:`ItemsToFrontier`: items go to the frontier's stream; workers never write SQLite
  (``newsarchive ingest`` does, :mod:`crawler.ingest`);
* :class:`Fleet` (an extension): heartbeat and lease renewal, and a worker stays open while
  the run goes on elsewhere (an empty queue is not the end while other workers hold leases).

If Redis cannot be reached, the worker stops at once (finish reason ``frontier_lost``, exit
status 69) and settles nothing more: what it had in hand goes back to the queue when Redis is
back and its leases expire, so nothing it could not hand on is lost.
"""

from __future__ import annotations

import asyncio
import logging

import redis
from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from scrapy import Request
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base as RedisQueueBase
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet import task

from .frontier import Frontier, worker_name

logger = logging.getLogger(__name__)

#: Request meta key holding the lease token of the frontier entry a request came from.
LEASE = "frontier_lease"


def fleet_settings(url: str, *, delay: float, lease_seconds: float) -> dict:
    """Settings that make a crawl one worker of the fleet on the frontier at ``url``. The per-host
    ``delay`` is kept by the fleet (:class:`FleetPoliteness`), so Scrapy's own delay and
    AutoThrottle (which see one worker only) are off."""
    return {
        "FRONTIER_URL": url, "FRONTIER_LEASE_SECONDS": lease_seconds, "FLEET_DELAY": delay,
        "REDIS_URL": url,
        "SCHEDULER": "crawler.fleet.FrontierScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.fleet.LeasedQueue",
        "SCHEDULER_PERSIST": True,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": Frontier.key("dupefilter"),
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
        "ITEM_PIPELINES": {"crawler.fleet.ItemsToFrontier": 300},
        "DOWNLOADER_MIDDLEWARES": {"crawler.middlewares.NoValidatorsAfterRedirect": 590,
                                   "crawler.middlewares.RedirectGuard": 650,
                                   "crawler.middlewares.KeepRobotsTxt": 50,
                                   "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
                                   "crawler.fleet.SharedRobotsTxt": 100,
                                   "crawler.fleet.FleetPoliteness": 950},
        "EXTENSIONS": {"scrapy.extensions.remote_control.RemoteControl": None,
                       "scrapy.extensions.telnet.TelnetConsole": None,
                       "crawler.progress.Progress": 500, "crawler.fleet.Fleet": 510},
    }


def _fleet(crawler) -> "Fleet":
    """The crawler's :class:`Fleet` (made by whichever component asks first)."""
    fleet = getattr(crawler, "fleet", None)
    return fleet if fleet is not None else Fleet(crawler)


class Fleet:
    """This worker's membership of the fleet: its :class:`~crawler.frontier.Frontier`, the leases
    it holds, its heartbeat; keeps the spider open until the run is drained."""

    def __init__(self, crawler):
        url = crawler.settings.get("FRONTIER_URL")
        if not url:
            raise NotConfigured("no frontier (FRONTIER_URL)")
        self.crawler = crawler
        self.frontier = Frontier(url, lease_seconds=crawler.settings.getfloat("FRONTIER_LEASE_SECONDS", 60))
        self.name = worker_name()
        self.held: set[str] = set()  #: lease tokens of requests this worker took and has not settled
        self._loops: list[task.LoopingCall] = []
        self._dupefilter: RFPDupeFilter | None = None
        self.lost: str | None = None  #: why the frontier could not be reached (the worker stops)
        crawler.fleet = self
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return _fleet(crawler)

    def spider_opened(self, spider):
        self.frontier.heartbeat(self.name)
        renew = task.LoopingCall(self._renew)  # and the heartbeat: at least every 10 s
        renew.start(min(10.0, max(0.5, self.frontier.lease_ms / 3000)), now=False)
        poll = task.LoopingCall(self._poll)  # Scrapy looks at an empty scheduler every 5 s only
        poll.start(0.25, now=False)
        self._loops = [renew, poll]

    def lose(self, error: Exception) -> None:
        """The frontier could not be reached: stop the crawl (once), settle nothing more."""
        if self.lost is not None:
            return
        self.lost = f"{type(error).__name__}: {error}"
        logger.error("the frontier %s cannot be reached (%s): this worker stops; the requests it holds go back "
                     "to the queue when Redis is back and their leases expire", self.frontier.url, self.lost)
        engine = self.crawler.engine
        if engine is not None and engine.running:
            deferred_from_coro(engine.close_spider_async(reason="frontier_lost"))

    def guard(self, error: Exception) -> bool:
        """:meth:`lose` if ``error`` is Redis' (True), else False."""
        if isinstance(error, redis.RedisError):
            self.lose(error)
            return True
        return False

    def _renew(self) -> None:
        try:
            self.frontier.heartbeat(self.name)
            self.frontier.renew(self.held)
        except redis.RedisError as error:
            self.lose(error)

    def _poll(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)
        try:
            if slot is not None and not self.lost and self.frontier.queued():
                slot.nextcall.schedule()
        except redis.RedisError as error:
            self.lose(error)

    def settle(self, request) -> None:
        """``request`` (a lease's) is done: its outcome has been handed on (never once the
        frontier was lost: part of the outcome may not have been)."""
        token = request.meta.pop(LEASE, None)
        if token is None or self.lost:
            return
        try:
            self.frontier.settle(token)
            self.held.discard(token)
        except redis.RedisError as error:
            self.lose(error)

    def requested(self, url: str) -> bool:
        """Whether a GET of ``url`` was already requested by the fleet in this run (scrapy-redis'
        dupefilter holds its fingerprint)."""
        if self._dupefilter is None:
            self._dupefilter = RFPDupeFilter(self.frontier.redis, key=Frontier.key("dupefilter"))
        return bool(self.frontier.redis.sismember(self._dupefilter.key,
                                                  self._dupefilter.request_fingerprint(Request(url))))

    def spider_idle(self, spider):
        if self.lost:
            return
        try:
            drained = self.frontier.drained()
        except redis.RedisError as error:
            self.lose(error)
            return
        if not drained:
            raise DontCloseSpider

    def spider_closed(self, spider, reason):
        for loop in self._loops:
            if loop.running:
                loop.stop()
        if self.lost:
            return
        try:
            if self.held:  # stopped with work in hand (SIGTERM): it goes back at once, not after the lease
                logger.info("%d requests in hand go back to the frontier", self.frontier.give_back(self.held))
                self.held.clear()
            run = self.frontier.run()
            if run is not None and hasattr(spider, "fleet_report"):  # for the writer's account of the run
                self.frontier.send_item(spider.fleet_report(run["id"]))
            self.frontier.leave(self.name)
        except redis.RedisError as error:
            self.lose(error)


class LeasedQueue(RedisQueueBase):
    """scrapy-redis' queue interface on the frontier's leased priority queue."""

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        self.fleet = _fleet(spider.crawler)

    def __len__(self):
        if self.fleet.lost:
            return 0
        try:
            return self.fleet.frontier.queued()
        except redis.RedisError as error:
            self.fleet.lose(error)
            return 0

    def push(self, request):
        try:
            self.fleet.frontier.push(self._encode_request(request), request.priority)
        except redis.RedisError as error:  # the request that found it is not settled: it will be redone
            self.fleet.lose(error)

    def pop(self, timeout=0):
        if self.fleet.lost:
            return None
        try:
            found = self.fleet.frontier.pop()
        except redis.RedisError as error:
            self.fleet.lose(error)
            return None
        if found is None:
            return None
        token, payload = found
        request = self._decode_request(payload)
        request.meta[LEASE] = token
        self.fleet.held.add(token)
        return request

    def clear(self):
        """Never: the queue belongs to the fleet, not to one worker."""


class FrontierScheduler(RedisScheduler):
    """scrapy-redis' scheduler, its dupefilter's fingerprints tested and the request queued in one
    step; a request that replaces a leased one (a retry, a redirect) is queued before the lease
    it carries is settled."""

    def enqueue_request(self, request):
        token = request.meta.pop(LEASE, None)
        fleet = _fleet(self.spider.crawler)
        try:
            # the fingerprint scrapy-redis' dupefilter makes, tested and added with the push in one
            # step (its request_seen, then a push: a worker killed in between lost the request)
            fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
            if not fleet.frontier.enqueue(self.queue._encode_request(request), request.priority, fingerprint):
                self.df.log(request, self.spider)
                return False
            if self.stats:  # scrapy-redis 0.9.1 passes spider= here, deprecated by Scrapy 2.13
                self.stats.inc_value("scheduler/enqueued/redis")
            return True
        except redis.RedisError as error:
            fleet.lose(error)
            return False
        finally:
            if token is not None:
                request.meta[LEASE] = token
                fleet.settle(request)

    def next_request(self):
        request = self.queue.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def flush(self):
        """Never: the fleet's queue and fetched-once set outlive a worker."""


class FleetPoliteness:
    """Before a request leaves, take its host's slot in the frontier: one request in flight per
    host in the whole fleet, and ``FLEET_DELAY`` seconds at least between an answer and the next
    request to the host (Redis' clock; counted from the answer, where a lone Scrapy counts from
    the previous request's start, so that the portal never sees two requests closer than the
    delay whoever sent them). The slot is given back with the response or the error; a worker
    that dies holding one loses it after ``DOWNLOAD_TIMEOUT`` + 5 s."""

    def __init__(self, crawler):
        self.fleet = _fleet(crawler)
        self.delay = crawler.settings.getfloat("FLEET_DELAY", 1.0)
        self.hold = crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 60) + 5
        self.holder = self.fleet.name

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request, spider=None):
        host = urlparse_cached(request).netloc
        while True:
            if self.fleet.lost:
                raise IgnoreRequest("the frontier cannot be reached")
            try:
                wait = self.fleet.frontier.take_slot(host, self.holder, self.hold)
            except redis.RedisError as error:
                self.fleet.lose(error)
                continue
            if wait <= 0:
                request.meta["fleet_slot"] = host
                return None
            await asyncio.sleep(min(wait, 1000) / 1000)

    def _give_back(self, request) -> None:
        host = request.meta.pop("fleet_slot", None)
        if host is not None and not self.fleet.lost:
            try:
                self.fleet.frontier.give_slot(host, self.holder, self.delay)
            except redis.RedisError as error:  # the slot expires by itself
                self.fleet.lose(error)

    def process_response(self, request, response, spider=None):
        self._give_back(request)
        return response

    def process_exception(self, request, exception, spider=None):
        self._give_back(request)
        return None


class SharedRobotsTxt(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with each host's robots.txt fetched once per run for the
    whole fleet: the worker that claims it fetches it and keeps it in the frontier; the others
    wait for it there (at most ``DOWNLOAD_TIMEOUT`` × 3, then fetch it themselves)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.fleet = _fleet(crawler)
        self.patience = crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 60) * 3

    async def robot_parser(self, request):
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers:
            shared = await self._shared(netloc)
            if shared is not False:
                self._parsers[netloc] = (None if shared is None else
                                         build_from_crawler(self._parserimpl, self.crawler, shared))
        return await super().robot_parser(request)

    async def _shared(self, netloc: str):
        """The fleet's robots.txt body of ``netloc`` (None: could not be fetched), or False when
        this worker is to fetch it."""
        waited = 0.0
        while True:
            try:
                shared = self.fleet.frontier.robots(netloc)
                if shared is not False:
                    return shared
                if self.fleet.frontier.claim_robots(netloc, self.patience):
                    return False
            except redis.RedisError as error:
                self.fleet.lose(error)
                return False
            if waited >= self.patience:
                return False
            await asyncio.sleep(0.1)
            waited += 0.1
            if netloc in self._parsers:  # fetched meanwhile by this worker
                return False

    async def _parse_robots(self, response, netloc, request):
        self._keep(netloc, response.body)
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc, netloc):
        self._keep(netloc, None)
        super()._robots_error(exc, netloc)

    def _keep(self, netloc: str, body: bytes | None) -> None:
        try:
            self.fleet.frontier.keep_robots(netloc, body)
        except redis.RedisError as error:
            self.fleet.lose(error)


class ItemsToFrontier:
    """The fleet's item pipeline: every item goes to the frontier's stream, for the writer."""

    def __init__(self, crawler):
        self.fleet = _fleet(crawler)
        self.crawler = crawler
        self.sent = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item, spider=None):
        try:
            self.fleet.frontier.send_item(item)
        except redis.RedisError as error:  # its request is not settled: it will be fetched again
            self.fleet.lose(error)
            return item
        self.sent += 1
        self.crawler.stats.inc_value("newsarchive/items_sent")
        return item
