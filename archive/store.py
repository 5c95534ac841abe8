"""The only code that writes the archive's SQLite database (through sqlite-utils).

Tables (a public API: documented in the README, queried by researchers, named in Datasette
templates; keep them stable):

``portals``         one row per portal (slug from crawler/portals.toml, else ``host[:port]``).
``articles``        one row per canonical article URL, latest extracted version.
``images``          images of an article in order (``article_id``, ``position``).
``related_links``   its "Tin khác" list in order (``article_id``, ``position``).
``article_revisions`` the previous version of an article each time its content changed.
``article_urls``    every URL an article was linked or fetched under (its aliases) → its id.
``snapshots``       each HTTP response that brought a new version of a page (gzip body): articles,
                    listing pages, robots.txt, pages read that were not articles (``kind``).
``crawl_runs``      one row per crawl, with its counters kept up to date while it runs.
``crawl_portal_runs`` per crawl and portal: its counters, and whether it was healthy.
``media``           each image or attachment fetched: URL, SHA-256 (the file: ``<archive>.media/ab/cd/<sha256>``),
                    type, size, fetch time, status.
``article_media``   each article's images and attachments (role, position, URL, title) → ``media``.
``failures``        every page that failed, until it answers (``resolved_at``): retried first.
``ingest_positions`` how far the writer of a crawl fleet has saved the fleet's item stream.
``listing_walks``   per start URL: how many listing pages the latest walk read, and whether it
                    completed (an interrupted walk is read again to that depth by the next crawl).
``articles_fts``    FTS5 over ``search_folded`` and ``search_marked``: the title, summary, body and
                    captions folded (no marks) and as spelled (marks kept), tokenizer
                    ``unicode61 remove_diacritics 0``.

:func:`backup` writes a consistent copy of an archive to another file.

All times are ISO 8601 with ``+07:00``. Saving is idempotent: saving the same article again
changes only ``articles.last_seen_at`` (and what is refreshed without a revision: its category,
related links and HTTP validators); an article whose content did not change adds no snapshot.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlite_utils import Database, Migrations
from sqlite_utils.db import Column, NoTable, Table, jsonify_if_needed, quote_identifier
from zlib_ng import gzip_ng

from .media import media_dir, media_path
from .search import fold, spelled

#: Article fields whose change is an edit: a new revision, the old version kept in
#: ``article_revisions``. The category (the listing that reached it), the related list ("Tin
#: khác") and the validators are refreshed without a revision; the page's chrome (header date,
#: sidebar, view counter) is not extracted at all.
CONTENT_FIELDS = (
    "title", "summary", "author", "source", "published_at", "published_raw", "body_text", "body_html", "images",
)
#: What ``articles_fts`` indexes: the article's searchable text folded and as spelled (see
#: :mod:`archive.search`), with a tokenizer that keeps marks, so "điện" and "diễn" are two words
#: in ``search_marked`` and one ("dien") in ``search_folded``.
FTS_COLUMNS = ["search_folded", "search_marked"]
FTS_TOKENIZER = "unicode61 remove_diacritics 0"
#: The first index (until m009): the text columns and the folded copy, marks removed by the tokenizer.
_FTS_COLUMNS_V1 = ["title", "summary", "body_text", "captions", "search_folded"]

migrations = Migrations("newsarchive")


@migrations()
def m001_initial(db: Database) -> None:
    db.table("portals").create(
        {"slug": str, "name": str, "base_url": str, "platform": str, "first_seen_at": str, "last_seen_at": str},
        pk="slug",
    )
    db.table("crawl_runs").create(
        {"id": int, "started_at": str, "finished_at": str, "start_urls": str, "pages_fetched": int,
         "articles_new": int, "articles_updated": int, "articles_unchanged": int, "failures": int},
        pk="id",
    )
    db.table("articles").create(
        {"id": int, "url": str, "portal": str, "platform": str, "category": str, "title": str,
         "summary": str, "author": str, "source": str, "published_at": str, "published_raw": str,
         "body_text": str, "body_html": str, "captions": str, "first_seen_at": str, "last_seen_at": str,
         "last_changed_at": str, "content_hash": str, "search_folded": str},
        pk="id",
        not_null={"url", "title"},
        foreign_keys=[("portal", "portals", "slug")],
    )
    db.table("articles").create_index(["url"], unique=True)
    db.table("articles").create_index(["published_at"])
    db.table("articles").create_index(["portal", "category"])
    db.table("images").create(
        {"article_id": int, "position": int, "src": str, "caption": str, "alt": str},
        pk=("article_id", "position"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("related_links").create(
        {"article_id": int, "position": int, "url": str, "title": str, "published_at": str, "published_raw": str},
        pk=("article_id", "position"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("related_links").create_index(["url"])
    db.table("article_revisions").create(
        {"id": int, "article_id": int, "content_hash": str, "valid_from": str, "valid_until": str, "content": str},
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("article_revisions").create_index(["article_id"])
    db.table("snapshots").create(
        {"id": int, "url": str, "fetched_at": str, "status": int, "headers": str, "body": bytes,
         "body_sha256": str, "crawl_run_id": int},
        pk="id",
        foreign_keys=[("crawl_run_id", "crawl_runs", "id")],
    )
    db.table("snapshots").create_index(["url", "fetched_at"])
    db.table("articles").enable_fts(_FTS_COLUMNS_V1, tokenize="unicode61 remove_diacritics 2", create_triggers=True)


@migrations()
def m002_portal_province(db: Database) -> None:
    db.table("portals").add_column("province", str)


@migrations()
def m003_published_year(db: Database) -> None:
    """A plain column to facet articles by year (Datasette facets by column value)."""
    db.table("articles").add_column("published_year", str)
    db.execute("UPDATE articles SET published_year = substr(published_at, 1, 4) WHERE published_at IS NOT NULL")
    db.table("articles").create_index(["published_year"])


@migrations()
def m004_month_charts_index(db: Database) -> None:
    """Covering index for the monthly charts: group by month and portal/category without reading
    every row (3.2 s → 1.1 s unfiltered, 0.4 s → 0.06 s for a two-year range, on 1M articles)."""
    db.table("articles").create_index(["published_at", "portal", "category"])


@migrations()
def m005_provenance_and_yield(db: Database) -> None:
    """Which page object produced each field of an article (the fallback cascade); what each start
    URL of a crawl yielded, with the warnings a person should read; the URL a snapshot was
    requested under (``snapshots.url`` is the page's identity, requests go to the URL as linked)."""
    db.table("articles").add_column("extracted_by", str)
    db.table("crawl_runs").add_column("start_url_yields", str)
    db.table("crawl_runs").add_column("warnings", str)
    db.table("snapshots").add_column("requested_url", str)


@migrations()
def m006_incremental(db: Database) -> None:
    """Nightly crawls that cost only what changed: take-downs, HTTP validators and the URL to
    recheck an article at, every URL an article is known under, per-start-URL listing walks,
    crawl runs that record their progress and status. Content hashes are recomputed: the related
    list and the category no longer make a revision (:data:`CONTENT_FIELDS`)."""
    for column in ("removed_at", "removed_reason", "fetch_url", "etag", "last_modified"):
        db.table("articles").add_column(column, str)
    for column, kind in (("status", str), ("requests", int), ("not_modified", int), ("articles_taken_down", int),
                         ("pid", int), ("hostname", str), ("progress_at", str)):
        db.table("crawl_runs").add_column(column, kind)
    db.execute("UPDATE crawl_runs SET status = CASE WHEN finished_at IS NULL THEN 'interrupted' ELSE 'finished' END")
    db.table("article_urls").create({"url": str, "article_id": int}, pk="url",
                                    foreign_keys=[("article_id", "articles", "id")])
    db.table("article_urls").create_index(["article_id"])
    db.table("listing_walks").create(
        {"start_url": str, "pages_read": int, "complete": int, "crawl_run_id": int, "updated_at": str},
        pk="start_url", foreign_keys=[("crawl_run_id", "crawl_runs", "id")])
    db.execute("INSERT OR IGNORE INTO article_urls (url, article_id) SELECT url, id FROM articles")
    db.execute("INSERT OR IGNORE INTO article_urls (url, article_id) SELECT s.requested_url, a.id FROM snapshots s "
               "JOIN articles a ON a.url = s.url WHERE s.requested_url IS NOT NULL")
    db.execute("UPDATE articles SET fetch_url = (SELECT s.requested_url FROM snapshots s WHERE s.url = articles.url "
               "ORDER BY s.fetched_at DESC, s.id DESC LIMIT 1)")
    db.table("articles").create_index(["removed_at"])
    _reindex_on_update_of(db, _FTS_COLUMNS_V1)
    for row in list(db.query(f"SELECT id, {', '.join(f for f in CONTENT_FIELDS if f != 'images')} FROM articles")):
        row["images"] = list(db.query("SELECT src, caption, alt FROM images WHERE article_id = ? ORDER BY position",
                                      [row["id"]]))
        db.execute("UPDATE articles SET content_hash = ? WHERE id = ?", [content_hash(row), row["id"]])


@migrations()
def m007_portal_health_and_failures(db: Database) -> None:
    """Per-portal health of each crawl, and every page that failed (retried first next time)."""
    db.table("crawl_portal_runs").create(
        {"id": int, "crawl_run_id": int, "portal": str, "start_urls": str, "requests": int, "listing_pages": int,
         "articles_new": int, "articles_updated": int, "articles_unchanged": int, "articles_taken_down": int,
         "failures": int, "failure_rate": float, "status": str, "message": str, "finished_at": str},
        pk="id", foreign_keys=[("crawl_run_id", "crawl_runs", "id")])
    db.table("crawl_portal_runs").create_index(["portal", "crawl_run_id"])
    db.table("failures").create(
        {"id": int, "crawl_run_id": int, "portal": str, "url": str, "kind": str, "reason": str, "attempts": int,
         "first_failed_at": str, "last_failed_at": str, "resolved_at": str},
        pk="id", foreign_keys=[("crawl_run_id", "crawl_runs", "id")])
    db.table("failures").create_index(["url"])
    db.table("failures").create_index(["resolved_at", "portal"])


@migrations()
def m008_fold_drops_format_characters(db: Database) -> None:
    """``search_folded`` no longer keeps invisible format characters (a zero-width space inside a
    word split it): refold the articles whose text holds one."""
    from .search import FORMAT_CHARACTERS

    db.conn.create_function("has_format_character", 1,
                            lambda text: 1 if text and FORMAT_CHARACTERS.search(text) else 0)
    for row in list(db.query("SELECT id, title, summary, body_text, captions FROM articles WHERE "
                             "has_format_character(coalesce(title, '') || coalesce(summary, '') || "
                             "coalesce(body_text, '') || coalesce(captions, ''))")):
        searchable = [row["title"], row["summary"], row["body_text"], row["captions"]]
        db.execute("UPDATE articles SET search_folded = ? WHERE id = ?", [fold(_searchable_text(searchable)), row["id"]])


@migrations()
def m009_accent_aware_search(db: Database) -> None:
    """Accent-aware search: each article also keeps its text as spelled (``search_marked``), and
    ``articles_fts`` is rebuilt over ``search_folded`` and ``search_marked`` with a tokenizer that
    keeps marks. A query typed with marks then matches that spelling only. (9 s for 20,000
    articles of 3 KB, measured.)"""
    db.table("articles").add_column("search_marked", str)
    db.conn.create_function("searchable_spelled", 4, lambda *parts: spelled(_searchable_text(parts)),
                            deterministic=True)
    db.execute("UPDATE articles SET search_marked = searchable_spelled(title, summary, body_text, captions)")
    for trigger in ("articles_ai", "articles_ad", "articles_au"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.table("articles").enable_fts(FTS_COLUMNS, tokenize=FTS_TOKENIZER, create_triggers=True, replace=True)
    _reindex_on_update_of(db, FTS_COLUMNS)


@migrations()
def m010_newest_per_portal_index(db: Database) -> None:
    """The newest articles of one portal without sorting all of them (the search page with
    nothing typed shows each portal's newest; ``/search?portal=…`` lists a portal newest first)."""
    db.table("articles").create_index(["portal", "published_at"])


@migrations()
def m011_snapshot_kind(db: Database) -> None:
    """Listing pages are kept too (once per distinct body): each snapshot says what it is
    (``article``, ``listing``, ``page``). Older rows: ``article`` when an article has that URL."""
    db.table("snapshots").add_column("kind", str)
    db.execute("UPDATE snapshots SET kind = CASE WHEN url IN (SELECT url FROM articles) THEN 'article' "
               "ELSE 'page' END")


@migrations()
def m012_media(db: Database) -> None:
    """Images and attachments of archived articles: ``media`` (one row per URL, the bytes in files
    named by their SHA-256 beside the archive) and ``article_media`` (each article's links to them)."""
    db.table("media").create({"url": str, "sha256": str, "content_type": str, "bytes": int, "fetched_at": str,
                              "status": int}, pk="url")
    db.table("media").create_index(["sha256"])
    db.table("article_media").create({"article_id": int, "role": str, "position": int, "url": str, "title": str},
                                     pk=("article_id", "role", "position"),
                                     foreign_keys=[("article_id", "articles", "id")])
    db.table("article_media").create_index(["url"])


@migrations()
def m013_ingest_positions(db: Database) -> None:
    """How far the writer of a crawl fleet has read the fleet's item stream: saved in the same
    transaction as the items, so an item delivered again after a restart is not saved twice."""
    db.table("ingest_positions").create({"stream": str, "last_id": str, "updated_at": str}, pk="stream")


def _reindex_on_update_of(db: Database, columns: list[str]) -> None:
    """Re-index an article for search only when a searched column changes (sqlite-utils' trigger
    fires on any update: every recheck's last_seen_at rewrote the article's FTS entries)."""
    searched = ", ".join(f'"{c}"' for c in columns)
    db.execute("DROP TRIGGER IF EXISTS articles_au")
    db.execute(f"""CREATE TRIGGER articles_au AFTER UPDATE OF {searched} ON articles BEGIN
  INSERT INTO articles_fts (articles_fts, rowid, {searched}) VALUES ('delete', old.rowid, {", ".join(f'old."{c}"' for c in columns)});
  INSERT INTO articles_fts (rowid, {searched}) VALUES (new.rowid, {", ".join(f'new."{c}"' for c in columns)});
END""")


#: How long a write waits for another connection's transaction before "database is locked".
BUSY_TIMEOUT_MS = 30_000


_SCHEMA_CHANGE = re.compile(r"\s*(create|drop|alter)\b", re.I)


class ArchiveDatabase(Database):
    """sqlite-utils' ``Database``, its answers about the schema kept while the schema stays as
    it is.

    sqlite-utils asks for the table names and the view names (scans of ``sqlite_master``, some
    sixty rows with the search index's) and a table's columns (``PRAGMA table_info``) before
    nearly every insert, update or lookup: fifty times for each article a crawl saves. The
    answers are kept with SQLite's schema version, which any change to the schema, by this
    connection or another, moves on; one ``PRAGMA schema_version`` replaces each question.
    While this connection's own change (``CREATE``, ``DROP``, ``ALTER`` through sqlite-utils) is
    not committed, nothing is kept: a rollback takes the version number back, and the next
    change would come with the same number."""

    _schema_version: int | None = None
    _answers: dict[Any, list]  # set with _schema_version
    _changing = False  #: this connection changed the schema in a transaction not yet ended

    def _by_schema(self, question: Any, ask: Callable[[], list]) -> list:
        if self._changing:
            if self.conn.in_transaction:
                return ask()
            self._changing = False
        version = self.conn.execute("PRAGMA schema_version").fetchone()[0]
        if version != self._schema_version:
            self._schema_version, self._answers = version, {}
        if question not in self._answers:
            self._answers[question] = ask()
        return list(self._answers[question])

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
        if _SCHEMA_CHANGE.match(sql):
            self._changing = True
        return super().execute(sql, parameters)

    def _executescript(self, sql: str) -> sqlite3.Cursor:  # what executescript runs too
        self._changing = True
        return super()._executescript(sql)

    def table_names(self, fts4: bool = False, fts5: bool = False) -> list[str]:
        return self._by_schema(("tables", fts4, fts5), lambda: super(ArchiveDatabase, self).table_names(fts4, fts5))

    def view_names(self) -> list[str]:
        return self._by_schema("views", super().view_names)

    def table(self, table_name: str, **kwargs: Any) -> Table:
        kwargs.setdefault("strict", self.strict)
        if table_name in self.view_names():
            raise NoTable(f"Table {table_name} is actually a view")
        return _ArchiveTable(self, table_name, **kwargs)


class _ArchiveTable(Table):
    """A table whose columns :class:`ArchiveDatabase` keeps with the schema."""

    db: ArchiveDatabase

    @property
    def columns(self) -> list[Column]:
        return self.db._by_schema(("columns", self.name), lambda: Table.columns.fget(self))  # type: ignore[attr-defined]


def open_db(path: str) -> Database:
    """Open (creating if needed) the archive at ``path`` and bring its schema up to date. A
    write waits up to :data:`BUSY_TIMEOUT_MS` for a reader or another writer to finish."""
    db = ArchiveDatabase(path)
    db.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
    ensure_db_shape(db)
    return db


def ensure_db_shape(db: Database) -> None:
    """Idempotent: apply pending migrations, switch on WAL (file databases) and foreign keys."""
    if db.conn.execute("pragma database_list").fetchone()[2]:
        db.enable_wal()
    db.execute("pragma foreign_keys = on")
    migrations.apply(db)


def _insert(db: Database, table: str, rows: list[dict[str, Any]], *, upsert_on: str | None = None) -> int | None:
    """Insert ``rows`` (dicts with the same keys) into the existing ``table``, one prepared
    statement for all of them; with ``upsert_on`` (a unique column), a row whose value there is
    taken updates that row's other columns instead. Returns the rowid of a single row inserted
    (``None`` for no row or several). Outside a transaction the rows are committed at once;
    inside one, they are part of it (the caller's savepoint, if any, covers several rows).

    What sqlite-utils' ``insert_all``/``upsert_all`` store, values converted the same way
    (lists and dicts as JSON), for the rows of every article a crawl saves: without their
    questions about the table, their savepoint around each call and their conversion of every
    value written in Python (the crawl's pipeline saved 8 % more articles a second in the ingest
    bench)."""
    if not rows:
        return None
    if not db.conn.in_transaction:  # committed at once, as sqlite-utils' insert_all does
        with db.atomic():
            return _insert(db, table, rows, upsert_on=upsert_on)
    sql = _insert_sql(table, tuple(rows[0]), upsert_on)
    if len(rows) == 1:
        return db.conn.execute(sql, [jsonify_if_needed(value) for value in rows[0].values()]).lastrowid
    db.conn.executemany(sql, [[jsonify_if_needed(value) for value in row.values()] for row in rows])
    return None


@functools.lru_cache(maxsize=64)
def _insert_sql(table: str, columns: tuple[str, ...], upsert_on: str | None) -> str:
    names = ", ".join(quote_identifier(column) for column in columns)
    sql = f"INSERT INTO {quote_identifier(table)} ({names}) VALUES ({', '.join('?' * len(columns))})"
    if upsert_on is not None:
        updates = ", ".join(f"{quote_identifier(c)} = excluded.{quote_identifier(c)}" for c in columns if c != upsert_on)
        sql += f" ON CONFLICT({quote_identifier(upsert_on)}) DO " + (f"UPDATE SET {updates}" if updates else "NOTHING")
    return sql


# --- portals and crawl runs ------------------------------------------------------------------


def save_portal(db: Database, slug: str, *, name: str | None, base_url: str, platform: str | None, seen_at: str,
                province: str | None = None) -> None:
    """Insert or refresh a portal; ``first_seen_at`` and ``base_url`` are kept, known values are
    never blanked (by ``None`` or ``""``). One statement: the crawl asks it of every article."""
    db.execute(
        "INSERT INTO portals (slug, name, province, base_url, platform, first_seen_at, last_seen_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slug) DO UPDATE SET "
        "name = coalesce(nullif(excluded.name, ''), portals.name), "
        "province = coalesce(nullif(excluded.province, ''), portals.province), "
        "platform = coalesce(nullif(excluded.platform, ''), portals.platform), "
        "last_seen_at = excluded.last_seen_at",
        [slug, name, province, base_url, platform, seen_at, seen_at])


#: Counters of a crawl run (``crawl_runs`` columns).
RUN_COUNTERS = ("requests", "pages_fetched", "not_modified", "articles_new", "articles_updated",
                "articles_unchanged", "articles_taken_down", "failures")
#: ``crawl_runs.status``: ``running`` until it ends; ``finished`` (everything it set out to do);
#: ``interrupted`` (a signal, or a process found dead by the next crawl: its counters are those
#: of its last saved item); ``stopped`` (a limit such as ``--max-pages``, or an error).
RUN_STATUSES = ("running", "finished", "interrupted", "stopped")


def start_crawl_run(db: Database, start_urls: Iterable[str], started_at: str, *, pid: int | None = None,
                    hostname: str | None = None) -> int:
    """Record the start of a crawl (status ``running``, by process ``pid`` on ``hostname``);
    returns the run id."""
    run_id = db.table("crawl_runs").insert({
        "started_at": started_at, "start_urls": json.dumps(list(start_urls), ensure_ascii=False),
        "status": "running", "pid": pid, "hostname": hostname, "progress_at": started_at,
        **{counter: 0 for counter in RUN_COUNTERS},
    }).last_pk
    if not isinstance(run_id, int):  # crawl_runs.id is an INTEGER PRIMARY KEY: never
        raise TypeError(f"crawl_runs gave no run id: {run_id!r}")
    return run_id


def record_crawl_progress(db: Database, run_id: int, at: str, counts: Mapping[str, int]) -> None:
    """Save a running crawl's counters so far (:data:`RUN_COUNTERS`), so that a crawl killed
    without warning leaves them."""
    db.table("crawl_runs").update(run_id, {"progress_at": at, **_counters(counts)})


def finish_crawl_run(db: Database, run_id: int, finished_at: str, counts: Mapping[str, int], *,
                     status: str = "finished", start_url_yields: list[Mapping[str, Any]] | None = None,
                     warnings: list[str] | None = None) -> None:
    """Record the end of a crawl: its status (:data:`RUN_STATUSES`), counters
    (:data:`RUN_COUNTERS`), what each start URL yielded (a list of JSON objects) and the
    warnings of the run (a list of strings)."""
    if status not in RUN_STATUSES:
        raise ValueError(f"unknown crawl run status {status!r}")
    row: dict[str, Any] = {"finished_at": finished_at, "progress_at": finished_at, "status": status,
                           **_counters(counts)}
    if start_url_yields is not None:
        row["start_url_yields"] = json.dumps(list(start_url_yields), ensure_ascii=False)
    if warnings is not None:
        row["warnings"] = json.dumps(list(warnings), ensure_ascii=False)
    db.table("crawl_runs").update(run_id, row)


def running_crawl_runs(db: Database) -> list[dict[str, Any]]:
    """Crawl runs whose row says ``running`` (really running, or killed before they could say)."""
    return list(db["crawl_runs"].rows_where("status = 'running'", order_by="id"))


def close_interrupted_run(db: Database, run_id: int) -> None:
    """Close the row of a crawl that died without closing it: status ``interrupted``, finished
    at its last recorded progress, counters as it last saved them."""
    db.execute("UPDATE crawl_runs SET status = 'interrupted', finished_at = coalesce(progress_at, started_at) "
               "WHERE id = ? AND status = 'running'", [run_id])
    db.conn.commit()


def _counters(counts: Mapping[str, int]) -> dict[str, int]:
    return {k: int(v) for k, v in counts.items() if k in RUN_COUNTERS}


# --- per-portal health and failed pages -------------------------------------------------------


def record_portal_run(db: Database, crawl_run_id: int, row: Mapping[str, Any]) -> None:
    """One portal's part of a crawl (``crawl_portal_runs``): ``portal``, ``start_urls`` (list),
    ``requests``, ``listing_pages``, ``articles_new`` / ``_updated`` / ``_unchanged`` /
    ``_taken_down``, ``failures``, ``failure_rate``, ``status`` (``healthy``, ``unhealthy``,
    ``interrupted``), ``message`` (what is wrong), ``finished_at``."""
    start_urls = json.dumps(list(row.get("start_urls") or []), ensure_ascii=False)
    db.table("crawl_portal_runs").insert({**row, "crawl_run_id": crawl_run_id, "start_urls": start_urls})


def record_failure(db: Database, *, crawl_run_id: int, portal: str, url: str, kind: str, reason: str,
                   at: str) -> None:
    """A page that failed (``kind`` ``"article"`` or ``"listing"``, ``url`` as requested): a new
    ``failures`` row, or one more attempt of its open row."""
    with db.atomic():
        open_row = _get(db, "failures", "url = ? AND resolved_at IS NULL", [url])
        if open_row is None:
            db.table("failures").insert({"crawl_run_id": crawl_run_id, "portal": portal, "url": url, "kind": kind,
                                         "reason": reason, "attempts": 1, "first_failed_at": at, "last_failed_at": at})
        else:
            db.table("failures").update(open_row["id"], {"crawl_run_id": crawl_run_id, "reason": reason,
                                                         "attempts": open_row["attempts"] + 1, "last_failed_at": at})


def resolve_failures(db: Database, urls: Iterable[str], at: str) -> int:
    """The pages ``urls`` answered: their open failures are resolved. Returns how many."""
    urls = [u for u in dict.fromkeys(urls) if u]
    if not urls:
        return 0
    with db.atomic():
        cursor = db.execute(f"UPDATE failures SET resolved_at = ? WHERE resolved_at IS NULL AND url IN "
                            f"({', '.join('?' * len(urls))})", [at, *urls])
    return cursor.rowcount


def failures_to_retry(db: Database, hosts: Iterable[str], *, kind: str = "article",
                      max_attempts: int = 5) -> list[dict[str, Any]]:
    """Open failures of ``kind`` on ``hosts`` tried fewer than ``max_attempts`` times, oldest
    first: ``url``, ``reason``, ``attempts``."""
    where, params = _host_ranges(hosts)
    return list(db.query(f"SELECT url, reason, attempts FROM failures WHERE {where} AND resolved_at IS NULL "
                         f"AND kind = ? AND attempts < ? ORDER BY first_failed_at, id", [*params, kind, max_attempts]))


# --- listing walks ---------------------------------------------------------------------------


def listing_walks(db: Database, start_urls: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The latest walk of each of ``start_urls`` that has one: ``{start_url: {"pages_read",
    "complete", "crawl_run_id", "updated_at"}}``."""
    urls = list(start_urls)
    if not urls:
        return {}
    marks = ", ".join("?" * len(urls))
    return {row["start_url"]: row for row in db["listing_walks"].rows_where(f"start_url IN ({marks})", urls)}


def record_listing_walk(db: Database, start_url: str, *, pages_read: int, complete: bool, crawl_run_id: int,
                        at: str) -> None:
    """Save how far a walk of ``start_url``'s listing got (``pages_read`` listing pages) and
    whether it completed (read every page it needed and every article those pages listed)."""
    db.table("listing_walks").upsert({"start_url": start_url, "pages_read": pages_read, "complete": int(complete),
                                      "crawl_run_id": crawl_run_id, "updated_at": at}, pk="start_url")


# --- what the archive already holds (read by the crawler to decide what to fetch) -------------


def known_articles(db: Database, urls: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Archived articles among ``urls`` (any URL an article is known under: ``article_urls``):
    ``{given url: {"url", "published_at", "removed_at", "fetch_url", "etag", "last_modified"}}``."""
    urls = list(dict.fromkeys(u for u in urls if u))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(urls), 500):
        chunk = urls[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for row in db.query(
                f"SELECT k.url AS alias, a.url, a.published_at, a.removed_at, a.fetch_url, a.etag, a.last_modified "
                f"FROM article_urls k JOIN articles a ON a.id = k.article_id WHERE k.url IN ({marks})", chunk):
            found[row.pop("alias")] = row
    return found


def _host_ranges(hosts: Iterable[str], column: str = "url") -> tuple[str, list[str]]:
    """A WHERE clause (and its parameters) selecting articles whose URL (``column``) is on one of
    ``hosts`` (``host[:port]``, either scheme), as ranges of the unique ``url`` index."""
    clauses, params = [], []
    for host in sorted(set(hosts)):
        for scheme in ("http", "https"):
            clauses.append(f"({column} >= ? AND {column} < ?)")
            params += [f"{scheme}://{host}/", f"{scheme}://{host}0"]
    return "(" + (" OR ".join(clauses) or "0") + ")", params


def newest_published(db: Database, hosts: Iterable[str]) -> str | None:
    """The latest ``published_at`` of the archived articles on ``hosts``."""
    where, params = _host_ranges(hosts)
    return db.execute(f"SELECT max(published_at) FROM articles WHERE {where}", params).fetchone()[0]


def articles_to_recheck(db: Database, hosts: Iterable[str], *, published_since: str | None,
                        checked_before: str | None, rotation_days: float | None,
                        everything: bool = False) -> list[dict[str, Any]]:
    """Archived articles on ``hosts`` a crawl should fetch again (conditionally):

    * those published on or after the date ``published_since`` (``YYYY-MM-DD``; undated ones by
      ``first_seen_at``): the recheck window, every run;
    * of the others, those last seen before ``checked_before`` (ISO 8601), least recently seen
      first, at most ``ceil(articles on the hosts / rotation_days)`` per run: the rotation;
    * with ``everything``, all of them.

    Rows: ``url``, ``fetch_url``, ``etag``, ``last_modified``, ``category``, ``removed_at``,
    ``reason`` (``"window"``, ``"rotation"`` or ``"full"``).
    """
    where, params = _host_ranges(hosts)
    columns = "url, coalesce(fetch_url, url) AS fetch_url, etag, last_modified, category, removed_at"
    if everything:
        return [{**row, "reason": "full"} for row in
                db.query(f"SELECT {columns} FROM articles WHERE {where} ORDER BY last_seen_at, id", params)]
    due: list[dict[str, Any]] = []
    recent = "substr(coalesce(published_at, first_seen_at), 1, 10) >= ?"
    if published_since:
        due += [{**row, "reason": "window"} for row in db.query(
            f"SELECT {columns} FROM articles WHERE {where} AND {recent} ORDER BY published_at DESC, id DESC",
            [*params, published_since])]
    if checked_before and rotation_days:
        total = db.execute(f"SELECT count(*) FROM articles WHERE {where}", params).fetchone()[0]
        limit = -(-total // max(1, int(rotation_days)))
        old = f"NOT ({recent})" if published_since else "1"
        due += [{**row, "reason": "rotation"} for row in db.query(
            f"SELECT {columns} FROM articles WHERE {where} AND {old} AND last_seen_at < ? "
            f"ORDER BY last_seen_at, id LIMIT ?", [*params, *([published_since] if published_since else []),
                                                   checked_before, limit])]
    return due


def known_articles_on(db: Database, hosts: Iterable[str]) -> Iterable[tuple[str, dict[str, Any]]]:
    """Every URL an archived article on ``hosts`` is known under, with the article as
    :func:`known_articles` gives it: ``(url, row)`` pairs (for a crawl fleet's published state)."""
    where, params = _host_ranges(hosts, column="a.url")
    for row in db.query(
            f"SELECT k.url AS alias, a.url, a.published_at, a.removed_at, a.fetch_url, a.etag, a.last_modified "
            f"FROM articles a JOIN article_urls k ON k.article_id = a.id WHERE {where}",
            params):
        yield row.pop("alias"), row


# --- a crawl fleet's writer (crawler.ingest) ---------------------------------------------------


def ingest_position(db: Database, stream: str) -> str | None:
    """The id of the last item of ``stream`` saved (a Redis stream id, ``MS-SEQ``), or None."""
    row = _get(db, "ingest_positions", "stream = ?", [stream])
    return row["last_id"] if row else None


def record_ingest_position(db: Database, stream: str, last_id: str, at: str) -> None:
    """Items of ``stream`` up to ``last_id`` are saved (call in the transaction that saved them)."""
    db.table("ingest_positions").upsert({"stream": stream, "last_id": last_id, "updated_at": at}, pk="stream")


# --- snapshots -------------------------------------------------------------------------------

#: gzip level of stored bodies, written by zlib-ng (a standard gzip stream: anything that reads
#: gzip reads it). zlib-ng at level 6 takes 0.26 ms a 44 kB page of the throughput bench, where
#: the standard library took 0.45 ms at level 5, for sizes within 1 % (22.5 % of the body against
#: 22.4 %; fixture pages: 30.1 % against 29.9 %): time a crawl spends on every page it fetches.
SNAPSHOT_GZIP_LEVEL = 6


def save_snapshot(db: Database, snapshot: Mapping[str, Any], crawl_run_id: int | None = None) -> bool:
    """Store a fetched response unless the URL's latest snapshot has the same status and body.

    ``snapshot``: ``url`` (the page's identity), ``fetched_at``, ``status``, ``headers`` (dict),
    ``body`` (bytes), optional ``requested_url`` and ``kind`` (``article``, the default;
    ``listing``; ``robots``; ``page``: read, not an article). Returns True when a row was added.
    """
    body = snapshot["body"]
    digest = hashlib.sha256(body).hexdigest()
    latest = db.execute("SELECT body_sha256, status FROM snapshots WHERE url = ? ORDER BY fetched_at DESC, id DESC "
                        "LIMIT 1", [snapshot["url"]]).fetchone()  # not the body itself
    if latest == (digest, snapshot["status"]):
        return False
    _insert(db, "snapshots", [{
        "url": snapshot["url"], "fetched_at": snapshot["fetched_at"], "status": snapshot["status"],
        "headers": json.dumps(dict(snapshot["headers"]), ensure_ascii=False, sort_keys=True),
        "body": gzip_ng.compress(body, compresslevel=SNAPSHOT_GZIP_LEVEL, mtime=0), "body_sha256": digest, "crawl_run_id": crawl_run_id,
        "requested_url": snapshot.get("requested_url") or snapshot["url"], "kind": snapshot.get("kind") or "article",
    }])
    return True


def snapshot_body(db: Database, snapshot_id: int) -> bytes:
    """The decompressed body of a snapshot."""
    return gzip.decompress(db.table("snapshots").get(snapshot_id)["body"])


def article_snapshots(db: Database, portal: str | None = None) -> list[dict[str, Any]]:
    """Each archived article (of ``portal``, or all) with its latest successful response: ``url``,
    ``category``, ``portal``, ``snapshot_id``, ``requested_url``, ``headers`` (dict), ``fetched_at``;
    ``snapshot_id`` is None for an article without one. Bodies are read one at a time with
    :func:`snapshot_body`."""
    rows = db.query(
        "SELECT a.url, a.category, a.portal, s.id AS snapshot_id, s.requested_url, s.headers, s.fetched_at "
        "FROM articles a LEFT JOIN snapshots s ON s.id = (SELECT id FROM snapshots WHERE url = a.url AND status = 200 "
        "ORDER BY fetched_at DESC, id DESC LIMIT 1) " + ("WHERE a.portal = ? " if portal else "") + "ORDER BY a.id",
        [portal] if portal else [])
    return [{**row, "headers": json.loads(row["headers"]) if row["headers"] else {}} for row in rows]


# --- media -----------------------------------------------------------------------------------


def known_media(db: Database, urls: Iterable[str], retry_failed: bool = False) -> set[str]:
    """The URLs among ``urls`` whose file the archive holds, or (unless ``retry_failed``) that
    answered an HTTP error when they were asked for."""
    urls = list(dict.fromkeys(u for u in urls if u))
    found: set[str] = set()
    which = "sha256 IS NOT NULL" if retry_failed else "(sha256 IS NOT NULL OR status >= 400)"
    for start in range(0, len(urls), 500):
        chunk = urls[start:start + 500]
        found.update(r["url"] for r in db.query(
            f"SELECT url FROM media WHERE {which} AND url IN ({', '.join('?' * len(chunk))})", chunk))
    return found


def media_states(db: Database) -> Iterable[tuple[str, bool]]:
    """Every image and attachment URL :func:`known_media` would name: ``(url, held)``, ``held``
    when the archive has its file (else it answered an HTTP error)."""
    for row in db.query("SELECT url, sha256 IS NOT NULL AS held FROM media WHERE sha256 IS NOT NULL OR status >= 400"):
        yield row["url"], bool(row["held"])


def save_media(db: Database, root: str, media: Mapping[str, Any]) -> str:
    """Record an article's link to an image or attachment and, when ``media["body"]`` is given
    (a 2xx answer), keep the file: written once under its SHA-256 in ``root`` (:func:`media_path`;
    a file used by many articles is stored once), its ``media`` row updated; an HTTP error
    (``status`` without ``body``) is recorded without a file. ``media``: ``url``,
    ``article_url``, ``role`` (``image``, ``attachment``), ``title``, ``position``, ``status``,
    ``content_type``, ``body``, ``fetched_at``. Returns ``"stored"``, ``"linked"`` or
    ``"no article"`` (the article is not in the archive)."""
    article = _get(db, "article_urls", "url = ?", [media["article_url"]])
    if article is None:
        return "no article"
    body = media.get("body")
    stored = body is not None and 200 <= (media.get("status") or 0) < 300
    with db.atomic():
        if not stored and media.get("status"):  # an HTTP error: recorded (not asked again nightly), no file
            if _get(db, "media", "url = ? AND sha256 IS NOT NULL", [media["url"]]) is None:
                db.table("media").upsert({"url": media["url"], "status": media["status"],
                                          "fetched_at": media.get("fetched_at")}, pk="url")
        if stored and body is not None:
            digest = hashlib.sha256(body).hexdigest()
            path = media_path(root, digest)
            if not os.path.exists(path):
                os.makedirs(os.path.dirname(path), exist_ok=True)
                partial = f"{path}.{os.getpid()}.partial"
                with open(partial, "wb") as f:
                    f.write(body)
                os.replace(partial, path)
            db.table("media").upsert({"url": media["url"], "sha256": digest, "content_type": media.get("content_type"),
                                      "bytes": len(body), "fetched_at": media.get("fetched_at"),
                                      "status": media["status"]}, pk="url")
        db.table("article_media").upsert({"article_id": article["article_id"], "role": media["role"],
                                          "position": media.get("position") or 0, "url": media["url"],
                                          "title": media.get("title")}, pk=("article_id", "role", "position"))
        if media["role"] == "attachment":
            _search_with_attachments(db, article["article_id"])
    return "stored" if stored else "linked"


# --- articles --------------------------------------------------------------------------------


#: Keys of an image and of a related link that are content (a related link's ``href``, the
#: address as written, is how to fetch it, not what the article says).
IMAGE_KEYS = ("src", "caption", "alt")
RELATED_KEYS = ("url", "title", "published_at", "published_raw")


def content_hash(article: Mapping[str, Any]) -> str:
    """SHA-256 of the article's content (:data:`CONTENT_FIELDS`, canonical JSON)."""
    payload = {k: article.get(k) for k in CONTENT_FIELDS}
    payload["images"] = [{k: image.get(k) for k in IMAGE_KEYS} for image in payload["images"] or []]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def save_article(db: Database, article: Mapping[str, Any], *, portal: str, seen_at: str,
                 aliases: Iterable[str] = (), fetch_url: str | None = None, etag: str | None = None,
                 last_modified: str | None = None) -> str:
    """Save an extracted article (a dict shaped like ``crawler.items.Article``) fetched at
    ``seen_at`` from ``fetch_url`` (the URL as requested; default: its ``url``), whose response
    carried the validators ``etag`` / ``last_modified`` (kept for conditional rechecks).
    ``aliases``: other URLs it was linked or fetched under (``article_urls``).

    Returns ``"new"``, ``"updated"`` (its content, :data:`CONTENT_FIELDS`, changed: the old
    version goes to ``article_revisions``) or ``"unchanged"`` (``last_seen_at`` moves; the
    category, related links and validators are refreshed without a revision). Any of them
    clears ``removed_at``: the article answers again.
    """
    digest = content_hash(article)
    checked = {"last_seen_at": seen_at, "removed_at": None, "removed_reason": None,
               "fetch_url": fetch_url or article["url"], "etag": etag, "last_modified": last_modified}
    with db.atomic():
        existing = _get(db, "articles", "url = ?", [article["url"]])
        if existing is not None and existing["content_hash"] == digest:
            article_id = existing["id"]
            refreshed = {"category": article.get("category")} if article.get("category") else {}
            db.table("articles").update(article_id, {**checked, **refreshed})
            if _related_rows(db, article_id) != _related_of(article):
                db.table("related_links").delete_where("article_id = ?", [article_id])
                _insert(db, "related_links", _numbered(article_id, _related_of(article)))
            outcome = "unchanged"
        else:
            row = {**_article_row(article, portal=portal, digest=digest, seen_at=seen_at), **checked}
            if existing is None:
                article_id = _insert(db, "articles", [{**row, "first_seen_at": seen_at}])
                outcome = "new"
            else:
                article_id = existing["id"]
                _keep_revision(db, existing, until=seen_at)
                db.table("articles").update(article_id, row)
                _search_with_attachments(db, article_id)
                db.table("images").delete_where("article_id = ?", [article_id])
                db.table("related_links").delete_where("article_id = ?", [article_id])
                outcome = "updated"
            _insert(db, "images", _numbered(article_id, [{k: image.get(k) for k in IMAGE_KEYS}
                                                         for image in article.get("images") or []]))
            _insert(db, "related_links", _numbered(article_id, _related_of(article)))
        _insert(db, "article_urls", [{"url": url, "article_id": article_id}
                                     for url in dict.fromkeys([article["url"], *aliases]) if url], upsert_on="url")
    return outcome


def reparse_article(db: Database, article: Mapping[str, Any], *, at: str) -> dict[str, Any]:
    """Save ``article`` re-extracted from a stored response (no fetch: ``last_seen_at``,
    ``removed_at`` and the validators stay as they are). When its content changed, the old
    version goes to ``article_revisions`` (valid until ``at``) as for any edit, and the changed
    :data:`CONTENT_FIELDS` are returned with their previous values (``{}``: nothing changed).
    The category and related links are refreshed as on an unchanged recheck; ``platform`` and
    ``extracted_by`` follow today's page objects. Raises ``KeyError`` for an article not in the archive."""
    with db.atomic():
        existing = _get(db, "articles", "url = ?", [article["url"]])
        if existing is None:
            raise KeyError(article["url"])
        article_id = existing["id"]
        stored = {k: existing[k] for k in CONTENT_FIELDS if k != "images"}
        stored["images"] = list(db["images"].rows_where("article_id = ?", [article_id], order_by="position",
                                                        select=", ".join(IMAGE_KEYS)))
        changed = {k: stored[k] for k in CONTENT_FIELDS if _content_value(stored, k) != _content_value(article, k)}
        digest = content_hash(article)
        if not changed:  # (the hash may still differ by an empty string for a null: it follows)
            refreshed = {"category": article.get("category")} if article.get("category") else {}
            refreshed.update({k: v for k, v in {**_provenance(article), "content_hash": digest}.items()
                              if v != existing.get(k)})
            if refreshed:
                db.table("articles").update(article_id, refreshed)
            if _related_rows(db, article_id) != _related_of(article):
                db.table("related_links").delete_where("article_id = ?", [article_id])
                _insert(db, "related_links", _numbered(article_id, _related_of(article)))
            return {}
        row = _article_row(article, portal=existing["portal"], digest=digest, seen_at=at)
        row["last_seen_at"] = existing["last_seen_at"]
        _keep_revision(db, existing, until=at)
        db.table("articles").update(article_id, row)
        _search_with_attachments(db, article_id)
        db.table("images").delete_where("article_id = ?", [article_id])
        db.table("related_links").delete_where("article_id = ?", [article_id])
        _insert(db, "images", _numbered(article_id, [{k: image.get(k) for k in IMAGE_KEYS}
                                                     for image in article.get("images") or []]))
        _insert(db, "related_links", _numbered(article_id, _related_of(article)))
    return changed


def _content_value(article: Mapping[str, Any], field: str) -> Any:
    """One content field as compared for a change (images as their :data:`IMAGE_KEYS`)."""
    if field == "images":
        return [{k: image.get(k) for k in IMAGE_KEYS} for image in article.get("images") or []]
    return article.get(field) or None


def _provenance(article: Mapping[str, Any]) -> dict[str, Any]:
    """Which page objects produced the article (stored as they are in :func:`_article_row`)."""
    return {"platform": article.get("platform"),
            "extracted_by": json.dumps(article["extracted_by"], sort_keys=True) if article.get("extracted_by") else None}


def mark_not_modified(db: Database, url: str, seen_at: str) -> bool:
    """A conditional recheck of the archived article ``url`` answered 304 Not Modified: it is
    still there (``last_seen_at`` moves, ``removed_at`` is cleared). False if ``url`` is unknown."""
    with db.atomic():
        cursor = db.execute("UPDATE articles SET last_seen_at = ?, removed_at = NULL, removed_reason = NULL "
                            "WHERE url = ?", [seen_at, url])
    return cursor.rowcount > 0


def mark_taken_down(db: Database, url: str, seen_at: str, reason: str) -> bool:
    """The archived article ``url`` is gone from its portal (``reason``: "HTTP 404", "HTTP 410",
    "redirected to the home page …"). Its content stays; ``removed_at`` records when it was
    first seen gone. Returns True when this is news (it was not already marked)."""
    with db.atomic():
        cursor = db.execute("UPDATE articles SET removed_at = ?, removed_reason = ? "
                            "WHERE url = ? AND removed_at IS NULL", [seen_at, reason, url])
    return cursor.rowcount > 0


def has_snapshot(db: Database, url: str) -> bool:
    """Whether a response of the page ``url`` is kept."""
    return db.execute("SELECT 1 FROM snapshots WHERE url = ? LIMIT 1", [url]).fetchone() is not None


def _related_of(article: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{k: link.get(k) for k in RELATED_KEYS} for link in article.get("related_links") or []]


def _related_rows(db: Database, article_id: int) -> list[dict[str, Any]]:
    return list(db["related_links"].rows_where("article_id = ?", [article_id], order_by="position",
                                               select=", ".join(RELATED_KEYS)))


def _numbered(article_id: int, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"article_id": article_id, "position": i, **row} for i, row in enumerate(rows)]


def _search_with_attachments(db: Database, article_id: int) -> None:
    """Make the article's search text (``search_folded``, ``search_marked``) its title, summary,
    body and captions plus the titles and file names of its attachments (``article_media``)."""
    names = []
    for row in db.query("SELECT url, title FROM article_media WHERE article_id = ? AND role = 'attachment' "
                        "ORDER BY position", [article_id]):
        names += [row["title"], unquote(urlsplit(row["url"]).path.rsplit("/", 1)[-1])]
    if not names:
        return
    article = db.table("articles").get(article_id)
    text = _searchable_text([article["title"], article["summary"], article["body_text"], article["captions"], *names])
    if article["search_folded"] != fold(text):
        db.table("articles").update(article_id, {"search_folded": fold(text), "search_marked": spelled(text)})


def _searchable_text(parts: Iterable[str | None]) -> str:
    """The title, summary, body and captions an article is searched by, one per line."""
    return "\n".join(part for part in parts if part)


def _article_row(article: Mapping[str, Any], *, portal: str, digest: str, seen_at: str) -> dict[str, Any]:
    captions = "\n".join(img["caption"] for img in article.get("images") or [] if img.get("caption")) or None
    searchable = _searchable_text([article.get("title"), article.get("summary"), article.get("body_text"), captions])
    return {
        "url": article["url"], "portal": portal, **_provenance(article),
        "category": article.get("category"), "title": article["title"], "summary": article.get("summary"),
        "author": article.get("author"), "source": article.get("source"),
        "published_at": article.get("published_at"), "published_raw": article.get("published_raw"),
        "published_year": (article.get("published_at") or "")[:4] or None,
        "body_text": article.get("body_text"), "body_html": article.get("body_html"), "captions": captions,
        "last_seen_at": seen_at, "last_changed_at": seen_at, "content_hash": digest,
        "search_folded": fold(searchable),
        "search_marked": spelled(searchable),
    }


def _keep_revision(db: Database, existing: Mapping[str, Any], *, until: str) -> None:
    """Keep ``existing`` (an ``articles`` row about to change) in ``article_revisions``: its
    content (:data:`CONTENT_FIELDS`) with its URL, category and related links as they were."""
    article_id = existing["id"]
    content = {k: existing[k] for k in ("url", "category", *CONTENT_FIELDS) if k != "images"}
    content["images"] = list(db["images"].rows_where("article_id = ?", [article_id], order_by="position",
                                                     select=", ".join(IMAGE_KEYS)))
    content["related_links"] = _related_rows(db, article_id)
    db.table("article_revisions").insert({
        "article_id": article_id, "content_hash": existing["content_hash"],
        "valid_from": existing["last_changed_at"], "valid_until": until,
        "content": json.dumps(content, ensure_ascii=False, sort_keys=True),
    })


def _get(db: Database, table: str, where: str, params: list[Any]) -> dict[str, Any] | None:
    return next(iter(db[table].rows_where(where, params, limit=1)), None)


# --- backups ---------------------------------------------------------------------------------


class BackupError(Exception):
    """A backup that could not be made; the message says why (the archive is untouched)."""


def backup(source: str, out: str) -> dict[str, Any]:
    """Copy the archive at ``source`` to ``out`` while crawls may go on writing to it.

    SQLite's online backup API copies every page in one step inside one read transaction (WAL
    lets writers go on meanwhile), so the copy is the archive as of one moment: every commit
    before the backup began, none half-made. The copy is written to ``out + ".partial"``, made a
    single self-contained file (rollback journal, not WAL), checked with ``pragma
    integrity_check`` and only then renamed to ``out``. The media files (``<archive>.media/``) go
    to ``<out>.media/`` (:func:`_mirror_media`). Returns ``{"articles": N, "bytes": size,
    "media_files": M}``.
    """
    if not os.path.isfile(source):
        raise BackupError(f"no archive at {source!r}")
    if os.path.exists(out) and os.path.samefile(source, out):
        raise BackupError("the backup cannot replace the archive itself")
    partial = out + ".partial"
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        try:
            src.execute("select 1 from articles limit 1").fetchall()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source!r} is not an archive ({error})") from error
        if os.path.exists(partial):
            os.remove(partial)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=-1)
            dst.execute("pragma journal_mode = delete")
            problems = [row[0] for row in dst.execute("pragma integrity_check")]
            if problems != ["ok"]:
                raise BackupError(f"the copy failed its integrity check: {'; '.join(problems[:5])}")
            articles = dst.execute("select count(*) from articles").fetchone()[0]
        finally:
            dst.close()
    except (sqlite3.Error, OSError) as error:
        if os.path.exists(partial):
            os.remove(partial)
        raise BackupError(str(error)) from error
    except BackupError:
        if os.path.exists(partial):
            os.remove(partial)
        raise
    finally:
        src.close()
    os.replace(partial, out)
    try:
        files = _mirror_media(media_dir(source), media_dir(out))
    except OSError as error:
        raise BackupError(f"the archive was copied, but not its media files: {error}") from error
    return {"articles": articles, "bytes": os.path.getsize(out), "media_files": files}


def _mirror_media(root: str, copy: str) -> int:
    """Give the copy every media file of ``root`` it lacks (files never change: a hard link where
    the file system allows, so daily backups share them, else a copy); returns how many it has."""
    count = 0
    for folder, _, names in os.walk(root):
        for name in names:
            if name.endswith(".partial"):
                continue
            source = os.path.join(folder, name)
            target = os.path.join(copy, os.path.relpath(source, root))
            if not os.path.exists(target):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                try:
                    os.link(source, target)
                except OSError:
                    shutil.copy2(source, target)
            count += 1
    return count
