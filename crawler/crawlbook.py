"""What a crawl has requested and archived so far, and how far each article is from a listing.

The spider decides with it (:mod:`crawler.spiders.portal`): an article link is requested once
(by its identity, the canonical URL), at the fewest related links from a listing found so far
("hops"); an article archived some hops away keeps its related links, to follow them again from
nearer if a listing turns out to list it; an article met under a second URL is archived once.

:class:`CrawlBook` keeps it in the process (64-bit URL keys, :mod:`crawler.urlkeys`);
:class:`FleetBook` keeps it in a crawl fleet's frontier (:mod:`crawler.frontier`), so that the
workers of a fleet decide as one crawl would, whichever of them reads which page; its answers
are kept by the request whose callback asked (``by``, the request's ``meta["rid"]``), so that
a callback run again after its worker died gets the same answers and hands on the same
requests and items (the fleet's fetched-once set and the writer's idempotence absorb them).
"""

from __future__ import annotations

from collections.abc import Iterable

from .items import RelatedLink
from .urlkeys import UrlMap, UrlSet

#: What an article archived some hops away leaves to follow: its related links, its category,
#: the start URL it descends from.
Unfollowed = tuple[list[RelatedLink], str | None, str | None]


class CrawlBook:
    """The book of one crawl process."""

    def __init__(self):
        self.archived = UrlSet()  #: canonical URLs of articles archived (or rechecked) in this crawl
        self.requested = UrlSet()  #: canonical identities of requested article links
        self.hops = UrlMap()  #: identity → fewest related links from a listing found so far
        self.unfollowed: dict[str, Unfollowed] = {}  #: identity → what its article leaves to follow

    def archive(self, url: str, by: str | None = None) -> bool:
        """Note ``url`` archived; False when it already was in this crawl (a duplicate). ``by``:
        the id of the request whose callback asks (a fleet answers it the same way again)."""
        if url in self.archived:
            return False
        self.archived.add(url)
        return True

    def requested_any(self, identities: Iterable[str]) -> list[bool]:
        """For each identity, whether it was requested in this crawl."""
        return [identity in self.requested for identity in identities]

    def claim(self, identity: str, *others: str, by: str | None = None) -> bool:
        """Request ``identity`` (and note ``others`` as requested) unless it already was: False then."""
        if identity in self.requested:
            return False
        self.requested.update({identity, *others})
        return True

    def note_requested(self, identity: str) -> None:
        """Note ``identity`` requested, with no distance (an article read under another URL)."""
        self.requested.add(identity)

    def nearer(self, identity: str, hops: int, by: str | None = None) -> int | None:
        """Note ``identity`` requested ``hops`` away, keeping the fewest: its distance before
        (None: not requested before, the caller requests it; a requested identity with no
        distance is never nearer)."""
        if identity not in self.requested:
            self.requested.add(identity)
            self.hops[identity] = hops
            return None
        before = self.hops.get(identity, hops)
        if hops < before:
            self.hops[identity] = hops
        return before

    def distance(self, identity: str | None, default: int) -> int:
        return self.hops.get(identity, default) if identity else default

    def keep_unfollowed(self, identities: Iterable[str], unfollowed: Unfollowed) -> None:
        for identity in identities:
            self.unfollowed[identity] = unfollowed

    def take_unfollowed(self, identity: str, *, keep: bool) -> Unfollowed | None:
        return self.unfollowed.get(identity) if keep else self.unfollowed.pop(identity, None)


class FleetBook(CrawlBook):
    """The same book, shared by the workers of a crawl fleet (one run's, in Redis)."""

    def __init__(self, frontier):
        self.frontier = frontier

    def archive(self, url: str, by: str | None = None) -> bool:
        return self.frontier.first_archived(url, by)

    def note_requested(self, identity: str) -> None:
        self.frontier.claim(identity)

    def requested_any(self, identities: Iterable[str]) -> list[bool]:
        return [d is not None for d in self.frontier.distances(list(identities))]

    def claim(self, identity: str, *others: str, by: str | None = None) -> bool:
        return self.frontier.claim(identity, others, by)

    def nearer(self, identity: str, hops: int, by: str | None = None) -> int | None:
        return self.frontier.nearer(identity, hops, by)

    def distance(self, identity: str | None, default: int) -> int:
        found = self.frontier.distances([identity])[0] if identity else None
        return default if found is None else found

    def keep_unfollowed(self, identities: Iterable[str], unfollowed: Unfollowed) -> None:
        self.frontier.keep_unfollowed(list(identities), unfollowed)

    def take_unfollowed(self, identity: str, *, keep: bool) -> Unfollowed | None:
        return self.frontier.unfollowed(identity)  # kept in any case (Frontier.unfollowed)
