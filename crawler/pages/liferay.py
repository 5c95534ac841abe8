"""Liferay portals (6.2 and 7.x) and the news portlets Vietnamese provinces run on them.

docs/platforms.md §2.4 (evidence), §3 (paging), §7.4 and §7.7 (long volatile query strings,
per-site instance ids). What is read:

* Every Liferay page wraps each portlet in ``div#p_p_id_<portletId>_`` (``section.portlet
  #portlet_<portletId>`` inside it); web content is ``div.journal-content-article``. Those are the
  platform's fingerprint. Instance ids (``…_INSTANCE_<id>``) differ per site, so portlets are
  matched by id *prefix*, never by a whole id.
* ``ComSoftArticle``: the "com_soft_article" portlets (hoabinh.gov.vn, bachmai.gov.vn [C]):
  listing ``com_soft_article_listnew_ListNewByCategoryPortlet_INSTANCE_<id>``, items
  "Title / (29/07/2024) / summary" (``h4 > a``, ``span.post-ago``, as in the bachmai scraper [C]);
  detail portlet ``com_soft_article_*`` with ``.news-detail`` (title, date, sapo, body, "Tác giả:" /
  "Nguồn:" lines, "Tin khác" with "(dd/mm/yyyy)") [I: inner classes are this project's fixture].
* ``VnptEportal``: VNPT ePortal (Liferay 6.2) listing ``dsnews_WAR_vnpteportalnewsportlet_INSTANCE_<id>``:
  items ``#p_p_id_dsnews…_ div div div h2 a`` (``WebDB.sql`` [C]), "(23/12/2020)" beside them.
* ``EcoITCmsView``: EcoIT CmsView (old moit.gov.vn, vast.gov.vn): listing
  ``CmsViewTinTrangChuyenMuc_WAR_CmsViewEcoITportlet_INSTANCE_<id>`` (``section div article div[2] a``),
  detail ``#p_p_id_CmsViewChiTietBaiViet_WAR_CmsViewEcoITportlet_`` → ``section article h1``, date
  ``article > p[1]``, author ``article > div[2] > div[2]``, sapo ``p#change_font_size``, body
  ``#contentnews`` (``WebDB.sql`` [C]).
* ``Liferay``: anything else on Liferay: asset publisher full content (``.asset-full-content``,
  ``.metadata-publish-date``, body ``div.journal-content-article``), friendly URLs
  ``/-/asset_publisher/<id>/content/<slug>``, asset publisher abstracts as listings.

URLs (§3, §7.4): pages are ``<layout>?p_p_id=<portlet>&p_p_lifecycle=0&p_p_state=…&p_p_mode=view&
p_p_col_id=…&p_p_col_count=…&_<portlet>_delta=10&_<portlet>_resetCur=false&_<portlet>_cur=N`` plus
``p_auth``, ``redirect`` and Tomcat's ``;jsessionid=``. :meth:`Liferay.clean_url` keeps what
identifies the page: ``p_p_id``, the portlet's ``_cur`` / ``_delta`` and its id-like parameters
(``_articleId``, ``_categoryId``, …), ``mvcPath``-like view selectors, and non-default
``p_p_lifecycle`` / ``p_p_state`` / ``p_p_mode``; it drops the rest. Page 1 (``_cur=1``, or no
``_cur``) is the bare layout URL: its ``_delta`` is taken to be the portal's default (a pager
repeats the delta of the page it is on), and a ``p_p_id`` left with no parameter of its own is
dropped. Print views (``p_p_state=pop_up``, ``p_p_mode=print``, ``_<portlet>_viewMode=print``)
keep their markers, so :meth:`Liferay.is_duplicate_url` still sees them after cleaning.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from ..extract.dates import parse_date
from ..extract.soup import attribute
from ..extract.text import clean
from ..extract.urls import canonical, same_host
from .base import HOME_WORDS, PageObject

# --- fingerprints --------------------------------------------------------------------------

#: Liferay's portlet wrapper ``div#p_p_id_<portletId>_`` and web content article.
LIFERAY_MARKUP = "div[id^='p_p_id_'], section.portlet[id^='portlet_'], div.journal-content-article"
LIFERAY_SCRIPT = re.compile(r"\bLiferay\.(?:Portlet|ThemeDisplay|Util|Language|AUI)\b")

COM_SOFT = "[id^='p_p_id_com_soft_article_']"
COM_SOFT_LIST = "[id^='p_p_id_com_soft_article_listnew_']"
VNPT_LIST = "[id^='p_p_id_dsnews_WAR_vnpteportalnewsportlet_INSTANCE_']"
VNPT_PORTLET = "[id^='portlet_dsnews_WAR_vnpteportalnewsportlet_INSTANCE_']"
ECOIT = "[id^='p_p_id_'][id*='_WAR_CmsViewEcoITportlet']"
ECOIT_LIST = "[id^='p_p_id_CmsViewTinTrangChuyenMuc_WAR_CmsViewEcoITportlet_INSTANCE_']"
ECOIT_DETAIL = "#p_p_id_CmsViewChiTietBaiViet_WAR_CmsViewEcoITportlet_"

# --- URL vocabulary -------------------------------------------------------------------------

#: Query keys that never change what a page shows (session, layout column, CSRF token, return
#: addresses, Oracle-ADF-style loop counters some portal gateways add).
VOLATILE_KEYS = frozenset({
    "p_p_col_id", "p_p_col_pos", "p_p_col_count", "p_auth", "p_p_auth", "p_v_l_s_g_id", "p_l_reset",
    "p_p_isolated", "p_p_url_type", "doAsUserId", "doAsGroupId", "refererPlid", "controlPanelCategory",
    "redirect", "backURL", "inheritRedirect", "_afrLoop", "_afrWindowMode", "_afrWindowId",
    "_adf.ctrl-state", "_afrRedirect", "jsessionid",
})
#: Default values of the portlet-state keys: dropped when they have these values, kept otherwise.
DEFAULT_STATE = {"p_p_lifecycle": {"", "0"}, "p_p_state": {"", "normal", "maximized", "minimized"},
                 "p_p_mode": {"", "view"}}
#: Names (after the ``_<portletId>_`` namespace) of portlet parameters that select content.
KEEP_NAMES = frozenset({"cur", "delta", "urlTitle", "mvcPath", "jspPage", "struts_action",
                        "mvcRenderCommandName", "viewMode", "print"})
ID_NAME = re.compile(r"(?:^|[a-z])(?:Id|ID)$|^id$")
#: A namespaced parameter of a portlet: ``_<portletId>_<name>`` (portlet ids hold _WAR_,
#: _INSTANCE_ or an OSGi class name ending in "Portlet").
NAMESPACED = re.compile(r"^_\w*(?:_WAR_|_INSTANCE_|Portlet_|portlet_)\w*$")
JSESSIONID = re.compile(r";jsessionid=[^/?#]*", re.I)
FRIENDLY = re.compile(r"/-/")
#: Print / pop-up views of an article (§7.2 for Liferay).
PRINT_MARKERS = {"p_p_state": {"pop_up"}, "p_p_mode": {"print"}}
PRINT_NAMES = {"viewMode": {"print"}, "print": {"true", "1"}}

#: A short date in a listing item, next to the link: "(29/07/2024)", "23/12/2020 08:15".
_DATE_TAGS = ["span", "small", "em", "i", "time", "p", "div", "label"]
_MAX_DATE_TEXT = 48


def _param_name(key: str, portlet_id: str | None) -> str | None:
    """The name of a namespaced portlet parameter (``_<portletId>_cur`` → ``cur``), else ``None``."""
    if portlet_id and key.startswith(f"_{portlet_id}_"):
        return key[len(portlet_id) + 2:]
    if key.startswith("_") and NAMESPACED.match(key):
        if key.endswith("_struts_action"):
            return "struts_action"
        return key.rsplit("_", 1)[-1]
    return None


def _is_liferay_url(parts) -> bool:
    if JSESSIONID.search(parts.path) or FRIENDLY.search(parts.path):
        return True
    for key, _ in parse_qsl(parts.query, keep_blank_values=True):
        if key.startswith(("p_p_", "p_r_p_")) or key in ("p_auth", "p_l_id") or NAMESPACED.match(key):
            return True
    return False


def _is_print(key: str, value: str, portlet_id: str | None) -> bool:
    if value in PRINT_MARKERS.get(key, ()):
        return True
    name = _param_name(key, portlet_id)
    return name is not None and value.lower() in PRINT_NAMES.get(name, ())


def liferay_clean(url: str, *, keep_print: bool = True) -> str:
    """The normal form of a Liferay page URL (see the module docstring); other URLs unchanged."""
    parts = urlsplit(url)
    if not _is_liferay_url(parts):
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    portlet_id = next((v for k, v in pairs if k == "p_p_id"), None) or None
    kept: list[tuple[str, str]] = []
    for key, value in pairs:
        if _is_print(key, value, portlet_id):
            if keep_print:
                kept.append((key, value))
            continue
        if key in VOLATILE_KEYS:
            continue
        if key in DEFAULT_STATE:
            if value not in DEFAULT_STATE[key]:
                kept.append((key, value))
            continue
        if key == "p_p_id" or key.startswith("p_r_p_"):
            kept.append((key, value))
            continue
        name = _param_name(key, portlet_id)
        if name is None:
            if not key.startswith("_"):
                kept.append((key, value))  # not a portlet parameter: the page's own
            continue
        if portlet_id and not key.startswith(f"_{portlet_id}_"):
            continue  # another portlet's parameter
        if name in KEEP_NAMES or ID_NAME.search(name):
            kept.append((key, value))
    # Page 1 is the layout itself: no _cur=1, and the delta of a first page is the default.
    kept = [(k, v) for k, v in kept if not (_param_name(k, portlet_id) == "cur" and v.strip() in ("", "1"))]
    if not any(_param_name(k, portlet_id) == "cur" for k, _ in kept):
        kept = [(k, v) for k, v in kept if _param_name(k, portlet_id) != "delta"]
    if portlet_id and not any(k in DEFAULT_STATE or k.startswith(f"_{portlet_id}_") for k, _ in kept):
        kept = [(k, v) for k, v in kept if k != "p_p_id"]  # the portlet adds nothing to the layout
    path = JSESSIONID.sub("", parts.path)
    return canonical(urlunsplit((parts.scheme, parts.netloc, path, urlencode(kept), "")))


def _is_portlet_boundary(node: Tag) -> bool:
    return (attribute(node, "id") or "").startswith("p_p_id_") or "portlet-body" in (node.get("class") or [])


# --- page objects ---------------------------------------------------------------------------


class Liferay(PageObject):
    """Any Liferay page: asset publisher full content / abstracts, web content display."""

    platform = "liferay"
    priority = 0

    ARTICLE = ".asset-full-content"
    TITLE = ".asset-full-content .asset-title, .asset-full-content h1"
    DATE_SHOWN = ".asset-full-content .metadata-publish-date, .asset-full-content .publish-date"
    DATE_ISO: str | None = "[itemprop=datePublished]"
    SUMMARY = ".asset-full-content .asset-summary"
    BODY = ".asset-full-content .journal-content-article, .asset-full-content .asset-content"
    AUTHOR: str | None = ".asset-full-content .metadata-author"
    BREADCRUMB = "ol.breadcrumb > li, ul.breadcrumb > li"
    RELATED_ITEMS = ".asset-links li, .asset-related-assets li"
    LISTING_ITEMS = ".asset-abstract .asset-title a"
    LISTING_DATE = ".metadata-publish-date"
    #: Liferay 6.2 page selector and prev/next buttons, Liferay 7 ``ul.pagination``; never the
    #: "items per page" menus (``.lfr-pagination-delta-selector``, ``.pagination-items-per-page``).
    PAGINATION = ".lfr-pagination-page-selector a, .lfr-pagination-buttons a, .pagination-bar ul.pagination a"

    @classmethod
    def matches(cls, url: str, soup: BeautifulSoup) -> bool:
        if soup.select_one(LIFERAY_MARKUP) is not None:
            return True
        return any(LIFERAY_SCRIPT.search(s.string or "") for s in soup.find_all("script", src=False))

    @classmethod
    def clean_url(cls, url: str | None) -> str | None:
        return liferay_clean(url) if url else url

    @classmethod
    def is_duplicate_url(cls, url: str) -> bool:
        parts = urlsplit(url)
        if not _is_liferay_url(parts):
            return False
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        portlet_id = next((v for k, v in pairs if k == "p_p_id"), None)
        return any(_is_print(k, v, portlet_id) for k, v in pairs)

    def duplicate_of(self) -> str | None:
        if not self.is_duplicate_url(self.url):
            return None
        return liferay_clean(canonical(self.url), keep_print=False)

    def canonical_url(self) -> str:
        """``rel=canonical`` unless it lost the portlet parameters that identify the article
        (some Liferay versions give the bare layout URL for every article shown on a layout)."""
        fetched = self.clean_str_url(canonical(self.url))
        href = self.canonical_link()
        if not href or not same_host(href, self.url):
            return fetched
        declared = self.clean_str_url(canonical(href))
        if not urlsplit(declared).query and not FRIENDLY.search(declared) and urlsplit(fetched).query:
            return fetched
        return declared

    def is_article(self) -> bool:
        return self.ARTICLE is not None and self.soup.select_one(self.ARTICLE) is not None

    def category(self, article_title: str | None = None) -> str | None:
        """Last breadcrumb item other than "Trang chủ" and the article's own title."""
        names = [clean(n.get_text(" ")) for n in self.soup.select(self.BREADCRUMB)] if self.BREADCRUMB else []
        names = [n for n in names if n and n.lower() not in HOME_WORDS]
        if names and article_title and names[-1] == article_title:
            names.pop()
        return names[-1] if names else None

    def _listing_date(self, anchor: Tag) -> str | None:
        """The short date shown with a listing link: in ``LISTING_DATE`` or any short element of
        the link's item (up to three levels up, never past the portlet)."""
        node: Tag | None = anchor
        for _ in range(3):
            node = node.parent if node is not None else None
            if node is None or _is_portlet_boundary(node):
                return None
            candidates = node.select(self.LISTING_DATE) if self.LISTING_DATE else []
            candidates += node.find_all(_DATE_TAGS)
            for candidate in candidates:
                if candidate is anchor or anchor in candidate.descendants or candidate.find("a") is not None:
                    continue
                raw = clean(candidate.get_text(" "))
                if len(raw) <= _MAX_DATE_TEXT and parse_date(raw):
                    return raw
        return None


class ComSoftArticle(Liferay):
    """Liferay 7 with the "com_soft_article" portlets (hoabinh.gov.vn style)."""

    priority = 1

    ARTICLE = f"{COM_SOFT} .news-detail h1"
    TITLE = f"{COM_SOFT} .news-detail h1"
    DATE_SHOWN = f"{COM_SOFT} .news-detail .news-detail-date"
    DATE_ISO = None
    SUMMARY = f"{COM_SOFT} .news-detail .news-detail-sapo"
    BODY = f"{COM_SOFT} .news-detail .news-detail-content"
    AUTHOR = None
    BYLINE_LINES = f"{COM_SOFT} .news-detail .news-detail-author, {COM_SOFT} .news-detail .news-detail-source"
    RELATED_ITEMS = f"{COM_SOFT} .news-detail .news-other-list > li"
    LISTING_ITEMS = f"{COM_SOFT_LIST} .news-item h4 a"
    LISTING_DATE = "span.post-ago"
    PAGINATION = f"{COM_SOFT_LIST} ul.pagination a"

    @classmethod
    def matches(cls, url: str, soup: BeautifulSoup) -> bool:
        return soup.select_one(COM_SOFT) is not None


class VnptEportal(Liferay):
    """VNPT ePortal (Liferay 6.2) ``dsnews`` news portlet; articles fall back on :class:`Liferay`."""

    priority = 1

    LISTING_ITEMS = f"{VNPT_LIST} h2 a"
    PAGINATION = ", ".join(f"{scope} {pager}" for scope in (VNPT_LIST, VNPT_PORTLET) for pager in (
        ".lfr-pagination-page-selector a", ".lfr-pagination-buttons a", "ul.pagination a", "div.pagination > a"))

    @classmethod
    def matches(cls, url: str, soup: BeautifulSoup) -> bool:
        return soup.select_one(f"{VNPT_LIST}, {VNPT_PORTLET}") is not None


class EcoITCmsView(Liferay):
    """EcoIT "CmsView" portlets (old moit.gov.vn, vast.gov.vn)."""

    priority = 1

    ARTICLE = f"{ECOIT_DETAIL} section article h1"
    TITLE = f"{ECOIT_DETAIL} section article h1"
    DATE_SHOWN = f"{ECOIT_DETAIL} section article > p:not(#change_font_size)"
    DATE_ISO = None
    SUMMARY = "p#change_font_size"
    BODY = "#contentnews"
    AUTHOR = f"{ECOIT_DETAIL} section article > div:nth-of-type(2) > div:nth-of-type(2)"
    RELATED_ITEMS = f"{ECOIT_DETAIL} section.other-news li, {ECOIT_DETAIL} .tin-lien-quan li"
    LISTING_ITEMS = f"{ECOIT_LIST} section article > div:nth-of-type(2) > a"
    PAGINATION = ", ".join(f"{ECOIT_LIST} {pager}" for pager in (
        ".lfr-pagination-page-selector a", ".lfr-pagination-buttons a", "ul.pagination a"))

    @classmethod
    def matches(cls, url: str, soup: BeautifulSoup) -> bool:
        return soup.select_one(ECOIT) is not None


PAGE_OBJECTS = [ComSoftArticle, VnptEportal, EcoITCmsView, Liferay]
