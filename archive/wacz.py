"""The archive as a WACZ file (``newsarchive export wacz``): the WARC of :mod:`archive.warc`
packaged the way ReplayWeb.page and Browsertrix open it directly (WACZ 1.1.1: a zip holding
``archive/<name>.warc.gz``, its CDXJ index ``indexes/index.cdx.gz``, ``pages/pages.jsonl`` and a
``datapackage.json`` with each file's SHA-256).

The page list is the exported articles (the URL of their latest stored response, with the
article's title), so a replay lists the articles rather than every image and listing page. Built with Webrecorder's ``wacz`` package (an optional dependency:
``pip install 'newsarchive[wacz]'``), written as ``FILE.partial`` and renamed when complete.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import tempfile
from pathlib import Path

from .jsonl import ExportError, check_portal, connect_read_only
from .media import media_dir
from .warc import write_warc


def pages(conn: sqlite3.Connection, *, portal: str | None = None, since: str | None = None) -> list[dict]:
    """The exported articles as WACZ pages (``url`` as requested, ``title``)."""
    where, params = ["s.kind = 'article'"], []
    if portal:
        where.append("a.portal = ?")
        params.append(portal)
    if since:
        where.append("s.fetched_at >= ?")
        params.append(since)
    rows = conn.execute(
        "SELECT coalesce(s.requested_url, s.url) AS url, a.title, max(s.fetched_at) AS fetched_at "
        "FROM snapshots s JOIN articles a ON a.url = s.url WHERE " + " AND ".join(where)
        + " GROUP BY a.id ORDER BY a.id", params)
    return [{"url": r["url"], "title": r["title"] or r["url"]} for r in rows]


def export(db_path: str, out: str, *, portal: str | None = None, since: str | None = None) -> dict[str, int]:
    """Export the archive at ``db_path`` to the WACZ file ``out``; returns the WARC's counts by
    record type and ``pages``. Raises :class:`~archive.jsonl.ExportError`."""
    try:
        from wacz.main import main as wacz_main
    except ImportError as error:
        raise ExportError("a WACZ is built with the wacz package: pip install 'newsarchive[wacz]'") from error
    conn = connect_read_only(db_path)
    partial = f"{out}.partial"
    try:
        check_portal(conn, portal)
        with tempfile.TemporaryDirectory(prefix="newsarchive-wacz-") as work:
            warc_file = Path(work) / f"{Path(out).name.removesuffix('.wacz') or 'archive'}.warc.gz"
            with open(warc_file, "wb") as f:
                counts = write_warc(conn, f, filename=warc_file.name, portal=portal, since=since,
                                    media_root=media_dir(db_path))
            listed = pages(conn, portal=portal, since=since)
            pages_file = Path(work) / "pages.jsonl"
            pages_file.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in [
                {"format": "json-pages-1.0", "id": "pages", "title": "Articles"}, *listed]) + "\n", encoding="utf-8")
            arguments = ["create", "-o", partial, str(warc_file),
                         "--title", f"newsarchive: {portal or 'all portals'}",
                         "--desc", "Articles archived by newsarchive from Vietnamese provincial news portals"]
            if listed:
                arguments += ["-p", str(pages_file)]
            said = io.StringIO()
            with contextlib.redirect_stdout(said):
                status = wacz_main(arguments)
            if status:
                raise ExportError(f"the wacz package could not build {out!r}: {said.getvalue().strip()[-500:]}")
        os.replace(partial, out)
    except OSError as error:
        Path(partial).unlink(missing_ok=True)
        raise ExportError(f"cannot write {out!r}: {error.strerror or error}") from error
    except ExportError:
        Path(partial).unlink(missing_ok=True)
        raise
    finally:
        conn.close()
    return {**counts, "pages": len(listed)}
