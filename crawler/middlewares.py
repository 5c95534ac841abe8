"""Downloader middleware of the crawl (registered in :mod:`crawler.settings`)."""

from __future__ import annotations

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
