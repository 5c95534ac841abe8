"""NukeViet 4 (VINADES) news module, default and custom themes.

Markup: portal-platforms.md §2.1 (``themes/default/modules/news/detail.tpl``,
``viewcat_page.tpl``). URLs with rewriting on: ``/vi/news/<cat>/``, ``/vi/news/<cat>/page-N``,
``/vi/news/<cat>/<slug>-<id>.html``; views that duplicate an article: ``/print/``,
``/savefile/``, ``/sendmail/`` (rewrite off: ``op=print/…``).
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from ..extract.urls import absolute, canonical
from .base import PageObject

GENERATOR = re.compile(r"nukeviet", re.I)
DUPLICATE_VIEW = re.compile(r"/(?:print|savefile|sendmail)/|[?&]op=(?:print|savefile|sendmail)(?:/|&|$)", re.I)
URL_SHAPE = re.compile(r"/vi/news/|[?&]nv=news\b", re.I)


class NukeViet4(PageObject):
    """NukeViet 4.x ``news`` module: article and category listing pages."""

    platform = "nukeviet"

    ARTICLE = "[itemtype$='schema.org/NewsArticle'] h1, #news-bodyhtml"
    TITLE = "h1[itemprop=headline], .news_column h1.title"
    DATE_SHOWN = "[itemtype$='schema.org/NewsArticle'] span.h5, .news_column span.h5"
    DATE_ISO = "[itemprop=datePublished]"
    SUMMARY = "div.hometext, [itemprop=description]"
    BODY = "#news-bodyhtml, .news_column div.bodytext"
    AUTHOR = "[itemprop=author]"
    BYLINE_LINES = ".news_column p.h5.text-right, .news_column div.h5.text-right"
    LEAD_IMAGE = "[itemtype$='schema.org/NewsArticle'] figure.article, #imghome"
    RELATED_ITEMS = "ul.related > li"
    BREADCRUMB = "ul.breadcrumbs > li, .breadcrumb > li"
    LISTING_ITEMS = ".news_column .panel-body h2 a, .news_column .panel-body h3 a, .news_column ul.related > li a"
    LISTING_ITEM_CONTAINER = "div.panel-body"
    LISTING_DATE = "ul.list-inline > li"
    PAGINATION = "ul.pagination a"

    def duplicate_of(self) -> str | None:
        if not self.is_duplicate_url(self.url) and self.soup.select_one("#print #hd_print") is None:
            return None
        link = self.soup.find("link", rel="canonical")
        href = absolute(link.get("href"), self.url) if link else None
        return canonical(href) if href else canonical(DUPLICATE_VIEW.sub("/", self.url, count=1))

    @classmethod
    def is_duplicate_url(cls, url: str) -> bool:
        return bool(DUPLICATE_VIEW.search(url))

    @classmethod
    def matches(cls, url: str, soup: BeautifulSoup) -> bool:
        generator = soup.find("meta", attrs={"name": "generator"})
        if generator and GENERATOR.search(generator.get("content", "")):
            return True
        return bool(URL_SHAPE.search(url)) and soup.select_one("#news-bodyhtml, .news_column") is not None


PAGE_OBJECTS = [NukeViet4]
