"""Datasette's own table of articles searched at any size: ``/<db>/articles?_search=`` capped.

Datasette answers ``?_search=`` on a table with ``id in (select rowid from articles_fts where
articles_fts match escape_fts(:search))``, then counts every match, computes each facet over every
match and tries facet suggestions on them. For a word found in most of a million articles each of
those reads a million rows: the table API took 5.2 s (p50) for such words, the first ones a
journalist types ("thi đua", "khen thưởng").

So the table is searched the way the search page searches (:mod:`archive.reading`): the matches
are first counted up to ``COUNT_CAP + 1`` (a few milliseconds: FTS5 hands them over in id order)
and, past that, estimated from the ids counted (:func:`archive.reading.estimated_matches`).

* **At most** ``COUNT_CAP`` **matches**: nothing changes; Datasette counts and facets them.
* **More**: the request is answered without its count, facets and facet suggestions
  (``_nocount=1&_nofacet=1&_nosuggest=1`` are added to it before Datasette reads it) and the
  description says so, with the estimate: ``search matches "thi dua" (about 998,000 articles:
  too many to count or facet; add words or filters)``. JSON readers find that in
  ``human_description_en``; ``filtered_table_rows_count`` is ``null``, as with ``_nocount``.
* **More than** ``COLLECT_MAX_MATCHES`` (:mod:`archive.reading`) **and the table's own order**
  (newest first): the search clause becomes a probe of each article met walking the date index
  (``exists (… rowid = articles.id)``), so a page costs its own rows instead of collecting
  every match first.

A search naming its own FTS table or primary key (``_fts_table``, ``_fts_pk``) or searching one
column (``_search_<column>``) is left to Datasette as it is. The rows and their order are the
same either way: only the count and the facets are given up, and only when they would be slow.
"""

from __future__ import annotations

import sqlite3
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils import await_me_maybe, escape_sqlite
from datasette.database import QueryInterrupted

from .. import reading
from ..reading import estimated_matches

TABLE = "articles"
FTS_TABLE = "articles_fts"
#: Where the wrapper leaves the estimated matches of a capped search for the filter hook.
MATCHES = "newsarchive.table_search.matches"
#: The table's own order (metadata ``sort_desc``), the one the date index serves.
DATE_COLUMN = "published_at"
CAPPED = {"_nocount": "1", "_nofacet": "1", "_nosuggest": "1"}


def wrap(app, datasette):
    """ASGI middleware: a search of an archive's articles table with more than ``COUNT_CAP``
    matches goes on without its count and facets (see the module docstring)."""

    async def capped(scope, receive, send):
        if scope.get("type") == "http" and scope.get("method", "GET") in ("GET", "HEAD"):
            scope = await capped_scope(datasette, scope)
        await app(scope, receive, send)

    return capped


def _table_route(path: str) -> str | None:
    """The database route of ``/<route>/articles`` (with ``.json`` or ``.csv``), else ``None``."""
    parts = path.strip("/").split("/")
    if len(parts) != 2:
        return None
    route, table = parts
    return route if table in (TABLE, f"{TABLE}.json", f"{TABLE}.csv") else None


async def capped_scope(datasette, scope: dict) -> dict:
    """``scope`` itself, or a copy whose query string asks for no count and no facets, carrying
    the estimated matches under :data:`MATCHES` (when the search has more than ``COUNT_CAP``)."""
    route = _table_route(scope.get("path", ""))
    if route is None:
        return scope
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    args: dict[str, str] = {}
    for key, value in query:
        args.setdefault(key, value)  # the first of a repeated parameter, as Datasette's request.args.get
    search = args.get("_search", "")
    if not search.strip() or "_fts_table" in args or "_fts_pk" in args:
        return scope
    try:
        database = datasette.get_database(route=route)
    except KeyError:
        return scope
    if not await database.table_exists(FTS_TABLE) or not await database.table_exists(TABLE):
        return scope
    raw = datasette.table_metadata(database.name, TABLE).get("searchmode") == "raw"
    raw = {"raw": True, "escaped": False}.get(args.get("_searchmode", ""), raw)
    match = ":search" if raw else "escape_fts(:search)"
    try:
        counted, last_id = (await database.execute(
            f"SELECT count(*), max(id) FROM (SELECT rowid AS id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH {match} "
            f"LIMIT {reading.COUNT_CAP + 1})", {"search": search})).first()
        if counted <= reading.COUNT_CAP:
            return scope
        max_id = (await database.execute(f"SELECT max(id) FROM {TABLE}")).first()[0]
    except (sqlite3.Error, QueryInterrupted):
        return scope  # a query FTS5 refuses: Datasette says why, as it always did
    extra = [(key, value) for key, value in CAPPED.items() if key not in args]
    query_string = urlencode(query + extra).encode("latin-1") if extra else scope["query_string"]
    return {**scope, "query_string": query_string, MATCHES: estimated_matches(counted, last_id, max_id)}


def _default_order(request) -> bool:
    """Whether the table is read in its own order, newest first (what the date index serves)."""
    sort, sort_desc = request.args.get("_sort"), request.args.get("_sort_desc")
    return not sort and sort_desc in (None, DATE_COLUMN)


def _searched(fts_pk: str, raw: bool) -> str:
    """The clause Datasette's own ``?_search=`` filter adds (``datasette/filters.py``)."""
    match = ":search" if raw else "escape_fts(:search)"
    return (f"{escape_sqlite(fts_pk)} in (select rowid from {escape_sqlite(FTS_TABLE)} "
            f"where {escape_sqlite(FTS_TABLE)} match {match})")


#: Datasette's search clause (by primary key name and search mode) → whether it is raw.
_DATASETTE_CLAUSES = {_searched(pk, raw): raw for pk in ("id", "rowid") for raw in (False, True)}


def _probe(raw: bool) -> str:
    match = ":search" if raw else "escape_fts(:search)"
    return (f"exists (select 1 from {FTS_TABLE} where {FTS_TABLE} match {match} "
            f"and {FTS_TABLE}.rowid = {TABLE}.id)")


@hookimpl(wrapper=True)
def filters_from_request(request, database, table, datasette):
    """Around every plugin's filters (Datasette's own ``?_search=`` among them): a capped search
    says so in its description and, when its matches are many, probes articles in date order."""
    results = yield
    matches = request.scope.get(MATCHES) if table == TABLE else None
    if matches is None:
        return results
    walk = matches > reading.COLLECT_MAX_MATCHES and _default_order(request)
    return [_capped(result, request.args.get("_search", ""), matches, walk) for result in results]


def _capped(result, search: str, matches: int, walk: bool):
    async def inner():
        arguments = await await_me_maybe(result)
        if arguments is None:
            return None
        if walk:
            arguments.where_clauses = [_probe(_DATASETTE_CLAUSES[clause]) if clause in _DATASETTE_CLAUSES else clause
                                       for clause in arguments.where_clauses]
        said = f'search matches "{search}"'
        arguments.human_descriptions = [
            f"{said} (about {matches:,} articles: too many to count or facet; add words or filters)"
            if description == said else description for description in arguments.human_descriptions]
        return arguments

    return inner
