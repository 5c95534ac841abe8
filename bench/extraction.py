"""The generic page object against trafilatura, in one run: a public benchmark and the fixture sites.

1. **Zyte's article-extraction benchmark** (https://github.com/scrapinghub/article-extraction-benchmark,
   MIT licence): 181 real news pages of many sites and languages with hand-checked article bodies.
   Each page goes through this project's generic page object (``GenericPage(url, html).article()``,
   as the crawl's fallback runs it) and through trafilatura (``trafilatura.extract(html,
   include_comments=False)``, the call the benchmark's own trafilatura runner makes). Both are
   scored with the benchmark's own ``evaluate.py`` (4-gram shingle precision, recall and F1 of the
   body, averaged per page, ± bootstrap standard deviation; accuracy = exact token match). The
   data is not in this repository (8 MB of third-party pages); put a copy at
   ``bench/data/article-extraction-benchmark`` (``git clone --depth 1
   https://github.com/scrapinghub/article-extraction-benchmark bench/data/article-extraction-benchmark``)
   or pass ``--data DIR``. Without it the section says where to put it and is skipped.
2. **Every fixture site** (fixtures/sites/*/_facts.json): each expected article page, through the
   generic page object alone and through trafilatura (``bare_extraction``: text, title, date):
   body shingle F1 against the facts' paragraphs, share of articles whose body is exactly right
   (paragraph by paragraph), title exact, publication day exact.

Usage::

    .venv/bin/python bench/extraction.py [--data DIR] [--bootstrap N] [--skip-public] [--skip-fixtures]
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from crawler.extract.encoding import decode_html  # noqa: E402
from crawler.extract.main_text import agreement  # noqa: E402
from crawler.pages.generic import GenericPage  # noqa: E402
from fixtures import facts as site_facts  # noqa: E402
from fixtures.server import SITES, SiteFiles  # noqa: E402

DEFAULT_DATA = ROOT / "bench" / "data" / "article-extraction-benchmark"
BASE = "http://portal.example"


def generic_body(url: str, html: str) -> str:
    page = GenericPage(url, html)
    page.expect = "article"
    return page.article().body_text


def trafilatura_body(html: str) -> str:
    return trafilatura.extract(html, include_comments=False) or ""


def public_benchmark(data: Path, bootstrap: int) -> None:
    print("## Public benchmark: Zyte article-extraction-benchmark (body)\n")
    if not (data / "ground-truth.json").exists() or not (data / "evaluate.py").exists():
        print(f"Not found: {data}. Put the benchmark there (`git clone --depth 1 "
              "https://github.com/scrapinghub/article-extraction-benchmark "
              f"{data.relative_to(ROOT) if data.is_relative_to(ROOT) else data}`) or pass --data DIR.\n")
        return
    spec = importlib.util.spec_from_file_location("aeb_evaluate", data / "evaluate.py")
    evaluate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(evaluate)
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    predictions: dict[str, dict] = {"newsarchive generic": {}, f"trafilatura {trafilatura.__version__}": {}}
    seconds = dict.fromkeys(predictions, 0.0)
    for key, item in truth.items():
        with gzip.open(data / "html" / f"{key}.html.gz", "rt", encoding="utf8") as handle:
            html = handle.read()
        url = item.get("url") or "http://example.com/"
        for name, extract in zip(predictions, (lambda: generic_body(url, html), lambda: trafilatura_body(html))):
            started = time.perf_counter()
            predictions[name][key] = {"articleBody": extract()}
            seconds[name] += time.perf_counter() - started
    print(f"{len(truth)} pages, one run, scored by the benchmark's evaluate.py ({bootstrap} bootstrap samples).\n")
    print("| extractor | F1 | precision | recall | accuracy | ms/page |")
    print("|---|---|---|---|---|---|")
    for name, prediction in predictions.items():
        m = evaluate.evaluate(truth, prediction, bootstrap)
        print(f"| {name} | {m['f1']:.3f} ± {m['f1_std']:.3f} | {m['precision']:.3f} ± {m['precision_std']:.3f} | "
              f"{m['recall']:.3f} ± {m['recall_std']:.3f} | {m['accuracy']:.3f} ± {m['accuracy_std']:.3f} | "
              f"{1000 * seconds[name] / len(truth):.0f} |")
    print()


def fixture_sites() -> None:
    print("## Fixture sites: generic page object vs trafilatura, article pages\n")
    print("| site | n | body F1 generic | body F1 trafilatura | body exact generic | body exact trafilatura "
          "| title generic | title trafilatura | day generic | day trafilatura |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    totals: dict[str, list] = {}
    for site in site_facts.site_names():
        facts = site_facts.load(site)
        files = SiteFiles(SITES / site)
        rows: dict[str, list] = {k: [] for k in ("f1g", "f1t", "exg", "ext", "tg", "tt", "dg", "dt")}
        for expected in facts["articles"]:
            html, _ = decode_html(files.resolve(expected["url"]).read_bytes(), None)
            url = site_facts.absolute(BASE, expected["url"])
            page = GenericPage(url, html)
            page.expect = "article"
            ours = page.article()
            theirs = trafilatura.bare_extraction(html, url=url, include_comments=False, with_metadata=True)
            want = "\n\n".join(expected["body_paragraphs"])
            their_text = (theirs.text if theirs else "") or ""
            day = (expected["published_at"] or "")[:10] or None
            rows["f1g"].append(agreement(ours.body_text, want) if want else float(not ours.body_text))
            rows["f1t"].append(agreement(their_text, want) if want else float(not their_text))
            rows["exg"].append(ours.body_text.split("\n\n") == expected["body_paragraphs"])
            rows["ext"].append([p for p in their_text.split("\n") if p.strip()] == expected["body_paragraphs"])
            rows["tg"].append(ours.title == expected["title"])
            rows["tt"].append(bool(theirs) and theirs.title == expected["title"])
            rows["dg"].append(((ours.published_at or "")[:10] or None) == day)
            rows["dt"].append(((theirs.date if theirs else None) or None) == day)
        for key, values in rows.items():
            totals.setdefault(key, []).extend(values)
        print(_fixture_row(site, rows))
    print(_fixture_row("**all**", totals))
    print()


def _fixture_row(name: str, rows: dict[str, list]) -> str:
    n = len(rows["f1g"])
    cells = [name, str(n), f"{statistics.mean(rows['f1g']):.3f}", f"{statistics.mean(rows['f1t']):.3f}"]
    cells += [f"{sum(rows[k]) / n:.0%}" for k in ("exg", "ext", "tg", "tt", "dg", "dt")]
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"the benchmark checkout (default: {DEFAULT_DATA})")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap samples for the ± (default 1000)")
    parser.add_argument("--skip-public", action="store_true")
    parser.add_argument("--skip-fixtures", action="store_true")
    args = parser.parse_args(argv)
    if not args.skip_public:
        public_benchmark(args.data.resolve(), args.bootstrap)
    if not args.skip_fixtures:
        fixture_sites()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
