"""`newsarchive export warc`: the crawled sample portal's stored responses and images as a WARC, read back with
warcio, checked with `warcio check` and indexed with cdxj-indexer (the tools web archivists use)."""

import gzip
import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive import store
from tests.test_reparse import copy_of

BIN = Path(sys.executable).parent


def export(*args):
    return subprocess.run([sys.executable, "-m", "archive.cli", "export", "warc", *args], capture_output=True,
                          text=True, timeout=300)


def records(path):
    with open(path, "rb") as f:
        for record in ArchiveIterator(f):
            yield record.rec_type, record.rec_headers, record.http_headers, record.content_stream().read()


def stored(db, table="snapshots", order="fetched_at, id", where="1"):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"select * from {table} where {where} order by {order}")]
    finally:
        conn.close()


def test_every_stored_response_is_a_valid_record(crawled_archive, tmp_path):
    db, seed_url = crawled_archive
    out = tmp_path / "archive.warc.gz"
    result = export("--db", db, "--out", str(out))
    assert result.returncode == 0, result.stderr
    snapshots = stored(db)
    media = stored(db, "media", "fetched_at, url", "sha256 is not null")  # the sample portal's images
    assert len(snapshots) >= 14 and len(media) >= 2
    assert f"{len(snapshots) + len(media)} response records" in result.stderr
    check = subprocess.run([str(BIN / "warcio"), "check", "-v", str(out)], capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    read = list(records(out))
    assert read[0][0] == "warcinfo"
    responses = [r for r in read if r[0] == "response"]
    requests = [r for r in read if r[0] == "request"]
    assert len(responses) == len(requests) == len(snapshots) + len(media)
    for (_, headers, http, body), snapshot in zip(responses, snapshots):
        assert headers.get_header("WARC-Target-URI") == snapshot["requested_url"]
        assert body == gzip.decompress(snapshot["body"])  # the body as stored, byte for byte
        assert http.get_statuscode() == str(snapshot["status"])
        assert http.get_header("Content-Length") == str(len(body)) and not http.get_header("Content-Encoding")
        assert headers.get_header("WARC-Date").endswith("Z")
    for (_, headers, http, body), file in zip(responses[len(snapshots):], media):  # then each kept file
        assert headers.get_header("WARC-Target-URI") == file["url"] and http.get_statuscode() == "200"
        assert hashlib.sha256(body).hexdigest() == file["sha256"] and len(body) == file["bytes"]
        assert http.get_header("Content-Type") == file["content_type"] and file["content_type"].startswith("image/")
    response_ids = {r[1].get_header("WARC-Record-ID") for r in responses}
    assert {r[1].get_header("WARC-Concurrent-To") for r in requests} == response_ids
    [seed] = [r for r in responses if r[1].get_header("WARC-Target-URI") == seed_url]
    assert "Bưu điện tỉnh tổ chức Hội nghị" in seed[3].decode("utf-8")
    index = subprocess.run([str(BIN / "cdxj-indexer"), str(out)], capture_output=True, text=True, timeout=300)
    assert index.returncode == 0, index.stderr
    indexed = {json.loads(line.split(" ", 2)[2])["url"] for line in index.stdout.splitlines() if line.strip()}
    assert indexed == {s["requested_url"] for s in snapshots} | {m["url"] for m in media}


def test_a_page_that_changed_back_is_a_revisit(crawled_archive, tmp_path):
    db = copy_of(crawled_archive[0], tmp_path)
    conn = store.open_db(db)
    url = "http://127.0.0.1:1/vi/news/tin/thay-doi-1.html"
    for n, body in enumerate([b"<html>A</html>", b"<html>B</html>", b"<html>A</html>"]):
        assert store.save_snapshot(conn, {"url": url, "fetched_at": f"2027-01-0{n + 1}T08:00:00+07:00", "status": 200,
                                          "headers": {"Content-Type": "text/html", "Content-Encoding": "gzip"},
                                          "body": body})
    conn.close()
    out = tmp_path / "changed.warc"
    result = export("--db", db, "--out", str(out), "--since", "2027-01-01")
    assert result.returncode == 0, result.stderr
    assert "2 response records, 1 revisit records, 3 request records" in result.stderr
    assert subprocess.run([str(BIN / "warcio"), "check", str(out)], capture_output=True).returncode == 0
    mine = [r for r in records(out) if r[1].get_header("WARC-Target-URI") == url and r[0] != "request"]
    assert [r[0] for r in mine] == ["response", "response", "revisit"]
    first, _, revisit = mine
    assert revisit[1].get_header("WARC-Refers-To-Target-URI") == url
    assert revisit[1].get_header("WARC-Refers-To-Date") == "2027-01-01T01:00:00Z"
    assert revisit[1].get_header("WARC-Payload-Digest") == first[1].get_header("WARC-Payload-Digest")
    assert first[2].get_header("X-Archive-Orig-Content-Encoding") == "gzip"


def test_bad_arguments(crawled_archive, tmp_path):
    assert "goes to a file" in export("--db", crawled_archive[0], "--out", "-").stderr
    missing = export("--db", str(tmp_path / "none.db"), "--out", str(tmp_path / "x.warc.gz"))
    assert missing.returncode == 2 and "no archive at" in missing.stderr


def test_portal_selects_its_pages_and_their_images(crawled_archive, tmp_path):
    db = crawled_archive[0]
    [portal] = stored(db, "portals", "slug")
    media = stored(db, "media", "url", "sha256 is not null")
    mine = export("--db", db, "--out", str(tmp_path / "mine.warc.gz"), "--portal", portal["slug"])
    assert mine.returncode == 0, mine.stderr
    assert f"{len(stored(db)) + len(media)} response records" in mine.stderr
    other = export("--db", db, "--out", str(tmp_path / "other.warc.gz"), "--portal", "no-such-portal")
    assert other.returncode == 2 and f"no portal 'no-such-portal' in the archive (it has: {portal['slug']})" in other.stderr
    assert not (tmp_path / "other.warc.gz").exists() and not (tmp_path / "other.warc.gz.partial").exists()
