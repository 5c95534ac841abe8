"""`newsarchive backup`: a consistent copy while a crawl writes, and clear refusals."""

import sqlite3
import subprocess
import sys

from archive import store

WRITER = """
import sys, time
from archive import store
db = store.open_db(sys.argv[1])
store.save_portal(db, "p", name="Ban Thi đua", base_url="http://127.0.0.1:1/", platform="generic", seen_at="T")
for n in range(int(sys.argv[2])):
    store.save_article(db, {"url": f"http://127.0.0.1:1/tin-{n}", "platform": "generic",
                            "title": f"Hội nghị thi đua số {n}", "published_at": "2021-01-05T08:00:00+07:00",
                            "body_text": "Phong trào thi đua yêu nước. " * 400, "images": [], "related_links": []},
                       portal="p", seen_at="T")
    print(n + 1, flush=True)  # saved and committed
    time.sleep(0.005)
"""


def newsarchive(*args):
    return subprocess.run([sys.executable, "-m", "archive.cli", *args], capture_output=True, text=True, timeout=120)


def test_a_backup_during_a_crawl_holds_every_article_committed_before_it(tmp_path):
    archive, copy = tmp_path / "archive.db", tmp_path / "backup.db"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(archive), "600"], stdout=subprocess.PIPE, text=True)
    try:
        committed = 0
        while committed < 100:
            committed = int(writer.stdout.readline())
        result = newsarchive("backup", "--db", str(archive), "--out", str(copy))
        still_writing = writer.poll() is None
    finally:
        remaining = writer.communicate(timeout=120)[0].split()
    assert result.returncode == 0, result.stderr
    assert still_writing and remaining, "the crawl went on writing after the backup"
    conn = sqlite3.connect(copy)
    assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
    assert conn.execute("pragma journal_mode").fetchone() == ("delete",), "one self-contained file"
    urls = {url for (url,) in conn.execute("select url from articles")}
    assert {f"http://127.0.0.1:1/tin-{n}" for n in range(committed)} <= urls
    assert len(urls) < 600
    assert f"{len(urls)} articles" in result.stdout and "integrity ok" in result.stdout
    assert not (tmp_path / "backup.db.partial").exists()
    source = sqlite3.connect(archive)
    assert source.execute("select count(*) from articles").fetchone() == (600,), "the archive lost nothing"


def test_backup_refuses_what_it_cannot_do(tmp_path):
    archive = tmp_path / "archive.db"
    store.open_db(str(archive)).close()
    missing = newsarchive("backup", "--db", str(tmp_path / "missing.db"), "--out", str(tmp_path / "b.db"))
    assert missing.returncode == 2 and "no archive at" in missing.stderr
    assert not (tmp_path / "missing.db").exists()
    (tmp_path / "exists.db").write_bytes(b"keep me")
    exists = newsarchive("backup", "--db", str(archive), "--out", str(tmp_path / "exists.db"))
    assert exists.returncode == 2 and "--force" in exists.stderr
    assert (tmp_path / "exists.db").read_bytes() == b"keep me"
    itself = newsarchive("backup", "--db", str(archive), "--out", str(archive), "--force")
    assert itself.returncode == 2 and "cannot replace the archive itself" in itself.stderr
    (tmp_path / "notes.txt").write_text("not a database")
    not_archive = newsarchive("backup", "--db", str(tmp_path / "notes.txt"), "--out", str(tmp_path / "b.db"))
    assert not_archive.returncode == 2 and "is not an archive" in not_archive.stderr
    assert not (tmp_path / "b.db").exists() and not (tmp_path / "b.db.partial").exists()
    forced = newsarchive("backup", "--db", str(archive), "--out", str(tmp_path / "exists.db"), "--force")
    assert forced.returncode == 0 and "0 articles" in forced.stdout
