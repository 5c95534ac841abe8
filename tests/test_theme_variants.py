"""Small pages of the shapes the theme-variant fixture portals first failed on, one rule each
(the sites themselves are crawled end to end by tests/test_sites_e2e.py)."""

from __future__ import annotations

import pytest

from crawler.extract.body import Body, byline_of, split_bold_lead
from crawler.extract.urls import is_document
from crawler.items import Listing
from crawler.pages.base import _shown_date
from crawler.pages.cascade import parse_page
from crawler.pages.generic import GenericPage, _listing_key, page_number
from crawler.extract.body import soup_of


@pytest.mark.parametrize("line, expected", [
    ("Lan Anh - Nguồn: Ban Thi đua - Khen thưởng tỉnh", ("Lan Anh", "Ban Thi đua - Khen thưởng tỉnh")),
    ("Tác giả: Kim Ngân Nguồn tin: Báo Ninh Thuận", ("Kim Ngân", "Báo Ninh Thuận")),
    ("(Nguồn: Báo Điện Biên Phủ)", (None, "Báo Điện Biên Phủ")),
    ("(Theo Cổng TTĐT tỉnh Quảng Bình)", (None, "Cổng TTĐT tỉnh Quảng Bình")),
    ("Tin, ảnh: Minh Hà", ("Minh Hà", None)),
    ("Trong năm, nguồn: kinh phí của tỉnh", None),  # not a name before "nguồn"
    ("Ảnh: Minh Hà", None),  # a photo credit is no author
])
def test_byline_lines(line, expected):
    assert byline_of(line) == expected


def test_a_bold_first_paragraph_is_the_sapo_only_when_long_and_followed_by_more():
    lead = "Sáng 15/3, Hội đồng Thi đua - Khen thưởng tỉnh tổ chức Hội nghị tổng kết công tác năm 2020."
    body = Body(text=f"{lead}\n\nĐoạn hai.", html=f"<p><strong>{lead}</strong></p><p>Đoạn hai.</p>")
    summary, rest = split_bold_lead(body)
    assert summary == lead and rest.text == "Đoạn hai." and "strong" not in rest.html
    short = Body(text="Tin vắn\n\nĐoạn hai.", html="<p><strong>Tin vắn</strong></p><p>Đoạn hai.</p>")
    assert split_bold_lead(short) == (None, short)
    half = Body(text=f"{lead}\n\nĐoạn hai.", html=f"<p><strong>Sáng 15/3,</strong> {lead[11:]}</p><p>Đoạn hai.</p>")
    assert split_bold_lead(half)[0] is None


def test_published_raw_is_the_visible_time_text_unless_the_attribute_knows_more():
    soup = soup_of('<time datetime="2021-03-15T08:30:00+07:00">Thứ hai, 15/03/2021 08:30</time>'
                   '<time datetime="2021-03-10T09:12:00+07:00">10/03/2021</time>')
    shown, coarser = soup.find_all("time")
    assert _shown_date(shown) == "Thứ hai, 15/03/2021 08:30"
    assert _shown_date(coarser) == "2021-03-10T09:12:00+07:00"


def test_documents_are_not_pages():
    assert is_document("http://x/Lists/VanBan/Attachments/58/KH-15-BTDKT-2023.pdf")
    assert is_document("http://x/uploads/a.DOCX")
    assert not is_document("http://x/tin-tuc/bai-viet-1.aspx?id=3")


@pytest.mark.parametrize("url, page", [
    ("http://x/index.php?language=vi&nv=news&op=Tin-hoat-dong/page-2", 2),
    ("http://x/tabid/312/currentpage/3/Default.aspx", 3),
    ("http://x/Tin-tuc/TabId/118/PgrID/640/PageID/2/Default.aspx", 2),
    ("http://x/tin-tuc?p_p_id=news_INSTANCE_a&p_p_lifecycle=0&_news_INSTANCE_a_delta=4&_news_INSTANCE_a_cur=3", 3),
])
def testpage_numbers_in_query_values_paths_and_portlet_parameters(url, page):
    assert page_number(url) == page


def test_a_portlets_state_parameters_do_not_tell_its_pages_apart():
    first = "http://x/tin-tuc-su-kien"
    third = ("http://x/tin-tuc-su-kien?p_p_id=dsnews_INSTANCE_k3&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view"
             "&_dsnews_INSTANCE_k3_delta=4&_dsnews_INSTANCE_k3_resetCur=false&_dsnews_INSTANCE_k3_cur=3")
    assert _listing_key(first) == _listing_key(third)


SHORT_LAST_PAGE = """<html><head><title>Tin hoạt động - Sở Nội vụ</title></head><body>
<div class="noi-dung"><div class="ds-tin">
 <div class="tin-muc tin-dau"><a href="/tin-hoat-dong/hoi-nghi-tong-ket-1.html">Hội nghị tổng kết công tác thi đua năm 2020</a>
  <span>(15/03/2021)</span><p>Sáng 15/3, Hội đồng Thi đua - Khen thưởng tỉnh tổ chức hội nghị tổng kết.</p></div>
 <div class="tin-muc"><a href="/tin-hoat-dong/ky-ket-giao-uoc-2.html">Cụm thi đua các huyện ký kết giao ước thi đua</a>
  <span>(10/03/2021)</span><p>Ngày 09/3, Cụm thi đua các huyện phía Bắc ký kết giao ước thi đua năm 2021.</p></div>
</div><div class="phan-trang"><a href="/tin-hoat-dong/trang-1.html">1</a> <a href="/tin-hoat-dong/trang-2.html">2</a> 3</div></div>
<div class="cot-hai"><div class="hop"><b>Đọc nhiều</b><ul>
 <li><a href="/tin-hoat-dong/tap-huan-nghiep-vu-3.html">Tập huấn nghiệp vụ công tác thi đua, khen thưởng</a></li>
 <li><a href="/tin-hoat-dong/phat-dong-thi-dua-4.html">Phát động phong trào thi đua vì người nghèo</a></li>
 <li><a href="/tin-hoat-dong/so-ket-khoi-5.html">Sơ kết công tác thi đua khối các cơ quan Đảng</a></li>
 <li><a href="/tin-hoat-dong/hoi-thi-6.html">Hội thi tìm hiểu Luật Thi đua, khen thưởng</a></li></ul></div>
 <div class="hop"><b>Văn bản mới</b><ul>
 <li><a href="/van-ban/kh-15.pdf">Kế hoạch số 15/KH-BTĐKT về các phong trào thi đua</a> <span>05/05/2023</span></li>
 <li><a href="/van-ban/hd-02.pdf">Hướng dẫn số 02/HD-BTĐKT về quy trình khen thưởng</a> <span>04/05/2023</span></li>
 <li><a href="/van-ban/qd-120.doc">Quyết định số 120/QĐ-UBND ban hành quy chế</a> <span>03/05/2023</span></li></ul></div></div>
</body></html>"""


def test_a_short_last_page_beats_a_bare_sidebar_and_a_block_of_documents():
    listing = GenericPage("http://x/tin-hoat-dong/trang-3.html", SHORT_LAST_PAGE).parse("listing")
    assert isinstance(listing, Listing)
    assert [entry.title for entry in listing.entries] == [
        "Hội nghị tổng kết công tác thi đua năm 2020", "Cụm thi đua các huyện ký kết giao ước thi đua"]
    assert [entry.published_raw for entry in listing.entries] == ["(15/03/2021)", "(10/03/2021)"]


def test_a_breadcrumb_ending_with_the_title_gives_the_category_before_it():
    html = """<html><head><meta name="generator" content="Joomla! - Open Source Content Management"></head><body>
    <ul class="breadcrumb"><li><a href="/">Trang chủ</a></li><li><a href="/tin-tuc/thi-dua.html">Thi đua - Khen thưởng</a></li>
    <li><span>Hội nghị tổng kết công tác thi đua năm 2020</span></li></ul>
    <div class="item-page"><div class="page-header"><h2>Hội nghị tổng kết công tác thi đua năm 2020</h2></div>
    <time datetime="2021-03-15T08:30:00+07:00">15/03/2021 08:30</time>
    <div itemprop="articleBody"><p>Dự Hội nghị có lãnh đạo Ban Thi đua - Khen thưởng Trung ương và lãnh đạo tỉnh.</p>
    <p>Năm 2020, các phong trào thi đua được triển khai sâu rộng, gắn với nhiệm vụ phát triển kinh tế - xã hội.</p></div></div>
    </body></html>"""
    article = parse_page("http://x/tin-tuc/thi-dua/12-hoi-nghi.html", html, expect="article")
    assert article.title == "Hội nghị tổng kết công tác thi đua năm 2020"
    assert article.category == "Thi đua - Khen thưởng"
    assert article.published_raw == "15/03/2021 08:30"
