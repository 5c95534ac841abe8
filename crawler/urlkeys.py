"""Compact bookkeeping of the URLs a crawl has seen: a set and a small-number map of URLs kept
as 64-bit keys in sorted arrays: 9 bytes a URL, and at most about 20 while recent keys wait to be
merged, instead of the 150–250 bytes a URL of a Python set of strings.

A crawl remembers every article it requested, archived or found new, and how far from a listing
each was found; a backfill of a portal's history is hundreds of thousands of URLs. Kept as
strings, four of those sets took about 0.85 MB per 1,000 articles (sizes summed with
``sys.getsizeof`` during a crawl of a synthetic portal).

A URL's key is the first 8 bytes of its BLAKE2b digest (of its UTF-8 bytes), so two different
URLs share a key with probability about n²/2⁶⁵ among n URLs: about 3 in 100 million for a crawl
of a million URLs. Such a collision makes the crawl treat the second URL as already seen.

Recent keys wait in a dict; when it holds more than an eighth of the sorted keys (and at least
:data:`PENDING_MIN`), the two are merged into new arrays, so the total merge work stays
proportional to the number of keys. Lookups are a dict probe, then a binary search.
"""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from heapq import merge
from typing import overload

#: Keys kept in the pending dict before a merge is considered.
PENDING_MIN = 1024


def url_key(url: str) -> int:
    """The 64-bit key of ``url`` (an unsigned int below 2⁶⁴)."""
    digest = hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


class UrlMap:
    """URLs → small numbers (−128…127): ``map[url] = n``, ``map.get(url, default)``, ``url in
    map``, ``len(map)``. URLs are not kept, only their keys (:func:`url_key`): the map cannot
    list them."""

    __slots__ = ("_keys", "_values", "_pending")

    def __init__(self) -> None:
        self._keys = array("Q")  #: sorted keys
        self._values = array("b")  #: their values, index for index
        self._pending: dict[int, int] = {}  #: keys not yet merged → values

    def __len__(self) -> int:
        return len(self._keys) + len(self._pending)

    def __contains__(self, url: str) -> bool:
        key = url_key(url)
        return key in self._pending or self._index(key) is not None

    @overload
    def get(self, url: str) -> int | None: ...

    @overload
    def get(self, url: str, default: int) -> int: ...

    def get(self, url: str, default: int | None = None) -> int | None:
        key = url_key(url)
        if key in self._pending:
            return self._pending[key]
        index = self._index(key)
        return default if index is None else self._values[index]

    def __setitem__(self, url: str, value: int) -> None:
        key = url_key(url)
        index = self._index(key)
        if index is not None:
            self._values[index] = value
            return
        self._pending[key] = value
        if len(self._pending) > max(PENDING_MIN, len(self._keys) // 8):
            self._merge()

    def _index(self, key: int) -> int | None:
        index = bisect_left(self._keys, key)
        return index if index < len(self._keys) and self._keys[index] == key else None

    def _merge(self) -> None:
        """The pending keys merged into the sorted arrays (new arrays, one pass)."""
        keys, values = array("Q"), array("b")
        old = zip(self._keys, self._values)
        for key, value in merge(old, sorted(self._pending.items())):
            keys.append(key)
            values.append(value)
        self._keys, self._values, self._pending = keys, values, {}


class UrlSet(UrlMap):
    """A set of URLs (``add``, ``update``, ``url in s``, ``len(s)``), kept as keys like
    :class:`UrlMap`."""

    __slots__ = ()

    def add(self, url: str) -> None:
        self[url] = 0

    def update(self, urls: Iterable[str]) -> None:
        for url in urls:
            self.add(url)
