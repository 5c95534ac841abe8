"""Run a crawl into an archive: ``python -m crawler.run URL [URL ...] --db PATH``.

This is what ``newsarchive crawl`` executes (in its own process, because Twisted's reactor can
run once per process). Incremental unless ``--full`` (see :mod:`crawler.incremental`).

Exit status (:data:`EXIT`): 0 every portal crawled and yielded what it should; 1 the crawl ran
but at least one portal is unhealthy (unreachable, its start URL not a listing or no article
found, or failures above ``--max-failure-rate``); 2 bad usage or an unusable archive; 69 (a
worker of a crawl fleet) its frontier could not be reached; 75 another crawl holds the archive's lock; 130 / 143 interrupted by SIGINT / SIGTERM after a clean shutdown.
The last line on stderr is the summary; ``--json-summary FILE`` writes it per portal as JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from archive import package_version, store
from archive.lock import ArchiveLock, ArchiveLocked

from . import portals
from .fleet import fleet_settings
from .frontier import Frontier, FrontierError, check_url
from .spiders.portal import PortalSpider, check_start_url

#: Exit statuses (the module docstring); an interrupted crawl exits 128 + the signal's number.
EXIT = {"ok": 0, "unhealthy": 1, "usage": 2, "unavailable": 69, "locked": 75}

#: Young objects the crawl process lets pile up before the cycle collector runs (Python's
#: default: 700). Every request makes and drops cyclic objects (Deferreds, failures): collected
#: seven times less often, each collection does more but the older generations are walked less.
COLLECT_EVERY = 5000


def collector_for_a_crawl() -> None:
    """Tune the cycle collector for the crawl that is about to start: start-up's objects
    (modules, settings, the page objects' tables; never garbage) frozen out of its way, young
    objects collected every :data:`COLLECT_EVERY`. The collector took 3.4 % of the crawl
    process's time in bench/crawl_throughput.py's one-portal crawl, 1.0 % after."""
    gc.freeze()
    gc.set_threshold(COLLECT_EVERY, *gc.get_threshold()[1:])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsarchive crawl", description="Crawl category listing pages into the archive.")
    parser.add_argument("start_urls", nargs="*", metavar="START_URL", help="a category listing page URL")
    parser.add_argument("--portal", action="append", default=[], metavar="SLUG",
                        help="crawl a registered portal's start URLs (repeatable; see `newsarchive portals`)")
    parser.add_argument("--all", action="store_true", help="crawl every registered portal")
    parser.add_argument("--db", default="archive.db", help="SQLite archive file (created if missing; default: archive.db)")
    parser.add_argument("--max-pages", type=_positive_int, default=None, metavar="N",
                        help="stop after N responses (default: no limit)")
    parser.add_argument("--delay", type=_non_negative_float, default=None, metavar="SECONDS",
                        help="minimum delay between requests to a host (default 1; 0 turns throttling off)")
    parser.add_argument("--timeout", type=_positive_float, default=None, metavar="SECONDS",
                        help="give up on a page after SECONDS (default 60; each page is retried twice)")
    parser.add_argument("--related-hops", type=_non_negative_int, default=2, metavar="N",
                        help="follow related links up to N links away from a listing (default 2)")
    parser.add_argument("--full", action="store_true",
                        help="walk every listing page and recheck every archived article of the portals "
                             "(default: incremental, stop paging at a page holding only archived articles)")
    parser.add_argument("--recheck-days", type=_non_negative_float, default=7, metavar="DAYS",
                        help="recheck archived articles published in the last DAYS days on every run, "
                             "conditionally (default 7; 0: none)")
    parser.add_argument("--rotation-days", type=_non_negative_float, default=30, metavar="DAYS",
                        help="recheck older articles last seen more than DAYS days ago, at most 1/DAYS of the "
                             "portal's archive per run (default 30; 0: never)")
    parser.add_argument("--max-failure-rate", type=_rate, default=0.10, metavar="SHARE",
                        help="a portal whose failed requests exceed this share (and 3) is unhealthy: exit status 1 "
                             "(default 0.10)")
    parser.add_argument("--wait-lock", type=_non_negative_float, default=0, metavar="SECONDS",
                        help="if another crawl holds the archive, wait up to SECONDS for it (default: exit 75 at once)")
    parser.add_argument("--no-media", action="store_true",
                        help="do not fetch the archived articles' images and attachments")
    parser.add_argument("--max-image-mb", type=_positive_float, default=10, metavar="MB",
                        help="largest image kept (default 10)")
    parser.add_argument("--max-attachment-mb", type=_positive_float, default=50, metavar="MB",
                        help="largest attachment (PDF, Word, Excel, archive) kept (default 50)")
    parser.add_argument("--workers", type=_non_negative_int, default=None, metavar="N",
                        help="processes that parse pages while the downloader keeps fetching (default: the number "
                             "of cores; 0: parse in the crawl's own thread)")
    fleet = parser.add_argument_group("a crawl fleet (several processes, one archive; see `newsarchive ingest`)")
    fleet.add_argument("--frontier", type=redis_url_argument, metavar="URL",
                       help="work on the shared frontier in this Redis database (redis://HOST:PORT/N): seed the "
                            "start URLs into it and crawl with the other workers; the archive is written by "
                            "`newsarchive ingest --frontier URL --db PATH` only")
    fleet.add_argument("--join", action="store_true",
                       help="with --frontier: seed nothing, work on the frontier's run (wait for one)")
    fleet.add_argument("--lease-seconds", type=_positive_float, default=60, metavar="SECONDS",
                       help="a request a worker took returns to the frontier when the worker has not been heard "
                            "from for SECONDS (default 60)")
    fleet.add_argument("--state-timeout", type=_positive_float, default=120, metavar="SECONDS",
                       help="how long seeding waits for the writer to publish the archive's state (default 120)")
    parser.add_argument("--json-summary", metavar="FILE", help="also write the summary, per portal, as JSON to FILE")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="INFO (default): a few lines per portal and the summary; DEBUG: Scrapy's detail too")
    parser.add_argument("--log-file", metavar="PATH", help="write the log to PATH instead of stderr (the summary "
                                                           "is printed on stderr all the same)")
    parser.add_argument("--version", action="version", version=f"newsarchive {package_version()}")
    return parser


def settings_for(args: argparse.Namespace) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    overrides = {"ARCHIVE_DB": args.db, "LOG_LEVEL": args.log_level}
    if args.log_file:
        overrides["LOG_FILE"] = args.log_file
    overrides["PROGRESS_ENABLED"] = sys.stderr.isatty() and args.log_level != "DEBUG"
    if args.max_pages:
        overrides["CLOSESPIDER_PAGECOUNT"] = args.max_pages
    overrides["MEDIA_ENABLED"] = not args.no_media
    overrides["MEDIA_IMAGE_MAXSIZE"] = int(args.max_image_mb * 2**20)
    overrides["MEDIA_ATTACHMENT_MAXSIZE"] = int(args.max_attachment_mb * 2**20)
    if args.workers is not None:
        overrides["PARSER_WORKERS"] = args.workers
    if args.timeout is not None:
        overrides["DOWNLOAD_TIMEOUT"] = args.timeout
    if args.delay is not None:
        overrides["DOWNLOAD_DELAY"] = args.delay
        if args.delay == 0:
            overrides["AUTOTHROTTLE_ENABLED"] = False
    if args.frontier:
        overrides.update(fleet_settings(args.frontier, delay=1.0 if args.delay is None else args.delay,
                                        lease_seconds=args.lease_seconds))
    settings.setdict(overrides, priority="cmdline")
    return settings


def registered_start_urls(slugs: list[str], everything: bool) -> list[str]:
    """Start URLs of the named registered portals (or of all of them)."""
    if not slugs and not everything:
        return []
    registry = portals.load()
    chosen = registry if everything else [portals.by_slug(slug, registry) for slug in slugs]
    return [url for portal in chosen for url in portal.start_urls]


class _Process(CrawlerProcess):
    """Scrapy's process, remembering the first shutdown signal (for the exit status)."""

    signal_received: int | None = None

    def _signal_shutdown(self, signum, frame):
        if self.signal_received is None:
            self.signal_received = signum
        super()._signal_shutdown(signum, frame)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        portals.load()  # a broken registry is reported before anything is fetched
        urls = [check_start_url(u) for u in args.start_urls] + registered_start_urls(args.portal, args.all)
    except (ValueError, portals.RegistryError) as error:
        parser.error(str(error))
    if args.join and not args.frontier:
        parser.error("--join works on a frontier: give --frontier URL")
    if args.join and urls:
        parser.error("--join seeds nothing: give no START_URL, --portal or --all (the first worker seeds them)")
    if not urls and not args.join:
        parser.error("give START_URL(s), --portal SLUG or --all")
    if args.frontier:
        return crawl_on_frontier(args, urls)
    _, failed = lock_archive("newsarchive crawl", args.db, args.wait_lock, "nothing was fetched")
    if failed is not None:
        return failed
    process, crawler = run_spider(args, urls)
    return report(args, crawler, process.signal_received)


def lock_archive(prog: str, db: str, wait: float, nothing_done: str) -> tuple[ArchiveLock | None, int | None]:
    """Take the archive's lock (waiting up to ``wait`` seconds) and check the archive opens:
    ``(lock, None)``, or ``(None, exit status)`` after a one-line message saying ``nothing_done``."""
    lock = ArchiveLock(db)
    try:
        lock.acquire(wait=wait, command=" ".join(sys.argv))
    except ArchiveLocked as error:
        print(f"{prog}: {error}; {nothing_done} (--wait-lock SECONDS waits for it)", file=sys.stderr)
        return None, EXIT["locked"]
    except OSError as error:
        print(f"{prog}: cannot lock the archive {db!r}: {error}", file=sys.stderr)
        return None, EXIT["usage"]
    try:
        store.open_db(db).close()
    except Exception as error:  # unreadable path, not a database, disk full…
        lock.release()
        print(f"{prog}: cannot open the archive {db!r}: {error}", file=sys.stderr)
        return None, EXIT["usage"]
    return lock, None


def run_spider(args: argparse.Namespace, urls: list[str], **options) -> tuple[_Process, Crawler]:
    """Crawl ``urls`` with the portal spider as ``args`` say (``options``: more spider arguments),
    until the crawl ends; returns the process and its crawler."""
    if args.log_level != "DEBUG":  # Scrapy's start-up banner (versions, settings) is logged by this logger
        logging.getLogger("scrapy.utils.log").addFilter(lambda record: record.levelno >= logging.WARNING)
    process = _Process(settings_for(args))
    quiet_scrapy(args.log_level)
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, start_urls=urls, related_hops=args.related_hops, full=args.full,
                  recheck_days=args.recheck_days, rotation_days=args.rotation_days,
                  max_failure_rate=args.max_failure_rate, **options)
    one_line_errors(args.log_level)
    collector_for_a_crawl()
    process.start()
    return process, crawler


def crawl_on_frontier(args: argparse.Namespace, urls: list[str]) -> int:
    """Be one worker of the fleet on ``args.frontier`` (:mod:`crawler.fleet`): seed ``urls`` as a
    run (unless ``--join``), once the writer has published the archive's state, then crawl until
    the run is drained. Never opens the archive."""
    try:
        frontier = Frontier(args.frontier, lease_seconds=args.lease_seconds)
    except FrontierError as error:
        print(f"newsarchive crawl: {error}", file=sys.stderr)
        return EXIT["usage"]
    if not args.join:
        run_id, new = frontier.start_run(urls, {"full": args.full, "recheck_days": args.recheck_days,
                                                "rotation_days": args.rotation_days,
                                                "max_failure_rate": args.max_failure_rate})
        print(f"newsarchive crawl: {'started' if new else 'added to'} run {run_id} on {args.frontier}",
              file=sys.stderr)
        if not frontier.wait_for_state(run_id, args.state_timeout):
            print(f"newsarchive crawl: the archive's state for run {run_id} was not published within "
                  f"{args.state_timeout:g} s: is `newsarchive ingest --frontier {args.frontier} --db PATH` running? "
                  "(nothing was fetched; the run stays seeded for it)", file=sys.stderr)
            return EXIT["usage"]
    process, crawler = run_spider(args, urls, join=args.join)
    fleet = getattr(crawler, "fleet", None)
    if fleet is not None and fleet.lost:
        print(f"newsarchive crawl: the frontier {args.frontier} could not be reached ({fleet.lost}); this worker "
              "stopped, and what it had in hand goes back to the queue when Redis is back", file=sys.stderr)
        return EXIT["unavailable"]
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print(f"worker {stats.get('finish_reason', '?')}: {stats.get('downloader/request_count', 0)} requests, "
          f"{stats.get('newsarchive/items_sent', 0)} items sent to {args.frontier}", file=sys.stderr)
    return 128 + process.signal_received if process.signal_received else EXIT["ok"]


def report(args: argparse.Namespace, crawler, signal_received: int | None) -> int:
    """Print what each start URL yielded, the warnings and the summary (last); write
    ``--json-summary``; return the exit status (the module docstring)."""
    stats = crawler.stats.get_stats() if crawler.stats else {}
    spider = crawler.spider
    health = spider.health.portals(args.max_failure_rate) if spider is not None else []
    yields = getattr(spider, "yields", None)
    warnings = yields.warnings() if yields is not None else []
    for entry in yields.by_start_url.values() if yields is not None else []:
        print(entry.summary(), file=sys.stderr)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for portal in health:
        for problem in portal["problems"]:
            if problem not in warnings:
                print(f"warning: {portal['portal']}: {problem}", file=sys.stderr)
    if signal_received:
        code = 128 + signal_received
    else:
        code = EXIT["unhealthy"] if any(not p["healthy"] for p in health) else EXIT["ok"]
    if args.json_summary:
        summary = {"status": stats.get("newsarchive/status", "stopped"), "exit_status": code, "archive": args.db,
                   **{key.split("/", 1)[1]: value for key, value in stats.items()
                      if key.startswith("newsarchive/") and key != "newsarchive/status"},
                   "portals": health}
        try:
            with open(args.json_summary, "w", encoding="utf-8") as file:
                json.dump(summary, file, ensure_ascii=False, indent=1)
        except OSError as error:
            print(f"warning: could not write --json-summary {args.json_summary!r}: {error}", file=sys.stderr)
    print(summary_line(stats, args.db, health), file=sys.stderr)
    return code


def quiet_scrapy(level: str) -> None:
    """Scrapy's own INFO lines (settings, middlewares, the stats dump) only at ``--log-level
    DEBUG``; the crawl's own lines keep the level asked for. Call once Scrapy has configured
    logging (after creating the process, before ``crawl()``)."""
    if level != "DEBUG":
        for name in ("scrapy", "twisted", "protego", "filelock", "asyncio"):
            logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
        # the crawl names these failures itself, in one line each
        for name in ("scrapy.downloadermiddlewares.httpcompression", "scrapy.downloadermiddlewares.retry"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def one_line_errors(level: str) -> None:
    """A library's error line (robots.txt of a dead portal…) stays one line, its traceback only
    at DEBUG. Call once Scrapy has installed its log handler (after ``crawl()``)."""
    if level != "DEBUG":
        for handler in logging.getLogger().handlers:
            handler.addFilter(_one_line)


def _one_line(record: logging.LogRecord) -> bool:
    if record.exc_info and not record.name.startswith(("crawler", "portal")):
        record.exc_info, record.exc_text = None, None
    return True


def summary_line(stats: dict, db: str, health: list[dict] | None = None) -> str:
    """The crawl's last line: requests made, 304s, new / updated / unchanged / taken-down
    articles, failures (the same counters as its ``crawl_runs`` row), and the unhealthy portals."""
    count = lambda key: stats.get(f"newsarchive/{key}", 0)  # noqa: E731
    line = (f"crawl {stats.get('newsarchive/status', stats.get('finish_reason', '?'))}: {count('requests')} requests, "
            f"{count('not_modified')} not modified (304), {count('articles_new')} new, "
            f"{count('articles_updated')} updated, {count('articles_unchanged')} unchanged, "
            f"{count('articles_taken_down')} taken down, {count('failures')} failures -> {db}")
    unhealthy = [p["portal"] for p in health or [] if not p["healthy"]]
    if unhealthy:
        line += f"; unhealthy: {', '.join(unhealthy)}"
    return line


def redis_url_argument(text: str) -> str:
    try:
        return check_url(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a share between 0 and 1: {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1 (0.10 is 10 %)")
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    value = _non_negative_float(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value < 0 or value != value:
        raise argparse.ArgumentTypeError("must be 0 or more seconds")
    return value


if __name__ == "__main__":
    sys.exit(main())
