"""Every fixture portal crawled end to end, as a user would: how much of each site's facts came out.

For each site of fixtures/sites/*/_facts.json: serve it on 127.0.0.1, run ``newsarchive crawl
START_URL --delay 0`` in a subprocess (the whole cascade: platform detection, page objects, the
generic fallback), then compare the archive with the site's ``_facts.json``
(:mod:`fixtures.facts`). Prints a Markdown table, one row per site:

* ``n``: expected articles; ``recall``: share of them archived; ``precision``: share of archived
  articles that are expected ones; ``requests``: requests the crawl made; ``exit``: its status;
* one column per field: share of expected articles whose stored field equals the facts (an
  article that was not archived counts as wrong in every field).

Usage::

    .venv/bin/python bench/sites_crawl.py [-v] [--code DIR] [SITE ...]

``-v`` prints every mismatch. ``--code DIR`` runs the crawler from another checkout of this
repository (``git worktree add DIR COMMIT``) on today's fixtures: how the code of that commit does
on sites written after it (a first-run figure).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixtures import facts as site_facts  # noqa: E402
from fixtures.server import FixtureServer  # noqa: E402

FIELDS = ["title", "published_at", "published_raw", "author", "source", "summary", "category", "body_paragraphs",
          "images", "related"]
SHORT = {"published_at": "date", "published_raw": "date_raw", "body_paragraphs": "body"}


def crawl(site: str, code: Path) -> dict:
    facts = site_facts.load(site)
    with tempfile.TemporaryDirectory() as tmp, FixtureServer(site) as server:
        db_path = str(Path(tmp) / "archive.db")
        env = {**os.environ, "PYTHONPATH": str(code), "PYTHONUNBUFFERED": "1"}
        result = subprocess.run(
            [sys.executable, "-m", "archive.cli", "crawl", server.url(facts["start_url"]), "--db", db_path,
             "--delay", "0", "--log-level", "WARNING"],
            capture_output=True, text=True, timeout=600, env=env, cwd=code)
        base = server.base_url
        requests = len(server.requests)
        db = sqlite3.connect(db_path)
        try:
            stored = set(site_facts.stored_urls(db))
            expected = site_facts.expected_urls(facts, base)
            compared = {field: site_facts.compare(db, facts, base, field) for field in FIELDS}
        finally:
            db.close()
        archive_bytes = sum(p.stat().st_size for p in Path(tmp).glob("archive.db*") if p.is_file())
        media = [p for p in Path(f"{db_path}.media").rglob("*") if p.is_file()]
        media_bytes = sum(p.stat().st_size for p in media)
    return {"site": site, "platform": facts["platform"], "n": len(expected), "exit": result.returncode,
            "log": result.stderr, "requests": requests, "archive_kb": archive_bytes / 1024,
            "media_files": len(media), "media_kb": media_bytes / 1024,
            "recall": len(stored & expected) / len(expected) if expected else 1.0,
            "precision": len(stored & expected) / len(stored) if stored else 0.0,
            "compared": compared}


def right(compared: dict) -> bool:
    """An archived article whose stored field equals the facts (a missing article is wrong in
    every field, even one whose expected value is null)."""
    return not compared["missing"] and compared["got"] == compared["want"]


def row(result: dict) -> list[str]:
    n = result["n"]
    cells = [result["site"], result["platform"], str(n), f"{result['recall']:.0%}", f"{result['precision']:.0%}"]
    cells += [f"{sum(map(right, result['compared'][f])) / n:.0%}" for f in FIELDS]
    cells += [str(result["requests"]), f"{result['archive_kb']:,.0f}", f"{result['media_files']}",
              f"{result['media_kb']:,.0f}", str(result["exit"])]
    return cells


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sites", nargs="*", metavar="SITE")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every mismatch")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose crawler runs (default: this one)")
    args = parser.parse_args(argv)
    sites = args.sites or site_facts.site_names()
    unknown = sorted(set(sites) - set(site_facts.site_names()))
    if unknown:
        parser.error(f"no such fixture site: {', '.join(unknown)}")
    header = (["site", "platform", "n", "recall", "precision"] + [SHORT.get(f, f) for f in FIELDS]
              + ["requests", "archive KB", "media files", "media KB", "exit"])
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    totals = {f: 0 for f in FIELDS}
    articles = found = 0
    for site in sites:
        result = crawl(site, args.code.resolve())
        print("| " + " | ".join(row(result)) + " |", flush=True)
        articles += result["n"]
        found += round(result["recall"] * result["n"])
        for field in FIELDS:
            totals[field] += sum(map(right, result["compared"][field]))
        if args.verbose:
            for field in FIELDS:
                for c in result["compared"][field]:
                    if not right(c):
                        print(f"    {site} {c['url'][-60:]} {field}{' (not archived)' if c['missing'] else ''}:\n"
                              f"       got  {str(c['got'])[:400]}\n       want {str(c['want'])[:400]}", file=sys.stderr)
            if result["exit"] != 0 or result["recall"] < 1:
                print("    log tail:\n" + "\n".join("       " + line for line in result["log"].splitlines()[-15:]),
                      file=sys.stderr)
    if len(sites) > 1:
        cells = ["**all**", "", str(articles), f"{found / articles:.0%}", ""]
        cells += [f"{totals[f] / articles:.0%}" for f in FIELDS] + ["", "", "", "", ""]
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
