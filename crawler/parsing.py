"""Pages parsed off the reactor thread, in a pool of worker processes (``newsarchive crawl
--workers N``, default: the number of cores), so the downloader keeps fetching while pages are
parsed and a crawl uses every core.

The spider hands a worker what it needs to read one page (URL, body bytes, Content-Type, how the
page was reached, the listing's category, the platform found on the host's earlier pages) and
gets back a :class:`Parsed`: the page object's reading, the platform detected, and the
article's attachments (linked from its body or listed beside it). Results come back in order of
completion. Workers are pebble processes started from a fork server that has imported the page
objects (and the program's main module, :func:`main_module`) once: a worker that dies (killed,
out of memory, a crash in a C library) fails only the page it was parsing (pebble's
``ProcessExpired``), the pool replaces it, and a page that takes longer than ``timeout`` seconds
is stopped the same way. pebble's workers ignore SIGINT: a Ctrl-C, which the terminal sends to
every process of the crawl, is the crawl's to handle. ``workers=0`` parses in the calling thread
(no processes; what tests of page objects and ``--workers 0`` use).
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import sys
import traceback
import warnings
from concurrent.futures import CancelledError, TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .extract.encoding import decode_html
from .extract.media import article_attachments
from .items import Article, Listing, NotArticle

if TYPE_CHECKING:
    from pebble import ProcessPool

#: Modules a fork-server worker starts with (imported once, in the fork server); the program's
#: main module is added (:func:`main_module`).
PRELOAD = ["crawler.parsing", "crawler.pages"]


# A worker runs the main module again, multiprocessing's way, although the fork server has
# imported it (main_module): runpy then warns, in every worker, that the module is already in
# sys.modules, which is what is meant (that warning of runpy's only). The fork server imports
# this module before the main module, so its workers inherit the filter.
warnings.filterwarnings("ignore", message=r"'[\w.]+' found in sys\.modules after import of package",
                        category=RuntimeWarning, module="runpy")


def main_module() -> list[str]:
    """The name of the main module, as a list for the fork server to preload, when it was run
    by name (``python -m crawler.run``); else ``[]``.

    multiprocessing runs such a module again in every worker it starts (as ``__mp_main__``), for
    pickles that name it. ``crawler.run`` imports Scrapy, Twisted and the archive, so each worker
    imported them all over again. Imported once in the fork server, the module's imports are
    already there when a worker runs it, and the memory they take is shared: a crawl of 2,000
    synthetic pages on two workers, 243 → 211 MB at its peak (the crawl's processes together),
    the two workers' CPU 12.2 → 11.6 s. A package's ``__main__`` is never run again in a worker;
    a script started by its path (``python script.py``) still is, its imports its own."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    name = getattr(spec, "name", None)
    return [name] if name and not name.endswith("__main__") else []


@dataclass
class Parsed:
    """One page's reading: ``page`` (``None`` when it could not be parsed: ``error`` says why,
    ``detail`` has the traceback), the page-object class detected (the next page's hint) and
    ``attachments`` ((URL, title) of an article's attachments, :func:`~crawler.extract.media.article_attachments`)."""

    page: Article | Listing | NotArticle | None
    platform: str | None = None
    error: str | None = None
    detail: str | None = None
    attachments: list[tuple[str, str]] = field(default_factory=list)


def parse_response(url: str, body: bytes, content_type: str, expect: str, category: str | None,
                   hint: str | None) -> Parsed:
    """Decode and read one page (:func:`crawler.pages.read_page`); never raises.

    Python's cycle collector is paused while the page is read and run once on its youngest
    objects after: a page's tree is a thousand or so objects linked both ways (every tag knows
    its parent and its children), which set the collector off several times a page, each time
    to find them all still in use. ``read_page`` tears the tree down once the page is read
    (:func:`crawler.extract.soup.tear_down`), so it is freed at once; the collection after
    finds what else a reading leaves linked both ways (copies of elements a page object made),
    about a hundred objects left where there were 3,600 (0.48 → 0.01 ms a bench page)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read(url, body, content_type, expect, category, hint)
    finally:
        if collecting:
            gc.enable()
            gc.collect(0)


def _read(url: str, body: bytes, content_type: str, expect: str, category: str | None,
          hint: str | None) -> Parsed:
    from .pages import read_page

    try:
        text, _ = decode_html(body, content_type)
        page, platform = read_page(url, text, expect=expect, category=category, hint=hint)
        attachments = article_attachments(page.body_html, text, page.url) if isinstance(page, Article) else []
        return Parsed(page, platform, attachments=attachments)
    except Exception as error:  # a broken page must not stop the crawl
        return Parsed(None, error=f"could not be parsed ({type(error).__name__}: {error})",
                      detail=traceback.format_exc())


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


#: How much lower the parser processes' CPU priority is than the crawl's (``nice``: added to
#: the crawl's own). The crawl's process fetches: with one connection to a portal, each page
#: waits for the one before it to be taken in, and a parser holding the CPU then delays every
#: fetch after it; parsers, a queue of pages ahead of them, can take whatever CPU is left. One
#: synthetic portal on two cores: 11.7 → 11.1 s (+5 %); 20 portals unchanged. Anything else
#: on the machine (Datasette serving the archive) also goes before parsing.
PARSER_NICENESS = 5


def _lower_priority() -> None:
    """A parser process's start: its CPU priority :data:`PARSER_NICENESS` below the crawl's."""
    try:
        os.nice(PARSER_NICENESS)
    except OSError:  # not allowed here: parse at the crawl's priority
        pass


class ParserPool:
    """``await pool.parse(...)`` → :class:`Parsed`, in ``workers`` processes (0: in this thread)."""

    def __init__(self, workers: int, timeout: float | None = 120.0):
        self.workers = workers
        self.timeout = timeout
        self._pool: ProcessPool | None = None

    def _processes(self):
        if self._pool is None:
            from pebble import ProcessPool

            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD + main_module())
            self._pool = ProcessPool(max_workers=self.workers, context=context, initializer=_lower_priority)
        return self._pool

    async def parse(self, url: str, body: bytes, content_type: str, expect: str, category: str | None = None,
                    hint: str | None = None) -> Parsed:
        arguments = (url, body, content_type, expect, category, hint)
        if self.workers <= 0:
            return parse_response(*arguments)
        from pebble import ProcessExpired

        future = self._processes().schedule(parse_response, args=arguments, timeout=self.timeout)
        try:
            return await asyncio.wrap_future(future)
        except ProcessExpired as error:
            return Parsed(None, error=f"the parser process died while parsing it (exit code {error.exitcode})")
        except FutureTimeout:
            return Parsed(None, error=f"parsing took longer than {self.timeout:g} s and was stopped")
        except CancelledError:
            return Parsed(None, error="parsing was cancelled (the crawl is stopping)")

    def close(self) -> None:
        """Stop the workers (pages still queued are cancelled)."""
        if self._pool is not None:
            self._pool.stop()
            self._pool.join(timeout=10)
            self._pool = None
