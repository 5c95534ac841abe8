"""Scrapy's downloader, held to each host's concurrency when there is no delay.

Scrapy 2.19's ``Downloader._process_queue`` hands each request a host's slot may start to a new
asyncio task, and the request is counted as in flight (``slot.transferring``) only when that task
runs, on the event loop's next turn. With a download delay the loop stops after one request, so
nothing goes wrong. Without one (``newsarchive crawl --delay 0``) the loop sees the slot still
free and hands on every queued request of the host at once: measured on a loopback portal, up to
``CONCURRENT_REQUESTS`` requests to one host in flight together where
``CONCURRENT_REQUESTS_PER_DOMAIN`` is 1, and a new connection for most of them (Twisted keeps
one idle connection per host and closes the rest).

:class:`HostBoundDownloader` counts a request as in flight as soon as it is handed on, so a slot
never holds more than its concurrency. Everything else is Scrapy's: the loop below is Scrapy's own
with that one line added, and ``_download`` adding the request again to the set changes nothing.
"""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro


class HostBoundDownloader(Downloader):
    """Scrapy's ``Downloader``; a host never has more requests in flight than its slot allows."""

    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:  # a delayed call will process the queue
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # in flight now, not when the task first runs
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:  # one request per delay: no burst
                self._process_queue(slot)
                break

