"""Crawl throughput against the fetch limit, parse rate per core, ingest rate, peak memory: in one
run, on synthetic loopback portals (``bench/throughput/synthetic_portal.py``, written without
reading the crawler; the many-portal run puts each portal on its own loopback address,
127.0.0.N, since Scrapy's per-host slot ignores the port).

1. **Fetch limit.** ``bench/throughput/fetch_only.py`` (a bare Scrapy spider: links only, no
   parsing, no delay) against the portal(s), with the crawl's downloader
   (``crawler.downloader.HostBoundDownloader``: one request in flight per host, as the crawl) and,
   for comparison, with Scrapy's own (which without a delay lets up to 16 be in flight to one
   host): pages/s over the wall time of the command, as the crawl is timed below. The spider's
   own figure (from its opening to its last page, without start-up and shutdown: how earlier
   rounds timed it) and the crawl's ratio to it are printed under the table.
2. **This crawler.** ``newsarchive crawl START_URL… --delay 0 --no-media`` (also one connection
   per host) on the same portal(s), with ``--workers 0`` (parsing in the reactor thread, as
   before the parser pool) and with the default (one parser process per core): pages/s (pages
   fetched, from the run's own counters, over the wall time of the command), the ratio to the
   fetch limit, and the peak memory of the crawl's process tree (the crawl, the fork server and
   its parser processes: the sum of their proportional set sizes, sampled every 0.2 s).
3. **Parse rate per core.** :func:`crawler.parsing.parse_response` in this process on the
   synthetic portal's article pages and on every fixture page (``fixtures/sites``), with the
   platform hint a crawl would have: pages/s.
4. **A crawl fleet** (when Debian's ``redis-server`` is installed): on the many-portal run, the
   same portals crawled by 1, 2 and 3 workers (``newsarchive crawl --frontier … [--join]
   --workers 0``: each worker parses in its own thread, one core each) and one writer
   (``newsarchive ingest``) on a Redis started for the bench: pages/s (pages the portals served,
   over the wall time from the first worker's start to the writer's exit, every item saved).
5. **Ingest rate.** The crawl's pipeline (``crawler.pipelines.ArchivePipeline``, which writes
   through ``archive.store``) fed the parsed synthetic articles: articles/s into an empty archive,
   in its batched transactions and with a commit per item.

Usage::

    .venv/bin/python bench/crawl_throughput.py [--articles 2000] [--hosts 20 --host-articles 200] [--skip-multi]
    .venv/bin/python bench/crawl_throughput.py --memory-articles 100000   # peak memory of a 100,000-page crawl
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
# bench/ itself off the path: bench/incremental.py would shadow Twisted's "incremental" package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "throughput"))

from synthetic_portal import SyntheticPortals  # noqa: E402

from crawler.extract.dates import now_iso  # noqa: E402
from crawler.extract.urls import host_of  # noqa: E402
from crawler.items import Article, ArchivedPage, Snapshot  # noqa: E402
from crawler.parsing import default_workers, parse_response  # noqa: E402


def tree_memory(pid: int) -> int:
    """Memory (bytes) of ``pid`` and all its descendants: the sum of their proportional set sizes
    (``Pss`` of ``/proc/PID/smaps_rollup``: pages shared by the fork server and its workers
    counted once, split between them; a sum of RSS would count them once per process)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += int(next(line.split()[1] for line in rollup.splitlines() if line.startswith("Pss:"))) * 1024
        except (OSError, StopIteration, ValueError):
            pass
        todo += parents.get(current, [])
    return total


#: The crawl's downloader (``crawler/settings.py``), for the fetch-only spider at the crawl's concurrency
CRAWL_DOWNLOADER = "crawler.downloader.HostBoundDownloader"


def fetch_only(urls: list[str], downloader: str | None = CRAWL_DOWNLOADER) -> dict:
    """The fetch-only spider on ``urls`` with ``downloader`` (None: Scrapy's): pages, seconds and
    pages/s over the command's wall time, and ``spider_pages_per_s``, the spider's own figure."""
    command = [sys.executable, str(ROOT / "bench/throughput/fetch_only.py"), *urls, "--per-host", "1"]
    if downloader:
        command += ["--downloader", downloader]
    started = time.perf_counter()
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))  # the crawl's downloader
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": path})
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"fetch_only failed:\n{result.stderr[-3000:]}")
    spider = json.loads(result.stdout.strip().splitlines()[-1])
    return {"pages": spider["pages"], "seconds": seconds, "pages_per_s": spider["pages"] / seconds,
            "spider_pages_per_s": spider["pages_per_s"]}


def crawl(urls: list[str], workers: int | None) -> dict:
    """``newsarchive crawl`` on ``urls``: pages fetched, seconds, pages/s, peak memory (PSS) of its tree."""
    with tempfile.TemporaryDirectory(prefix="throughput-") as work:
        db, summary = f"{work}/archive.db", f"{work}/summary.json"
        command = [sys.executable, "-m", "archive.cli", "crawl", *urls, "--db", db, "--delay", "0", "--no-media",
                   "--log-level", "WARNING", "--json-summary", summary]
        if workers is not None:
            command += ["--workers", str(workers)]
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        peak = [0]

        def sample():
            while process.poll() is None:
                peak[0] = max(peak[0], tree_memory(process.pid))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, stderr = process.communicate()
        seconds = time.perf_counter() - started
        sampler.join()
        if process.returncode not in (0, 1):
            sys.exit(f"crawl failed ({process.returncode}):\n{stderr[-3000:]}")
        counts = json.loads(Path(summary).read_text())
        pages = counts.get("pages_fetched") or counts.get("totals", {}).get("pages_fetched")
        return {"pages": pages, "seconds": seconds, "pages_per_s": pages / seconds, "peak_mb": peak[0] / 2**20,
                "articles": counts.get("articles_new") or counts.get("totals", {}).get("articles_new")}


def article_pages(start_url: str, count: int) -> list[tuple[str, bytes]]:
    """The first ``count`` article pages the listing pages link, fetched once."""
    from crawler.pages import parse_page

    pages, listing_url = [], start_url
    while listing_url and len(pages) < count:
        html = urllib.request.urlopen(listing_url).read()
        listing = parse_page(listing_url, html.decode("utf-8"), expect="listing")
        for entry in listing.entries[: count - len(pages)]:
            pages.append((entry.url, urllib.request.urlopen(entry.href or entry.url).read()))
        following = [link.url for link in listing.page_links if link.url not in (listing_url, start_url)]
        listing_url = following[-1] if following and len(pages) < count else None
    return pages


def fixture_pages() -> list[tuple[str, bytes]]:
    sites = ROOT / "fixtures" / "sites"
    return [(f"http://127.0.0.1:8000/{file.relative_to(sites / file.relative_to(sites).parts[0])}", file.read_bytes())
            for file in sorted(sites.rglob("*.html"))]


def parse_rate(pages: list[tuple[str, bytes]]) -> tuple[float, list]:
    """Pages/s of :func:`parse_response` in this process (one core), each host's platform hint
    taken from its previous page as a crawl does; returns the rate and the articles read."""
    hints: dict[str, str] = {}
    articles = []
    started = time.perf_counter()
    for url, body in pages:
        parsed = parse_response(url, body, "text/html; charset=utf-8", "article", None, hints.get(host_of(url)))
        hints[host_of(url)] = parsed.platform
        if isinstance(parsed.page, Article):
            articles.append((url, body, parsed.page))
    return len(pages) / (time.perf_counter() - started), articles


def ingest_rate(articles: list, batch_items: int = 100) -> float:
    """Articles/s through the crawl's pipeline into an empty archive, ``batch_items`` items per
    transaction (1: a commit per item, as before batching)."""
    from crawler.pipelines import ArchivePipeline

    with tempfile.TemporaryDirectory(prefix="ingest-") as work:
        pipeline = ArchivePipeline(f"{work}/archive.db", batch_items=batch_items)
        spider = SimpleNamespace(start_urls=[articles[0][0]])
        pipeline.open_spider(spider)
        started = time.perf_counter()
        for url, body, article in articles:
            snapshot = Snapshot(url=article.url, fetched_at=now_iso(), status=200,
                                headers={"Content-Type": "text/html; charset=utf-8"}, body=body, requested_url=url)
            pipeline.process_item(ArchivedPage(snapshot=snapshot, article=article, host=host_of(url)), spider)
        pipeline.commit()
        seconds = time.perf_counter() - started
        pipeline.db.close()
    return len(articles) / seconds


def crawl_rows(label: str, urls: list[str], portals=None) -> tuple[list[str], list[str]]:
    """Rows: the fetch-only spider, this crawler in one process (parsing in its thread, and in
    parser processes), and (with ``portals``) the crawl fleet; and lines giving each crawl's
    ratio to the fetch-only spider timed by itself."""
    stock = fetch_only(urls, None)
    limit = fetch_only(urls)
    rows = [f"| {label} | fetch-only Scrapy, Scrapy's downloader (up to 16 requests in flight to a host) | "
            f"{stock['pages']} | {stock['seconds']:.1f} | {stock['pages_per_s']:.0f} | "
            f"{stock['pages_per_s'] / limit['pages_per_s']:.2f} | |",
            f"| {label} | fetch-only Scrapy, the crawl's downloader (one request in flight per host) | "
            f"{limit['pages']} | {limit['seconds']:.1f} | {limit['pages_per_s']:.0f} | 1.00 | |"]
    spider_timed = []
    for workers, name in ((0, "newsarchive crawl --workers 0"), (None, f"newsarchive crawl (workers: {default_workers()})")):
        run = crawl(urls, workers)
        rows.append(f"| {label} | {name} | {run['pages']} | {run['seconds']:.1f} | {run['pages_per_s']:.1f} | "
                    f"{run['pages_per_s'] / limit['pages_per_s']:.2f} | {run['peak_mb']:.0f} |")
        spider_timed.append(f"{label}, {name}: {run['pages_per_s'] / limit['spider_pages_per_s']:.2f} of "
                            f"{limit['spider_pages_per_s']:.0f} pages/s (Scrapy's downloader: "
                            f"{run['pages_per_s'] / stock['spider_pages_per_s']:.2f} of {stock['spider_pages_per_s']:.0f})")
    if portals is not None:
        rows += fleet_rows(label, urls, portals, limit)
    return rows, spider_timed


def fleet(urls: list[str], portals, workers: int, redis_url: str) -> dict:
    """A fleet of ``workers`` workers and one writer on ``urls``: pages served, seconds, pages/s."""
    served = lambda: sum(len(times) for times in portals.request_times.values())  # noqa: E731
    before = served()
    with tempfile.TemporaryDirectory(prefix="fleet-") as work:
        run = lambda *args: subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT,  # noqa: E731
                                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        started = time.perf_counter()
        writer = run("crawler.ingest", "--frontier", redis_url, "--db", f"{work}/archive.db", "--log-level", "WARNING")
        common = ["--frontier", redis_url, "--delay", "0", "--no-media", "--workers", "0", "--log-level", "WARNING"]
        crawlers = [run("crawler.run", *urls, *common)] + [run("crawler.run", "--join", *common)
                                                           for _ in range(workers - 1)]
        for process in [*crawlers, writer]:
            _, stderr = process.communicate()
            if process.returncode != 0:
                sys.exit(f"fleet process failed ({process.returncode}): {process.args}\n{stderr[-3000:]}")
        seconds = time.perf_counter() - started
    pages = served() - before
    return {"pages": pages, "seconds": seconds, "pages_per_s": pages / seconds}


def fleet_rows(label: str, urls: list[str], portals, baseline: dict) -> list[str]:
    """Rows for 1, 2 and 3 fleet workers, on a redis-server started here (none: one row saying so)."""
    binary = shutil.which("redis-server")
    if binary is None:
        return [f"| {label} | crawl fleet: not measured (redis-server is not installed) | | | | | |"]
    with socket.socket() as probe, tempfile.TemporaryDirectory(prefix="fleet-redis-") as work:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                   "no", "--dir", work], stdout=subprocess.DEVNULL)
        try:
            time.sleep(0.5)
            rows = []
            for workers in (1, 2, 3):
                result = fleet(urls, portals, workers, f"redis://127.0.0.1:{port}/0")
                rows.append(f"| {label} | crawl fleet: {workers} worker{'s' if workers > 1 else ''} (--workers 0) "
                            f"+ ingest | {result['pages']} | {result['seconds']:.1f} | {result['pages_per_s']:.1f} | "
                            f"{result['pages_per_s'] / baseline['pages_per_s']:.2f} | |")
            return rows
        finally:
            server.terminate()
            server.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="articles of the one-portal run (default 2000)")
    parser.add_argument("--hosts", type=int, default=20, help="portals of the many-portal run (default 20)")
    parser.add_argument("--host-articles", type=int, default=200, help="articles per portal there (default 200)")
    parser.add_argument("--skip-multi", action="store_true", help="only the one-portal run")
    parser.add_argument("--skip-fleet", action="store_true", help="no crawl-fleet rows in the many-portal run")
    parser.add_argument("--only-multi", action="store_true", help="only the many-portal run (no one-portal run, "
                        "parse or ingest rates)")
    parser.add_argument("--memory-articles", type=int, metavar="N",
                        help="only a crawl of one portal of N articles (the issue's 100,000 pages: about 9 minutes "
                             "here, alone on the machine), for its peak memory")
    args = parser.parse_args(argv)
    print(f"cores: {default_workers()}\n")
    if args.memory_articles:
        with SyntheticPortals(count=1, articles=args.memory_articles) as portals:
            run = crawl(portals.start_urls, None)
        print(f"1 × {args.memory_articles} articles, newsarchive crawl (workers: {default_workers()}): {run['pages']} "
              f"pages in {run['seconds']:.0f} s ({run['pages_per_s']:.1f} pages/s), {run['articles']} articles "
              f"archived, peak memory {run['peak_mb']:.0f} MB (PSS of the crawl's processes)")
        return 0
    print("| portals | run | pages | seconds | pages/s | / fetch-only | peak memory MB (PSS) |")
    print("|---|---|---|---|---|---|---|")
    spider_timed = []
    if not args.only_multi:
        with SyntheticPortals(count=1, articles=args.articles) as portals:
            rows, timed = crawl_rows(f"1 × {args.articles} articles", portals.start_urls)
            print("\n".join(rows), flush=True)
            spider_timed += timed
            sample = article_pages(portals.start_urls[0], 300)
    if not args.skip_multi:
        with SyntheticPortals(count=args.hosts, articles=args.host_articles, distinct_ips=True) as portals:
            rows, timed = crawl_rows(f"{args.hosts} × {args.host_articles} articles", portals.start_urls,
                                     None if args.skip_fleet else portals)
            print("\n".join(rows), flush=True)
            spider_timed += timed
    print("\nthe crawl's ratio to the fetch-only spider's own figure (from its opening to its last page, without "
          "its start-up and shutdown):")
    for line in spider_timed:
        print(f"- {line}")
    if args.only_multi:
        return 0
    synthetic_rate, articles = parse_rate(sample)
    fixtures_rate, _ = parse_rate(fixture_pages())
    print(f"\nparse, one core: {synthetic_rate:.1f} synthetic article pages/s ({len(sample)} pages); "
          f"{fixtures_rate:.1f} fixture pages/s ({len(fixture_pages())} pages of every platform and theme)")
    print(f"ingest: {ingest_rate(articles):.0f} articles/s through the crawl's pipeline in batches of 100 "
          f"({ingest_rate(articles, batch_items=1):.0f} articles/s with a commit per item; {len(articles)} articles)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
