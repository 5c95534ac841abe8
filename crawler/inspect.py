"""``newsarchive inspect URL_OR_FILE [--url URL]``: what the archive would extract from one page.

Prints JSON: the detected ``platform``, the ``page_object`` class, the ``kind`` of page
(Article, Listing, NotArticle), the ``encoding`` used, and the extracted ``item``. A file needs
``--url`` (the address it was saved from: links and canonical URLs are resolved against it). A
URL is fetched once, with the crawler's User-Agent (robots.txt is not consulted for this single,
user-requested fetch).
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
from .extract.encoding import decode_html
from .pages.detect import page_object
from .spiders.portal import check_start_url


def fetch(url: str, timeout: float = 60) -> tuple[bytes, str | None]:
    request = urllib.request.Request(url, headers={"User-Agent": settings.USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (checked http/https)
        return response.read(), response.headers.get("Content-Type")


def inspect(body: bytes, url: str, content_type: str | None = None) -> dict:
    text, encoding = decode_html(body, content_type)
    page = page_object(url, text)
    item = page.parse()
    return {"url": url, "platform": page.platform, "page_object": type(page).__name__,
            "kind": type(item).__name__, "encoding": encoding, "item": asdict(item)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newsarchive inspect", description=__doc__.split("\n\n")[0])
    parser.add_argument("source", metavar="URL_OR_FILE")
    parser.add_argument("--url", help="the page's address (required for a file)")
    args = parser.parse_args(argv)
    path = Path(args.source)
    try:
        if path.is_file():
            if not args.url:
                parser.error("--url is required when inspecting a file")
            result = inspect(path.read_bytes(), check_start_url(args.url))
        else:
            url = check_start_url(args.source)
            body, content_type = fetch(url)
            result = inspect(body, args.url or url, content_type)
    except ValueError as error:
        parser.error(f"{error} (and no such file)" if not path.exists() else str(error))
    except (urllib.error.URLError, OSError) as error:
        print(f"newsarchive inspect: cannot fetch {args.source}: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
