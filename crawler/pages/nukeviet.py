"""NukeViet (VINADES) news module: NukeViet 4 and the NukeViet 3.x layout.

:class:`NukeViet4`: markup docs/platforms.md §2.1 (``themes/default/modules/news/detail.tpl``,
``viewcat_page.tpl``). URLs with rewriting on: ``/vi/news/<cat>/``, ``/vi/news/<cat>/page-N``,
``/vi/news/<cat>/<slug>-<id>.html``; views that duplicate an article: ``/print/``,
``/savefile/``, ``/sendmail/`` (rewrite off: ``op=print/…``).

:class:`NukeViet3`: the 3.x layout (docs/platforms.md §1.1, §2.1 "Article, 3.4", §4, §6), e.g.
``dbnd.hagiang.gov.vn``. See its docstring.
"""

from __future__ import annotations

import copy
import re

from bs4 import BeautifulSoup

from ..extract.body import text_of
from ..extract.text import clean_or_none
from ..extract.urls import canonical
from .base import PageObject, generator_of

GENERATOR = re.compile(r"nukeviet", re.I)
#: ``…/print/…`` (rewrite on) and ``?nv=news&op=print/…`` (rewrite off; the ``/`` may arrive
#: percent-encoded once a URL has been canonicalised: ``op=print%2F…``).
DUPLICATE_VIEW = re.compile(r"/(?:print|savefile|sendmail)/|[?&]op=(?:print|savefile|sendmail)(?:/|%2F|&|$)", re.I)
URL_SHAPE = re.compile(r"/vi/news/|[?&]nv=news\b", re.I)


class NukeViet4(PageObject):
    """NukeViet 4.x ``news`` module: article and category listing pages."""

    platform = "nukeviet"

    ARTICLE = "[itemtype$='schema.org/NewsArticle'] h1, #news-bodyhtml"
    TITLE = "h1[itemprop=headline], .news_column h1.title"
    DATE_SHOWN = "[itemtype$='schema.org/NewsArticle'] span.h5, .news_column span.h5"
    DATE_ISO: str | None = "[itemprop=datePublished]"
    SUMMARY = "div.hometext, [itemprop=description]"
    BODY = "#news-bodyhtml, .news_column div.bodytext"
    AUTHOR: str | None = "[itemprop=author]"
    BYLINE_LINES = ".news_column p.h5.text-right, .news_column div.h5.text-right"
    LEAD_IMAGE = "[itemtype$='schema.org/NewsArticle'] figure.article, #imghome"
    RELATED_ITEMS = "ul.related > li"
    BREADCRUMB = "ul.breadcrumbs > li, .breadcrumb > li"
    LISTING_ITEMS = ".news_column .panel-body h2 a, .news_column .panel-body h3 a, .news_column ul.related > li a"
    LISTING_ITEM_CONTAINER: str | None = "div.panel-body"
    LISTING_DATE: str | None = "ul.list-inline > li"
    PAGINATION = "ul.pagination a"

    def duplicate_of(self) -> str | None:
        if not self.is_duplicate_url(self.url) and self.soup.select_one("#print #hd_print") is None:
            return None
        href = self.canonical_link()
        return canonical(href) if href else canonical(DUPLICATE_VIEW.sub("/", self.url, count=1))

    @classmethod
    def is_duplicate_url(cls, url: str) -> bool:
        return bool(DUPLICATE_VIEW.search(url))

    @classmethod
    def matches(cls, url: str, soup: BeautifulSoup) -> bool:
        if GENERATOR.search(generator_of(soup)):
            return True
        return bool(URL_SHAPE.search(url)) and soup.select_one("#news-bodyhtml, .news_column") is not None


# --- NukeViet 3.x ----------------------------------------------------------------------------

#: ``<meta name="generator" content="NukeViet v3.x">`` (3.x ``nv_html_meta_tags``).
GENERATOR_V3 = re.compile(r"nukeviet\s*v?\s*3(?:\.|\b)", re.I)
#: Markup only the 3.x templates produce: the detail page (``#news_detail`` + ``div.bodytext``), the
#: category listing (``div.news_column > div.items > h3 > a``), the print view (``#print > #hd_print``
#: with ``#content > h1``; 4.x print pages carry the v4 generator and a canonical link).
MARKUP_V3 = "#news_detail div.bodytext, div.news_column > div.items > h3 > a, #print > #hd_print"
#: Rewrite off: ``?nv=news&op=print/<cat>/<alias>-<id>`` (and savefile, sendmail); group 1 keeps
#: ``op=`` so that removing the view name leaves the article's own ``op=<cat>/<alias>-<id>``.
QUERY_VIEW = re.compile(r"([?&]op=)(?:print|savefile|sendmail)(?:/|%2F)", re.I)
#: A rewrite-off NukeViet URL: ``/index.php?…nv=<module>…``.
QUERY_URL = re.compile(r"/(?:index\.php)?\?(?:[^#]*&)?nv=", re.I)


class NukeViet3(NukeViet4):
    """NukeViet 3.x ``news`` module (3.4 default theme and its custom derivatives).

    Reads (docs/platforms.md §2.1 "Article, 3.4", ``detail.tpl`` / ``viewcat_page.tpl`` of branch
    ``nukeviet3.4``):

    * article: ``div.news_column > #news_detail`` holding ``h1`` (title), ``span.time`` ("Thứ năm -
      24/12/2020  08:15", ``l - d/m/Y  H:i`` with two spaces; §4), the icon-only toolbar
      ``div.control`` (``javascript:`` + ``NewWindow(…)`` onclick, never followed), ``#hometext``
      (sapo, plain text) with the lead image ``#imghome`` (``<a rel=shadowbox><img></a><p><em>note</em></p>``,
      the note being the caption, §6a) or, for full-width lead images, a ``div > img + p > em`` right
      after ``#hometext``; ``div.bodytext`` (CKEditor body); right-aligned ``<p><strong>Tác giả bài
      viết: </strong>X</p>`` / ``<strong>Nguồn tin: </strong>Y</p>`` lines after the body;
    * related lists after ``#news_detail``: topic list, "Những tin mới hơn", "Những tin cũ hơn",
      each ``ul.related > li > a`` + ``<span class="date">(23/12/2020)</span>`` (date outside the link);
    * category listing: ``div.news_column > div.items > h3 > a`` (+ hometext ``<p>``, no date) and,
      below, ``<h4>Các tin khác</h4><ul class="related">`` whose dates sit inside the links
      ("Title <span class=date>(d/m/Y)</span>"); pager ``div.generate_page`` (``nv_alias_page``:
      ``<strong>`` for the current page, links ``<cat-link>/page-N``, "Trang trước"/"Trang sau");
    * breadcrumb ``div.breadcrumbs`` (``data-vocabulary.org/Breadcrumb`` items, home first).

    URLs (§2.1): with rewriting off, ``/index.php?nv=news&op=<Cat-Alias>`` (single-language sites
    drop ``language=``; aliases keep their case), page N ``op=<Cat-Alias>/page-N``, article
    ``op=<Cat-Alias>/<Title-Case-Slug>-<id>``; duplicates ``op=print/…``, ``op=savefile/…``,
    ``op=sendmail/…``. Rewrite on: ``/vi/news/<Cat-Alias>/<Slug>-<id>/``. Query URLs are put in
    canonical form (arguments sorted, ``/`` in ``op`` percent-encoded, as :func:`canonical` does for
    ``Article.url``), so related links and listing entries match the archived article URLs.
    """

    platform = "nukeviet"
    priority = 10  # tried before NukeViet4, whose generator test would also claim 3.x pages

    ARTICLE = "#news_detail div.bodytext"
    TITLE = "#news_detail > h1"
    DATE_SHOWN = "#news_detail > span.time"
    DATE_ISO = None
    SUMMARY = "#news_detail > #hometext"
    BODY = "#news_detail > div.bodytext"
    AUTHOR = None
    BYLINE_LINES = "#news_detail > p[style*=right]"
    LEAD_IMAGE = "#news_detail #imghome, #news_detail > div:has(> img)"
    RELATED_ITEMS = "#news_detail ~ ul.related > li"
    BREADCRUMB = "div.breadcrumbs a"
    LISTING_ITEMS = "div.news_column > div.items > h3 > a, div.news_column ~ ul.related > li > a"
    LISTING_ITEM_CONTAINER = None
    LISTING_DATE = None
    PAGINATION = "div.generate_page a"

    #: What the sapo's text excludes: the lead image and its note.
    SUMMARY_NOISE = "#imghome, figure, img, table, script, style"

    def summary(self) -> str | None:
        node = self.soup.select_one(self.SUMMARY)
        if node is None:
            return None
        node = copy.copy(node)
        for child in node.select(self.SUMMARY_NOISE):
            child.decompose()
        return clean_or_none(text_of(node).replace("\n\n", " "))

    def duplicate_of(self) -> str | None:
        if not self.is_duplicate_url(self.url) and self.soup.select_one("#print #hd_print") is None:
            return None
        href = self.canonical_link()
        if href:
            return canonical(href)
        if QUERY_VIEW.search(self.url):
            return canonical(QUERY_VIEW.sub(r"\1", self.url, count=1))
        return canonical(DUPLICATE_VIEW.sub("/", self.url, count=1))

    @classmethod
    def clean_url(cls, url: str | None) -> str | None:
        if url and QUERY_URL.search(url):
            return canonical(url)
        return url

    @classmethod
    def matches(cls, url: str, soup: BeautifulSoup) -> bool:
        content = generator_of(soup)
        if GENERATOR.search(content):
            return bool(GENERATOR_V3.search(content))
        return bool(URL_SHAPE.search(url)) and soup.select_one(MARKUP_V3) is not None


PAGE_OBJECTS = [NukeViet3, NukeViet4]
