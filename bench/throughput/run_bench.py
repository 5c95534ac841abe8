#!/usr/bin/env python3
"""End-to-end check: synthetic portals + fetch_only.py, verified from the server's request log.

    python bench/throughput/run_bench.py --hosts 1 --articles 2000 [--per-host 1] [-- extra fetch_only args]

Starts the portals (SyntheticPortals, own process), runs fetch_only.py in another
process, then checks per portal that every listing page and every article was
requested exactly once, that no image was requested, and prints one JSON line with
fetch_only's summary, the server-side view and the check result.  Exit status 1 if
the check fails.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from synthetic_portal import SyntheticPortals  # noqa: E402

ARTICLE = re.compile(r"/vi/news/[a-z0-9-]+/[a-z0-9-]+-\d+\.html")
LISTING = re.compile(r"/vi/news/[a-z0-9-]+/(page-\d+)?")


def cpu_seconds(pid: int) -> float | None:
    """user+system CPU time of a process (Linux /proc), or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)
    except (OSError, ValueError, IndexError):
        return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=1)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--per-host", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--distinct-ips", action="store_true")
    ap.add_argument("extra", nargs="*", help="extra fetch_only.py arguments (after --)")
    a = ap.parse_args()
    with SyntheticPortals(count=a.hosts, articles=a.articles, seed=a.seed,
                          distinct_ips=a.distinct_ips) as portals:
        cmd = [sys.executable, os.path.join(HERE, "fetch_only.py"), *portals.start_urls,
               "--per-host", str(a.per_host), *a.extra]
        out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True).stdout
        summary = json.loads(out.strip().splitlines()[-1])
        server_cpu = cpu_seconds(portals.info["pid"])
    log = portals.request_times
    problems = []
    t_first = min(t for reqs in log.values() for t, _ in reqs)
    t_last = max(t for reqs in log.values() for t, _ in reqs)
    total = 0
    for port, reqs in sorted(log.items()):
        paths = [p for _, p in reqs]
        total += len(paths)
        counts = collections.Counter(paths)
        arts = [p for p in counts if ARTICLE.fullmatch(p)]
        lists = [p for p in counts if LISTING.fullmatch(p)]
        dups = {p: n for p, n in counts.items() if n > 1}
        other = [p for p in counts if p not in arts and p not in lists and p != "/robots.txt"]
        if len(arts) != a.articles:
            problems.append(f"{port}: {len(arts)} articles requested, expected {a.articles}")
        if len(lists) != portals.listing_pages:
            problems.append(f"{port}: {len(lists)} listing pages requested, expected {portals.listing_pages}")
        if dups:
            problems.append(f"{port}: {len(dups)} paths requested more than once, e.g. {next(iter(dups))}")
        if other:
            problems.append(f"{port}: {len(other)} other paths requested, e.g. {other[0]}")
    result = {
        "hosts": a.hosts, "articles_per_host": a.articles, "per_host": a.per_host,
        "expected_pages": portals.expected_pages, "fetch_only": summary,
        "server": {"requests": total, "seconds_first_to_last": round(t_last - t_first, 3),
                   "requests_per_s": round(total / max(t_last - t_first, 1e-9), 1),
                   "connections": sum(portals.connections.values()), "cpu_seconds": server_cpu},
        "ok": not problems and summary["pages"] == portals.expected_pages, "problems": problems[:10],
    }
    print(json.dumps(result, ensure_ascii=False))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
