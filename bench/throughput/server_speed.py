#!/usr/bin/env python3
"""Measure how fast the synthetic portal serves pages to one simple client.

One keep-alive http.client connection, sequential GETs of every listing page and
every article of one portal (article URLs taken from the listing pages), no
parsing beyond a regex.  Prints a JSON summary.

    python bench/throughput/server_speed.py --articles 2000 [--passes 2]
"""
from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from synthetic_portal import SyntheticPortals  # noqa: E402

ITEM_RE = re.compile(rb'<h3><a href="([^"]+)"')


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--passes", type=int, default=2, help="passes over all pages (pass 1 is uncached)")
    ap.add_argument("--gzip", action="store_true", help="server gzips and the client asks for it")
    a = ap.parse_args()
    with SyntheticPortals(count=1, articles=a.articles, gzip=a.gzip) as portals:
        base = portals.bases[0]
        start_path = portals.start_urls[0][len(base):]
        host, port = base[len("http://"):].split(":")
        conn = http.client.HTTPConnection(host, int(port))
        headers = {"Accept-Encoding": "gzip"} if a.gzip else {}

        def get(path: str) -> bytes:
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            body = r.read()
            if r.getheader("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if r.status != 200:
                raise SystemExit(f"{path}: HTTP {r.status}")
            return body

        results = []
        paths = None
        for n in range(a.passes):
            t0 = time.perf_counter()
            count = nbytes = 0
            if paths is None:  # first pass discovers the article URLs from the listings
                listing = [start_path] + [f"{start_path}page-{p}" for p in range(2, portals.listing_pages + 1)]
                articles = []
                for path in listing:
                    body = get(path)
                    count += 1
                    nbytes += len(body)
                    articles += [m.decode() for m in ITEM_RE.findall(body)]
                for path in articles:
                    nbytes += len(get(path))
                    count += 1
                paths = listing + articles
            else:
                for path in paths:
                    nbytes += len(get(path))
                    count += 1
            dt = time.perf_counter() - t0
            results.append({"pass": n + 1, "pages": count, "seconds": round(dt, 3),
                            "pages_per_s": round(count / dt, 1), "mean_kb_decoded": round(nbytes / count / 1024, 1)})
        conn.close()
        served = sum(len(v) for v in portals.request_times.values())
    print(json.dumps({"articles": a.articles, "expected_pages": portals.expected_pages,
                      "requests_logged": served, "passes": results}))


if __name__ == "__main__":
    main()
