"""`newsarchive export wacz`: the crawled sample portal as a WACZ, checked with `wacz validate`
(Webrecorder's validator) and read back: its index lists every stored response and image, its
pages are the archived articles with their titles."""

import gzip
import json
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

BIN = Path(sys.executable).parent


def export(*args, command=(sys.executable, "-m", "archive.cli")):
    return subprocess.run([*command, "export", "wacz", *args], capture_output=True, text=True, timeout=300)


def rows(db, sql):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_valid_wacz_of_every_response_with_the_articles_as_pages(crawled_archive, tmp_path):
    db, seed_url = crawled_archive
    out = tmp_path / "hagiang.wacz"
    result = export("--db", db, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "14 pages" in result.stderr and not Path(f"{out}.partial").exists()
    check = subprocess.run([str(BIN / "wacz"), "validate", "-f", str(out)], capture_output=True, text=True, timeout=300)
    assert check.returncode == 0 and "is valid" in check.stdout, check.stdout[-2000:] + check.stderr[-2000:]
    with zipfile.ZipFile(out) as wacz:
        names = set(wacz.namelist())
        assert {"archive/hagiang.warc.gz", "indexes/index.cdx.gz", "pages/pages.jsonl", "datapackage.json"} <= names
        index = gzip.decompress(wacz.read("indexes/index.cdx.gz")).decode("utf-8")
        lines = wacz.read("pages/pages.jsonl").decode("utf-8").splitlines()
        package = json.loads(wacz.read("datapackage.json"))
    indexed = {json.loads(line.split(" ", 2)[2])["url"] for line in index.splitlines() if line.strip()}
    stored = {u for (u,) in rows(db, "select coalesce(requested_url, url) from snapshots")}
    images = {u for (u,) in rows(db, "select url from media where sha256 is not null")}
    assert images and indexed == stored | images
    assert json.loads(lines[0])["format"] == "json-pages-1.0"
    pages = {p["url"]: p["title"] for p in map(json.loads, lines[1:])}
    assert pages == dict(rows(db, "select url, title from articles"))
    assert pages[seed_url].startswith("Bưu điện tỉnh tổ chức Hội nghị")
    assert package["title"] == "newsarchive: all portals"


def test_bad_arguments_and_a_missing_package_get_a_clear_message(crawled_archive, tmp_path):
    db, _ = crawled_archive
    to_stdout = export("--db", db, "--out", "-")
    assert to_stdout.returncode == 2 and "goes to a file (--out FILE.wacz)" in to_stdout.stderr
    other = export("--db", db, "--out", str(tmp_path / "x.wacz"), "--portal", "other")
    assert other.returncode == 2 and "no portal 'other'" in other.stderr and not (tmp_path / "x.wacz").exists()
    without = export("--db", db, "--out", str(tmp_path / "y.wacz"), command=(  # as if wacz were not installed
        sys.executable, "-c", "import sys; sys.modules['wacz'] = None; from archive.cli import main; "
        "sys.exit(main(sys.argv[1:]))"))
    assert without.returncode == 2 and "pip install 'newsarchive[wacz]'" in without.stderr, without.stderr[-2000:]
    assert "Traceback" not in without.stderr and not list(tmp_path.glob("y.wacz*"))
