"""``newsarchive reparse --db PATH [--portal SLUG] [--verbose]``: re-extract every archived
article from its latest stored response with today's page objects, without the network.

When a page object improves, old articles get the improvement without a crawl (and after the
page is gone from its portal). Each article is parsed exactly as a crawl parses it (the fallback
cascade included, the category it was archived under as the listing's); a changed article is
saved as an ordinary edit (the previous version kept in ``article_revisions``), an unchanged one
is left alone. The archive's lock is held as for a crawl.

Prints one line per changed article (``-v``: every field's old and new value) and a summary:
articles re-read, changed, unchanged, without a stored response, no longer read as an article,
and how many articles each field changed in. Exit status 0; 2 on bad usage or a missing
archive; 75 when a crawl holds the archive's lock.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from archive import store
from archive.lock import ArchiveLock, ArchiveLocked

from .extract.dates import now_iso
from .extract.encoding import decode_html
from .items import Article
from .pages import parse_page
from .pipelines import problems

EXIT = {"ok": 0, "usage": 2, "locked": 75}


def reparse(db, *, portal: str | None = None, at: str | None = None, report=print,
            verbose: bool = False) -> dict:
    """Re-extract the articles of ``db`` (of ``portal``) from their latest responses; returns the
    counts: ``articles``, ``changed``, ``unchanged``, ``no_snapshot``, ``not_an_article`` and
    ``fields`` (field name → articles it changed in)."""
    at = at or now_iso()
    counts: Counter[str] = Counter()
    fields: Counter = Counter()
    for row in store.article_snapshots(db, portal):
        counts["articles"] += 1
        if row["snapshot_id"] is None:
            counts["no_snapshot"] += 1
            continue
        headers = {name.lower(): value for name, value in row["headers"].items()}
        try:
            text, _ = decode_html(store.snapshot_body(db, row["snapshot_id"]), headers.get("content-type"))
            item = parse_page(row["requested_url"] or row["url"], text, expect="article", category=row["category"])
        except Exception as error:  # one broken response must not stop the others
            item, reason = None, f"{type(error).__name__}: {error}"
        else:
            reason = "not read as an article" if not isinstance(item, Article) else ", ".join(problems(item))
        if reason:
            counts["not_an_article"] += 1
            report(f"kept as it was {row['url']}: {reason}")
            continue
        assert isinstance(item, Article)
        article = {**item.to_dict(), "url": row["url"]}  # the archived identity, whatever the page says now
        changed = store.reparse_article(db, article, at=at)  # field → its value before
        if not changed:
            counts["unchanged"] += 1
            continue
        counts["changed"] += 1
        fields.update(changed.keys())
        report(f"changed {row['url']}: {', '.join(changed)}")
        if verbose:
            for name, before in changed.items():
                if name != "images":
                    report(f"    {name}: {_short(before)} → {_short(article.get(name))}")
    return {**{k: counts[k] for k in ("articles", "changed", "unchanged", "no_snapshot", "not_an_article")},
            "fields": dict(fields.most_common())}


def _short(value, width: int = 100) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[:width - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newsarchive reparse", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="archive.db", help="SQLite archive file (default: archive.db)")
    parser.add_argument("--portal", metavar="SLUG", help="only this portal's articles")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each changed field's old and new value")
    args = parser.parse_args(argv)
    if not Path(args.db).is_file():
        print(f"newsarchive reparse: no archive at {args.db!r}", file=sys.stderr)
        return EXIT["usage"]
    lock = ArchiveLock(args.db)
    try:
        lock.acquire(command=" ".join(sys.argv))
    except ArchiveLocked as error:
        print(f"newsarchive reparse: {error}; nothing was changed", file=sys.stderr)
        return EXIT["locked"]
    db = store.open_db(args.db)
    try:
        if args.portal and not db["articles"].count_where("portal = ?", [args.portal]):
            print(f"newsarchive reparse: no article of portal {args.portal!r} in {args.db}", file=sys.stderr)
            return EXIT["usage"]
        summary = reparse(db, portal=args.portal, verbose=args.verbose)
    finally:
        db.close()
        lock.release()
    per_field = ", ".join(f"{name} {n}" for name, n in summary["fields"].items()) or "none"
    print(f"newsarchive reparse: {summary['articles']} articles re-read from their stored responses: "
          f"{summary['changed']} changed, {summary['unchanged']} unchanged, {summary['no_snapshot']} without a stored "
          f"response, {summary['not_an_article']} no longer read as an article (kept as they were). "
          f"Changed fields: {per_field}.")
    return EXIT["ok"]


if __name__ == "__main__":
    sys.exit(main())
