"""Joomla! 1.5 ``com_content`` (article view, category blog), as on the Gia Lai Emulation and
Commendation Board (thiduakhenthuong.gialai.gov.vn) and other Joomla emulation-board sites.

Evidence: docs/platforms.md §2.6 (URLs, the "Email In PDF" icon row, SEF URLs that keep
``index.php``, "Thứ ba, 25 Tháng 1 2022 16:22 · 7331 Lượt xem"), §3 (``?start=N`` /
``limitstart``), §4 (dates), §6 (captions, bylines, related lists), §7 (``javascript:`` links,
print views, header "today" and view counters). Most of §2.6 is [I]; the markup below is Joomla
1.5's own com_content/module output (class names of ``components/com_content/views/*/tmpl``,
``mod_related_items``, ``mod_breadcrumbs``, ``JPagination``) [I: not checked on a live page].

URLs (SEF off, the form of the evidence)::

    article   /index.php?option=com_content&view=article&id=301:slug&catid=141:thong-tin&Itemid=155
    category  /index.php?option=com_content&view=category&layout=blog&id=141&Itemid=155
    page N    …&start=5, …&start=10 (N-1 times the page size); page 1 is often linked with
              …&limitstart=0, which :meth:`Joomla15.clean_url` drops
    SEF       /index.php/thong-tin/301-slug.html: the same article; identity comes from
              ``<link rel="canonical">`` (the crawler cannot map SEF paths to ids: a SEF path
              ``/index.php/<menu>/<id>-<alias>.html`` may name an article or a category)

Views that duplicate an article (:meth:`Joomla15.is_duplicate_url`, never followed): the icon
row's PDF ``index.php?view=article&…&format=pdf``, print ``…&tmpl=component&print=1``, e-mail
``index.php?option=com_mailto&tmpl=component&link=<base64 of the article URL>``; SEF forms
``…/301-slug.pdf``, ``/component/mailto/?…``. Any ``tmpl=component`` page is a stripped popup.

Article page (1.5 ``article/default.php``, date row moved above the title by a template
override, as on the Gia Lai site)::

    span.breadcrumbs.pathway   a.pathway "Trang chủ" <img> a.pathway Category <img> Title (text)
    .createdate                "18:21:26 , 24/10/2014" (also "24/10/2014", "Thứ sáu, 24 Tháng 10 2014 18:21")
    table.contentpaneopen
      td.contentheading        title
      td.buttonheading ×3      E-mail, In, PDF (real hrefs plus window.open onclick)
    table.contentpaneopen
      td[valign=top] > span.small   "Viết bởi X" (the user name or created_by_alias; optional)
      td[valign=top]                the body (intro text and full text, no separate sapo)
      td.modifydate                 "Lần cập nhật cuối ( … )": not the publication date
    ul.relateditems > li > a   mod_related_items: "2014-10-24 - Title" (date first, inside the link)

Joomla 1.5 prints the intro text and the full text together, with nothing marking the intro, so
``summary`` is ``None``. Captions: the shapes of ``extract_body`` plus Joomla's own
``<img class="caption" title="…">`` (``media/system/js/caption.js`` builds the caption from
``title`` in the browser). Author: a byline at the end of the body, else "Viết bởi X", except
CMS account names ("Administrator", "admin", "Super User").

Category blog (``category/tmpl/blog.php``): ``table.blog`` of items, each a heading table
(``td.contentheading a.contentpagetitle``, icon row) followed by a body table whose
``td.createdate`` holds the date (Joomla's vi-VN ``DATE_FORMAT_LC2``); then "Các bài khác…"
links ``a.blogsection`` (the next page's articles); pager ``div.pagination`` ("Đầu Trước 1 2 3
Tiếp Cuối") and "Trang 1 của 3".
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import parse_qsl, unquote_plus, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ..extract.dates import parse_date
from ..extract.body import Body, extract_body
from ..extract.soup import attribute
from ..extract.text import clean, clean_or_none
from ..extract.urls import absolute, canonical, same_host
from ..items import Listing, RelatedLink
from .base import HOME_WORDS, PageObject, copy_without, generator_of

GENERATOR = re.compile(r"\bjoomla\b", re.I)
#: Class names only Joomla 1.5 (and Mambo before it) print: the fallback when the generator
#: meta has been removed, as many portals do.
FINGERPRINT = "table.contentpaneopen td.contentheading, table.blog td.contentheading, span.breadcrumbs.pathway a.pathway"
#: A Joomla URL: ``index.php?option=com_…`` or a SEF path that keeps ``/index.php/``.
JOOMLA_URL = re.compile(r"[?&](?:amp;)*option=com_|/index\.php/|/component/(?:mailto|content)/", re.I)
#: Parameters whose value makes a URL a duplicate view of an article (print, PDF, popup, e-mail).
DUPLICATE_PARAMS = {"print": {"1"}, "format": {"pdf"}, "tmpl": {"component"}, "option": {"com_mailto"}}
DUPLICATE_PATH = re.compile(r"/component/mailto(?:/|$)|/index\.php/[^?#]*\.pdf$", re.I)
#: Parameters a duplicate view adds to its article's URL.
VIEW_PARAMS = {"print", "format", "tmpl", "page", "pop", "type"}
#: ``limitstart=0`` / ``start=0`` (page 1 of a listing) and tracking parameters.
FIRST_PAGE_PARAMS = {"limitstart", "start"}
TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid)$", re.I)
#: ``mod_related_items``: "2014-10-24 - Title" (also "24/10/2014 - Title").
LEADING_DATE = re.compile(r"^\s*(?P<date>\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4})\s*[-–:]\s*(?P<title>.+)$")
#: "Viết bởi X" (vi-VN "Written by %s"), "Tác giả: X".
WRITTEN_BY = re.compile(r"^(?:viết\s+bởi|tác\s+giả|written\s+by|người\s+viết)\s*:?\s*", re.I)
#: Joomla user accounts shown as "Viết bởi …" when an article has no author alias: not bylines.
ACCOUNT_NAMES = {"administrator", "admin", "super user", "superuser", "quản trị", "quản trị viên", "webmaster"}
CRUMB_SEPARATORS = "»›>/|"


class Joomla15(PageObject):
    """Joomla 1.5 ``com_content``: article pages and category blog listings."""

    platform = "joomla"

    ARTICLE = "table.contentpaneopen td.contentheading"
    LISTING_PAGE = "table.blog, div.blog"  #: present only on category/section blog pages
    TITLE = "table.contentpaneopen td.contentheading"
    DATE_SHOWN = ".createdate"
    SUMMARY = None  #: Joomla 1.5 prints intro text and full text together (see the docstring)
    #: The article text cell: a top-aligned cell that is neither the date row nor the "Viết bởi" row.
    BODY = "table.contentpaneopen td[valign=top]:not(.createdate):not(:has(> span.small))"
    AUTHOR = "table.contentpaneopen td[valign=top] > span.small"  #: "Viết bởi X"
    BODY_NOISE = "table.pagenav, div.pagenavcounter, div.pagenavbar"  #: plugin output inside the text cell
    CAPTIONED_IMAGE = "img.caption[title]"  #: caption.js: the caption is the ``title``
    RELATED_ITEMS = "ul.relateditems > li"
    BREADCRUMB_TRAIL = "span.breadcrumbs, span.pathway, div.breadcrumbs"
    BREADCRUMB = "span.breadcrumbs a.pathway, span.pathway a.pathway, div.breadcrumbs a.pathway"
    LISTING_ITEMS = "table.blog td.contentheading a.contentpagetitle, table.blog a.blogsection"
    LISTING_ITEM_TABLE = "contentpaneopen"  #: class of a blog item's tables: heading, then date and intro
    LISTING_DATE = ".createdate"
    PAGINATION = "div.pagination a[href], ul.pagination a[href]"
    SITE_NAME = "#header .site-name"

    # --- detection and URLs ----------------------------------------------------------------

    @classmethod
    def matches(cls, url: str, soup: BeautifulSoup) -> bool:
        if GENERATOR.search(generator_of(soup)):
            return True
        return soup.select_one(FINGERPRINT) is not None

    @classmethod
    def is_duplicate_url(cls, url: str) -> bool:
        if not url or not JOOMLA_URL.search(url):
            return False
        parts = urlsplit(url)
        if DUPLICATE_PATH.search(parts.path):
            return True
        return any(value.lower() in DUPLICATE_PARAMS.get(name, ()) for name, value in _params(parts.query))

    @classmethod
    def clean_url(cls, url: str | None) -> str | None:
        """Drop ``limitstart=0``/``start=0`` (page 1), tracking parameters and empty pieces, and
        repair double-escaped ``&amp;amp;`` (an ``amp;`` prefix on a name); keep everything else,
        in its order (``Itemid`` decides which modules a page shows, so it stays)."""
        if not url or not JOOMLA_URL.search(url):
            return url
        parts = urlsplit(url)
        if not parts.query:
            return url
        kept = []
        for piece in parts.query.split("&"):
            raw_name, _, value = piece.partition("=")
            name = raw_name
            while name.lower().startswith("amp;"):
                name = name[4:]
            if not name:
                continue
            lowered = unquote_plus(name).lower()
            if lowered in FIRST_PAGE_PARAMS and value in ("0", ""):
                continue
            if TRACKING.match(lowered):
                continue
            kept.append(name + piece[len(raw_name):])
        query = "&".join(kept)
        return url if query == parts.query else parts._replace(query=query).geturl()

    def duplicate_of(self) -> str | None:
        """The article a print / PDF / e-mail view stands for: its ``rel=canonical``, the article
        URL inside a ``com_mailto`` link (base64), or the URL without the view parameters."""
        if not self.is_duplicate_url(self.url):
            return None
        href = self.canonical_link()
        if href and same_host(href, self.url) and not self.is_duplicate_url(href):
            return canonical(href)
        parts = urlsplit(self.url)
        params = _params(parts.query)
        if any(name == "option" and value.lower() == "com_mailto" for name, value in params):
            target = _decode_mailto_link(dict(params).get("link", ""))
            if target and same_host(target, self.url) and not self.is_duplicate_url(target):
                return canonical(self.clean_str_url(target))
            return None
        if parts.path.lower().endswith(".pdf"):
            return canonical(parts._replace(path=parts.path[:-4] + ".html", query="").geturl())
        kept = [p for p in parts.query.split("&") if not _view_param(p)]
        return canonical(self.clean_str_url(parts._replace(query="&".join(kept)).geturl()))

    # --- article ---------------------------------------------------------------------------

    def is_article(self) -> bool:
        """A ``td.contentheading`` outside a blog: blog items use the same heading tables."""
        return self.soup.select_one(self.LISTING_PAGE) is None and self.soup.select_one(self.ARTICLE) is not None

    def body(self) -> Body:
        """The body without the pagenav plugin's "< Trước / Tiếp >" table (Joomla appends it to
        the article text), plus captions that caption.js builds from ``img.caption[title]``."""
        node = self._body_node()
        if node is None:
            return Body()
        node = copy_without(node, self.BODY_NOISE)
        body = extract_body(node, self.url)
        titled = [(absolute(attribute(img, "src"), self.url), clean(attribute(img, "title")))
                  for img in node.select(self.CAPTIONED_IMAGE)]
        for image in body.images:
            if image.caption is not None:
                continue
            for i, (src, title) in enumerate(titled):
                if src == image.src and title:
                    image.caption = title
                    del titled[i]
                    break
        return body

    def byline(self, body: Body) -> tuple[str | None, str | None]:
        """A byline in the body wins; else "Viết bởi X", unless X is a CMS account name."""
        author, source = super().byline(body)
        if author is not None and body.author is None:  # it came from AUTHOR: "Viết bởi X"
            author = clean_or_none(WRITTEN_BY.sub("", author))
            if author is not None and author.lower() in ACCOUNT_NAMES:
                author = None
        return author, source

    def related_links(self) -> list[RelatedLink]:
        """``mod_related_items`` items: the date comes first, inside the link ("2014-10-24 - Title")."""
        links = super().related_links()
        for link in links:
            match = LEADING_DATE.match(link.title) if link.published_raw is None else None
            if match and parse_date(match["date"]):
                link.title, link.published_raw = clean(match["title"]), match["date"]
                link.published_at = parse_date(link.published_raw)
        return links

    def category(self, article_title: str | None = None) -> str | None:
        """The breadcrumb's category: on an article the last linked crumb (the unlinked last one is
        the article's title); on a listing the last crumb, linked or not."""
        trail = self.soup.select_one(self.BREADCRUMB_TRAIL)
        if trail is None:
            return None
        names = [clean(a.get_text(" ")) for a in trail.find_all("a")]
        if not self.is_article():
            names.append(_trailing_text(trail))
        names = [n for n in names if n and n.lower() not in HOME_WORDS]
        return names[-1] if names else None

    def site_name(self) -> str | None:
        """``og:site_name``, else the template header. Joomla 1.5's ``<title>`` is the page's own
        title, with no site-name suffix to split off."""
        name = self._meta("og:site_name")
        if name:
            return name
        node = self.soup.select_one(self.SITE_NAME)
        return clean_or_none(node.get_text(" ")) if node is not None else None

    # --- listing ---------------------------------------------------------------------------

    def listing(self) -> Listing:
        """Blog items keep their date in the table after the heading's table: fill it in."""
        listing = super().listing()
        dates: dict[str, str] = {}
        for anchor in self.soup.select(self.LISTING_ITEMS):
            url = self.clean_url(absolute(attribute(anchor, "href"), self.url))
            raw = self._blog_item_date(anchor)
            if url and raw and url not in dates:
                dates[url] = raw
        for entry in listing.entries:
            if entry.published_raw is None and entry.url in dates:
                entry.published_raw = dates[entry.url]
                entry.published_at = parse_date(entry.published_raw)
        return listing

    def _blog_item_date(self, anchor: Tag) -> str | None:
        """The date of a blog item: ``.createdate`` in the table after the title's table."""
        heading = anchor.find_parent("table", class_=self.LISTING_ITEM_TABLE)
        following = heading.find_next_sibling("table") if heading is not None else None
        if following is None or self.LISTING_ITEM_TABLE not in (following.get("class") or []):
            return None
        for node in following.select(self.LISTING_DATE):
            raw = clean(node.get_text(" "))
            if parse_date(raw):
                return raw
        return None


def _params(query: str) -> list[tuple[str, str]]:
    """Query arguments with names lower-cased and ``amp;`` prefixes (``&amp;amp;``) removed."""
    pairs = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        name = name.lower()
        while name.startswith("amp;"):
            name = name[4:]
        pairs.append((name, value))
    return pairs


def _view_param(piece: str) -> bool:
    """True for a query piece that a print/PDF view adds (``tmpl=component``, ``print=1``,
    ``layout=default``, ``page=``)."""
    name, _, value = piece.partition("=")
    name = unquote_plus(name).lower()
    while name.startswith("amp;"):
        name = name[4:]
    return name in VIEW_PARAMS or (name == "layout" and value.lower() == "default")


def _decode_mailto_link(value: str) -> str | None:
    """``com_mailto``'s ``link`` argument: the article URL, base64-encoded."""
    value = value.strip().replace(" ", "+")  # a "+" decoded as a space by the query parser
    if not value:
        return None
    padded = value + "=" * (-len(value) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            url = decode(padded).decode("utf-8")
        except (binascii.Error, ValueError, UnicodeDecodeError):
            continue
        if url.startswith(("http://", "https://")):
            return url
    return None


def _trailing_text(trail: Tag) -> str:
    """The unlinked last crumb: the text after the trail's last link, separators stripped."""
    texts: list[str] = []
    for node in trail.descendants:
        if isinstance(node, Tag) and node.name == "a":
            texts = []
        elif isinstance(node, NavigableString) and not isinstance(node, Comment) and node.find_parent("a") is None:
            texts.append(str(node))
    return clean(" ".join(texts)).strip(CRUMB_SEPARATORS + " ")


PAGE_OBJECTS = [Joomla15]
