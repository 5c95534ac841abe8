"""The crawl's pipeline writes in batched transactions (crawler/pipelines.py): a batch is committed
when it is full, when it is old, and when the crawl ends; the run's counters commit with the items
they count; a batch that cannot be saved is counted and named, and what was committed stays."""

import logging
import sqlite3
import time
from types import SimpleNamespace

from crawler.extract.dates import now_iso
from crawler.items import ArchivedPage, Article, Snapshot
from crawler.pipelines import ArchivePipeline


def page(n: int) -> ArchivedPage:
    url = f"http://portal.example.vn/tin/bai-{n}.html"
    article = Article(url=url, title=f"Bài số {n} về thi đua khen thưởng", body_text="Nội dung. " * 50,
                      published_at="2024-05-01T08:00:00+07:00", platform="generic")
    snapshot = Snapshot(url=url, fetched_at=now_iso(), status=200, headers={"Content-Type": "text/html"},
                        body=b"<html></html>", requested_url=url)
    return ArchivedPage(snapshot=snapshot, article=article, host="portal.example.vn")


def committed(db_path: str, sql: str = "select count(*) from articles"):
    """What another connection (a reader, or the archive after a kill -9) sees."""
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchone()[0]


def open_pipeline(tmp_path, **batching) -> tuple[ArchivePipeline, SimpleNamespace, str]:
    db_path = str(tmp_path / "archive.db")
    pipeline = ArchivePipeline(db_path, **batching)
    spider = SimpleNamespace(start_urls=["http://portal.example.vn/tin/"])
    pipeline.open_spider(spider)
    return pipeline, spider, db_path


def test_a_batch_commits_when_full_with_the_counts_of_what_it_holds(tmp_path):
    pipeline, spider, db_path = open_pipeline(tmp_path, batch_items=10, batch_seconds=3600)
    for n in range(9):
        pipeline.process_item(page(n), spider)
    assert committed(db_path) == 0  # nine items: still one open transaction
    pipeline.process_item(page(9), spider)
    assert committed(db_path) == 10
    assert committed(db_path, "select articles_new from crawl_runs") == 10  # the run record counts exactly that
    for n in range(10, 13):
        pipeline.process_item(page(n), spider)
    assert committed(db_path) == 10
    pipeline.spider_closed(spider, "finished")
    assert committed(db_path) == 13
    assert committed(db_path, "select articles_new from crawl_runs") == 13


def test_an_old_batch_commits_on_the_next_item_or_tick(tmp_path):
    pipeline, spider, db_path = open_pipeline(tmp_path, batch_items=1000, batch_seconds=0.2)
    pipeline.process_item(page(0), spider)
    assert committed(db_path) == 0
    time.sleep(0.3)
    pipeline._commit_if_due()  # what the crawl's timer calls every batch_seconds while it waits
    assert committed(db_path) == 1
    pipeline.process_item(page(1), spider)
    time.sleep(0.3)
    pipeline.process_item(page(2), spider)
    assert committed(db_path) == 3


def test_a_batch_that_cannot_be_saved_is_counted_and_named_and_the_archive_keeps_the_rest(tmp_path, caplog):
    pipeline, spider, db_path = open_pipeline(tmp_path, batch_items=5, batch_seconds=3600)
    for n in range(5):
        pipeline.process_item(page(n), spider)
    assert committed(db_path) == 5
    pages = pipeline.db.execute("pragma page_count").fetchone()[0]
    pipeline.db.execute(f"pragma max_page_count = {pages + 1}")  # the disk is full
    with caplog.at_level(logging.ERROR, logger="crawler.pipelines"):
        for n in range(5, 9):
            pipeline.process_item(page(n), spider)
        pipeline.commit()
    saved = {row[0] for row in sqlite3.connect(db_path).execute("select url from articles")}
    failed = [f"bai-{n}.html" for n in range(5, 9) if page(n).article.url not in saved]
    assert failed and pipeline.stats.get_value("newsarchive/failures") == len(failed)  # each item saved, or counted and named
    assert all(name in caplog.text for name in failed) and "could not save" in caplog.text
    assert {f"http://portal.example.vn/tin/bai-{n}.html" for n in range(5)} <= saved
    pipeline.db.execute("pragma max_page_count = 1073741823")
    pipeline.spider_closed(spider, "finished")
    assert committed(db_path, "select status from crawl_runs") == "finished"
    assert committed(db_path, "select failures from crawl_runs") == len(failed)
