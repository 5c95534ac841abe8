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


def search_sql(request: SearchRequest, query: Query) -> tuple[str, str, dict[str, Any]]:
    """``(select_sql, count_sql, params)`` for a parsed query and its filters; the count stops
    at ``COUNT_CAP + 1``."""
    where = ["articles_fts MATCH :expression"]
    params: dict[str, Any] = {"expression": query.expression}
    if request.portal:
        where.append("articles.portal = :portal")
        params["portal"] = request.portal
    if request.category:
        where.append("articles.category = :category")
        params["category"] = request.category
    if request.date_from:
        where.append("articles.published_at >= :date_from")
        params["date_from"] = request.date_from
    if request.date_to:
        where.append("substr(articles.published_at, 1, 10) <= :date_to")
        params["date_to"] = request.date_to
    base = ("FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid WHERE " + " AND ".join(where))
    order = "articles_fts.rank" if request.sort == "relevance" else "articles.published_at DESC"
    select = (f"SELECT articles.id, articles.url, articles.title, articles.published_at, articles.portal, "
              f"articles.category, articles.summary, articles.body_text, articles.captions {base} "
              f"ORDER BY {order}, articles.id DESC LIMIT {PAGE_SIZE + 1} OFFSET {(request.page - 1) * PAGE_SIZE}")
    return select, f"SELECT count(*) FROM (SELECT 1 {base} LIMIT {COUNT_CAP + 1})", params


def result_of(row: dict[str, Any], query: Query) -> dict[str, Any]:
    """One search result: the article's fields and a highlighted snippet (HTML and plain)."""
    text = " ".join(t for t in (row.get("summary"), row.get("body_text"), row.get("captions")) if t)
    return {
        "id": row["id"], "url": row["url"], "title": row["title"], "published_at": row["published_at"],
        "portal": row["portal"], "category": row["category"],
        "title_html": snippet(row["title"], query.terms, width=10_000),
        "snippet_html": snippet(text, query.terms),
        "snippet": snippet(text, query.terms, mark=("", ""), escape=False),
    }


def parse(request: SearchRequest) -> Query:
    query = parse_query(request.q)
    query.notes[:0] = request.notes
    return query
