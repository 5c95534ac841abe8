"""Downloader middleware of the crawl (registered in :mod:`crawler.settings`)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest

from .extract.urls import canonical

#: Request headers that describe the requested page's last response (a conditional recheck).
VALIDATOR_HEADERS = ("If-None-Match", "If-Modified-Since")


class NoValidatorsAfterRedirect:
    """A recheck's ``If-None-Match`` / ``If-Modified-Since`` belong to the article's last
    response, not to the page a redirect leads to (a taken-down article's 302 to the home page):
    Scrapy's redirect copies every header, so they are dropped from the redirected request, which
    could otherwise be answered 304 for the wrong page."""

    def process_request(self, request, spider=None):
        if request.meta.get("redirect_urls"):
            for name in VALIDATOR_HEADERS:
                request.headers.pop(name, None)
        return None


class RedirectRefused(IgnoreRequest):
    """A redirect the crawl does not follow; ``reason`` is the failure's one-line reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class RedirectGuard:
    """Redirects that are failures, stopped before the redirect is followed (Scrapy would request
    the other host's robots.txt, then the page, or drop a loop silently as a duplicate):

    * to another host: "redirected off the portal to <url>", unless the target is the same site's
      http↔https or ``www.`` twin (same host name but for ``www.``, same explicit port);
    * back to a URL of the same chain: "redirect loop".

    Placed before Scrapy's ``RedirectMiddleware`` (a higher number: responses go through
    downloader middlewares from the highest number down)."""

    def process_response(self, request, response, spider=None):
        if response.status not in (301, 302, 303, 307, 308) or b"Location" not in response.headers:
            return response
        target = urljoin(request.url, response.headers[b"Location"].decode("latin-1").strip())
        if _site(target) != _site(request.url):
            raise RedirectRefused(f"redirected off the portal to {target}")
        chain = {canonical(u) for u in (*request.meta.get("redirect_urls", []), request.url)}
        if canonical(target) in chain:
            raise RedirectRefused(f"redirect loop back to {target}")
        return response


def _site(url: str) -> tuple[str, int | None]:
    """A site's identity for redirects: host name without ``www.``, and an explicit non-default port."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = parts.port if parts.port not in (None, 80, 443) else None
    return host, port


class KeepRobotsTxt:
    """Hands each robots.txt response (fetched by Scrapy's ``RobotsTxtMiddleware``, outside the
    spider's callbacks) to the spider's ``robots_responses`` list, which the spider empties into
    ``robots`` snapshots at its next callback: the archive keeps the rules a crawl obeyed."""

    def __init__(self, crawler=None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        spider = spider or getattr(self.crawler, "spider", None)
        kept = getattr(spider, "robots_responses", None)
        if kept is not None and urlsplit(request.url).path == "/robots.txt":
            kept.append(response)
        return response
