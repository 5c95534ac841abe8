"""The archive as JSON Lines, for researchers who work outside SQL (``newsarchive export jsonl``).

One JSON object per line (UTF-8, NFC text as stored), one line per article, in archive order
(``id``): every column of ``articles`` except the search index's copies of the text
(``search_folded``, ``search_marked``), plus the article's ``portal_name``, its ``images``
(``src``, ``caption``, ``alt``, in order) and its ``related_links`` ("Tin khác": ``url``,
``title``, ``published_at``, ``published_raw``, in order) and its ``media`` (each image and
attachment it links, in order: ``role`` (``image``, ``attachment``), ``url``, ``title`` (an
attachment's link text), and, when the file is kept, ``sha256``, ``content_type``, ``bytes``,
``file`` (its path under the archive's media folder, ``ab/cd/<sha256>``); ``status`` is the
portal's answer, 404 for a file it no longer had). Times are ISO 8601 (+07:00) as stored.
Read-only: it opens the archive with SQLite's ``mode=ro`` and never waits for a crawl.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .media import media_path

#: Columns of ``articles`` left out of an export (derived copies kept for search).
INTERNAL = {"search_folded", "search_marked"}


class ExportError(Exception):
    """The export cannot be made (what and why, in one line)."""


def connect_read_only(db_path: str) -> sqlite3.Connection:
    """The archive at ``db_path``, opened read-only (rows as :class:`sqlite3.Row`); raises
    :class:`ExportError` when there is none or it is not an archive."""
    if not Path(db_path).is_file():
        raise ExportError(f"no archive at {db_path!r}")
    try:
        conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        conn.execute("SELECT 1 FROM articles, snapshots LIMIT 1")
    except sqlite3.Error as error:
        raise ExportError(f"{db_path!r} is not an archive ({error})") from error
    return conn


def check_portal(conn: sqlite3.Connection, portal: str | None) -> None:
    """Raise :class:`ExportError` when ``portal`` is given and the archive has no portal of that
    slug (the message names the ones it has)."""
    if portal is None:
        return
    slugs = [r[0] for r in conn.execute("SELECT slug FROM portals ORDER BY slug")]
    if portal not in slugs:
        raise ExportError(f"no portal {portal!r} in the archive (it has: {', '.join(slugs) or 'none'})")


def articles(conn: sqlite3.Connection, *, portal: str | None = None, since: str | None = None) -> Iterator[dict]:
    """Each article (of ``portal``; changed or first seen on or after ``since``, a date or time)
    as the dict written on its line (``conn`` from :func:`connect_read_only`)."""
    where, params = [], []
    if portal:
        where.append("a.portal = ?")
        params.append(portal)
    if since:
        where.append("max(coalesce(a.last_changed_at, ''), coalesce(a.first_seen_at, '')) >= ?")
        params.append(since)
    sql = ("SELECT a.*, p.name AS portal_name FROM articles a LEFT JOIN portals p ON p.slug = a.portal"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY a.id")
    images = conn.cursor()
    related = conn.cursor()
    linked = conn.cursor()
    has_media = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'article_media'").fetchone() is not None
    for row in conn.execute(sql, params):
        record: dict[str, Any] = {k: row[k] for k in row.keys() if k not in INTERNAL}
        record["images"] = [dict(r) for r in images.execute(
            "SELECT src, caption, alt FROM images WHERE article_id = ? ORDER BY position", [row["id"]])]
        record["related_links"] = [dict(r) for r in related.execute(
            "SELECT url, title, published_at, published_raw FROM related_links WHERE article_id = ? ORDER BY position",
            [row["id"]])]
        record["media"] = [_media_reference(r) for r in linked.execute(
            "SELECT am.role, am.url, am.title, m.sha256, m.content_type, m.bytes, m.status FROM article_media am "
            "LEFT JOIN media m ON m.url = am.url WHERE am.article_id = ? ORDER BY am.role DESC, am.position",
            [row["id"]])] if has_media else []
        yield record


def _media_reference(row: sqlite3.Row) -> dict[str, Any]:
    reference = dict(row)
    if reference["sha256"]:
        reference["file"] = media_path("", reference["sha256"])
    else:
        for missing in ("sha256", "content_type", "bytes"):
            del reference[missing]
    return reference


def write(records: Iterator[dict], out: IO[str]) -> int:
    """Write ``records`` as JSON Lines to ``out``; returns how many."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def export(db_path: str, out: str, *, portal: str | None = None, since: str | None = None,
           stdout: IO[str] | None = None) -> int:
    """Export the archive at ``db_path`` to the file ``out`` (written as ``out.partial``, then
    renamed: an interrupted export leaves no half file) or, for ``out == "-"``, to ``stdout``.
    Returns the number of articles. Raises :class:`ExportError`."""
    conn = connect_read_only(db_path)
    try:
        check_portal(conn, portal)
        if out == "-":
            return write(articles(conn, portal=portal, since=since), stdout or sys.stdout)
        partial = f"{out}.partial"
        try:
            with open(partial, "w", encoding="utf-8") as f:
                count = write(articles(conn, portal=portal, since=since), f)
            os.replace(partial, out)
        except OSError as error:
            Path(partial).unlink(missing_ok=True)
            raise ExportError(f"cannot write {out!r}: {error.strerror or error}") from error
        return count
    finally:
        conn.close()
