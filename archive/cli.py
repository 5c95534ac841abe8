"""The ``newsarchive`` command: a thin layer over the library.

    newsarchive crawl START_URL [START_URL ...] | --portal SLUG | --all  --db PATH [options]
    newsarchive portals [--json]
    newsarchive inspect URL_OR_FILE [--url URL]
    newsarchive reparse --db PATH [--portal SLUG] [--verbose]
    newsarchive crawl … --frontier redis://HOST:PORT/N [--join]   (a crawl fleet's worker)
    newsarchive ingest --frontier redis://HOST:PORT/N --db PATH [--follow]   (its one writer)
    newsarchive serve --db PATH [--port N] [--host HOST] [--allowed-host NAME ...] [--allow-sql] [--cors]
    newsarchive backup --db PATH --out FILE [--force]
    newsarchive datasette-config --db PATH --out DIR [--allowed-host NAME ...]
    newsarchive export jsonl --db PATH --out FILE|- [--portal SLUG] [--since DATE]
    newsarchive export warc --db PATH --out FILE.warc.gz [--portal SLUG] [--since DATE]
    newsarchive export wacz --db PATH --out FILE.wacz [--portal SLUG] [--since DATE]

``crawl``, ``portals``, ``inspect``, ``reparse`` and ``ingest`` run ``python -m crawler.run`` /
``crawler.portals`` / ``crawler.inspect_page`` / ``crawler.reparse`` / ``crawler.ingest`` in a child process (Twisted's
reactor runs once per process, and ``archive`` does not import the crawler); signals are forwarded to it and its exit status is
passed through (see :func:`run_crawler_command`).
``serve`` runs Datasette (in this process) on the archive with the project's metadata;
``datasette-config`` writes that configuration as files for plain ``datasette`` instead.
"""

from __future__ import annotations

import argparse
import ipaddress
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from . import package_version

# archive.store, archive.reading and archive.datasette (sqlite-utils, Datasette) are imported by
# the commands that use them: the process that runs a crawler command stays small (about 12 MB
# instead of 35 MB) for as long as the crawl lasts.
#: Commands implemented by the crawler package: name → (module, help).
CRAWLER_COMMANDS = {
    "crawl": ("crawler.run", "crawl category listing pages into an archive"),
    "portals": ("crawler.portals", "list the registered portals"),
    "inspect": ("crawler.inspect_page", "show the platform and extraction of one page, as JSON"),
    "reparse": ("crawler.reparse", "re-extract archived articles from their stored responses, without network"),
    "ingest": ("crawler.ingest", "save what a crawl fleet (crawl --frontier) sends into the archive: its only writer"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="newsarchive", description="Archive Vietnamese provincial news portals.")
    parser.add_argument("--version", action="version", version=f"newsarchive {package_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, summary) in CRAWLER_COMMANDS.items():
        commands.add_parser(name, help=f"{summary} (see: newsarchive {name} --help)", add_help=False)
    serve = commands.add_parser("serve", help="browse and search an archive with Datasette")
    serve.add_argument("--db", default="archive.db", help="SQLite archive file (default: archive.db)")
    serve.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1; any other "
                                                          "is warned about and turns arbitrary SQL off)")
    serve.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                       help="a host name the server answers for besides localhost and IP addresses (its public "
                            "name behind a reverse proxy); repeatable")
    serve.add_argument("--allow-sql", action="store_true",
                       help="allow arbitrary read-only SQL when listening beyond loopback (always allowed on "
                            "127.0.0.1)")
    serve.add_argument("--cors", action="store_true", help="send Access-Control-Allow-Origin: * on JSON "
                                                           "(off by default)")
    backup = commands.add_parser("backup", help="copy an archive consistently, even while a crawl writes to it")
    backup.add_argument("--db", default="archive.db", help="SQLite archive file (default: archive.db)")
    backup.add_argument("--out", required=True, help="the copy to write (a single SQLite file)")
    backup.add_argument("--force", action="store_true", help="replace --out if it exists")
    files = commands.add_parser("datasette-config", help="write the Datasette configuration (metadata, canned "
                                "queries, charts) to a folder, for plain datasette or datasette package/publish")
    files.add_argument("--db", default="archive.db", help="the archive it is for (default: archive.db)")
    files.add_argument("--out", required=True, help="folder to write metadata.json into (created if needed)")
    files.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                       help="a host name to answer for besides localhost and IP addresses; repeatable")
    export = commands.add_parser("export", help="write the archive in a file format for other tools")
    export.add_argument("format", choices=["jsonl", "warc", "wacz"], help="jsonl: one article per line (JSON "
                        "Lines); warc: every stored HTTP response and kept image or attachment as WARC records; "
                        "wacz: that WARC packaged with its index and the articles as pages (ReplayWeb.page)")
    export.add_argument("--db", default="archive.db", help="SQLite archive file (default: archive.db)")
    export.add_argument("--out", required=True, help="the file to write (jsonl: - for standard output; warc: "
                                                      "gzip per record when it ends in .gz; wacz: FILE.wacz)")
    export.add_argument("--portal", metavar="SLUG", help="only this portal's articles")
    export.add_argument("--since", metavar="DATE", help="jsonl: only articles first seen or changed on or after "
                        "DATE; warc, wacz: only responses fetched on or after DATE (YYYY-MM-DD or an ISO 8601 time)")
    if argv[:1] and argv[0] in CRAWLER_COMMANDS:
        return run_crawler_command(argv[0], argv[1:])
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve_archive(args.db, args.port, args.host, cors=args.cors, allowed_hosts=args.allowed_host,
                             allow_sql=args.allow_sql)
    if args.command == "backup":
        return backup_archive(args.db, args.out, force=args.force)
    if args.command == "export":
        return export_archive(args.format, args.db, args.out, portal=args.portal, since=args.since)
    if args.command == "datasette-config":
        return write_datasette_config(args.db, args.out, args.allowed_host)
    parser.print_help()
    return 2


def run_crawler_command(name: str, argv: list[str]) -> int:
    """Run a crawler-side command in a child process and return its exit status.

    The child runs in a session of its own, so a terminal's Ctrl-C reaches it once, through
    this process: SIGINT and SIGTERM are forwarded (the first finishes the pages in flight and
    records the run as interrupted; a second stops at once), and this process waits for the
    child's own exit status (130 / 143 after a clean interruption). On Linux the child also
    gets SIGTERM if this process dies, so no crawler is ever left running on its own."""
    module, _ = CRAWLER_COMMANDS[name]
    child = subprocess.Popen([sys.executable, "-m", module, *argv], start_new_session=True,
                             preexec_fn=_terminate_with_parent)

    def forward(signum, _frame):
        if child.poll() is None:
            child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:  # only if a handler could not be installed
                forward(signal.SIGINT, None)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _terminate_with_parent() -> None:
    """In the child, before exec: ask Linux for SIGTERM when the parent dies (prctl
    PR_SET_PDEATHSIG); nothing elsewhere."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def is_loopback(host: str) -> bool:
    """Whether listening on ``host`` keeps the server on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve_archive(db: str, port: int, host: str, *, cors: bool = False, allowed_hosts: list[str] | None = None,
                  allow_sql: bool = False) -> int:
    """Serve ``db`` with Datasette and this package's plugin, within the limits of
    :mod:`archive.datasette.limits`. Beyond loopback, arbitrary SQL is off unless ``allow_sql``."""
    from datasette.cli import cli as datasette_cli

    from .datasette import config
    from .datasette.limits import limit_sqlite_heap

    if not Path(db).is_file():
        print(f"newsarchive serve: no archive at {db!r}; run `newsarchive crawl URL --db {db}` first", file=sys.stderr)
        return 2
    if not 0 < port < 65536:
        print(f"newsarchive serve: bad port {port}", file=sys.stderr)
        return 2
    public = not is_loopback(host)
    sql = allow_sql or not public
    if public:
        print(f"newsarchive serve: warning: listening on {host}: anyone who can reach port {port} can read the whole "
              "archive" + (" and run read-only SQL on it (each query within the limits)" if sql else
                           "; arbitrary SQL is off (--allow-sql turns it on)")
              + ". To publish the archive, keep the default 127.0.0.1 behind a reverse proxy and name the public host "
              "with --allowed-host (README: Publishing the archive).", file=sys.stderr)
    limit_sqlite_heap()
    names = [name for name in [*(allowed_hosts or []), host] if name and not _is_address(name)]
    with tempfile.TemporaryDirectory(prefix="newsarchive-") as tmp:
        metadata = config.write_metadata(db, Path(tmp) / "metadata.json", allowed_hosts=names)
        arguments = config.datasette_arguments(db, str(metadata), host=host, port=port, allow_sql=sql, cors=cors)
        try:
            datasette_cli.main(args=arguments, prog_name="datasette", standalone_mode=False)
        except KeyboardInterrupt:
            pass
        return 0


def write_datasette_config(db: str, out: str, allowed_hosts: list[str]) -> int:
    """``newsarchive datasette-config``: ``metadata.json`` for ``db`` in ``out``, and the commands
    that use it."""
    from .datasette import config

    try:
        Path(out).mkdir(parents=True, exist_ok=True)
        metadata = config.write_metadata(db, Path(out) / "metadata.json", allowed_hosts=allowed_hosts)
    except OSError as error:
        print(f"newsarchive datasette-config: cannot write to {out!r}: {error.strerror or error}", file=sys.stderr)
        return 2
    serve = config.datasette_command(db, str(metadata), host="127.0.0.1", port=8001, allow_sql=True)
    print(f"newsarchive datasette-config: wrote {metadata}\n"
          f"Serve it (in the environment where newsarchive is installed, which provides the plugin):\n  {serve}\n"
          "Beyond loopback, use --setting default_allow_sql off; public host names go in metadata.json "
          "(plugins.newsarchive.allowed_hosts, or run this again with --allowed-host NAME).")
    return 0


def export_archive(fmt: str, db: str, out: str, *, portal: str | None, since: str | None) -> int:
    """``newsarchive export jsonl|warc|wacz``: :func:`archive.jsonl.export`, :func:`archive.warc.export`
    or :func:`archive.wacz.export`, with a one-line report on stderr."""
    from . import jsonl, wacz, warc
    from .reading import is_date

    if since and not (len(since) >= 10 and is_date(since[:10])):
        print(f"newsarchive export: --since {since!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
        return 2
    if fmt != "jsonl" and out == "-":
        print(f"newsarchive export: a {fmt.upper()} goes to a file (--out FILE.{'warc.gz' if fmt == 'warc' else 'wacz'})",
              file=sys.stderr)
        return 2
    try:
        if fmt == "jsonl":
            done = f"{jsonl.export(db, out, portal=portal, since=since, stdout=sys.stdout)} articles"
        else:
            counts = (warc if fmt == "warc" else wacz).export(db, out, portal=portal, since=since)
            done = ", ".join(f"{n} {kind}" if kind == "pages" else f"{n} {kind} records" for kind, n in counts.items())
    except jsonl.ExportError as error:
        print(f"newsarchive export: {error}", file=sys.stderr)
        return 2
    print(f"newsarchive export: {done} → {out}", file=sys.stderr)
    return 0


def backup_archive(db: str, out: str, *, force: bool = False) -> int:
    """``newsarchive backup``: :func:`archive.store.backup`, with a one-line report."""
    from . import store

    if Path(out).exists() and not force:
        print(f"newsarchive backup: {out!r} exists; --force replaces it", file=sys.stderr)
        return 2
    try:
        copied = store.backup(db, out)
    except store.BackupError as error:
        print(f"newsarchive backup: {error}", file=sys.stderr)
        return 2
    print(f"newsarchive backup: {db} → {out}: {copied['articles']} articles, {copied['bytes'] / 2**20:.1f} MB, "
          f"integrity ok; {copied['media_files']} media files in {out}.media")
    return 0


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
