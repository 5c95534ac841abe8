"""archive.store on in-memory databases: exact rows, idempotence, history, folded search."""

import gzip

import pytest
from sqlite_utils import Database

from archive import store
from archive.search import fold


@pytest.fixture
def db():
    db = Database(memory=True)
    store.ensure_db_shape(db)
    store.save_portal(db, "tdkt.example", name="Ban Thi đua - Khen thưởng", base_url="http://tdkt.example/",
                      platform="nukeviet", seen_at="2026-11-26T09:00:00+07:00")
    return db


def article(**changes):
    data = {
        "url": "http://tdkt.example/vi/news/tin/hoi-nghi-1240.html",
        "platform": "nukeviet",
        "category": "Tin hoạt động cụm, khối thi đua",
        "title": "Bưu điện tỉnh tổ chức Hội nghị phát động phong trào thi đua năm 2021",
        "summary": "Sáng ngày 22/12, tại Hội trường Bưu điện tỉnh…",
        "author": "Hoàng Nhi",
        "source": None,
        "published_at": "2020-12-24T08:15:00+07:00",
        "published_raw": "24/12/2020 08:15",
        "body_text": "Năm 2020, mặc dù tình hình kinh tế còn nhiều khó khăn.\n\nNăm 2021, Bưu điện tỉnh tiếp tục.",
        "body_html": "<p>Năm 2020…</p>",
        "images": [{"src": "http://tdkt.example/uploads/1.jpg", "caption": "Đ/c Hạnh trao Cờ thi đua", "alt": None}],
        "related_links": [{"url": "http://tdkt.example/vi/news/tin/khoi-1238.html", "title": "Khối Mặt trận",
                           "published_at": "2020-12-23T09:04:00+07:00", "published_raw": "(23/12/2020 09:04)"}],
    }
    data.update(changes)
    return data


def rows(db, table):
    return list(db[table].rows)


def test_ensure_db_shape_is_idempotent(db):
    store.ensure_db_shape(db)
    store.ensure_db_shape(db)
    assert {"portals", "articles", "images", "related_links", "snapshots", "crawl_runs",
            "article_revisions", "articles_fts"} <= set(db.table_names())


def test_new_article_rows_are_exact(db):
    assert store.save_article(db, article(), portal="tdkt.example", seen_at="T1") == "new"
    [row] = rows(db, "articles")
    assert row["title"] == article()["title"]
    assert row["first_seen_at"] == row["last_seen_at"] == row["last_changed_at"] == "T1"
    assert row["captions"] == "Đ/c Hạnh trao Cờ thi đua"
    assert rows(db, "images") == [{"article_id": row["id"], "position": 0, "src": "http://tdkt.example/uploads/1.jpg",
                                   "caption": "Đ/c Hạnh trao Cờ thi đua", "alt": None}]
    assert rows(db, "related_links") == [{"article_id": row["id"], "position": 0,
                                          "url": "http://tdkt.example/vi/news/tin/khoi-1238.html",
                                          "title": "Khối Mặt trận", "published_at": "2020-12-23T09:04:00+07:00",
                                          "published_raw": "(23/12/2020 09:04)"}]


def test_resaving_unchanged_article_moves_only_last_seen_at(db):
    store.save_article(db, article(), portal="tdkt.example", seen_at="T1")
    before = {t: rows(db, t) for t in ("articles", "images", "related_links", "article_revisions")}
    assert store.save_article(db, article(), portal="tdkt.example", seen_at="T2") == "unchanged"
    after = {t: rows(db, t) for t in ("articles", "images", "related_links", "article_revisions")}
    assert after["articles"][0].pop("last_seen_at") == "T2"
    assert before["articles"][0].pop("last_seen_at") == "T1"
    assert before == after


def test_changed_article_is_updated_and_old_version_kept(db):
    store.save_article(db, article(), portal="tdkt.example", seen_at="T1")
    changed = article(title="Tiêu đề đã sửa", images=[])
    assert store.save_article(db, changed, portal="tdkt.example", seen_at="T2") == "updated"
    [row] = rows(db, "articles")
    assert (row["title"], row["first_seen_at"], row["last_changed_at"]) == ("Tiêu đề đã sửa", "T1", "T2")
    assert rows(db, "images") == []
    [revision] = rows(db, "article_revisions")
    assert (revision["valid_from"], revision["valid_until"]) == ("T1", "T2")
    assert '"title": "Bưu điện tỉnh' in revision["content"] and "Đ/c Hạnh" in revision["content"]


@pytest.mark.parametrize("query", ["thi dua", "thi đua", "Thi Đua", "Buu dien", "Hạnh", "hanh trao",
                                   "co thi dua", "cờ thi đua"])
def test_search_matches_with_and_without_diacritics(db, query):
    store.save_article(db, article(), portal="tdkt.example", seen_at="T1")
    store.save_article(db, article(url="http://tdkt.example/other.html", title="Khác", summary=None,
                                   body_text="Không liên quan", images=[], author=None),
                       portal="tdkt.example", seen_at="T1")
    terms = " ".join(f'"{t}"' for t in query.split())
    hits = [r["title"] for r in db.query(
        "select articles.title from articles_fts join articles on articles.id = articles_fts.rowid "
        "where articles_fts match ?", [terms])]
    assert hits == [article()["title"]]


def test_fold_strips_marks_and_d_stroke():
    assert fold("Thi đua - Khen thưởng ĐIỆN BIÊN Hà Giang") == "thi dua - khen thuong dien bien ha giang"


def test_snapshots_store_distinct_responses_only(db):
    run = store.start_crawl_run(db, ["http://tdkt.example/vi/news/tin/"], "T0")
    snap = {"url": "http://tdkt.example/a.html", "fetched_at": "T1", "status": 200,
            "headers": {"Content-Type": "text/html"}, "body": "<html>Hội nghị</html>".encode()}
    assert store.save_snapshot(db, snap, run) is True
    assert store.save_snapshot(db, {**snap, "fetched_at": "T2"}, run) is False
    assert store.save_snapshot(db, {**snap, "fetched_at": "T3", "body": b"<html>changed</html>"}, run) is True
    first = rows(db, "snapshots")[0]
    assert gzip.decompress(first["body"]).decode() == "<html>Hội nghị</html>"
    assert store.snapshot_body(db, first["id"]) == snap["body"]
    assert [r["fetched_at"] for r in rows(db, "snapshots")] == ["T1", "T3"]


def test_crawl_run_is_recorded(db):
    run = store.start_crawl_run(db, ["http://a/"], "T0", pid=42, hostname="h")
    assert rows(db, "crawl_runs")[0]["status"] == "running"
    store.record_crawl_progress(db, run, "T5", {"requests": 4, "articles_new": 2})
    assert [(r["progress_at"], r["requests"], r["articles_new"]) for r in rows(db, "crawl_runs")] == [("T5", 4, 2)]
    store.finish_crawl_run(db, run, "T9", {"requests": 7, "pages_fetched": 5, "articles_new": 3, "failures": 1,
                                           "not_modified": 2, "articles_taken_down": 1, "bogus": 7})
    [row] = rows(db, "crawl_runs")
    assert row == {"id": run, "started_at": "T0", "finished_at": "T9", "start_urls": '["http://a/"]',
                   "requests": 7, "pages_fetched": 5, "not_modified": 2, "articles_new": 3, "articles_updated": 0,
                   "articles_unchanged": 0, "articles_taken_down": 1, "failures": 1, "start_url_yields": None,
                   "warnings": None, "status": "finished", "pid": 42, "hostname": "h", "progress_at": "T9"}


def test_a_killed_run_is_closed_with_its_last_counts(db):
    run = store.start_crawl_run(db, ["http://a/"], "T0", pid=42, hostname="h")
    store.record_crawl_progress(db, run, "T5", {"requests": 40, "articles_new": 30})
    assert [r["id"] for r in store.running_crawl_runs(db)] == [run]
    store.close_interrupted_run(db, run)
    [row] = rows(db, "crawl_runs")
    assert (row["status"], row["finished_at"], row["requests"], row["articles_new"]) == ("interrupted", "T5", 40, 30)
    assert store.running_crawl_runs(db) == []


def test_portal_upsert_keeps_first_seen_and_name(db):
    store.save_portal(db, "tdkt.example", name=None, base_url="http://tdkt.example/", platform=None, seen_at="T5")
    [row] = rows(db, "portals")
    assert (row["name"], row["first_seen_at"], row["last_seen_at"]) == ("Ban Thi đua - Khen thưởng",
                                                                        "2026-11-26T09:00:00+07:00", "T5")


def test_file_database_uses_wal(tmp_path):
    db = store.open_db(str(tmp_path / "archive.db"))
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
