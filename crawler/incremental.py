"""What a crawl already has: the archive's view the spider decides with (no Scrapy here).

A nightly crawl costs only what changed:

* a listing is walked one page at a time, from its first page, and paging stops at the first
  page whose every entry is already archived (:meth:`ArchiveView.is_fresh` says which entries
  are not), unless an earlier walk of that start URL was interrupted deeper than that
  (:meth:`ArchiveView.resume_depth`);
* archived articles are fetched again only when due (:meth:`ArchiveView.rechecks`: the recheck
  window and the rotation, see :func:`archive.store.articles_to_recheck`), with
  ``If-None-Match`` / ``If-Modified-Since`` from their last response (:func:`conditional_headers`).

Reads go through :mod:`archive.store` on a connection of its own; the pipeline writes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from typing import Protocol
from urllib.parse import urlsplit

from archive import store

from .extract.dates import VN_TZ
from .extract.urls import canonical
from .items import PageLink
from .pages.generic import page_number

#: URL paths of a portal's home page (a take-down often redirects there), lower case, without a
#: trailing slash.
HOME_PATHS = {"", "/index.php", "/index.html", "/index.htm", "/index.aspx", "/default.aspx", "/home", "/trang-chu",
              "/trangchu.aspx", "/portal", "/portal/pages/default.aspx", "/vi"}


class Seen(Protocol):
    """Canonical URLs already seen: a set, a :class:`crawler.urlkeys.UrlSet`, a fleet's view."""

    def __contains__(self, url: str, /) -> bool: ...


def next_page(current_url: str, links: list[PageLink], seen: Seen) -> PageLink | None:
    """The listing page after ``current_url`` among its pager ``links``: of those not ``seen``
    (canonical identities), the one with the smallest page number above the current page's (the
    number in ``page-N``, ``?page=N``, ``_cur=N``, ``/trang-N``…, see
    :func:`crawler.pages.generic.page_number`), else the first in the page's order."""
    unseen = [link for link in links if canonical(link.url) not in seen]
    if not unseen:
        return None
    here = page_number(current_url)
    later = [(page_number(link.url), position) for position, link in enumerate(unseen)
             if page_number(link.url) > here]
    return unseen[min(later)[1]] if later else unseen[0]


def is_home_page(url: str) -> bool:
    """Whether ``url`` is a portal's home page (``/``, ``/index.php``, ``/portal/`` …)."""
    parts = urlsplit(url)
    return parts.path.lower().rstrip("/") in HOME_PATHS and not parts.query


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """Request headers that let a portal answer 304 Not Modified."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def newer(shown: str | None, than: str | None) -> bool:
    """Whether the date ``shown`` (ISO 8601, maybe without a time) is after ``than``: by the
    full timestamp when both have a time, else by the day."""
    if not shown or not than:
        return bool(shown) and not than
    if "T" in shown and "T" in than:
        return shown > than
    return shown[:10] > than[:10]


def archived_row(known: dict[str, dict], identity: str, href: str | None) -> dict | None:
    """The archived article a link (``identity``, ``href``) names, among ``known`` (the result of
    :meth:`ArchiveView.known`), under any of its forms; ``None`` when it is not archived."""
    for url in dict.fromkeys((identity, href, canonical(identity), canonical(href or identity))):
        if url in known:
            return known[url]
    return None


class ArchiveView:
    """The archive as the crawl of ``hosts`` sees it (read-only use of ``archive.store``)."""

    def __init__(self, db_path: str, hosts: Iterable[str]):
        self.db = store.open_db(db_path)
        self.hosts = sorted(set(hosts))
        self.newest = store.newest_published(self.db, self.hosts)

    def known(self, urls: Iterable[str]) -> dict[str, dict]:
        """Archived articles among ``urls`` (identities or links as written): ``{url: row}``
        (see :func:`archive.store.known_articles`)."""
        urls = list(urls)
        return store.known_articles(self.db, urls + [canonical(u) for u in urls])

    def known_media(self, urls: Iterable[str], retry_failed: bool = False) -> set[str]:
        """Images and attachments among ``urls`` not to fetch again: archived, or answered with an
        HTTP error before (unless ``retry_failed``)."""
        return store.known_media(self.db, urls, retry_failed=retry_failed)

    def is_fresh(self, identity: str, href: str | None, shown_date: str | None, known: dict[str, dict]) -> bool:
        """Whether a listing entry is news: not archived under ``identity``/``href``, or shown
        with a date after the newest archived publication date of these hosts."""
        return newer(shown_date, self.newest) or archived_row(known, identity, href) is None

    def resume_depth(self, start_urls: Iterable[str]) -> dict[str, int]:
        """Per start URL, the listing pages an interrupted earlier walk had read (0 when the
        latest walk completed): a walk does not stop before that depth."""
        walks = store.listing_walks(self.db, start_urls)
        return {url: 0 if walk["complete"] else walk["pages_read"] or 0 for url, walk in walks.items()}

    def rechecks(self, *, recheck_days: float, rotation_days: float, everything: bool,
                 now: dt.datetime | None = None) -> list[dict]:
        """Archived articles due for a conditional recheck (see
        :func:`archive.store.articles_to_recheck`)."""
        now = now or dt.datetime.now(VN_TZ)
        since = (now - dt.timedelta(days=recheck_days)).date().isoformat() if recheck_days > 0 else None
        before = (now - dt.timedelta(days=rotation_days)).isoformat(timespec="seconds") if rotation_days > 0 else None
        return store.articles_to_recheck(self.db, self.hosts, published_since=since, checked_before=before,
                                         rotation_days=rotation_days, everything=everything)

    def failures_to_retry(self) -> list[dict]:
        """Article pages of these hosts that failed in earlier crawls and are still failing
        (see :func:`archive.store.failures_to_retry`)."""
        return store.failures_to_retry(self.db, self.hosts)

    def close(self) -> None:
        self.db.close()


class FrontierView(ArchiveView):
    """The same view for a worker of a crawl fleet: the archive's state as the writer published
    it in the frontier (:mod:`crawler.frontier`), never the SQLite file."""

    def __init__(self, frontier):  # not super().__init__: that opens SQLite, which a worker never does
        self.frontier = frontier
        self.hosts = []
        self._state: dict | None = None
        self._read_at = 0.0

    @property
    def newest(self) -> str | None:  # type: ignore[override]  # the writer's published value, not a column
        return self._published()["newest"]

    def _published(self) -> dict:
        """The published state, read again after 5 s (a worker may start before it is published)."""
        if self._state is None or time.monotonic() - self._read_at > 5:
            self._state, self._read_at = self.frontier.state(), time.monotonic()
        return self._state

    def known(self, urls: Iterable[str]) -> dict[str, dict]:
        urls = list(urls)
        return self.frontier.known(urls + [canonical(u) for u in urls])

    def known_media(self, urls: Iterable[str], retry_failed: bool = False) -> set[str]:
        return self.frontier.known_media(urls, retry_failed=retry_failed)

    def resume_depth(self, start_urls: Iterable[str]) -> dict[str, int]:
        resume = self._published()["resume"]
        return {url: resume.get(url, 0) for url in start_urls}

    def rechecks(self, **options) -> list[dict]:
        """The rechecks the writer chose for this run (with the run's options)."""
        return self._published()["due"]

    def failures_to_retry(self) -> list[dict]:
        return self._published()["retries"]

    def close(self) -> None:
        pass
