"""How far the crawl follows related links ("Tin khác"): an article's distance from a listing is
the fewest related links that lead to it, whatever order the pages come back in.

The spider's own decisions, driven with real Scrapy responses in the order that broke once: an
article first reached through a related link, and only then listed. (End to end, that order
depends on timing: tests/test_sites_e2e.py saw it once in a full run, when a 404 two links away
was not requested.)"""

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.items import ArchivedPage, Article, RelatedLink
from crawler.spiders.portal import PortalSpider

BASE = "http://127.0.0.1:9/vi/news/thi-dua/"


def url(name: str) -> str:
    return f"{BASE}{name}.html"


@pytest.fixture
def spider():
    crawler = get_crawler(PortalSpider, {"MEDIA_ENABLED": False})
    crawler.spider = crawler._create_spider(start_url=BASE, related_hops=2)
    return crawler.spider


def read(spider, name: str, related: list[str], hops: int) -> list[Request]:
    """``name`` fetched (requested ``hops`` related links from a listing) and read as an article
    linking ``related``: the requests the spider makes next."""
    request = Request(url(name), meta={"hops": hops, "identity": url(name), "start_url": BASE})
    response = HtmlResponse(url(name), body=b"<html></html>", encoding="utf-8", request=request)
    article = Article(url=url(name), platform="nukeviet", title=name,
                      related_links=[RelatedLink(url=url(r), title=r) for r in related])
    outputs = list(spider._article_outputs(response, article, hops=hops))
    assert any(isinstance(o, ArchivedPage) for o in outputs)
    return [o for o in outputs if isinstance(o, Request)]


def requested(requests: list[Request]) -> dict[str, int]:
    return {r.url.rsplit("/", 1)[1].removesuffix(".html"): r.meta["hops"] for r in requests}


def test_a_listed_article_first_reached_through_related_links_is_followed_from_the_listing(spider):
    # B is listed; its related A is read before the listing page that lists A
    [b] = spider._article_requests(url("b"), None, hops=0, start_url=BASE)
    assert requested(read(spider, "b", ["a"], hops=0)) == {"a": 1}
    assert requested(read(spider, "a", ["c"], hops=1)) == {"c": 2}
    assert requested(read(spider, "c", ["d"], hops=2)) == {}  # the limit: D is three links away
    # now a listing page lists A: A is 0 links away, C 1, so D (2) is within the limit
    assert requested(spider._article_requests(url("a"), None, hops=0, start_url=BASE)) == {"d": 2}
    assert spider.hops.get(url("c")) == 1 and spider.hops.get(url("d")) == 2
    # listed again, or reached again from farther away: nothing more
    assert spider._article_requests(url("a"), None, hops=0, start_url=BASE) == []
    assert spider._article_requests(url("c"), None, hops=2, start_url=BASE) == []


def test_an_article_reached_nearer_before_it_is_read_follows_from_there(spider):
    [b] = spider._article_requests(url("b"), None, hops=0, start_url=BASE)
    assert requested(read(spider, "b", ["a"], hops=0)) == {"a": 1}
    # A is listed while its request (1 link away) is still in flight: read at 0
    assert spider._article_requests(url("a"), None, hops=0, start_url=BASE) == []
    hops = min(1, spider.hops.get(url("a"), 2))  # what parse_article does with the request's hops
    assert requested(read(spider, "a", ["c"], hops=hops)) == {"c": 1}


def test_related_links_at_the_limit_are_not_followed(spider):
    spider.related_hops = 1
    assert requested(read(spider, "b", ["a"], hops=0)) == {"a": 1}
    assert requested(read(spider, "a", ["c"], hops=1)) == {}
