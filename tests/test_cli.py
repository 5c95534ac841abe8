"""`newsarchive serve`: the real command, a real Datasette process on a loopback port."""

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from archive import store

SEED = {
    "url": "http://127.0.0.1:1/vi/news/tin/buu-dien-tinh-1240.html", "platform": "nukeviet",
    "category": "Tin hoạt động cụm, khối thi đua",
    "title": "Bưu điện tỉnh tổ chức Hội nghị triển khai kế hoạch và phát động phong trào thi đua năm 2021",
    "published_at": "2020-12-24T08:15:00+07:00", "body_text": "Năm 2020, …", "images": [], "related_links": [],
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def newsarchive(*args, **kwargs):
    return [sys.executable, "-m", "archive.cli", *args]


def test_serve_without_archive_says_what_to_do(tmp_path):
    result = subprocess.run(newsarchive("serve", "--db", str(tmp_path / "missing.db")), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "no archive at" in result.stderr and "newsarchive crawl" in result.stderr


def test_unknown_command_shows_help():
    result = subprocess.run(newsarchive("frobnicate"), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_serve_runs_datasette_with_search(tmp_path):
    path = tmp_path / "news.db"
    db = store.open_db(str(path))
    store.save_portal(db, "127.0.0.1:1", name="Ban Thi đua", base_url="http://127.0.0.1:1/", platform="nukeviet",
                      seen_at="2026-11-26T09:00:00+07:00")
    store.save_article(db, SEED, portal="127.0.0.1:1", seen_at="2026-11-26T09:00:00+07:00")
    db.close()
    port = free_port()
    server = subprocess.Popen(newsarchive("serve", "--db", str(path), "--port", str(port)),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/news/articles.json?" + urllib.parse.urlencode(
            {"_search": "thi dua", "_shape": "objects"})
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    data = json.load(response)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"datasette did not start: {server.stdout.read1().decode() if server.poll() is not None else ''}")
                time.sleep(0.2)
        assert [r["title"] for r in data["rows"]] == [SEED["title"]]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_on_a_public_interface_warns(tmp_path):
    path = tmp_path / "news.db"
    store.open_db(str(path)).close()
    port = free_port()
    server = subprocess.Popen(newsarchive("serve", "--db", str(path), "--port", str(port), "--host", "0.0.0.0"),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        first = server.stderr.readline()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert first.startswith("newsarchive serve: warning: listening on 0.0.0.0: anyone who can reach port")
