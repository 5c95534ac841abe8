"""The archive's stored HTTP responses as a WARC file (``newsarchive export warc``), the format web
archivists and their tools read (warcio, pywb, ReplayWeb.page, Browsertrix).

For every row of ``snapshots`` (oldest first): a ``response`` record (the status line, the
headers as received, the body as stored) for the URL as it was requested, and a ``request``
record tied to it (``WARC-Concurrent-To``). The request is reconstructed (a GET with the Host and
the crawler's name): the archive does not keep the request headers it sent. A response whose
body equals an earlier one of the same URL (a page that changed and changed back) is written as
a ``revisit`` record (profile *identical payload digest*) pointing at the first. A ``warcinfo``
record opens the file. The kept images and attachments follow, one ``response`` record each
(status and ``Content-Type`` as recorded, the bytes from the media folder), so a replay shows
the pages with their pictures.

The crawler stores bodies decoded (gzip and deflate undone by Scrapy), so a ``Content-Encoding``
or ``Transfer-Encoding`` header is kept as ``X-Archive-Orig-…`` and ``Content-Length`` is the
stored body's: what the record holds and what its headers say agree (``warcio check``). Times
are UTC (``WARC-Date``), as the WARC standard requires. Written with warcio, gzip per record
when the file name ends in ``.gz``, as ``FILE.partial`` renamed when complete.
"""

from __future__ import annotations

import datetime
import gzip
import http
import io
import json
import os
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from . import package_version
from .jsonl import ExportError, check_portal, connect_read_only
from .media import media_dir, media_path

#: Headers that describe the transfer, not the stored body: renamed in the record.
TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


def warc_date(value: str) -> str:
    """An archive time (ISO 8601, +07:00) as a WARC-Date (UTC, ``YYYY-MM-DDTHH:MM:SSZ``)."""
    when = datetime.datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def http_headers(status: int, headers: dict[str, str], body: bytes) -> StatusAndHeaders:
    """The response's status line and headers, made true of the stored (decoded) body."""
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    kept = []
    for name, value in headers.items():
        if name.lower() in TRANSFER_HEADERS:
            if name.lower() != "content-length":
                kept.append((f"X-Archive-Orig-{name}", value))
        else:
            kept.append((name, value))
    kept.append(("Content-Length", str(len(body))))
    return StatusAndHeaders(f"{status} {reason}", kept, protocol="HTTP/1.1")


def request_headers(url: str) -> StatusAndHeaders:
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return StatusAndHeaders(f"GET {path} HTTP/1.1", [("Host", parts.netloc), ("User-Agent", "newsarchive")],
                            protocol="HTTP/1.1", is_http_request=True)


def snapshots(conn: sqlite3.Connection, *, portal: str | None = None, since: str | None = None):
    """The stored responses to export, oldest first (``portal``: those under its base URL)."""
    where, params = [], []
    if portal:
        where.append("coalesce(s.requested_url, s.url) LIKE (SELECT base_url FROM portals WHERE slug = ?) || '%'")
        params.append(portal)
    if since:
        where.append("s.fetched_at >= ?")
        params.append(since)
    sql = ("SELECT s.id, s.url, s.requested_url, s.fetched_at, s.status, s.headers, s.body, s.body_sha256 "
           "FROM snapshots s" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY s.fetched_at, s.id")
    return conn.execute(sql, params)


def media_files(conn: sqlite3.Connection, *, portal: str | None = None, since: str | None = None):
    """The kept images and attachments to export, oldest first (``portal``: those its articles use)."""
    where, params = ["m.sha256 IS NOT NULL"], []
    if portal:
        where.append("m.url IN (SELECT am.url FROM article_media am JOIN articles a ON a.id = am.article_id "
                     "WHERE a.portal = ?)")
        params.append(portal)
    if since:
        where.append("m.fetched_at >= ?")
        params.append(since)
    return conn.execute("SELECT m.url, m.sha256, m.content_type, m.fetched_at, m.status FROM media m WHERE "
                        + " AND ".join(where) + " ORDER BY m.fetched_at, m.url", params)


def write_warc(conn: sqlite3.Connection, out, *, filename: str, portal: str | None = None,
               since: str | None = None, compress: bool = True, media_root: str | None = None) -> dict[str, int]:
    """Write the records to the binary file ``out``; returns counts by record type. With
    ``media_root`` (the archive's media folder) the kept images and attachments follow the pages
    as response records (status and Content-Type as recorded: the archive keeps no other header)."""
    writer = WARCWriter(out, gzip=compress)
    writer.write_record(writer.create_warcinfo_record(filename, {
        "software": f"newsarchive {package_version()}", "format": "WARC File Format 1.0",
        "description": "Responses archived by newsarchive from Vietnamese provincial news portals",
        "isPartOf": portal or "all portals"}))
    counts = {"response": 0, "revisit": 0, "request": 0}
    first_seen: dict[tuple[str, str], tuple[str, str]] = {}  #: (uri, body sha256) → (payload digest, WARC-Date)
    for uri, fetched_at, status, header_dict, body, digest in _responses(conn, portal, since, media_root):
        date = warc_date(fetched_at)
        headers = http_headers(status, header_dict, body)
        original = first_seen.get((uri, digest))
        if original:
            record = writer.create_revisit_record(uri, digest=original[0], refers_to_uri=uri,
                                                  refers_to_date=original[1], http_headers=headers,
                                                  warc_headers_dict={"WARC-Date": date})
            counts["revisit"] += 1
        else:
            record = writer.create_warc_record(uri, "response", payload=io.BytesIO(body), length=len(body),
                                               http_headers=headers, warc_headers_dict={"WARC-Date": date})
            counts["response"] += 1
        writer.write_record(record)
        if not original:
            first_seen[(uri, digest)] = (record.rec_headers.get_header("WARC-Payload-Digest"), date)
        request = writer.create_warc_record(uri, "request", payload=io.BytesIO(b""), length=0,
                                            http_headers=request_headers(uri),
                                            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To":
                                                               record.rec_headers.get_header("WARC-Record-ID")})
        writer.write_record(request)
        counts["request"] += 1
    return counts


def _responses(conn: sqlite3.Connection, portal: str | None, since: str | None, media_root: str | None):
    """(URI, fetch time, status, headers, body, body SHA-256) of each stored response, then of each
    kept media file when ``media_root`` is given (a file missing from the folder is left out)."""
    for row in snapshots(conn, portal=portal, since=since):
        yield (row["requested_url"] or row["url"], row["fetched_at"], row["status"],
               json.loads(row["headers"] or "{}"), gzip.decompress(row["body"]), row["body_sha256"])
    if media_root is None:
        return
    for row in media_files(conn, portal=portal, since=since):
        try:
            body = Path(media_path(media_root, row["sha256"])).read_bytes()
        except FileNotFoundError:
            continue
        headers = {"Content-Type": row["content_type"]} if row["content_type"] else {}
        yield row["url"], row["fetched_at"], row["status"] or 200, headers, body, row["sha256"]


def export(db_path: str, out: str, *, portal: str | None = None, since: str | None = None) -> dict[str, int]:
    """Export the stored responses of the archive at ``db_path`` to the WARC file ``out``
    (gzip per record when it ends in ``.gz``). Raises :class:`~archive.jsonl.ExportError`."""
    conn = connect_read_only(db_path)
    partial = f"{out}.partial"
    try:
        check_portal(conn, portal)
        with open(partial, "wb") as f:
            counts = write_warc(conn, f, filename=Path(out).name, portal=portal, since=since,
                                compress=out.endswith(".gz"), media_root=media_dir(db_path))
        os.replace(partial, out)
    except OSError as error:
        Path(partial).unlink(missing_ok=True)
        raise ExportError(f"cannot write {out!r}: {error.strerror or error}") from error
    finally:
        conn.close()
    return counts
