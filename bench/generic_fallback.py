"""How well the generic fallback does on layouts it was not written for.

For every fixture portal (fixtures/sites/*/_facts.json) this runs ONLY the generic page object
(crawler/pages/generic.py), as if no platform page object existed, over:

* each expected article page: share of articles whose field equals the site's facts, per field;
* the start listing page: share of the listing's expected articles found (recall), share of
  found links that are expected articles (precision), and whether page 2 was found.

Prints a Markdown table (one row per site, then the total). Usage:
    .venv/bin/python bench/generic_fallback.py [-v] [SITE ...]     (-v: print every mismatch)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.extract.encoding import decode_html  # noqa: E402
from crawler.extract.urls import canonical  # noqa: E402
from crawler.pages.generic import GenericPage  # noqa: E402
from fixtures.server import SITES, SiteFiles  # noqa: E402

BASE = "http://portal.example"
FIELDS = ["kind", "title", "published_at", "author", "source", "summary", "category", "body", "images", "related"]


def absolute(url: str) -> str:
    return canonical(url if url.startswith("http") else BASE + url)


def evaluate(site: str) -> dict:
    facts = json.loads((SITES / site / "_facts.json").read_text(encoding="utf-8"))
    files = SiteFiles(SITES / site)

    def page(path: str) -> GenericPage:
        text, _ = decode_html(files.resolve(path).read_bytes(), None)
        return GenericPage(absolute(path), text)

    listing = page(facts["start_url"])
    listing.expect = "listing"
    listing = listing.listing()
    hits = dict.fromkeys(FIELDS, 0)
    for expected in facts["articles"]:
        p = page(expected["url"])
        p.expect = "article"  # as the spider reaches it: through a listing's article link
        article = p.article()
        got = {
            "kind": p.is_article(),
            "title": article.title, "published_at": article.published_at, "author": article.author,
            "source": article.source, "summary": article.summary,
            "category": article.category or listing.category,  # as the spider does
            "body": article.body_text.split("\n\n") if article.body_text else [],
            "images": [(i.src, i.caption) for i in article.images],
            "related": [(r.url, r.title) for r in article.related_links],
        }
        want = {
            "kind": True, "title": expected["title"], "published_at": expected["published_at"],
            "author": expected["author"], "source": expected["source"], "summary": expected["summary"],
            "category": expected["category"], "body": expected["body_paragraphs"],
            "images": [(absolute(i["src"]), i.get("caption")) for i in expected["images"]],
            "related": [(absolute(r["url"]), r["title"]) for r in expected["related"]],
        }
        for field in FIELDS:
            hits[field] += got[field] == want[field]
            if VERBOSE and got[field] != want[field]:
                print(f"{site} {expected['url'][-40:]} {field}:\n   got  {str(got[field])[:300]}\n   want {str(want[field])[:300]}",
                      file=sys.stderr)
    found = {e.url for e in listing.entries}
    expected_urls = {absolute(a["url"]) for a in facts["articles"]}
    return {
        "site": site, "platform": facts["platform"], "articles": len(facts["articles"]), "hits": hits,
        "listing_found": len(found), "listing_recall_hits": len(found & expected_urls),
        "listing_precision": (len(found & expected_urls) / len(found)) if found else 0.0,
        "next_page": bool(listing.page_links),
    }


VERBOSE = False


def main(argv: list[str]) -> int:
    global VERBOSE
    known = sorted(p.parent.name for p in SITES.glob("*/_facts.json"))
    parser = argparse.ArgumentParser(description="The generic page object alone on every fixture portal.")
    parser.add_argument("sites", nargs="*", metavar="SITE", help="fixture sites to run (default: all)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every mismatch")
    args = parser.parse_args(argv)
    unknown = [site for site in args.sites if site not in known]
    if unknown:
        parser.error(f"no fixture site {', '.join(unknown)} (known: {', '.join(known)})")
    VERBOSE = args.verbose
    sites = args.sites or known
    results = [evaluate(site) for site in sites]
    header = ["site", "platform", "n"] + FIELDS + ["listing links", "precision", "page 2"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    total = dict.fromkeys(FIELDS, 0)
    articles = 0
    for r in results:
        articles += r["articles"]
        for field in FIELDS:
            total[field] += r["hits"][field]
        cells = [r["site"], r["platform"], str(r["articles"])]
        cells += [f"{r['hits'][f] / r['articles']:.0%}" for f in FIELDS]
        cells += [str(r["listing_found"]), f"{r['listing_precision']:.0%}", "yes" if r["next_page"] else "no"]
        print("| " + " | ".join(cells) + " |")
    cells = ["**all**", "", str(articles)] + [f"{total[f] / articles:.0%}" for f in FIELDS] + ["", "", ""]
    print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
