"""The generic page object's body on page shapes its first version got wrong (measured on Zyte's
public article-extraction benchmark, bench/extraction.py); each page here is written for the test
and the expected body is read off it."""

import pytest

import crawler.pages.generic as generic
from crawler.extract.main_text import agreement, locate, main_text
from crawler.pages.generic import GenericPage

TITLE = "Tổng kết phong trào thi đua năm 2024"


def paragraph(i: int) -> str:
    return (f"Đoạn văn thứ {i} của bài viết về phong trào thi đua yêu nước năm 2024, với nhiều chi tiết cụ thể về "
            "các tập thể và cá nhân tiêu biểu được khen thưởng, cùng những kinh nghiệm được rút ra.")


INTRO = ("Ban Thi đua - Khen thưởng tỉnh là cơ quan tham mưu giúp Ủy ban nhân dân tỉnh quản lý nhà nước về công tác "
         "thi đua, khen thưởng; tổ chức các phong trào thi đua và thực hiện chính sách khen thưởng trên địa bàn tỉnh.")


def page(article: str, aside: str = "") -> str:
    return f"""<html><head><title>{TITLE} - Cổng thông tin</title></head><body>
<div class="menu"><a href="/">Trang chủ</a> <a href="/tin-tuc">Tin tức</a></div>
<div class="cot-mot">{article}</div><div class="cot-hai">{aside}</div>
<div class="footer">Bản quyền thuộc về Cổng thông tin điện tử tỉnh.</div></body></html>"""


def body_of(html: str) -> list[str]:
    p = GenericPage("http://portal.example/tin-tuc/a.html", html)
    p.expect = "article"
    return p.article().body_text.split("\n\n")


# An article whose every paragraph sits in its own wrapper, beside one block with three long
# paragraphs: the element with the most paragraph text of its own is the wrong one.
WRAPPED = page(f"<article><h1>{TITLE}</h1>"
               + "".join(f"<section><div><p>{paragraph(i)}</p></div></section>" for i in range(1, 9)) + "</article>",
               f"<div class='gioi-thieu'>{('<p>' + INTRO + '</p>') * 3}</div>")


def test_where_trafilatura_disagrees_the_element_holding_its_text_is_the_body():
    assert body_of(WRAPPED) == [paragraph(i) for i in range(1, 9)]


def test_without_the_second_opinion_that_page_is_read_wrong(monkeypatch):
    """The test above fails if the trafilatura check is removed."""
    monkeypatch.setattr(generic, "main_text", lambda html: None)
    assert body_of(WRAPPED) == [INTRO] * 3


def test_a_page_wide_wrapper_named_like_chrome_is_layout():
    """``has-sidebar`` on the wrapper of the whole page; the article inside a ``…-header`` div."""
    html = page(f"<div class='layout has-sidebar'><div class='article-header'><h1>{TITLE}</h1>"
                f"<div class='entry'>{''.join(f'<p>{paragraph(i)}</p>' for i in range(1, 5))}</div></div></div>",
                "<div class='cookie-consent'><p>Trang web dùng cookie để cải thiện trải nghiệm của bạn khi truy cập.</p></div>")
    assert body_of(html) == [paragraph(i) for i in range(1, 5)]


def test_link_blocks_boilerplate_lines_and_stray_captions_are_not_body():
    html = page(f"<h1>{TITLE}</h1><div class='entry'><p>{paragraph(1)}</p><p>Quảng cáo</p>"
                "<ul><li><a href='/a'>Tin khác thứ nhất về hội nghị</a></li><li><a href='/b'>Tin khác thứ hai</a></li></ul>"
                f"<p>{paragraph(2)}</p><div class='photo-credit'>Ảnh: Minh Hà</div>"
                f"<p>{paragraph(3)}</p><div class='next-prev'><a href='/c'>Bài trước</a> <a href='/d'>Bài sau</a></div>"
                "</div>")
    assert body_of(html) == [paragraph(i) for i in (1, 2, 3)]


def test_comments_are_not_paragraph_text():
    html = page(f"<h1>{TITLE}</h1><div class='entry'>{''.join(f'<p>{paragraph(i)}</p>' for i in range(1, 4))}</div>"
                "<div id='wrapper'><!-- " + "Main Top Bar Header Wrapper Content Wrapper Footer Wrapper " * 20
                + "--></div>")
    assert body_of(html) == [paragraph(i) for i in range(1, 4)]


def test_agreement_is_shingle_f1():
    assert agreement("một hai ba bốn năm", "một hai ba bốn năm") == 1.0
    assert agreement("một hai ba bốn năm", "sáu bảy tám chín mười") == 0.0
    assert agreement("", "một hai ba bốn") == 0.0
    assert agreement("a b c d e f", "a b c d") == pytest.approx(2 * 1 * (1 / 3) / (1 + 1 / 3))


def test_locate_finds_the_element_holding_the_text():
    text = main_text(WRAPPED)
    assert text and paragraph(8) in text
    from crawler.extract.body import soup_of

    node = locate(soup_of(WRAPPED), text)
    assert node is not None and node.name == "article"
    assert locate(soup_of(WRAPPED), "Một câu không có trên trang này, dài hơn ba mươi ký tự.") is None


def test_a_related_block_that_is_an_anchor_without_href_is_no_link():
    """``<h3>Tin liên quan</h3><a name="…">``: the block after the heading is an ``<a>`` without
    ``href`` (a named anchor), which is no related link; reading it used to raise ``KeyError``."""
    related = ("<h3>Tin liên quan</h3><a name='lienquan'>Các tin khác</a>"
               "<h3>Tin khác</h3><ul><li><a href='/tin-tuc/b.html'>Một bài viết khác về thi đua khen thưởng</a></li></ul>")
    html = page(f"<h1>{TITLE}</h1><div class='entry'>{''.join(f'<p>{paragraph(i)}</p>' for i in range(1, 4))}</div>"
                + related)
    p = GenericPage("http://portal.example/tin-tuc/a.html", html)
    assert [link.url for link in p.related_links()] == ["http://portal.example/tin-tuc/b.html"]
