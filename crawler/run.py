"""Run a crawl into an archive: ``python -m crawler.run URL [URL ...] --db PATH``.

This is what ``newsarchive crawl`` executes (in its own process, because Twisted's reactor can
run once per process). Incremental unless ``--full`` (see :mod:`crawler.incremental`). Exit status: 0 when the crawl ran (pages that failed are logged and
counted in ``crawl_runs.failures``), 2 for bad arguments or an archive that can't be opened.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive import store

from . import portals
from .spiders.portal import PortalSpider, check_start_url


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
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser


def settings_for(args: argparse.Namespace) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    overrides = {"ARCHIVE_DB": args.db, "LOG_LEVEL": args.log_level}
    if args.max_pages:
        overrides["CLOSESPIDER_PAGECOUNT"] = args.max_pages
    if args.timeout is not None:
        overrides["DOWNLOAD_TIMEOUT"] = args.timeout
    if args.delay is not None:
        overrides["DOWNLOAD_DELAY"] = args.delay
        if args.delay == 0:
            overrides["AUTOTHROTTLE_ENABLED"] = False
    settings.setdict(overrides, priority="cmdline")
    return settings


def registered_start_urls(slugs: list[str], everything: bool) -> list[str]:
    """Start URLs of the named registered portals (or of all of them)."""
    if not slugs and not everything:
        return []
    registry = portals.load()
    chosen = registry if everything else [portals.by_slug(slug, registry) for slug in slugs]
    return [url for portal in chosen for url in portal.start_urls]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        portals.load()  # a broken registry is reported before anything is fetched
        urls = [check_start_url(u) for u in args.start_urls] + registered_start_urls(args.portal, args.all)
    except (ValueError, portals.RegistryError) as error:
        parser.error(str(error))
    if not urls:
        parser.error("give START_URL(s), --portal SLUG or --all")
    try:
        store.open_db(args.db).close()
    except Exception as error:  # unreadable path, not a database, disk full…
        print(f"newsarchive crawl: cannot open the archive {args.db!r}: {error}", file=sys.stderr)
        return 2
    process = CrawlerProcess(settings_for(args))
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, start_urls=urls, related_hops=args.related_hops, full=args.full,
                  recheck_days=args.recheck_days, rotation_days=args.rotation_days)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    yields = getattr(crawler.spider, "yields", None)
    if yields is not None:
        for entry in yields.by_start_url.values():
            print(entry.summary(), file=sys.stderr)
        for warning in yields.warnings():
            print(f"warning: {warning}", file=sys.stderr)
    print(summary_line(stats, args.db), file=sys.stderr)
    return 0


def summary_line(stats: dict, db: str) -> str:
    """The crawl's last line: requests made, 304s, new / updated / unchanged / taken-down
    articles, failures (the same counters as its ``crawl_runs`` row)."""
    count = lambda key: stats.get(f"newsarchive/{key}", 0)  # noqa: E731
    return (f"crawl {stats.get('newsarchive/status', stats.get('finish_reason', '?'))}: {count('requests')} requests, "
            f"{count('not_modified')} not modified (304), {count('articles_new')} new, "
            f"{count('articles_updated')} updated, {count('articles_unchanged')} unchanged, "
            f"{count('articles_taken_down')} taken down, {count('failures')} failures -> {db}")


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
