"""Read-side queries of the archive for people: search with filters, one article for reading.

Pure functions over an ``execute(sql, params) -> rows`` callable, so Datasette's read-only
connections (async) and plain sqlite3 (tests, scripts) can both use them. No writes: the
store is :mod:`archive.store`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import nh3

from .search import Query, parse_query, snippet

PAGE_SIZE = 20
#: Matches are counted up to this many ("10,000+"): counting every match of a word found in most
#: of a million articles costs seconds and tells a reader nothing more.
COUNT_CAP = 10_000
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: Tags and attributes allowed when an article body is rendered (a second sanitizing pass:
#: the crawler sanitized it once when it was stored).
RENDER_TAGS = {
    "a", "b", "blockquote", "br", "caption", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "li", "ol", "p", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul", "div", "center",
}
RENDER_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
                     "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def render_body(body_html: str | None) -> str:
    """Body HTML made safe to put in a page: no script, style, event handlers or non-http(s) URLs."""
    return nh3.clean(body_html or "", tags=RENDER_TAGS, attributes=RENDER_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")


@dataclass
class SearchRequest:
    """The search page's parameters, validated. Dates are ``YYYY-MM-DD``."""

    q: str = ""
    portal: str = ""
    category: str = ""
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"  #: "relevance" or "newest"
    page: int = 1
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args: dict[str, str]) -> "SearchRequest":
        request = cls(q=(args.get("q") or "").strip(), portal=args.get("portal") or "",
                      category=args.get("category") or "", sort=args.get("sort") or "relevance")
        for key, attr in (("from", "date_from"), ("to", "date_to")):
            value = (args.get(key) or "").strip()
            if value and not DATE.match(value):
                request.notes.append(f"Ngày không hợp lệ «{value}»: dùng dạng YYYY-MM-DD. "
                                     f"(Invalid date «{value}»: use YYYY-MM-DD.)")
            elif value:
                setattr(request, attr, value)
        if request.sort not in ("relevance", "newest"):
            request.sort = "relevance"
        try:
            request.page = max(1, int(args.get("page") or 1))
        except ValueError:
            request.page = 1
        return request


def search_sql(request: SearchRequest, query: Query, matches: int = 0) -> tuple[str, str, dict[str, Any]]:
    """``(select_sql, count_sql, params)`` for a parsed query and its filters; the count stops
    at ``COUNT_CAP + 1``. ``matches`` is that count when known (run the count first).

    Relevance order ranks every match (FTS5 bm25). Newest-first sorts the matches by date when
    they are few; when they are many (``matches`` over ``COUNT_CAP``) it walks the
    ``published_at`` index from the newest article and keeps those in the match set, stopping
    after one page (0.7 s instead of 2.8 s for a word found in most of a million articles)."""
    filters = []
    params: dict[str, Any] = {"expression": query.expression}
    if request.portal:
        filters.append("articles.portal = :portal")
        params["portal"] = request.portal
    if request.category:
        filters.append("articles.category = :category")
        params["category"] = request.category
    if request.date_from:
        filters.append("articles.published_at >= :date_from")
        params["date_from"] = request.date_from
    if request.date_to:
        filters.append("substr(articles.published_at, 1, 10) <= :date_to")
        params["date_to"] = request.date_to
    columns = ("articles.id, articles.url, articles.title, articles.published_at, articles.portal, "
               "articles.category, articles.summary, articles.body_text, articles.captions, articles.removed_at")
    page = f"LIMIT {PAGE_SIZE + 1} OFFSET {(request.page - 1) * PAGE_SIZE}"
    joined = ("FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid WHERE "
              + " AND ".join(["articles_fts MATCH :expression", *filters]))
    if request.sort == "relevance":
        select = f"SELECT {columns} {joined} ORDER BY articles_fts.rank, articles.id DESC {page}"
    elif matches <= COUNT_CAP:
        select = f"SELECT {columns} {joined} ORDER BY articles.published_at DESC, articles.id DESC {page}"
    else:
        matching = "articles.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :expression)"
        select = (f"SELECT {columns} FROM articles INDEXED BY idx_articles_published_at WHERE "
                  + " AND ".join([matching, *filters]) + f" ORDER BY articles.published_at DESC {page}")
    return select, f"SELECT count(*) FROM (SELECT 1 {joined} LIMIT {COUNT_CAP + 1})", params


def result_of(row: dict[str, Any], query: Query) -> dict[str, Any]:
    """One search result: the article's fields and a highlighted snippet (HTML and plain)."""
    text = " ".join(t for t in (row.get("summary"), row.get("body_text"), row.get("captions")) if t)
    return {
        "id": row["id"], "url": row["url"], "title": row["title"], "published_at": row["published_at"],
        "portal": row["portal"], "category": row["category"], "removed_at": row.get("removed_at"),
        "title_html": snippet(row["title"], query.terms, width=10_000),
        "snippet_html": snippet(text, query.terms),
        "snippet": snippet(text, query.terms, mark=("", ""), escape=False),
    }


def parse(request: SearchRequest) -> Query:
    query = parse_query(request.q)
    query.notes[:0] = request.notes
    return query
