"""An article's media: its images and the files it attaches (decisions, award lists).

Pure (no network): which URLs of an article are its media. An attachment is a link whose path
ends in one of :data:`ATTACHMENT_EXTENSIONS` (PDF, Word, Excel, archives), in the body or in the
page's attachment list (an element within four levels of the link saying "đính kèm":
"File đính kèm", "Tệp đính kèm", "Văn bản đính kèm"; a sidebar of documents does not say so);
images are the article's ``images`` (the page objects find them, captions included).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from itertools import islice
from typing import TypeGuard
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Tag

from .soup import attribute
from .urls import absolute

#: File types that portals attach to news (case-insensitive, on the URL's path).
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".rtf", ".zip",
                         ".rar", ".7z")


#: What an attachment list says about itself (with or without marks).
ATTACHMENT_LIST = re.compile(r"đính\s*kèm|dinh\s*kem", re.I)


#: Any of them, in any case: one pass over a page (13 passes over its lower-cased copy before).
_MENTIONED = re.compile("|".join(re.escape(extension) for extension in ATTACHMENT_EXTENSIONS), re.I)


def _may_link_attachments(html: str | None) -> TypeGuard[str]:
    """Whether ``html`` mentions an attachment file type at all (a substring test, before parsing)."""
    return html is not None and _MENTIONED.search(html) is not None


def is_attachment(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(ATTACHMENT_EXTENSIONS)


def _attachment_anchors(html_text: str, page_url: str) -> Iterator[tuple[str, Tag]]:
    """``(absolute http(s) URL, <a> tag)`` of each link in ``html_text`` to an attachment file."""
    for link in BeautifulSoup(html_text, "lxml").find_all("a", href=True):
        url = absolute(attribute(link, "href"), page_url)
        if url and url.startswith(("http://", "https://")) and is_attachment(url):
            yield url, link


def attachment_links(body_html: str | None, page_url: str) -> list[tuple[str, str]]:
    """``(absolute URL, title)`` of each attachment linked from the body, in order, once each;
    the title is the link's text, else the file name."""
    if not _may_link_attachments(body_html):
        return []
    found: dict[str, str] = {}
    for url, link in _attachment_anchors(body_html, page_url):
        if url in found:
            continue
        text = " ".join(link.get_text(" ").split())
        found[url] = text or unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return list(found.items())


def listed_attachments(page_html: str | None, page_url: str) -> list[tuple[str, str]]:
    """``(absolute URL, title)`` of each attachment in the page's attachment list (see the module
    docstring), in order, once each. The page is parsed (a second time) only when it says
    "đính kèm" and names an attachment file: most pages cost two substring searches."""
    if not (_may_link_attachments(page_html) and ATTACHMENT_LIST.search(html.unescape(page_html))):
        return []
    found: dict[str, str] = {}
    for url, link in _attachment_anchors(page_html, page_url):
        if url in found:
            continue
        for container in islice(link.parents, 4):
            if container.name in ("body", "html"):
                break
            if ATTACHMENT_LIST.search(container.get_text(" ")[:3000]):
                text = " ".join(link.get_text(" ").split())
                found[url] = text or unquote(urlsplit(url).path.rsplit("/", 1)[-1])
                break
    return list(found.items())


def article_attachments(body_html: str | None, page_html: str | None, page_url: str) -> list[tuple[str, str]]:
    """``(absolute URL, title)`` of each attachment of an article: those its body links, in order,
    then those of the page's attachment list that the body does not link."""
    found = dict(attachment_links(body_html, page_url))
    found.update({url: title for url, title in listed_attachments(page_html, page_url) if url not in found})
    return list(found.items())
