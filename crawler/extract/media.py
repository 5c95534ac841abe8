"""An article's media: its images and the files it attaches (decisions, award lists).

Pure (no network): which URLs of an article are its media. An attachment is a link in the body
whose path ends in one of :data:`ATTACHMENT_EXTENSIONS` ("File đính kèm": PDF, Word, Excel,
archives); images are the article's ``images`` (the page objects find them, captions included).
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from .urls import absolute

#: File types that portals attach to news (case-insensitive, on the URL's path).
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".rtf", ".zip",
                         ".rar", ".7z")


def is_attachment(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(ATTACHMENT_EXTENSIONS)


def attachment_links(body_html: str | None, page_url: str) -> list[tuple[str, str]]:
    """``(absolute URL, title)`` of each attachment linked from the body, in order, once each;
    the title is the link's text, else the file name."""
    found: dict[str, str] = {}
    for link in BeautifulSoup(body_html or "", "lxml").find_all("a", href=True):
        url = absolute(link["href"], page_url)
        if not url or not url.startswith(("http://", "https://")) or not is_attachment(url) or url in found:
            continue
        text = " ".join(link.get_text(" ").split())
        found[url] = text or unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return list(found.items())
