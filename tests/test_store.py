"""archive.store on in-memory databases: exact rows, idempotence, history, folded search."""

import gzip
import sqlite3

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from archive import store
from archive.search import fold, parse_query


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


def _fold_by_definition(text: str) -> str:
    """fold as its docstring defines it, a character at a time: format characters dropped, đ/Đ/ð/Ð
    → d, NFD, every combining mark dropped, NFC, lower case."""
    import unicodedata

    from archive.search import FORMAT_CHARACTERS

    text = "".join("d" if char in "đĐðÐ" else char for char in FORMAT_CHARACTERS.sub("", text))
    kept = "".join(char for char in unicodedata.normalize("NFD", text) if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", kept).lower()


#: Letters and marks where fold could go wrong: Vietnamese, other Latin, combining marks of
#: Latin and of other scripts (Hebrew, Arabic, Devanagari, Thai, Japanese kana, musical), the
#: grapheme joiner (U+034F, no mark), format characters, quotes, CJK and Hangul.
_FOLD_ALPHABET = ("aăâeêioôơuưyđĐðÐAĂÂĨỲ ÀÁẢÃẠàáảãạ ỆỂỄễệ ƯỪỨỬỮỰơờớởỡợ ÅåŁłØø"
                  "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b\u034f\u036f"
                  "\u0591\u05b0\u064b\u093c\u0e31\u0e48\u1dc0\u20d0\ufe20\u3099\U0001d167"
                  "\u00ad\u200b\u200d\ufeff “”…–\u2126\u212b\u4e00\uac00\ufb1e-.,")


@given(st.text(alphabet=_FOLD_ALPHABET, max_size=40) | st.text(max_size=20))
@settings(max_examples=500, deadline=None)
def test_fold_is_its_definition(text):
    assert fold(text) == _fold_by_definition(text)


@given(st.text(alphabet="qQoOuàẹỳý x1_", max_size=30) | st.text(alphabet="qQoOuUaày ýỷòóàáảãạèéẻẽẹỳỹỵ-h1_\u0301",
                                                                  max_size=30))
@example("hoà qoà quý thuỷ khoẻ qoè_ quỳ1 oạ")
@settings(max_examples=500, deadline=None)
def test_spelled_moves_a_final_tone_as_its_definition_says(text):
    """The final oa/oe/uy pattern, its q looked behind from after the vowel, against the pattern
    written with the look-behind first."""
    import re

    from archive import search

    definition = re.compile(r"(?<!q)(o[àáảãạèéẻẽẹ]|u[ỳýỷỹỵ])(?!\w)")
    lowered = text.lower()
    assert search._FINAL_PAIR.sub(search._tone_on_first, lowered) == definition.sub(search._tone_on_first, lowered)


def test_snapshots_store_distinct_responses_only(db):
    run = store.start_crawl_run(db, ["http://tdkt.example/vi/news/tin/"], "T0")
    snap = {"url": "http://tdkt.example/a.html", "fetched_at": "T1", "status": 200,
            "headers": {"Content-Type": "text/html"}, "body": "<html>Hội nghị</html>".encode()}
    assert store.save_snapshot(db, snap, run) is True
    assert store.save_snapshot(db, {**snap, "fetched_at": "T2"}, run) is False
    assert store.save_snapshot(db, {**snap, "fetched_at": "T3", "body": b"<html>changed</html>"}, run) is True
    first = rows(db, "snapshots")[0]
    assert gzip.decompress(first["body"]).decode() == "<html>Hội nghị</html>"  # a gzip stream the standard library reads
    assert first["body"][:2] == b"\x1f\x8b" and first["body"][4:8] == bytes(4)  # no timestamp: a body always stores alike
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
    store.save_portal(db, "tdkt.example", name="", base_url="http://other.example/", platform="", seen_at="T6",
                      province="")
    [row] = rows(db, "portals")
    assert (row["name"], row["base_url"], row["platform"], row["last_seen_at"]) == (
        "Ban Thi đua - Khen thưởng", "http://tdkt.example/", "nukeviet", "T6")
    store.save_portal(db, "tdkt.example", name="Ban TĐKT", base_url="http://tdkt.example/", platform="generic",
                      seen_at="T7", province="Hà Giang")
    [row] = rows(db, "portals")
    assert (row["name"], row["platform"], row["province"], row["last_seen_at"]) == (
        "Ban TĐKT", "generic", "Hà Giang", "T7")


def test_file_database_uses_wal(tmp_path):
    db = store.open_db(str(tmp_path / "archive.db"))
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"


# --- what counts as a change; take-downs; what a crawl rechecks -------------------------------


def test_related_list_and_category_are_refreshed_without_a_revision(db):
    store.save_article(db, article(), portal="tdkt.example", seen_at="T1")
    shifted = article(category="Tin tổng hợp", related_links=[
        {"url": "http://tdkt.example/vi/news/tin/moi-1300.html", "title": "Tin mới", "published_at": None,
         "published_raw": None}])
    assert store.save_article(db, shifted, portal="tdkt.example", seen_at="T2") == "unchanged"
    [row] = rows(db, "articles")
    assert (row["category"], row["last_changed_at"], row["last_seen_at"]) == ("Tin tổng hợp", "T1", "T2")
    assert [r["title"] for r in rows(db, "related_links")] == ["Tin mới"]
    assert rows(db, "article_revisions") == []


@pytest.mark.parametrize("field, value", [
    ("title", "Tiêu đề khác"), ("summary", "Sapo khác"), ("body_text", "Nội dung đã sửa."),
    ("author", "Người khác"), ("source", "Báo Hà Giang"), ("published_at", "2020-12-25T08:15:00+07:00"),
    ("images", [{"src": "http://tdkt.example/uploads/2.jpg", "caption": "Ảnh khác", "alt": None}]),
    ("images", [{"src": "http://tdkt.example/uploads/1.jpg", "caption": "Chú thích đã sửa", "alt": None}]),
])
def test_an_edit_of_the_content_is_a_revision(db, field, value):
    store.save_article(db, article(), portal="tdkt.example", seen_at="T1")
    assert store.save_article(db, article(**{field: value}), portal="tdkt.example", seen_at="T2") == "updated"
    assert len(rows(db, "article_revisions")) == 1


def test_take_down_keeps_the_content_and_a_later_answer_clears_it(db):
    store.save_article(db, article(), portal="tdkt.example", seen_at="T1")
    url = article()["url"]
    assert store.mark_taken_down(db, url, "T2", "HTTP 404") is True
    assert store.mark_taken_down(db, url, "T3", "HTTP 404") is False  # first seen gone at T2
    [row] = rows(db, "articles")
    assert (row["removed_at"], row["removed_reason"], row["title"]) == ("T2", "HTTP 404", article()["title"])
    assert store.save_article(db, article(), portal="tdkt.example", seen_at="T4") == "unchanged"
    assert rows(db, "articles")[0]["removed_at"] is None
    store.mark_taken_down(db, url, "T5", "HTTP 410")
    assert store.mark_not_modified(db, url, "T6") is True
    [row] = rows(db, "articles")
    assert (row["removed_at"], row["last_seen_at"]) == (None, "T6")


def test_search_index_is_rewritten_only_when_searched_text_changes(db):
    store.save_article(db, article(), portal="tdkt.example", seen_at="T1")
    index = lambda: list(db.query("select * from articles_fts_data order by id"))  # noqa: E731
    before = index()
    store.mark_not_modified(db, article()["url"], "T2")
    store.mark_taken_down(db, article()["url"], "T3", "HTTP 404")
    store.save_article(db, article(related_links=[]), portal="tdkt.example", seen_at="T4")
    assert index() == before
    store.save_article(db, article(title="Hội nghị tổng kết phong trào"), portal="tdkt.example", seen_at="T5")
    assert index() != before
    found = lambda q: [r["title"] for r in db.query(  # noqa: E731
        "select a.title from articles_fts f join articles a on a.id = f.rowid where articles_fts match ?", [q])]
    assert found("tong ket") == ["Hội nghị tổng kết phong trào"] and found("to chuc") == []


def test_known_articles_by_any_alias(db):
    store.save_article(db, article(), portal="tdkt.example", seen_at="T1", aliases=["http://tdkt.example/?id=1240"],
                       fetch_url="http://tdkt.example/vi/news/tin/hoi-nghi-1240.html?x=1", etag='"abc"',
                       last_modified="Thu, 24 Dec 2020 01:15:00 GMT")
    known = store.known_articles(db, ["http://tdkt.example/?id=1240", article()["url"], "http://tdkt.example/other"])
    assert set(known) == {"http://tdkt.example/?id=1240", article()["url"]}
    assert known["http://tdkt.example/?id=1240"]["url"] == article()["url"]
    assert (known[article()["url"]]["etag"], known[article()["url"]]["fetch_url"]) == (
        '"abc"', "http://tdkt.example/vi/news/tin/hoi-nghi-1240.html?x=1")


def test_articles_to_recheck_window_rotation_and_everything(db):
    for n, (published, seen) in enumerate([("2026-12-01T08:00:00+07:00", "2026-12-02T02:00:00+07:00"),  # recent
                                            ("2026-11-20", "2026-12-02T02:00:00+07:00"),  # old, just seen
                                            ("2025-01-01", "2026-10-01T02:00:00+07:00"),  # old, seen long ago
                                            ("2024-01-01", "2026-09-01T02:00:00+07:00"),  # older check
                                            (None, "2026-12-02T02:00:00+07:00")]):  # undated, first seen now
        store.save_article(db, article(url=f"http://tdkt.example/a-{n}.html", published_at=published),
                           portal="tdkt.example", seen_at=seen)
    store.save_article(db, article(url="http://other.example/a.html", published_at="2026-12-01"),
                       portal="tdkt.example", seen_at="2026-12-02T02:00:00+07:00")
    due = store.articles_to_recheck(db, ["tdkt.example"], published_since="2026-11-26",
                                    checked_before="2026-11-02T02:00:00+07:00", rotation_days=30)
    # window: a-0 and the undated a-4 (by first_seen_at); rotation: 5 articles / 30 days -> 1 a night,
    # the least recently seen first (a-3)
    assert [(d["url"].rsplit("/", 1)[1], d["reason"]) for d in due] == [
        ("a-0.html", "window"), ("a-4.html", "window"), ("a-3.html", "rotation")]
    everything = store.articles_to_recheck(db, ["tdkt.example"], published_since=None, checked_before=None,
                                           rotation_days=None, everything=True)
    assert sorted(d["url"] for d in everything) == [f"http://tdkt.example/a-{n}.html" for n in range(5)]
    assert store.newest_published(db, ["tdkt.example"]) == "2026-12-01T08:00:00+07:00"


def test_listing_walks(db):
    run = store.start_crawl_run(db, ["http://a/"], "T0")
    store.record_listing_walk(db, "http://a/", pages_read=3, complete=False, crawl_run_id=run, at="T1")
    store.record_listing_walk(db, "http://a/", pages_read=5, complete=True, crawl_run_id=run, at="T2")
    assert store.listing_walks(db, ["http://a/", "http://b/"]) == {
        "http://a/": {"start_url": "http://a/", "pages_read": 5, "complete": 1, "crawl_run_id": run, "updated_at": "T2"}}


def test_migration_from_an_archive_written_before_incremental_crawls(tmp_path):
    """An archive written by the store of the previous release (its source from git) is brought
    up to date: content hashes recomputed (no spurious "updated" on the next crawl), aliases and
    fetch URLs filled from the snapshots, unfinished runs closed."""
    import importlib.util
    import subprocess

    root = __import__("pathlib").Path(__file__).resolve().parent.parent
    source = subprocess.run(["git", "-C", str(root), "show", "7024ebc:archive/store.py"], capture_output=True,
                            text=True)
    if source.returncode != 0:
        pytest.skip("the previous release's store is not in this clone's history")
    old_file = tmp_path / "old_store.py"
    old_file.write_text(source.stdout.replace("from .search import fold", "from archive.search import fold"))
    spec = importlib.util.spec_from_file_location("old_store", old_file)
    old = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(old)
    path = str(tmp_path / "archive.db")
    db = old.open_db(path)
    old.save_portal(db, "tdkt.example", name="x", base_url="http://tdkt.example/", platform="nukeviet", seen_at="T0")
    run = old.start_crawl_run(db, ["http://tdkt.example/"], "T0")  # killed: never finished
    old.save_article(db, article(), portal="tdkt.example", seen_at="T1")
    old.save_snapshot(db, {"url": article()["url"], "fetched_at": "T1", "status": 200, "headers": {},
                           "body": b"<html></html>", "requested_url": article()["url"] + "?from=listing"}, run)
    db.close()
    db = store.open_db(path)
    [row] = rows(db, "articles")
    assert row["content_hash"] == store.content_hash(article())
    assert row["fetch_url"] == article()["url"] + "?from=listing"
    assert set(store.known_articles(db, [article()["url"] + "?from=listing"])) == {article()["url"] + "?from=listing"}
    assert [r["status"] for r in rows(db, "crawl_runs")] == ["interrupted"]
    assert store.save_article(db, article(related_links=[]), portal="tdkt.example", seen_at="T2") == "unchanged"


def test_a_zero_width_character_inside_a_word_does_not_split_it(db):
    store.save_article(db, article(url="http://tdkt.example/zw.html", title="Phong trào khen\u200bthưởng",
                                   body_text="Công tác thi\u00adđua năm nay."), portal="tdkt.example", seen_at="T1")
    found = lambda q: [r["url"] for r in db.query(  # noqa: E731
        "select a.url from articles_fts f join articles a on a.id = f.rowid where articles_fts match ?",
        [f'search_folded : "{q}"'])]
    assert found("khenthuong") == found("thidua") == ["http://tdkt.example/zw.html"]


def test_migration_refolds_articles_holding_format_characters(db):
    store.save_article(db, article(url="http://tdkt.example/zw.html", title="khen\u200bthưởng"), portal="tdkt.example",
                       seen_at="T1")
    db.execute("update articles set search_folded = 'khen\u200bthuong' where url = 'http://tdkt.example/zw.html'")
    store.m008_fold_drops_format_characters(db)
    [row] = db.query("select search_folded from articles where url = 'http://tdkt.example/zw.html'")
    assert "\u200b" not in row["search_folded"] and "khenthuong" in row["search_folded"]


def _store_of(commit, tmp_path):
    """``archive/store.py`` as it was at ``commit`` (from git), importable; skips without history."""
    import importlib.util
    import subprocess

    root = __import__("pathlib").Path(__file__).resolve().parent.parent
    source = subprocess.run(["git", "-C", str(root), "show", f"{commit}:archive/store.py"], capture_output=True,
                            text=True)
    if source.returncode != 0:
        pytest.skip(f"the store of {commit} is not in this clone's history")
    old_file = tmp_path / f"store_{commit}.py"
    old_file.write_text(source.stdout.replace("from .search import", "from archive.search import"))
    spec = importlib.util.spec_from_file_location(f"store_{commit}", old_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_migration_to_accent_aware_search(tmp_path):
    """An archive indexed before accent-aware search (store of d36d536) gets ``search_marked`` and
    the new index: a query with marks then finds only that spelling, one without finds both, and
    later edits are re-indexed."""
    old = _store_of("d36d536", tmp_path)
    path = str(tmp_path / "archive.db")
    db = old.open_db(path)
    old.save_portal(db, "tdkt.example", name="x", base_url="http://tdkt.example/", platform="nukeviet", seen_at="T0")
    old.save_article(db, article(url="http://tdkt.example/p.html", title="Tỉnh Điện Biên phát động thi đua"),
                     portal="tdkt.example", seen_at="T1")
    old.save_article(db, article(url="http://tdkt.example/d.html", title="Diễn biến mưa lũ ở Thanh Hoá"),
                     portal="tdkt.example", seen_at="T1")
    db.close()
    db = store.open_db(path)
    assert [c.name for c in db["articles_fts"].columns] == store.FTS_COLUMNS

    def found(q):
        return sorted(r["url"].rsplit("/", 1)[1] for r in db.query(
            "select a.url from articles_fts join articles a on a.id = articles_fts.rowid where articles_fts match ?",
            [parse_query(q).expression]))

    assert found("Điện Biên") == ["p.html"] and found("diễn biến") == ["d.html"]
    assert found("dien bien") == ["d.html", "p.html"]
    assert found("Thanh Hóa") == found("thanh hoá") == found("thanh hoa") == ["d.html"]  # either tone placement
    store.save_article(db, article(url="http://tdkt.example/d.html", title="Diễn biến mưa lũ ở Điện Biên"),
                       portal="tdkt.example", seen_at="T2")
    assert found("Điện Biên") == ["d.html", "p.html"] and found("Thanh Hóa") == []


def test_writes_wait_for_other_connections(tmp_path):
    db = store.open_db(str(tmp_path / "archive.db"))
    assert db.execute("pragma busy_timeout").fetchone()[0] == store.BUSY_TIMEOUT_MS == 30_000


def test_the_archive_knows_a_schema_change_made_here_or_by_another_connection(tmp_path):
    """ArchiveDatabase keeps sqlite-utils' answers about tables, views and columns while the
    schema version stays: a table, view or column added, here or by another process's
    connection, is known at once, and one dropped is gone."""
    path = str(tmp_path / "a.db")
    db = store.open_db(path)
    assert isinstance(db, store.ArchiveDatabase) and "articles" in db.table_names()
    assert "notes" not in db.table_names() and not db["notes"].exists()
    db["notes"].insert({"id": 1, "text": "a"}, pk="id")
    assert "notes" in db.table_names() and [c.name for c in db["notes"].columns] == ["id", "text"]

    other = sqlite3.connect(path)
    other.execute("alter table notes add column author text")
    other.execute("create table tags (name text)")
    other.execute("create view note_texts as select text from notes")
    other.commit()
    assert [c.name for c in db["notes"].columns] == ["id", "text", "author"]
    db["notes"].insert({"id": 2, "text": "b", "author": "c"})  # sqlite-utils checks the columns first
    assert "tags" in db.table_names() and "note_texts" in db.view_names()
    assert db["note_texts"].__class__.__name__ == "View"
    other.execute("drop table tags")
    other.commit()
    assert "tags" not in db.table_names()
    names = db.table_names()
    names.append("mine")  # a caller's list is its own
    assert "mine" not in db.table_names()
    # a change of this connection's, rolled back, takes the schema version back: the next
    # change (here another connection's) gets the same number
    db.conn.execute("BEGIN")
    db.execute("create table rolled_back (a text)")
    assert "rolled_back" in db.table_names() and [c.name for c in db["rolled_back"].columns] == ["a"]
    db.conn.execute("ROLLBACK")
    other.execute("create table committed_after (b text)")
    other.commit()
    names = db.table_names()
    assert "committed_after" in names and "rolled_back" not in names
    assert db["committed_after"].columns and not db["rolled_back"].exists()
    other.close()


def test_insert_stores_what_sqlite_utils_stores():
    """store._insert (the rows of every article saved) against sqlite-utils' insert_all and
    upsert_all, on two copies of a table: the same rows, values converted alike (a list, a dict
    and a tuple as JSON), the same upsert, and the rowid of a single row."""
    mine, theirs = Database(memory=True), Database(memory=True)
    for db in (mine, theirs):
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, url TEXT UNIQUE, title TEXT, n INTEGER, extra TEXT)")
    first = [{"url": "http://a/1", "title": "Hội nghị", "n": 1, "extra": ["ảnh", 2]},
             {"url": "http://a/2", "title": None, "n": 2, "extra": {"k": "thưởng"}},
             {"url": "http://a/3", "title": "x", "n": None, "extra": ("t", None)}]
    again = [{"url": "http://a/2", "title": "đổi", "n": 5, "extra": None}, {"url": "http://a/4", "title": "y", "n": 4,
                                                                          "extra": "z"}]
    assert store._insert(mine, "t", first[:1]) == 1
    store._insert(mine, "t", first[1:])
    store._insert(mine, "t", again, upsert_on="url")
    assert store._insert(mine, "t", []) is None
    theirs["t"].insert_all(first)
    theirs["t"].upsert_all(again, pk="url")
    assert rows(mine, "t") == rows(theirs, "t")
    assert rows(mine, "t")[1] == {"id": 2, "url": "http://a/2", "title": "đổi", "n": 5, "extra": None}
    assert rows(mine, "t")[0]["extra"] == '["ảnh", 2]'


def test_rows_inserted_outside_a_transaction_are_committed_inside_one_are_its(tmp_path):
    """store._insert as sqlite-utils' insert_all: on its own it commits (a snapshot saved by a
    tool and the connection closed is there); in the caller's transaction it is the caller's."""
    path = str(tmp_path / "archive.db")
    snap = {"url": "http://tdkt.example/a.html", "fetched_at": "T1", "status": 200, "headers": {}, "body": b"<p>a</p>"}
    db = store.open_db(path)
    assert store.save_snapshot(db, snap)
    db.close()
    db = store.open_db(path)
    assert [r["fetched_at"] for r in rows(db, "snapshots")] == ["T1"]
    db.conn.execute("BEGIN")
    assert store.save_snapshot(db, {**snap, "fetched_at": "T2", "body": b"<p>b</p>"})
    db.conn.rollback()
    assert [r["fetched_at"] for r in rows(db, "snapshots")] == ["T1"]
    db.close()
