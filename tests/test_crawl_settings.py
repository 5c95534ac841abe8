"""Politeness defaults of `newsarchive crawl` and what --delay / --max-pages change."""

import gc

from crawler.run import COLLECT_EVERY, build_parser, collector_for_a_crawl, settings_for


def settings(*argv):
    return settings_for(build_parser().parse_args(["http://127.0.0.1/x/", *argv]))


def test_polite_by_default():
    s = settings()
    assert s.getfloat("DOWNLOAD_DELAY") >= 1.0
    assert s.getfloat("DOWNLOAD_DELAY_JITTER") == 0  # the delay is a floor, never shortened
    assert s.getbool("AUTOTHROTTLE_ENABLED")
    assert s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert s.getbool("ROBOTSTXT_OBEY")
    assert s.get("USER_AGENT").startswith("newsarchive/")
    assert s.get("ARCHIVE_DB") == "archive.db"
    assert not s.getint("CLOSESPIDER_PAGECOUNT")


def test_delay_zero_turns_throttling_off():
    s = settings("--delay", "0")
    assert s.getfloat("DOWNLOAD_DELAY") == 0 and not s.getbool("AUTOTHROTTLE_ENABLED")


def test_delay_and_limits():
    s = settings("--delay", "2.5", "--max-pages", "7", "--db", "x.db")
    assert s.getfloat("DOWNLOAD_DELAY") == 2.5 and s.getbool("AUTOTHROTTLE_ENABLED")
    assert s.getint("CLOSESPIDER_PAGECOUNT") == 7 and s.get("ARCHIVE_DB") == "x.db"


def test_a_callbacks_outputs_are_handed_on_one_at_a_time():
    """README, *Where a crawl's CPU goes*: Scrapy's default (100) started 100 asyncio tasks a page
    for a pipeline that writes SQLite in the crawl's own thread; one at a time is also their order."""
    assert settings().getint("CONCURRENT_ITEMS") == 1


def test_collector_tuned_for_a_crawl():
    threshold = gc.get_threshold()
    try:
        collector_for_a_crawl()
        assert gc.get_freeze_count() > 0  # start-up's objects out of the collector's way
        assert gc.get_threshold() == (COLLECT_EVERY, *threshold[1:])
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
