"""Broken portals an operator must hear about, built by someone who had not read the crawler
(``fixtures/broken_portals.py``): a listing of 10 healthy and 13 broken articles, a dead portal,
a start URL that is no listing, a portal whose articles all answer 500. Each broken kind must
be one named, counted failure, recorded in ``failures``, retried first by the next crawl; the
portal unhealthy (exit status 1); another host never requested; nothing of a broken page kept."""

import pytest

import fixtures.broken_portals as broken
from fixtures.broken_portals import BrokenPortals
from tests.test_crawl_e2e import query, run_crawl

#: Each broken article of the listing → the reason the crawl must give (our words; the fixture's
#: ``CASES`` says the same in its author's).
REASONS = {
    broken.P500: "HTTP 500", broken.P503: "HTTP 503", broken.P404: "HTTP 404",
    broken.BOMB: "over the 8 MB page limit once decompressed", broken.HUGE: "over the 8 MB page limit",
    broken.RANDOM: "not a web page", broken.PDF: "not a web page", broken.LOOP_A: "redirect loop back to",
    broken.CHAIN: "too many redirects", broken.OFF_HOST: "redirected off the portal to http://127.0.0.2:",
    broken.RENAMED: "redirected off the portal to http://localhost:", broken.HANG: "timed out after 2 s",
    broken.CUT: "connection closed before the page was complete",
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("broken") / "archive.db")
    with BrokenPortals(hang_seconds=10) as portals:
        first = run_crawl(portals.start_url, "--db", db, "--delay", "0", "--timeout", "2", timeout=300)
        first_log = portals.log
        portals.reset_log()
        second = run_crawl(portals.start_url, "--db", db, "--delay", "0", "--timeout", "2", timeout=300)
        yield {"portals": portals, "db": db, "first": first, "first_log": first_log, "second": second,
               "second_log": portals.log}


def test_the_fixture_names_every_case():
    assert set(REASONS) <= set(broken.CASES)


def test_each_broken_page_is_one_named_failure(crawled):
    portals, db, first = crawled["portals"], crawled["db"], crawled["first"]
    assert first.returncode == 1, first.stderr[-3000:]
    assert "Traceback" not in first.stderr
    failures = {r["url"]: r for r in query(db, "select url, kind, reason, attempts from failures")}
    assert set(failures) == {portals.url(path) for path in REASONS}
    for path, reason in REASONS.items():
        assert reason in failures[portals.url(path)]["reason"], path
        lines = [line for line in first.stderr.splitlines() if f"failed {portals.url(path)} (" in line]
        assert len(lines) == 1 and reason in lines[0], path
    [run] = query(db, "select failures, articles_new from crawl_runs order by id limit 1")
    assert (run["failures"], run["articles_new"]) == (len(REASONS), 10)


def test_another_host_is_never_requested(crawled):
    portals = crawled["portals"]
    log = crawled["first_log"] + crawled["second_log"]
    assert not any(r.host in (portals.host_of("other"), portals.host_of("localhost")) for r in log)


def test_nothing_of_a_broken_page_is_kept(crawled):
    portals, db = crawled["portals"], crawled["db"]
    kept = {r["url"] for r in query(db, "select url from snapshots union select url from articles")}
    assert not kept & {portals.url(path) for path in REASONS}
    assert {r["portal"] for r in query(db, "select distinct portal from articles")} == {
        portals.host_of("main")}


def test_the_next_crawl_retries_the_failures_first(crawled):
    db = crawled["db"]
    requested = [r.path for r in crawled["second_log"]]
    for path in REASONS:
        assert path in requested, path
    assert {r["attempts"] for r in query(db, "select attempts from failures")} == {2}
    assert crawled["second"].returncode == 1


def test_three_broken_portals_are_each_named_unhealthy(tmp_path):
    db = str(tmp_path / "archive.db")
    with BrokenPortals(hang_seconds=10) as fixture:
        urls = fixture.portal_urls
        result = run_crawl(*urls.values(), "--db", db, "--delay", "0", "--timeout", "2",
                           "--json-summary", str(tmp_path / "summary.json"), timeout=300)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    rows = {r["portal"]: r for r in query(db, "select * from crawl_portal_runs")}
    host = {name: url.split("/")[2] for name, url in urls.items()}
    assert set(rows) == set(host.values()) and {r["status"] for r in rows.values()} == {"unhealthy"}
    assert "unreachable (connection refused)" in rows[host["dead"]]["message"]
    assert "no article archived" in rows[host["not_listing"]]["message"]
    assert "5 of 6 requests failed" in rows[host["all_500"]]["message"]
    last = result.stderr.strip().splitlines()[-1]
    assert all(h in last.split("; unhealthy: ")[1] for h in host.values())
