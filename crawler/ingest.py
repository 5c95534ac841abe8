"""The one writer of a crawl fleet: ``newsarchive ingest --frontier redis://HOST:PORT/N --db PATH``.

Workers (``newsarchive crawl --frontier URL``) never touch SQLite: what they extract goes to the
frontier's item stream (:mod:`crawler.frontier`); this process saves it with the crawl's own
pipeline (:class:`crawler.pipelines.ArchivePipeline`, so through :mod:`archive.store` only), under
the archive's lock. For each run of the fleet it:

1. publishes the archive's state for the run's hosts (what is archived and its validators, the
   images kept, the newest publication date, walks to resume, the articles due for a recheck and
   the failed pages to retry), which the run's first worker waits for before it seeds;
2. saves the items in batches (up to ``--batch`` items or one second), each batch in one
   transaction that also records the stream position it reached, then acknowledges them in the
   stream: an item delivered again (a writer killed between the two) is skipped, and an article
   fetched twice (a worker killed after sending it) is saved once (the store is idempotent);
3. keeps the published state up to date as it saves (articles, images);
4. records the run (``crawl_runs``: one row per fleet run, counting what it saved) and ends it
   when the run is drained: nothing queued, nothing leased, every item saved.

Without ``--follow`` it exits after one run (waiting for one to be seeded if the frontier's
last run is saved already); with it, it serves run after run until stopped. Once a run is drained it waits for the workers' own reports (the
requests and failures per portal, the listing pages they read; up to a minute: a killed worker
sends none) and records each portal's health as a lone crawl does (``crawl_portal_runs``, the
run's yields and warnings). Exit status: 0; 1 a portal of the run is unhealthy (as
``newsarchive crawl``); 2 bad usage or an unreachable frontier; 69 the frontier went away
(what was saved stays saved; the rest waits in Redis); 75 the archive is locked;
128 + N after signal N (the open batch is saved first).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from types import SimpleNamespace

import redis

from archive import package_version, store

from . import portals
from .extract.dates import now_iso
from .extract.urls import canonical, host_of
from .frontier import Frontier, FrontierError
from .incremental import ArchiveView
from .items import ArchivedPage, MediaFile, PageFailure, WorkerReport
from .report import PortalHealth, YieldReport
from .pipelines import ArchivePipeline
from .run import EXIT, redis_url_argument, lock_archive

logger = logging.getLogger("crawler.ingest")

#: Seconds the writer waits, once a run is drained, for its workers' reports.
REPORT_PATIENCE = 60


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsarchive ingest",
                                     description="Save what a crawl fleet's workers send into the archive "
                                                 "(the fleet's only writer).")
    parser.add_argument("--frontier", required=True, type=redis_url_argument, metavar="URL",
                        help="the fleet's Redis database, redis://HOST:PORT/N")
    parser.add_argument("--db", default="archive.db", help="SQLite archive file (default: archive.db)")
    parser.add_argument("--follow", action="store_true",
                        help="keep serving run after run (default: exit when one run is saved)")
    parser.add_argument("--batch", type=int, default=100, metavar="N",
                        help="items saved per transaction at most (default 100)")
    parser.add_argument("--wait-lock", type=float, default=0, metavar="SECONDS",
                        help="if another process holds the archive, wait up to SECONDS (default: exit 75 at once)")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    parser.add_argument("--version", action="version", version=f"newsarchive {package_version()}")
    return parser


class Writer:
    """Saves one fleet run's items (see the module docstring)."""

    def __init__(self, frontier: Frontier, db_path: str, batch: int):
        self.frontier = frontier
        self.db_path = db_path
        self.batch = max(1, batch)
        self.stream = frontier.key("items")
        self.pipeline: ArchivePipeline | None = None
        self.run_id: int | None = None  #: the fleet's run being saved
        self.position: str | None = None  #: the last stream id saved (``ingest_positions``)
        self.saved = 0

    def publish(self, run: dict) -> None:
        """The archive's state for ``run`` (its hosts, its options), for the workers."""
        hosts = {host_of(url) for url in run["seeds"]}
        options = run["options"]
        view = ArchiveView(self.db_path, hosts)
        try:
            due = view.rechecks(recheck_days=options.get("recheck_days", 7),
                                rotation_days=options.get("rotation_days", 30), everything=options.get("full", False))
            media = list(store.media_states(view.db))
            self.frontier.publish_state(
                run["id"], known=store.known_articles_on(view.db, hosts),
                media_held=(url for url, held in media if held), media_known=(url for url, _ in media),
                newest=view.newest, resume=view.resume_depth(run["seeds"]), due=due,
                retries=view.failures_to_retry())
        finally:
            view.close()
        logger.info("run %d: published the archive's state for %d hosts (%d rechecks due)", run["id"], len(hosts),
                    len(due))

    def open(self, run: dict) -> None:
        self.pipeline = ArchivePipeline(self.db_path, batch_items=10**9, batch_seconds=10**9)
        self.pipeline.open_run(run["seeds"])
        self.run_id = run["id"]
        # the run's account, as a lone crawl's spider keeps it: the workers' reports merged into it
        yields = YieldReport(run["seeds"])
        registry = self.pipeline.registry
        health = PortalHealth(yields, name_of=lambda host: getattr(portals.for_host(host, registry), "slug", None)
                              or host)
        self.account = SimpleNamespace(yields=yields, health=health, walk_pages={},
                                       max_failure_rate=run["options"].get("max_failure_rate", 0.10))
        self.unhealthy: list[str] = []
        self.position = store.ingest_position(self.pipeline.db, self.stream)

    def save(self, block_ms: int = 1000) -> int:
        """Save the next batch of items (waiting up to ``block_ms`` for one); returns how many."""
        entries = self.frontier.receive_items(self.batch, block_ms)
        if not entries:
            return 0
        pipeline = self.pipeline
        assert pipeline is not None, "open() a run first"
        fresh = [(entry_id, item) for entry_id, item in entries if _after(entry_id, self.position)]
        for entry_id, item in fresh:
            if isinstance(item, WorkerReport):
                if item.run_id == self.run_id:
                    self.account.health.merge(item.requests, item.failures, item.start_failures)
                    self.account.yields.merge_listings(item.listings)
                continue
            if isinstance(item, PageFailure):
                pipeline.count_failure()
            pipeline.process_item(item, self.account)
        if fresh:
            pipeline._begin()
            store.record_ingest_position(pipeline.db, self.stream, fresh[-1][0], now_iso())
            pipeline.commit()
            self.position = fresh[-1][0]
            self._publish_saved([item for _, item in fresh])
        self.frontier.ack_items([entry_id for entry_id, _ in entries])
        self.saved += len(fresh)
        return len(entries)

    def _publish_saved(self, items: list) -> None:
        for item in items:
            if isinstance(item, ArchivedPage) and item.article is not None and item.outcome:
                headers = {k.lower(): v for k, v in item.snapshot.headers.items()}
                urls = {item.article.url, canonical(item.snapshot.requested_url or item.article.url), *item.aliases}
                self.frontier.saved_article(urls, {"url": item.article.url, "fetch_url": item.snapshot.requested_url,
                                                   "etag": headers.get("etag"),
                                                   "last_modified": headers.get("last-modified")})
            elif isinstance(item, MediaFile) and item.status is not None:
                self.frontier.saved_media(item.url, held=item.body is not None and 200 <= item.status < 300)

    def close(self, reason: str) -> None:
        """End the run's record: ``finished`` (drained) or ``shutdown`` (interrupted)."""
        if self.pipeline is not None:
            self.pipeline.spider_closed(self.account, reason)
            if reason == "finished":
                self.unhealthy = [p["portal"] for p in self.account.health.portals(self.account.max_failure_rate)
                                  if not p["healthy"]]
            logger.info("run %d %s: %d items saved", self.run_id, "saved" if reason == "finished" else "interrupted",
                        self.saved)
        self.pipeline, self.run_id, self.saved = None, None, 0


def _after(entry_id: str, position: str | None) -> bool:
    """Whether stream id ``entry_id`` comes after ``position`` (ids are ``MS-SEQ``)."""
    if position is None:
        return True
    key = lambda i: tuple(int(part) for part in i.split("-"))  # noqa: E731
    return key(entry_id) > key(position)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    try:
        frontier = Frontier(args.frontier)
    except FrontierError as error:
        print(f"newsarchive ingest: {error}", file=sys.stderr)
        return EXIT["usage"]
    lock, failed = lock_archive("newsarchive ingest", args.db, args.wait_lock, "nothing was saved")
    if failed is not None or lock is None:
        return failed or EXIT["usage"]
    stop: list[int] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda number, frame: stop.append(number))
    writer = Writer(frontier, args.db, args.batch)
    try:
        return _serve(frontier, writer, args, stop)
    except redis.RedisError as error:
        print(f"newsarchive ingest: the frontier {args.frontier} could not be reached ({error}); what was saved "
              "stays saved, the rest waits in Redis for the next `newsarchive ingest`", file=sys.stderr)
        writer.close("shutdown")
        return EXIT["unavailable"]
    finally:
        lock.release()


def _serve(frontier: Frontier, writer: Writer, args: argparse.Namespace, stop: list[int]) -> int:
    """Save run after run (one without ``--follow``) until stopped; returns the exit status."""
    waiting_logged = False
    drained_at = None
    while not stop:
        run = frontier.run()
        if run is None or run["saved"] >= run["id"]:  # none yet, or saved: wait for the next
            if not waiting_logged:
                logger.info("waiting for a crawl to be seeded (newsarchive crawl --frontier %s …)", args.frontier)
                waiting_logged = True
            time.sleep(0.5)
            continue
        if writer.run_id != run["id"]:
            if writer.run_id is not None:  # a new run began while this one was saved
                writer.close("finished")
            if run["state"] < run["id"]:
                writer.publish(run)
            writer.open(run)
        if writer.save() == 0 and frontier.drained() and frontier.items_waiting() == 0:
            # every page is done; the workers' own reports come as they stop (a killed one's never)
            drained_at = drained_at or time.monotonic()
            if frontier.workers() and time.monotonic() - drained_at < REPORT_PATIENCE:
                continue
            writer.close("finished")
            frontier.mark_saved(run["id"])
            drained_at = None
            for portal in writer.unhealthy:
                logger.warning("run %d: portal %s is unhealthy (crawl_portal_runs says why)", run["id"], portal)
            if not args.follow:
                return EXIT["unhealthy"] if writer.unhealthy else EXIT["ok"]
            waiting_logged = False
    writer.close("shutdown")
    return 128 + stop[0]


if __name__ == "__main__":
    sys.exit(main())
