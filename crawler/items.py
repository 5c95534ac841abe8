"""The contract between page objects, the spider and the store.

Plain dataclasses, no Scrapy. Formats:

* URLs are absolute ``http(s)`` URLs; ``Article.url`` is canonical (:func:`crawler.extract.urls.canonical`).
  A link has two forms: ``url``, its identity in the archive (the platform's ``clean_url``: portlet
  state, session ids and page-1 markers dropped), used to store and de-duplicate; and ``href``, the
  target exactly as the page links it (resolved against the page), the only form ever requested:
  a portal may answer nothing but the URLs it writes.
* ``extracted_by`` maps each extracted field to the page-object class that produced it (the
  platform's, or ``GenericPage`` where the fallback cascade filled a field in).
* Text is NFC with whitespace collapsed (:func:`crawler.extract.text.clean`); absent values are
  ``None``, never ``""``.
* ``*_at`` values are ISO 8601: ``YYYY-MM-DDTHH:MM:SS+07:00``, or ``YYYY-MM-DD`` when the page
  gives no time (:func:`crawler.extract.dates.parse_date`); each has a ``*_raw`` twin holding the
  text exactly as the page showed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Image:
    """An image in the article (lead image first, then body images in document order)."""

    src: str  #: absolute URL of the image file
    caption: str | None = None  #: caption text (figcaption, caption paragraph/row, NukeViet note)
    alt: str | None = None  #: the ``alt`` attribute, when not empty


@dataclass
class RelatedLink:
    """An item of the article's "Tin khác" / "Các tin khác" / "Những tin cũ hơn" list."""

    url: str  #: canonical URL of the related article (its identity, as ``Article.url``)
    title: str  #: link text, without the trailing "(date)"
    published_at: str | None = None  #: date shown next to the link, parsed
    published_raw: str | None = None  #: date shown next to the link, as shown, e.g. "(23/12/2020 09:04)"
    href: str | None = None  #: the link as written on the page (absolute); ``None``: same as ``url``


@dataclass
class Article:
    """One news article page."""

    url: str  #: canonical URL (rel=canonical when the page gives one, else the fetched URL)
    platform: str  #: platform slug of the page object that parsed it, e.g. "nukeviet"
    title: str  #: headline
    category: str | None = None  #: category name as shown (breadcrumb), e.g. "Tin hoạt động cụm, khối thi đua"
    summary: str | None = None  #: sapo / lead paragraph shown before the body
    author: str | None = None  #: byline ("Hoàng Nhi"), from "Tác giả: X" or a bare right-aligned last line
    source: str | None = None  #: from "Nguồn: X" / "Nguồn tin: X"
    published_at: str | None = None  #: publication time under the title (never the header's "today")
    published_raw: str | None = None  #: that time exactly as shown
    body_text: str = ""  #: paragraphs joined by one blank line; no captions, byline, toolbar or related list
    body_html: str = ""  #: the body, sanitized (nh3): no script, no event handlers, no javascript: URLs
    images: list[Image] = field(default_factory=list)
    related_links: list[RelatedLink] = field(default_factory=list)
    site_name: str | None = None  #: the portal's own name (og:site_name or the title suffix)
    #: field name → page-object class that produced it, e.g. {"title": "NukeViet4", "published_at": "GenericPage"}
    extracted_by: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """What ``dataclasses.asdict`` gives (images and related links as dicts, every list and
        dict a copy), without its deep copy of each string: the store asks it of every article."""
        found = {name: getattr(self, name) for name in _ARTICLE_FIELDS}
        found["images"] = [{name: getattr(image, name) for name in _IMAGE_FIELDS} for image in self.images]
        found["related_links"] = [{name: getattr(link, name) for name in _RELATED_FIELDS}
                                  for link in self.related_links]
        found["extracted_by"] = dict(self.extracted_by)
        return found


_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))
_IMAGE_FIELDS = tuple(f.name for f in fields(Image))
_RELATED_FIELDS = tuple(f.name for f in fields(RelatedLink))


@dataclass
class ListingEntry:
    """An article link on a category listing page."""

    url: str  #: identity (the platform's clean form of ``href``)
    title: str
    published_at: str | None = None
    published_raw: str | None = None
    href: str | None = None  #: the link as written on the page (absolute); ``None``: same as ``url``


@dataclass
class PageLink:
    """A link to another page of the same listing."""

    url: str  #: identity (the platform's clean form of ``href``)
    href: str  #: the link as written on the page (absolute): what is requested


@dataclass
class Listing:
    """A category listing page: its article links and its pagination."""

    url: str
    platform: str
    category: str | None = None  #: category name as shown
    entries: list[ListingEntry] = field(default_factory=list)
    page_links: list[PageLink] = field(default_factory=list)  #: other pages of the same listing
    unsupported_pagination: str | None = None  #: why further pages can't be reached, e.g. "__doPostBack pager"
    site_name: str | None = None
    #: "entries" / "page_links" / "category" → page-object class that produced it
    extracted_by: dict[str, str] = field(default_factory=dict)


@dataclass
class NotArticle:
    """A page that is neither an article nor a listing, or a duplicate view (print, save) of one."""

    url: str
    platform: str
    reason: str  #: human-readable, e.g. "print view of <canonical url>"
    canonical_url: str | None = None  #: the page this one duplicates, when known


@dataclass
class Snapshot:
    """One fetched HTTP response, kept so a later extractor can re-parse without refetching."""

    url: str  #: the page's identity: the article's canonical URL, else the URL as requested
    fetched_at: str  #: ISO 8601, +07:00
    status: int
    headers: dict[str, str]
    body: bytes
    requested_url: str | None = None  #: the URL exactly as requested (as the portal linked it)
    kind: str = "article"  #: "article", "listing" (a listing page), "robots" or "page" (read, not an article)


@dataclass
class MediaFile:
    """An image or attachment of an archived article: fetched (``body``), or already in the
    archive (``body`` is ``None``: only the article's link to it is recorded)."""

    url: str  #: as the article links it (absolute)
    article_url: str  #: the article's canonical URL
    role: str  #: "image" or "attachment"
    title: str | None = None  #: an attachment's link text
    position: int = 0  #: its place among the article's media of that role
    status: int | None = None
    content_type: str | None = None
    body: bytes | None = None
    fetched_at: str | None = None


@dataclass
class ArchivedPage:
    """What the spider hands the pipeline for each fetched article page."""

    snapshot: Snapshot
    article: Article | None  #: ``None`` when the page did not parse as an article
    host: str  #: host[:port] of the page (the pipeline maps it to a portal slug via the registry)
    note: str | None = None  #: why ``article`` is ``None``
    start_url: str | None = None  #: the start URL whose crawl reached this page (for the per-start-URL yield)
    #: other URLs (identities, canonical) the article was linked or fetched under
    aliases: list[str] = field(default_factory=list)
    #: what the pipeline made of it: ``"new"``, ``"updated"``, ``"unchanged"`` (set by the pipeline)
    outcome: str | None = None


@dataclass
class ArticleCheck:
    """The answer to a recheck of an archived article that brings no version of it: 304 Not
    Modified, or gone (404, 410, a redirect to the home page or to a listing)."""

    url: str  #: the archived article's canonical URL
    checked_at: str  #: ISO 8601, +07:00
    status: int  #: HTTP status of the (final) response
    outcome: str  #: ``"not_modified"`` or ``"taken_down"``
    reason: str | None = None  #: for a take-down, e.g. "HTTP 404", "redirected to the home page http://…/"
    start_url: str | None = None


@dataclass
class ListingWalk:
    """How far the walk of one start URL's listing has got in this crawl (sent after every
    listing page, so that a killed crawl leaves it)."""

    start_url: str
    pages_read: int  #: listing pages read, counting the depth an interrupted earlier walk reached
    #: the walk read its last page (sent by the workers of a crawl fleet, which see no crawl's end)
    complete: bool = False


@dataclass
class PageFailure:
    """A page that could not be fetched or read, with the reason in one line ("HTTP 500",
    "redirected off the portal to …", "over the 8 MB page limit", "not a web page …")."""

    url: str  #: the URL as requested (the first of a redirect chain)
    reason: str
    kind: str  #: ``"article"`` or ``"listing"``
    start_url: str | None = None


@dataclass
class WorkerReport:
    """What one worker of a crawl fleet saw of the portals' health and walks (sent when it stops),
    for the writer to merge: the counterpart of a lone crawl's own report."""

    run_id: int  #: the fleet's run it worked on
    worker: str  #: ``host:pid``
    requests: dict[str, int] = field(default_factory=dict)  #: host → requests answered or failed
    failures: dict[str, int] = field(default_factory=dict)  #: host → failed ones
    start_failures: dict[str, str] = field(default_factory=dict)  #: start URL → why it could not be read
    #: start URL → {"listing_pages", "already_archived", "listing_producers": {label: pages}}
    listings: dict[str, dict] = field(default_factory=dict)
