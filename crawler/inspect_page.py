"""``newsarchive inspect URL_OR_FILE [--url URL] [--save-case DIR]``: what the archive would
extract from one page.

Prints JSON: the detected ``platform``, the ``page_object`` class detection picked, the ``kind``
of page (Article, Listing, NotArticle), the ``encoding`` used, the extracted ``item`` (exactly what
a crawl extracts: the fallback cascade included) and ``extracted_by``, which page object produced
each field (the platform's, or ``GenericPage`` where the cascade filled a field in). A file needs
``--url`` (the address it was saved from: links and canonical URLs are resolved against it). A
URL is fetched once, with the crawler's User-Agent (robots.txt is not consulted for this single,
user-requested fetch).

``--save-case fixtures/pages/<platform>/<kind>/<case>`` also writes the page as a new fixture
case: ``input.html`` (the bytes as served), ``meta.json`` and ``expected.json`` (today's output,
to be reviewed by hand before it is committed; ``tests/test_pages.py`` then holds the code to it).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from dataclasses import asdict
from pathlib import Path

from . import settings
from .extract.dates import now_iso
from .extract.encoding import decode_html
from .pages.cascade import Cascade
from .pages.detect import page_object
from .spiders.portal import check_start_url


def fetch(url: str, timeout: float = 60) -> tuple[bytes, str | None]:
    request = urllib.request.Request(url, headers={"User-Agent": settings.USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (checked http/https)
        return response.read(), response.headers.get("Content-Type")


def case_json(data: dict) -> str:
    """The fixture-case JSON format: keys sorted, non-ASCII kept, ``null`` written out."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def case_expected(item) -> dict:
    """A parsed item as stored in a case's ``expected.json``."""
    return {"kind": type(item).__name__, **asdict(item)}


def save_case(folder: Path, body: bytes, url: str, content_type: str | None, encoding: str, item) -> None:
    folder.mkdir(parents=True, exist_ok=False)
    (folder / "input.html").write_bytes(body)
    meta = {"url": url, "fetched_at": now_iso(), "encoding": encoding, "content_type": content_type}
    (folder / "meta.json").write_text(case_json(meta), encoding="utf-8")
    (folder / "expected.json").write_text(case_json(case_expected(item)), encoding="utf-8")


def inspect(body: bytes, url: str, content_type: str | None = None):
    """``(report, item)``: the JSON-ready report printed by the command, and the parsed item."""
    text, encoding = decode_html(body, content_type)
    page = page_object(url, text)
    item = Cascade(page).parse()
    report = {"url": url, "platform": page.platform, "page_object": type(page).__name__,
              "kind": type(item).__name__, "encoding": encoding, "item": asdict(item),
              "extracted_by": getattr(item, "extracted_by", {})}
    return report, item


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newsarchive inspect", description=__doc__.split("\n\n")[0])
    parser.add_argument("source", metavar="URL_OR_FILE")
    parser.add_argument("--url", help="the page's address (required for a file)")
    parser.add_argument("--save-case", metavar="DIR", type=Path,
                        help="also save the page as a fixture case in DIR (e.g. fixtures/pages/nukeviet/article/my-case)")
    args = parser.parse_args(argv)
    path = Path(args.source)
    if args.save_case and args.save_case.exists():
        parser.error(f"{args.save_case} already exists")
    content_type = None
    try:
        if path.is_file():
            if not args.url:
                parser.error("--url is required when inspecting a file")
            body, url = path.read_bytes(), check_start_url(args.url)
        else:
            url = check_start_url(args.source)
            body, content_type = fetch(url)
            url = args.url or url
        result, item = inspect(body, url, content_type)
    except ValueError as error:
        parser.error(f"{error} (and no such file)" if not path.exists() else str(error))
    except (urllib.error.URLError, OSError) as error:
        print(f"newsarchive inspect: cannot fetch {args.source}: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True))
    if args.save_case:
        save_case(args.save_case, body, url, content_type, result["encoding"], item)
        print(f"saved {args.save_case}: review expected.json against input.html before committing", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
