"""Datasette presentation of the archive: metadata, a search page, an article page, styles.

This package is a Datasette plugin (entry point ``newsarchive``); its ``templates/`` and
``static/`` folders are served by Datasette. Pages:

* ``/search`` (and ``.json``, ``.csv``, ``.atom``): one box, portal/category/date filters,
  relevance or newest first, highlighted snippets; accent-aware (:mod:`archive.search`); with
  nothing typed, each portal's newest articles.
* ``/article/<id>``: the article for reading: sanitized body with images (the archive's copies
  when it has them) and captions in place, attachments, byline, dates, category, related links
  (to the archived copy when there is one), original URL.
* ``/snapshot/<id>``: a stored response as the portal served it, sanitized, in a sandboxed frame.
* ``/media/<sha256>``: the archive's copy of an image or attachment.

SQL functions on every connection: ``vn_fold(text)``, ``vn_fts_query(q)`` (the search box's
syntax as an FTS5 expression over the folded or the spelled column) and ``vn_snippet(text, q)`` (a plain-text
snippet with «matches» marked), used by the canned queries of ``metadata.json``.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import gzip
import json
import os
import sqlite3
import urllib.parse
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import AsgiFileDownload, BadRequest, NotFound, Response
from markupsafe import Markup

from .. import exports, reading
from ..reading import NEWEST_PER_PORTAL as NEWEST_SQL
from ..reading import (INLINE_MEDIA_TYPES, MEDIA_CSP, SNAPSHOT_CSP, SearchRequest,
                       estimated_matches, human_size, human_time, newest_by_portal, parse, render_body, render_snapshot, result_of, safe_url, search_sql)
from ..reading import article_id as to_article_id
from ..search import Query, fold, parse_query, snippet
from ..media import media_dir, media_path
from . import exposure, limits, table_search
from .config import HERE, metadata_for

__all__ = ["HERE", "metadata_for"]  # re-exported: the names tests and scripts use

PLUGIN = "newsarchive"
NO_MATCH = '"\u2400"'  #: an FTS5 expression that matches nothing (a token no text contains)


# --- hooks -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _parsed(q: str | None) -> Query:
    return parse_query(q or "")


@hookimpl
def prepare_connection(conn: sqlite3.Connection, datasette) -> None:
    statement = limits.guard(conn, datasette.setting("sql_time_limit_ms"))
    conn.create_function("vn_fold", 1, statement.timed(fold), deterministic=True)
    conn.create_function("vn_fts_query", 1, statement.timed(lambda q: _parsed(q).expression or NO_MATCH),
                         deterministic=True)
    conn.create_function("vn_snippet", 2, statement.timed(lambda text, q: snippet(text, _parsed(q).terms,
                                                                                   mark=("«", "»"), escape=False)),
                         deterministic=True)


@hookimpl
def register_routes():
    return [
        (r"^/search(?P<format>\.json|\.csv|\.atom)?$", search_view),
        (r"^/article/(?P<id>\d+)$", article_view),
        (r"^/snapshot/(?P<id>\d+)$", snapshot_view),
        (r"^/media/(?P<sha256>[0-9a-f]{64})$", media_view),
        (r"^/snapshot/(?P<id>\d+)/page$", snapshot_page),
        (r"^/-/databases(?P<format>\.json)?$", exposure.databases_view),
    ]


#: The table search's hook (a wrapper around every plugin's filters), found by pluggy in this module.
filters_from_request = table_search.filters_from_request


@hookimpl
def asgi_wrapper(datasette):
    """The Host check (when configured) around the table search's cap."""
    hosts = exposure.wrap(datasette)
    return lambda app: hosts(table_search.wrap(app, datasette))


@hookimpl
def handle_exception(datasette, request, exception):
    """SQLite's "out of memory" (the heap ceiling of :mod:`.limits`) is the query's fault: 400, said so.

    Every other error goes on to Datasette's own handling, but without its rich traceback: when
    rich is installed (the ``wacz`` extra pulls it in), Datasette prints each failed request
    with ``show_locals=True``, and with a query's 16 MB values among the locals that takes
    seconds and hundreds of MB, what the serving limits are there to prevent."""
    # imported here: datasette.handle_exception imports datasette.plugins, which is still
    # loading this plugin when this module is imported
    from datasette import handle_exception as default_handling

    default_handling.rich = None
    if isinstance(exception, MemoryError):
        return default_handling.handle_exception(datasette, request, BadRequest(limits.OUT_OF_MEMORY))
    return None


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["human_time"] = human_time


@hookimpl
def menu_links(datasette):
    return [
        {"href": datasette.urls.path("/search"), "label": "Tìm kiếm · Search"},
        {"href": datasette.urls.path("/-/dashboards/archive"), "label": "Biểu đồ · Charts"},
    ]


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.static_plugins(PLUGIN, "newsarchive.css")]


@hookimpl
def extra_js_urls(view_name):
    """On table pages: the column descriptions folded into a <details> (newsarchive.js)."""
    if view_name == "table":
        return [{"url": f"/-/static-plugins/{PLUGIN}/newsarchive.js", "module": False}]
    return []


#: Long text columns of ``articles`` shown three lines deep on the table page (whole on the row
#: page; the CSS class does the clamping, only under ``body.table``).
CLAMPED_COLUMNS = {"summary", "captions", "extracted_by"}
#: URL columns of ``articles``: linked (http(s) only) and clamped the same way.
LINK_COLUMNS = {"url", "fetch_url"}


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """On the articles table and row pages: an article's title links to its reading page; long
    text and URL columns are clamped to three lines on the table page."""
    if table != "articles" or not isinstance(value, str) or not value:
        return None
    if column == "title" and "id" in row.keys():
        return Markup('<a href="{}">{}</a>').format(datasette.urls.path(f"/article/{row['id']}"), value)
    if column in CLAMPED_COLUMNS:
        return Markup('<div class="na-clamp">{}</div>').format(value)
    if column in LINK_COLUMNS:
        link = safe_url(value)
        shown = Markup('<a href="{}" rel="noopener noreferrer nofollow">{}</a>').format(link, value) if link else value
        return Markup('<div class="na-clamp">{}</div>').format(shown)
    return None


# --- views -----------------------------------------------------------------------------------


async def _archive(datasette):
    """The served database that holds the archive (the first one with an ``articles`` table):
    other databases served beside it are left alone; without one, 404 saying so."""
    for name, database in datasette.databases.items():
        if name != "_internal" and await database.table_exists("articles"):
            return database
    raise NotFound("no archive is served here (no database with an articles table)")


#: Rows per ``/search.csv`` request (``page`` pages through them; a ``Link: rel="next"`` header
#: names the next), entries per ``/search.atom`` feed, newest articles shown per portal on an
#: empty search page.
CSV_PAGE_SIZE = 1000
FEED_SIZE = 50
NEWEST_PER_PORTAL = 3


#: How a search with more than ``COUNT_CAP`` matches is run (:func:`archive.reading.search_sql`'s
#: plans, chosen by :func:`archive.reading.estimated_matches`). Ranking by relevance costs about
#: 4 µs a match here (FTS5's bm25), so beyond ``RANK_MAX_MATCHES`` the page orders newest first
#: and says so; a ranking that still takes over ``RANK_BUDGET_MS`` is stopped the same way.
#: Newest first collects the matches up to :data:`archive.reading.COLLECT_MAX_MATCHES`; beyond,
#: it walks the date index probing each article (fast when most match), which ``WALK_BUDGET_MS``
#: bounds before it collects after all.
RANK_MAX_MATCHES = 60_000
RANK_BUDGET_MS = 250
WALK_BUDGET_MS = 100

#: What the page says when relevance could not be afforded.
NEWEST_INSTEAD = ("Quá nhiều bài khớp để xếp theo mức độ liên quan: kết quả xếp theo ngày, mới nhất trước. Thêm từ "
                  "hoặc bộ lọc để xếp theo mức độ liên quan. (Too many matches to rank by relevance in time: newest "
                  "first instead. Add words or filters to rank them.)")


async def _rows(database, select: str, params: dict, budget_ms: int | None = None) -> list[dict]:
    return [dict(r) for r in (await database.execute(select, params, custom_time_limit=budget_ms)).rows]


async def _run_search(database, search: SearchRequest, query: Query, page_size: int) -> tuple[list[dict], int, str]:
    """The rows of one page of a search (``page_size + 1`` at most), the capped count, and the
    order they are in (``"relevance"`` or ``"newest"``).

    With more than ``COUNT_CAP`` matches no one plan is fast for every query: the estimated
    number of matches picks one (see the constants above), and a time budget backs the choice."""
    _, count, params = search_sql(search, query, page_size=page_size)
    order = search.sort if query.expression else "newest"  # filters without words list newest first
    try:
        total, last_id = (await database.execute(count, params)).first()
        if not (query.expression and total > reading.COUNT_CAP):
            select, _, params = search_sql(search, query, matches=total, page_size=page_size)
            return await _rows(database, select, params), total, order
        max_id = (await database.execute("SELECT max(id) FROM articles")).first()[0]
        matches = estimated_matches(total, last_id, max_id)

        def planned(name: str) -> tuple[str, dict]:
            select, _, plan_params = search_sql(search, query, matches=total, page_size=page_size, plan=name)
            return select, plan_params

        if order == "relevance":
            if matches <= RANK_MAX_MATCHES:
                try:
                    return await _rows(database, *planned("rank"), RANK_BUDGET_MS), total, order
                except QueryInterrupted:
                    pass
            query.notes.append(NEWEST_INSTEAD)
            order = "newest"
        if matches > reading.COLLECT_MAX_MATCHES:
            try:
                return await _rows(database, *planned("walk"), WALK_BUDGET_MS), total, order
            except QueryInterrupted:
                pass
        return await _rows(database, *planned("collect")), total, order
    except QueryInterrupted:
        query.notes.append("Tìm kiếm quá lâu, hãy thêm từ hoặc bộ lọc. (The search took too long: "
                           "add words or filters.)")
    except sqlite3.OperationalError as error:
        query.notes.append(f"Không tìm được với cú pháp này. (This query could not be run: {error}.)")
    return [], 0, order


async def search_view(datasette, request):
    """``/search`` (HTML), ``/search.json``, ``/search.csv`` and ``/search.atom``: the same
    parameters (``q``, ``portal``, ``category``, ``from``, ``to``, ``sort``, ``page``). Without
    words, the filters list their articles newest first; with nothing at all, the page shows the
    newest articles of each portal. The feed is always newest first."""
    database = await _archive(datasette)
    fmt = request.url_vars.get("format") or ""
    args = {key: request.args.get(key) for key in request.args}
    search = SearchRequest.from_args(args)
    if fmt == ".atom":
        search.sort = "newest"
    query = parse(search)
    names = {row["slug"]: row["name"] for row in (await database.execute(
        "SELECT slug, coalesce(nullif(name, ''), slug) AS name FROM portals")).rows}
    page_size = {".csv": CSV_PAGE_SIZE, ".atom": FEED_SIZE}.get(fmt, reading.PAGE_SIZE)
    filtered = any((search.portal, search.category, search.date_from, search.date_to))
    newest_per_portal = not (search.q or filtered or fmt)
    listing = bool(query.expression) or (not search.q and not newest_per_portal)
    rows, total, order = [], 0, search.sort
    if newest_per_portal:
        rows = [dict(r) for r in (await database.execute(NEWEST_SQL, {"per_portal": NEWEST_PER_PORTAL})).rows]
    elif listing:
        rows, total, order = await _run_search(database, search, query, page_size)
    more = len(rows) > page_size and not newest_per_portal
    # Snippets are Python work (bounded, a few ms each): done in a worker thread so the event
    # loop keeps answering other requests meanwhile.
    results = await asyncio.get_running_loop().run_in_executor(
        None, lambda: [result_of(row, query, names) for row in rows[:page_size]])
    for result in results:
        result["archive_url"] = datasette.urls.path(f"/article/{result['id']}")

    def page_url(page: int, fmt: str = "", **changes) -> str:
        keep = {k: v for k, v in {**args, **changes}.items() if v and k != "page"}
        return datasette.urls.path(f"/search{fmt}") + "?" + urlencode({**keep, **({"page": page} if page > 1 else {})})

    def absolute(path: str) -> str:
        return datasette.absolute_url(request, datasette.urls.path(path))

    if fmt == ".csv":
        headers = {"Content-Disposition": 'attachment; filename="search.csv"'}
        if more:
            headers["Link"] = f'<{datasette.absolute_url(request, page_url(search.page + 1, ".csv"))}>; rel="next"'
        return Response(exports.search_csv(results, absolute), content_type="text/csv; charset=utf-8", headers=headers)
    if fmt == ".atom":
        named = [search.q, names.get(search.portal, search.portal), search.category]
        title = " · ".join(part for part in named if part) or "Tin mới · Newest"
        feed = exports.search_atom(results, title=f"{title} – newsarchive",
                                   feed_url=datasette.absolute_url(request, page_url(1, ".atom")),
                                   page_url=datasette.absolute_url(request, page_url(1, sort="newest")),
                                   absolute=absolute, now=datetime.datetime.now(datetime.timezone.utc))
        return Response(feed, content_type="application/atom+xml; charset=utf-8")
    data: dict[str, Any] = {
        "q": search.q, "expression": query.expression, "exact": query.exact, "notes": query.notes, "sort": search.sort,
        "order": order,
        "filters": {"portal": search.portal, "category": search.category, "from": search.date_from,
                    "to": search.date_to},
        "total": min(total, reading.COUNT_CAP), "total_is_capped": total > reading.COUNT_CAP, "page": search.page,
        "results": [] if newest_per_portal else results,
        "next_url": page_url(search.page + 1, ".json") if more else None,
    }
    if fmt == ".json":
        for result in data["results"]:
            result.pop("title_html")
        # cross-origin reads only when the operator asked for them (`newsarchive serve --cors`)
        return Response.json(data, headers={"Access-Control-Allow-Origin": "*"} if datasette.cors else {})
    portals = (await database.execute("SELECT portal, count(*) AS n FROM articles GROUP BY portal ORDER BY n DESC"
                                      " LIMIT 500")).rows
    categories = (await database.execute("SELECT category, count(*) AS n FROM articles WHERE category IS NOT NULL"
                                         " GROUP BY category ORDER BY n DESC LIMIT 500")).rows
    context = {**data, "listing": listing,
               "newest_by_portal": newest_by_portal(results) if newest_per_portal else [],
               "portals": [{"portal": r["portal"], "name": names.get(r["portal"]) or r["portal"], "n": r["n"]}
                           for r in portals],
               "categories": categories, "database": database.name,
               "next_page": page_url(search.page + 1) if more else None,
               "previous_page": page_url(search.page - 1) if search.page > 1 else None,
               "json_url": page_url(search.page, ".json"), "csv_url": page_url(1, ".csv"),
               "atom_url": page_url(1, ".atom"), "page_size": reading.PAGE_SIZE,
               "without_marks": query.without_marks, "without_marks_url": page_url(1, q=query.without_marks)}
    return Response.html(await datasette.render_template("search.html", context, request=request))


async def article_view(datasette, request):
    database = await _archive(datasette)
    article_id = to_article_id(request.url_vars["id"])
    row = (await database.execute("SELECT * FROM articles WHERE id = ?", [article_id])).first() if article_id else None
    if row is None:
        shown = request.url_vars["id"][:20] + ("…" if len(request.url_vars["id"]) > 20 else "")
        raise NotFound(f"Không có bài viết số {shown} trong kho lưu trữ. (No article {shown}.)")
    article = dict(row)
    images = [dict(r) for r in (await database.execute(
        "SELECT src, caption, alt FROM images WHERE article_id = ? ORDER BY position", [article_id])).rows]
    related = [dict(r) for r in (await database.execute(
        "SELECT r.url, r.title, r.published_at, r.published_raw, a.id AS archived_id FROM related_links r "
        "LEFT JOIN articles a ON a.url = r.url WHERE r.article_id = ? ORDER BY r.position", [article_id])).rows]
    portal = (await database.execute("SELECT * FROM portals WHERE slug = ?", [article["portal"]])).first()
    media = [dict(r) for r in (await database.execute(
        "SELECT am.role, am.position, am.url, am.title, m.sha256, m.content_type, m.bytes FROM article_media am "
        "LEFT JOIN media m ON m.url = am.url WHERE am.article_id = ? ORDER BY am.role, am.position", [article_id])).rows]
    copies = {m["url"]: datasette.urls.path(f"/media/{m['sha256']}") for m in media if m["sha256"]}
    body = render_body(article["body_html"], copies)
    shown = {img["src"] for img in images if img["src"] in (article["body_html"] or "")}
    context = {
        "article": article, "original_link": safe_url(article["url"]), "body_html": body,
        "images_outside_body": [{**i, "src": copies.get(i["src"]) or safe_url(i["src"])} for i in images
                                if i["src"] not in shown],
        "attachments": [{**m, "archived": copies.get(m["url"]), "link": safe_url(m["url"]),
                         "size": human_size(m["bytes"])} for m in media if m["role"] == "attachment"],
        "related": [{**r, "href": datasette.urls.path(f"/article/{r['archived_id']}") if r["archived_id"]
                     else safe_url(r["url"])} for r in related],
        "portal": dict(portal) if portal else None, "database": database.name,
        "snapshot_id": (await database.execute("SELECT max(id) FROM snapshots WHERE url = ?", [article["url"]])).first()[0],
    }
    return Response.html(await datasette.render_template("article.html", context, request=request))


async def media_view(datasette, request):
    """``/media/<sha256>``: the archive's copy of an image or attachment, from the files beside
    the archive (``<archive>.media/``), with the type the portal gave it; types outside
    :data:`~archive.reading.INLINE_MEDIA_TYPES` as a download; nothing in it may run."""
    database = await _archive(datasette)
    sha256 = request.url_vars["sha256"]
    row = (await database.execute("SELECT url, content_type FROM media WHERE sha256 = ? LIMIT 1", [sha256])).first()
    path = media_path(media_dir(database.path), sha256) if row and database.path else None
    if path is None or not os.path.isfile(path):
        raise NotFound("Không có tệp này trong kho lưu trữ. (No such file in the archive.)")
    content_type = (row["content_type"] or "application/octet-stream").split(";")[0].strip().lower()
    name = urllib.parse.unquote(urllib.parse.urlsplit(row["url"]).path.rsplit("/", 1)[-1]) or sha256
    headers = {"Content-Security-Policy": MEDIA_CSP, "X-Content-Type-Options": "nosniff",
               "Cache-Control": "public, max-age=31536000, immutable"}
    inline = content_type in INLINE_MEDIA_TYPES
    return AsgiFileDownload(path, filename=None if inline else name, content_type=content_type if inline else
                            "application/octet-stream", headers=headers)


async def _snapshot_row(database, request) -> dict:
    snapshot_id = to_article_id(request.url_vars["id"])
    row = (await database.execute("SELECT id, url, requested_url, fetched_at, status, kind, headers FROM snapshots "
                                  "WHERE id = ?", [snapshot_id])).first() if snapshot_id else None
    if row is None:
        shown = request.url_vars["id"][:20]
        raise NotFound(f"Không có bản lưu số {shown}. (No stored response {shown}.)")
    return dict(row)


async def snapshot_view(datasette, request):
    """``/snapshot/<id>``: a stored response as the portal served it, sanitized, in a sandboxed
    frame (``/snapshot/<id>/page``), under a banner: its URL, when it was fetched, the other
    stored responses of that URL, and the article's reading page."""
    database = await _archive(datasette)
    snapshot = await _snapshot_row(database, request)
    others = [dict(r) for r in (await database.execute(
        "SELECT id, fetched_at, status FROM snapshots WHERE url = ? ORDER BY fetched_at, id", [snapshot["url"]])).rows]
    article = (await database.execute("SELECT id, title FROM articles WHERE url = ?", [snapshot["url"]])).first()
    context = {"snapshot": snapshot, "others": others, "article": dict(article) if article else None,
               "link": safe_url(snapshot["requested_url"] or snapshot["url"]), "database": database.name}
    return Response.html(await datasette.render_template("snapshot.html", context, request=request))


async def snapshot_page(datasette, request):
    """``/snapshot/<id>/page``: the stored HTML, sanitized, with a Content-Security-Policy that
    lets nothing in it load or run (shown inside ``/snapshot/<id>``'s sandboxed frame)."""
    database = await _archive(datasette)
    snapshot = await _snapshot_row(database, request)
    body = gzip.decompress((await database.execute("SELECT body FROM snapshots WHERE id = ?",
                                                   [snapshot["id"]])).first()[0])
    headers = {k.lower(): v for k, v in json.loads(snapshot["headers"] or "{}").items()}
    content_type = headers.get("content-type", "")
    if content_type and "html" not in content_type.lower():
        page = f"<p>Không phải trang HTML ({content_type}), {len(body):,} bytes. · Not an HTML page.</p>"
    else:
        # absolute: the sanitizer resolves relative addresses against the portal's
        copies = {row["url"]: datasette.absolute_url(request, datasette.urls.path(f"/media/{row['sha256']}"))
                  for row in (await database.execute(
            "SELECT m.url, m.sha256 FROM media m JOIN article_media am ON am.url = m.url JOIN articles a "
            "ON a.id = am.article_id WHERE a.url = ? AND m.sha256 IS NOT NULL", [snapshot["url"]])).rows}
        page = await asyncio.get_running_loop().run_in_executor(
            None, lambda: render_snapshot(body, content_type, snapshot["requested_url"] or snapshot["url"], copies))
    html = ('<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="robots" content="noindex">'
            '<style>body{font-family:sans-serif;max-width:72em;margin:1em auto;padding:0 1em}'
            'img{max-width:100%;height:auto}img:not([src]){display:none}</style></head><body>' + page + "</body></html>")
    return Response.html(html, headers={"Content-Security-Policy": SNAPSHOT_CSP, "X-Content-Type-Options": "nosniff",
                                        "Referrer-Policy": "no-referrer"})
