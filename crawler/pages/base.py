"""The page-object base class and the generic fallbacks every platform inherits.

A page object turns ``(url, html)`` into an :class:`~crawler.items.Article`, a
:class:`~crawler.items.Listing` or a :class:`~crawler.items.NotArticle`. It knows nothing about
crawling: no Scrapy, no I/O. Platform modules subclass :class:`PageObject` and set their
selectors as class attributes at the top of the module; the methods here use those selectors and
fall back on standard metadata (``link[rel=canonical]``, ``og:*``, JSON-LD, ``<time>``,
``itemprop``) when a selector finds nothing.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from typing import Any, Callable, TypeVar, cast
from urllib.parse import urlsplit, urljoin

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from ..extract.dates import parse_date
from ..extract.body import Body, extract_body, pair_images, soup_of, split_bold_lead, text_of
from ..extract.soup import attribute
from ..extract.text import clean, clean_or_none
from ..extract.urls import absolute, canonical, same_host
from ..items import Article, Image, Listing, ListingEntry, NotArticle, PageLink, RelatedLink

#: "(23/12/2020 09:04)" at the end of a related-link text.
#: Only a date in brackets is split off: "Thông báo kết luận ngày 15/3/2021" keeps its date.
_TRAILING_DATE = re.compile(r"\s*[\(\[]\s*(?:ngày\s*)?\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}[^()\[\]]*[\)\]]\s*$", re.I)
#: Breadcrumb items that name the home page, not a category (lower case): every page object's.
HOME_WORDS = frozenset({"trang chủ", "trang chu", "home", "trang nhất"})
#: ``<meta name="generator">``, the name in any case (``GENERATOR`` on some portals).
_GENERATOR_NAME = re.compile(r"^generator$", re.I)


def generator_of(soup: BeautifulSoup) -> str:
    """The page's ``<meta name="generator" content="…">`` value ("" without one): the CMS's
    own name for itself, read the same way by every platform's fingerprint."""
    meta = soup.find("meta", attrs={"name": _GENERATOR_NAME})
    content = meta.get("content") if meta is not None else None
    return content if isinstance(content, str) else ""

#: Elements a heading (``<h1>``–``<h6>``) may not hold: one inside a title element means the
#: element was never closed and the parser put the rest of the page inside it, as browsers do.
_BLOCK_TAGS = frozenset({"address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "fieldset",
                         "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
                         "li", "main", "nav", "ol", "p", "pre", "section", "table", "ul"})
#: Inline elements that are part of a heading's own words (a link, bold, a line break); a
#: ``<span>`` is not: portals put the date, the author or hidden metadata in spans after the title.
_WORD_TAGS = frozenset({"a", "abbr", "b", "bdi", "big", "br", "cite", "code", "em", "font", "i", "mark", "q",
                        "s", "small", "strong", "sub", "sup", "u", "wbr"})


def heading_text(node: Tag) -> str:
    """The text of a title element, whitespace collapsed. A title element that holds a block
    (:data:`_BLOCK_TAGS`) was left unclosed, and holds the rest of the page: its own words are its
    leading text and word-level elements (:data:`_WORD_TAGS`), up to its first other child. When
    it starts with another child (``<h1><div>Title</div></h1>``), its whole text is kept."""
    if node.find(_BLOCK_TAGS) is None:
        return clean(node.get_text(" "))
    words: list[str] = []
    for child in node.children:
        if isinstance(child, Tag):
            if child.name not in _WORD_TAGS:
                break
            words.append(child.get_text(" "))
        elif isinstance(child, NavigableString) and not isinstance(child, PreformattedString):
            words.append(str(child))  # text, not a comment or CDATA
    return clean(" ".join(words)) or clean(node.get_text(" "))


Method = TypeVar("Method", bound=Callable[..., Any])


def cache_on_page(method: Method) -> Method:
    """Compute a page object's method once per page and arguments: the one caching idiom of the
    page objects, for a value that depends on the page (and the hashable arguments) alone. The
    results live on the page object, so they go with it; an override and the method it overrides
    are cached apart (keyed by qualified name)."""
    name = f"_cached_{method.__qualname__}"

    @functools.wraps(method)
    def cached(self, *args):
        memo = self.__dict__.setdefault(name, {})
        if args not in memo:
            memo[args] = method(self, *args)
        return memo[args]

    return cast(Method, cached)  # the same signature, the same result


#: A ``__doPostBack`` call whose argument names a page ("Page$2", "…$ctl02", "pager…").
_POSTBACK_PAGE = re.compile(r"__doPostBack\([^)]*(?:page|pager|paging|trang|\$ctl\d+)", re.I)


class PageObject:
    """Base page object. Subclasses override selectors (CSS, for ``soup.select``)."""

    platform = "generic"
    #: Detection order: higher first (a version subclass outranks the layout it extends).
    priority = 0

    # Selectors; ``None`` means "use the generic fallback".
    ARTICLE: str | None = None  #: element that exists only on article pages
    TITLE: str | None = None
    DATE_SHOWN: str | None = None  #: visible publication date under the title
    DATE_ISO: str | None = None  #: machine-readable publication date
    SUMMARY: str | None = None
    BODY: str | None = None
    AUTHOR: str | None = None  #: structured author element (used when the body has no byline)
    BYLINE_LINES: str | None = None  #: "Tác giả: X" / "Nguồn tin: Y" lines outside the body
    LEAD_IMAGE: str | None = None  #: lead image container outside the body
    RELATED_ITEMS: str | None = None  #: one element per related link
    BREADCRUMB: str | None = None  #: breadcrumb items, home first
    LISTING_ITEMS: str | None = None  #: one element per article on a listing page (an <a> or contains one)
    LISTING_DATE: str | None = None  #: date inside a listing item's container
    LISTING_ITEM_CONTAINER: str | None = None  #: CSS selector of the ancestor of a listing link that holds its date
    PAGINATION: str | None = None  #: links to other pages of a listing
    PAGER: str = ".pagination, .pager, .paging, .PhanTrang, [class*=pagination], [class*=PhanTrang], [class*=paging], [id*=Paging], [id*=PhanTrang], .rgPager"

    def __init__(self, url: str, html: str | bytes | BeautifulSoup, source: str | None = None):
        self.url = url
        self.expect: str | None = None
        self.soup = html if isinstance(html, BeautifulSoup) else soup_of(html)
        #: the page's decoded HTML when known (``source``, or ``html`` given as text), for tools that
        #: parse it themselves; ``None`` when only a tree was given
        self.source = source if source is not None else html if isinstance(html, str) else None
        resolve_base_href(self.soup, url)

    # --- outcome ---------------------------------------------------------------------------

    def parse(self, expect: str | None = None) -> Article | Listing | NotArticle:
        """Classify the page and extract it. ``expect`` ("article" or "listing") is how the page was
        reached (a listing's article link, or a start/pagination URL): a hint that heuristic
        page objects may use for borderline pages; selector-driven ones ignore it."""
        self.expect = expect
        duplicate = self.duplicate_of()
        if duplicate:
            return NotArticle(self.url, self.platform, f"duplicate view of {duplicate}", duplicate)
        if self.is_article():
            return self.article()
        listing = self.listing()
        if listing.entries:
            return listing
        return NotArticle(self.url, self.platform, "neither an article nor a listing")

    def duplicate_of(self) -> str | None:
        """Canonical URL of the page this one duplicates (print or save view), else ``None``."""
        return None

    def is_article(self) -> bool:
        if self.ARTICLE:
            return self.soup.select_one(self.ARTICLE) is not None
        return bool(self.title()) and self._body_node() is not None and bool(self._generic_published_raw())

    # --- article ---------------------------------------------------------------------------

    def article(self) -> Article:
        body = self.body()
        lead = self.lead_images()
        author, source = self.byline(body)
        raw = self.published_raw()
        summary = self.summary()
        if summary is None:
            summary, body = split_bold_lead(body)
        title = self.title() or ""
        return Article(
            url=self.canonical_url(),
            platform=self.platform,
            title=title,
            category=self.category(title),
            summary=summary,
            author=author,
            source=source,
            published_at=parse_date(raw),
            published_raw=raw,
            body_text=body.text,
            body_html=body.html,
            images=lead + body.images,
            related_links=self.related_links(),
            site_name=self.site_name(),
        )

    def canonical_link(self) -> str | None:
        """The page's ``<link rel="canonical">``, absolute (None without one): read here for every
        page object, which decides what to trust of it."""
        link = self.soup.find("link", rel="canonical")
        href = link.get("href") if link is not None else None
        return absolute(href, self.url) if isinstance(href, str) and href.strip() else None

    def canonical_url(self) -> str:
        href = self.canonical_link()
        if href and same_host(href, self.url):
            return self.clean_str_url(canonical(href))
        return self.clean_str_url(canonical(self.url))

    def title(self) -> str | None:
        if self.TITLE and (node := self.soup.select_one(self.TITLE)):
            return heading_text(node) or None
        return self._meta("og:title") or (heading_text(h1) or None if (h1 := self.soup.find("h1")) else None)

    def published_raw(self) -> str | None:
        """The publication date text, exactly as shown (whitespace collapsed)."""
        for selector in (self.DATE_SHOWN, self.DATE_ISO):
            if not selector:
                continue
            for node in self.soup.select(selector):
                raw = _shown_date(node)
                if parse_date(raw):
                    return raw
        return self._generic_published_raw()

    def summary(self) -> str | None:
        node = self.soup.select_one(self.SUMMARY) if self.SUMMARY else None
        if node is None:
            return None
        node = copy_without(node, "figure, img, table, script, style")
        return clean_or_none(text_of(node).replace("\n\n", " "))

    def body(self) -> Body:
        node = self._body_node()
        if node is None:
            return Body()
        return extract_body(node, self.url)

    def lead_images(self) -> list[Image]:
        if not self.LEAD_IMAGE:
            return []
        images: list[Image] = []
        body = self._body_node()
        for node in self.soup.select(self.LEAD_IMAGE):
            if body is not None and (node is body or body in node.parents):
                continue  # a figure inside the body is a body image
            images.extend(pair_images(copy_without(node, "script"), self.url))
        return images

    def byline(self, body: Body) -> tuple[str | None, str | None]:
        """(author, source): from the body's last lines, else structured lines, else ``AUTHOR``."""
        author, source = body.author, body.source
        if self.BYLINE_LINES:
            for node in self.soup.select(self.BYLINE_LINES):
                label, _, value = clean(node.get_text(" ")).partition(":")
                label = label.lower()
                if not value.strip():
                    continue
                if label.startswith("tác giả") and author is None:
                    author = clean(value)
                elif label.startswith("nguồn") and source is None:
                    source = clean(value)
        if author is None and self.AUTHOR and (author_node := self.soup.select_one(self.AUTHOR)):
            author = clean_or_none(attribute(author_node, "content") or author_node.get_text(" "))
        return author, source

    def related_links(self) -> list[RelatedLink]:
        if not self.RELATED_ITEMS:
            return []
        links: list[RelatedLink] = []
        seen: set[str] = set()
        for item in self.soup.select(self.RELATED_ITEMS):
            anchor = item if item.name == "a" else item.find("a", href=True)
            if anchor is None:
                continue
            href = absolute(attribute(anchor, "href"), self.url)
            url = _canonical_or_none(self.clean_url(href))
            if not url or url in seen:
                continue
            seen.add(url)
            title, raw = split_title_date(anchor.get_text(" "))
            if raw is None:
                outside = clean(item.get_text(" ").replace(anchor.get_text(" "), " ", 1)) if item is not anchor else ""
                raw = outside if parse_date(outside) else None
            links.append(RelatedLink(url=url, title=title or clean(attribute(anchor, "title")),
                                     published_at=parse_date(raw), published_raw=raw, href=href))
        return links

    def category(self, article_title: str | None = None) -> str | None:
        """The breadcrumb's last item; on an article page not the article's own title, which
        some CMSs print as the last crumb."""
        if not self.BREADCRUMB:
            return None
        names = [clean(n.get_text(" ")) for n in self.soup.select(self.BREADCRUMB)]
        names = [n for n in names if n and n.lower() not in HOME_WORDS and n != article_title]
        return names[-1] if names else None

    def site_name(self) -> str | None:
        name = self._meta("og:site_name")
        if name:
            return name
        title = clean(self.soup.title.get_text()) if self.soup.title else ""
        return clean_or_none(title.rsplit(" - ", 1)[-1]) if " - " in title else None

    # --- listing ---------------------------------------------------------------------------

    def listing(self) -> Listing:
        entries: list[ListingEntry] = []
        seen: set[str] = set()
        for node in self.soup.select(self.LISTING_ITEMS) if self.LISTING_ITEMS else []:
            anchor = node if node.name == "a" else node.find("a", href=True)
            if anchor is None:
                continue
            href = absolute(attribute(anchor, "href"), self.url)
            url = self.clean_url(href)
            if not url or not same_host(url, self.url) or url in seen or self.is_duplicate_url(url):
                continue
            seen.add(url)
            title, raw = split_title_date(anchor.get_text(" "))
            if raw is None:
                raw = self._listing_date(anchor)
            entries.append(ListingEntry(url=url, title=title or clean(attribute(anchor, "title")),
                                        published_at=parse_date(raw), published_raw=raw, href=href))
        return Listing(url=self.clean_str_url(self.url), platform=self.platform, category=self.category(),
                       entries=entries, page_links=self.page_links(),
                       unsupported_pagination=self.unsupported_pagination(), site_name=self.site_name())

    def page_links(self) -> list[PageLink]:
        """The listing's other pages (``PAGINATION`` links; this page excluded), identified by
        their cleaned URL, requested as linked."""
        links: list[PageLink] = []
        here = canonical(self.clean_str_url(self.url))
        for anchor in self.soup.select(self.PAGINATION) if self.PAGINATION else []:
            link = self._page_link(anchor)
            if link and all(link.url != other.url for other in links) and canonical(link.url) != here:
                links.append(link)
        return links

    def _page_link(self, anchor: Tag) -> PageLink | None:
        """``anchor`` as a link to a page of this host (``None`` for scripts, anchors, other hosts)."""
        href = absolute(attribute(anchor, "href"), self.url)
        url = self.clean_url(href)
        return PageLink(url=url, href=href) if url and href and same_host(url, self.url) else None

    def unsupported_pagination(self) -> str | None:
        """Why further listing pages can't be fetched, when the pager only posts back
        (``javascript:__doPostBack(…)``, ASP.NET WebForms) and offers no link."""
        pagers = self.soup.select(self.PAGER)
        anchors = [a for pager in pagers for a in pager.find_all("a")]
        if not pagers:
            anchors = [a for a in self.soup.find_all("a", href=True)
                       if _POSTBACK_PAGE.search(attribute(a, "href") or "")]
        postbacks = [a for a in anchors
                     if "__dopostback" in ((attribute(a, "href") or "") + (attribute(a, "onclick") or "")).lower()]
        if postbacks and not self.page_links():
            return f"ASP.NET __doPostBack pager ({len(postbacks)} page links, none fetchable)"
        return None

    @classmethod
    def matches(cls, url: str, soup: BeautifulSoup) -> bool:
        """True when this page object's platform built the page (fingerprints: generator meta,
        class names, URL shapes). The generic base matches nothing."""
        return False

    @classmethod
    def is_duplicate_url(cls, url: str) -> bool:
        """True for URLs of views that duplicate an article (print, save, send-mail)."""
        return False

    @classmethod
    def clean_url(cls, url: str | None) -> str | None:
        """The platform's normal form of a page URL (e.g. Liferay: drop volatile portlet
        parameters). Identity by default; ``None`` passes through."""
        return url

    def clean_str_url(self, url: str) -> str:
        """``self.clean_url(url)`` for a URL that is not ``None``, typed so: every platform's
        ``clean_url`` gives a URL for a URL (only ``None`` passes through as ``None``). Asked of
        the page object, not its class: the cascade gives its generic page the platform's rules."""
        return cast(str, self.clean_url(url))

    # --- helpers ---------------------------------------------------------------------------

    @cache_on_page
    def _body_node(self) -> Tag | None:
        """The body element (``BODY``; else ``<article>`` or ``[itemprop=articleBody]``), looked up
        once per page: the article, its lead images and the cascade all ask for it."""
        if self.BODY:
            return self.soup.select_one(self.BODY)
        return self.soup.find("article") or self.soup.find(itemprop="articleBody")

    def _listing_date(self, anchor: Tag) -> str | None:
        if not (self.LISTING_DATE and self.LISTING_ITEM_CONTAINER):
            return None
        container = next((p for p in anchor.parents if isinstance(p, Tag) and p.name != "[document]"
                          and p.css.match(self.LISTING_ITEM_CONTAINER)), None)
        for node in container.select(self.LISTING_DATE) if container else []:
            raw = clean(node.get_text(" "))
            if parse_date(raw):
                return raw
        return None

    def _meta(self, name: str) -> str | None:
        node = self.soup.find("meta", attrs={"property": name}) or self.soup.find("meta", attrs={"name": name})
        return clean_or_none(attribute(node, "content")) if node else None

    def _generic_published_raw(self) -> str | None:
        for value in self._json_ld_values("datePublished"):
            if parse_date(value):
                return clean(value)
        candidates = [self._meta("article:published_time")]
        candidates += [_shown_date(n) for n in self.soup.select("[itemprop=datePublished], time[datetime]")]
        for raw in candidates:
            if raw and parse_date(raw):
                return clean(raw)
        return None

    @cache_on_page
    def _json_ld_objects(self) -> list[dict]:
        """Every JSON object in the page's JSON-LD scripts (nested ones included), decoded once
        per page: the kind, the title, the date and the author all read them."""
        objects: list[dict] = []
        for script in self.soup.find_all("script", type="application/ld+json"):
            try:
                stack = [json.loads(script.string or "")]
            except ValueError:
                continue
            while stack:
                item = stack.pop(0)
                if isinstance(item, list):
                    stack.extend(item)
                elif isinstance(item, dict):
                    objects.append(item)
                    stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
        return objects

    def _json_ld_values(self, key: str) -> list[str]:
        """String values of ``key`` in the page's JSON-LD, in document order."""
        return [o[key] for o in self._json_ld_objects() if isinstance(o.get(key), str)]


def resolve_base_href(soup: BeautifulSoup, url: str) -> None:
    """Honour ``<base href>`` (Joomla prints one on every page): rewrite relative ``href``/``src``
    attributes to absolute URLs against it, once, so every page object may resolve links against
    the page URL. Without a ``<base>`` tag nothing changes; a ``<base>`` naming another host (or
    not http(s)) is ignored: a crawled page must not move its images and links off its portal."""
    base = soup.select_one("base[href]")
    if base is None:
        return
    base_url = urljoin(url, (attribute(base, "href") or "").strip())  # selected by [href]: it has one
    base.decompose()
    if urlsplit(base_url).scheme not in ("http", "https") or not same_host(base_url, url):
        return
    for tag in soup.find_all(href=True):
        resolved = absolute(attribute(tag, "href"), base_url)
        if resolved:
            tag["href"] = resolved
    for tag in soup.find_all(src=True):
        resolved = absolute(attribute(tag, "src"), base_url)
        if resolved:
            tag["src"] = resolved


def _canonical_or_none(url: str | None) -> str | None:
    """Related links are stored in the archive's canonical URL form, so they match ``articles.url``."""
    return canonical(url) if url else None


def split_title_date(text: str) -> tuple[str, str | None]:
    """Split "Title (23/12/2020 09:04)" into ("Title", "(23/12/2020 09:04)")."""
    text = clean(text)
    match = _TRAILING_DATE.search(text)
    if match and parse_date(match.group()):
        return clean(text[: match.start()]), clean(match.group())
    return text, None


def copy_without(node: Tag, selector: str) -> Tag:
    """A copy of ``node`` without the elements matching ``selector``."""
    node = copy.copy(node)
    for child in node.select(selector):
        child.decompose()
    return node


def _shown_date(node: Tag) -> str:
    """The date an element shows: its text when that reads as the same date and time as its
    machine-readable ``content``/``datetime`` attribute (``<time datetime="2021-03-15T08:30:00+07:00">
    Thứ hai, 15/03/2021 08:30</time>`` gives the visible text), else the attribute (which may
    carry a time the text leaves out)."""
    text = clean(node.get_text(" "))
    machine = clean(attribute(node, "content") or attribute(node, "datetime"))
    shown = parse_date(text) if text else None
    if shown and (not machine or parse_date(machine) in (None, shown)):
        return text
    return machine or text
