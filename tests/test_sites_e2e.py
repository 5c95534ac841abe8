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

import pytest

from crawler.extract.urls import canonical
from fixtures.server import SITES, FixtureServer

SITE_NAMES = sorted(p.parent.name for p in SITES.glob("*/_facts.json"))
FIELDS = ["title", "published_at", "published_raw", "author", "source", "summary", "category", "body_paragraphs",
          "images", "related", "platform"]


def facts_of(site):
    return json.loads((SITES / site / "_facts.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=SITE_NAMES)
def site_crawl(request, tmp_path_factory):
    site = request.param
    facts = facts_of(site)
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


def absolute(base, url):
    return canonical(url if url.startswith("http") else base + url)


def stored(crawl):
    """{canonical url: row} of the archived articles."""
    return {row["url"]: dict(row) for row in crawl["db"].execute("select * from articles")}


def test_every_expected_article_archived_exactly_once(site_crawl):
    urls = [r["url"] for r in site_crawl["db"].execute("select url from articles")]
    assert len(urls) == len(set(urls))
    expected = {absolute(site_crawl["base"], a["url"]) for a in site_crawl["facts"]["articles"]}
    assert set(urls) == expected


@pytest.mark.parametrize("field", FIELDS)
def test_article_field(site_crawl, field):
    rows = stored(site_crawl)
    db, base = site_crawl["db"], site_crawl["base"]
    mismatches = []
    for facts in site_crawl["facts"]["articles"]:
        row = rows.get(absolute(base, facts["url"]))
        if row is None:
            continue  # reported by test_every_expected_article_archived_exactly_once
        if field == "body_paragraphs":
            got, want = row["body_text"].split("\n\n") if row["body_text"] else [], facts["body_paragraphs"]
        elif field == "images":
            got = [(r["src"], r["caption"]) for r in db.execute(
                "select src, caption from images where article_id = ? order by position", [row["id"]])]
            want = [(absolute(base, i["src"]), i.get("caption")) for i in facts["images"]]
        elif field == "related":
            got = [(r["url"], r["title"], r["published_raw"]) for r in db.execute(
                "select url, title, published_raw from related_links where article_id = ? order by position",
                [row["id"]])]
            want = [(absolute(base, r["url"]), r["title"], r.get("published_raw")) for r in facts["related"]]
        elif field == "platform":
            got, want = row["platform"], site_crawl["facts"]["platform"]
        else:
            got, want = row[field], facts[field]
        if got != want:
            mismatches.append({"url": facts["url"], "got": got, "want": want})
    assert not mismatches, json.dumps(mismatches, ensure_ascii=False, indent=1)[:4000]


def test_nothing_out_of_scope_requested_or_stored(site_crawl):
    facts = site_crawl["facts"]
    bad_requests = [p for p in site_crawl["requested"] if p.startswith(tuple(facts.get("never_requested", [])))]
    assert not bad_requests
    urls = [r[0] for r in site_crawl["db"].execute("select url from articles union all select url from snapshots")]
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
