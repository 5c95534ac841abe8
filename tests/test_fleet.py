"""A crawl fleet end to end: a real ``redis-server`` on a free loopback port, synthetic portals on
loopback (``bench/throughput/synthetic_portal.py``, which logs when each request arrived), workers
(``newsarchive crawl --frontier``) and the writer (``newsarchive ingest``) as separate processes.

``redis-server`` comes from Debian (``.ci/run`` installs it); without it these tests are skipped
and say so.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.frontier import Frontier, check_url
from tests.conftest import free_port as _free_port, needs_redis, start_redis
from crawler.ingest import Writer, _after
from crawler.items import ArchivedPage, PageFailure, Snapshot
from crawler.items import Article

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench" / "throughput"))
from synthetic_portal import SyntheticPortals  # noqa: E402

pytestmark = needs_redis


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _crawl(*args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "crawler.run", *args, "--workers", "0", "--log-level", "WARNING"],
                            cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _ingest(redis_url: str, db: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "crawler.ingest", "--frontier", redis_url, "--db", str(db),
                             "--log-level", "WARNING", *extra], cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen, timeout: float = 180) -> tuple[int, str]:
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
        raise AssertionError(f"still running after {timeout} s: {process.args}\n{err[-3000:]}")
    return process.returncode, err


def _fleet(redis_url, db, start_urls, workers=3, delay="0", extra=(), kill_at=None, portals=None):
    """Run the writer and ``workers`` workers (the first seeds) to the end; with ``kill_at``
    (a share of ``portals.expected_pages``), SIGKILL the second worker once the portals have
    served that many article and listing pages. Returns the workers' (status, stderr)."""
    ingest = _ingest(redis_url, db)
    common = ["--frontier", redis_url, "--delay", delay, *extra]
    processes = [_crawl(*start_urls, *common)]
    processes += [_crawl("--join", *common) for _ in range(workers - 1)]
    killed = None
    if kill_at is not None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            served = sum(1 for times in portals.request_times.values() for _, path in times
                         if path.endswith(".html") or "/page-" in path or path.rstrip("/").endswith("news"))
            if served >= kill_at * portals.expected_pages:
                break
            time.sleep(0.05)
        killed = processes[1]
        killed.send_signal(signal.SIGKILL)
    results = [_finish(p) for p in processes]
    code, err = _finish(ingest)
    assert code == 0, err[-3000:]
    for process, (status, err) in zip(processes, results):
        if process is not killed:
            assert status == 0, err[-3000:]
    return results, killed


def _rows(db: Path) -> dict[str, list]:
    """The archive's content, ignoring times, ids and runs: what a fleet and one process must agree on."""
    with sqlite3.connect(db) as conn:
        return {
            "articles": conn.execute("SELECT url, portal, title, category, summary, author, published_at, body_text, "
                                     "body_html, platform, content_hash, extracted_by, fetch_url, etag, last_modified FROM articles ORDER BY url").fetchall(),
            "related_links": conn.execute("SELECT a.url, r.position, r.url, r.title, r.published_at FROM related_links r "
                                          "JOIN articles a ON a.id = r.article_id ORDER BY 1, 2").fetchall(),
            "images": conn.execute("SELECT a.url, i.position, i.src, i.caption FROM images i JOIN articles a "
                                   "ON a.id = i.article_id ORDER BY 1, 2").fetchall(),
            "article_urls": conn.execute("SELECT k.url, a.url FROM article_urls k JOIN articles a ON a.id = k.article_id "
                                         "ORDER BY 1").fetchall(),
            "media": conn.execute("SELECT url, sha256, status FROM media ORDER BY url").fetchall(),
            "article_media": conn.execute("SELECT a.url, m.role, m.position, m.url FROM article_media m JOIN articles a "
                                          "ON a.id = m.article_id ORDER BY 1, 2, 3").fetchall(),
            "snapshots": conn.execute("SELECT url, status, body_sha256, kind FROM snapshots ORDER BY url, kind").fetchall(),
            "portals": conn.execute("SELECT slug, name, base_url, platform FROM portals ORDER BY slug").fetchall(),
            # the run's account: each portal's health, each start URL's yield
            "crawl_portal_runs": conn.execute("SELECT portal, start_urls, requests, listing_pages, failures, articles_new, "
                                              "status, message FROM crawl_portal_runs ORDER BY portal").fetchall(),
            "crawl_runs": [(json.loads(yields), warnings) for yields, warnings in conn.execute(
                "SELECT start_url_yields, warnings FROM crawl_runs ORDER BY id")],
        }


def _article_paths(portals) -> dict[int, list[str]]:
    return {port: [path for _, path in times if path.endswith(".html")] for port, times in portals.request_times.items()}


def test_three_workers_and_one_writer_archive_every_article_once_as_one_process_would(redis_url, tmp_path):
    with SyntheticPortals(count=4, articles=30) as portals:
        results, _ = _fleet(redis_url, tmp_path / "fleet.db", portals.start_urls)
        fleet_requests = portals.request_times
        # the same portals crawled by one process
        single = subprocess.run([sys.executable, "-m", "crawler.run", *portals.start_urls, "--db",
                                 str(tmp_path / "single.db"), "--delay", "0", "--workers", "0", "--log-level",
                                 "WARNING"], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)
    fleet = _rows(tmp_path / "fleet.db")
    assert len(fleet["articles"]) == 4 * 30
    for port, times in fleet_requests.items():
        paths = [path for _, path in times]
        articles = [p for p in paths if p.endswith(".html")]
        assert len(articles) == len(set(articles)) == 30, f"portal :{port} articles fetched {len(articles)} times"
        assert paths.count("/robots.txt") == 1, f"portal :{port}: robots.txt fetched {paths.count('/robots.txt')} times"
    sent = [int(err.rsplit(" items sent", 1)[0].rsplit(", ", 1)[1]) for _, err in results]
    assert sum(1 for n in sent if n > 0) >= 2, f"the work was not shared: items sent per worker {sent}"
    with sqlite3.connect(tmp_path / "fleet.db") as conn:
        runs = conn.execute("SELECT status, articles_new FROM crawl_runs").fetchall()
    assert runs == [("finished", 120)]

    assert single.returncode == 0, single.stderr[-3000:]
    alone = _rows(tmp_path / "single.db")
    for table in fleet:
        assert fleet[table] == alone[table], f"{table}: the fleet's rows differ from one process's"


def test_the_next_fleet_run_fetches_only_what_changed(redis_url, tmp_path):
    """The writer publishes what is archived: the second run reads each listing's first page,
    finds every entry archived, and fetches no article."""
    with SyntheticPortals(count=2, articles=30) as portals:
        _fleet(redis_url, tmp_path / "fleet.db", portals.start_urls, workers=2, extra=("--no-media",))
        first = {port: len(times) for port, times in portals.request_times.items()}
        _fleet(redis_url, tmp_path / "fleet.db", portals.start_urls, workers=2, extra=("--no-media",))
        second = {port: [path for _, path in times[first[port]:]] for port, times in portals.request_times.items()}
    for port, paths in second.items():
        assert not [p for p in paths if p.endswith(".html")], f"portal :{port}: archived articles fetched again"
        assert len(paths) == 2, f"portal :{port}: the second run asked for {paths}"  # robots.txt, listing page 1
    with sqlite3.connect(tmp_path / "fleet.db") as conn:
        runs = conn.execute("SELECT status, articles_new FROM crawl_runs ORDER BY id").fetchall()
        walks = conn.execute("SELECT complete FROM listing_walks").fetchall()
    assert runs == [("finished", 60), ("finished", 0)]
    assert walks == [(1,), (1,)]


def test_an_unreachable_portal_makes_the_run_unhealthy_as_in_one_process(redis_url, tmp_path):
    dead = f"http://127.0.0.1:{_free_port()}/vi/news/tin-tuc/"
    with SyntheticPortals(count=1, articles=10) as portals:
        ingest = _ingest(redis_url, tmp_path / "fleet.db")
        common = ["--frontier", redis_url, "--delay", "0", "--no-media", "--timeout", "5"]
        workers = [_crawl(*portals.start_urls, dead, *common), _crawl("--join", *common)]
        assert [_finish(w)[0] for w in workers] == [0, 0]
        status, err = _finish(ingest)
    assert status == 1, err[-2000:]
    with sqlite3.connect(tmp_path / "fleet.db") as conn:
        health = dict(conn.execute("SELECT portal, status FROM crawl_portal_runs").fetchall())
        message = conn.execute("SELECT message FROM crawl_portal_runs WHERE status = 'unhealthy'").fetchone()[0]
    assert health == {portals.bases[0].split("//")[1]: "healthy", dead.split("/")[2]: "unhealthy"}
    assert "unreachable (connection refused)" in message


def test_a_worker_killed_mid_crawl_loses_nothing(redis_url, tmp_path):
    with SyntheticPortals(count=3, articles=60) as portals:
        results, killed = _fleet(redis_url, tmp_path / "fleet.db", portals.start_urls, delay="0.02",
                                 extra=("--lease-seconds", "3", "--timeout", "5", "--no-media"), kill_at=0.3,
                                 portals=portals)
        served = _article_paths(portals)
    assert killed.returncode == -signal.SIGKILL
    with sqlite3.connect(tmp_path / "fleet.db") as conn:
        archived = {url for (url,) in conn.execute("SELECT url FROM articles")}
    assert len(archived) == 3 * 60, f"{3 * 60 - len(archived)} articles lost with the killed worker"
    for port, paths in served.items():
        assert len(set(paths)) == 60, f"portal :{port}: {60 - len(set(paths))} articles never fetched"
    assert Frontier(redis_url).leased() == 0 and Frontier(redis_url).queued() == 0


def test_a_worker_stopped_with_sigterm_hands_its_requests_back_at_once(redis_url, tmp_path):
    with SyntheticPortals(count=2, articles=40) as portals:
        ingest = _ingest(redis_url, tmp_path / "fleet.db")
        common = ["--frontier", redis_url, "--delay", "0.05", "--lease-seconds", "600", "--no-media"]
        first = _crawl(*portals.start_urls, *common)
        deadline = time.monotonic() + 120
        while sum(len(_article_paths(portals)[port]) for port in portals.ports) < 20:
            assert time.monotonic() < deadline and first.poll() is None, "the first worker did not get going"
            time.sleep(0.05)
        first.send_signal(signal.SIGTERM)
        status, err = _finish(first, timeout=60)
        assert status == 128 + signal.SIGTERM, err[-2000:]
        frontier = Frontier(redis_url)
        assert frontier.leased() == 0, "requests in hand stayed leased (for the 600 s lease) after SIGTERM"
        assert frontier.queued() > 0
        second = _crawl("--join", *common)
        assert _finish(second)[0] == 0
        assert _finish(ingest)[0] == 0
    with sqlite3.connect(tmp_path / "fleet.db") as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 80


def test_when_redis_goes_away_workers_and_writer_stop_with_a_message_and_keep_what_was_saved(tmp_path):
    server, url = start_redis(tmp_path)
    try:
        with SyntheticPortals(count=1, articles=200) as portals:
            ingest = _ingest(url, tmp_path / "fleet.db")
            worker = _crawl(*portals.start_urls, "--frontier", url, "--delay", "0.05", "--no-media")
            deadline = time.monotonic() + 120
            while len(_article_paths(portals)[portals.ports[0]]) < 20:
                assert time.monotonic() < deadline and worker.poll() is None
                time.sleep(0.05)
            server.terminate()
            server.wait(timeout=10)
            status, err = _finish(worker, timeout=60)
            assert status == 69 and "could not be reached" in err, err[-2000:]
            status, err = _finish(ingest, timeout=60)
            assert status == 69 and "what was saved stays saved" in err, err[-2000:]
    finally:
        if server.poll() is None:
            server.kill()
    with sqlite3.connect(tmp_path / "fleet.db") as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] >= 10
        assert conn.execute("SELECT status FROM crawl_runs").fetchall() == [("interrupted",)]


def test_the_per_host_delay_holds_across_workers(redis_url, tmp_path):
    delay = 0.25
    with SyntheticPortals(count=2, articles=12) as portals:
        _fleet(redis_url, tmp_path / "fleet.db", portals.start_urls, delay=str(delay), extra=("--no-media",))
        times = portals.request_times
    for port, requests in times.items():
        arrivals = sorted(t for t, _ in requests)
        assert len(arrivals) >= 13
        gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
        assert min(gaps) >= delay, f"portal :{port}: two requests {min(gaps):.3f} s apart (delay {delay} s)"


# --- the frontier's parts ------------------------------------------------------------------


def test_a_lease_not_renewed_returns_to_the_queue_with_its_priority(redis_url):
    frontier = Frontier(redis_url, lease_seconds=0.3)
    frontier.push(b"low", priority=0)
    frontier.push(b"high", priority=100)
    frontier.push(b"low2", priority=0)
    token, payload = frontier.pop()
    assert payload == b"high"
    assert frontier.pop()[1] == b"low"  # first in, first out within a priority
    assert frontier.queued() == 1 and frontier.leased() == 2
    frontier.settle(token)
    assert frontier.reap() == 0
    time.sleep(0.4)
    assert frontier.reap() == 1  # "low": its worker went silent
    assert frontier.pop()[1] == b"low"
    assert frontier.pop()[1] == b"low2"


def test_leases_given_back_return_at_once(redis_url):
    frontier = Frontier(redis_url, lease_seconds=60)
    frontier.push(b"a", priority=5)
    frontier.push(b"b", priority=0)
    held = [frontier.pop()[0], frontier.pop()[0]]
    assert frontier.give_back(held[:1]) == 1
    assert frontier.queued() == 1 and frontier.leased() == 1
    assert frontier.pop()[1] == b"a"  # with its priority


def test_a_renewed_lease_stays(redis_url):
    frontier = Frontier(redis_url, lease_seconds=0.3)
    frontier.push(b"page", priority=0)
    token, _ = frontier.pop()
    for _ in range(4):
        time.sleep(0.15)
        frontier.renew([token])
        assert frontier.reap() == 0
    assert frontier.queued() == 0 and frontier.leased() == 1


def test_a_run_is_drained_only_once_seeded_and_settled(redis_url):
    frontier = Frontier(redis_url)
    run_id, new = frontier.start_run(["http://a.example/"], {})
    assert (run_id, new) == (1, True)
    assert not frontier.drained()  # not seeded yet: an empty queue is not the end
    frontier.push(b"page", priority=0)
    frontier.mark_seeded()
    token, _ = frontier.pop()
    assert not frontier.drained()  # a worker holds it
    assert frontier.start_run(["http://b.example/"], {}) == (1, False)  # joins the running run
    assert frontier.run()["seeds"] == ["http://a.example/", "http://b.example/"]
    frontier.mark_seeded()
    frontier.settle(token)
    assert frontier.drained()
    assert frontier.start_run(["http://a.example/"], {}) == (2, True)


def _archived_page(url: str, body: bytes) -> ArchivedPage:
    html = b"<html><body><h1>Tin thi \xc4\x91ua</h1><p>" + body + b"</p></body></html>"
    article = Article(url=url, platform="generic", title="Tin thi đua", body_text=body.decode(),
                      body_html=f"<p>{body.decode()}</p>")
    snapshot = Snapshot(url=url, fetched_at="2026-12-04T10:00:00+07:00", status=200, headers={}, body=html,
                        requested_url=url)
    return ArchivedPage(snapshot=snapshot, article=article, host="127.0.0.1:9", start_url=None)


def test_the_writer_saves_an_item_delivered_twice_once(redis_url, tmp_path):
    frontier = Frontier(redis_url)
    frontier.start_run(["http://127.0.0.1:9/news/"], {})
    frontier.mark_seeded()
    db = tmp_path / "a.db"
    writer = Writer(frontier, str(db), batch=10)
    writer.publish(frontier.run())
    writer.open(frontier.run())
    frontier.send_item(_archived_page("http://127.0.0.1:9/news/a-1.html", "Bài một".encode()))
    assert writer.save() == 1
    # the writer dies after its transaction, before it acknowledges: the stream delivers again
    frontier.send_item(PageFailure(url="http://127.0.0.1:9/news/b-2.html", reason="HTTP 500", start_url=None,
                                   kind="article"))
    frontier.send_item(_archived_page("http://127.0.0.1:9/news/c-3.html", "Bài ba".encode()))
    acknowledge, frontier.ack_items = frontier.ack_items, lambda ids: None
    assert writer.save() == 2
    writer.close("shutdown")
    frontier.ack_items = acknowledge
    again = Writer(frontier, str(db), batch=10)
    again.open(frontier.run())
    assert again.save() == 2  # delivered again...
    assert again.saved == 0  # ...and skipped
    again.close("finished")
    # an article fetched twice (a worker killed after sending it) is one article
    third = Writer(frontier, str(db), batch=10)
    third.open(frontier.run())
    frontier.send_item(_archived_page("http://127.0.0.1:9/news/a-1.html", "Bài một".encode()))
    assert third.save() == 1
    third.close("finished")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
        assert conn.execute("SELECT attempts FROM failures").fetchall() == [(1,)]
        assert conn.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 2
    # what the writer saved is published for the workers
    assert set(frontier.known(["http://127.0.0.1:9/news/a-1.html", "http://127.0.0.1:9/news/c-3.html",
                               "http://127.0.0.1:9/news/b-2.html"])) == {"http://127.0.0.1:9/news/a-1.html",
                                                                         "http://127.0.0.1:9/news/c-3.html"}


def test_stream_positions_compare_as_numbers():
    assert _after("1700000000000-10", "1700000000000-9")
    assert not _after("1700000000000-9", "1700000000000-9")
    assert _after("1700000000001-0", None)


# --- what a user gets wrong --------------------------------------------------------------------


def test_bad_frontier_arguments_are_refused_with_a_message(redis_url, tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "crawler.run", *args], cwd=ROOT, env=_env(), capture_output=True,
                              text=True, timeout=120)
    joined = run("--join")
    assert joined.returncode == 2 and "--join works on a frontier" in joined.stderr
    both = run("http://127.0.0.1:9/news/", "--frontier", redis_url, "--join")
    assert both.returncode == 2 and "--join seeds nothing" in both.stderr
    bad = run("http://127.0.0.1:9/news/", "--frontier", "127.0.0.1:6379")
    assert bad.returncode == 2 and "not a Redis URL" in bad.stderr
    gone = run("http://127.0.0.1:9/news/", "--frontier", f"redis://127.0.0.1:{_free_port()}/0")
    assert gone.returncode == 2 and "cannot reach the frontier" in gone.stderr
    alone = run("http://127.0.0.1:9/news/", "--frontier", redis_url, "--state-timeout", "0.5")
    assert alone.returncode == 2 and "is `newsarchive ingest --frontier" in alone.stderr
    ingest = subprocess.run([sys.executable, "-m", "crawler.ingest", "--frontier", f"redis://127.0.0.1:{_free_port()}/0",
                             "--db", str(tmp_path / "a.db")], cwd=ROOT, env=_env(), capture_output=True, text=True,
                            timeout=60)
    assert ingest.returncode == 2 and "cannot reach the frontier" in ingest.stderr
    assert not (tmp_path / "a.db").exists() or sqlite3.connect(tmp_path / "a.db").execute(
        "SELECT count(*) FROM crawl_runs").fetchone()[0] == 0
    with pytest.raises(ValueError, match="not a Redis URL"):
        check_url("http://127.0.0.1:6379/0")
