"""`newsarchive reparse`: archived articles re-extracted from their stored responses, no network.

The archive comes from a real crawl of the loopback sample portal (14 articles); the portal is
stopped before anything is re-parsed."""

import sqlite3
import subprocess
import sys

from archive import store
from crawler import reparse
from crawler.pages.nukeviet import NukeViet4
from tests.test_crawl_e2e import query


def copy_of(db_path, tmp_path):
    target = tmp_path / "copy.db"
    source, copy = sqlite3.connect(db_path), sqlite3.connect(target)
    source.backup(copy)
    source.close()
    copy.close()
    return str(target)


def test_an_up_to_date_archive_has_nothing_to_change(crawled_archive, tmp_path):
    db = copy_of(crawled_archive[0], tmp_path)
    before = query(db, "select * from articles order by id")
    result = subprocess.run([sys.executable, "-m", "archive.cli", "reparse", "--db", db], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "14 articles re-read from their stored responses: 0 changed, 14 unchanged" in result.stdout, result.stdout
    assert query(db, "select * from articles order by id") == before
    assert query(db, "select count(*) as n from article_revisions") == [{"n": 0}]


def test_a_page_object_change_is_applied_to_old_articles(crawled_archive, tmp_path, monkeypatch):
    """Today's NukeViet page object reads titles in capitals (a change made by this test): every
    article's title changes, as an edit with the old title kept in its revisions; nothing else."""
    db_path = copy_of(crawled_archive[0], tmp_path)
    original = NukeViet4.title
    monkeypatch.setattr(NukeViet4, "title", lambda self: (original(self) or "").upper() or None)
    seen_before = query(db_path, "select url, title, last_seen_at, first_seen_at from articles order by id")
    db = store.open_db(db_path)
    lines: list[str] = []
    summary = reparse.reparse(db, at="2026-12-04T10:00:00+07:00", report=lines.append, verbose=True)
    db.close()
    assert summary == {"articles": 14, "changed": 14, "unchanged": 0, "no_snapshot": 0, "not_an_article": 0,
                       "fields": {"title": 14}}
    assert len([line for line in lines if line.startswith("changed ")]) == 14
    shown = [line.strip() for line in lines if line.strip().startswith("title: ")]  # -v: old → new
    assert len(shown) == 14 and all(old != new and old.upper() == new for old, new in
                                    (line.removeprefix("title: ").split(" → ") for line in shown))
    after = query(db_path, "select url, title, last_seen_at, first_seen_at, last_changed_at from articles order by id")
    for old, new in zip(seen_before, after):
        assert new["title"] == old["title"].upper() and new["title"] != old["title"]
        assert (new["last_seen_at"], new["first_seen_at"]) == (old["last_seen_at"], old["first_seen_at"])
        assert new["last_changed_at"] == "2026-12-04T10:00:00+07:00"
    [seed] = query(db_path, "select id from articles where url = ?", [crawled_archive[1]])
    [revision] = query(db_path, "select content, valid_until from article_revisions where article_id = ?", [seed["id"]])
    assert revision["valid_until"] == "2026-12-04T10:00:00+07:00"
    assert '"title": "Bưu điện tỉnh tổ chức Hội nghị' in revision["content"]
    # and the search finds the new text
    assert query(db_path, "select count(*) as n from articles_fts where articles_fts match ?",
                ['search_marked : "bưu điện"'])[0]["n"] >= 1


def test_reparse_refuses_what_it_cannot_do(crawled_archive, tmp_path):
    missing = subprocess.run([sys.executable, "-m", "archive.cli", "reparse", "--db", str(tmp_path / "none.db")],
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "no archive at" in missing.stderr
    unknown = subprocess.run([sys.executable, "-m", "archive.cli", "reparse", "--db", crawled_archive[0], "--portal", "nope"],
                             capture_output=True, text=True, timeout=120)
    assert unknown.returncode == 2 and "no article of portal 'nope'" in unknown.stderr
