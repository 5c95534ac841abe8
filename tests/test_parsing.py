"""The parser pool (crawler/parsing.py): real worker processes read pages exactly as the crawl's own
thread does; a worker killed or stopped while parsing fails only the page it had; detection is
tried first with the platform found on the host's earlier pages."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from crawler.extract.body import soup_of
from crawler.pages import parse_page, read_page
from crawler.pages.detect import PLATFORMS, page_class
from crawler.parsing import PARSER_NICENESS, ParserPool, parse_response
from fixtures.server import SITES

ROOT = Path(__file__).resolve().parent.parent

SEED = SITES / "nukeviet-hagiang/vi/news/tin-hoat-dong-cum-khoi-thi-dua" / (
    "buu-dien-tinh-to-chuc-hoi-nghi-trien-khai-ke-hoach-va-phat-dong-phong-trao-thi-dua-nam-2021-1240.html")
SEED_URL = "http://127.0.0.1:8000/vi/news/tin-hoat-dong-cum-khoi-thi-dua/" + SEED.name
LISTING = SITES / "nukeviet-hagiang/vi/news/tin-hoat-dong-cum-khoi-thi-dua/index.html"
LISTING_URL = "http://127.0.0.1:8000/vi/news/tin-hoat-dong-cum-khoi-thi-dua/"
#: About 1 MB of paragraphs: over ten seconds to parse, time enough to kill the worker that has it.
SLOW_PAGE = ("<html><body><h1>Chậm</h1>" + "<div><p>Đoạn văn rất dài để phân tích chậm.</p></div>" * 20000
             + "</body></html>").encode("utf-8")


def workers_of(pool: ParserPool) -> list[int]:
    """Process ids of the pool's workers: this process's grandchildren (through the fork server)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    return [grandchild for child in children.get(os.getpid(), []) for grandchild in children.get(child, [])]


def test_a_worker_reads_a_page_as_the_crawl_thread_does():
    body = SEED.read_bytes()
    pool = ParserPool(workers=2)
    try:
        parsed = asyncio.run(pool.parse(SEED_URL, body, "text/html; charset=utf-8", "article"))
        workers = workers_of(pool)
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        assert PARSER_NICENESS > 0 and workers and all(
            os.getpriority(os.PRIO_PROCESS, worker) == min(mine + PARSER_NICENESS, 19) for worker in workers
        ), "parsers run below the crawl's CPU priority"
    finally:
        pool.close()
    assert parsed.error is None and parsed.platform == "NukeViet4"
    assert parsed.page == parse_page(SEED_URL, body.decode("utf-8"), expect="article")
    assert parsed.page.title.startswith("Bưu điện tỉnh tổ chức Hội nghị")
    listing = parse_response(LISTING_URL, LISTING.read_bytes(), "text/html", "listing", None, None)
    assert len(listing.page.entries) == 5 and listing.platform == "NukeViet4"


def test_workers_do_not_import_the_main_modules_imports_again(tmp_path):
    """multiprocessing runs a main module started by name (``python -m crawler.run``) again in
    each worker; its imports (Scrapy, Twisted, the archive for ``crawler.run``) come from the fork
    server, which imported them once, not from each worker's own import."""
    marker = tmp_path / "imports"
    result = subprocess.run([sys.executable, "-m", "tests.parser_pool_main"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "IMPORT_MARKER": str(marker)})
    assert result.returncode == 0, result.stderr[-3000:]
    workers = {int(line) for line in result.stdout.split()}
    importers = [int(line) for line in marker.read_text().split()]
    assert len(workers) == 2
    assert not workers & set(importers), "a parser process imported the main module's imports itself"
    assert len(importers) == 2  # the main process and the fork server
    assert "Warning" not in result.stderr, result.stderr  # runpy warns in each worker unless filtered


def test_a_killed_worker_fails_only_its_page():
    async def run():
        pool = ParserPool(workers=1)
        try:
            slow = asyncio.ensure_future(pool.parse("http://127.0.0.1:8000/slow.html", SLOW_PAGE, "text/html",
                                                    "article"))
            after = asyncio.ensure_future(pool.parse(SEED_URL, SEED.read_bytes(), "text/html", "article"))
            deadline = time.monotonic() + 20
            while not workers_of(pool) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # the worker is inside the slow page
            [worker] = workers_of(pool)
            os.kill(worker, signal.SIGKILL)
            return await slow, await after
        finally:
            pool.close()

    slow, after = asyncio.run(run())
    assert slow.page is None and "the parser process died" in slow.error and "-9" in slow.error
    assert after.error is None and after.page.title.startswith("Bưu điện tỉnh")  # the next page: a new worker


def test_a_worker_ignores_ctrl_c_which_is_the_crawls_to_handle():
    async def run():
        pool = ParserPool(workers=1)
        try:
            page = asyncio.ensure_future(pool.parse("http://127.0.0.1:8000/slow.html", SLOW_PAGE[:300_000] +
                                                    b"</div></body></html>", "text/html", "article"))
            deadline = time.monotonic() + 20
            while not workers_of(pool) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.5)
            [worker] = workers_of(pool)
            os.kill(worker, signal.SIGINT)
            return await page
        finally:
            pool.close()

    parsed = asyncio.run(run())
    assert parsed.error is None and parsed.page is not None


def test_a_page_over_the_time_limit_is_stopped_and_the_next_one_parsed():
    async def run():
        pool = ParserPool(workers=1, timeout=0.5)
        try:
            return await asyncio.gather(pool.parse("http://127.0.0.1:8000/slow.html", SLOW_PAGE, "text/html", "article"),
                                        pool.parse(SEED_URL, SEED.read_bytes(), "text/html", "article"))
        finally:
            pool.close()

    slow, after = asyncio.run(run())
    assert slow.page is None and slow.error == "parsing took longer than 0.5 s and was stopped"
    assert after.error is None and after.page.title.startswith("Bưu điện tỉnh")


def test_an_unknown_hint_is_ignored():
    broken = parse_response(SEED_URL, SEED.read_bytes(), "text/html", "article", None, "NoSuchPlatform")
    assert broken.error is None and broken.platform == "NukeViet4"  # an unknown hint is ignored


def test_the_hint_is_tried_first_but_a_version_subclass_still_wins():
    soup = soup_of(SEED.read_bytes().decode("utf-8"))
    assert page_class(SEED_URL, soup) is page_class(SEED_URL, soup, hint="NukeViet4")
    names = [cls.__name__ for cls in PLATFORMS]
    assert "NukeViet3" in names and "NukeViet4" in names
    v3 = soup_of(SEED.read_bytes().decode("utf-8").replace("NukeViet v4.4", "NukeViet v3.4"))
    assert page_class(SEED_URL, v3, hint="NukeViet4").__name__ == "NukeViet3"
    # a page of another platform on a host hinted as NukeViet is still detected as what it is
    dnn = next((SITES / "dnn-hatinh").rglob("*.html"))
    other = soup_of(dnn.read_bytes().decode("utf-8"))
    url = "http://127.0.0.1:8000/" + str(dnn.relative_to(SITES / "dnn-hatinh"))
    assert page_class(url, other, hint="NukeViet4") is page_class(url, other)
    assert read_page(SEED_URL, SEED.read_bytes().decode("utf-8"), "article", hint="NukeViet4")[1] == "NukeViet4"


def test_with_a_hint_every_fixture_page_gets_the_page_object_it_gets_without():
    """Detection with the hint of any page object of the same platform is detection without it."""
    for site in sorted(p for p in SITES.iterdir() if p.is_dir()):
        for file in sorted(site.rglob("*.html"))[:40]:
            url = "http://127.0.0.1:8000/" + str(file.relative_to(site))
            soup = soup_of(file.read_bytes().decode("utf-8", "replace"))
            unhinted = page_class(url, soup)
            for hint in (cls.__name__ for cls in PLATFORMS if cls.platform == unhinted.platform):
                assert page_class(url, soup, hint=hint) is unhinted, (str(file), hint)


def test_a_crawl_parsing_in_its_own_thread_archives_what_the_workers_archive(crawled_archive, tmp_path):
    """`--workers 0` (no processes) and the default (one per core) make the same archive."""
    import sqlite3

    from tests.test_crawl_e2e import CATEGORY, run_crawl
    from fixtures.server import FixtureServer

    db = str(tmp_path / "archive.db")
    with FixtureServer() as server:
        result = run_crawl(server.url(CATEGORY), "--db", db, "--delay", "0", "--workers", "0")
        assert result.returncode == 0, result.stderr[-3000:]

    def articles(path):  # with the fixture server's address taken out (each crawl had its own port)
        conn = sqlite3.connect(path)
        try:
            rows = conn.execute("select url, title, published_at, summary, author, source, category, body_text, "
                                "body_html, platform, extracted_by from articles order by url").fetchall()
            host = rows[0][0].split("/", 3)[2]
        finally:
            conn.close()
        return [tuple(v.replace(host, "HOST") if isinstance(v, str) else v for v in row) for row in rows]

    mine, theirs = articles(db), articles(crawled_archive[0])
    assert len(mine) == 14 and mine == theirs


def test_read_page_frees_the_tree_it_made_without_the_cycle_collector():
    """read_page tears down the tree it parsed (crawler.extract.soup.tear_down) once the page
    is read: every tag and string of it is freed at once, though the collector is off (linked
    both ways, parent and children, they would wait for it), on every fixture page; a tree
    handed in is the caller's, and left whole."""
    import gc
    import weakref

    import crawler.pages.cascade as cascade

    made: list[list[weakref.ref]] = []

    def remembered(html):
        soup = soup_of(html)
        made.append([weakref.ref(node) for node in soup.descendants])
        return soup

    original, cascade.soup_of = cascade.soup_of, remembered
    gc.disable()
    try:
        for path in sorted(SITES.rglob("*.html")):
            made.clear()
            page, _ = read_page(f"http://127.0.0.1:8000/{path.name}", path.read_bytes(), expect="article")
            assert made and made[0] and all(ref() is None for ref in made[0]), f"{path}: the tree outlived read_page"
            assert page is not None
        given = soup_of(SEED.read_bytes())
        read_page(SEED_URL, given, expect="article")
        assert given.find("h1") is not None and given.title is not None  # the caller's tree, whole
    finally:
        cascade.soup_of = original
        gc.enable()


def test_tear_down_refuses_an_element_inside_a_tree():
    from crawler.extract.soup import tear_down

    soup = soup_of("<div><p>a</p></div>")
    try:
        tear_down(soup.find("p"))
    except ValueError as error:
        assert "<p>" in str(error)
    else:
        raise AssertionError("tear_down took an element inside a tree")
    assert soup.find("p").get_text() == "a"  # and left it whole


def test_reading_a_page_leaves_the_cycle_collector_as_it_found_it_and_the_tree_collected():
    """parse_response pauses Python's cycle collector while it reads a page and collects the
    page's objects after: the collector is on again after (off if it was off), and the page's
    tree is gone once the page is read, a broken page too."""
    import gc
    import weakref

    import crawler.extract.soup as soup_module

    made: list[weakref.ref] = []
    original = soup_module.PageSoup.__init__

    def remembered(self, html):
        original(self, html)
        made.append(weakref.ref(self))

    soup_module.PageSoup.__init__ = remembered
    try:
        assert gc.isenabled()
        parsed = parse_response(SEED_URL, SEED.read_bytes(), "text/html; charset=utf-8", "article", None, None)
        assert parsed.page is not None and gc.isenabled()
        assert made and all(ref() is None for ref in made), "the page's tree outlived its reading"
        broken = parse_response(SEED_URL, b"\x00" * 10, "application/x-nonsense", "article", None, None)
        assert gc.isenabled(), f"after {broken.error or broken.page!r}"
        gc.disable()
        try:
            parse_response(SEED_URL, SEED.read_bytes(), "text/html; charset=utf-8", "article", None, None)
            assert not gc.isenabled()
        finally:
            gc.enable()
    finally:
        soup_module.PageSoup.__init__ = original


def test_an_articles_dict_for_the_store_is_asdicts_and_its_own_copy():
    """Article.to_dict (what the store saves) is what dataclasses.asdict gives, field for field,
    images and related links included, and changing it leaves the article as it was."""
    from dataclasses import asdict

    article = parse_response(SEED_URL, SEED.read_bytes(), "text/html; charset=utf-8", "article", None, None).page
    assert article.images and article.related_links and article.extracted_by
    article.images[0].noted_by_a_test = "not a field"  # set on an instance: asdict leaves it out
    found = article.to_dict()
    assert found == asdict(article)
    found["images"][0]["caption"] = found["related_links"][0]["title"] = "changed"
    found["images"].clear()
    found["extracted_by"].clear()
    assert article.images[0].caption != "changed" and article.related_links[0].title != "changed"
    assert article.images and article.extracted_by
