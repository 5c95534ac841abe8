"""Unattended crawls: exit statuses, the archive lock, signals, redirects that are failures,
quiet output. Real processes (`newsarchive crawl` in a subprocess), real loopback servers, a real
SQLite file."""

import gzip
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from archive.lock import ArchiveLock
from fixtures.changing_portal import ChangingPortal
from tests.test_crawl_e2e import CATEGORY, query, run_crawl

ROOT = Path(__file__).resolve().parent.parent


class Broken:
    """A loopback server whose pages misbehave (paths below); records every request's Host."""

    def __init__(self):
        routes = {}
        self.requests: list[tuple[str, str]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.requests.append((self.headers.get("Host", ""), self.path))
                status, headers, body = routes.get(self.path, (404, {}, b"<h1>404</h1>"))
                if self.path == "/truncated/":  # promises 100 kB, sends 1 kB, hangs up
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", "100000")
                    self.end_headers()
                    self.wfile.write(b"<html><body>" + b"x" * 1000)
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.send_response(status)
                for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        other = f"http://localhost:{self.port}"  # the same machine under another host name
        routes.update({
            "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"),
            "/off-host/": (302, {"Location": f"{other}/elsewhere/"}, b""),
            "/loop-a/": (302, {"Location": "/loop-b/"}, b""),
            "/loop-b/": (302, {"Location": "/loop-a/"}, b""),
            "/binary/": (200, {"Content-Type": "text/html"}, bytes(range(256)) * 40),
            "/gzip-bomb/": (200, {"Content-Encoding": "gzip"}, gzip.compress(b"<p>" + b" " * 40_000_000)),
        })
        for n in range(30):
            routes[f"/chain-{n}/"] = (302, {"Location": f"/chain-{n + 1}/"}, b"")
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("path, reason", [
    ("/off-host/", "redirected off the portal to http://localhost:"),
    ("/loop-a/", "redirect loop back to"),
    ("/chain-0/", "too many redirects"),
    ("/binary/", "not a web page"),
    ("/gzip-bomb/", "page limit once decompressed"),
    ("/truncated/", "connection closed before the page was complete"),
])
def test_each_broken_page_is_a_named_failure_and_an_unhealthy_portal(tmp_path, path, reason):
    db = str(tmp_path / "archive.db")
    with Broken() as server:
        result = run_crawl(server.url(path), "--db", db, "--delay", "0", "--max-pages", "60",
                           "--json-summary", str(tmp_path / "summary.json"), "--timeout", "10")
    assert result.returncode == 1, result.stderr[-3000:]
    [line] = [line for line in result.stderr.splitlines() if f"failed {server.url(path)} (" in line]
    assert reason in line
    assert "Traceback" not in result.stderr
    assert not any(host.startswith("localhost") for host, _ in server.requests), "another host was requested"
    [run] = query(db, "select failures from crawl_runs")
    assert run["failures"] == 1
    [failure] = query(db, "select url, kind, reason, attempts from failures")
    assert (failure["url"], failure["kind"], failure["attempts"]) == (server.url(path), "listing", 1)
    assert reason in failure["reason"]
    assert query(db, "select count(*) as n from snapshots where kind != 'robots'")[0]["n"] == 0  # nothing kept of a broken page
    summary = json.loads((tmp_path / "summary.json").read_text())
    [portal] = summary["portals"]
    assert (summary["exit_status"], portal["healthy"], portal["failures"]) == (1, False, 1)
    assert any(reason in problem for problem in portal["problems"])


def test_a_portal_whose_articles_all_fail_is_unhealthy(tmp_path):
    db = str(tmp_path / "archive.db")
    with ChangingPortal(articles=8) as portal:
        respond = portal.respond
        portal.respond = lambda method, path, inm, ims: (
            (500, {"Content-Type": "text/html"}, b"<h1>500</h1>") if ChangingPortal.kind(path) == "article"
            else respond(method, path, inm, ims))
        result = run_crawl(portal.start_url, "--db", db, "--delay", "0")
    assert result.returncode == 1, result.stderr[-3000:]
    host = portal.base_url.split("//", 1)[1].rstrip("/")
    assert f"warning: {host}: 8 of 9 requests failed (89%, more than 10%)" in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith(f"; unhealthy: {host}")
    [row] = query(db, "select * from crawl_portal_runs")
    assert (row["portal"], row["status"], row["requests"], row["failures"], row["listing_pages"], row["articles_new"]) == (
        host, "unhealthy", 9, 8, 1, 0)
    assert row["message"] == (f"{portal.start_url}: no article archived (1 listing page read); "
                              "8 of 9 requests failed (89%, more than 10%)")
    failed = query(db, "select url, kind, reason, attempts, resolved_at from failures")
    assert len(failed) == 8 and {(f["kind"], f["reason"], f["attempts"], f["resolved_at"]) for f in failed} == {
        ("article", "HTTP 500", 1, None)}


def test_a_failed_page_is_retried_first_by_the_next_crawl_and_resolved(tmp_path):
    """An old article (page 3 of the listing) fails; the next nightly crawl, which stops paging at
    page 1, retries it first; when it answers, it is archived and its failure resolved."""
    db = str(tmp_path / "archive.db")
    with ChangingPortal(articles=60) as portal:
        broken = portal.expected()[-1]["path"]  # the oldest article: on the last listing page
        respond = portal.respond
        portal.respond = lambda method, path, inm, ims: (
            (503, {"Content-Type": "text/html"}, b"<h1>503</h1>") if path == broken
            else respond(method, path, inm, ims))
        first = run_crawl(portal.start_url, "--db", db, "--delay", "0")
        assert first.returncode == 0, first.stderr[-2000:]  # 1 failure of 64 requests: healthy
        [row] = query(db, "select * from failures")
        assert (row["url"], row["reason"], row["attempts"], row["resolved_at"]) == (portal.url(broken), "HTTP 503", 1,
                                                                                     None)
        [health] = query(db, "select status, failures from crawl_portal_runs")
        assert health == {"status": "healthy", "failures": 1}
        portal.respond = respond  # the portal is mended
        portal.reset_log()
        second = run_crawl(portal.start_url, "--db", db, "--delay", "0")
        listing = [r.path for r in portal.log if ChangingPortal.kind(r.path) == "listing"]
    assert second.returncode == 0, second.stderr[-2000:]
    assert len(listing) == 1  # the first listing page only: the retry did not need the walk
    assert broken in [r.path for r in portal.log]
    [row] = query(db, "select attempts, resolved_at from failures")
    assert row["resolved_at"] is not None
    assert query(db, "select count(*) as n from articles")[0]["n"] == 60


def test_a_second_crawl_of_a_locked_archive_exits_75_and_fetches_nothing(portal, tmp_path):
    db = str(tmp_path / "archive.db")
    holder = ArchiveLock(db)
    holder.acquire(command="test")
    try:
        started = time.monotonic()
        result = run_crawl(portal.url(CATEGORY), "--db", db, "--delay", "0", "--wait-lock", "1")
        assert time.monotonic() - started >= 1
    finally:
        holder.release()
    assert result.returncode == 75, result.stderr
    assert f"another crawl (pid {os.getpid()}, started " in result.stderr and "nothing was fetched" in result.stderr
    assert portal.requests == []
    assert run_crawl(portal.url(CATEGORY), "--db", db, "--delay", "0").returncode == 0  # the lock is free again


def background_crawl(portal, db, *, until_articles):
    """`newsarchive crawl` of ``portal`` running in the background (a small delay between
    requests), returned once the portal has served ``until_articles`` article pages."""
    process = subprocess.Popen([sys.executable, "-m", "archive.cli", "crawl", portal.start_url, "--db", db,
                                "--delay", "0.02"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and portal.count("article") < until_articles:
        time.sleep(0.05)
    return process


def test_two_crawls_at_once_the_second_exits_75_the_first_loses_nothing(tmp_path):
    db = str(tmp_path / "archive.db")
    with ChangingPortal(articles=150) as portal:
        first = background_crawl(portal, db, until_articles=1)
        second = run_crawl(portal.start_url, "--db", db, "--delay", "0")
        _, stderr = first.communicate(timeout=300)
    assert second.returncode == 75 and "another crawl (pid" in second.stderr
    assert first.returncode == 0, stderr[-2000:]
    assert "database is locked" not in stderr
    assert {r["url"] for r in query(db, "select url from articles")} == {a["url"] for a in portal.expected()}
    assert len(query(db, "select id from crawl_runs")) == 1


def _descendants(pid):
    """Process ids whose parent chain leads to ``pid`` (from /proc)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"


def test_sigterm_to_newsarchive_crawl_leaves_no_process_and_closes_the_run(tmp_path):
    db = str(tmp_path / "archive.db")
    with ChangingPortal(articles=200) as portal:
        process = background_crawl(portal, db, until_articles=10)
        crawler = _descendants(process.pid)
        assert crawler, "newsarchive crawl runs the crawler in a child process"
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=90)
        time.sleep(0.5)
    assert process.returncode == 143, stderr[-2000:]
    assert not [pid for pid in crawler if _alive(pid)], "a crawler process was left running"
    [run] = query(db, "select status, finished_at, articles_new from crawl_runs")
    assert run["status"] == "interrupted" and run["finished_at"] and run["articles_new"] > 0
    assert stderr.strip().splitlines()[-1].startswith("crawl interrupted:")


def test_quiet_by_default_detail_at_debug(portal, tmp_path):
    quiet = run_crawl(portal.url(CATEGORY), "--db", str(tmp_path / "a.db"), "--delay", "0")
    lines = quiet.stderr.strip().splitlines()
    assert quiet.returncode == 0
    assert len(lines) <= 8, lines  # two dead related links, the start URL's yield, the summary
    for noise in ("Scrapy 2.", "Enabled extensions", "Overridden settings", "Dumping Scrapy stats", "new article",
                  "Telnet", "RemoteControl"):
        assert noise not in quiet.stderr
    assert lines[-1].startswith("crawl finished: ")
    loud = run_crawl(portal.url(CATEGORY), "--db", str(tmp_path / "b.db"), "--delay", "0", "--log-level", "DEBUG")
    assert "Enabled extensions" in loud.stderr and "new article" in loud.stderr


def test_log_file_and_version(portal, tmp_path):
    log = tmp_path / "crawl.log"
    result = run_crawl(portal.url(CATEGORY), "--db", str(tmp_path / "a.db"), "--delay", "0", "--log-file", str(log))
    assert result.returncode == 0
    assert "failed " in log.read_text() and "failed " not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("crawl finished: ")
    for args in (["--version"], ["crawl", "--version"]):
        version = subprocess.run([sys.executable, "-m", "archive.cli", *args], capture_output=True, text=True)
        assert version.returncode == 0 and version.stdout.startswith("newsarchive 0.")


def test_bad_failure_rate_is_a_usage_error(tmp_path):
    result = run_crawl("http://127.0.0.1:9/", "--db", str(tmp_path / "a.db"), "--max-failure-rate", "15")
    assert result.returncode == 2 and "between 0 and 1" in result.stderr


def test_deploy_files_use_only_options_that_exist():
    """Every `newsarchive <command>` in the systemd unit and the crontab uses options that command has."""
    import re

    def options_of(command):
        help_text = subprocess.run([sys.executable, "-m", "archive.cli", command, "--help"], capture_output=True,
                                   text=True).stdout
        return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", help_text))

    calls = []
    for name in ("newsarchive-crawl.service", "crontab"):
        text = (ROOT / "deploy" / name).read_text().replace("\\\n", " ")
        for command, rest in re.findall(r"bin/newsarchive (\w+)([^&\n]*)", text):
            used = set(re.findall(r"\s(--[a-z][a-z-]+)", rest))
            assert used and used <= options_of(command), (name, command, used - options_of(command))
            calls.append(command)
    assert sorted(set(calls)) == ["backup", "crawl"] and calls.count("crawl") == 3
    timer = (ROOT / "deploy" / "newsarchive-crawl.timer").read_text()
    assert "Persistent=true" in timer and "RandomizedDelaySec=" in timer
    service = (ROOT / "deploy" / "newsarchive-crawl.service").read_text()
    assert "User=newsarchive" in service and "ProtectSystem=strict" in service


def test_fleet_deploy_files_use_only_options_that_exist():
    """The crawl fleet's units (deploy/fleet/): each `newsarchive` call uses options its command has;
    workers join, the seed unit seeds every portal, the writer follows run after run."""
    import re

    def options_of(command):
        help_text = subprocess.run([sys.executable, "-m", "archive.cli", command, "--help"], capture_output=True,
                                   text=True).stdout
        return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", help_text))

    used_by = {}
    for unit in sorted((ROOT / "deploy" / "fleet").glob("*.service")):
        text = unit.read_text().replace("\\\n", " ")
        assert "EnvironmentFile=/etc/newsarchive/fleet.env" in text and "User=newsarchive" in text, unit.name
        for command, rest in re.findall(r"bin/newsarchive (\w+)([^\n]*)", text):
            used = set(re.findall(r"\s(--[a-z][a-z-]+)", rest))
            assert used <= options_of(command), (unit.name, command, used - options_of(command))
            used_by[unit.name] = (command, used)
    assert used_by == {
        "newsarchive-ingest.service": ("ingest", {"--frontier", "--db", "--follow", "--wait-lock"}),
        "newsarchive-seed.service": ("crawl", {"--all", "--frontier", "--workers", "--state-timeout"}),
        "newsarchive-worker@.service": ("crawl", {"--frontier", "--join", "--workers", "--log-level"}),
    }
    assert "FRONTIER=redis://" in (ROOT / "deploy" / "fleet" / "fleet.env").read_text()


def test_a_terminal_gets_a_live_progress_line_per_portal(portal, tmp_path):
    import pty
    import select

    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "archive.cli", "crawl", portal.url(CATEGORY), "--db",
                                str(tmp_path / "a.db"), "--delay", "0"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    output = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closed: every process holding it has ended
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(master)
    text = output.decode("utf-8", "replace")
    host = portal.base_url.split("//", 1)[1].rstrip("/")
    assert process.returncode == 0, text[-2000:]
    assert f"{host}: 3 listing pages, 14 new, 0 updated, 0 unchanged, 0 not modified, 0 taken down, 2 failures" in text, text
    assert " req/s [00:" in text
    assert "crawl finished: " in text.strip().splitlines()[-1]


def test_a_crawler_whose_parent_is_killed_stops_too(tmp_path):
    """`kill -9` of `newsarchive crawl` cannot be forwarded: the crawler gets SIGTERM from the
    kernel (PR_SET_PDEATHSIG), shuts down cleanly and records the run as interrupted."""
    db = str(tmp_path / "archive.db")
    with ChangingPortal(articles=200) as portal:
        process = background_crawl(portal, db, until_articles=10)
        crawler = _descendants(process.pid)
        assert crawler
        process.kill()
        process.wait(timeout=30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(_alive(pid) for pid in crawler):
            time.sleep(0.1)
        assert not [pid for pid in crawler if _alive(pid)], "the crawler outlived its parent"
    [run] = query(db, "select status, finished_at from crawl_runs")
    assert run["status"] == "interrupted" and run["finished_at"]
