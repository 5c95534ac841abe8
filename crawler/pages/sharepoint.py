"""SharePoint 2010/2013 portals that are not Tân Dân's ePortal: ministries and Quảng Ninh.

Markup and URLs: docs/platforms.md §2.3 and §3 (pagination), §4 (dates), §6 (related lists),
§7.1, §7.3, §7.7. Tân Dân's ePortal (§2.2) is a SharePoint product with its own page object,
``crawler/pages/tandan.py``, of a higher priority: detection tries it first (these page
objects would claim its pages too, and need not know its fingerprint).
[I] marks what this module assumes beyond the cited sources.

Fingerprint (any one): ``<meta name="GENERATOR" content="Microsoft SharePoint">``, a script
setting ``_spPageContextInfo``, a ``ms-rtestate-field`` element, a web-part id
``ctl00_<zone>_g_<guid>`` (``ctl00_SPWebPartManager1_g_…``, ``ctl00_ctl35_g_…``, ``ctl00_m_g_…``;
per-site GUIDs, matched by shape, never by value, §7.7), or the ``__REQUESTDIGEST`` field.

**Quảng Ninh web parts** (:class:`SharePointQuangNinh`; ``setsunafjava/ttqn``,
``CQ.SharePoint.QN/Webparts/``, two versions of ``NewsDetailUS.ascx`` combined [I]):

* listing ``/Trang/<category>.aspx``, page N ``?Page=N`` (no ``Page`` is page 1: the web part's
  code-behind defaults to 1, so ``Page=1`` is dropped by :meth:`~SharePoint.clean_url`);
  ``NewsListUS.ascx``: ``h2 > span[id$=_lblCategoryTitle]``, items
  ``div.cont_artical > div.name_artical > a`` + ``span.time_update`` "(Ngày 20 - 03 - 2012)",
  thumbnail and ``div.short_content``; pager ``a[id$=_lnkPrev]`` "Trước" /
  ``span[id$=_lblCurrpage]`` / ``a[id$=_lnkNext]`` "Sau" (no ``href`` on the first/last page);
* article ``/Trang/ChiTietTinTuc.aspx?nid=<id>`` (listing links add ``&CategoryId=<id>``, which
  only picks the breadcrumb in ``NewsDetailUS.ascx.cs``: dropped by ``clean_url``);
  ``div.detail_artical``: breadcrumb ``div.path > div.arr_B`` as plain text
  "Parent &nbsp; &gt;&gt;&nbsp; &nbsp; Category"; ``div.time_up`` "today" + PDF/print/email
  icons with ``href="#"`` (chrome, never read; one version of the code-behind fills its label
  with the item's Modified date); ``span[id$=_lblCreatedDate]`` "d/M/yyyy H:m"
  (``string.Format("{0}/{1}/{2} {3}:{4}")`` of ints: no zero padding, so a date entered without
  a time shows "12/3/2021 0:0" and is read as a date only); ``h2 > span[id$=_lblTitle]``; sapo
  ``<p><b>ShortContent</b></p>`` after the title; the body literal in a table cell, the rich-text
  value wrapped in ``div.ExternalClass<hex>`` [I: SharePoint's wrapper for rich-text list
  fields; without it, the cell above the author row]; then a right-aligned bold cell
  ``span[id$=_lblAuthor]`` (ArticleByLine) ``<br>`` ``span[id$=_lblSource]`` "(Nguồn: X)";
  "Tài liệu kèm theo:" attachments (not body);
* ``OtherNewsUS.ascx``: ``div.other_News > div.top_F`` "Các tin khác",
  ``div.inner_F_otherNew ul li`` = ``<a>`` + ``<span class="time_update">(Ngày dd-mm-yyyy)</span>``
  (the item's Modified date), then the "Xem tin tiếp theo..." day/month/year dropdowns that post
  back (decoration; never followed);
* a missing or deleted ``nid`` answers 200 with ``lblItemDoesNotExist`` "Bản ghi không tồn tại
  hoặc đã bị xóa!" and an empty title label: a :class:`~crawler.items.NotArticle` saying so.

**Ministry publishing pages, MOJ style** (:class:`SharePointPublishing`): the category page
itself shows an item when given ``?ItemID=<id>``
(``/qt/tintuc/Pages/hoat-dong-cua-tu-phap-dia-phuong.aspx?ItemID=2232``), and is a listing paged by
``?Page=N`` or ``?Date=&Page=N`` (MOJ, MOET, BHXH in ``tpnanh/DACNTT2_N26`` ``WebDB.sql``). The
detail sits in a ``ctl00_ctl35_g_<guid>`` web part: ``h1`` title, then a date ``span``, a sapo
and the body (XPaths in ``WebDB.sql``); the date is a date only, before "Xem cỡ chữ · Đọc bài
viết · In · Gửi email" (pbgdpl.gov.vn). Class names inside the web part are [I]: ``[class*=date]``
and ``[class*=sapo]`` after the ``h1``, body ``.ms-rtestate-field``, breadcrumb
``[class*=breadcrumb] a``, related ``[class*=other-news] li``, listing
``.list-news .item-news .title a`` + ``span.date``, pager ``.paging a``.

URLs (both layouts): an item URL (``nid``, ``NewsId``, ``ItemID``) is its identity; a
``<link rel="canonical">`` that drops the item parameter (SharePoint 2013 SEO canonical [I]) is
ignored, else every item of a category page would collapse into one. Print/e-mail views
(``?print=1``, ``…/Print.aspx``, ``…/SendMail.aspx`` on ``.aspx`` pages [I]) are duplicates;
the web parts' own icons are ``href="#"`` or ``javascript:`` and lead nowhere.

**A list item's display form** (:class:`SharePointListForm`), ``/Lists/<list>/DispForm.aspx?ID=N``,
which SharePoint serves for every list item whatever the theme: ``table.ms-formtable`` rows of
``td.ms-formlabel`` (the field's display name) and ``td.ms-formbody`` (its value) [SharePoint's
own form markup; the Vietnamese field names are inferred].

Pinned by ``fixtures/sites/sharepoint-quangninh`` and the theme variants ``sharepoint-bacgiang``
(which links one item's display form) and ``sharepoint-haiduong`` (crawled end to end), and
``fixtures/pages/sharepoint/`` (Quảng Ninh article, date-only article, listing page 2, deleted
item; MOJ ``?ItemID=`` article and ``?Date=&Page=2`` listing).
"""

from __future__ import annotations

import copy
import re
from urllib.parse import parse_qsl, unquote_plus, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from ..extract.body import Body, pair_images
from ..extract.text import clean, clean_or_none
from ..extract.urls import canonical, same_host
from ..items import Article, Image, Listing, NotArticle
from .base import HOME_WORDS, PageObject, generator_of, heading_text

# --- fingerprints ----------------------------------------------------------------------------

GENERATOR = re.compile(r"microsoft\s+sharepoint", re.I)
#: ``ctl00_SPWebPartManager1_g_3f2a…``, ``ctl00_ctl35_g_7165e992_…``, ``ctl00_m_g_…``: web-part ids.
WEB_PART_ID = re.compile(r"^(?:WebPart)?ctl00_(?:SPWebPartManager1|ctl\d+|m)_g_[0-9a-f]{8}_[0-9a-f]{4}_", re.I)
SP_SCRIPT = re.compile(r"_spPageContextInfo\s*=|_spBodyOnLoadFunctionNames")
SP_MARKUP = ".ms-rtestate-field, input[name=__REQUESTDIGEST]"
#: The Quảng Ninh web parts (CQ.SharePoint.QN).
QN_MARKUP = "div.detail_artical, div.other_News div.inner_F_otherNew, div.cont_artical div.name_artical"

# --- URLs ------------------------------------------------------------------------------------

#: Query parameters naming one item of a list: the page shows that item.
ITEM_PARAMS = frozenset({"nid", "newsid", "itemid"})
#: Dropped from an item URL: it only chooses the breadcrumb (NewsDetailUS.ascx.cs).
ITEM_NAVIGATION_PARAMS = frozenset({"categoryid"})
DUPLICATE_VIEW = re.compile(
    r"\.aspx\?(?:[^#]*&)?(?:print|isprint|printview)=(?:1|true|yes)(?:&|#|$)"
    r"|/(?:print|printview|sendmail|guiemail|emailtofriend)\.aspx(?:\?|#|$)",
    re.I,
)
#: A list item's display form (:class:`SharePointListForm`): its path and its field label cells.
FORM_PATH = re.compile(r"/Lists/[^/]+/DispForm\.aspx$", re.I)
FORM_LABEL = "td.ms-formlabel"
#: Display names of the form's fields, lower-case, by what they hold.
FORM_FIELDS = {
    "title": {"tiêu đề", "tên bài", "tên bài viết", "title"},
    "date": {"ngày đăng", "ngày xuất bản", "ngày phát hành", "thời gian đăng", "published", "publishing date"},
    "summary": {"trích yếu", "tóm tắt", "mô tả", "sapo", "summary", "description"},
    "body": {"nội dung", "nội dung bài viết", "body", "content"},
    "image": {"ảnh đại diện", "hình đại diện", "ảnh minh họa", "hình ảnh", "image"},
    "author": {"tác giả", "author"},
    "source": {"nguồn tin", "nguồn", "source"},
    "category": {"chuyên mục", "danh mục", "category"},
}
#: "(Nguồn: Báo Quảng Ninh)" → "Báo Quảng Ninh".
SOURCE_LABEL = re.compile(r"^\(?\s*nguồn(?:\s*tin)?\s*:\s*(?P<v>.+?)\s*\)?$", re.I)
#: Breadcrumb separators in label text: "Tin tức &gt;&gt; Tin tức - Sự kiện", "Trang chủ » …".
CRUMB_SEPARATOR = re.compile(r"\s*(?:>>|»|›)\s*")


class SharePoint(PageObject):
    """Any SharePoint 2010/2013 page that is not Tân Dân's: fingerprint and URL rules."""

    platform = "sharepoint"
    priority = 0

    @classmethod
    def matches(cls, url: str, soup: BeautifulSoup) -> bool:
        return is_sharepoint(soup)

    @classmethod
    def is_duplicate_url(cls, url: str) -> bool:
        return bool(DUPLICATE_VIEW.search(url))

    @classmethod
    def clean_url(cls, url: str | None) -> str | None:
        """On ``.aspx`` pages: an item URL loses ``CategoryId`` (breadcrumb only); a listing URL
        loses ``Page=1`` (the first page has no ``Page``), and with it blank filters
        (``?Date=&Page=1`` → no query). Other URLs pass unchanged."""
        if not url:
            return url
        parts = urlsplit(url)
        if not parts.path.lower().endswith(".aspx") or not parts.query:
            return url
        pairs = [_query_pair(raw) for raw in parts.query.split("&") if raw]  # raw text kept as served
        if {key for key, _, _ in pairs} & ITEM_PARAMS:
            kept = [p for p in pairs if p[0] not in ITEM_NAVIGATION_PARAMS]
        else:
            kept = [p for p in pairs if (p[0], p[1]) != ("page", "1")]
            if len(kept) < len(pairs) and not any(value for _, value, _ in kept):
                kept = []  # "?Date=&Page=1" is the category page itself
        if len(kept) == len(pairs):
            return url
        return urlunsplit(parts._replace(query="&".join(raw for _, _, raw in kept)))

    def canonical_url(self) -> str:
        href = self.canonical_link()
        if href and same_host(href, self.url) and not _drops_item(href, self.url):
            return self.clean_str_url(canonical(href))
        return self.clean_str_url(canonical(self.url))

    def is_article(self) -> bool:
        if not self.title() or self._body_node() is None:
            return False
        return _item_of(self.url) is not None or self.published_raw() is not None

    def site_name(self) -> str | None:
        """og:site_name, else the master page's site title link
        (``#ctl00_PlaceHolderSiteName_onetidProjectPropertyTitle``), else the ``<title>`` suffix."""
        name = self._meta("og:site_name")
        if name:
            return name
        node = self.soup.select_one("[id$=onetidProjectPropertyTitle]")
        return clean_or_none(node.get_text(" ")) if node is not None else super().site_name()


class SharePointQuangNinh(SharePoint):
    """Quảng Ninh's CQ.SharePoint.QN web parts: NewsList, NewsDetail, OtherNews."""

    priority = 1

    TITLE = "div.detail_artical [id$='_lblTitle']"
    DATE_SHOWN = "div.detail_artical [id$='_lblCreatedDate']"
    SUMMARY = "div.detail_artical h2 ~ p > b"
    BODY = "div.detail_artical div[class^='ExternalClass']"
    AUTHOR = "div.detail_artical [id$='_lblAuthor']"
    SOURCE = "div.detail_artical [id$='_lblSource']"
    BREADCRUMB = "div.detail_artical div.path div.arr_B"
    CATEGORY_TITLE = "[id$='_lblCategoryTitle']"
    ITEM_MISSING = "div.detail_artical [id$='_lblItemDoesNotExist']"
    RELATED_ITEMS = "div.other_News div.inner_F_otherNew li"
    LISTING_ITEMS = "div.cont_artical div.name_artical a[href]"
    LISTING_ITEM_CONTAINER = "div.name_artical"
    LISTING_DATE = "span.time_update"
    PAGINATION = "a[id$='_lnkPrev'][href], a[id$='_lnkNext'][href]"

    @classmethod
    def matches(cls, url: str, soup: BeautifulSoup) -> bool:
        if soup.select_one(QN_MARKUP) is None:
            return False
        return is_sharepoint(soup) or urlsplit(url).path.lower().endswith(".aspx")

    def parse(self, *args, **kwargs) -> Article | Listing | NotArticle:
        """A missing or deleted ``nid`` still answers 200: say so instead of "neither …"
        (arguments pass through to :meth:`PageObject.parse`)."""
        node = self.soup.select_one(self.ITEM_MISSING)
        message = clean(node.get_text(" ")) if node is not None else ""
        if message and not self.title():
            return NotArticle(self.url, self.platform, f"the portal reports no such item: {message}")
        return super().parse(*args, **kwargs)

    def byline(self, body: Body) -> tuple[str | None, str | None]:
        """A byline at the end of the body first, else the labels under it: ``lblAuthor``
        (a bare name) and ``lblSource`` ("(Nguồn: X)")."""
        author, source = body.author, body.source
        if author is None and (node := self.soup.select_one(self.AUTHOR)) is not None:
            author = clean_or_none(node.get_text(" "))
        if source is None and (node := self.soup.select_one(self.SOURCE)) is not None:
            match = SOURCE_LABEL.match(clean(node.get_text(" ")))
            source = clean_or_none(match["v"]) if match else clean_or_none(node.get_text(" "))
        return author, source

    def category(self, article_title: str | None = None) -> str | None:
        """The breadcrumb label's last part, else the listing's category title."""
        node = self.soup.select_one(self.BREADCRUMB)
        if node is not None:
            parts = [p for p in CRUMB_SEPARATOR.split(clean(node.get_text(" "))) if p]
            parts = [p for p in parts if p.lower() not in HOME_WORDS and p != article_title]
            if parts:
                return parts[-1]
        node = self.soup.select_one(self.CATEGORY_TITLE)
        return clean_or_none(node.get_text(" ")) if node is not None else None

    def _body_node(self) -> Tag | None:
        """The rich-text wrapper, else the table cell above the author/source row."""
        node = self.soup.select_one(self.BODY)
        if node is not None:
            return node
        label = self.soup.select_one(f"{self.AUTHOR}, {self.SOURCE}")
        row = label.find_parent("tr") if label is not None else None
        above = row.find_previous_sibling("tr") if row is not None else None
        return above.find("td") if above is not None else None


class SharePointPublishing(SharePoint):
    """Ministry publishing pages (MOJ style): ``Pages/<category>.aspx`` lists, ``?ItemID=`` shows one."""

    TITLE = "div[id*='_g_'] h1"
    DATE_SHOWN = "div[id*='_g_'] h1 ~ [class*='date'], div[id*='_g_'] h1 ~ * [class*='date']"
    SUMMARY = "div[id*='_g_'] h1 ~ [class*='sapo']"
    BODY = "div[id*='_g_'] .ms-rtestate-field"
    BREADCRUMB = "div[id*='_g_'] [class*='breadcrumb'] a"
    RELATED_ITEMS = "div[id*='_g_'] [class*='other-news'] li"
    LISTING_ITEMS = "div[id*='_g_'] .list-news .item-news .title a[href]"
    LISTING_ITEM_CONTAINER = "div.item-news"
    LISTING_DATE = "span.date"
    PAGINATION = "div[id*='_g_'] .paging a[href]"


class SharePointListForm(SharePoint):
    """A list item's out-of-the-box display form, ``/Lists/<list>/DispForm.aspx?ID=<id>``: one
    ``table.ms-formtable`` row per field, ``td.ms-formlabel`` (the field's display name) and
    ``td.ms-formbody`` (its value). Fields are found by their Vietnamese or English display names
    (:data:`FORM_FIELDS`); the footer's "Được tạo lúc …" / "Được sửa đổi lần cuối lúc …" are the
    item's created/modified times, never its publication date."""

    priority = 1

    @classmethod
    def matches(cls, url: str, soup: BeautifulSoup) -> bool:
        return bool(FORM_PATH.search(urlsplit(url).path)) and soup.select_one(FORM_LABEL) is not None

    def is_article(self) -> bool:
        return bool(self.title()) and self._body_node() is not None

    def title(self) -> str | None:
        node = self._field("title")
        return heading_text(node) or None if node is not None else None

    def published_raw(self) -> str | None:
        return self._field_text("date")

    def summary(self) -> str | None:
        return self._field_text("summary")

    def category(self, article_title: str | None = None) -> str | None:
        return self._field_text("category")

    def byline(self, body: Body) -> tuple[str | None, str | None]:
        return self._field_text("author") or body.author, self._field_text("source") or body.source

    def lead_images(self) -> list[Image]:
        node = self._field("image")
        return pair_images(copy.copy(node), self.url) if node is not None else []

    def _body_node(self) -> Tag | None:
        return self._field("body")

    def site_name(self) -> str | None:
        """As on any SharePoint page, but never the ``<title>`` suffix: a display form's title is
        "<list> - <item title>"."""
        name = self._meta("og:site_name")
        node = self.soup.select_one("[id$=onetidProjectPropertyTitle]")
        return name or (clean_or_none(node.get_text(" ")) if node is not None else None)

    def _field(self, name: str) -> Tag | None:
        """The value cell of the field whose display name is one of ``FORM_FIELDS[name]``."""
        for label in self.soup.select(FORM_LABEL):
            if clean(label.get_text(" ")).lower().rstrip(" *:") in FORM_FIELDS[name]:
                value = label.find_next_sibling("td")
                if value is not None and "ms-formbody" in (value.get("class") or []):
                    return value
        return None

    def _field_text(self, name: str) -> str | None:
        node = self._field(name)
        return clean_or_none(node.get_text(" ")) if node is not None else None


# --- helpers ---------------------------------------------------------------------------------


def is_sharepoint(soup: BeautifulSoup) -> bool:
    """True when the page carries one of SharePoint's own fingerprints (module docstring)."""
    if GENERATOR.search(generator_of(soup)):
        return True
    if soup.select_one(SP_MARKUP) is not None or soup.find(id=WEB_PART_ID) is not None:
        return True
    return any(SP_SCRIPT.search(script.string or "") for script in soup.find_all("script"))


def _query_pair(raw: str) -> tuple[str, str, str]:
    """``"Page=2"`` → ``("page", "2", "Page=2")``: lower-cased key, stripped value, raw text."""
    key, _, value = raw.partition("=")
    return unquote_plus(key).strip().lower(), unquote_plus(value).strip(), raw


def _item_of(url: str) -> tuple[str, str] | None:
    """``("itemid", "2232")`` for an item URL, else ``None``."""
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key.lower() in ITEM_PARAMS and value.strip():
            return key.lower(), value.strip()
    return None


def _drops_item(href: str, url: str) -> bool:
    """True when ``url`` names an item and the canonical ``href`` does not name the same one."""
    item = _item_of(url)
    return item is not None and _item_of(href) != item


PAGE_OBJECTS = [SharePointQuangNinh, SharePointListForm, SharePointPublishing]
