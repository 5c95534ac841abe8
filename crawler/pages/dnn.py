"""DotNetNuke (DNN) portals: the news modules of Vietnamese provincial department sites.

Markup and URLs: docs/platforms.md §2.5 (DotNetNuke, ``tabid``), §3 (DNN pagination:
``/currentpage/N`` or ``__doPostBack``), §5 (percent-encoded Vietnamese path segments), §7.1
(``javascript:`` toolbars), §7.3 (ASP.NET / Telerik postback pagers) and §7.7 (per-site ids:
never hard-coded).

What every DNN page has, whatever the skin: ``<form id="Form">`` with ``__VIEWSTATE``, module
containers ``div.DnnModule.DnnModule-<moduleId>``, server control ids ``dnn_ctr<moduleId>_<Control>_…``
(module ids differ per site and per page, so selectors match id prefixes and suffixes, never a
module id), the skin's ``#dnn_ContentPane`` (the pane every DNN skin must have), the breadcrumb
skin object ``#dnn_dnnBREADCRUMB_lblBreadCrumb`` (DNN 7+: ``dnn_dnnBreadcrumb_lblBreadCrumb``),
the logo skin object ``#dnn_dnnLOGO_imgLogo`` (its ``alt`` is the portal name) and the
"today" skin object ``#dnn_dnnCURRENTDATE_lblDate`` (never a publication date).

URLs (friendly-URL provider): a tab is ``/<Cat>/<Sub>/tabid/<tabId>/Default.aspx`` (tab names
percent-encoded UTF-8, lower- or upper-case escapes), query parameters become path pairs
(``/currentpage/2``, ``/post/3011``) and a module may name the page
(``…/tabid/255/post/3011/<Slug>.aspx``); with friendly URLs off, ``/Default.aspx?tabid=89&cateid=546``.
Print views carry ``dnnprintmode/true`` (the container's print action, "No Skin") and are
duplicates of the article.

Two news-module layouts are read:

* :class:`DnnNewsModule`: the "News" module as on sovhttdl.hatinh.gov.vn: list control
  ``…_NewsList_rptNews_hlTitle_<i>`` with ``…_lblDate_<i>`` in ``div.news-item``, DNN
  ``PagingControl`` (``table.PagingTable``) with ``/currentpage/N`` links; detail controls
  ``…_NewsDetail_lblTitle``, ``…_lblDate`` (.NET vi-VN ``dd/MM/yyyy h:mm:ss tt``, "SA"/"CH", or a
  date alone), ``…_lblSummary``, ``…_lblContent``, ``…_lblAuthor`` (a bare name),
  ``…_lblSource`` ("Nguồn: X"), "Các tin khác" in ``…_pnlOther li``.
* :class:`DnnTinTucModule`: the "TinTuc"/"ChiTietTin" module as on Quảng Ninh portals
  (``congchuc.quangninh.gov.vn/Default.aspx?tabid=1101``): a Telerik RadGrid list
  (``…_TinTuc_dgDanhSach``, rows ``tr.rgRow``/``tr.rgAltRow``, title ``a[id$=_hlTieuDe]``, date
  cell ``td.ngay-dang``) whose pager (``.rgPager``, ``.rgPageNext``) only posts back
  (``javascript:__doPostBack('dnn$ctr507$…','Page$2')``): further pages are reported as
  unsupported, never fetched; detail controls ``…_ChiTietTin_lblTieuDe``, ``…_lblNgayDang``,
  ``…_lblTomTat``, ``…_lblNoiDung``, ``…_lblTacGia``/``…_lblNguon``, "Các tin đã đưa" in
  ``…_pnlTinKhac li`` (the date inside the link); the category is the module's
  ``…_lblTenChuyenMuc`` (the tab, in the breadcrumb, holds several categories via ``cateid``).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bs4 import BeautifulSoup

from ..extract.soup import attribute
from ..extract.text import clean_or_none
from ..extract.urls import canonical, same_host
from .base import PageObject, generator_of

# --- fingerprints and URL shapes --------------------------------------------------------------

GENERATOR = re.compile(r"dotnetnuke|\bdnn\b|evoq", re.I)
#: a DNN page URL: ``/tabid/255/`` in the path or ``tabid=255`` in the query
DNN_URL = re.compile(r"/tabid/\d+(?:/|$)|[?&]tabid=\d+", re.I)
#: module containers and server controls: ``div.DnnModule-1019``, ``id="dnn_ctr1019_…"``
DNN_MARKUP = "div.DnnModule, div[class*='DnnModule-'], [id^='dnn_ctr']"
#: print / send-mail views of an article (duplicates): the container's print action and module controls
DUPLICATE_VIEW = re.compile(
    r"[/?&]dnnprintmode[/=]true|/ctl/(?:print|sendmail)(?:/|$)|[?&]ctl=(?:print|sendmail)(?:&|$)", re.I)
#: the path pairs that turn an article URL into its print view
PRINT_PATH = re.compile(r"(?:/mid/\d+)?/dnnprintmode/true(?=/)|/ctl/(?:print|sendmail)(?:/mid/\d+)?(?=/)", re.I)
PRINT_PARAMS = {"dnnprintmode", "skinsrc", "containersrc", "mid", "ctl"}
#: page 1 of a listing has no ``currentpage``: ``…/tabid/255/currentpage/1/Default.aspx`` is the listing
FIRST_PAGE = re.compile(r"/currentpage/1(?=/|$)", re.I)
#: query parameters that never identify a page (login return paths, pop-up flags, trackers)
VOLATILE_PARAMS = re.compile(r"^(?:returnurl|popup|utm_\w+)$", re.I)


def is_dnn_page(url: str, soup: BeautifulSoup) -> bool:
    """DNN built the page: a DotNetNuke generator meta, or DNN module markup together with the
    WebForms ``<form id="Form">`` + ``__VIEWSTATE`` or a ``tabid`` URL."""
    if GENERATOR.search(generator_of(soup)):
        return True
    if soup.select_one(DNN_MARKUP) is None:
        return False
    webform = soup.select_one("form#Form") is not None and soup.find("input", attrs={"name": "__VIEWSTATE"}) is not None
    return webform or bool(DNN_URL.search(url))


class DnnNewsModule(PageObject):
    """DNN "News" module (``NewsList`` / ``NewsDetail`` controls), ``/currentpage/N`` paging."""

    platform = "dnn"
    priority = 0

    # detail (article) controls
    ARTICLE = "[id^='dnn_ctr'][id$='_NewsDetail_lblContent']"
    TITLE = "[id^='dnn_ctr'][id$='_NewsDetail_lblTitle']"
    DATE_SHOWN = "[id^='dnn_ctr'][id$='_NewsDetail_lblDate']"
    SUMMARY = "[id^='dnn_ctr'][id$='_NewsDetail_lblSummary']"
    BODY = "[id^='dnn_ctr'][id$='_NewsDetail_lblContent']"
    AUTHOR: str | None = "[id^='dnn_ctr'][id$='_NewsDetail_lblAuthor']"
    BYLINE_LINES = "[id^='dnn_ctr'][id$='_NewsDetail_lblSource']"
    RELATED_ITEMS = "[id^='dnn_ctr'][id$='_NewsDetail_pnlOther'] li"
    # skin objects
    BREADCRUMB = "[id$='_lblBreadCrumb' i] a"
    SITE_LOGO = "img[id$='dnnLOGO_imgLogo' i]"
    #: a category name shown by the module itself (preferred over the breadcrumb's tab name)
    CATEGORY_LABEL: str | None = None
    # list controls, only in the content pane (side panes reuse the same module for other categories)
    LISTING_ITEMS = "#dnn_ContentPane a[id^='dnn_ctr'][id*='_NewsList_rptNews_hlTitle_']"
    LISTING_ITEM_CONTAINER = "div.news-item"
    LISTING_DATE = "[id^='dnn_ctr'][id*='_NewsList_rptNews_lblDate_']"
    PAGINATION = ("#dnn_ContentPane table.PagingTable a[href], "
                  "#dnn_ContentPane [id^='dnn_ctr'] a[href*='currentpage' i]:not([href*='/post/' i])")
    PAGER = PageObject.PAGER + ", table.PagingTable"

    @classmethod
    def matches(cls, url: str, soup: BeautifulSoup) -> bool:
        return is_dnn_page(url, soup)

    @classmethod
    def is_duplicate_url(cls, url: str) -> bool:
        return bool(DUPLICATE_VIEW.search(url))

    @classmethod
    def clean_url(cls, url: str | None) -> str | None:
        """DNN URLs in canonical form (query sorted, escapes upper-case: DNN writes both
        ``%e1`` and ``%E1``, and orders ``tabid``/``cateid``/``newsid`` differently from link to
        link), without ``/currentpage/1`` or ``currentpage=1`` (page 1 is the listing itself)
        and without volatile parameters (``returnurl``, ``popUp``, ``utm_*``). Other URLs unchanged."""
        if not url or not DNN_URL.search(url):
            return url
        parts = urlsplit(url)
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if not VOLATILE_PARAMS.match(k) and not (k.lower() == "currentpage" and v == "1")]
        cleaned = parts._replace(path=FIRST_PAGE.sub("", parts.path), query=urlencode(query))
        return canonical(urlunsplit(cleaned))

    def duplicate_of(self) -> str | None:
        """The article a print view (``dnnprintmode/true``, ``ctl/Print``) shows: its canonical
        link when on the same host, else the URL without the print path pairs and parameters."""
        if not self.is_duplicate_url(self.url):
            return None
        href = self.canonical_link()
        if href and same_host(href, self.url) and not self.is_duplicate_url(href):
            return self.clean_url(canonical(href))
        parts = urlsplit(self.url)
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in PRINT_PARAMS]
        article = urlunsplit(parts._replace(path=PRINT_PATH.sub("", parts.path), query=urlencode(query)))
        return self.clean_url(canonical(article))

    def category(self, article_title: str | None = None) -> str | None:
        if self.CATEGORY_LABEL:
            for node in self.soup.select(self.CATEGORY_LABEL):
                if name := clean_or_none(node.get_text(" ")):
                    return name
        return super().category(article_title)

    def site_name(self) -> str | None:
        """``og:site_name``, else the logo's ``alt`` (DNN's LOGO skin object shows the portal
        name), else the first part of a DNN page title "Portal > Tab > Tab"."""
        name = self._meta("og:site_name")
        if name:
            return name
        logo = self.soup.select_one(self.SITE_LOGO) if self.SITE_LOGO else None
        if logo is not None and (name := clean_or_none(attribute(logo, "alt") or attribute(logo, "title"))):
            return name
        title = clean_or_none(self.soup.title.get_text()) if self.soup.title else None
        return clean_or_none(title.split(" > ", 1)[0]) if title and " > " in title else None


class DnnTinTucModule(DnnNewsModule):
    """DNN "TinTuc" (list in a Telerik RadGrid, postback-only pager) / "ChiTietTin" (detail) module."""

    priority = 1

    ARTICLE = "[id^='dnn_ctr'][id$='_ChiTietTin_lblNoiDung']"
    TITLE = "[id^='dnn_ctr'][id$='_ChiTietTin_lblTieuDe']"
    DATE_SHOWN = "[id^='dnn_ctr'][id$='_ChiTietTin_lblNgayDang']"
    SUMMARY = "[id^='dnn_ctr'][id$='_ChiTietTin_lblTomTat']"
    BODY = "[id^='dnn_ctr'][id$='_ChiTietTin_lblNoiDung']"
    AUTHOR = None
    BYLINE_LINES = "[id^='dnn_ctr'][id$='_ChiTietTin_lblTacGia'], [id^='dnn_ctr'][id$='_ChiTietTin_lblNguon']"
    RELATED_ITEMS = "[id^='dnn_ctr'][id$='_ChiTietTin_pnlTinKhac'] li"
    CATEGORY_LABEL = "#dnn_ContentPane [id^='dnn_ctr'][id$='_lblTenChuyenMuc']"
    LISTING_ITEMS = "#dnn_ContentPane [id^='dnn_ctr'][id$='_dgDanhSach'] tr.rgRow a[id$='_hlTieuDe'], " \
                    "#dnn_ContentPane [id^='dnn_ctr'][id$='_dgDanhSach'] tr.rgAltRow a[id$='_hlTieuDe']"
    LISTING_ITEM_CONTAINER = "tr"
    LISTING_DATE = "td.ngay-dang"
    #: RadGrid "SEO paging" renders real links (``?<grid>ChangePage=2``); postback links are dropped
    PAGINATION = "#dnn_ContentPane .rgPager a[href]"
    FINGERPRINT = "[id^='dnn_ctr'][id*='_TinTuc_'], [id^='dnn_ctr'][id*='_ChiTietTin_']"

    @classmethod
    def matches(cls, url: str, soup: BeautifulSoup) -> bool:
        return is_dnn_page(url, soup) and soup.select_one(cls.FINGERPRINT) is not None


PAGE_OBJECTS = [DnnNewsModule, DnnTinTucModule]
