"""The ``newsarchive`` command: a thin layer over the library.

    newsarchive crawl START_URL [START_URL ...] | --portal SLUG | --all  --db PATH [options]
    newsarchive portals [--json]
    newsarchive inspect URL_OR_FILE [--url URL]
    newsarchive serve --db PATH [--port N] [--host HOST]

``crawl``, ``portals`` and ``inspect`` run ``python -m crawler.run`` / ``crawler.portals`` /
``crawler.inspect`` in a child process (Twisted's reactor runs once per process, and
``archive`` does not import the crawler); their exit status is passed through.
``serve`` runs Datasette (in this process) on the archive with the project's metadata.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .datasette import metadata_for

SQL_TIME_LIMIT_MS = 3000
#: Commands implemented by the crawler package: name → (module, help).
CRAWLER_COMMANDS = {
    "crawl": ("crawler.run", "crawl category listing pages into an archive"),
    "portals": ("crawler.portals", "list the registered portals"),
    "inspect": ("crawler.inspect", "show the platform and extraction of one page, as JSON"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="newsarchive", description="Archive Vietnamese provincial news portals.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, summary) in CRAWLER_COMMANDS.items():
        commands.add_parser(name, help=f"{summary} (see: newsarchive {name} --help)", add_help=False)
    serve = commands.add_parser("serve", help="browse and search an archive with Datasette")
    serve.add_argument("--db", default="archive.db", help="SQLite archive file (default: archive.db)")
    serve.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    if argv[:1] and argv[0] in CRAWLER_COMMANDS:
        return run_crawler_command(argv[0], argv[1:])
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve_archive(args.db, args.port, args.host)
    parser.print_help()
    return 2


def run_crawler_command(name: str, argv: list[str]) -> int:
    """Run a crawler-side command in a child process; returns its exit status."""
    module, _ = CRAWLER_COMMANDS[name]
    try:
        return subprocess.call([sys.executable, "-m", module, *argv])
    except KeyboardInterrupt:
        return 130


def serve_archive(db: str, port: int, host: str) -> int:
    from datasette.cli import cli as datasette_cli  # imported here: `crawl` should not pay for it

    if not Path(db).is_file():
        print(f"newsarchive serve: no archive at {db!r}; run `newsarchive crawl URL --db {db}` first", file=sys.stderr)
        return 2
    if not 0 < port < 65536:
        print(f"newsarchive serve: bad port {port}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="newsarchive-") as tmp:
        metadata = os.path.join(tmp, "metadata.json")
        with open(metadata, "w", encoding="utf-8") as f:
            json.dump(metadata_for(db), f, ensure_ascii=False)
        arguments = ["serve", db, "--metadata", metadata, "--host", host, "--port", str(port),
                     "--setting", "sql_time_limit_ms", str(SQL_TIME_LIMIT_MS),
                     "--setting", "truncate_cells_html", "300"]
        try:
            datasette_cli.main(args=arguments, prog_name="datasette", standalone_mode=False)
        except KeyboardInterrupt:
            pass
        return 0


if __name__ == "__main__":
    sys.exit(main())
