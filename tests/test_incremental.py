"""Nightly crawls that cost only what changed, on a loopback portal that changes between runs.

The portal is ``fixtures/changing_portal.py`` (written by someone who had not read the crawler):
a NukeViet 4 category whose articles can be published, edited, counted, re-related and deleted
between two crawls, with ETag / Last-Modified / 304 support that can be switched off. Every
expectation below is computed from what the test did to the portal, never from the crawler's
output. Crawls run as a user runs them: ``newsarchive crawl`` in a subprocess, a real SQLite file.
"""

import math
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from fixtures.changing_portal import ChangingPortal
from tests.test_crawl_e2e import query, run_crawl

ARTICLES = 300
PER_PAGE = 20
VN = timezone(timedelta(hours=7))
#: The crawler's recheck window (its default, ``--recheck-days 7``), as dates.
WINDOW_FROM = (datetime.now(VN).date() - timedelta(days=7)).isoformat()
#: Responses kept for articles (listing pages are kept too, once per distinct body: their header
#: date changes every day).
ARTICLE_SNAPSHOTS = "select count(*) from snapshots where kind = 'article'"


def crawl(portal, db, *args, timeout=300):
    result = run_crawl(portal.start_url, "--db", db, "--delay", "0", *args, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def scalar(db, sql, params=()):
    return next(iter(query(db, sql, params)[0].values()))


def article_id(url):
    return int(url.rsplit("-", 1)[1].split(".")[0])


@pytest.fixture(scope="module")
def nightly(tmp_path_factory):
    """Run 1 (an empty archive), the portal changes overnight, run 2 (the nightly run)."""
    db = str(tmp_path_factory.mktemp("nightly") / "archive.db")
    with ChangingPortal(articles=ARTICLES, per_page=PER_PAGE) as portal:
        first = crawl(portal, db)
        first_log = portal.log
        before = {
            "snapshots": scalar(db, ARTICLE_SNAPSHOTS),
            "in_window": {article_id(r["url"]) for r in query(
                db, "select url from articles where substr(published_at, 1, 10) >= ?", [WINDOW_FROM])},
        }
        recent = [i for i in portal.recent_ids(7) if i in before["in_window"]]
        edited, counted, deleted, related = recent[0:3], recent[3:4], recent[4:6], recent[6:12]
        assert len(related) == 6, "the portal should have a dozen articles in the recheck window"
        portal.reset_log()
        portal.set_today(portal.today + timedelta(days=1))
        new = portal.publish_new(25)["ids"]
        portal.edit(edited[:2], what="body")
        portal.edit(edited[2:], what="title")
        portal.bump_counter(counted)
        portal.delete(deleted[:1], how="404")
        portal.delete(deleted[1:], how="redirect-home")
        portal.shift_related(related)
        second = crawl(portal, db)
        yield {"portal": portal, "db": db, "first": first, "first_log": first_log, "second": second,
               "log": portal.log, "before": before, "new": set(new), "edited": set(edited),
               "counted": set(counted), "deleted": set(deleted), "related": set(related)}


def test_first_crawl_archives_every_article_once(nightly):
    log = nightly["first_log"]
    articles = [r.path for r in log if ChangingPortal.kind(r.path) == "article"]
    assert len(articles) == len(set(articles)) == ARTICLES
    assert sum(1 for r in log if ChangingPortal.kind(r.path) == "listing") == math.ceil(ARTICLES / PER_PAGE)
    run = query(nightly["db"], "select * from crawl_runs order by id")[0]
    assert (run["status"], run["articles_new"], run["failures"]) == ("finished", ARTICLES, 0)


def test_nightly_run_costs_what_changed(nightly):
    """At most 1.1 x (new articles + listing pages that hold them + robots.txt + rechecks in the window)."""
    log, new = nightly["log"], nightly["new"]
    listing_pages_with_new = math.ceil(len(new) / PER_PAGE)
    rechecks = len(nightly["before"]["in_window"])
    allowed = 1.1 * (len(new) + listing_pages_with_new + 1 + rechecks)
    pages = [r for r in log if not r.path.startswith("/uploads/")]
    assert len(pages) <= allowed, [r.path for r in pages]
    media = [r.path for r in log if r.path.startswith("/uploads/")]  # the new articles' images, once (404 here)
    assert len(media) <= len(new) and not set(media) & {r.path for r in nightly["first_log"]}
    paths = [r.path for r in log]
    assert len(paths) == len(set(paths)), "no page requested twice"
    requested = {article_id(p) for p in paths if ChangingPortal.kind(p) == "article"}
    assert new <= requested
    assert requested - new <= nightly["before"]["in_window"], "only the window's articles are rechecked"
    conditional = [r for r in log if ChangingPortal.kind(r.path) == "article" and article_id(r.path) not in new]
    assert conditional and all(r.if_none_match and r.if_modified_since for r in conditional)
    [home] = [r for r in log if r.path == "/"]  # where the taken-down article redirects: not the article's validators
    assert (home.status, home.if_none_match, home.if_modified_since) == (200, None, None)


def test_every_new_article_archived(nightly):
    db, portal = nightly["db"], nightly["portal"]
    stored = {r["url"]: r for r in query(db, "select url, title, published_at from articles")}
    for fact in portal.expected():
        assert fact["url"] in stored, fact["url"]
        assert stored[fact["url"]]["title"] == fact["title"], "title"
        assert stored[fact["url"]]["published_at"] == fact["published_at"], "published_at"


def test_exactly_the_real_edits_are_revisions(nightly):
    db = nightly["db"]
    revised = {article_id(r["url"]) for r in query(
        db, "select a.url from article_revisions v join articles a on a.id = v.article_id")}
    assert revised == nightly["edited"]
    run = query(db, "select * from crawl_runs order by id desc limit 1")[0]
    assert (run["articles_new"], run["articles_updated"]) == (len(nightly["new"]), len(nightly["edited"]))


def test_related_only_change_refreshes_the_list_without_a_revision(nightly):
    db, portal = nightly["db"], nightly["portal"]
    for fact in portal.expected():
        if article_id(fact["url"]) in nightly["related"]:
            stored = [r["url"] for r in query(
                db, "select r.url from related_links r join articles a on a.id = r.article_id where a.url = ? "
                    "order by r.position", [fact["url"]])]
            assert stored == [r["url"] for r in fact["related"]], "related_links"


def test_removed_at_on_exactly_the_deleted_articles(nightly):
    db = nightly["db"]
    gone = {article_id(r["url"]): r for r in query(
        db, "select url, removed_at, removed_reason, body_text from articles where removed_at is not null")}
    assert set(gone) == nightly["deleted"]
    reasons = sorted(r["removed_reason"] for r in gone.values())
    assert reasons[0] == "HTTP 404" and reasons[1].startswith("redirected to the home page")
    assert all(r["body_text"] for r in gone.values()), "a taken-down article keeps its content"
    run = query(db, "select * from crawl_runs order by id desc limit 1")[0]
    assert run["articles_taken_down"] == 2


def test_no_snapshot_for_an_article_whose_content_did_not_change(nightly):
    db = nightly["db"]
    added = scalar(db, ARTICLE_SNAPSHOTS) - nightly["before"]["snapshots"]
    assert added == len(nightly["new"]) + len(nightly["edited"])
    unchanged = nightly["before"]["in_window"] - nightly["edited"] - nightly["deleted"]
    for url in (r["url"] for r in query(db, "select url from articles")):
        if article_id(url) in unchanged:
            assert scalar(db, "select count(*) from snapshots where url = ?", [url]) == 1, url


def test_summary_reports_every_counter(nightly):
    db, second = nightly["db"], nightly["second"]
    run = query(db, "select * from crawl_runs order by id desc limit 1")[0]
    assert run["requests"] == len(nightly["log"])
    line = second.stderr.strip().splitlines()[-1]
    assert line.startswith(f"crawl finished: {run['requests']} requests, {run['not_modified']} not modified (304), "
                           f"25 new, 3 updated, {run['articles_unchanged']} unchanged, 2 taken down, 0 failures")


def test_an_unchanged_night_costs_the_first_listing_page_and_304s(nightly):
    portal, db = nightly["portal"], nightly["db"]
    snapshots = scalar(db, ARTICLE_SNAPSHOTS)
    portal.reset_log()
    crawl(portal, db)
    log = portal.log
    kinds = [ChangingPortal.kind(r.path) for r in log]
    assert kinds.count("listing") == 1 and kinds.count("robots") == 1
    articles = [r for r in log if ChangingPortal.kind(r.path) == "article"]
    assert articles and all(r.status == 304 or article_id(r.path) in nightly["deleted"] for r in articles), [(r.path[-12:], r.status, r.if_none_match) for r in articles if r.status != 304]
    run = query(db, "select * from crawl_runs order by id desc limit 1")[0]
    gone = [r for r in articles if article_id(r.path) in nightly["deleted"]]
    assert len(gone) == 2  # still gone: rechecked, not counted again
    assert (run["not_modified"], run["articles_new"], run["articles_updated"], run["articles_taken_down"]) == (
        len(articles) - len(gone), 0, 0, 0)
    assert scalar(db, ARTICLE_SNAPSHOTS) == snapshots


def test_without_validators_rechecks_are_full_fetches_that_store_nothing(nightly):
    portal, db = nightly["portal"], nightly["db"]
    portal.etag = portal.last_modified = False
    try:
        before = {sql: scalar(db, sql) for sql in (ARTICLE_SNAPSHOTS, "select count(*) from article_revisions")}
        portal.set_today(portal.today + timedelta(days=1))
        portal.bump_counter(portal.recent_ids(7)[:3])
        portal.reset_log()
        crawl(portal, db)
        articles = [r for r in portal.log if ChangingPortal.kind(r.path) == "article"
                    and article_id(r.path) not in nightly["deleted"]]
        assert articles and all(r.status == 200 for r in articles)
        assert {sql: scalar(db, sql) for sql in before} == before
        run = query(db, "select * from crawl_runs order by id desc limit 1")[0]
        assert (run["not_modified"], run["articles_unchanged"], run["articles_updated"]) == (0, len(articles), 0)
    finally:
        portal.etag = portal.last_modified = True


def test_full_walks_every_page_and_rechecks_everything(nightly):
    portal, db = nightly["portal"], nightly["db"]
    portal.reset_log()
    crawl(portal, db, "--full")
    log = portal.log
    live = len(portal.expected())
    assert sum(1 for r in log if ChangingPortal.kind(r.path) == "listing") == math.ceil(live / PER_PAGE)
    requested = {r.path for r in log if ChangingPortal.kind(r.path) == "article"}
    archived = {r["url"].split("/", 3)[3] for r in query(db, "select url from articles")}
    assert {"/" + p for p in archived} == requested  # the taken-down ones too: a later 200 would clear them


def test_410_and_a_redirect_to_the_listing_are_take_downs_a_server_error_is_not(nightly):
    portal, db = nightly["portal"], nightly["db"]
    live = [i for i in portal.recent_ids(7) if i not in nightly["new"]][:3]
    gone_410, gone_listing, broken = live
    portal.delete([gone_410], how="410")
    portal.delete([gone_listing], how="redirect-listing")
    broken_path = portal.article(broken).path
    respond = portal.respond

    def failing(method, raw_path, inm, ims):  # the portal's server breaks on one article
        if raw_path == broken_path:
            with portal._lock:
                portal._log.append(type(portal.log[0])(method, raw_path, 503, inm, ims))
            return 503, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>Service Unavailable</h1>"
        return respond(method, raw_path, inm, ims)

    portal.respond = failing
    try:
        portal.reset_log()
        result = crawl(portal, db)
    finally:
        portal.respond = respond
    rows = {article_id(r["url"]): r for r in query(db, "select url, removed_at, removed_reason from articles")}
    assert rows[gone_410]["removed_reason"] == "HTTP 410"
    assert rows[gone_listing]["removed_reason"].startswith("redirected to a listing")
    assert rows[broken]["removed_at"] is None, "a server error is a failure, never a take-down"
    assert sum(1 for r in portal.log if r.path == broken_path) == 3  # the request and its two retries
    run = query(db, "select * from crawl_runs order by id desc limit 1")[0]
    assert (run["articles_taken_down"], run["failures"]) == (2, 1)
    assert f"failed {portal.url(broken_path)} (HTTP 503)" in result.stderr


def test_a_taken_down_article_that_answers_again_is_restored(nightly):
    portal, db = nightly["portal"], nightly["db"]
    [back] = sorted(nightly["deleted"])[:1]
    portal.article(back).deleted = None  # the portal puts it back online
    portal.set_today(portal.today)  # re-renders every page
    crawl(portal, db)
    [row] = query(db, "select removed_at from articles where url like ?", [f"%-{back}.html"])
    assert row["removed_at"] is None


# --- kill -9 and resume -------------------------------------------------------------------------


def test_kill_9_at_40_percent_then_rerun_loses_nothing_and_refetches_nothing(tmp_path):
    db = str(tmp_path / "archive.db")
    with ChangingPortal(articles=ARTICLES, per_page=PER_PAGE) as portal:
        process = subprocess.Popen([sys.executable, "-m", "crawler.run", portal.start_url, "--db", db, "--delay", "0",
                                    "--log-level", "WARNING"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        archived = 0
        while time.time() < deadline and process.poll() is None:
            time.sleep(0.05)
            try:
                archived = scalar(db, "select count(*) from articles")
            except sqlite3.OperationalError:  # not created yet
                continue
            if archived >= 0.4 * ARTICLES:
                break
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert 0.3 * ARTICLES <= archived < ARTICLES, archived
        saved = {r["url"] for r in query(db, "select url from articles")}
        [killed] = query(db, "select * from crawl_runs")
        assert killed["status"] == "running" and killed["articles_new"] > 0  # its counts so far
        killed_log = portal.log
        portal.reset_log()
        result = crawl(portal, db)
        log = portal.log
    assert {r["url"] for r in query(db, "select url from articles")} == {f["url"] for f in portal.expected()}
    refetched = [r for r in log if ChangingPortal.kind(r.path) == "article" and portal.url(r.path) in saved]
    in_window = {r["url"] for r in query(db, "select url from articles where substr(published_at, 1, 10) >= ?",
                                         [WINDOW_FROM])}
    assert all(portal.url(r.path) in in_window and r.if_none_match for r in refetched), \
        "only the window's articles are fetched again, conditionally"
    fetched_twice = {r.path for r in log if ChangingPortal.kind(r.path) == "article"} & {
        r.path for r in killed_log if ChangingPortal.kind(r.path) == "article"}
    assert all(portal.url(p) in in_window or portal.url(p) not in saved for p in fetched_twice)
    assert scalar(db, "select count(*) from (select url from snapshots where kind = 'article' "
                      "group by url having count(*) > 1)") == 0
    runs = query(db, "select * from crawl_runs order by id")
    assert runs[0]["status"] == "interrupted" and runs[0]["finished_at"] is not None
    assert runs[0]["articles_new"] == len(saved)  # its counts commit with the articles they count
    assert runs[1]["status"] == "finished"
    assert runs[1]["articles_new"] == ARTICLES - len(saved)
    assert "was killed before it finished" in result.stderr


def test_ctrl_c_interrupts_cleanly_and_the_next_crawl_finishes_the_walk(tmp_path):
    db = str(tmp_path / "archive.db")
    with ChangingPortal(articles=ARTICLES, per_page=PER_PAGE) as portal:
        process = subprocess.Popen([sys.executable, "-m", "crawler.run", portal.start_url, "--db", db, "--delay", "0",
                                    "--log-level", "WARNING"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True)
        deadline = time.time() + 120
        while time.time() < deadline and process.poll() is None:
            time.sleep(0.05)
            try:
                if scalar(db, "select count(*) from articles") >= 0.3 * ARTICLES:
                    break
            except sqlite3.OperationalError:
                continue
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        [run] = query(db, "select * from crawl_runs")
        assert run["status"] == "interrupted" and run["finished_at"], stderr[-2000:]
        assert "crawl interrupted:" in stderr
        assert run["articles_new"] == scalar(db, "select count(*) from articles") < ARTICLES
        [walk] = query(db, "select * from listing_walks")
        assert walk["complete"] == 0 and 0 < walk["pages_read"] <= math.ceil(ARTICLES / PER_PAGE)
        crawl(portal, db)
    assert scalar(db, "select count(*) from articles") == ARTICLES
    assert query(db, "select complete from listing_walks") == [{"complete": 1}]


# --- the pure parts ---------------------------------------------------------------------------


@pytest.mark.parametrize("current, links, seen, expected", [
    # NukeViet window pager on page 1: « 1 [2] 3 4 5 … 100 »
    ("http://p/c/", ["http://p/c/page-2", "http://p/c/page-3", "http://p/c/page-100", "http://p/c/page-2"],
     {"http://p/c/"}, "http://p/c/page-2"),
    # on page 2: the first and previous links lead back to page 1, already seen
    ("http://p/c/page-2", ["http://p/c/", "http://p/c/page-3", "http://p/c/page-4"],
     {"http://p/c/", "http://p/c/page-2"}, "http://p/c/page-3"),
    # "last" written before the numbers
    ("http://p/c?page=3", ["http://p/c?page=9", "http://p/c?page=2", "http://p/c?page=4"],
     {"http://p/c?page=2", "http://p/c?page=3"}, "http://p/c?page=4"),
    # Joomla offsets and Liferay's portlet parameter
    ("http://p/b?start=10", ["http://p/b", "http://p/b?start=20", "http://p/b?start=30"],
     {"http://p/b", "http://p/b?start=10"}, "http://p/b?start=20"),
    ("http://p/w?_x_cur=1", ["http://p/w?_x_cur=3", "http://p/w?_x_cur=2"], set(), "http://p/w?_x_cur=2"),
    # no page number anywhere: the pager's own order
    ("http://p/list.aspx", ["http://p/list.aspx?x=b", "http://p/list.aspx?x=a"], set(), "http://p/list.aspx?x=b"),
    ("http://p/c/page-3", ["http://p/c/", "http://p/c/page-2"], {"http://p/c/", "http://p/c/page-2"}, None),
])
def test_next_page(current, links, seen, expected):
    from crawler.incremental import next_page
    from crawler.items import PageLink

    chosen = next_page(current, [PageLink(url=u, href=u) for u in links], seen)
    assert (chosen.url if chosen else None) == expected


@pytest.mark.parametrize("url, home", [("http://p/", True), ("http://p", True), ("https://p/index.php", True),
                                       ("http://p/portal/Pages/default.aspx", True), ("http://p/vi/", True),
                                       ("http://p/?nv=news", False), ("http://p/vi/news/", False),
                                       ("http://p/tin-tuc/a-1.html", False)])
def test_is_home_page(url, home):
    from crawler.incremental import is_home_page

    assert is_home_page(url) is home


@pytest.mark.parametrize("shown, than, newer", [
    ("2026-12-02T08:00:00+07:00", "2026-12-02T07:00:00+07:00", True),
    ("2026-12-02", "2026-12-02T07:00:00+07:00", False), ("2026-12-03", "2026-12-02T23:00:00+07:00", True),
    (None, "2026-12-02", False), ("2020-01-01", None, True), (None, None, False)])
def test_newer(shown, than, newer):
    from crawler.incremental import newer as is_newer

    assert is_newer(shown, than) is newer
