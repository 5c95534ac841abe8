"""FITC ASP.NET WebForms portal ("TT_TinChiTiet_*" / "TMCD2_*" markup), used by provincial
department sites.

Article markup: docs/platforms.md §2.9, third bullet (the "FITC" portal markup kept in a
WordPress clone, public scraper code); dates §4 ("Ngày cập nhật <span>…</span>"); captions and
related lists §6; ``onclick=windowPopup(…)`` toolbar §7.1. Everything is matched by class name,
comment or id *suffix*: ASP.NET control ids such as ``ctl16_ctl00_divTM`` change with the page's
control tree and are never hard-coded (§7.7).

Article page::

    div[id$=_divTM].HT_Dang2                        (id prefix varies: ctl16_ctl00_, ctl14_ctl00_, …)
      <!-- FitcBatDauDocTin -->
      div.TT_TinChiTiet_Vien
        div.TMCD2_DongTruongMuc > div               breadcrumb "Tin tức >> Thi đua - Khen thưởng"
        div.TT_TinChiTiet_Nen
          div.TT_TinChiTiet_TieuDe                  title
          div.TT_TinChiTiet_NgayCapNhat             font +/- buttons, "Ngày cập nhật <span>date</span>"
          div.TT_TinChiTiet_DocTin                  body:
            table.TT_TinChiTiet_DongAnhMinhHoa        lead image row + caption row td.TT_TinChiTiet_MoTaAnh
            <span> <p>…</p> … </span>                 the editor's content (may hold more image tables)
          div.TT_TinChiTiet_DongChucNang            share links, "Gửi tin qua email", "In ấn" (href="",
                                                    onclick="return windowPopup('…',550,500)")
          div.TT_TinChiTiet_TinLienQuanTieuDe       "Các tin khác"
          #divPhanTrang1 > div.TT_TinChiTiet_DongTinLienQuan > a.TT_TinChiTiet_TinLienQuan
                                                    "Title<span class=…_ThoiGian> (dd/mm/yyyy)</span>"
                                                    (the date is INSIDE the link)
      <!-- FitcKetThucDocTin -->

The lead-image table sits inside the body element, so the body's own image pairing (image row,
caption row) returns it first; ``LEAD_IMAGE`` only matters for a layout that puts it outside.
There is no separate sapo element: ``summary`` is ``None`` [I]. Author and source come from the
body's last lines ("Tác giả: X", "Nguồn: X", a bare bold or right-aligned name).

Category listing page: the clone's category template (same public scraper code, not in
docs/platforms.md) gives ``div[id$=_divTM].TMCD2_Vien`` with the same comments and breadcrumb,
then ``div.TMCD2_Nen`` > table rows of ``div.TMCD2_DongAnhMinhHoa`` (thumbnail link),
``div.TMCD2_DongTieuDe > a.TMCD2_TieuDe`` (title link) and ``div.TMCD2_DongNoiDung`` (lead
text), and a "Các bài khác" block (``div.TMCD2_KhoiTinLienQuan a.TMCD2_TinLienQuan``) of random
posts from any category, which is NOT a listing entry. Inferred [I]: the date after the title
link, ``span.TMCD2_ThoiGian`` "(dd/mm/yyyy)", and the pager ``div.TMCD2_PhanTrang`` with real
links.

URLs [I] (rewritten ASP.NET URLs; no evidence for FITC's real scheme):

* category listing ``/tin-tuc/<category>.aspx``, its page N ``/tin-tuc/<category>/trang-N.aspx``;
* article ``/tin-tuc/<category>/<slug>-<id>.aspx``;
* views that duplicate an article, opened only by ``windowPopup`` (§7.1): print
  ``/InTin.aspx?id=<id>``, send-mail ``/GuiTin.aspx?id=<id>``; a print page names its article
  with ``<link rel="canonical">``;
* ``AspxAutoDetectCookieSupport=1``, appended by ASP.NET's cookieless "AutoDetect" mode to URLs
  copied from the browser, is volatile and dropped by :meth:`FitcPortal.clean_url`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from bs4 import BeautifulSoup, Comment

from ..extract.dates import parse_date
from ..extract.text import clean
from ..extract.urls import canonical
from .base import HOME_WORDS, PageObject, copy_without

#: The comments FITC wraps its content in (article and category templates alike).
START_COMMENT = "FitcBatDauDocTin"
#: Class names only FITC uses: article parts, the category template's parts.
FINGERPRINT = (
    "div.TT_TinChiTiet_TieuDe, div.TT_TinChiTiet_DocTin, div.TMCD2_DongTruongMuc, "
    "div[id$=_divTM].HT_Dang2, div[id$=_divTM].TMCD2_Vien"
)
#: Print and send-mail views (URL path), opened by ``windowPopup`` [I].
DUPLICATE_VIEW = re.compile(r"/(?:InTin|GuiTin)\.aspx$", re.I)
VOLATILE_PARAMS = frozenset({"aspxautodetectcookiesupport"})
#: Breadcrumb separators: "Tin tức >> Thi đua - Khen thưởng" (also "»", "›").
CRUMB_SEPARATOR = re.compile(r"\s*(?:>>|»|›)\s*")
DATE_LABEL = re.compile(r"^\s*ngày\s+cập\s+nhật\s*:?\s*", re.I)


class FitcPortal(PageObject):
    """FITC ASP.NET portal: article pages, category listings with ``/trang-N.aspx`` pages."""

    platform = "fitc"

    ARTICLE = "div.TT_TinChiTiet_TieuDe"
    TITLE = "div.TT_TinChiTiet_TieuDe"
    DATE_SHOWN = "div.TT_TinChiTiet_NgayCapNhat span > span"  #: the date inside "Ngày cập nhật <span>…</span>"
    DATE_LINE = "div.TT_TinChiTiet_NgayCapNhat"  #: fallback: the whole line, label stripped
    BODY = "div.TT_TinChiTiet_DocTin"
    LEAD_IMAGE = "table.TT_TinChiTiet_DongAnhMinhHoa"
    RELATED_ITEMS = "div.TT_TinChiTiet_DongTinLienQuan"  #: each holds a.TT_TinChiTiet_TinLienQuan, date inside
    BREADCRUMB = "div.TMCD2_DongTruongMuc"
    BREADCRUMB_NOISE = "div.Right, script"
    LISTING_ITEMS = "div.TMCD2_Nen div.TMCD2_DongTieuDe a.TMCD2_TieuDe"
    LISTING_ITEM_CONTAINER = "div.TMCD2_DongTieuDe"
    LISTING_DATE = "span.TMCD2_ThoiGian"
    PAGINATION = "div.TMCD2_PhanTrang a[href]"

    # --- detection and URLs ----------------------------------------------------------------

    @classmethod
    def matches(cls, url: str, soup: BeautifulSoup) -> bool:
        if soup.select_one(FINGERPRINT) is not None:
            return True
        return soup.find(string=lambda s: isinstance(s, Comment) and START_COMMENT in s) is not None

    @classmethod
    def is_duplicate_url(cls, url: str) -> bool:
        return bool(DUPLICATE_VIEW.search(urlsplit(url).path))

    @classmethod
    def clean_url(cls, url: str | None) -> str | None:
        if not url:
            return url
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        kept = [(k, v) for k, v in query if k.lower() not in VOLATILE_PARAMS]
        if len(kept) == len(query):
            return url
        return parts._replace(query=urlencode(kept)).geturl()

    def duplicate_of(self) -> str | None:
        if not self.is_duplicate_url(self.url):
            return None
        href = self.canonical_link()
        return canonical(href) if href and not self.is_duplicate_url(href) else canonical(self.url)

    # --- article ---------------------------------------------------------------------------

    def published_raw(self) -> str | None:
        """The date span of "Ngày cập nhật <span>…</span>"; else that line without its label; else
        the generic metadata fallbacks. Never the header's "today" date."""
        for selector in (self.DATE_SHOWN, self.DATE_LINE):
            for node in self.soup.select(selector):
                text = DATE_LABEL.sub("", clean(node.get_text(" ")))
                if parse_date(text):
                    return text
        return self._generic_published_raw()

    def category(self, article_title: str | None = None) -> str | None:
        """Last crumb of "Parent >> Child" (one text line, links or not)."""
        node = self.soup.select_one(self.BREADCRUMB)
        if node is None:
            return None
        node = copy_without(node, self.BREADCRUMB_NOISE)
        names = [n for n in CRUMB_SEPARATOR.split(clean(node.get_text(" "))) if n]
        names = [n for n in names if n.lower() not in HOME_WORDS and n != article_title]
        return names[-1] if names else None


PAGE_OBJECTS = [FitcPortal]
