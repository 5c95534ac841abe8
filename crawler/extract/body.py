"""Article bodies: images with their captions, bylines, plain text and sanitized HTML.

:func:`extract_body` turns the body element of an article (a BeautifulSoup ``Tag``) into a
:class:`Body`. It works on a copy and never changes the page's tree.

Caption shapes recognised (docs/platforms.md §6):

* ``figure > img + figcaption`` (CKEditor, NukeViet 4 lead image);
* a table with the image in one row and the caption in the next row (FITC, many CKEditor pages);
* a paragraph right after the image's paragraph whose text is all italic (``em``/``i``), or which
  is centred and short: ``<p style="text-align:center"><em>caption</em></p>``, or which is a
  short line without final punctuation (a caption, not a sentence);
* NukeViet 3's lead-image note ``<p><em>note</em></p>`` inside the image's container;
* a ``figcaption`` or an element whose class says caption/credit whose image is not in the markup
  (a gallery a script fills in): not paired with an image, but never body text.

Bylines recognised among the last paragraphs of the body: "Tác giả: X" (author), "Nguồn: X" /
"Nguồn tin: X" (source), and a bare short right-aligned or all-bold last paragraph holding a
name ("Hoàng Nhi").
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import nh3
from bs4 import BeautifulSoup, Comment, NavigableString, PageElement, Tag

from ..items import Image
from .soup import attribute, page_soup, tear_down
from .text import clean, clean_or_none, nfc
from .urls import absolute

BLOCK_TAGS = frozenset(
    "p div section article aside header footer main nav li ul ol dl dt dd h1 h2 h3 h4 h5 h6 "
    "blockquote pre table thead tbody tfoot tr figure figcaption center address hr form".split()
)
DROP_TAGS = ("script", "style", "noscript", "template", "form", "button", "input", "select", "textarea")

#: Tags and attributes kept in ``body_html``; everything else is removed by nh3.
SAFE_TAGS = frozenset(
    "a abbr b blockquote br caption center cite code col colgroup dd del div dl dt em figcaption figure "
    "h1 h2 h3 h4 h5 h6 hr i img ins li ol p pre q s small span strong sub sup table tbody td tfoot th "
    "thead tr u ul".split()
)
SAFE_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "*": {"lang"},
}

#: "Tác giả: X", "Tác giả bài viết: X", "Bài và ảnh: X", "Tin, ảnh: X" → X.
AUTHOR_LINE = re.compile(r"^(?:tác\s*giả(?:\s*bài\s*viết)?|người\s*viết|(?:bài|tin)(?:\s*(?:,|và)\s*ảnh)?)\s*:\s*(?P<v>.+)$",
                         re.I)
#: "Nguồn: X", "Nguồn tin: X", "(Nguồn: X)", "(Theo X)" → X.
SOURCE_LINE = re.compile(r"^(?:nguồn(?:\s*tin)?\s*:\s*(?P<v>.+)|\(\s*(?:nguồn(?:\s*tin)?\s*:|theo)\s*(?P<p>[^()]+)\))$",
                         re.I)
#: One line holding both: "Lan Anh - Nguồn: X", "Tác giả: Kim Ngân Nguồn tin: X" → (author, source).
AUTHOR_AND_SOURCE_LINE = re.compile(
    r"^(?:(?:tác\s*giả(?:\s*bài\s*viết)?|người\s*viết)\s*:\s*)?(?P<a>[^:()]{2,40}?)\s*[-–|,]?\s*"
    r"\(?\s*nguồn(?:\s*tin)?\s*:\s*(?P<s>[^()]+?)\s*\)?$", re.I)
#: Class words of caption and photo-credit elements.
CAPTION_CLASS = re.compile(r"(?:^|[-_\s])(?:caption|credits?|photo-?credit|image-?credit|chu-?thich|wp-caption-text)"
                           r"(?:$|[-_\s])", re.I)
_RIGHT = re.compile(r"text-align\s*:\s*right", re.I)
_CENTER = re.compile(r"text-align\s*:\s*center", re.I)
_CAPTION_MARK = "data-na-caption"
_MAX_CAPTION = 400
_MAX_BYLINE = 60


@dataclass
class Body:
    """The parts of an article body. ``text`` and ``html`` exclude the byline lines."""

    text: str = ""  #: paragraphs, NFC, one blank line between them, no captions
    html: str = ""  #: sanitized HTML, images absolute, captions kept in place
    images: list[Image] = field(default_factory=list)
    author: str | None = None
    source: str | None = None


#: Characters a bold first paragraph needs to be read as the article's sapo.
MIN_BOLD_LEAD = 60


def soup_of(html: str | bytes) -> BeautifulSoup:
    """Parse a whole page with lxml (tolerant of broken markup); its CSS selectors are evaluated
    by lxml (:mod:`crawler.extract.soup`)."""
    return page_soup(html)


def extract_body(node: Tag, base_url: str, *, find_byline: bool = True) -> Body:
    """Split an article body element into text, sanitized HTML, images and byline."""
    node = copy.copy(node)
    try:
        _drop_noise(node)
        images = pair_images(node, base_url)
        _mark_stray_captions(node)
        author = source = None
        if find_byline:
            author, source = _take_byline(node)
        _absolutize(node, base_url)
        html = sanitize(node.decode_contents())
        return Body(text=text_of(node), html=html, images=images, author=author, source=source)
    finally:
        tear_down(node)


def split_bold_lead(body: Body) -> tuple[str | None, Body]:
    """A sapo written as the body's first paragraph, all of it bold (``<p><strong>Sáng 15/3, …
    </strong></p>``, the usual lead on portals whose editor has no sapo field): ``(lead, body
    without it)``. Only a sentence-long lead (:data:`MIN_BOLD_LEAD` characters) followed by more
    paragraphs counts; otherwise ``(None, body)``."""
    paragraphs = body.text.split("\n\n") if body.text else []
    if len(paragraphs) < 2 or len(paragraphs[0]) < MIN_BOLD_LEAD:
        return None, body
    fragment = BeautifulSoup(body.html, "lxml")
    first = next((tag for tag in (fragment.body or fragment).find_all(True, recursive=False)), None)
    if first is None or first.name not in ("p", "div") or clean(first.get_text(" ")) != paragraphs[0]:
        return None, body
    bold = " ".join(clean(b.get_text(" ")) for b in first.find_all(["strong", "b"]) if not b.find_parent(["strong", "b"]))
    if clean(bold) != paragraphs[0]:
        return None, body
    first.decompose()
    html = (fragment.body or fragment).decode_contents()
    return paragraphs[0], Body(text="\n\n".join(paragraphs[1:]), html=html, images=body.images,
                               author=body.author, source=body.source)


def pair_images(node: Tag, base_url: str) -> list[Image]:
    """Images under ``node`` in document order, each with its caption; caption elements get marked
    so :func:`text_of` leaves them out."""
    images = []
    for img in node.find_all("img"):
        src = absolute(attribute(img, "src") or attribute(img, "data-src") or attribute(img, "data-original"), base_url)
        if not src:
            continue
        caption_node = _caption_for(img, node)
        caption = None
        if caption_node is not None:
            caption = clean_or_none(caption_node.get_text(" "))
            caption_node[_CAPTION_MARK] = "1"
        images.append(Image(src=src, caption=caption, alt=clean_or_none(attribute(img, "alt"))))
    return images


def text_of(node: Tag) -> str:
    """Paragraph text of ``node``: block elements become paragraphs joined by a blank line,
    whitespace collapses inside a paragraph, two ``<br>`` in a row break a paragraph, caption
    elements are skipped."""
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = clean("".join(current))
        if text:
            paragraphs.append(text)
        current.clear()

    def walk(tag: Tag) -> None:
        previous_br = False
        for child in tag.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                current.append(str(child))
                if str(child).strip():
                    previous_br = False
                continue
            if not isinstance(child, Tag) or child.has_attr(_CAPTION_MARK):
                continue
            if child.name == "br":
                if previous_br:
                    flush()
                current.append(" ")
                previous_br = True
                continue
            previous_br = False
            if child.name in BLOCK_TAGS:
                flush()
                walk(child)
                flush()
            else:
                if child.name in ("td", "th"):
                    current.append(" ")
                walk(child)

    walk(node)
    flush()
    return "\n\n".join(paragraphs)


def sanitize(html: str) -> str:
    """Sanitize body HTML with nh3: safe tags only, no scripts, no event handlers, only
    ``http``/``https``/``mailto`` links."""
    cleaned = nh3.clean(
        html,
        tags=set(SAFE_TAGS),
        attributes={k: set(v) for k, v in SAFE_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return nfc(cleaned.strip())


# --- internals -------------------------------------------------------------------------------


def _mark_stray_captions(node: Tag) -> None:
    """Captions whose image is not in the markup (galleries filled in by scripts, lazy images):
    ``figcaption`` and elements whose class says caption/credit are captions, not body text."""
    for tag in node.find_all(True):
        if tag.has_attr(_CAPTION_MARK) or tag.find("img") is not None:
            continue
        if tag.name == "figcaption" or CAPTION_CLASS.search(" ".join(tag.get("class") or [])):
            tag[_CAPTION_MARK] = "1"


def _drop_noise(node: Tag) -> None:
    for tag in node.find_all(DROP_TAGS):
        tag.decompose()
    for comment in [string for string in node.descendants if isinstance(string, Comment)]:
        comment.extract()


def _caption_for(img: Tag, root: Tag) -> Tag | None:
    figure = img.find_parent("figure")
    if figure is not None and _inside(figure, root):
        caption = figure.find("figcaption")
        return caption if caption is not None and clean(caption.get_text()) else None
    row = img.find_parent("tr")
    if row is not None and _inside(row, root):
        caption = _table_caption(img, row)
        if caption is not None:
            return caption
    holder = _image_holder(img, root)
    candidate = _next_element(holder)
    if candidate is not None and candidate.name in ("p", "div", "em", "i", "span") and _looks_like_caption(candidate):
        return candidate
    inner = holder.find_all(["em", "i"]) if holder is not img else []
    for em in inner:  # NukeViet 3 lead image: <div id="imghome"><a><img></a><p><em>note</em></p></div>
        if em.find("img") is None and _short_text(em):
            return em.find_parent("p") or em
    return _caption_in_same_block(holder, root)


def _table_caption(img: Tag, row: Tag) -> Tag | None:
    """An image in a layout table: the table's ``<caption>``; else the next row with text and no
    image (the caption row; with as many cells as the image row, the cell under the image); else,
    in a table of an image row and one text row, the row above."""
    table = row.find_parent("table")
    if table is None:
        return None
    caption = table.find("caption")
    if caption is not None and caption.find_parent("table") is table and _short_text(caption):
        return caption
    rows = [r for r in table.find_all("tr") if r.find_parent("table") is table
            and (clean(r.get_text()) or r.find("img") is not None)]
    if row not in rows:
        return None
    index = rows.index(row)
    neighbours = rows[index + 1:index + 2] or (rows[index - 1:index] if len(rows) == 2 and index == 1 else [])
    for other in neighbours:
        if other.find("img") is None and _short_text(other):
            return _cell_under(img, row, other)
    return None


def _cell_under(img: Tag, row: Tag, caption_row: Tag) -> Tag:
    """The cell of ``caption_row`` in the column of ``img`` when both rows have the same cells."""
    cells = [c for c in row.find_all(["td", "th"]) if c.find_parent("tr") is row]
    captions = [c for c in caption_row.find_all(["td", "th"]) if c.find_parent("tr") is caption_row]
    cell = img.find_parent(["td", "th"])
    if len(cells) > 1 and len(cells) == len(captions) and cell in cells:
        chosen = captions[cells.index(cell)]
        return chosen if clean(chosen.get_text()) else caption_row
    return caption_row


def _caption_in_same_block(holder: Tag, root: Tag) -> Tag | None:
    """``<p><img><br><em>caption</em></p>``: the text after the image and a line break, inside
    the image's own paragraph (or cell), when it reads as a caption (all italic; or centred and
    short; or a short line without final punctuation) and nothing but the image comes before it.
    The trailing nodes are wrapped in a ``<span>`` so they can be marked as the caption."""
    parent = holder.parent
    if parent is None or parent is root or parent.name not in ("p", "div", "td", "th", "center", "span", "font"):
        return None
    if any(_has_text(node) for node in holder.previous_siblings):
        return None
    trailing = list(holder.next_siblings)
    line_break = False
    while trailing and (not _has_text(trailing[0]) or getattr(trailing[0], "name", None) == "br"):
        line_break = line_break or getattr(trailing[0], "name", None) == "br"
        if isinstance(trailing[0], Tag) and trailing[0].name not in ("br",) and trailing[0].find("img") is not None:
            return None
        trailing.pop(0)
    if not line_break or not trailing:
        return None
    if any(isinstance(node, Tag) and (node.name in BLOCK_TAGS or node.name == "img" or node.find("img") is not None)
           for node in trailing):
        return None
    wrapper = BeautifulSoup("", "lxml").new_tag("span")
    trailing[0].insert_before(wrapper)
    for node in trailing:
        wrapper.append(node.extract())
    text = clean(wrapper.get_text(" "))
    if _short_text(wrapper) and not AUTHOR_LINE.match(text) and not SOURCE_LINE.match(text) and (
            _all_text_inside(wrapper, ("em", "i")) or (_is_centered(parent) and len(text) <= 200)
            or (len(text) <= 160 and not text.endswith((".", "!", "?", ":", ";", "…", ",")))):
        return wrapper
    wrapper.unwrap()
    return None


def _has_text(node) -> bool:
    if isinstance(node, Comment):
        return False
    if isinstance(node, NavigableString):
        return bool(str(node).strip())
    return isinstance(node, Tag) and bool(clean(node.get_text()))


def _image_holder(img: Tag, root: Tag) -> Tag:
    """The largest ancestor of ``img`` below ``root`` whose only content is images."""
    holder: Tag = img
    parent = img.parent
    while parent is not None and parent is not root and isinstance(parent, Tag):
        if clean(parent.get_text()) or len(parent.find_all("img")) > 1:
            break
        holder = parent
        parent = parent.parent
    return holder


def _next_element(tag: Tag) -> Tag | None:
    for sibling in tag.next_siblings:
        if isinstance(sibling, Tag):
            return sibling
        if isinstance(sibling, NavigableString) and str(sibling).strip():
            return None
    return None


def _looks_like_caption(tag: Tag) -> bool:
    if tag.find("img") is not None or not _short_text(tag):
        return False
    if tag.name in ("em", "i"):
        return True
    text = clean(tag.get_text(" "))
    if AUTHOR_LINE.match(text) or SOURCE_LINE.match(text):
        return False  # "Nguồn: Báo Lai Châu" after an image is a byline, however it is styled
    if _all_text_inside(tag, ("em", "i")) or (_is_centered(tag) and len(text) <= 200):
        return True
    # A short line right after an image that is not a sentence (no final punctuation) is its caption.
    return len(text) <= 160 and not text.endswith((".", "!", "?", ":", ";", "…", ","))


def _short_text(tag: Tag) -> bool:
    text = clean(tag.get_text(" "))
    return 0 < len(text) <= _MAX_CAPTION


def _all_text_inside(tag: Tag, names: tuple[str, ...]) -> bool:
    """True when every non-blank text node of ``tag`` sits inside one of ``names``."""
    texts = [s for s in tag.find_all(string=True) if s.strip() and not isinstance(s, Comment)]
    return bool(texts) and all((parent := s.find_parent(names)) is not None and _inside(parent, tag) for s in texts)


def _is_centered(tag: Tag) -> bool:
    return bool(_CENTER.search(attribute(tag, "style") or "")) or (attribute(tag, "align") or "").lower() == "center" \
        or tag.name == "center"


def _is_right(tag: Tag) -> bool:
    classes: str | list[str] = tag.get("class") or []
    return bool(_RIGHT.search(attribute(tag, "style") or "")) or (attribute(tag, "align") or "").lower() == "right" \
        or "text-right" in classes


def _inside(tag: Tag, root: Tag) -> bool:
    return tag is root or any(parent is root for parent in tag.parents)


def byline_of(text: str) -> tuple[str | None, str | None] | None:
    """``(author, source)`` of a byline line ("Tác giả: X", "Nguồn: Y", "(Theo Y)", "X - Nguồn: Y";
    either may be ``None``), or ``None`` when ``text`` is not one."""
    if match := SOURCE_LINE.match(text):
        return None, clean(match["v"] or match["p"])
    if (match := AUTHOR_AND_SOURCE_LINE.match(text)) and len(match["a"].split()) <= 6 and \
            all(word[:1].isupper() for word in match["a"].split()):
        return clean(match["a"]), clean(match["s"])
    if match := AUTHOR_LINE.match(text):
        return clean(match["v"]), None
    return None


def _take_byline(node: Tag) -> tuple[str | None, str | None]:
    """Find and remove the author/source lines among the last three text blocks of the body."""
    author = source = None
    for block in _last_text_blocks(node, 3):
        text = clean(block.get_text(" "))
        line = byline_of(text)
        if line is not None and (line[0] is None or author is None) and (line[1] is None or source is None):
            author, source = line[0] or author, line[1] or source
            block.decompose()
        elif author is None and _is_bare_name(block, text):
            author = text
            block.decompose()
        else:
            break
    return author, source


#: The elements a byline can be (:func:`_last_text_blocks`).
_TEXT_BLOCKS = frozenset(["p", "div", "h4", "h5", "h6"])


def _last_text_blocks(node: Tag, count: int) -> list[Tag]:
    """The last ``count`` leaf text blocks of ``node``, last first (captions excluded)."""
    blocks = []
    for tag in _tags_backwards(node):
        if tag.name not in _TEXT_BLOCKS:
            continue
        if tag.find(["p", "div"]) is not None or tag.has_attr(_CAPTION_MARK) or tag.find("img") is not None:
            continue
        if not clean(tag.get_text()):
            continue
        blocks.append(tag)
        if len(blocks) == count:
            break
    return blocks


def _tags_backwards(node: Tag) -> Iterator[Tag]:
    """The tags inside ``node``, last first (document order backwards, from its last
    descendant): its end looked at without a walk of all of it."""
    element: PageElement | None = node
    while isinstance(element, Tag) and element.contents:
        element = element.contents[-1]
    while element is not node and element is not None:
        if isinstance(element, Tag):
            yield element
        element = element.previous_element


def _is_bare_name(block: Tag, text: str) -> bool:
    """A short line that is right-aligned, or entirely bold, and reads like a personal name."""
    if not 0 < len(text) <= _MAX_BYLINE or len(text.split()) > 6 or text.endswith((".", "?", "!")):
        return False
    if ":" in text or any(ch.isdigit() for ch in text):  # "Ảnh: Minh Hà", "Hà Giang, ngày 24/12/2020"
        return False
    right = _is_right(block) or any(_is_right(p) for p in block.parents if isinstance(p, Tag) and p.name == "p")
    bold = _all_text_inside(block, ("strong", "b"))
    return right or (bold and all(word[:1].isupper() for word in text.split()))


def _absolutize(node: Tag, base_url: str) -> None:
    for tag in node.find_all(["a", "img"]):
        attr = "href" if tag.name == "a" else "src"
        if tag.name == "img" and not tag.get("src"):
            lazy = tag.get("data-src") or tag.get("data-original")
            if lazy:
                tag["src"] = lazy
        value = attribute(tag, attr)
        if value is None:
            continue
        url = absolute(value, base_url)
        if url is None:
            del tag[attr]
        else:
            tag[attr] = url
