"""The fallback cascade (crawler/pages/cascade.py) on small pages of known platforms in themes their
page objects were not written for. Each page keeps its platform's fingerprint, so detection picks
the platform's page object first; the expected values are read off the HTML below."""

from crawler.pages import parse_page, page_object
from crawler.pages.cascade import Cascade
from crawler.items import Article, Listing

BODY = (
    "<p>Sáng ngày 14/01/2021, Ban Thi đua - Khen thưởng tỉnh tổ chức Hội nghị tổng kết công tác năm 2020, "
    "triển khai nhiệm vụ năm 2021 với sự tham dự của lãnh đạo các sở, ban, ngành.</p>"
    "<p>Năm 2020, Ban đã thẩm định, trình Chủ tịch UBND tỉnh khen thưởng cho 1.126 tập thể và 2.348 cá nhân "
    "có thành tích xuất sắc trong các phong trào thi đua yêu nước.</p>"
    "<p>Năm 2021, Ban tiếp tục đổi mới nội dung, hình thức tổ chức các phong trào thi đua, nâng cao chất lượng "
    "thẩm định hồ sơ khen thưởng và rút ngắn thời gian giải quyết.</p>"
)

NUKEVIET_OTHER_THEME = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="generator" content="NukeViet v4.5">
<title>Hội nghị tổng kết công tác năm 2020 - Ban Thi đua - Khen thưởng tỉnh Lào Cai</title></head><body>
<div class="top-header"><span class="today">Thứ bảy, Ngày 16 Tháng 10 Năm 2021</span></div>
<ul class="main-menu"><li><a href="/vi/news/tin-thi-dua/">Tin thi đua</a></li></ul>
<div class="khung-bai-viet">
 <div class="tieu-de-bai">Hội nghị tổng kết công tác năm 2020</div>
 <div class="dong-thoi-gian">Thứ năm - 14/01/2021 16:20</div>
 <div class="noi-dung-bai">{BODY}<p style="text-align:right"><strong>Minh Châu</strong></p></div>
 <div class="hop-tin-khac"><h3>Tin khác</h3><ul>
  <li><a href="/vi/news/tin-thi-dua/ky-ket-giao-uoc-1250.html">Ký kết giao ước thi đua năm 2021</a> (12/01/2021)</li>
 </ul></div>
</div></body></html>"""

ARTICLE_URL = "http://laocai.example/vi/news/tin-thi-dua/hoi-nghi-tong-ket-1252.html"


def test_platform_detected_but_theme_unknown_falls_back_to_the_generic_page_object():
    assert page_object(ARTICLE_URL, NUKEVIET_OTHER_THEME).platform == "nukeviet"
    article = parse_page(ARTICLE_URL, NUKEVIET_OTHER_THEME, expect="article")
    assert isinstance(article, Article)
    assert article.platform == "nukeviet"  # the portal's CMS, whoever read the fields
    assert article.title == "Hội nghị tổng kết công tác năm 2020"
    assert (article.published_at, article.published_raw) == ("2021-01-14T16:20:00+07:00", "Thứ năm - 14/01/2021 16:20")
    assert article.body_text.split("\n\n")[0].startswith("Sáng ngày 14/01/2021")
    assert article.author == "Minh Châu"
    assert [(r.url, r.title, r.published_raw) for r in article.related_links] == [
        ("http://laocai.example/vi/news/tin-thi-dua/ky-ket-giao-uoc-1250.html", "Ký kết giao ước thi đua năm 2021",
         "(12/01/2021)")]
    assert article.extracted_by["title"] == article.extracted_by["published_at"] == "GenericPage"
    assert article.extracted_by["related_links"] == "GenericPage"


def test_header_today_date_is_implausible_and_the_article_date_is_not():
    cascade = Cascade(page_object(ARTICLE_URL, NUKEVIET_OTHER_THEME))
    title = "Hội nghị tổng kết công tác năm 2020"
    assert cascade.header_date("Thứ bảy, Ngày 16 Tháng 10 Năm 2021", title)
    assert not cascade.header_date("Thứ năm - 14/01/2021 16:20", title)
    assert not cascade.header_date("14/01/2021", title)


LIFERAY_PORTLET_HEADING = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Tin tức - Sự kiện - Cổng thông tin điện tử tỉnh Bắc Kạn</title></head><body>
<nav class="breadcrumb-nav"><a href="/">Trang chủ</a> <a href="/tin-tuc-su-kien">Tin tức - Sự kiện</a></nav>
<section class="portlet" id="portlet_tinchitiet_WAR_portalportlet">
 <div class="portlet-content"><h1 class="portlet-title-text">Tin tức - Sự kiện</h1>
 <div id="p_p_id_tinchitiet_WAR_portalportlet_"><div class="chi-tiet">
  <h2 class="tieu-de">Khối thi đua các huyện ký kết giao ước thi đua năm 2021</h2>
  <p class="ngay-dang">08/01/2021 09:30</p>
  <div class="noi-dung">{BODY}</div>
 </div></div></div>
</section></body></html>"""


def test_a_portlet_heading_is_never_the_title():
    url = "http://backan.example/tin-tuc-su-kien?p_p_id=tinchitiet_WAR_portalportlet&_tinchitiet_WAR_portalportlet_id=77"
    assert page_object(url, LIFERAY_PORTLET_HEADING).platform == "liferay"
    article = parse_page(url, LIFERAY_PORTLET_HEADING, expect="article", category="Tin tức - Sự kiện")
    assert isinstance(article, Article)
    assert article.title == "Khối thi đua các huyện ký kết giao ước thi đua năm 2021"
    assert article.published_at == "2021-01-08T09:30:00+07:00"
    assert article.extracted_by["title"] == "GenericPage"


TANDAN_OTHER_LISTING = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Tin hoạt động</title></head><body>
<form id="aspnetForm" method="post" action="./Tin-hoat-dong.aspx"><input type="hidden" name="__VIEWSTATE" value="x">
<div class="menu-top"><a href="/portal/Pages/default.aspx">Trang chủ</a> <a href="/portal/Pages/Gioi-thieu.aspx">Giới thiệu chung về Sở Nội vụ</a></div>
<div class="khung-tin">
 <div class="dong-tin"><a class="ten-tin" href="/portal/Pages/2021-3-2/Tong-ket-thi-dua-khoi-kinh-teab12cd.aspx">Khối kinh tế tổng kết công tác thi đua năm 2020</a><span class="ngay">(02/03/2021)</span></div>
 <div class="dong-tin"><a class="ten-tin" href="/portal/Pages/2021-2-25/Tap-huan-nghiep-vu-thi-dua-khen-thuongef34gh.aspx">Tập huấn nghiệp vụ thi đua, khen thưởng năm 2021</a><span class="ngay">(25/02/2021)</span></div>
 <div class="dong-tin"><a class="ten-tin" href="/portal/Pages/2021-2-20/Phat-dong-phong-trao-thi-duaij56kl.aspx">Phát động phong trào thi đua chào mừng bầu cử</a><span class="ngay">(20/02/2021)</span></div>
</div>
<div class="phan-trang"><a href="/portal/Pages/Tin-hoat-dong.aspx?PageIndex=2">2</a></div>
</form></body></html>"""


def test_listing_the_platform_cannot_read_is_read_by_the_generic_page_object():
    url = "http://thanhhoa.example/portal/Pages/Tin-hoat-dong.aspx"
    assert page_object(url, TANDAN_OTHER_LISTING).platform == "tandan"
    listing = parse_page(url, TANDAN_OTHER_LISTING, expect="listing")
    assert isinstance(listing, Listing) and listing.platform == "tandan"
    assert [e.title for e in listing.entries] == [
        "Khối kinh tế tổng kết công tác thi đua năm 2020", "Tập huấn nghiệp vụ thi đua, khen thưởng năm 2021",
        "Phát động phong trào thi đua chào mừng bầu cử"]
    assert [e.published_raw for e in listing.entries] == ["(02/03/2021)", "(25/02/2021)", "(20/02/2021)"]
    assert [link.href for link in listing.page_links] == ["http://thanhhoa.example/portal/Pages/Tin-hoat-dong.aspx?PageIndex=2"]
    assert listing.extracted_by == {"entries": "GenericPage", "page_links": "GenericPage"}


def test_a_page_the_platform_reads_keeps_every_field_from_the_platform():
    from fixtures.cases import all_cases

    seed = next(c for c in all_cases() if c.id == "nukeviet/article/seed")
    article = parse_page(seed.meta["url"], (seed.folder / "input.html").read_bytes(), expect="article")
    assert set(article.extracted_by.values()) == {"NukeViet4"}
    assert set(article.extracted_by) >= {"title", "published_at", "body", "images", "related_links", "author"}


def test_an_undated_page_reached_as_a_listing_is_not_made_an_article():
    about = NUKEVIET_OTHER_THEME.replace('<div class="dong-thoi-gian">Thứ năm - 14/01/2021 16:20</div>', "")
    url = "http://laocai.example/vi/page/gioi-thieu.html"
    item = parse_page(url, about, expect="listing")
    assert not isinstance(item, Article)


NUKEVIET_LISTING_OTHER_PAGER = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="generator" content="NukeViet v4.4"><title>Tin thi đua - Ban Thi đua</title></head><body>
<div class="news_column panel panel-default"><div class="panel-body">
 <h3><a href="/vi/news/tin-thi-dua/hoi-nghi-tong-ket-1252.html">Hội nghị tổng kết công tác thi đua năm 2020</a></h3>
 <h3><a href="/vi/news/tin-thi-dua/ky-ket-giao-uoc-1250.html">Ký kết giao ước thi đua năm 2021 của các khối</a></h3>
 <h3><a href="/vi/news/tin-thi-dua/tap-huan-nghiep-vu-1248.html">Tập huấn nghiệp vụ công tác thi đua, khen thưởng</a></h3>
</div></div>
<div class="phan-trang"><span>1</span> <a href="/vi/news/tin-thi-dua/page-2">2</a> <a href="/vi/news/tin-thi-dua/page-3">3</a></div>
</body></html>"""


def test_a_pager_the_platform_misses_is_read_by_the_generic_page_object():
    url = "http://laocai.example/vi/news/tin-thi-dua/"
    platform_only = page_object(url, NUKEVIET_LISTING_OTHER_PAGER).parse("listing")
    assert len(platform_only.entries) == 3 and platform_only.page_links == []
    listing = parse_page(url, NUKEVIET_LISTING_OTHER_PAGER, expect="listing")
    assert [link.href for link in listing.page_links] == [
        "http://laocai.example/vi/news/tin-thi-dua/page-2", "http://laocai.example/vi/news/tin-thi-dua/page-3"]
    assert listing.category == "Tin thi đua"  # the <title> before " - Ban Thi đua": no breadcrumb or heading here
    assert listing.extracted_by == {"entries": "NukeViet4", "page_links": "GenericPage", "category": "GenericPage"}


def test_a_pages_json_ld_is_decoded_once(monkeypatch):
    """The kind, the title, the date and the author all read the JSON-LD; the page object decodes
    each script once (it decoded them three times before :func:`crawler.pages.base.cache_on_page`)."""
    import json
    import types

    import crawler.pages.base as base
    from fixtures.server import SITES

    page = SITES.parent / "pages/generic/article/html5-json-ld/input.html"
    decoded: list[str] = []

    def loads(text, *args, **kwargs):
        decoded.append(text)
        return json.loads(text, *args, **kwargs)

    monkeypatch.setattr(base, "json", types.SimpleNamespace(loads=loads))
    html = page.read_bytes()
    article = parse_page("http://127.0.0.1/guong-dien-hinh/thieu-ta-lo-van-tinh-14213", html)
    assert isinstance(article, Article) and article.published_at, "the JSON-LD page is still read"
    scripts = html.count(b"application/ld+json")
    assert scripts == 2 and len(decoded) == scripts, f"JSON-LD decoded {len(decoded)} times for {scripts} scripts"


def test_an_unclosed_title_element_keeps_its_own_words():
    """crawler.pages.base.heading_text: a heading left unclosed holds the rest of the page; its
    title is its leading words (links and bold included), not the spans and blocks after them."""
    from crawler.extract.body import soup_of
    from crawler.pages.base import heading_text

    def first_h1(html: str) -> str:
        return heading_text(soup_of(f"<html><body>{html}</body></html>").find("h1"))

    assert first_h1("<h1>Hội nghị <b>tổng kết</b> năm 2020<span class=date>14/01/2021</span><div><p>Thân bài."
                    ) == "Hội nghị tổng kết năm 2020"
    assert first_h1("<h1>Hội nghị <span>tổng kết</span></h1><div>Thân bài.</div>") == "Hội nghị tổng kết"
    assert first_h1("<h1><div>Tiêu đề trong khối</div></h1>") == "Tiêu đề trong khối"
    assert first_h1("<h1><!-- tiêu đề -->Tiêu đề<br>dòng hai<p>Thân bài.") == "Tiêu đề dòng hai"
