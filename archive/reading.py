"""Read-side queries of the archive for people: search with filters, one article for reading.

Pure functions over an ``execute(sql, params) -> rows`` callable, so Datasette's read-only
connections (async) and plain sqlite3 (tests, scripts) can both use them. No writes: the
store is :mod:`archive.store`.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import urljoin, urlsplit
from dataclasses import dataclass, field
from typing import Any

import nh3

from .search import Query, parse_query, render, snippet, snippet_pieces

PAGE_SIZE = 20
#: Matches are counted up to this many ("10,000+"): counting every match of a word found in most
#: of a million articles costs seconds and tells a reader nothing more.
COUNT_CAP = 10_000
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
#: The last page a search can show: matches are counted up to COUNT_CAP.
MAX_PAGE = -(-COUNT_CAP // PAGE_SIZE)
#: The largest article id SQLite can hold (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def is_date(text: str) -> bool:
    """A real calendar date written ``YYYY-MM-DD`` in ASCII digits."""
    if not DATE.fullmatch(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def article_id(text: str) -> int | None:
    """An ``/article/<id>`` path segment as an id, or ``None`` when it cannot be one (not ASCII
    digits, 0, or beyond SQLite's integers)."""
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def safe_url(url: str | None) -> str | None:
    """``url`` when it may go into an ``href`` or ``src`` (an absolute http or https URL), else
    ``None``: a ``javascript:`` or ``data:`` address in an imported or hand-edited archive is shown
    as text, never linked."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None

#: Tags and attributes allowed when an article body is rendered (a second sanitizing pass:
#: the crawler sanitized it once when it was stored).
RENDER_TAGS = {
    "a", "b", "blockquote", "br", "caption", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "li", "ol", "p", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul", "div", "center",
}
RENDER_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
                     "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def render_body(body_html: str | None, archived: dict[str, str] | None = None) -> str:
    """Body HTML made safe to put in a page: no script, style, event handlers or non-http(s) URLs.
    ``archived`` maps an image's original URL to the archive's copy (``/media/<sha256>``): such
    images are shown from the archive, the others from their portal."""
    def use_copy(tag: str, attribute: str, value: str) -> str:
        return (archived or {}).get(value, value) if tag == "img" and attribute == "src" else value

    return nh3.clean(body_html or "", tags=RENDER_TAGS, attributes=RENDER_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow",
                     attribute_filter=use_copy if archived else None)


#: Types a copy is shown as in the browser (``/media/<sha256>``); any other (an SVG, HTML, a
#: Word file) is sent as a download, so nothing a portal served can run on the archive's site.
INLINE_MEDIA_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "application/pdf"}
MEDIA_CSP = "default-src 'none'; sandbox"


#: What a snapshot keeps when shown (``/snapshot/<id>``): the page's structure and text, its
#: links (made absolute), its images that the archive holds (from the archive); no script,
#: style sheet, frame, form, or address of anything on the portal to load.
SNAPSHOT_TAGS = RENDER_TAGS | {
    "abbr", "address", "article", "aside", "code", "dd", "del", "dfn", "dl", "dt", "footer", "header", "ins", "kbd",
    "main", "mark", "nav", "pre", "q", "section", "time", "font", "label", "colgroup", "col",
}
SNAPSHOT_ATTRIBUTES = {"*": {"class", "id", "title", "lang", "dir", "align"}, "a": {"href", "title"},
                       "img": {"alt", "title", "width", "height"}, "td": {"colspan", "rowspan"},
                       "th": {"colspan", "rowspan"}, "time": {"datetime"}}
#: Headers of the page that shows a snapshot's HTML: nothing it holds may load or run anything.
SNAPSHOT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")


def render_snapshot(body: bytes, content_type: str | None, base_url: str, archived: dict[str, str] | None = None) -> str:
    """A stored response's HTML made safe to show: decoded (the ``Content-Type`` charset, else
    what the page declares, else detected), sanitized to :data:`SNAPSHOT_TAGS`, relative links
    resolved against ``base_url``, non-http(s) links dropped; an image keeps its address only
    when ``archived`` maps it (absolute) to the archive's copy."""
    from bs4 import UnicodeDammit

    declared = re.search(r"charset=([\w.:-]+)", content_type or "", re.I)
    text = UnicodeDammit(body, [declared[1]] if declared else [], is_html=True).unicode_markup or ""
    copies = archived or {}

    def archived_images_only(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return copies.get(urljoin(base_url, value))
        return value

    return nh3.clean(text, tags=SNAPSHOT_TAGS, attributes={**SNAPSHOT_ATTRIBUTES,
                                                          "img": SNAPSHOT_ATTRIBUTES["img"] | {"src"}},
                     attribute_filter=archived_images_only,
                     clean_content_tags={"script", "style", "title", "noscript", "template", "iframe", "object",
                                         "textarea", "select"},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow",
                     url_relative=("rewrite_with_base", base_url))


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
            if value and not is_date(value):
                request.notes.append(f"Ngày không hợp lệ «{value}», bỏ qua: dùng dạng YYYY-MM-DD. "
                                     f"(Invalid date «{value}», ignored: use YYYY-MM-DD.)")
            elif value:
                setattr(request, attr, value)
        if request.sort not in ("relevance", "newest"):
            request.sort = "relevance"
        page = (args.get("page") or "1").strip()
        if not (page.isascii() and page.isdigit() and 1 <= len(page) <= 6 and 1 <= int(page) <= MAX_PAGE):
            request.notes.append(f"Trang «{page[:20]}» không có, hiển thị trang 1. (There is no page «{page[:20]}»: "
                                 f"pages run from 1 to {MAX_PAGE}; showing page 1.)")
            page = "1"
        request.page = int(page)
        return request


#: How the matches of a search are ordered (see :func:`search_sql`).
PLANS = ("rank", "sort", "walk", "collect")
#: Newest first, up to this many matches are collected (about 1 µs each) and sorted by date;
#: beyond, the date index is walked probing each article (fast when most articles match). The
#: search page and the articles table (:mod:`archive.datasette.table_search`) both decide so.
COLLECT_MAX_MATCHES = 150_000


def search_sql(request: SearchRequest, query: Query, matches: int = 0,
               page_size: int = PAGE_SIZE, plan: str | None = None) -> tuple[str, str, dict[str, Any]]:
    """``(select_sql, count_sql, params)`` for a parsed query and its filters. The count stops at
    ``COUNT_CAP + 1`` and gives the highest id among what it counted: FTS5 gives matches in id
    order, so ``count * max(articles.id) / that id`` estimates how many there are in all
    (:func:`estimated_matches`). ``matches`` is that count when known (run the count first). The
    select asks for ``page_size + 1`` rows (one more tells that there is a next page).

    ``plan`` says how the matches are ordered (default: ``rank`` for relevance; for newest
    first, ``sort`` when they are few, ``collect`` when ``matches`` is over ``COUNT_CAP``):

    * ``rank``: relevance, FTS5's bm25 of every match, computed in a subquery that carries only
      ids and scores: the article rows are read for one page only. Its cost grows with the
      matches (seconds for a word found in most of a million articles: FTS5's bm25 first counts
      every article holding each phrase), so the search page gives it a time budget
      (:data:`RANK_BUDGET_MS`) when the matches are many;
    * ``sort``: newest first, the matches sorted by date (few matches);
    * ``walk``: newest first, the ``published_at`` index walked from the newest article, each
      article probed for a match (one FTS5 lookup each): fast when most articles match, slow
      when few do;
    * ``collect``: newest first, every match's id collected, then the ``published_at`` index
      walked from the newest article keeping those: its cost grows with the matches, so it is
      fast exactly when ``walk`` is slow.

    Without words (``query.expression`` empty) it lists the articles the filters select, newest
    first."""
    filters = []
    params: dict[str, Any] = {"expression": query.expression} if query.expression else {}
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
    page = f"LIMIT {page_size + 1} OFFSET {(request.page - 1) * page_size}"
    columns = RESULT_COLUMNS
    if not query.expression:
        where = " AND ".join(filters) or "1"
        return (f"SELECT {columns} FROM articles WHERE {where} ORDER BY articles.published_at DESC, articles.id DESC "
                f"{page}", f"SELECT count(*), max(id) FROM (SELECT articles.id AS id FROM articles WHERE {where} "
                           f"LIMIT {COUNT_CAP + 1})", params)
    joined = ("FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid WHERE "
              + " AND ".join(["articles_fts MATCH :expression", *filters]))
    count = f"SELECT count(*), max(id) FROM (SELECT articles_fts.rowid AS id {joined} LIMIT {COUNT_CAP + 1})"
    plan = plan or ("rank" if request.sort == "relevance" else "sort" if matches <= COUNT_CAP else "collect")
    if plan not in PLANS:
        raise ValueError(f"no search plan {plan!r}: one of {', '.join(PLANS)}")
    newest = f"ORDER BY articles.published_at DESC, articles.id DESC {page}"
    if plan == "rank":
        scored = ("SELECT articles_fts.rowid AS id, bm25(articles_fts) AS score FROM articles_fts "
                  "WHERE articles_fts MATCH :expression")
        if filters:
            top = (f"SELECT scored.id, scored.score FROM ({scored}) AS scored JOIN articles ON articles.id = scored.id "
                   f"WHERE {' AND '.join(filters)} ORDER BY scored.score, scored.id DESC {page}")
        else:
            top = f"SELECT id, score FROM ({scored}) ORDER BY score, id DESC {page}"
        select = (f"SELECT {columns} FROM ({top}) AS top JOIN articles ON articles.id = top.id "
                  "ORDER BY top.score, top.id DESC")
    elif plan == "sort":
        select = f"SELECT {columns} {joined} {newest}"
    elif plan == "walk":
        probe = ("EXISTS (SELECT 1 FROM articles_fts WHERE articles_fts MATCH :expression "
                 "AND articles_fts.rowid = articles.id)")
        select = (f"SELECT {columns} FROM articles INDEXED BY idx_articles_published_at WHERE "
                  + " AND ".join([probe, *filters]) + f" {newest}")
    else:
        matching = "articles.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :expression)"
        select = (f"SELECT {columns} FROM articles INDEXED BY idx_articles_published_at WHERE "
                  + " AND ".join([matching, *filters]) + f" {newest}")
    return select, count, params


def estimated_matches(counted: int, last_id: int | None, max_id: int | None) -> int:
    """All the matches of a search whose count stopped at ``counted`` with ``last_id`` the highest
    id counted, in an archive whose highest id is ``max_id``: the density of matches among the ids
    counted, over every id."""
    if counted <= COUNT_CAP or not last_id or not max_id:
        return counted
    return max(counted, round(counted * max_id / last_id))


#: The articles' columns a search result is made from.
RESULT_COLUMNS = ("articles.id, articles.url, articles.title, articles.published_at, articles.portal, "
                  "articles.category, articles.author, articles.summary, articles.body_text, articles.captions, "
                  "articles.removed_at, articles.last_changed_at")

#: The newest articles of each portal (``:per_portal`` each), for a search page with nothing
#: typed: one index walk per portal (``articles(portal, published_at)``).
NEWEST_PER_PORTAL = (f"SELECT {RESULT_COLUMNS} FROM portals JOIN articles ON articles.id IN "
                     "(SELECT a.id FROM articles AS a WHERE a.portal = portals.slug "
                     "ORDER BY a.published_at DESC, a.id DESC LIMIT :per_portal) "
                     "ORDER BY articles.portal, articles.published_at DESC, articles.id DESC")


def result_of(row: dict[str, Any], query: Query, portal_names: dict[str, str] | None = None) -> dict[str, Any]:
    """One search result: the article's fields, its portal's name and a highlighted snippet (HTML
    and plain; the start of the text when nothing was searched)."""
    text = " ".join(t for t in (row.get("summary"), row.get("body_text"), row.get("captions")) if t)
    pieces = snippet_pieces(text, query.terms)
    return {
        "id": row["id"], "url": row["url"], "link": safe_url(row["url"]), "title": row["title"], "published_at": row["published_at"],
        "published": human_time(row["published_at"]),
        "portal": row["portal"], "portal_name": (portal_names or {}).get(row["portal"]) or row["portal"],
        "category": row["category"], "author": row.get("author"), "removed_at": row.get("removed_at"),
        "last_changed_at": row.get("last_changed_at"),
        "title_html": snippet(row["title"], query.terms, width=10_000),
        "snippet_html": render(pieces),
        "snippet": render(pieces, mark=("", ""), escape=False),
    }


def newest_by_portal(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Results of :data:`NEWEST_PER_PORTAL` grouped per portal, the portal with the newest
    article first: ``[{"portal", "portal_name", "results"}]``."""
    groups: dict[str, dict[str, Any]] = {}
    for result in results:
        group = groups.setdefault(result["portal"], {"portal": result["portal"], "portal_name": result["portal_name"],
                                                     "results": []})
        group["results"].append(result)
    return sorted(groups.values(), key=lambda g: max(r["published_at"] or "" for r in g["results"]), reverse=True)


def human_size(size: int | None) -> str:
    """A file size for people: ``38 bytes``, ``12 KB``, ``3.4 MB``."""
    if size is None:
        return "?"
    if size < 1024:
        return f"{size} bytes"
    return f"{size / 1024:,.0f} KB" if size < 1024 * 1024 else f"{size / 2**20:,.1f} MB"


_TIME = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})(?:[T ](?P<H>[0-9]{2}):(?P<M>[0-9]{2}))?", re.ASCII)


def human_time(value: str | None) -> str:
    """An archive time as Vietnamese readers write it: ``2020-12-24T08:15:00+07:00`` →
    ``24/12/2020 08:15`` (the time as the portal gave it, Asia/Ho_Chi_Minh), ``2020-12-24`` →
    ``24/12/2020``; anything else unchanged, ``None`` → ``""``."""
    match = _TIME.match(value or "")
    if not match:
        return value or ""
    shown = f"{match['d']}/{match['m']}/{match['y']}"
    return f"{shown} {match['H']}:{match['M']}" if match["H"] else shown


def parse(request: SearchRequest) -> Query:
    query = parse_query(request.q)
    query.notes[:0] = request.notes
    return query
