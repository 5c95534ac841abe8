"""The registry of known portals (``crawler/portals.toml``, or the file named by the
``NEWSARCHIVE_PORTALS`` environment variable): data, not code.

``python -m crawler.portals`` (``newsarchive portals``) prints it as a table, or as JSON with
``--json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .extract.urls import host_of

DEFAULT_REGISTRY = Path(__file__).resolve().parent / "portals.toml"


@dataclass(frozen=True)
class Portal:
    slug: str
    name: str
    province: str
    platform: str
    start_urls: tuple[str, ...]
    verified: bool = False
    evidence: str = ""
    hosts: tuple[str, ...] = field(default=(), compare=False)
    #: other hosts the portal keeps its images and attachments on (``host[:port]``)
    media_hosts: tuple[str, ...] = ()


class RegistryError(ValueError):
    """The registry file is malformed (the message names the entry and the problem)."""


def registry_path() -> Path:
    return Path(os.environ.get("NEWSARCHIVE_PORTALS") or DEFAULT_REGISTRY)


def load(path: Path | None = None) -> list[Portal]:
    """Read and validate the registry."""
    path = path or registry_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RegistryError(f"cannot read the portal registry {path}: {error}") from None
    portals: list[Portal] = []
    for number, entry in enumerate(data.get("portal", []), start=1):
        where = f"{path}: portal #{number} ({entry.get('slug', '?')})"
        missing = [k for k in ("slug", "name", "province", "platform", "start_urls") if not entry.get(k)]
        if missing:
            raise RegistryError(f"{where}: missing {', '.join(missing)}")
        urls = tuple(entry["start_urls"])
        bad = [u for u in urls if urlsplit(u).scheme not in ("http", "https") or not urlsplit(u).hostname]
        if bad:
            raise RegistryError(f"{where}: not web addresses: {bad}")
        portals.append(Portal(slug=entry["slug"], name=entry["name"], province=entry["province"],
                              platform=entry["platform"], start_urls=urls, verified=bool(entry.get("verified")),
                              evidence=entry.get("evidence", ""), hosts=tuple(sorted({host_of(u) for u in urls})),
                              media_hosts=tuple(entry.get("media_hosts", []))))
    slugs = [p.slug for p in portals]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise RegistryError(f"{path}: duplicate slugs {duplicates}")
    return portals


def by_slug(slug: str, portals: list[Portal] | None = None) -> Portal:
    portals = load() if portals is None else portals
    for portal in portals:
        if portal.slug == slug:
            return portal
    known = ", ".join(p.slug for p in portals)
    raise RegistryError(f"no portal {slug!r} in the registry (known: {known})")


def for_host(host: str, portals: list[Portal] | None = None) -> Portal | None:
    """The registered portal serving ``host[:port]``, if any."""
    portals = load() if portals is None else portals
    return next((p for p in portals if host in p.hosts), None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newsarchive portals", description="List the known portals.")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    try:
        portals = load()
    except RegistryError as error:
        print(f"newsarchive portals: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([asdict(p) for p in portals], ensure_ascii=False, indent=2))
        return 0
    rows = [("SLUG", "PLATFORM", "PROVINCE", "VERIFIED", "NAME / START URLS")]
    for p in portals:
        rows.append((p.slug, p.platform, p.province, "yes" if p.verified else "no", p.name))
        rows.extend(("", "", "", "", f"  {u}") for u in p.start_urls)
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths)) + "  " + row[4])
    print(f"\n{len(portals)} portals in {registry_path()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
