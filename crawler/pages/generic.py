"""The fallback for a CMS no one has described: standard metadata first, then heuristics.

Used when no platform's ``matches()`` claims a page. Order of evidence for each field:

* **kind**: JSON-LD ``@type`` Article/NewsArticle or ``og:type=article`` → article; otherwise
  an article needs a body block (below) of at least :data:`MIN_BODY_CHARS` characters in at
  least two paragraphs, and a listing needs a repeated block of article links.
* **title**: JSON-LD ``headline``, ``og:title``, the ``<h1>``, a heading-like element
  (``class`` with title/tieu-de/headline) just before the body, the ``<title>`` before its
  " - Site name" suffix.
* **date**: the visible date nearest the title (``<time>``, an element whose class says
  date/time/ngay, or any short text that parses as a date between the title and the body), then
  JSON-LD ``datePublished``, ``article:published_time``, ``itemprop=datePublished``. The page
  header's "today" date sits before the title and is never read.
* **body**: ``[itemprop=articleBody]``, else the element whose own paragraphs hold the most
  text (readability-style: text of direct ``<p>``/text children, minus link text); title, date,
  share bars and the related list are cut out of it before :func:`extract_body`.
* **related links**: the list after a heading from :data:`RELATED_HEADINGS`.
* **listing entries** (no selectors): anchors are grouped by the shape of their ancestor chain;
  groups inside navigation, header, footer, sidebars or widgets (tag names and the class/id
  vocabulary :data:`NOISE`) are dropped; the best remaining group (most links, weighted by
  links under the listing's own URL section and by items carrying a date, summary or image)
  is the listing.
* **pagination**: same-host links whose URL has a page marker (``/trang-N``, ``?page=N``,
  ``?p=N``, ``/page-N``, ``?start=N``, ``/currentpage/N``) and which point to the same listing
  once that marker is removed.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from itertools import islice
from urllib.parse import parse_qsl, urlencode, urlsplit

from bs4 import NavigableString, Tag
from bs4.element import PreformattedString

from ..extract.dates import parse_date
from ..extract.body import Body, byline_of, extract_body, pair_images, text_of
from ..extract.main_text import agreement, locate, main_text
from ..extract.soup import attribute
from ..extract.text import clean, clean_or_none
from ..extract.urls import absolute, canonical, is_document, same_host
from ..items import Image, Listing, ListingEntry, PageLink, RelatedLink
from .base import HOME_WORDS, PageObject, cache_on_page, copy_without, heading_text, split_title_date

# --- vocabularies (data, compiled once) ------------------------------------------------------

#: Breadcrumb separators printed as items of their own.
SEPARATORS = frozenset({">", "»", "/"})
#: class/id words of page chrome whose links are never listing entries and whose text is never body.
NOISE = re.compile(
    r"(?:^|[-_\s])(?:menu|nav|navbar|navigation|footer|header|top-?bar|sidebar|side|aside|breadcrumbs?|banner|"
    r"widget|share|social|toolbar|tools|comments?|login|search|copyright|advert|ads|quang-?cao|lien-?ket|"
    r"weblink|counter|thong-?ke|xem-?nhieu|most|hot|tin-?moi|tin-?noi-?bat|tag|tags|related|recommend\w*|promo|"
    # side columns (never the left one: it often holds the article), page header and footer, in Vietnamese too
    r"khoi-?ben|cot-?(?:phai|phu|ben)|ben-?phai|col-?right|right-?(?:col|column|side)|dau-?trang|chan-?trang|"
    r"cuoi-?trang|"
    r"newsletter|subscribe|signup|outbrain|taboola|cookies?|consent|gdpr|tin-?lien-?quan|next-?prev|prev-?next|"
    r"pager|pagination|paging)(?:$|[-_\s\d])",
    re.I,
)
NOISE_TAGS = ("nav", "header", "footer", "aside", "noscript", "script", "style", "select", "button")  # not form: ASP.NET wraps whole pages in one
#: Heading wrappers of an article or a listing item whose class names say "header".
CONTENT_HEADER = re.compile(r"(?:^|\s)(?:page|entry|post|article|item|news|content|blog)[-_]?header(?:$|\s)", re.I)
RELATED_HEADINGS = re.compile(
    r"^(?:các\s+|những\s+)?(?:tin(?:\s+bài)?|bài(?:\s+viết)?)\s+"
    r"(?:khác|liên\s+quan|cùng\s+(?:chuyên\s+mục|loại)|đã\s+(?:đưa|đăng)|(?:mới|cũ)\s+hơn)|"
    r"^xem\s+thêm|^tin\s+cùng|^cùng\s+(?:chủ\s+đề|chuyên\s+mục)", re.I)
#: Whole lines that are page furniture inside an article container, never body text.
BOILERPLATE_LINE = re.compile(
    r"(?:advertisement|advertising|sponsored|story continues below|caption|close|back to gallery|"
    r"quảng cáo|chia sẻ|chia sẻ bài viết|in bài viết|gửi bài viết|bình luận)\s*:?", re.I)
TITLE_CLASS = re.compile(r"title|tieu-?de|headline|heading|ten-?bai", re.I)
DATE_CLASS = re.compile(r"date|time|ngay|thoi-?gian|publish|post-?meta|meta", re.I)
SUMMARY_CLASS = re.compile(r"sapo|summary|lead|tom-?tat|trich-?dan|trich-?yeu|description|intro|chapeau|excerpt|hometext|mo-?ta", re.I)
SITE_CHROME = re.compile(r"site|page|global|top", re.I)
HIDDEN_CLASS = re.compile(r"(?:^|\s)(?:hidden|hide|d-none|sr-only|visually-hidden|invisible)(?:$|\s)", re.I)
BREADCRUMB_CLASS = re.compile(r"breadcrumb|duong-?dan|path|navigation-?path", re.I)
AUTHOR_CLASS = re.compile(r"(?:^|[-_\s])(?:author|tac-?gia|byline)(?:$|[-_\s])", re.I)
PAGE_MARKER = re.compile(
    r"/trang-?\d+(?=\.(?:html?|aspx?|php)$|/?$)|/page[-/]\d+(?=\.(?:html?|aspx?|php)$|/?$)|/currentpage/\d+"
    r"|/(?:PgrID/\d+/)?PageID/\d+|/p\d+(?=\.html?$)", re.I)
#: A page marker at the end of a query value (NukeViet 3 ``op=Tin-hoat-dong/page-2``).
VALUE_PAGE_MARKER = re.compile(r"/page-(\d+)$", re.I)
PAGE_PARAMS = {"page", "p", "pageindex", "start", "limitstart", "trang", "pg", "paged", "pagenumber", "cur"}
#: Query keys that carry a portlet's state, not the listing's identity (Liferay ``p_p_id``,
#: ``p_p_lifecycle``, ``_<portlet>_delta``, ``_<portlet>_cur`` …).
PORTLET_STATE = re.compile(r"^p_p_|^_\w+_[A-Za-z]+$")
ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "report", "reportagenewsarticle", "analysisnewsarticle"}

LAYOUT_SHARE = 0.5  #: an element holding this share of the page's text is layout, never chrome
NOISE_WEIGHT = 0.25  #: weight of paragraph text inside chrome when looking for the body
LINK_DENSITY = 0.6  #: share of link text that makes a block inside the body a block of links
AGREEMENT = 0.5  #: shingle F1 with trafilatura's text under which the body element is replaced
MIN_BODY_CHARS = 400  #: own-paragraph text an article body needs
MIN_LINKED_BODY_CHARS = 80  #: ... when the page was reached as a listing's article link
MIN_TITLE_LINK = 15  #: characters of link text for an anchor to count as an article title
MIN_GROUP = 3  #: links a repeated block needs to be a listing
#: Class words that mark one item's place in a list (first, odd, current, featured), not its kind.
POSITION_CLASS = re.compile(r"(?:^|[-_])(?:first|last|odd|even|active|current|selected|dau|cuoi|dang-?chon|"
                            r"featured|noi-?bat)$", re.I)
MIN_EXTRA_PARAGRAPH = 80  #: a line of trafilatura's text this long, not in our body, is article text we missed
MAX_LEAD_IMAGE_TEXT = 300  #: text an image block before the body may hold (its caption) to be the lead photo
BARE_WEIGHT = 0.4  #: weight of a block of links whose items show only a title


class GenericPage(PageObject):
    """Any page whose platform no page object recognises."""

    platform = "generic"

    # --- kind ------------------------------------------------------------------------------

    def is_article(self) -> bool:
        types = {t.lower() for t in self._json_ld_values("@type")}
        if types & ARTICLE_TYPES or (self._meta("og:type") or "").lower() == "article":
            return True
        if self.expect == "listing" and len(self._listing_entries()) >= MIN_GROUP:
            return False  # a start or pagination URL that shows a block of article links
        body = self._body_node()
        if body is None:
            return False
        paragraphs = [p for p in _own_paragraphs(body) if len(p) >= 40]
        text = sum(len(p) for p in paragraphs)
        if text >= MIN_BODY_CHARS and len(paragraphs) >= 2:
            return True
        # Reached through a listing's article link: a titled page with some body text is the article.
        return (self.expect == "article" and text >= MIN_LINKED_BODY_CHARS and bool(self.title())
                and not self._in_noise(body))  # a footer's address is no short article

    # --- article fields ----------------------------------------------------------------------

    def title(self) -> str | None:
        candidates = self.title_candidates()
        return candidates[0] if candidates else None

    @cache_on_page
    def title_candidates(self) -> list[str]:
        """Texts that may be the headline, best first: JSON-LD ``headline``, the title element
        (:meth:`_title_node`), the other headings before the body (nearest first), ``og:title``, the
        ``<title>`` before its " - Site name" suffix. The cascade takes the first plausible one."""
        found = [clean(v) for v in self._json_ld_values("headline")]
        node = self._title_node()
        if node is not None:
            found.append(heading_text(node))
        body = self._body_node()
        if body is not None:
            for heading in body.find_all_previous(["h1", "h2", "h3"], limit=20):
                if not self._in_noise(heading) and heading.find(["div", "p"]) is None:
                    found.append(clean(heading.get_text(" ")))
        found.append(self._meta("og:title") or "")
        title = clean(self.soup.title.get_text()) if self.soup.title else ""
        if title:
            found.append(clean(re.split(r"\s+[-|–]\s+", title)[0]))
        unique: list[str] = []
        for text in found:
            if text and text not in unique:
                unique.append(text)
        return unique

    @cache_on_page
    def published_raw(self) -> str | None:
        node = self._date_node()
        if node is not None:
            return _date_text(node)
        return self._generic_published_raw()

    def summary(self) -> str | None:
        body = self._body_node()
        candidates = self.soup.find_all(class_=SUMMARY_CLASS) + self.soup.find_all(itemprop="description")
        for node in candidates:
            if node.name == "meta" or _hidden(node):
                continue
            if self._in_noise(node) or (body is not None and (node is body or body in node.parents)):
                continue
            if node.find(["p", "div"]) is not None and len(node.find_all("p")) > 2:
                continue
            node = copy_without(node, "figure, table, script, style")
            for child in node.find_all(True, recursive=False):
                if child.find("img") is not None:
                    child.decompose()  # the lead photo and its caption inside the sapo box
            text = clean(copy_without(node, "img").get_text(" "))
            if len(text) >= 40:
                return text
        return None

    def body(self) -> Body:
        node = self._body_node()
        if node is None:
            return Body()
        node = copy.copy(node)
        title = self.title()
        for tag in node.find_all(True):
            if tag.decomposed:
                continue
            if tag.name in NOISE_TAGS or _noisy(tag) or tag.name == "h1":
                tag.decompose()
            elif title and tag.name in ("h1", "h2", "h3", "div", "p") and clean(tag.get_text(" ")) == title:
                tag.decompose()
            elif _is_related_heading(tag):
                for following in _related_block(tag):
                    following.decompose()
                tag.decompose()
            elif _link_block(tag) or BOILERPLATE_LINE.fullmatch(clean(tag.get_text(" "))):
                tag.decompose()
        date = self.published_raw()
        for tag in node.find_all(["time", "span", "div", "p"]):
            if not tag.decomposed and date and clean(tag.get_text(" ")) == date:
                tag.decompose()
        return extract_body(node, self.url)

    def lead_images(self) -> list[Image]:
        """Figures placed before the body block inside the same article container."""
        body = self._body_node()
        if body is None or body.parent is None:
            return []
        images: list[Image] = []
        node = body
        for _ in range(2):  # <div class="content"><div class="main_content">…: the wrapper's siblings
            parent = node.parent
            if node.find_previous_sibling() is not None or parent is None or parent.name in ("body", "html"):
                break
            if len([child for child in parent.children if isinstance(child, Tag)]) > 1:
                break
            node = parent
        for sibling in node.find_previous_siblings():
            if not isinstance(sibling, Tag) or _hidden(sibling):
                continue
            if sibling.name == "figure" or sibling.find("figure"):
                images[:0] = pair_images(copy.copy(sibling), self.url)
            elif sibling.find("img") is not None and len(clean(sibling.get_text(" "))) <= MAX_LEAD_IMAGE_TEXT and \
                    all(a.find("img") is not None or is_document(absolute(attribute(a, "href"), self.url) or "")
                        for a in sibling.find_all("a", href=True)):
                # an image table or block between the sapo and the body (or the sapo box holding
                # the lead photo): the lead photo and its caption; links only to the photo itself
                found = pair_images(copy.copy(sibling), self.url)
                text = clean(sibling.get_text(" "))
                sapo = sibling.find(class_=SUMMARY_CLASS) is not None or SUMMARY_CLASS.search(_classes(sibling))
                if len(found) == 1 and found[0].caption is None and text and not sapo:
                    found[0].caption = text  # the block's only text is its photo's caption
                images[:0] = found
        return images

    def byline(self, body: Body, node: Tag | None = None) -> tuple[str | None, str | None]:
        """(author, source): the body's own byline lines, else a labelled block right after the
        body element (``node``; default: the generic body element), else JSON-LD, else an author
        element by its class or ``rel``."""
        author, source = body.author, body.source
        node = node if node is not None else self._body_node()
        # the blocks after the body, or after its wrapper (<div class="noidung"><div class="ExternalClass…">)
        after = node.find_next_siblings(limit=4) if node is not None else []
        if node is not None and not after and node.parent is not None:
            after = node.parent.find_next_siblings(limit=4)
        for sibling in after:
            # the block itself ("Tác giả: X"), or its lines (a list of labelled fields)
            for line in [sibling, *sibling.find_all(["li", "p", "dd", "div"], recursive=False)]:
                found = byline_of(clean(line.get_text(" ")))
                if found is not None:
                    author, source = author or found[0], source or found[1]
        if author is None:
            for value in self._json_ld_author():
                author = value
                break
        if author is None:
            node = self.soup.find(class_=AUTHOR_CLASS) or self.soup.find(rel="author")
            if node is not None and not self._in_noise(node):
                text = clean(node.get_text(" "))
                found = byline_of(text)
                if found is not None:  # "Tác giả: X", or a box holding only "Nguồn tin: Y"
                    author, source = found[0], source or found[1]
                else:
                    label, sep, value = text.partition(":")
                    author = clean_or_none(value if sep else text)
        return author, source

    def related_links(self) -> list[RelatedLink]:
        links: list[RelatedLink] = []
        seen: set[str] = set()
        for heading in self.soup.find_all(_is_related_heading):
            for block in _related_block(heading):
                for anchor in block.find_all("a", href=True) if block.name != "a" else [block]:
                    href = absolute(attribute(anchor, "href"), self.url)  # None: an <a> block without href
                    url = self.clean_url(href)
                    url = canonical(url) if url else None
                    if not url or url in seen or not same_host(url, self.url):
                        continue
                    title, raw = split_title_date(anchor.get_text(" "))
                    if not title:
                        continue
                    if raw is None:
                        raw = _date_after(anchor)
                    seen.add(url)
                    links.append(RelatedLink(url=url, title=title, published_at=parse_date(raw), published_raw=raw,
                                             href=href))
        return links

    def category(self, article_title: str | None = None) -> str | None:
        """The breadcrumb's last item (on an article page not the article's own title, which some
        CMSs print last), else ``article:section``."""
        for crumb in self.soup.find_all(class_=BREADCRUMB_CLASS) + self.soup.find_all(id=BREADCRUMB_CLASS):
            names = [clean(a.get_text(" ")) for a in crumb.find_all(["a", "span", "li"]) if not a.find(["a", "li"])]
            names = [n for n in names if n and n.lower() not in HOME_WORDS | SEPARATORS and n != article_title]
            if names:
                return names[-1]
        section = self._meta("article:section")
        if section:
            return section
        return None

    # --- listing ---------------------------------------------------------------------------

    def listing(self) -> Listing:
        entries = self._listing_entries()
        return Listing(url=self.clean_str_url(self.url), platform=self.platform, category=self.listing_category(),
                       entries=entries,
                       page_links=self.page_links(), unsupported_pagination=self.unsupported_pagination(),
                       site_name=self.site_name())

    def page_links(self) -> list[PageLink]:
        here = _listing_key(self.url)
        links: list[PageLink] = []
        for anchor in self.soup.find_all("a", href=True):
            link = self._page_link(anchor)
            if link is None or any(link.url == other.url for other in links):
                continue
            url = link.url
            if not (PAGE_MARKER.search(urlsplit(url).path) or _page_params(url)) and not _pager_text(anchor):
                continue
            if _listing_key(url) == here and page_number(url) != page_number(self.url):
                links.append(link)
        return links

    # --- helpers ---------------------------------------------------------------------------

    def _in_noise(self, tag: Tag) -> bool:
        """Inside page chrome: a ``nav``/``aside``/… element, a ``header``/``footer`` of the page
        (not the one of an ``<article>``), or an element whose class/id is in :data:`NOISE`, unless
        that element holds :data:`LAYOUT_SHARE` or more of the page's text (a page-wide wrapper
        such as ``<div class="has-sidebar">`` is layout, not chrome). Memoised per element."""
        memo = self.__dict__.setdefault("_noise_memo", {})
        chain: list[Tag] = []
        node: Tag | None = tag
        inherited = False
        while isinstance(node, Tag) and node.name not in ("body", "html", "[document]"):
            if id(node) in memo:
                inherited = memo[id(node)]
                break
            chain.append(node)
            node = node.parent
        for index in range(len(chain) - 1, -1, -1):
            node = chain[index]
            if not inherited and (node.name in NOISE_TAGS or _noisy(node)):
                inherited = not (_article_header(node, node.parents) or _content_header(node) or self._layout(node))
            memo[id(node)] = inherited
        return inherited

    def _layout(self, node: Tag) -> bool:
        """True when ``node`` holds :data:`LAYOUT_SHARE` or more of the page's text."""
        page_text = self._page_text_length()
        return page_text > 0 and len(node.get_text()) >= LAYOUT_SHARE * page_text

    @cache_on_page
    def _page_text_length(self) -> int:
        """Characters of text in the page's ``<body>``."""
        return len((self.soup.body or self.soup).get_text())

    @cache_on_page
    def _body_node(self) -> Tag | None:
        """``[itemprop=articleBody]``; else the element whose own paragraphs hold the most text,
        unless trafilatura's main text disagrees with it (:data:`AGREEMENT`): then the element
        that holds trafilatura's text (:mod:`crawler.extract.main_text`)."""
        node = self.soup.find(itemprop="articleBody")
        if node is None:
            best: Tag | None = None
            best_score: float = 0
            for candidate in self.soup.find_all(["div", "article", "section", "td", "main"]):
                score: float = sum(len(p) for p in _own_paragraphs(candidate) if len(p) >= 25)
                if score and self._in_noise(candidate):
                    score *= NOISE_WEIGHT  # chrome by its name, but an article may sit in a "header" div
                if score > best_score:
                    best, best_score = candidate, score
            node = self._second_opinion(best)
        return node

    def _second_opinion(self, node: Tag | None) -> Tag | None:
        text = main_text(self.source if self.source is not None else str(self.soup))
        if not text or (node is not None and agreement(text_of(node), text) >= AGREEMENT):
            return node
        located = locate(self.soup, text)
        if located is None:
            return node
        if node is not None and node in located.descendants:
            ours = text_of(node)
            links = [t for a in self.soup.find_all("a") if len(t := clean(a.get_text(" "))) >= MIN_TITLE_LINK]
            more = [line for line in map(clean, text.splitlines())
                    if len(line) >= MIN_EXTRA_PARAGRAPH and line not in ours and not any(link in line for link in links)]
            if len(more) < 2 or _holds_chrome(located):
                return node  # trafilatura kept page chrome around our text (short pages), not more article
        return located

    def _title_node(self) -> Tag | None:
        h1s = [h for h in self.soup.find_all("h1") if not self._in_noise(h) and clean(h.get_text())]
        if len(h1s) == 1:
            return h1s[0]
        body = self._body_node()
        if body is None:
            return h1s[0] if h1s else None
        for node in body.find_all_previous(["h1", "h2", "h3", "div", "p", "span", "td"], limit=60):
            if self._in_noise(node) or node.find(["div", "p", "h1", "h2", "h3"]) is not None:
                continue
            text = clean(node.get_text(" "))
            if not 10 <= len(text) <= 300 or parse_date(text):
                continue
            if node.name in ("h1", "h2", "h3") or TITLE_CLASS.search(" ".join(node.get("class") or [])):
                return node
        return h1s[0] if h1s else None

    def _date_node(self) -> Tag | None:
        """The visible publication date: after the title, before the body's first paragraph."""
        title = self._title_node()
        body = self._body_node()
        start = title if title is not None else body
        if start is None:
            return None
        time = start.find_next("time")
        if time is not None and (body is None or _before_body_end(time, body)) and parse_date(_date_text(time)):
            return time
        for node in start.find_all_next(["span", "div", "p", "time", "em", "i", "small", "li", "td"], limit=40):
            if body is not None and (node is body or body in node.parents):
                if node.find_previous_sibling("p") is not None:
                    break
            if node.find(["div", "p"]) is not None or _hidden(node):
                continue  # (noise containers are not skipped: dates often sit in a toolbar)
            text = clean(node.get_text(" "))
            if 6 <= len(text) <= 90 and parse_date(text):
                return _innermost_date(node)
        return None

    def _json_ld_author(self) -> list[str]:
        """Author names from JSON-LD ``author`` (a string, an object with ``name``, or a list)."""
        authors = []
        for obj in self._json_ld_objects():
            value = obj.get("author")
            for author in value if isinstance(value, list) else [value]:
                name = author.get("name") if isinstance(author, dict) else author
                if isinstance(name, str) and clean(name):
                    authors.append(clean(name))
        return authors

    def _listing_entries(self) -> list[ListingEntry]:
        section = _section_of(self.url)
        groups: dict[tuple, list[Tag]] = defaultdict(list)
        for anchor in self.soup.find_all("a", href=True):
            text = clean(anchor.get_text(" ")) or clean(attribute(anchor, "title"))
            if len(text) < MIN_TITLE_LINK or self._in_noise(anchor) or _pager_text(anchor):
                continue
            url = absolute(attribute(anchor, "href"), self.url)
            if not url or not same_host(url, self.url) or self.is_duplicate_url(url) or is_document(url):
                continue  # (a "Văn bản mới" block of dated PDFs is no listing of articles)
            groups[_shape(anchor)].append(anchor)
        candidates = [anchor for anchors in groups.values() for anchor in anchors]
        best: list[Tag] = []
        best_score = 0.0
        for anchors in groups.values():
            urls = {absolute(attribute(a, "href"), self.url) for a in anchors}  # none None: kept above for theirs
            if len(anchors) > 1 and len(urls) == 1:
                continue  # one link repeated in every item: its category or tag, not an entry
            items = [_item_of(a, anchors, candidates) for a in anchors]
            in_section = sum(1 for u in urls if section and u and urlsplit(u).path.startswith(section)) / len(urls)
            dated = sum(1 for item in items if _find_date(item)) / len(items)
            rich = sum(1 for anchor, item in zip(anchors, items) if item.find("img") or _has_sapo(anchor, item)) / len(items)
            if len(urls) < MIN_GROUP and not (dated + rich >= 1 and (in_section == 1 or self.expect == "listing")):
                continue  # one or two links make a listing only on a listing's short last page
            # Links under the listing's own URL section weigh most: a sidebar of other
            # categories' news can be as long as a listing's last page. Items that show
            # nothing but a title (no date, no sapo, no picture) are a sidebar's "Tin mới" far
            # more often than a listing.
            score = len(urls) * (0.5 + 2 * in_section + 0.5 * dated + 0.5 * rich) * (BARE_WEIGHT if dated + rich == 0 else 1)
            if score > best_score:
                best, best_score = anchors, score
        best = self._with_featured(best, groups, candidates)
        entries: list[ListingEntry] = []
        seen: set[str] = set()
        for anchor in best:
            href = absolute(attribute(anchor, "href"), self.url)
            if href is None:  # not reached: a group's anchors were kept for their page URL
                continue
            url = self.clean_str_url(href)
            if url in seen:
                continue
            seen.add(url)
            title, raw = split_title_date(clean(anchor.get_text(" ")) or clean(attribute(anchor, "title")))
            raw = raw or _find_date(_item_of(anchor, best, candidates))
            entries.append(ListingEntry(url=url, title=title, published_at=parse_date(raw), published_raw=raw,
                                        href=href))
        return entries

    def _with_featured(self, best: list[Tag], groups: dict[tuple, list[Tag]], candidates: list[Tag]) -> list[Tag]:
        """``best`` plus the listing's other items in another markup: a featured first story
        (Joomla's "leading" item, a "hot news" box above the list) inside the element that holds
        the listing, dated or with a picture or sapo (bare title links there are "older news").
        In document order."""
        if len({anchor["href"] for anchor in best}) < 2:
            return best
        container = _common_ancestor(best)
        if container is None or container.name in ("body", "html", "form", "[document]"):
            return best
        chosen = {id(anchor) for anchor in best}
        for anchors in groups.values():
            if any(id(anchor) in chosen for anchor in anchors):
                continue
            if len(anchors) > 1 and len({anchor["href"] for anchor in anchors}) == 1:
                continue  # the category link of every item
            if not all(container in anchor.parents for anchor in anchors):
                continue
            for anchor in anchors:
                item = _item_of(anchor, anchors, candidates)
                if _find_date(item) or item.find("img") or _has_sapo(anchor, item):  # not a bare title link
                    chosen.add(id(anchor))
        return [anchor for anchor in container.find_all("a", href=True) if id(anchor) in chosen]

    def listing_category(self) -> str | None:
        """The breadcrumb's last item; else the first heading outside page chrome; else the name
        of a link to this very listing (its menu or sidebar entry); else the ``<title>`` before
        its " - Site name" suffix."""
        crumb = self.category()
        if crumb:
            return crumb
        for heading in self.soup.find_all(["h1", "h2"]):
            if not self._in_noise(heading) and heading.find("a") is None:  # a linked heading is an entry's title
                text = clean(heading.get_text(" "))
                if 2 <= len(text) <= 120:
                    return text
        here = _listing_key(self.url)
        for anchor in self.soup.find_all("a", href=True):
            text = clean(anchor.get_text(" "))
            if 2 <= len(text) <= 80 and not _pager_text(anchor) \
                    and _listing_key(absolute(attribute(anchor, "href"), self.url) or "") == here:
                return text
        title = clean(self.soup.title.get_text()) if self.soup.title else ""
        if " - " in title:
            return clean_or_none(title.split(" - ", 1)[0])
        return None


# --- module helpers --------------------------------------------------------------------------


def _classes(tag: Tag) -> str:
    return " ".join(tag.get("class") or []) + " " + (attribute(tag, "id") or "")


def _hidden(tag: Tag) -> bool:
    """Hidden from readers: ``hidden``/``d-none``-style classes or ``display:none``."""
    return bool(HIDDEN_CLASS.search(" ".join(tag.get("class") or []))) or bool(
        re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", attribute(tag, "style") or "", re.I)) \
        or tag.has_attr("hidden")


def _noisy(tag: Tag) -> bool:
    return bool(NOISE.search(_classes(tag)))


def _article_header(node: Tag, ancestors) -> bool:
    """``<article><header><h1>…``: an article's own header or footer, not the site's."""
    return (node.name in ("header", "footer") and not SITE_CHROME.search(_classes(node))
            and any(isinstance(up, Tag) and up.name in ("article", "main") for up in ancestors))


def _holds_chrome(node: Tag) -> bool:
    """``node`` contains page chrome: a menu, sidebar or footer block of three or more links."""
    return any((tag.name in ("nav", "aside", "header", "footer") or _noisy(tag)) and len(tag.find_all("a", limit=3)) >= 3
               for tag in node.find_all(True))


def _content_header(node: Tag) -> bool:
    """``<div class="page-header"><h2><a>Title</a></h2></div>`` (Joomla, Bootstrap, WordPress
    ``entry-header``): the heading wrapper of one article or listing item, not the site's header."""
    return (bool(CONTENT_HEADER.search(_classes(node))) and node.find(["h1", "h2", "h3", "h4"]) is not None
            and len(node.find_all("a")) <= 1)


def _own_paragraphs(node: Tag) -> list[str]:
    """Texts of ``node``'s direct paragraphs (``<p>`` children, leaf ``<div>`` children used as
    paragraphs, bare text runs), link text excluded."""
    texts: list[str] = []
    run: list[str] = []
    for child in node.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, PreformattedString):  # comments, CDATA, doctypes are not text
                run.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        if child.name in ("br",):
            run.append(" ")
        elif child.name in ("p", "blockquote") or (child.name == "div" and child.find(_BLOCKS) is None):
            texts.append(clean(child.get_text(" ")) if not child.find("a") else _text_without_links(child))
        elif child.name in ("span", "strong", "b", "em", "i", "font", "u"):
            run.append(child.get_text(" "))
    texts.append(clean("".join(run)))
    return [t for t in texts if t]


_BLOCKS = ["p", "div", "table", "ul", "ol", "section", "article", "h1", "h2", "h3", "h4", "blockquote"]


def _text_without_links(node: Tag) -> str:
    node = copy.copy(node)
    for anchor in node.find_all("a"):
        anchor.decompose()
    return clean(node.get_text(" "))


def _date_text(node: Tag) -> str:
    text = clean(node.get_text(" "))
    if parse_date(text):
        return text
    return clean(attribute(node, "datetime") or attribute(node, "content") or text)


def _innermost_date(node: Tag) -> Tag:
    """The smallest descendant of ``node`` that still shows the same date and time (so toolbar
    words around "Thứ 6, 21/03/2025 | 15:45" stay out of ``published_raw``)."""
    value = parse_date(clean(node.get_text(" ")))
    best, best_length = node, len(clean(node.get_text(" ")))
    for child in node.find_all(True):
        text = clean(child.get_text(" "))
        if text and len(text) < best_length and parse_date(text) == value:
            best, best_length = child, len(text)
    return best


def _before_body_end(node: Tag, body: Tag) -> bool:
    last = body.find_all(True)[-1] if body.find(True) else body
    return node is not last and last in node.find_all_next(True, limit=100000)


def _link_block(tag: Tag) -> bool:
    """A block of links inside the body (related stories, tags, next/previous, share bars): two
    or more links whose text is most of the block's text, and no image."""
    if tag.name not in ("div", "ul", "ol", "section", "table", "dl", "p") or tag.find("img") is not None:
        return False
    anchors = tag.find_all("a")
    if len(anchors) < 2:
        return False
    text = len(clean(tag.get_text(" ")))
    linked = sum(len(clean(a.get_text(" "))) for a in anchors)
    return text > 0 and linked >= LINK_DENSITY * text


def _is_related_heading(tag) -> bool:
    if not isinstance(tag, Tag) or tag.name not in ("h2", "h3", "h4", "h5", "div", "p", "span", "strong", "b"):
        return False
    if tag.find("a") is not None:  # first: a block holding links is no heading, and its text may be most of the page
        return False
    text = clean(tag.get_text(" "))
    return 0 < len(text) <= 40 and bool(RELATED_HEADINGS.search(text))


def _related_block(heading: Tag) -> list[Tag]:
    """The list(s) that follow a related-news heading (siblings of it or of its wrapper)."""
    node: Tag | None = heading
    for _ in range(3):
        if node is None:
            break
        for sibling in node.find_next_siblings():
            if not isinstance(sibling, Tag):
                continue
            if sibling.find("a", href=True) is not None or sibling.name == "a":
                return [sibling]
            if clean(sibling.get_text()):
                break
        node = node.parent
    return []


def _date_after(anchor: Tag) -> str | None:
    sibling = anchor.next_sibling
    for _ in range(3):
        if sibling is None:
            return None
        text = clean(sibling.get_text(" ") if isinstance(sibling, Tag) else str(sibling))
        if text:
            return text if parse_date(text) and len(text) <= 40 else None
        sibling = sibling.next_sibling
    return None


def _find_date(item: Tag) -> str | None:
    for text in item.find_all(string=True):
        value = clean(text)
        if 6 <= len(value) <= 60 and parse_date(value):
            return value
    for node in item.find_all(class_=DATE_CLASS):
        value = clean(node.get_text(" "))
        if value and len(value) <= 60 and parse_date(value):
            return value
    return None


def _shape(anchor: Tag) -> tuple:
    """The anchor's ancestor chain (tag and classes, 4 levels), the key of a repeated block."""
    chain = []
    for node in islice(anchor.parents, 4):
        if node.name in ("body", "html"):
            break
        chain.append((node.name, tuple(sorted(c for c in node.get("class") or []
                                              if not re.search(r"\d", c) and not POSITION_CLASS.search(c)))))
    return tuple(chain)


def _item_of(anchor: Tag, group: list[Tag], candidates: list[Tag]) -> Tag:
    """The largest ancestor of ``anchor`` that contains no link of its group to another page (a
    lone link's item ends where any other candidate link to another page begins)."""
    others = [a for a in group if a.get("href") != anchor.get("href")]
    if not others:
        others = [a for a in candidates if a.get("href") != anchor.get("href")]
    item = anchor
    for parent in anchor.parents:
        if not isinstance(parent, Tag) or parent.name in ("body", "html"):
            break
        if any(parent in o.parents for o in others):
            break
        item = parent
    return item


def _has_sapo(anchor: Tag, item: Tag) -> bool:
    """The listing item shows text besides its title link (a sapo)."""
    return len(clean(item.get_text(" "))) - len(clean(anchor.get_text(" "))) > 40


def _common_ancestor(tags: list[Tag]) -> Tag | None:
    """The deepest element that contains every tag of ``tags``."""
    first = [parent for parent in tags[0].parents if isinstance(parent, Tag)]
    for candidate in first:
        if all(candidate in tag.parents for tag in tags[1:]):
            return candidate
    return None


def _pager_text(anchor: Tag) -> bool:
    text = clean(anchor.get_text(" ")).lower()
    return bool(re.fullmatch(r"\d{1,4}|[»«›‹><]{1,2}|trang sau|trang trước|tiếp|sau|trước|next|prev|cuối|đầu|last|first", text))


def _page_param(key: str) -> bool:
    """A query key that numbers a listing's pages (``page``, ``PageIndex``, ``start``, Liferay's
    ``_<portlet>_cur``)."""
    key = key.lower()
    return key in PAGE_PARAMS or key.endswith("_cur")


def _page_params(url: str) -> list[str]:
    return [k for k, v in parse_qsl(urlsplit(url).query)
            if (_page_param(k) and v.isdigit()) or VALUE_PAGE_MARKER.search(v)]


def page_number(url: str) -> int:
    """The listing page number a URL carries (``?page=3``, ``PageIndex=3``, ``_cur=3``,
    ``start=20`` (an offset, still increasing), ``op=Cat/page-3``, ``/page-3``, ``/trang-3.html``,
    ``/currentpage/3``, ``/PageID/3``); 1 when it carries none."""
    for key, value in parse_qsl(urlsplit(url).query):
        if _page_param(key) and value.isdigit():
            return int(value)
        if match := VALUE_PAGE_MARKER.search(value):
            return int(match.group(1))
    marker = PAGE_MARKER.search(urlsplit(url).path)
    if marker:
        return int(re.findall(r"\d+", marker.group(0))[-1])
    return 1


def _listing_key(url: str) -> str:
    """The URL with its page marker (and a portlet's state parameters) removed: pages of one
    listing share it."""
    parts = urlsplit(url)
    path = PAGE_MARKER.sub("", parts.path)
    path = re.sub(r"\.(?:html?|aspx?|php)$|/$", "", path).lower()
    query = urlencode(sorted((k, VALUE_PAGE_MARKER.sub("", v)) for k, v in parse_qsl(parts.query)
                             if not _page_param(k) and not PORTLET_STATE.search(k)))
    return f"{parts.netloc.lower()}{path}?{query}"


def _section_of(url: str) -> str:
    """The URL path a listing's own articles are expected under (page marker and extension removed)."""
    path = PAGE_MARKER.sub("", urlsplit(url).path)
    path = re.sub(r"\.(?:html?|aspx?|php)$", "", path)
    return path.rstrip("/") + "/" if path.strip("/") else ""
