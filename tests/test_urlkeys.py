"""The crawl's compact URL set and map (crawler.urlkeys) answer as a Python set and dict would,
across many merges of pending keys into the sorted arrays."""

import random

import pytest

from crawler import urlkeys
from crawler.urlkeys import UrlMap, UrlSet, url_key


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    """Merges every few keys, so a test of a thousand URLs goes through dozens of them."""
    monkeypatch.setattr(urlkeys, "PENDING_MIN", 8)


def urls(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"https://sonoivu.hagiang.gov.vn/tin-tuc/bai-{rng.randrange(10**9)}-thi-đua-{n}.html"
            for n in range(count)]


def test_set_membership_matches_a_python_set():
    members, strangers = urls(3000, 1), urls(500, 2)
    seen, reference = UrlSet(), set()
    for n, url in enumerate(members):
        seen.add(url)
        reference.add(url)
        if n % 97 == 0:  # asked while keys are pending and after merges
            assert all(u in seen for u in members[: n + 1])
    seen.update(members[:100])  # again: no duplicates
    assert len(seen) == len(reference) == 3000
    assert all(url in seen for url in members)
    assert not any(url in seen for url in strangers)


def test_map_values_survive_merges_and_are_updated_in_place():
    keys = urls(2000, 3)
    hops, reference = UrlMap(), {}
    for n, url in enumerate(keys):
        hops[url] = n % 3
        reference[url] = n % 3
    for url in keys[::7]:  # most of these are merged into the arrays by now
        hops[url] = -1
        reference[url] = -1
    assert len(hops) == len(reference) == 2000
    assert [hops.get(url) for url in keys] == [reference[url] for url in keys]
    assert hops.get("https://elsewhere.gov.vn/", 5) == 5
    assert hops.get("https://elsewhere.gov.vn/") is None


def test_keys_are_64_bit_and_depend_on_every_character():
    assert 0 <= url_key("https://a.gov.vn/x") < 2**64
    assert url_key("https://a.gov.vn/tin-tức") != url_key("https://a.gov.vn/tin-tuc")
    assert url_key("https://a.gov.vn/x?id=1") != url_key("https://a.gov.vn/x?id=2")
    assert url_key("https://a.gov.vn/\udcff") != url_key("https://a.gov.vn/")  # a lone surrogate does not raise


def test_a_large_set_stays_a_few_bytes_a_url():
    """100,000 URLs in the arrays: 9 bytes each (plus what waits in the pending dict), far
    below the strings' 150 bytes and more."""
    seen = UrlSet()
    for n in range(100_000):
        seen.add(f"https://portal.gov.vn/tin-tuc/{n}.html")
    kept = seen._keys.buffer_info()[1] * seen._keys.itemsize + seen._values.buffer_info()[1]
    assert kept + 100 * len(seen._pending) < 100_000 * 25
