"""The only code that writes the archive's SQLite database (through sqlite-utils).

Tables (a public API: documented in the README, queried by researchers, named in Datasette
templates; keep them stable):

``portals``         one row per portal (slug from crawler/portals.toml, else ``host[:port]``).
``articles``        one row per canonical article URL, latest extracted version.
``images``          images of an article in order (``article_id``, ``position``).
``related_links``   its "Tin khác" list in order (``article_id``, ``position``).
``article_revisions`` the previous version of an article each time its content changed.
``snapshots``       each distinct HTTP response fetched for an article page (gzip body).
``crawl_runs``      one row per crawl.
``articles_fts``    FTS5 over title, summary, body_text, captions and ``search_folded``.

All times are ISO 8601 with ``+07:00``. Saving is idempotent: saving the same article again
changes only ``articles.last_seen_at``; an unchanged response adds no snapshot.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlite_utils import Database, Migrations

from .search import fold

#: Article fields whose change makes a new revision (everything extracted from the page).
CONTENT_FIELDS = (
    "url", "category", "title", "summary", "author", "source", "published_at", "published_raw",
    "body_text", "body_html", "images", "related_links",
)
FTS_COLUMNS = ["title", "summary", "body_text", "captions", "search_folded"]
FTS_TOKENIZER = "unicode61 remove_diacritics 2"

migrations = Migrations("newsarchive")


@migrations()
def m001_initial(db: Database) -> None:
    db["portals"].create(
        {"slug": str, "name": str, "base_url": str, "platform": str, "first_seen_at": str, "last_seen_at": str},
        pk="slug",
    )
    db["crawl_runs"].create(
        {"id": int, "started_at": str, "finished_at": str, "start_urls": str, "pages_fetched": int,
         "articles_new": int, "articles_updated": int, "articles_unchanged": int, "failures": int},
        pk="id",
    )
    db["articles"].create(
        {"id": int, "url": str, "portal": str, "platform": str, "category": str, "title": str,
         "summary": str, "author": str, "source": str, "published_at": str, "published_raw": str,
         "body_text": str, "body_html": str, "captions": str, "first_seen_at": str, "last_seen_at": str,
         "last_changed_at": str, "content_hash": str, "search_folded": str},
        pk="id",
        not_null={"url", "title"},
        foreign_keys=[("portal", "portals", "slug")],
    )
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["published_at"])
    db["articles"].create_index(["portal", "category"])
    db["images"].create(
        {"article_id": int, "position": int, "src": str, "caption": str, "alt": str},
        pk=("article_id", "position"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["related_links"].create(
        {"article_id": int, "position": int, "url": str, "title": str, "published_at": str, "published_raw": str},
        pk=("article_id", "position"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["related_links"].create_index(["url"])
    db["article_revisions"].create(
        {"id": int, "article_id": int, "content_hash": str, "valid_from": str, "valid_until": str, "content": str},
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_revisions"].create_index(["article_id"])
    db["snapshots"].create(
        {"id": int, "url": str, "fetched_at": str, "status": int, "headers": str, "body": bytes,
         "body_sha256": str, "crawl_run_id": int},
        pk="id",
        foreign_keys=[("crawl_run_id", "crawl_runs", "id")],
    )
    db["snapshots"].create_index(["url", "fetched_at"])
    db["articles"].enable_fts(FTS_COLUMNS, tokenize=FTS_TOKENIZER, create_triggers=True)


@migrations()
def m002_portal_province(db: Database) -> None:
    db["portals"].add_column("province", str)


@migrations()
def m003_published_year(db: Database) -> None:
    """A plain column to facet articles by year (Datasette facets by column value)."""
    db["articles"].add_column("published_year", str)
    db.execute("UPDATE articles SET published_year = substr(published_at, 1, 4) WHERE published_at IS NOT NULL")
    db["articles"].create_index(["published_year"])


@migrations()
def m004_month_charts_index(db: Database) -> None:
    """Covering index for the monthly charts: group by month and portal/category without reading
    every row (3.2 s → 1.1 s unfiltered, 0.4 s → 0.06 s for a two-year range, on 1M articles)."""
    db["articles"].create_index(["published_at", "portal", "category"])


@migrations()
def m005_provenance_and_yield(db: Database) -> None:
    """Which page object produced each field of an article (the fallback cascade); what each start
    URL of a crawl yielded, with the warnings a person should read; the URL a snapshot was
    requested under (``snapshots.url`` is the page's identity, requests go to the URL as linked)."""
    db["articles"].add_column("extracted_by", str)
    db["crawl_runs"].add_column("start_url_yields", str)
    db["crawl_runs"].add_column("warnings", str)
    db["snapshots"].add_column("requested_url", str)


def open_db(path: str) -> Database:
    """Open (creating if needed) the archive at ``path`` and bring its schema up to date."""
    db = Database(path)
    ensure_db_shape(db)
    return db


def ensure_db_shape(db: Database) -> None:
    """Idempotent: apply pending migrations, switch on WAL (file databases) and foreign keys."""
    if db.conn.execute("pragma database_list").fetchone()[2]:
        db.enable_wal()
    db.execute("pragma foreign_keys = on")
    migrations.apply(db)


# --- portals and crawl runs ------------------------------------------------------------------


def save_portal(db: Database, slug: str, *, name: str | None, base_url: str, platform: str | None, seen_at: str,
                province: str | None = None) -> None:
    """Insert or refresh a portal; ``first_seen_at`` is kept, known values are never blanked."""
    existing = _get(db, "portals", "slug = ?", [slug])
    if existing is None:
        db["portals"].insert({"slug": slug, "name": name, "province": province, "base_url": base_url,
                              "platform": platform, "first_seen_at": seen_at, "last_seen_at": seen_at})
        return
    db["portals"].update(slug, {"name": name or existing["name"], "province": province or existing["province"],
                                "platform": platform or existing["platform"], "last_seen_at": seen_at})


def start_crawl_run(db: Database, start_urls: Iterable[str], started_at: str) -> int:
    """Record the start of a crawl; returns the run id."""
    return db["crawl_runs"].insert({
        "started_at": started_at, "start_urls": json.dumps(list(start_urls), ensure_ascii=False),
        "pages_fetched": 0, "articles_new": 0, "articles_updated": 0, "articles_unchanged": 0, "failures": 0,
    }).last_pk


def finish_crawl_run(db: Database, run_id: int, finished_at: str, counts: Mapping[str, int], *,
                     start_url_yields: list[Mapping[str, Any]] | None = None, warnings: list[str] | None = None) -> None:
    """Record the end of a crawl with its counters (``pages_fetched``, ``articles_new``, …), what
    each start URL yielded (a list of JSON objects) and the warnings of the run (a list of strings)."""
    allowed = {"pages_fetched", "articles_new", "articles_updated", "articles_unchanged", "failures"}
    row: dict[str, Any] = {"finished_at": finished_at, **{k: int(v) for k, v in counts.items() if k in allowed}}
    if start_url_yields is not None:
        row["start_url_yields"] = json.dumps(list(start_url_yields), ensure_ascii=False)
    if warnings is not None:
        row["warnings"] = json.dumps(list(warnings), ensure_ascii=False)
    db["crawl_runs"].update(run_id, row)


# --- snapshots -------------------------------------------------------------------------------


def save_snapshot(db: Database, snapshot: Mapping[str, Any], crawl_run_id: int | None = None) -> bool:
    """Store a fetched response unless the URL's latest snapshot has the same status and body.

    ``snapshot``: ``url`` (the page's identity), ``fetched_at``, ``status``, ``headers`` (dict),
    ``body`` (bytes), optional ``requested_url``. Returns True when a row was added.
    """
    body = snapshot["body"]
    digest = hashlib.sha256(body).hexdigest()
    latest = _get(db, "snapshots", "url = ? order by fetched_at desc, id desc", [snapshot["url"]])
    if latest and latest["body_sha256"] == digest and latest["status"] == snapshot["status"]:
        return False
    db["snapshots"].insert({
        "url": snapshot["url"], "fetched_at": snapshot["fetched_at"], "status": snapshot["status"],
        "headers": json.dumps(dict(snapshot["headers"]), ensure_ascii=False, sort_keys=True),
        "body": gzip.compress(body, mtime=0), "body_sha256": digest, "crawl_run_id": crawl_run_id,
        "requested_url": snapshot.get("requested_url") or snapshot["url"],
    })
    return True


def snapshot_body(db: Database, snapshot_id: int) -> bytes:
    """The decompressed body of a snapshot."""
    return gzip.decompress(db["snapshots"].get(snapshot_id)["body"])


# --- articles --------------------------------------------------------------------------------


#: Keys of an image and of a related link that are content (a related link's ``href``, the
#: address as written, is how to fetch it, not what the article says).
IMAGE_KEYS = ("src", "caption", "alt")
RELATED_KEYS = ("url", "title", "published_at", "published_raw")


def content_hash(article: Mapping[str, Any]) -> str:
    """SHA-256 of the article's extracted content (:data:`CONTENT_FIELDS`, canonical JSON)."""
    payload = {k: article.get(k) for k in CONTENT_FIELDS}
    payload["images"] = [{k: image.get(k) for k in IMAGE_KEYS} for image in payload["images"] or []]
    payload["related_links"] = [{k: link.get(k) for k in RELATED_KEYS} for link in payload["related_links"] or []]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def save_article(db: Database, article: Mapping[str, Any], *, portal: str, seen_at: str) -> str:
    """Save an extracted article (a dict shaped like ``crawler.items.Article``).

    Returns ``"new"``, ``"updated"`` (content changed: the old version goes to
    ``article_revisions``) or ``"unchanged"`` (only ``last_seen_at`` moves).
    """
    digest = content_hash(article)
    with db.atomic():
        existing = _get(db, "articles", "url = ?", [article["url"]])
        if existing is not None and existing["content_hash"] == digest:
            db["articles"].update(existing["id"], {"last_seen_at": seen_at})
            return "unchanged"
        row = _article_row(article, portal=portal, digest=digest, seen_at=seen_at)
        if existing is None:
            article_id = db["articles"].insert({**row, "first_seen_at": seen_at}).last_pk
            outcome = "new"
        else:
            article_id = existing["id"]
            _keep_revision(db, existing, until=seen_at)
            db["articles"].update(article_id, row)
            db["images"].delete_where("article_id = ?", [article_id])
            db["related_links"].delete_where("article_id = ?", [article_id])
            outcome = "updated"
        db["images"].insert_all(
            {"article_id": article_id, "position": i, "src": img["src"], "caption": img.get("caption"),
             "alt": img.get("alt")}
            for i, img in enumerate(article.get("images") or [])
        )
        db["related_links"].insert_all(
            {"article_id": article_id, "position": i, "url": link["url"], "title": link.get("title"),
             "published_at": link.get("published_at"), "published_raw": link.get("published_raw")}
            for i, link in enumerate(article.get("related_links") or [])
        )
    return outcome


def _article_row(article: Mapping[str, Any], *, portal: str, digest: str, seen_at: str) -> dict[str, Any]:
    captions = "\n".join(img["caption"] for img in article.get("images") or [] if img.get("caption")) or None
    searchable = [article.get("title"), article.get("summary"), article.get("body_text"), captions]
    return {
        "url": article["url"], "portal": portal, "platform": article.get("platform"),
        "category": article.get("category"), "title": article["title"], "summary": article.get("summary"),
        "author": article.get("author"), "source": article.get("source"),
        "published_at": article.get("published_at"), "published_raw": article.get("published_raw"),
        "published_year": (article.get("published_at") or "")[:4] or None,
        "body_text": article.get("body_text"), "body_html": article.get("body_html"), "captions": captions,
        "last_seen_at": seen_at, "last_changed_at": seen_at, "content_hash": digest,
        "search_folded": fold("\n".join(s for s in searchable if s)),
        "extracted_by": json.dumps(article["extracted_by"], sort_keys=True) if article.get("extracted_by") else None,
    }


def _keep_revision(db: Database, existing: Mapping[str, Any], *, until: str) -> None:
    article_id = existing["id"]
    content = {k: existing[k] for k in ("url", "category", "title", "summary", "author", "source",
                                         "published_at", "published_raw", "body_text", "body_html")}
    content["images"] = list(db["images"].rows_where("article_id = ?", [article_id], order_by="position",
                                                     select="src, caption, alt"))
    content["related_links"] = list(db["related_links"].rows_where(
        "article_id = ?", [article_id], order_by="position", select="url, title, published_at, published_raw"))
    db["article_revisions"].insert({
        "article_id": article_id, "content_hash": existing["content_hash"],
        "valid_from": existing["last_changed_at"], "valid_until": until,
        "content": json.dumps(content, ensure_ascii=False, sort_keys=True),
    })


def _get(db: Database, table: str, where: str, params: list[Any]) -> dict[str, Any] | None:
    return next(iter(db[table].rows_where(where, params, limit=1)), None)
