"""What each start URL of a crawl yielded: listing pages, articles, and which page objects made them.

A crawl can "succeed" and archive nothing: a portal changes its theme, the start URL stops being a
listing, the dates move to a place no page object reads. The yield per start URL makes that
visible: the summary printed after a crawl and the ``crawl_runs.start_url_yields`` /
``crawl_runs.warnings`` columns hold it. No Scrapy here.

Formats:

* a *producer* label names the page objects that produced an item's fields, sorted and joined by
  ``+``: ``"NukeViet4"``, ``"GenericPage+Liferay"`` (the cascade filled some fields in), ``"GenericPage"``;
* :meth:`StartUrlYield.as_dict`: ``{"start_url", "listing_pages", "articles", "undated",
  "already_archived", "listing_producers": {label: pages}, "article_producers": {label: articles}}``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .extract.urls import host_of


def producer(extracted_by: dict[str, str]) -> str:
    """The producer label of an item (``extracted_by``: field → page-object class name)."""
    return "+".join(sorted(set(extracted_by.values()))) or "?"


@dataclass
class StartUrlYield:
    """Counters for one start URL (everything reached from it: its listing pages, their articles,
    their related links)."""

    start_url: str
    listing_pages: int = 0  #: listing pages read (the start page included)
    articles: int = 0  #: articles archived
    undated: int = 0  #: archived articles without a publication date
    already_archived: int = 0  #: listing entries not fetched: archived by an earlier crawl
    listing_producers: Counter = field(default_factory=Counter)
    article_producers: Counter = field(default_factory=Counter)

    def warnings(self) -> list[str]:
        """Why a person should look at this start URL (empty: nothing to say)."""
        found = []
        if self.articles == 0 and not self.already_archived:
            where = "it was not read as a listing" if self.listing_pages == 0 else (
                f"{self.listing_pages} listing page{'s' if self.listing_pages != 1 else ''} read")
            found.append(f"{self.start_url}: no article archived ({where})")
        elif self.undated:
            found.append(f"{self.start_url}: {self.undated} of {self.articles} archived articles have no publication date")
        return found

    def as_dict(self) -> dict:
        return {"start_url": self.start_url, "listing_pages": self.listing_pages, "articles": self.articles,
                "undated": self.undated, "already_archived": self.already_archived, "listing_producers": dict(self.listing_producers),
                "article_producers": dict(self.article_producers)}

    def summary(self) -> str:
        """One line: "URL: 3 listing pages, 12 articles (NukeViet4 10, GenericPage+NukeViet4 2)"."""
        producers = ", ".join(f"{name} {count}" for name, count in self.article_producers.most_common())
        text = (f"{self.start_url}: {self.listing_pages} listing page{'s' if self.listing_pages != 1 else ''}, "
                f"{self.articles} article{'s' if self.articles != 1 else ''}")
        if producers:
            text += f" ({producers})"
        if self.already_archived:
            text += f", {self.already_archived} listed entries already archived"
        if self.undated:
            text += f", {self.undated} without a date"
        return text


class YieldReport:
    """The yields of every start URL of one crawl, in start-URL order."""

    def __init__(self, start_urls: list[str]):
        self.by_start_url = {url: StartUrlYield(url) for url in start_urls}

    def _of(self, start_url: str | None) -> StartUrlYield | None:
        return self.by_start_url.get(start_url) if start_url else None

    def listing_page(self, start_url: str | None, extracted_by: dict[str, str]) -> None:
        if entry := self._of(start_url):
            entry.listing_pages += 1
            entry.listing_producers[producer(extracted_by)] += 1

    def already_archived(self, start_url: str | None, entries: int) -> None:
        if entry := self._of(start_url):
            entry.already_archived += entries

    def article(self, start_url: str | None, extracted_by: dict[str, str], *, dated: bool) -> None:
        if entry := self._of(start_url):
            entry.articles += 1
            entry.undated += not dated
            entry.article_producers[producer(extracted_by)] += 1

    def add_start_urls(self, start_urls) -> None:
        """Start URLs seeded elsewhere (a crawl fleet's run), counted from now on."""
        for url in start_urls:
            self.by_start_url.setdefault(url, StartUrlYield(url))

    def listings(self) -> dict[str, dict]:
        """What the spider alone counts per start URL (listing pages, entries already archived):
        a fleet worker's part, for :meth:`merge_listings`."""
        return {url: {"listing_pages": e.listing_pages, "already_archived": e.already_archived,
                      "listing_producers": dict(e.listing_producers)}
                for url, e in self.by_start_url.items() if e.listing_pages or e.already_archived}

    def merge_listings(self, listings: dict[str, dict]) -> None:
        """Add a fleet worker's :meth:`listings`."""
        for url, part in listings.items():
            if entry := self._of(url):
                entry.listing_pages += part["listing_pages"]
                entry.already_archived += part["already_archived"]
                entry.listing_producers.update(part["listing_producers"])

    def warnings(self) -> list[str]:
        return [warning for entry in self.by_start_url.values() for warning in entry.warnings()]

    def as_list(self) -> list[dict]:
        return [entry.as_dict() for entry in self.by_start_url.values()]


#: Fewer failures than this never make a portal unhealthy by their rate alone.
MIN_FAILURES = 3


class PortalHealth:
    """Per portal (a host of the start URLs): requests answered, failures, and whether it is
    healthy. A portal is unhealthy when a start URL could not be fetched (unreachable), when a
    start URL yielded no article and listed none already archived (not a listing, or nothing
    found), or when more than ``max_failure_rate`` of its answered requests failed.

    :meth:`portals` rows: ``{"portal", "hosts", "start_urls", "requests", "failures",
    "failure_rate", "healthy", "problems": [str]}``."""

    def __init__(self, yields: YieldReport, name_of=lambda host: host):
        self.yields = yields
        self.name_of = name_of
        self.requests: Counter = Counter()
        self.failures: Counter = Counter()
        self.start_failures: dict[str, str] = {}  #: start URL → why it could not be read

    def answered(self, host: str) -> None:
        self.requests[host] += 1

    def bad_answer(self, host: str, *, start_url: str | None = None, reason: str = "") -> None:
        """An answered request that failed all the same (an unexpected status, an unparseable page)."""
        self.failures[host] += 1
        if start_url:
            self.start_failures.setdefault(start_url, f"unreadable ({reason})")

    def failed(self, host: str, *, start_url: str | None = None, reason: str = "") -> None:
        self.requests[host] += 1
        self.failures[host] += 1
        if start_url:
            self.start_failures.setdefault(start_url, f"unreachable ({reason})")

    def merge(self, requests: dict[str, int], failures: dict[str, int], start_failures: dict[str, str]) -> None:
        """Add a crawl-fleet worker's counts (:class:`crawler.items.WorkerReport`)."""
        self.requests.update(requests)
        self.failures.update(failures)
        for url, reason in start_failures.items():
            self.start_failures.setdefault(url, reason)

    def portals(self, max_failure_rate: float) -> list[dict]:
        grouped: dict[str, dict] = {}
        for start_url, entry in self.yields.by_start_url.items():
            host = host_of(start_url)
            portal = grouped.setdefault(self.name_of(host), {"portal": self.name_of(host), "hosts": [],
                                                             "start_urls": [], "entries": []})
            if host not in portal["hosts"]:
                portal["hosts"].append(host)
            portal["start_urls"].append(start_url)
            portal["entries"].append(entry)
        rows = []
        for portal in grouped.values():
            requests = sum(self.requests[h] for h in portal["hosts"])
            failures = sum(self.failures[h] for h in portal["hosts"])
            problems = []
            for entry in portal.pop("entries"):
                if entry.start_url in self.start_failures:
                    problems.append(f"{entry.start_url}: {self.start_failures[entry.start_url]}")
                elif entry.articles == 0 and not entry.already_archived:
                    problems += [w for w in entry.warnings() if "no article archived" in w]
            rate = failures / requests if requests else 0.0
            if rate > max_failure_rate and failures >= MIN_FAILURES:
                problems.append(f"{failures} of {requests} requests failed ({rate:.0%}, more than "
                                f"{max_failure_rate:.0%})")
            rows.append({**portal, "requests": requests, "failures": failures, "failure_rate": round(rate, 4),
                         "healthy": not problems, "problems": problems})
        return rows
