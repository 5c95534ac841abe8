"""`newsarchive serve`: the real command, a real Datasette process on a loopback port."""

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
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
#: An award list of about 500 KB, the kind of article that froze the server before snippets were linear.
AWARD_LIST = "".join(f"Tặng Bằng khen cho ông Nguyễn Văn Thi ({n}), thành tích xuất sắc trong phong trào thi đua. "
                     for n in range(5000))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def newsarchive(*args, **kwargs):
    return [sys.executable, "-m", "archive.cli", *args]


@pytest.fixture
def archive_path(tmp_path):
    """An archive of one portal: the seed article and a 500 KB award list."""
    path = tmp_path / "news.db"
    db = store.open_db(str(path))
    store.save_portal(db, "127.0.0.1:1", name="Ban Thi đua", base_url="http://127.0.0.1:1/", platform="nukeviet",
                      seen_at="2026-11-26T09:00:00+07:00")
    store.save_article(db, SEED, portal="127.0.0.1:1", seen_at="2026-11-26T09:00:00+07:00")
    store.save_article(db, {**SEED, "url": "http://127.0.0.1:1/vi/news/tin/danh-sach-1241.html",
                            "title": "Danh sách khen thưởng năm 2020", "body_text": AWARD_LIST},
                       portal="127.0.0.1:1", seen_at="2026-11-26T09:00:00+07:00")
    db.close()
    return path


@contextlib.contextmanager
def served(path, *options):
    """``newsarchive serve --db path *options`` on a free port, once it answers: yields its base URL
    on 127.0.0.1 and the process (whose stderr is a pipe)."""
    port = free_port()
    server = subprocess.Popen(newsarchive("serve", "--db", str(path), "--port", str(port), *options),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/-/versions.json", timeout=5):
                    break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"newsarchive serve did not start: {server.stderr.read()}")
                if time.monotonic() > deadline:
                    pytest.fail("newsarchive serve did not answer within 60 s")
                time.sleep(0.2)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def get(url, *, host=None, timeout=30):
    """(status, body) of a GET, with an optional Host header."""
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_serve_without_archive_says_what_to_do(tmp_path):
    result = subprocess.run(newsarchive("serve", "--db", str(tmp_path / "missing.db")), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "no archive at" in result.stderr and "newsarchive crawl" in result.stderr


def test_unknown_command_shows_help():
    result = subprocess.run(newsarchive("frobnicate"), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_serve_runs_datasette_with_search(archive_path):
    with served(archive_path) as (base, _):
        status, body = get(f"{base}/news/articles.json?" + urllib.parse.urlencode(
            {"_search": "buu dien", "_shape": "objects"}))
    assert status == 200
    assert [r["title"] for r in json.loads(body)["rows"]] == [SEED["title"]]


def test_serve_on_loopback_allows_sql(archive_path):
    with served(archive_path) as (base, _):
        status, body = get(f"{base}/news.json?sql=select+count(*)+as+n+from+articles&_shape=array")
    assert (status, json.loads(body)) == (200, [{"n": 2}])


def test_serve_on_a_public_interface_warns_and_turns_sql_off(archive_path):
    with served(archive_path, "--host", "0.0.0.0") as (base, server):
        sql = get(f"{base}/news.json?sql=select+1")
        search = get(f"{base}/search.json?q=buu+dien")
        canned = get(f"{base}/news/search_with_snippets.json?q=buu+dien&_shape=array")
        server.terminate()
        warning = server.stderr.read()
    assert warning.startswith("newsarchive serve: warning: listening on 0.0.0.0: anyone who can reach port")
    assert "arbitrary SQL is off" in warning and "--allowed-host" in warning
    assert sql[0] == 403, "arbitrary SQL must be off beyond loopback"
    assert search[0] == 200 and json.loads(search[1])["total"] == 1
    assert canned[0] == 200 and len(json.loads(canned[1])) == 1, "canned queries stay on"


def test_allow_sql_turns_sql_back_on_beyond_loopback(archive_path):
    with served(archive_path, "--host", "0.0.0.0", "--allow-sql") as (base, server):
        status, _ = get(f"{base}/news.json?sql=select+1")
        server.terminate()
        warning = server.stderr.read()
    assert status == 200
    assert "run read-only SQL on it" in warning


@pytest.mark.parametrize("options", [(), ("--host", "0.0.0.0", "--allowed-host", "archive.example.org")])
def test_a_rebinding_host_name_is_refused(archive_path, options):
    with served(archive_path, *options) as (base, _):
        evil = get(f"{base}/search?q=thi+dua", host="evil.example")
        for host in ("localhost", f"127.0.0.1:{base.rsplit(':', 1)[1]}", "[::1]"):
            assert get(f"{base}/search?q=thi+dua", host=host)[0] == 200, host
        named = get(f"{base}/search?q=thi+dua", host="archive.example.org")
    assert evil[0] == 400 and "--allowed-host evil.example" in evil[1]
    assert named[0] == (200 if options else 400)


def test_a_heavy_search_does_not_hold_up_other_readers(archive_path):
    """The query that took 36 s (and 76 s on an award list) answers within a second, and another
    reader's request is answered meanwhile."""
    with served(archive_path) as (base, _):
        bystander = []

        def read_meanwhile():
            while len(bystander) < 200 and not done.is_set():
                start = time.perf_counter()
                get(f"{base}/-/versions.json")
                bystander.append(time.perf_counter() - start)
                time.sleep(0.02)

        done = threading.Event()
        for q in ("thi " * 200, "khen thuong", "thi dua khen"):
            thread = threading.Thread(target=read_meanwhile)
            thread.start()
            start = time.perf_counter()
            status, body = get(f"{base}/search.json?" + urllib.parse.urlencode({"q": q}))
            took = time.perf_counter() - start
            done.set()
            thread.join()
            done.clear()
            assert status == 200 and json.loads(body)["total"] >= 1, q
            assert took < 1.0, f"search {q[:20]!r}… took {took:.2f} s"
            assert max(bystander) < 0.5, f"another reader waited {max(bystander):.2f} s during {q[:20]!r}…"
            bystander.clear()

