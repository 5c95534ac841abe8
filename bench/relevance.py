"""Search relevance on an independent test set: precision@10 and recall per query.

Each set (``bench/relevance/`` and ``bench/relevance-set/``, written on 2026-12-04 by two
authors who had not read the search code, each from the rule alone) is a corpus of short
articles in the style of the provincial portals, with words that differ only by their marks (Điện Biên / diễn biến, thi đua / Thị, Hà Giang / hà giang, …), and queries judged by hand:
``relevant`` lists the articles holding every query word, by the rule "a query typed with marks
matches that spelling, one typed without matches every spelling".

The corpus is saved with the store (``store.save_article``) into a fresh SQLite archive, and
every query runs the search page's own SQL (``reading.search_sql``, relevance order).
precision@10 is the share of relevant articles among the first ten results (1.0 when the query
rightly finds nothing); recall the share of relevant articles found at all. Queries are
reported in two classes: typed with marks, typed without.

    python bench/relevance.py [-v] [--code DIR]

``--code DIR`` runs another checkout's ``archive`` package (``git worktree add DIR COMMIT``) on
the same set: how the first-run figures in the README were taken.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETS = [HERE / "relevance", HERE / "relevance-set"]


def has_marks(text: str) -> bool:
    """Whether ``text`` holds a diacritic or đ (independent of the code under test)."""
    decomposed = unicodedata.normalize("NFD", text)
    return any(unicodedata.combining(c) for c in decomposed) or "đ" in text.lower()


def load(folder: Path, name: str) -> list[dict]:
    with open(folder / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def score(folder: Path, store, reading, parse_query, *, code: str, verbose: bool) -> None:
    """Save one set's corpus into a fresh archive, run its queries, print the table."""
    corpus, queries = load(folder, "corpus.jsonl"), load(folder, "queries.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "relevance.db")
        db = store.open_db(path)
        store.save_portal(db, "relevance", name="Relevance set", base_url="http://relevance.invalid/",
                          platform="generic", seen_at="2026-12-04T09:00:00+07:00")
        key_of = {}
        for article in corpus:
            url = f"http://relevance.invalid/{article['key']}.html"
            store.save_article(db, {"url": url, "platform": "generic", "title": article["title"],
                                    "summary": article.get("summary"), "body_text": article.get("body_text"),
                                    "published_at": article.get("published_at"), "images": [], "related_links": []},
                               portal="relevance", seen_at="2026-12-04T09:00:00+07:00")
            key_of[url] = article["key"]
        db.close()
        conn = sqlite3.connect(path)
        conn.row_factory = sqlite3.Row
        rows = []
        for item in queries:
            query = parse_query(item["query"])
            request = reading.SearchRequest(q=item["query"])
            found: list[str] = []
            if query.expression:
                select, _, params = reading.search_sql(request, query)
                select = select.replace(f"LIMIT {reading.PAGE_SIZE + 1} OFFSET 0", "LIMIT 1000")
                found = [key_of[row["url"]] for row in conn.execute(select, params)]
            relevant = set(item["relevant"])
            top = found[:10]
            precision = (len(relevant & set(top)) / len(top)) if top else (1.0 if not relevant else 0.0)
            recall = (len(relevant & set(found)) / len(relevant)) if relevant else 1.0
            rows.append({"query": item["query"], "marks": has_marks(item["query"]), "precision": precision,
                         "recall": recall, "wrong": sorted(set(top) - relevant), "missed": sorted(relevant - set(found))})
        conn.close()
    print(f"Search relevance, {len(corpus)} articles, {len(queries)} queries ({folder.relative_to(HERE.parent)}), "
          f"code: {code}")
    print(f"{'queries':<26} {'n':>3} {'precision@10':>13} {'recall':>8} {'P@10 = 1.0':>11}")
    for label, marks in (("typed with marks", True), ("typed without marks", False), ("all", None)):
        chosen = [r for r in rows if marks is None or r["marks"] == marks]
        if not chosen:
            continue
        mean = lambda key: sum(r[key] for r in chosen) / len(chosen)  # noqa: E731
        perfect = sum(r["precision"] == 1.0 for r in chosen)
        print(f"{label:<26} {len(chosen):>3} {mean('precision'):>13.3f} {mean('recall'):>8.3f} "
              f"{perfect:>6}/{len(chosen)}")
    for row in rows:
        if verbose or row["precision"] < 1.0 or row["recall"] < 1.0:
            print(f"  {row['query']!r}: P@10 {row['precision']:.2f}, recall {row['recall']:.2f}"
                  + (f", wrong {', '.join(row['wrong'])}" if row["wrong"] else "")
                  + (f", missed {', '.join(row['missed'])}" if row["missed"] else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print every query's misses")
    parser.add_argument("--code", help="a checkout whose archive package is measured instead of this one")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(args.code).resolve() if args.code else HERE.parent))
    from archive import reading, store
    from archive.search import parse_query

    for folder in SETS:
        if (folder / "corpus.jsonl").exists():
            score(folder, store, reading, parse_query, code=args.code or "this checkout", verbose=args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
