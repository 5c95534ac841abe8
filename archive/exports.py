"""A search's results as files people take away: CSV for a spreadsheet, Atom for a feed reader.

Pure functions over the results of :func:`archive.reading.result_of` (no I/O). Absolute URLs
are made by the caller's ``absolute(path)``, so the links are right behind a reverse proxy.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from typing import Any

from .reading import safe_url

#: The columns of ``/search.csv``, in order.
CSV_COLUMNS = ["id", "title", "published_at", "portal", "portal_name", "category", "author", "url", "archive_url",
               "removed_at", "snippet"]
VIETNAM = datetime.timezone(datetime.timedelta(hours=7))
ATOM = "http://www.w3.org/2005/Atom"


def search_csv(results: Iterable[dict[str, Any]], absolute: Callable[[str], str]) -> str:
    """CSV (RFC 4180, UTF-8, a header row of :data:`CSV_COLUMNS`): one row per result, times as
    stored (ISO 8601, +07:00), ``archive_url`` the article's reading page, ``snippet`` plain text."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for result in results:
        writer.writerow({**result, "archive_url": absolute(f"/article/{result['id']}")})
    return out.getvalue()


def _when(value: str | None) -> datetime.datetime | None:
    """An archive time (ISO 8601, or a bare date: midnight in Vietnam) as an aware datetime."""
    if not value:
        return None
    try:
        when = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=VIETNAM)


def search_atom(results: list[dict[str, Any]], *, title: str, feed_url: str, page_url: str,
                absolute: Callable[[str], str], now: datetime.datetime) -> bytes:
    """An Atom 1.0 feed (RFC 4287, UTF-8) of a search, in the order given (newest first). The
    feed's id is its own URL (``feed_url``, the search's parameters); each entry's id is the
    article's reading page, so a reader shows an article once however often it polls; ``updated``
    is when the archived content last changed (else its publication); the summary is the snippet;
    an article taken down from its portal says so in its title. (Written with the standard
    library's ElementTree: feedgen 1.0 drops ``rel`` from entry links, which makes the original's
    link a second "alternate".)"""
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": "vi"})
    _text(feed, "id", feed_url)
    _text(feed, "title", title)
    updated_at = _text(feed, "updated", "")
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": feed_url})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": page_url})
    _text(ET.SubElement(feed, "author"), "name", "newsarchive")
    _text(feed, "generator", "newsarchive")
    newest = None
    for result in results:
        entry = ET.SubElement(feed, "entry")
        page = absolute(f"/article/{result['id']}")
        _text(entry, "id", page)
        taken_down = f" [đã bị gỡ khỏi cổng · taken down {result['removed_at'][:10]}]" if result.get("removed_at") else ""
        _text(entry, "title", (result["title"] or "") + taken_down)
        published = _when(result.get("published_at"))
        updated = _when(result.get("last_changed_at")) or published or now
        newest = max(newest, updated) if newest else updated
        _text(entry, "updated", updated.isoformat())
        if published:
            _text(entry, "published", published.isoformat())
        _text(ET.SubElement(entry, "author"), "name", result.get("author") or result.get("portal_name") or result["portal"])
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": page})
        original = safe_url(result.get("url"))
        if original:
            ET.SubElement(entry, "link", {"rel": "related", "type": "text/html", "href": original})
        if result.get("category"):
            ET.SubElement(entry, "category", {"term": result["category"]})
        _text(entry, "summary", result.get("snippet") or "")
    updated_at.text = (newest or now).isoformat()
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


#: Characters XML 1.0 does not allow (control characters a page may carry): left out of the feed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = NOT_XML.sub("", text)
    return element
