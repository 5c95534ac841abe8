"""Fixture-driven page-object tests: one test per (case, field), so a failure names the field.

Cases live in fixtures/pages/<platform>/<kind>/<case>/ (see fixtures/cases.py). After a
deliberate change, `python fixtures/cases.py` rewrites expected.json for review with git diff.
"""

import re
import unicodedata

import pytest

from crawler.extract.body import soup_of
from crawler.pages import is_duplicate_url, page_object
from crawler.pages.detect import PLATFORMS, page_class
from fixtures.cases import PAGES, all_cases

CASES = all_cases()
FIELDS = [(case, field) for case in CASES for field in sorted(case.expected)]


_EXTRACTED: dict[str, dict | Exception] = {}


def extracted(case) -> dict:
    """The case's extraction, made once per session. A page object that raises on one case
    fails that case's tests only (with its error), not every test of every case."""
    if case.id not in _EXTRACTED:
        try:
            _EXTRACTED[case.id] = case.extract()
        except Exception as error:  # noqa: BLE001 - reported by each of the case's tests
            _EXTRACTED[case.id] = error
    result = _EXTRACTED[case.id]
    if isinstance(result, Exception):
        pytest.fail(f"{case.id}: extraction raised {type(result).__name__}: {result}")
    return result


@pytest.mark.parametrize("case, field", FIELDS, ids=[f"{c.id}:{f}" for c, f in FIELDS])
def test_field(case, field):
    assert extracted(case).get(field) == case.expected[field]


def test_every_case_has_expected_output():
    assert CASES, "no fixture cases found"
    for case in CASES:
        assert (case.folder / "expected.json").exists(), case.id
        assert re.fullmatch(r"[a-z0-9/_-]+", case.id), f"fixture names are ASCII slugs: {case.id}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_no_extra_fields(case):
    assert set(extracted(case)) == set(case.expected), case.id


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_all_text_is_nfc(case):
    for text in _strings(extracted(case)):
        assert unicodedata.is_normalized("NFC", text), (case.id, text[:60])


def test_seed_body_is_the_seed_text():
    """The seed fixture's body paragraphs equal seed-article.txt's (captions and byline excluded)."""
    seed = next(c for c in CASES if c.id == "nukeviet/article/seed")
    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in
                  (seed.folder / "seed-article.txt").read_text(encoding="utf-8").split("\n\n") if p.strip()]
    first = next(i for i, p in enumerate(paragraphs) if p.startswith("Sáng ngày 22/12"))
    end = paragraphs.index("Hoàng Nhi")
    captions = [p for p in paragraphs[first:end] if p.startswith("Đ/c Hà Thị Minh Hạnh")]
    body = [p for p in paragraphs[first + 1:end] if p not in captions]
    data = seed.extract()
    assert data["summary"] == paragraphs[first]
    assert data["body_text"].split("\n\n") == body
    assert [i["caption"] for i in data["images"]] == captions
    assert data["author"] == paragraphs[end]
    related = paragraphs[paragraphs.index("Tin khác") + 1:]
    assert [f"{r['title']} {r['published_raw']}" for r in data["related_links"]] == related


def test_header_today_date_is_never_the_publication_date():
    case = next(c for c in CASES if c.id == "nukeviet/article/no-date")
    assert "Ngày 16 Tháng 10 Năm 2021" in (case.folder / "input.html").read_text(encoding="utf-8")
    data = case.extract()
    assert data["published_at"] is None and data["published_raw"] is None


def test_hostile_body_is_sanitized():
    data = next(c for c in CASES if c.id == "nukeviet/article/hostile-body").extract()
    html = data["body_html"].lower()
    for forbidden in ("<script", "onclick", "onerror", "javascript:", "pwned"):
        assert forbidden not in html
    assert "pwned" not in data["body_text"]


def test_print_view_is_a_duplicate_of_the_article():
    data = next(c for c in CASES if c.id == "nukeviet/other/print-view").extract()
    assert data["kind"] == "NotArticle"
    assert data["canonical_url"].endswith("/vi/news/tin-hoat-dong-cum-khoi-thi-dua/"
                                          "buu-dien-tinh-to-chuc-hoi-nghi-trien-khai-ke-hoach-va-phat-dong-phong-trao-"
                                          "thi-dua-nam-2021-1240.html")


@pytest.mark.parametrize("url, duplicate", [
    ("http://x/vi/news/print/cat/a-1.html", True),
    ("http://x/vi/news/savefile/cat/a-1.html", True),
    ("http://x/vi/news/sendmail/cat/a-1.html", True),
    ("http://x/index.php?nv=news&op=print/Cat/A-1", True),
    ("http://x/vi/news/cat/a-1.html", False),
    ("http://x/vi/news/cat/page-2", False),
])
def test_duplicate_view_urls(url, duplicate):
    assert is_duplicate_url(url) is duplicate


def test_platform_detected_for_every_case():
    for case in CASES:
        platform = case.id.split("/")[0]
        page = page_object(case.meta["url"], (case.folder / "input.html").read_bytes())
        assert page.platform == platform, case.id


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_exactly_one_platform_claims_each_case_at_the_top_priority(case):
    """Detection's precedence is the priority alone: of the page objects whose fingerprint fits a
    page, those of the highest priority belong to one platform, the case's (none fits a generic
    case). A tie between platforms would be settled by module order: that never decides."""
    soup = soup_of((case.folder / "input.html").read_bytes())
    fits = [cls for cls in PLATFORMS if cls.matches(case.meta["url"], soup)]
    platform = case.id.split("/")[0]
    if platform == "generic":
        assert not fits, f"{case.id}: claimed by {[c.__name__ for c in fits]}"
        return
    top = max(cls.priority for cls in fits)
    assert {cls.platform for cls in fits if cls.priority == top} == {platform}, (
        case.id, [(c.__name__, c.priority) for c in fits])


def test_a_hint_never_overrides_a_higher_priority():
    """Detection once per portal tries the host's platform first, but what outranks it still
    wins: a Tân Dân page on a host whose earlier pages were SharePoint's is Tân Dân's."""
    case = next(c for c in CASES if c.id.startswith("tandan/article/"))
    soup = soup_of((case.folder / "input.html").read_bytes())
    assert any(cls.platform == "sharepoint" and cls.matches(case.meta["url"], soup) for cls in PLATFORMS), \
        "this check needs a Tân Dân page that SharePoint's page objects would claim too"
    assert page_class(case.meta["url"], soup, hint="SharePointPublishing").platform == "tandan"


def test_case_folders_are_complete():
    for folder in PAGES.glob("*/*/*"):
        if folder.is_dir():
            assert {"input.html", "meta.json", "expected.json"} <= {p.name for p in folder.iterdir()}, folder


def test_title_date_split_only_for_bracketed_dates():
    from crawler.pages.base import split_title_date

    assert split_title_date("Khối Kinh tế ngành tổng kết (16/12/2020 10:20)") == ("Khối Kinh tế ngành tổng kết",
                                                                                  "(16/12/2020 10:20)")
    assert split_title_date("Thông báo kết luận ngày 15/3/2021") == ("Thông báo kết luận ngày 15/3/2021", None)
    assert split_title_date("Hội nghị [Ngày 20-03-2012]") == ("Hội nghị", "[Ngày 20-03-2012]")


@pytest.mark.parametrize("last_line, author", [
    ('<p style="text-align: right;"><strong>Hoàng Nhi</strong></p>', "Hoàng Nhi"),
    ('<p style="text-align:right"><b>Lan Anh</b></p>', "Lan Anh"),
    ("<p><strong>Thu Hà</strong></p>", "Thu Hà"),
    ("<p>Tác giả: Minh Phương</p>", "Minh Phương"),
    ('<p style="text-align: right;"><em>Ảnh: Minh Hà</em></p>', None),
    ('<p style="text-align: right;">Hà Giang, ngày 24/12/2020</p>', None),
    ("<p><strong>Kết quả cụ thể như sau.</strong></p>", None),
    ("<p>Hội nghị kết thúc tốt đẹp</p>", None),
])
def test_byline_shapes(last_line, author):
    from crawler.extract.body import extract_body, soup_of

    soup = soup_of(f"<div id=b><p>Đoạn văn đầu tiên của bài viết, đủ dài để là nội dung.</p>{last_line}</div>")
    body = extract_body(soup.find(id="b"), "http://x/a.html")
    assert body.author == author
    assert (author is None) == (len(body.text.split("\n\n")) == 2)


@pytest.mark.parametrize("markup, caption", [
    ('<figure class="image"><img src="a.jpg"><figcaption>Quang cảnh</figcaption></figure>', "Quang cảnh"),
    ('<p style="text-align:center"><img src="a.jpg"></p><p style="text-align:center"><em>Quang cảnh</em></p>',
     "Quang cảnh"),
    ('<p><img src="a.jpg"></p><p><i>Quang cảnh</i></p>', "Quang cảnh"),
    ('<table><tr><td><img src="a.jpg"></td></tr><tr><td>Quang cảnh</td></tr></table>', "Quang cảnh"),
    ('<div id="imghome"><a href="a.jpg"><img src="a.jpg"></a><p><em>Quang cảnh</em></p></div>', "Quang cảnh"),
    ('<p><img src="a.jpg"></p><p>Đoạn văn bình thường tiếp theo không phải chú thích ảnh.</p>', None),
    # The caption inside the image's own paragraph, after a line break.
    ('<p style="text-align:center"><img src="a.jpg"><br><em>Quang cảnh</em></p>', "Quang cảnh"),
    ('<p><a href="a.jpg"><img src="a.jpg"></a><br />\n<span style="font-size:12px"><em>Quang cảnh</em></span></p>',
     "Quang cảnh"),
    ('<p><img src="a.jpg"><br>Quang cảnh hội nghị tổng kết</p>', "Quang cảnh hội nghị tổng kết"),
    ('<p><img src="a.jpg"><br>Quang cảnh hội nghị đã diễn ra trang trọng, với sự tham dự của nhiều đại biểu.</p>',
     None),
    # Two-row tables: caption row below (any cell markup), above, or after an empty spacer row; <caption>.
    ('<table align="center"><tbody><tr><td><img src="a.jpg" style="width:600px"></td></tr><tr><td style="text-align:'
     'center"><span style="font-size:12px"><em>Quang cảnh</em></span></td></tr></tbody></table>', "Quang cảnh"),
    ('<table><tr><td><p><em>Quang cảnh</em></p></td></tr><tr><td><img src="a.jpg"></td></tr></table>', "Quang cảnh"),
    ('<table><tr><td><img src="a.jpg"></td></tr><tr><td>&nbsp;</td></tr><tr><td>Quang cảnh</td></tr></table>',
     "Quang cảnh"),
    ('<table><caption>Quang cảnh</caption><tr><td><img src="a.jpg"></td></tr></table>', "Quang cảnh"),
    ('<table><tr><td><img src="a.jpg"><br><i>Quang cảnh</i></td></tr></table>', "Quang cảnh"),
])
def test_caption_shapes(markup, caption):
    from crawler.extract.body import extract_body, soup_of

    soup = soup_of(f"<div id=b><p>Mở đầu.</p>{markup}</div>")
    body = extract_body(soup.find(id="b"), "http://x/a.html")
    assert [(i.src, i.caption) for i in body.images] == [("http://x/a.jpg", caption)]
    assert ("Quang cảnh" in body.text) is (caption is None and "Quang cảnh" in markup)


def test_captions_of_side_by_side_images_follow_their_columns():
    from crawler.extract.body import extract_body, soup_of

    soup = soup_of('<div id=b><p>Mở đầu.</p><table><tr><td><img src="a.jpg"></td><td><img src="b.jpg"></td></tr>'
                   '<tr><td>Ảnh trái</td><td>Ảnh phải</td></tr></table></div>')
    body = extract_body(soup.find(id="b"), "http://x/a.html")
    assert [(i.src, i.caption) for i in body.images] == [("http://x/a.jpg", "Ảnh trái"), ("http://x/b.jpg", "Ảnh phải")]
    assert body.text == "Mở đầu."


def test_a_caption_whose_image_is_not_in_the_markup_is_not_body_text():
    from crawler.extract.body import extract_body, soup_of

    soup = soup_of('<div id=b><p>Mở đầu.</p><figure><figcaption>Quang cảnh</figcaption></figure>'
                   '<div class="gallery-item"><div class="caption">Ảnh: Minh Hà</div></div><p>Kết thúc.</p></div>')
    assert extract_body(soup.find(id="b"), "http://x/a.html").text == "Mở đầu.\n\nKết thúc."


@pytest.mark.parametrize("base, expected", [
    ("/joomla/", "http://portal.example/joomla/images/a.jpg"),  # Joomla's own base: honoured
    ("http://evil.example/x/", "http://portal.example/tin/images/a.jpg"),  # another host: ignored
    ("javascript:alert(1)//", "http://portal.example/tin/images/a.jpg"),
])
def test_base_href_is_honoured_on_the_same_host_only(base, expected):
    from bs4 import BeautifulSoup

    from crawler.pages.base import resolve_base_href
    from crawler.extract.urls import absolute

    soup = BeautifulSoup(f'<html><head><base href="{base}"></head><body><img src="images/a.jpg"></body></html>',
                         "lxml")
    resolve_base_href(soup, "http://portal.example/tin/a-1.html")
    assert absolute(soup.img["src"], "http://portal.example/tin/a-1.html") == expected


@pytest.mark.parametrize("name", ["generator", "GENERATOR", "Generator"])
@pytest.mark.parametrize("content, platform", [("NukeViet v4.0", "nukeviet"), ("NukeViet v3.4", "nukeviet"),
                                               ("Joomla! 1.5 - Open Source Content Management", "joomla"),
                                               ("DotNetNuke", "dnn"), ("Microsoft SharePoint", "sharepoint")])
def test_every_platform_reads_the_generator_meta_in_any_case(name, content, platform):
    """One reading of <meta name="generator"> for every fingerprint (the name's case varies by portal)."""
    html = f'<html><head><meta name="{name}" content="{content}"><title>x</title></head><body><p>x</p></body></html>'
    assert page_class("http://portal.example.vn/a.html", soup_of(html)).platform == platform
