"""Tân Dân (Tandan) "ePortal" on SharePoint: provincial portals and their department sites.

Markup: docs/platforms.md §2.2, plus public pages and scraper code quoted there. URLs:
category ``/portal/Pages/<Category-Slug>.aspx``, its page N ``…aspx?PageIndex=N``; article
``/portal/Pages/<Y-M-D | YYYY-MM | YYYY-MM-DD>/<Ascii-Slug><random suffix>.aspx`` (2015-era slugs
are the title's UTF-8 hex-escaped without ``%``: never read a title from a URL). SharePoint
answers ``Pages`` and ``pages`` alike; :meth:`Tandan.clean_url` writes ``Pages``.

An article page (everything inside ``<form id="aspnetForm">``)::

    <div class="block"><div class="title"><a …>Category</a></div><div class="body">
      <p class="tandan-p-article-news-title">Title</p>
      <span class="tandan-span-date-publish">Đăng ngày 24 - 12 - 2020</span>   (date only)
      <p class="tandan-p-article-news-summary">Sapo</p>
      <p class="tandan-p-article-main">&nbsp;</p>                     (an empty <p>: Quảng Xương, Thanh Hóa)
      <div id="ctl00_PlaceHolderMain_ctl03__ControlWrapper_RichHtmlField" class="ms-rtestate-field">body</div>
      <div class="td-tags">…</div>
      <div class="tandan-div-article-other"><p class="tandan-p-article-other">Tin khác</p>
        <ul><li><a href="/portal/Pages/…aspx">Title</a> (23/12/2020)</li></ul></div>

Where ``.tandan-p-article-main`` is a ``div`` (Điện Biên) it wraps the hidden field label and the
RichHtmlField; older pages (2015) hold the body in ``.tandan-p-article-news-content``. Listing
items reuse the title, date and summary classes, the title holding the link. The header's "today"
("Thứ năm, ngày 28 tháng 3 năm 2024") is never a publication date.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from ..extract.dates import parse_date
from ..extract.body import Body, extract_body
from ..extract.soup import has_class_starting
from ..extract.text import clean, clean_or_none
from ..items import PageLink
from .base import PageObject, cache_on_page, copy_without, heading_text

#: ``/portal/Pages/…aspx`` in any case: the Tandan page library.
PAGE_PATH = re.compile(r"^/portal/pages/(?P<rest>.+\.aspx)$", re.I)
#: ``?PageIndex=1`` is the listing's first page, which has no query.
FIRST_PAGE = ("pageindex", "1")
#: Every Tân Dân ePortal element class starts so (``tandan-p-article-news-title``…), in any case.
CLASS_PREFIX = "tandan-"


class Tandan(PageObject):
    """Tandan SharePoint ePortal: article and category listing pages."""

    platform = "tandan"
    #: A SharePoint product: tried before the SharePoint page objects (priority 0–1), which
    #: would claim its pages too (crawler/pages/detect.py: a more specific platform ranks higher).
    priority = 5

    TITLE = ".tandan-p-article-news-title, .tandan-title-view"
    DATE_SHOWN = ".tandan-span-date-publish, .tandan-date-view"
    SUMMARY = ".tandan-p-article-news-summary"
    #: Body containers, best first; the one nearest the title that holds text or an image wins.
    BODY_CANDIDATES = (
        ".tandan-p-article-main",  # a div on Điện Biên; an empty <p> elsewhere
        ".ms-rtestate-field[id$='RichHtmlField']",  # SharePoint publishing page content
        ".tandan-p-article-news-content",  # 2015 pages
        ".tandan-content-view",
        "#art-content",
        ".ms-rtestate-field",
        ".ms-rtestate-write",
    )
    #: Inside a body container, never body text.
    BODY_NOISE = (
        ".tandan-p-article-news-title, .tandan-span-date-publish, .tandan-p-article-news-summary, "
        ".tandan-div-article-other, .td-tags, .social-share, [id$='_label'], "
        "[style*='display:none'], [style*='display: none']"
    )
    RELATED_ITEMS = ".tandan-div-article-other li"
    #: Title bar of the block holding the article or listing (``div.block > div.title``).
    BLOCK_CLASS = "block"
    BLOCK_TITLE = ":scope > .title"
    LISTING_ITEMS = ".tandan-p-article-news-title a[href], .channel-news-title a[href]"
    LISTING_DATE = ".tandan-span-date-publish"
    PAGINATION = "a[href*='PageIndex=' i]"

    # --- detection and URLs ---------------------------------------------------------------

    @classmethod
    def matches(cls, url: str, soup: BeautifulSoup) -> bool:
        if has_class_starting(soup, CLASS_PREFIX):
            return True
        return bool(PAGE_PATH.match(urlsplit(url).path)) and soup.select_one(
            "form#aspnetForm, input[name=__VIEWSTATE]") is not None

    @classmethod
    def clean_url(cls, url: str | None) -> str | None:
        """``/portal/pages/x.aspx?PageIndex=1`` → ``/portal/Pages/x.aspx``: one spelling of the
        page library, and no ``PageIndex`` on a listing's first page. Other URLs pass unchanged."""
        if not url:
            return url
        parts = urlsplit(url)
        match = PAGE_PATH.match(parts.path)
        if not match:
            return url
        query = parts.query
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if (k.lower(), v.strip()) != FIRST_PAGE]
        if kept != pairs:
            query = urlencode(kept)
        return urlunsplit(parts._replace(path="/portal/Pages/" + match["rest"], query=query))

    # --- article --------------------------------------------------------------------------

    def is_article(self) -> bool:
        return self._title_node() is not None and self._body_node() is not None

    def title(self) -> str | None:
        node = self._title_node()
        return heading_text(node) or None if node is not None else None

    def published_raw(self) -> str | None:
        return self._near_title_date() or self._generic_published_raw()

    def summary(self) -> str | None:
        node = self._near_title(self.SUMMARY)
        if node is None:
            return None
        return clean_or_none(node.get_text(" "))

    def body(self) -> Body:
        node = self._body_node()
        if node is None:
            return Body()
        return extract_body(copy_without(node, self.BODY_NOISE), self.url)

    def category(self, article_title: str | None = None) -> str | None:
        """The title bar of the block holding the article (or the listing's first item)."""
        anchor = self._title_node() or self.soup.select_one(self.LISTING_ITEMS)
        block = anchor.find_parent(_has_class(self.BLOCK_CLASS)) if anchor is not None else None
        bar = block.select_one(self.BLOCK_TITLE) if block is not None else None
        return clean_or_none(bar.get_text(" ")) if bar is not None else None

    def site_name(self) -> str | None:
        """``<title>`` is "<page title> - <site name>"; the site name itself may hold " - "
        ("Ban Thi đua - Khen thưởng tỉnh Nam Định"), so cut the known page title off its front."""
        name = self._meta("og:site_name")
        if name or self.soup.title is None:
            return name
        full = clean(self.soup.title.get_text())
        for known in (self.title(), self.category()):
            if known and full.startswith(known + " - "):
                return clean_or_none(full[len(known) + 3:])
        return super().site_name()

    # --- listing --------------------------------------------------------------------------

    def page_links(self) -> list[PageLink]:
        """Pager links to this listing's own other pages (a sidebar may page another category)."""
        here = urlsplit(self.clean_url(self.url)).path.lower()
        return [link for link in super().page_links() if urlsplit(link.url).path.lower() == here]

    def _listing_date(self, anchor: Tag) -> str | None:
        holder = anchor.find_parent(class_=re.compile(r"^(?:tandan-p-article-news-title|channel-news-title)$"))
        container = holder.parent if holder is not None else None
        for node in container.select(self.LISTING_DATE) if container is not None else []:
            raw = clean(node.get_text(" "))
            if _parses(raw):
                return raw
        return None

    # --- helpers --------------------------------------------------------------------------

    @cache_on_page
    def _title_node(self) -> Tag | None:
        """The article's headline: a title element holding no link (listing items link theirs),
        outside the "Tin khác" block."""
        for node in self.soup.select(self.TITLE):
            if node.find("a", href=True) is None and not _in_related(node) and clean(node.get_text()):
                return node
        return None

    def _near_title(self, selectors: str | tuple[str, ...], usable=lambda node: True) -> Tag | None:
        """The element nearest the title that matches ``selectors`` (tried in order within each
        ancestor, the title's parent first), so the article's own web part wins over sidebars."""
        title = self._title_node()
        if title is None:
            return None
        for ancestor in title.parents:
            for selector in (selectors,) if isinstance(selectors, str) else selectors:
                for node in ancestor.select(selector):
                    if node is not title and not _in_related(node) and usable(node):
                        return node
        return None

    def _near_title_date(self) -> str | None:
        node = self._near_title(self.DATE_SHOWN, lambda n: _parses(clean(n.get_text(" "))))
        return clean(node.get_text(" ")) if node is not None else None

    @cache_on_page
    def _body_node(self) -> Tag | None:
        return self._near_title(self.BODY_CANDIDATES, _has_content)


def _parses(raw: str) -> bool:
    return parse_date(raw) is not None


def _in_related(node: Tag) -> bool:
    return node.find_parent(class_="tandan-div-article-other") is not None


def _has_class(name: str):
    def match(tag: Tag) -> bool:
        return name in (tag.get("class") or [])

    return match


def _has_content(node: Tag) -> bool:
    return bool(clean(node.get_text())) or node.find("img") is not None


PAGE_OBJECTS = [Tandan]
