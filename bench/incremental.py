"""A nightly re-crawl against a full crawl, side by side, on a 5,000-article loopback portal.

The portal is ``fixtures/changing_portal.py`` (a NukeViet 4 category that can change between
crawls). One run of this script:

1. **first crawl**: ``newsarchive crawl START_URL`` into an empty archive (every page);
2. the portal changes overnight: the day's date in every page header, 25 new articles, 3 edited
   (2 bodies, 1 title), 1 whose view counter went up, 2 taken down (a 404, a redirect to the home
   page), 6 whose "Tin khác" list shifted; the edited, counted, deleted and re-related articles
   are among those published in the last 7 days;
3. **nightly**: ``newsarchive crawl START_URL`` again (incremental: the default);
4. **full re-crawl**: ``newsarchive crawl START_URL --full`` on a copy of the archive as it was
   after step 1 (what the same night costs when every page is walked and rechecked).

Prints a Markdown table: requests by kind (from the portal's own log), 304s, seconds, what the
archive gained (articles, revisions, snapshots, bytes), the crawl's own counters, and the time
the requests would take at the polite default of one request per second per portal.

Usage::

    .venv/bin/python bench/incremental.py [--articles 5000] [--code DIR]

``--code DIR`` runs the crawler of another checkout (``git worktree add DIR COMMIT``): how that
code does on the same nights (a first-run figure; older code has no ``--full``, so step 4 is
skipped for it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixtures.changing_portal import ChangingPortal  # noqa: E402

COUNTERS = ["articles_new", "articles_updated", "articles_unchanged", "articles_taken_down", "not_modified", "failures"]


def crawl(portal: ChangingPortal, db: str, code: Path, *args: str) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "archive.cli", "crawl", portal.start_url, "--db", db,
                             "--delay", "0", "--log-level", "WARNING", *args], cwd=code, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(code)})
    if result.returncode != 0:
        sys.exit(f"crawl failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return time.perf_counter() - started


def archive_state(db: str) -> dict:
    conn = sqlite3.connect(db)
    try:
        count = lambda table: conn.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: E731
        run = conn.execute("select * from crawl_runs order by id desc limit 1")
        names = [d[0] for d in run.description]
        last = dict(zip(names, run.fetchone()))
        removed = (conn.execute("select count(*) from articles where removed_at is not null").fetchone()[0]
                   if "removed_at" in {r[1] for r in conn.execute("pragma table_info(articles)")} else None)
        counts = {table: count(table) for table in ("articles", "article_revisions", "snapshots")}
    finally:
        conn.close()
    size = sum(os.path.getsize(db + suffix) for suffix in ("", "-wal") if os.path.exists(db + suffix))
    return {"articles": counts["articles"], "revisions": counts["article_revisions"], "snapshots": counts["snapshots"],
            "removed": removed, "bytes": size, "run": last}


def row(name: str, portal: ChangingPortal, seconds: float, before: dict | None, after: dict) -> str:
    stats = portal.stats()
    kinds = stats["by_kind"]
    gained = lambda key: after[key] - (before[key] if before else 0)  # noqa: E731
    growth = f"+{100 * gained('bytes') / before['bytes']:.1f} %" if before else f"{after['bytes'] / 2**20:.1f} MB"
    counters = " / ".join(str(after["run"].get(c, "–")) for c in COUNTERS)
    return (f"| {name} | {stats['requests']} | {kinds.get('robots', 0)} / {kinds.get('listing', 0)} / "
            f"{kinds.get('article', 0)} / {kinds.get('other', 0)} | {stats['if_none_match']} | {stats['not_modified']} "
            f"| {seconds:.1f} | {stats['requests'] / 60:.0f} min | +{gained('articles')} | +{gained('revisions')} | "
            f"+{gained('snapshots')} | {growth} | {after['removed'] if after['removed'] is not None else '–'} "
            f"| {counters} |")


def overnight(portal: ChangingPortal) -> None:
    recent = portal.recent_ids(7)
    portal.set_today(portal.today + timedelta(days=1))
    portal.publish_new(25)
    portal.edit(recent[0:2], what="body")
    portal.edit(recent[2:3], what="title")
    portal.bump_counter(recent[3:4])
    portal.delete(recent[4:5], how="404")
    portal.delete(recent[5:6], how="redirect-home")
    portal.shift_related(recent[6:12])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose crawler runs (default: this one)")
    args = parser.parse_args()
    code = args.code.resolve()
    with tempfile.TemporaryDirectory(prefix="bench-incremental-") as tmp, \
            ChangingPortal(articles=args.articles, per_page=20) as portal:
        db, full_db = os.path.join(tmp, "nightly.db"), os.path.join(tmp, "full.db")
        print(f"{args.articles}-article portal, 20 per listing page; crawler: {code}", file=sys.stderr)
        seconds = crawl(portal, db, code)
        first = archive_state(db)
        lines = [row("first crawl (empty archive)", portal, seconds, None, first)]
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                shutil.copy(db + suffix, full_db + suffix)
        overnight(portal)
        portal.reset_log()
        seconds = crawl(portal, db, code)
        lines.append(row("nightly re-crawl (default)", portal, seconds, first, archive_state(db)))
        if (code / "crawler" / "incremental.py").exists():
            portal.reset_log()
            seconds = crawl(portal, full_db, code, "--full")
            lines.append(row("same night, `--full`", portal, seconds, first, archive_state(full_db)))
    print("| run | requests | robots / listing / article / other | conditional | 304 | seconds (no delay) "
          "| at 1 request/s | articles | revisions | snapshots | archive size | taken down "
          "| new / updated / unchanged / taken down / 304 / failures (crawl_runs) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
