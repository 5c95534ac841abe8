"""The archive in a real browser: Playwright (from PyPI) driving Debian's Chromium against
`newsarchive serve` on 127.0.0.1. `.ci/run` installs both; elsewhere these tests are skipped
when /usr/bin/chromium is missing (in CI they fail instead)."""

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from archive import store
from crawler.pages import parse_page

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("Chromium is missing: .ci/run must install Debian's chromium package")
    pytest.skip("Debian chromium is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402

SITE = Path(__file__).resolve().parent.parent / "fixtures" / "sites" / "nukeviet-hagiang"
CATEGORY = SITE / "vi" / "news" / "tin-hoat-dong-cum-khoi-thi-dua"
BASE = "http://portal.invalid/vi/news/tin-hoat-dong-cum-khoi-thi-dua/"  # never fetched
SEED_TITLE = "Bưu điện tỉnh tổ chức Hội nghị triển khai kế hoạch và phát động phong trào thi đua năm 2021"
HOSTILE_TITLE = "Khối các doanh nghiệp Nhà nước tổng kết công tác thi đua năm 2020"
PLANTED = ('<script>window.__pwned = 1; document.title = "pwned";</script>'
           '<img src="/nonexistent.png" onerror="window.__pwned = 2">'
           '<a id="planted" href="javascript:window.__pwned = 3">xem</a>'
           '<p onclick="window.__pwned = 4" id="planted-p">Đoạn có sự kiện onclick</p>')
PLANTED_LINK = "javascript:window.__pwned = 5"
PLANTED_LINK_TITLE = "Tin liên quan có địa chỉ javascript"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "archive.db"
    db = store.open_db(str(path))
    for file in sorted(CATEGORY.glob("*-[0-9]*.html")):
        article = parse_page(BASE + file.name, file.read_bytes())
        store.save_portal(db, "hagiang-tdkt", name=article.site_name, base_url="http://portal.invalid/",
                          platform=article.platform, seen_at="2026-11-26T09:00:00+07:00", province="Hà Giang")
        store.save_article(db, article.to_dict(), portal="hagiang-tdkt", seen_at="2026-11-26T09:00:00+07:00")
        if article.title == HOSTILE_TITLE:  # its response as stored, with a script planted in it
            store.save_snapshot(db, {"url": article.url, "fetched_at": "2026-11-26T09:00:00+07:00", "status": 200,
                                     "headers": {"Content-Type": "text/html; charset=utf-8"},
                                     "body": file.read_bytes().replace(b"</body>", PLANTED.encode() + b"</body>")})
    run = store.start_crawl_run(db, [BASE], "2026-11-26T09:00:00+07:00")
    store.finish_crawl_run(db, run, "2026-11-26T09:01:00+07:00", {"pages_fetched": 20, "articles_new": 14, "failures": 2})
    db.close()
    # A script planted straight into the stored body (bypassing the crawler's sanitizer), as an
    # older or hand-edited archive might hold it: the page must still not run it.
    conn = sqlite3.connect(path)
    conn.execute("update articles set body_html = body_html || ? where title = ?", [PLANTED, HOSTILE_TITLE])
    # And a javascript: URL as a related link of the same article, as an imported archive might hold it.
    conn.execute("insert into related_links (article_id, position, url, title) "
                 "select id, 99, ?, ? from articles where title = ?", [PLANTED_LINK, PLANTED_LINK_TITLE, HOSTILE_TITLE])
    conn.commit()
    conn.close()
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "archive.cli", "serve", "--db", str(path), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("newsarchive serve did not start")
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []
    dialogs: list[str] = []

    def only_loopback(route):
        if route.request.url.startswith(server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.outside_requests = outside
    page.dialogs = dialogs
    yield page
    context.close()


def test_search_without_diacritics_then_read_the_seed_article(page, server):
    page.goto(server + "/search")
    page.fill("input[name=q]", "thi dua buu dien")
    page.click("button[type=submit]")
    page.wait_for_selector(".na-results li")
    titles = page.locator(".na-results .na-title a").all_inner_texts()
    assert SEED_TITLE in titles
    marks = page.locator(".na-results mark").all_inner_texts()
    assert "đua" in [m.lower() for m in marks] and "Bưu" in marks  # shown with diacritics, though typed without
    page.click(f"text={SEED_TITLE}")
    page.wait_for_selector("article.na-article h1")
    assert page.inner_text("article.na-article h1") == SEED_TITLE
    captions = page.locator("figcaption, .na-body p em").all_inner_texts()
    assert "Đ/c Hà Thị Minh Hạnh - Phó Chủ tịch UBND tỉnh phát biểu tại Hội nghị" in captions
    assert ("Đ/c Hà Thị Minh Hạnh - Phó Chủ tịch UBND tỉnh thừa ủy quyền của TTCP trao Cờ thi đua Chính phủ "
            "cho Bưu điện tỉnh") in captions
    images = page.locator(".na-body img")
    assert images.count() == 2 and page.locator(".na-body figure img + figcaption").count() == 1
    assert "Hoàng Nhi" in page.inner_text(".na-byline")


def test_filters_in_the_form(page, server):
    page.goto(server + "/search?q=thi+dua")
    page.select_option("select[name=sort]", "newest")
    page.fill("input[name=from]", "2020-12-20")
    page.fill("input[name=to]", "2020-12-28")
    page.click("button[type=submit]")
    page.wait_for_selector(".na-results li")
    times = page.locator(".na-results .na-meta time")
    dates = [times.nth(i).get_attribute("datetime")[:10] for i in range(times.count())]
    assert dates and all("2020-12-20" <= d <= "2020-12-28" for d in dates) and dates == sorted(dates, reverse=True)
    shown = times.all_inner_texts()  # as Vietnamese readers write them: 24/12/2020 08:15
    assert all(re.fullmatch(r"\d\d/12/2020 \d\d:\d\d", text) for text in shown), shown
    assert shown[0][:10] == "/".join(reversed(dates[0].split("-")))
    assert set(page.locator(".na-results .na-portal").all_inner_texts()) == {"Ban Thi đua - Khen thưởng tỉnh Hà Giang"}


def test_bad_query_shows_a_friendly_message(page, server):
    page.goto(server + "/search")
    page.fill("input[name=q]", '"thi dua')
    page.press("input[name=q]", "Enter")
    page.wait_for_selector(".na-notes")
    assert "Unbalanced quote" in page.inner_text(".na-notes")
    assert page.locator(".na-results li").count() > 0


def test_planted_script_does_not_run(page, server):
    page.goto(server + "/search?q=" + "doanh nghiep nha nuoc tong ket")
    page.click(f"text={HOSTILE_TITLE}")
    page.wait_for_selector("article.na-article h1")
    page.wait_for_timeout(300)  # let an onerror handler fire, if one had survived
    assert page.evaluate("window.__pwned") is None
    assert page.title() != "pwned"
    if page.locator("#planted").count():
        page.click("#planted")
    if page.locator("#planted-p").count():
        page.click("#planted-p")
    assert page.evaluate("window.__pwned") is None
    assert page.dialogs == []
    assert "Đoạn có sự kiện onclick" in page.inner_text(".na-body")  # the text stays, the handler goes


def test_a_javascript_related_link_is_shown_unlinked(page, server):
    page.goto(server + "/search?q=" + "doanh nghiep nha nuoc tong ket")
    page.click(f"text={HOSTILE_TITLE}")
    page.wait_for_selector("article.na-article h1")
    planted = page.get_by_text(PLANTED_LINK_TITLE)
    assert planted.count() == 1, "the related link's title is still shown"
    assert planted.evaluate("e => e.closest('a') === null"), "but not as a link"
    assert page.locator("a[href^='javascript']").count() == 0
    planted.click()
    assert page.evaluate("window.__pwned") is None


def test_a_very_long_query_answers_at_once_with_a_note(page, server):
    page.goto(server + "/search")
    page.fill("input[name=q]", "thi " * 200)
    started = time.monotonic()
    page.press("input[name=q]", "Enter")
    page.wait_for_selector(".na-notes")
    took = time.monotonic() - started
    assert "only its start was searched" in page.inner_text(".na-notes")
    assert page.locator(".na-results li").count() > 0
    assert took < 2, f"the search page took {took:.1f} s"


def test_no_request_leaves_the_server(page, server):
    for path in ["/", "/search?q=thi+dua", "/archive/articles", "/-/dashboards/archive"]:
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
    assert [u for u in page.outside_requests if not u.startswith("data:")] == []


def test_charts_draw_offline(page, server):
    page.goto(server + "/-/dashboards/archive")
    page.wait_for_selector(".vega-embed svg, .vega-embed canvas", timeout=30_000)
    page.wait_for_load_state("networkidle")
    drawn = page.locator(".vega-embed svg, .vega-embed canvas").count()
    assert drawn >= 3  # per-month by portal, by category, crawl health (at least)
    assert [u for u in page.outside_requests if not u.startswith("data:")] == []


FILTERS = ["select[name=portal]", "select[name=category]", "input[name=from]", "input[name=to]", "select[name=sort]"]
#: For each filter control: its width in em, and whether every value it offers (each option's
#: text) fits, or the control spans the form.
MEASURE = """selector => {
  const control = document.querySelector(selector);
  const style = getComputedStyle(control);
  const em = parseFloat(style.fontSize);
  const texts = control.tagName === 'SELECT' ? [...control.options].map(o => o.text) : [control.value];
  const canvas = document.createElement('canvas').getContext('2d');
  canvas.font = style.font;
  const box = control.getBoundingClientRect();
  const room = control.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
               - (control.tagName === 'SELECT' ? 20 : 24);  // the arrow / the calendar button
  return {widthEm: box.width / em, left: box.left, right: box.right,
          textFits: control.tagName === 'INPUT' || box.width >= 0.9 * control.form.clientWidth
                    || texts.every(text => canvas.measureText(text).width <= room)};
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_filters_are_readable_on_desktop_and_phone(browser, server, width):
    """Each filter is at least 10 em wide, inside the window, and shows any value it offers whole."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(server + "/search?q=thi+dua&portal=hagiang-tdkt&category=Tin+ho%E1%BA%A1t+%C4%91%E1%BB%99ng+c%E1%BB%A5m"
                       "%2C+kh%E1%BB%91i+thi+%C4%91ua&from=2020-12-01&to=2021-01-31&sort=newest")
    try:
        measured = {selector: page.evaluate(MEASURE, selector) for selector in FILTERS}
        narrow = {s: round(m["widthEm"], 1) for s, m in measured.items() if m["widthEm"] < 10}
        assert not narrow, f"filters narrower than 10 em at {width} px: {narrow}"
        outside = [s for s, m in measured.items() if m["left"] < 0 or m["right"] > width]
        assert not outside, f"filters outside the window at {width} px: {outside}"
        cut = [s for s, m in measured.items() if not m["textFits"]]
        assert not cut, f"selected values cut at {width} px: {cut}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    finally:
        context.close()


def test_the_articles_table_is_browsable(page, server):
    """/archive/articles: compact rows (no body columns), descriptions folded away, each title a
    link to the reading page; the row page keeps the body."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(server + "/archive/articles")
    rows = page.locator("table.rows-and-columns tbody tr")
    heights = [rows.nth(i).bounding_box()["height"] for i in range(rows.count())]
    assert rows.count() == 14 and max(heights) < 150, f"row heights {max(heights):.0f} px"
    for column in ("body_text", "body_html", "search_folded", "search_marked"):
        assert not page.locator(f"td.col-{column}").first.is_visible(), column
    descriptions = page.locator("dl.column-descriptions")
    assert descriptions.count() == 1 and not descriptions.is_visible(), "the column descriptions fill the first screen"
    page.locator("summary", has_text="Column descriptions").click()
    assert descriptions.is_visible()
    first = page.locator("td.col-title a").first
    title = first.inner_text()
    first.click()
    page.wait_for_selector("article.na-article h1")
    assert page.inner_text("article.na-article h1") == title and "/article/" in page.url
    reading_page = page.url
    page.go_back()
    page.locator("td.col-id a").first.click()  # Datasette's own row page
    page.wait_for_load_state()
    assert page.locator("td.col-body_text").first.is_visible()
    link = page.locator("td.col-title a")
    assert link.inner_text() == title and server + link.get_attribute("href") == reading_page


def test_the_page_as_archived_runs_nothing_and_loads_nothing_from_the_portal(page, server):
    page.goto(server + "/search?q=" + "doanh nghiep nha nuoc tong ket")
    page.click(f"text={HOSTILE_TITLE}")
    page.wait_for_selector("article.na-article h1")
    page.wait_for_load_state("networkidle")
    page.outside_requests.clear()  # the reading page still shows images from the portal (not archived yet)
    page.click("text=page as archived")
    page.wait_for_selector("iframe.na-snapshot-frame")
    assert "2026-11-26" not in page.inner_text(".na-snapshot-banner") and "26/11/2026 09:00" in page.inner_text(
        ".na-snapshot-banner")
    frame = page.frame_locator("iframe.na-snapshot-frame")
    frame.locator("text=Đoạn có sự kiện onclick").wait_for()
    assert HOSTILE_TITLE in frame.locator("body").inner_text()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    if frame.locator("#planted-p").count():
        frame.locator("#planted-p").click()
    assert page.evaluate("window.__pwned") is None and page.dialogs == []
    [inner] = [f for f in page.frames if f.url.endswith("/page")]
    assert inner.evaluate("window.__pwned") is None and inner.evaluate("document.scripts.length") == 0
    assert [u for u in page.outside_requests if not u.startswith("data:")] == []
    page.click("text=Reading page")  # back to the article from the banner
    page.wait_for_selector("article.na-article h1")
    assert page.inner_text("article.na-article h1") == HOSTILE_TITLE
