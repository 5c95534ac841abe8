"""How far the crawl follows related links ("Tin khác"): an article's distance from a listing is
the fewest related links that lead to it, whatever order the pages come back in.

The spider's own decisions, driven with real Scrapy responses in the order that broke once: an
article first reached through a related link, and only then listed. (End to end, that order
depends on timing: tests/test_sites_e2e.py saw it once in a full run, when a 404 two links away
was not requested.)

Each test runs twice: in one crawl process, and as two workers of a crawl fleet sharing a
frontier in a real redis-server (one reads the related links, the other the listing), which
must decide as one crawl would."""

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.crawlbook import FleetBook
from crawler.frontier import Frontier
from crawler.items import ArchivedPage, Article, RelatedLink
from crawler.spiders.portal import PortalSpider
from tests.conftest import needs_redis

BASE = "http://127.0.0.1:9/vi/news/thi-dua/"


def url(name: str) -> str:
    return f"{BASE}{name}.html"


def _spider() -> PortalSpider:
    crawler = get_crawler(PortalSpider, {"MEDIA_ENABLED": False})
    crawler.spider = crawler._create_spider(start_url=BASE, related_hops=2)
    return crawler.spider


@pytest.fixture(params=["one process", pytest.param("two fleet workers", marks=needs_redis)])
def spiders(request):
    """(the spider that reads related links, the one that reads the listing)."""
    if request.param == "one process":
        spider = _spider()
        return spider, spider
    frontier = Frontier(request.getfixturevalue("redis_url"))
    first, second = _spider(), _spider()
    first.book, second.book = FleetBook(frontier), FleetBook(frontier)
    return first, second


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


def test_a_listed_article_first_reached_through_related_links_is_followed_from_the_listing(spiders):
    reader, lister = spiders
    # B is listed; its related A is read before the listing page that lists A
    [b] = lister._article_requests(url("b"), None, hops=0, start_url=BASE)
    assert requested(read(reader, "b", ["a"], hops=0)) == {"a": 1}
    assert requested(read(reader, "a", ["c"], hops=1)) == {"c": 2}
    assert requested(read(reader, "c", ["d"], hops=2)) == {}  # the limit: D is three links away
    # now a listing page lists A: A is 0 links away, C 1, so D (2) is within the limit
    assert requested(lister._article_requests(url("a"), None, hops=0, start_url=BASE)) == {"d": 2}
    assert lister.book.distance(url("c"), None) == 1 and lister.book.distance(url("d"), None) == 2
    # listed again, or reached again from farther away: nothing more
    assert lister._article_requests(url("a"), None, hops=0, start_url=BASE) == []
    assert reader._article_requests(url("c"), None, hops=2, start_url=BASE) == []


def test_an_article_reached_nearer_before_it_is_read_follows_from_there(spiders):
    reader, lister = spiders
    [b] = lister._article_requests(url("b"), None, hops=0, start_url=BASE)
    assert requested(read(reader, "b", ["a"], hops=0)) == {"a": 1}
    # A is listed while its request (1 link away) is still in flight: read at 0
    assert lister._article_requests(url("a"), None, hops=0, start_url=BASE) == []
    hops = min(1, reader.book.distance(url("a"), 2))  # what parse_article does with the request's hops
    assert requested(read(reader, "a", ["c"], hops=hops)) == {"c": 1}


def test_related_links_at_the_limit_are_not_followed(spiders):
    reader, _ = spiders
    reader.related_hops = 1
    assert requested(read(reader, "b", ["a"], hops=0)) == {"a": 1}
    assert requested(read(reader, "a", ["c"], hops=1)) == {}


def test_an_article_met_under_a_second_url_is_archived_once(spiders):
    reader, lister = spiders
    assert [type(o).__name__ for o in reader._article_outputs(*_answer("a"), hops=0)][:1] == ["ArchivedPage"]
    assert list(lister._article_outputs(*_answer("a", fetched_as="a-print"), hops=0)) == []


def _answer(name: str, fetched_as: str | None = None):
    fetched = url(fetched_as or name)
    request = Request(fetched, meta={"hops": 0, "identity": fetched, "start_url": BASE})
    response = HtmlResponse(fetched, body=b"<html></html>", encoding="utf-8", request=request)
    return response, Article(url=url(name), platform="nukeviet", title=name)


@needs_redis
def test_a_callback_run_again_after_its_worker_died_hands_on_the_same_requests_and_items(redis_url):
    """A worker died after its callback asked the fleet's book (the article is now "requested",
    "archived") but before what it produced reached the frontier; the lease expires and another
    worker runs the same request's callback: the book gives it the same answers, so nothing is lost."""
    frontier = Frontier(redis_url)
    dead, alive = _spider(), _spider()
    dead.book, alive.book = FleetBook(frontier), FleetBook(frontier)
    asked = lambda spider, by: requested(spider._article_requests(url("x"), None, hops=0, start_url=BASE, by=by))  # noqa: E731
    assert asked(dead, "listing-1") == {"x": 0}
    assert asked(alive, "listing-1") == {"x": 0}  # the same request's callback again: the same answer
    assert asked(alive, "listing-2") == {}  # another page listing it: requested already
    response, article = _answer("x")
    response.meta["rid"] = "article-x"
    assert [type(o).__name__ for o in dead._article_outputs(response, article, hops=0)][:1] == ["ArchivedPage"]
    assert [type(o).__name__ for o in alive._article_outputs(response, article, hops=0)][:1] == ["ArchivedPage"]
    other, _ = _answer("x", fetched_as="x-print")
    other.meta["rid"] = "article-x-print"
    assert list(alive._article_outputs(other, article, hops=0)) == []  # a second URL of it: a duplicate
