"""URLs: absolutising links, canonical forms, scope checks.

* :func:`absolute` joins an ``href`` to the page URL and returns ``None`` for links that are not
  pages (``javascript:``, ``mailto:``, ``tel:``, ``data:``, bare ``#`` anchors, empty).
* :func:`canonical` is the archive's identity for a page: absolute ``http(s)`` URL, lower-case
  scheme and host, default port dropped, fragment dropped, query arguments sorted, unsafe
  characters percent-encoded (w3lib's ``canonicalize_url``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from w3lib.url import canonicalize_url, safe_url_string

_NOT_PAGES = ("javascript:", "mailto:", "tel:", "data:", "about:", "sms:", "callto:")


#: File types a news link may point at that are never a page: documents, archives, media.
DOCUMENT_EXTENSIONS = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|odt|ods|rtf|zip|rar|7z|gz|jpe?g|png|gif|webp|bmp|tiff?|"
                                 r"mp3|mp4|avi|wmv|flv|mov)$", re.I)


def is_document(url: str) -> bool:
    """True when ``url``'s path names a file download (``/Attachments/58/KH-15.pdf``), not a page."""
    return bool(DOCUMENT_EXTENSIONS.search(urlsplit(url).path))


def absolute(href: str | None, base_url: str) -> str | None:
    """``href`` resolved against ``base_url``, or ``None`` when it does not point to a web page."""
    if not href:
        return None
    href = href.strip()
    lowered = href.lower().replace(" ", "")
    if not href or href.startswith("#") or lowered.startswith(_NOT_PAGES):
        return None
    url = urljoin(base_url, href)
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return safe_url_string(url.split("#", 1)[0])


#: URLs whose canonical form is kept: a crawl asks for the same few again and again (a listing's
#: links, then their requests, responses and items), about 30 times a page, within the few dozen
#: pages queued at a time. Kept small: every parser process holds one too.
CANONICAL_CACHE = 2048


@lru_cache(maxsize=CANONICAL_CACHE)
def canonical(url: str) -> str:
    """The canonical form of an absolute URL (see the module docstring)."""
    parts = urlsplit(canonicalize_url(url, keep_fragments=False))
    netloc = parts.netloc
    if (parts.scheme, parts.port) in (("http", 80), ("https", 443)):
        netloc = netloc.rsplit(":", 1)[0]
    return parts._replace(netloc=netloc).geturl()


def host_of(url: str) -> str:
    """``host[:port]`` of ``url``, lower-cased, default port dropped (``https://a:443/`` → ``a``);
    the unit of "never leave the host"."""
    parts = urlsplit(url)
    netloc = parts.netloc.lower().rsplit("@", 1)[-1]
    if (parts.scheme, parts.port) in (("http", 80), ("https", 443)):
        netloc = netloc.rsplit(":", 1)[0]
    return netloc


def same_host(url: str, other: str) -> bool:
    """True when both URLs are on the same ``host[:port]``."""
    return host_of(url) == host_of(other)
