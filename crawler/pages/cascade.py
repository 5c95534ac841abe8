"""The fallback cascade: the platform's page object first, the generic one wherever it falls short.

Platform detection (:mod:`crawler.pages.detect`) picks the page object to try first, never the
only one: a portal's theme is what varies most between portals of one CMS, and a page object's
selectors are written for the themes its author saw. On the same parsed page:

1. The detected page object parses the page. When nothing was detected that was
   :class:`~crawler.pages.generic.GenericPage` already, and its verdict stands.
2. A duplicate view (print, save) stays a duplicate: that verdict comes from the URL rules.
3. **An article** is checked field by field. Its title is *implausible* when it is empty or equal
   to the category (the breadcrumb's, or the listing's that linked the page), the site name, a
   menu or breadcrumb link, or a portlet/block heading; its date when it is missing or is the
   page header's "today" date (a date shown in the page chrome before the title); its body when
   it is empty. If any of these fails, the generic page object fills, field by field, what the
   platform left missing or implausible: title, date, body (with its images, author and source),
   then summary, author, source and category where the platform found none. A related list the
   platform did not find is filled from the generic one whatever the rest.
4. **Not an article**: a page reached through an article link that the platform calls a listing
   or nothing, or a listing page on which the platform finds no entries: the generic verdict on
   the same page (an article, or a listing with entries) is taken instead; an article the
   platform did not see on a page not reached as an article must show a date (an "about" page
   is not news). A listing whose entries the platform read gets its pagination and category from
   the generic page object when the platform found none.

The article keeps the platform's URL rules (``canonical_url``, ``clean_url``,
``is_duplicate_url``: the identity of a page is platform knowledge) and its ``platform`` slug;
``extracted_by`` records which page object produced each field.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bs4 import BeautifulSoup, NavigableString, Tag
from lxml import etree

from ..extract.dates import parse_date
from ..extract.body import Body, soup_of
from ..extract.soup import PageSoup, attribute, tear_down
from ..extract.text import clean
from ..items import Article, Listing, NotArticle
from .base import PageObject, cache_on_page
from .detect import page_class
from .generic import GenericPage

#: Article fields whose producer ``extracted_by`` records.
ARTICLE_FIELDS = ("title", "published_at", "summary", "author", "source", "category", "body", "images",
                  "related_links")
#: Fields filled from the generic page object when the platform's page object does not fit the page.
OPTIONAL_FIELDS = ("summary", "author", "source", "category")
#: Class/id words of a portlet's, module's or block's own heading (its name, not an article title).
BLOCK_HEADING = re.compile(r"portlet-?(?:title|topper|header)|module-?title|block-?title|box-?title|"
                           r"title-?bar|widget-?title|cat(?:egory)?-?(?:title|name)|section-?title|"
                           r"chuyen-?muc|ten-?muc", re.I)
#: Chrome whose links name categories (menus, breadcrumbs): a title equal to one is a category name.
MENU = re.compile(r"(?:^|[-_\s])(?:menu|nav|navbar|navigation|breadcrumbs?|duong-?dan)(?:$|[-_\s\d])", re.I)
#: Chrome that shows the "today" date before the content.
HEADER = re.compile(r"(?:^|[-_\s])(?:header|top|top-?bar|banner|date-?time|current-?(?:date|time)|clock|today|"
                    r"time-?now|ngay-?thang|ngay-?gio)(?:$|[-_\s\d])", re.I)
_TIME = re.compile(r"\d{1,2}\s*[:hg]\s*\d{2}")


def parse_page(url: str, html: str | bytes | BeautifulSoup, expect: str | None = None,
               category: str | None = None) -> Article | Listing | NotArticle:
    """Parse the page at ``url`` with its platform's page object, falling back on the generic one
    (module docstring). ``expect`` ("article" or "listing") says how the page was reached;
    ``category`` is the category of the listing that linked it, when known."""
    return read_page(url, html, expect, category)[0]


def read_page(url: str, html: str | bytes | BeautifulSoup, expect: str | None = None, category: str | None = None,
              *, hint: str | None = None) -> tuple[Article | Listing | NotArticle, str]:
    """:func:`parse_page`, with the detection ``hint`` of
    :func:`~crawler.pages.detect.page_class` (the page-object class name found on the host's
    earlier pages); returns the reading and the class name detected on this page."""
    soup = html if isinstance(html, BeautifulSoup) else soup_of(html)
    owned = soup is not html  # a tree made here is torn down here
    try:
        detected = page_class(url, soup, hint=hint)
        primary = detected(url, soup, source=html if isinstance(html, str) else None)
        return Cascade(primary).parse(expect, category), detected.__name__
    finally:
        if owned:
            tear_down(soup)


class Cascade:
    """One page: the detected page object, and the generic one made on demand on the same tree."""

    def __init__(self, primary: PageObject):
        self.primary = primary
        self._generic: GenericPage | None = None

    @property
    def generic(self) -> GenericPage:
        """The generic page object on the same tree, with the platform's URL rules."""
        if self._generic is None:
            generic = GenericPage(self.primary.url, self.primary.soup, source=self.primary.source)
            # the platform's URL rules, for this page object only: instance attributes over GenericPage's methods
            generic.clean_url = self.primary.clean_url  # type: ignore[method-assign]
            generic.is_duplicate_url = self.primary.is_duplicate_url  # type: ignore[method-assign]
            generic.expect = self.primary.expect
            self._generic = generic
        return self._generic

    def parse(self, expect: str | None = None, category: str | None = None) -> Article | Listing | NotArticle:
        item = self.primary.parse(expect)
        name = type(self.primary).__name__
        if isinstance(self.primary, GenericPage):
            return _credit(item, name)
        if isinstance(item, NotArticle) and item.canonical_url:
            return item
        if isinstance(item, Article):
            return self.complete(_credit(item, name), category)
        read_listing = isinstance(item, Listing) and bool(item.entries)
        if read_listing and expect != "article":
            return self.complete_listing(_credit(item, name))
        fallback = self.generic.parse(expect)
        if isinstance(fallback, Article) and (expect == "article" or fallback.published_at):
            fallback.url = self.primary.canonical_url()
            fallback.platform = self.primary.platform
            _credit(fallback, "GenericPage")
            if "title" in self.weak_fields(fallback, category):  # its first choice may be a block heading
                self._fill_title(fallback, category)
            return fallback
        if isinstance(fallback, Listing) and fallback.entries and not read_listing:
            fallback.platform = self.primary.platform
            fallback.url = item.url if isinstance(item, Listing) else fallback.url
            if isinstance(item, Listing) and item.unsupported_pagination and not fallback.unsupported_pagination:
                fallback.unsupported_pagination = item.unsupported_pagination
            return _credit(fallback, "GenericPage")
        return _credit(item, name) if isinstance(item, Listing) else item

    def complete(self, article: Article, category: str | None) -> Article:
        """Fill what the platform's page object left missing or implausible (module docstring)."""
        weak = self.weak_fields(article, category)
        if "title" in weak:
            self._fill_title(article, category)
        if "published_at" in weak:
            self._fill_date(article)
        if "body" in weak:
            self._fill_body(article)
        for name in OPTIONAL_FIELDS:
            if getattr(article, name) is None:
                self._fill(article, name, self._generic_field(name, article, body_kept="body" not in weak))
        if not article.related_links:
            self._fill(article, "related_links", self.generic.related_links())
        return article

    def _fill(self, article: Article, name: str, value) -> None:
        if value:
            setattr(article, name, value)
            article.extracted_by[name] = "GenericPage"

    def _fill_title(self, article: Article, category: str | None) -> None:
        for title in self.generic.title_candidates():
            if not self.implausible_title(title, article, category):
                self._fill(article, "title", title)
                if article.extracted_by.get("category") == "GenericPage":
                    # the generic category left out the breadcrumb item equal to the old title
                    article.category = self.generic.category(title) or article.category
                return

    def _fill_date(self, article: Article) -> None:
        raw = self.generic.published_raw()
        if parse_date(raw) and not self.header_date(raw, article.title):
            article.published_at, article.published_raw = parse_date(raw), raw
            article.extracted_by["published_at"] = "GenericPage"
        elif article.published_at and self.header_date(article.published_raw, article.title):
            article.published_at = article.published_raw = None  # never the header's "today"
            article.extracted_by.pop("published_at", None)

    def _fill_body(self, article: Article) -> None:
        body = self.generic.body()
        if not body.text and not body.images:
            return
        known = {image.src for image in article.images}
        article.body_text, article.body_html = body.text, body.html
        article.extracted_by["body"] = "GenericPage"
        added = [image for image in self.generic.lead_images() + body.images if image.src not in known]
        if added:
            self._fill(article, "images", article.images + added)
        for name in ("author", "source"):
            if getattr(article, name) is None:
                self._fill(article, name, getattr(body, name))

    def complete_listing(self, listing: Listing) -> Listing:
        """A listing whose entries the platform read: its pagination and category, when the
        platform found none, from the generic page object (a theme's pager the platform's
        selectors miss would otherwise stop the crawl at page 1)."""
        if not listing.page_links and not listing.unsupported_pagination:
            links = self.generic.page_links()
            if links:
                listing.page_links = links
                listing.extracted_by["page_links"] = "GenericPage"
        if listing.category is None:
            listing.category = self.generic.listing_category()
            if listing.category:
                listing.extracted_by["category"] = "GenericPage"
        return listing

    # --- plausibility ---------------------------------------------------------------------

    def weak_fields(self, article: Article, category: str | None) -> set[str]:
        """The core fields the platform's page object got wrong: missing or implausible."""
        weak = set()
        if self.implausible_title(article.title, article, category):
            weak.add("title")
        if not article.published_at or self.header_date(article.published_raw, article.title):
            weak.add("published_at")
        if not article.body_text and not article.images:
            weak.add("body")
        return weak

    def implausible_title(self, title: str | None, article: Article, category: str | None) -> bool:
        """Empty, or the name of something other than this article: the category, the site, a menu
        or breadcrumb link, a portlet or block heading."""
        key = _key(title)
        if len(key) < 4:
            return True
        names = {_key(category), _key(article.category), _key(article.site_name)} | self._chrome_names()
        return key in names

    def header_date(self, raw: str | None, title: str | None) -> bool:
        """True when ``raw`` is the page header's "today" date: shown (the same text) in page chrome
        before the article's title, and without a time."""
        if not raw or _TIME.search(raw):
            return False
        value = parse_date(raw)
        return value is not None and any(value == parse_date(text) and clean(raw) in text
                                         for text in self._header_date_texts(title))

    # --- helpers ----------------------------------------------------------------------------

    def _generic_field(self, name: str, article: Article, *, body_kept: bool) -> str | None:
        """The generic page object's ``name`` (summary, category, author or source) for ``article``;
        ``body_kept``: the platform's body stands (an author or source is then looked for around
        it only)."""
        if name == "summary":
            return self.generic.summary()
        if name == "category":
            return self.generic.category(article.title)
        if body_kept and (node := self.primary._body_node()) is not None:
            # the platform's body stands, and its own byline lines were read with it: only what
            # surrounds that body (a block after it, JSON-LD, an author element), not a second,
            # generic reading of the whole page
            author, source = self.generic.byline(Body(), node)
        else:
            author, source = self.generic.byline(self.generic.body())
        return author if name == "author" else source

    @cache_on_page
    def _chrome_names(self) -> set[str]:
        """Texts of menu and breadcrumb links and of portlet/block headings, in one walk of the
        page: a tag is inside a menu when it, or an ancestor below ``<body>``, is a ``<nav>`` or
        has a menu class or id."""
        soup = self.primary.soup
        mirror = soup.mirror() if isinstance(soup, PageSoup) else None
        return _chrome_names_from(mirror) if mirror is not None else self._chrome_names_walked()

    def _chrome_names_walked(self) -> set[str]:
        """:meth:`_chrome_names` on a tree without an lxml mirror."""
        names: set[str] = set()
        in_menu: dict[int, bool] = {}
        for node in self.primary.soup.descendants:
            if not isinstance(node, Tag):
                continue
            classes = node.get("class") or ""
            marked_menu, heading = _chrome_marks(classes if isinstance(classes, str) else " ".join(classes),
                                                 attribute(node, "id") or "")
            if node.name in ("body", "html"):
                menu = False
            else:
                menu = in_menu.get(id(node.parent), False) or node.name == "nav" or marked_menu
            in_menu[id(node)] = menu
            if menu and node.name == "a":
                names.add(_key(node.get_text(" ")))
            if heading and node.find(["p", "table"]) is None:
                names.add(_key(node.get_text(" ")))
        names.discard("")
        return names

    @cache_on_page
    def _header_date_texts(self, title: str | None) -> list[str]:
        """Short date-shaped texts of the page header that precede the article's title (or the
        first ``<h1>``)."""
        title = clean(title)
        texts: list[str] = []
        body = self.primary.soup.body or self.primary.soup
        for string in body.find_all(string=True):
            parent = string.parent
            if not isinstance(string, NavigableString) or parent is None or parent.name in ("script", "style"):
                continue
            if parent.name == "h1" or parent.find_parent("h1") is not None:
                break
            text = clean(parent.get_text(" "))
            if title and text == title:
                break
            if 6 <= len(text) <= 90 and parse_date(text) and _in_header(parent):
                texts.append(text)
        return texts


def _credit(item, name: str):
    """Record ``name`` as the producer of every field ``item`` has."""
    if isinstance(item, Article):
        item.extracted_by = {field: name for field in ARTICLE_FIELDS if _has(item, field)} | item.extracted_by
    elif isinstance(item, Listing):
        item.extracted_by = {"entries": name, "page_links": name} | item.extracted_by
    return item


def _has(article: Article, field: str) -> bool:
    if field == "body":
        return bool(article.body_text)
    value = getattr(article, field)
    return bool(value)


def _key(text: str | None) -> str:
    return clean(text).casefold()


def _chrome_names_from(mirror) -> set[str]:
    """:meth:`Cascade._chrome_names` read from the page's lxml mirror
    (:mod:`crawler.extract.soup`): lxml walks the elements, only those with a class or id are
    matched, and only the names found are read from BeautifulSoup's tags."""
    names: set[str] = set()
    menus = []
    for element in mirror.root.iter(etree.Element):
        tag = element.tag
        menu, heading = _chrome_marks(element.get("class") or "", element.get("id") or "")
        if (tag == "nav" or menu) and tag not in ("body", "html"):
            menus.append(element)
        if heading and next(element.iterdescendants("p", "table"), None) is None:
            names.add(_key(mirror.tag_of[element].get_text(" ")))
    anchors = {anchor for menu in menus for anchor in menu.iter("a")}
    names.update(_key(mirror.tag_of[anchor].get_text(" ")) for anchor in anchors)
    names.discard("")
    return names


@lru_cache(maxsize=4096)
def _chrome_marks(class_value: str, identifier: str) -> tuple[bool, bool]:
    """Whether an element with this ``class`` attribute and ``id`` is a menu (:data:`MENU`) and
    whether it is a portlet or block heading (:data:`BLOCK_HEADING`). A page repeats the same
    few class values hundreds of times, and a portal's pages repeat them: each is matched once."""
    classes = class_value.split()
    if not (classes or identifier):
        return False, False
    menu = bool(MENU.search(" ".join(classes) + " " + identifier))
    return menu, _heading_class(classes) or bool(BLOCK_HEADING.search(identifier))


def _heading_class(classes: list[str]) -> bool:
    """A class list BeautifulSoup's ``find_all(attrs={"class": BLOCK_HEADING})`` would match:
    one of the classes, or all of them joined by spaces."""
    return bool(classes) and (any(BLOCK_HEADING.search(c) for c in classes)
                              or bool(BLOCK_HEADING.search(" ".join(classes))))


def _in_header(tag: Tag) -> bool:
    for node in [tag, *tag.parents]:
        if not isinstance(node, Tag) or node.name in ("body", "html", "[document]"):
            return False
        names = " ".join(node.get("class") or []) + " " + (attribute(node, "id") or "")
        if node.name in ("header", "nav") or HEADER.search(names):
            return True
    return False
