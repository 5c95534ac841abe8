"""End to end: the loopback sample portal, `newsarchive crawl` in a subprocess, the SQLite file.

The expected values below come from the fixture site's README (fixtures/sites/nukeviet-hagiang)
and from the seed article's own text (fixtures/pages/nukeviet/article/seed/seed-article.txt), not from
the crawler's output.
"""

import gzip
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SEED_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "pages" / "nukeviet" / "article" / "seed"
SITE = Path(__file__).resolve().parent.parent / "fixtures" / "sites" / "nukeviet-hagiang"
CATEGORY = "/vi/news/tin-hoat-dong-cum-khoi-thi-dua/"
SEED_PATH = CATEGORY + "buu-dien-tinh-to-chuc-hoi-nghi-trien-khai-ke-hoach-va-phat-dong-phong-trao-thi-dua-nam-2021-1240.html"
ARTICLE_IDS = {1252, 1250, 1248, 1246, 1244, 1242, 1240, 1238, 1236, 1235, 1234, 1230, 1228, 1220}


def run_crawl(*args, timeout=120):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([sys.executable, "-m", "archive.cli", "crawl", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def query(db_path, sql, params=()):
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


@pytest.fixture
def crawled(portal, tmp_path):
    db = str(tmp_path / "archive.db")
    result = run_crawl(portal.url(CATEGORY), "--db", db, "--delay", "0")
    assert result.returncode == 0, result.stderr[-3000:]
    return portal, db, result


def article_id(url):
    return int(url.rsplit("-", 1)[1].split(".")[0])


def test_every_article_archived_exactly_once(crawled):
    portal, db, _ = crawled
    urls = [r["url"] for r in query(db, "select url from articles")]
    assert len(urls) == len(set(urls))
    assert {article_id(u) for u in urls} == ARTICLE_IDS
    assert all(u.startswith(portal.url(CATEGORY)) for u in urls)


def test_seed_article_fields_exact(crawled):
    portal, db, _ = crawled
    [row] = query(db, "select * from articles where url = ?", [portal.url(SEED_PATH)])
    expected = json.loads((SEED_DIR / "expected.json").read_text(encoding="utf-8"))
    assert row["title"] == "Bưu điện tỉnh tổ chức Hội nghị triển khai kế hoạch và phát động phong trào thi đua năm 2021"
    assert row["category"] == "Tin hoạt động cụm, khối thi đua"
    assert row["published_at"] == "2020-12-24T08:15:00+07:00"
    assert row["published_raw"] == "24/12/2020 08:15"
    assert row["author"] == "Hoàng Nhi"
    assert row["source"] is None
    assert row["summary"].startswith("Sáng ngày 22/12, tại Hội trường Bưu điện tỉnh")
    assert row["body_text"] == expected["body_text"]
    assert row["body_text"].startswith("Năm 2020, mặc dù tình hình kinh tế")
    assert row["body_text"].endswith("Chủ tịch UBND tỉnh tặng thưởng cho 01 cá nhân…")
    assert "Hoàng Nhi" not in row["body_text"] and "Phó Chủ tịch UBND tỉnh phát biểu tại Hội nghị" not in row["body_text"]
    assert row["portal"] == f"127.0.0.1:{portal.url('').rsplit(':', 1)[1]}"
    images = query(db, "select src, caption from images where article_id = ? order by position", [row["id"]])
    assert [i["caption"] for i in images] == [
        "Đ/c Hà Thị Minh Hạnh - Phó Chủ tịch UBND tỉnh phát biểu tại Hội nghị",
        "Đ/c Hà Thị Minh Hạnh - Phó Chủ tịch UBND tỉnh thừa ủy quyền của TTCP trao Cờ thi đua Chính phủ cho Bưu điện tỉnh",
    ]
    assert all(i["src"].startswith(portal.url("/uploads/news/2020_12/")) for i in images)
    related = query(db, "select title, published_at from related_links where article_id = ? order by position", [row["id"]])
    assert [(r["title"], r["published_at"]) for r in related] == [
        ("Khối Mặt trận - Đoàn thể tổng kết công tác Thi đua khen thưởng năm 2020, phương hướng nhiệm vụ năm 2021.",
         "2020-12-23T09:04:00+07:00"),
        ("Khối Kinh tế ngành tổng kết công tác Thi đua khen thưởng năm 2020, triển khai phương hướng, nhiệm vụ năm 2021",
         "2020-12-16T10:20:00+07:00"),
        ("Hội nghị tổng kết phong trào thi đua, công tác khen thưởng của Khối giao ước thi đua các huyện vùng 30a",
         "2020-12-16T09:36:00+07:00"),
        ("Khối Kinh tế - Tổng hợp tổng kết công tác Thi đua khen thưởng năm 2020, triển khai phương hướng nhiệm vụ năm 2021",
         "2020-12-15T16:26:00+07:00"),
        ("Khối Văn hóa - Xã hội tổng kết công tác phong trào Thi đua, khen thưởng năm 2020 và triển khai phương hướng, "
         "nhiệm vụ năm 2021.", "2020-12-03T22:30:00+07:00"),
    ]


def test_out_of_scope_pages_never_stored_or_requested(crawled):
    portal, db, _ = crawled
    stored = [r["url"] for r in query(db, "select url from articles union all select url from snapshots")]
    for fragment in ("/print/", "/savefile/", "/sendmail/", "/tin-tuc-su-kien/", "/page/gioi-thieu", "hagiang.gov.vn"):
        assert not any(fragment in u for u in stored), fragment
    requested = portal.requests
    assert "/robots.txt" in requested
    assert not any(p.startswith("/vi/news/savefile/") for p in requested), "robots.txt disallows savefile"
    assert not any(p.startswith(("/vi/news/print/", "/vi/news/sendmail/", "/vi/news/tin-tuc-su-kien/", "/vi/page/"))
                   for p in requested)
    assert len(requested) == len(set(requested)), "a page was fetched twice"
    [agent] = portal.user_agents
    assert agent.startswith("newsarchive/") and "robots.txt" in agent


def test_snapshots_and_crawl_run_recorded(crawled):
    portal, db, _ = crawled
    snapshots = query(db, "select url, status, body, headers, kind from snapshots")
    listings = [s["url"] for s in snapshots if s["kind"] == "listing"]
    assert {article_id(s["url"]) for s in snapshots if s["kind"] == "article"} == ARTICLE_IDS
    assert {s["kind"] for s in snapshots} == {"article", "listing", "robots"}
    assert portal.url(CATEGORY) in listings and len(listings) == len(set(listings)) >= 2  # the listing pages, once each
    assert all(url.startswith(portal.url(CATEGORY)) for url in listings)
    [robots] = [s for s in snapshots if s["kind"] == "robots"]  # the rules the crawl obeyed, kept once
    assert robots["url"] == portal.url("/robots.txt") and robots["status"] == 200
    assert gzip.decompress(robots["body"]) == (SITE / "robots.txt").read_bytes()
    seed = next(s for s in snapshots if s["url"] == portal.url(SEED_PATH))
    assert "Hoàng Nhi" in gzip.decompress(seed["body"]).decode("utf-8")
    assert json.loads(seed["headers"])["Content-Type"] == "text/html; charset=utf-8"
    [run] = query(db, "select * from crawl_runs")
    assert json.loads(run["start_urls"]) == [portal.url(CATEGORY)]
    assert run["articles_new"] == len(ARTICLE_IDS) and run["articles_updated"] == run["articles_unchanged"] == 0
    assert run["failures"] >= 1  # the deleted article linked from "Tin khác" answers 404
    assert run["pages_fetched"] >= len(ARTICLE_IDS) + 3
    assert run["finished_at"] >= run["started_at"]


def test_yield_per_start_url_is_reported(crawled):
    """The README's sample portal: 3 listing pages, 14 articles, all by the NukeViet 4 page object."""
    portal, db, result = crawled
    [run] = query(db, "select start_url_yields, warnings from crawl_runs")
    assert json.loads(run["start_url_yields"]) == [{
        "start_url": portal.url(CATEGORY), "listing_pages": 3, "articles": len(ARTICLE_IDS), "undated": 0, "already_archived": 0,
        "listing_producers": {"NukeViet4": 3}, "article_producers": {"NukeViet4": len(ARTICLE_IDS)}}]
    assert json.loads(run["warnings"]) == []
    assert f"{portal.url(CATEGORY)}: 3 listing pages, {len(ARTICLE_IDS)} articles (NukeViet4 {len(ARTICLE_IDS)})" in result.stderr
    assert "warning:" not in result.stderr
    provenance = {r["extracted_by"] for r in query(db, "select extracted_by from articles")}
    assert all(set(json.loads(p).values()) == {"NukeViet4"} for p in provenance)


def test_start_url_that_yields_nothing_is_a_warning(portal, tmp_path):
    """A start URL that is no listing (the portal's "about" page) or that is gone (404) archives
    nothing: each is named in the summary and in crawl_runs.warnings, and the portal is
    unhealthy (exit status 1)."""
    db = str(tmp_path / "archive.db")
    about, gone = portal.url("/vi/page/gioi-thieu.html"), portal.url("/vi/news/chuyen-muc-da-xoa/")
    result = run_crawl(about, gone, portal.url(CATEGORY), "--db", db, "--delay", "0", "--related-hops", "0")
    assert result.returncode == 1, result.stderr[-2000:]
    host = portal.base_url.split("//", 1)[1].rstrip("/")
    assert f"warning: {host}: {gone}: unreachable (HTTP 404)" in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith(f"; unhealthy: {host}")
    [run] = query(db, "select start_url_yields, warnings from crawl_runs")
    yields = {y["start_url"]: y for y in json.loads(run["start_url_yields"])}
    assert yields[about]["articles"] == yields[gone]["articles"] == 0
    assert yields[portal.url(CATEGORY)]["articles"] > 0
    warnings = json.loads(run["warnings"])
    assert warnings == [f"{about}: no article archived (it was not read as a listing)",
                        f"{gone}: no article archived (it was not read as a listing)"]
    for warning in warnings:
        assert f"warning: {warning}" in result.stderr


def _tables(db, tables):
    return {t: query(db, f"select * from {t} order by rowid") for t in tables}


def test_full_recrawl_of_unchanged_site_changes_only_last_seen_at(crawled):
    portal, db, _ = crawled
    tables = ["articles", "images", "related_links", "snapshots", "portals", "article_revisions"]
    before = _tables(db, tables)
    result = run_crawl(portal.url(CATEGORY), "--db", db, "--delay", "0", "--full")
    assert result.returncode == 0, result.stderr[-3000:]
    after = _tables(db, tables)
    for row in before["articles"] + after["articles"]:
        row.pop("last_seen_at")
    for row in before["portals"] + after["portals"]:
        row.pop("last_seen_at")
    assert before == after
    runs = query(db, "select * from crawl_runs order by id")
    assert len(runs) == 2 and runs[1]["articles_unchanged"] == len(ARTICLE_IDS) and runs[1]["articles_new"] == 0
    assert runs[1]["status"] == "finished"


def test_incremental_recrawl_of_unchanged_site_reads_the_first_listing_page_only(crawled):
    """The sample's articles are from 2020: outside the recheck window, and seen minutes ago, so
    not due in the rotation either. The two "Tin khác" links that answered 404 in the first crawl
    are retried first (the ``failures`` table), and fail again."""
    portal, db, _ = crawled
    tables = ["articles", "images", "related_links", "snapshots", "portals", "article_revisions"]
    before = _tables(db, tables)
    dead = {portal.url(CATEGORY + name) for name in (
        "khoi-thi-dua-da-xoa-1225.html", "cum-thi-dua-cac-huyen-phia-dong-so-ket-cong-tac-thi-dua-9-thang-nam-2020-1216.html")}
    assert {r["url"] for r in query(db, "select url from failures where resolved_at is null")} == dead
    already = len(portal.requests)
    result = run_crawl(portal.url(CATEGORY), "--db", db, "--delay", "0")
    assert result.returncode == 0, result.stderr[-3000:]
    requested = portal.requests[already:]
    assert requested[0] == "/robots.txt" and len(requested) == 4
    assert {portal.url(p) for p in requested[1:]} == dead | {portal.url(CATEGORY)}
    assert _tables(db, tables) == before
    assert {r["attempts"] for r in query(db, "select attempts from failures")} == {2}
    run = query(db, "select * from crawl_runs order by id desc limit 1")[0]
    assert (run["requests"], run["articles_new"], run["articles_unchanged"], run["status"]) == (4, 0, 0, "finished")
    assert "warning:" not in result.stderr
    assert "5 listed entries already archived" in result.stderr


def test_max_pages_limits_the_crawl(portal, tmp_path):
    db = str(tmp_path / "small.db")
    result = run_crawl(portal.url(CATEGORY), "--db", db, "--delay", "0", "--max-pages", "4")
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(query(db, "select id from articles")) < len(ARTICLE_IDS)


def test_no_delay_still_sends_a_host_one_request_at_a_time(tmp_path):
    """``--delay 0`` drops the pause between requests, not the limit of one request in flight per
    host (``CONCURRENT_REQUESTS_PER_DOMAIN = 1``). Scrapy 2.19's own downloader sent the portal up
    to ``CONCURRENT_REQUESTS`` (8) at once, each on a connection of its own."""
    from fixtures.server import FixtureServer

    with FixtureServer(latency=0.02) as server:  # a portal slow enough for requests to overlap
        result = run_crawl(server.url(CATEGORY), "--db", str(tmp_path / "a.db"), "--delay", "0")
        requests, peak, connections = len(server.requests), server.peak_in_flight, server.connections
    assert result.returncode == 0, result.stderr[-3000:]
    assert requests > 20  # listings, articles and their images
    assert peak == 1, f"{peak} requests to the portal in flight at once"
    assert connections <= 2, f"{connections} connections for {requests} requests"  # kept alive, reused
    assert "RuntimeWarning" not in result.stderr, result.stderr  # none from the parser processes' start


def test_with_a_delay_requests_to_a_host_start_that_far_apart_one_at_a_time(tmp_path):
    """The delay is a floor between the starts of two requests to a host (no jitter shortens it;
    AutoThrottle only lengthens it), and one request is in flight at a time."""
    from fixtures.server import FixtureServer

    delay = 0.1
    with FixtureServer(latency=0.02) as server:
        result = run_crawl(server.url(CATEGORY), "--db", str(tmp_path / "a.db"), "--delay", str(delay),
                           "--max-pages", "25")
        times, peak = server.request_times, server.peak_in_flight
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(times) >= 20
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert min(gaps) >= delay * 0.9, f"two requests {min(gaps):.3f} s apart (delay {delay} s)"
    assert peak == 1, f"{peak} requests to the portal in flight at once"


@pytest.mark.parametrize("args, message", [
    (["not-a-url"], "not a web address"),
    (["ftp://127.0.0.1/x"], "not a web address"),
    (["http://127.0.0.1:9/", "--max-pages", "0"], "at least 1"),
    (["http://127.0.0.1:9/", "--delay", "-1"], "0 or more"),
    (["http://127.0.0.1:9/", "--delay", "soon"], "not a number"),
])
def test_bad_arguments_get_a_clear_message(args, message, tmp_path):
    result = run_crawl(*args, "--db", str(tmp_path / "x.db"), timeout=60)
    assert result.returncode == 2
    assert message in result.stderr


def test_unreachable_portal_is_logged_and_loses_nothing(crawled, tmp_path):
    portal, db, _ = crawled
    count = query(db, "select count(*) as n from articles")[0]["n"]
    result = run_crawl("http://127.0.0.1:9/vi/news/x/", "--db", db, "--delay", "0", timeout=120)
    assert result.returncode == 1, result.stderr[-2000:]  # a dead portal is unhealthy
    assert "failed http://127.0.0.1:9/" in result.stderr
    assert "warning: 127.0.0.1:9: http://127.0.0.1:9/vi/news/x/: unreachable (connection refused)" in result.stderr
    assert "Traceback" not in result.stderr
    assert query(db, "select count(*) as n from articles")[0]["n"] == count
    assert query(db, "select failures from crawl_runs order by id desc limit 1")[0]["failures"] >= 1


def test_archive_that_is_not_a_database_is_refused(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are my notes, not a database\n" * 100)
    result = run_crawl("http://127.0.0.1:9/", "--db", str(bogus), timeout=60)
    assert result.returncode == 2
    assert "cannot open the archive" in result.stderr
    assert bogus.read_text().startswith("these are my notes")


class _Misbehaving:
    """A loopback server that hangs on /slow/ and answers /huge/ with a page over the size limit."""

    def __init__(self):
        import http.server
        import threading

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                if self.path.startswith("/slow/"):
                    self.server.release.wait(30)
                    return
                if self.path.startswith("/huge/"):
                    body = b"<html><body>" + b"<p>Thi \xc4\x91ua</p>" * (9 * 1024 * 1024 // 16) + b"</body></html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    try:
                        self.wfile.write(body)
                    except ConnectionError:  # the crawler hangs up once the size limit is passed
                        pass
                    return
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.release = threading.Event()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("path, message", [("/slow/", "timed out after 1"), ("/huge/", "failed")])
def test_timeouts_and_huge_pages_are_logged_and_lose_nothing(crawled, path, message):
    portal, db, _ = crawled
    before = query(db, "select url, content_hash from articles order by id")
    with _Misbehaving() as bad:
        result = run_crawl(bad.url(path), "--db", db, "--delay", "0", "--timeout", "1", timeout=180)
    assert result.returncode == 1, result.stderr[-2000:]  # its only start URL failed: unhealthy
    assert message in result.stderr and bad.url(path) in result.stderr
    assert query(db, "select url, content_hash from articles order by id") == before
    assert query(db, "select failures from crawl_runs order by id desc limit 1")[0]["failures"] >= 1


def test_malformed_html_still_parses():
    from crawler.pages import parse_page

    html = (SEED_DIR / "input.html").read_text(encoding="utf-8")
    broken = html[: html.index("Với những kết quả")].replace("</h1>", "", 1) + "<div><p><b>unclosed"
    article = parse_page("http://127.0.0.1/vi/news/tin-hoat-dong-cum-khoi-thi-dua/a-1240.html", broken)
    expected = json.loads((SEED_DIR / "expected.json").read_text(encoding="utf-8"))
    # the unclosed <h1> holds the rest of the page (the date spans, the body), as a browser builds
    # it too: the title is the heading's own words
    assert article.title == expected["title"]
    assert article.published_at == "2020-12-24T08:15:00+07:00"
    assert "Phát biểu tại Hội nghị" in article.body_text
    assert "Với những kết quả" not in article.body_text  # the page stops where it was cut
    assert article.category == "Tin hoạt động cụm, khối thi đua"


def test_robots_disallowed_start_url_is_skipped_not_failed(portal, tmp_path):
    db = str(tmp_path / "robots.db")
    result = run_crawl(portal.url("/admin/news/"), "--db", db, "--delay", "0", "--log-level", "INFO")
    assert result.returncode == 1, result.stderr[-2000:]  # nothing can come of it: the operator is told
    assert "not fetched" in result.stderr and "robots.txt" in result.stderr
    assert f"{portal.url('/admin/news/')}: forbidden by robots.txt" in result.stderr
    assert "/admin/news/" not in portal.requests
    assert query(db, "select failures from crawl_runs")[0]["failures"] == 0


@pytest.mark.parametrize("suffix", ["jsonl", "json"])
def test_scrapy_feed_export_gives_one_object_per_article(portal, tmp_path, suffix):
    """`scrapy crawl portal -a start_url=URL -O items.jsonl` (scrapy.cfg at the repository root)."""
    out = tmp_path / f"items.{suffix}"
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "portal", "-a", f"start_url={portal.url(CATEGORY)}",
                             "-s", f"ARCHIVE_DB={tmp_path / 'archive.db'}", "-s", "DOWNLOAD_DELAY=0", "-O", str(out)],
                            cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "Error serializing" not in result.stderr, result.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines()] if suffix == "jsonl" else json.loads(text)
    assert {article_id(row["url"]) for row in rows} == ARTICLE_IDS
    assert len(rows) == len(ARTICLE_IDS)
    seed = next(row for row in rows if row["url"].endswith(SEED_PATH))
    assert seed["published_at"] == "2020-12-24T08:15:00+07:00" and seed["http_status"] == 200
