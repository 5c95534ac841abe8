"""Every fixture portal, crawled end to end from its start URL alone, against its _facts.json.

For each site in fixtures/sites/*/_facts.json (format: fixtures/sites/README.md): serve it on
127.0.0.1, run `newsarchive crawl START_URL` in a subprocess, then check the SQLite archive field
by field. One crawl per site (module-scoped); one test per (site, field).
"""

import json
import os
import sqlite3
import subprocess
import sys
import urllib.parse

import pytest

from fixtures import facts as site_facts
from fixtures.server import FixtureServer

SITE_NAMES = site_facts.site_names()


@pytest.fixture(scope="module", params=SITE_NAMES)
def site_crawl(request, tmp_path_factory):
    site = request.param
    facts = site_facts.load(site)
    db = str(tmp_path_factory.mktemp(site) / "archive.db")
    with FixtureServer(site) as server:
        result = subprocess.run(
            [sys.executable, "-m", "archive.cli", "crawl", server.url(facts["start_url"]), "--db", db, "--delay", "0"],
            capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        requested = server.requests
        base = server.base_url
    assert result.returncode == 0, result.stderr[-3000:]
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    yield {"site": site, "facts": facts, "db": conn, "log": result.stderr, "requested": requested, "base": base}
    conn.close()


def test_every_expected_article_archived_exactly_once(site_crawl):
    urls = site_facts.stored_urls(site_crawl["db"])
    assert len(urls) == len(set(urls))
    assert set(urls) == site_facts.expected_urls(site_crawl["facts"], site_crawl["base"])


@pytest.mark.parametrize("field", site_facts.FIELDS)
def test_article_field(site_crawl, field):
    compared = site_facts.compare(site_crawl["db"], site_crawl["facts"], site_crawl["base"], field)
    # A missing article is reported by test_every_expected_article_archived_exactly_once.
    mismatches = [c for c in compared if not c["missing"] and c["got"] != c["want"]]
    assert not mismatches, json.dumps(mismatches, ensure_ascii=False, indent=1)[:4000]


def _path(url):
    """A URL as the fixture server logs it: path and query."""
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_nothing_out_of_scope_requested_or_stored(site_crawl):
    facts = site_crawl["facts"]
    media = {_path(url) for (url,) in site_crawl["db"].execute("select url from article_media")}
    pages = [p for p in site_crawl["requested"] if p not in media]  # images and attachments: tests/test_media.py
    bad_requests = [p for p in pages if p.startswith(tuple(facts.get("never_requested", [])))]
    assert not bad_requests
    urls = [r[0] for r in site_crawl["db"].execute("select url from articles union all select url from snapshots "
                                                   "where kind != 'listing'")]  # listing pages are kept as such
    bad_stored = [u for u in urls if any(s in u for s in facts.get("never_stored", []))]
    assert not bad_stored
    assert len(site_crawl["requested"]) == len(set(site_crawl["requested"])), "a URL was requested twice"


def test_pagination_and_failures_reported(site_crawl):
    facts = site_crawl["facts"]
    [run] = site_crawl["db"].execute("select failures from crawl_runs").fetchall()
    assert run[0] >= facts.get("min_failures", 0)
    if facts.get("unsupported_pagination"):
        warnings = [line for line in site_crawl["log"].splitlines() if "further pages unreachable" in line]
        assert len(warnings) == 1 and facts["unsupported_pagination"] in warnings[0]
