"""Selectors evaluated by lxml (crawler/extract/soup.py): every answer equals soupsieve's, on every
fixture page and on the shapes where the two could part (scoping, order, changes to the tree)."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import crawler.extract.soup as soup_module
from crawler.extract.soup import PageSoup, SelectorMismatch, page_soup
from crawler.parsing import parse_response

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PAGE = """<html><head><base href="http://example.vn/a/"></head><body>
<div class="outer"><section id="s"><p class="x">one</p><div><p>two</p></div></section></div>
<ul class="menu"><li><a href="1.html">A</a></li><li><a href="/2.html" class="y">B</a></li></ul>
<span>three</span><p>four</p>
</body></html>"""


@pytest.fixture
def checked(monkeypatch):
    """Every mirror answer compared with soupsieve's."""
    monkeypatch.setattr(soup_module, "_CHECK", True)


def names(tags) -> list[str]:
    return [tag.get_text() for tag in tags]


def test_every_fixture_page_gets_soupsieves_answers_from_its_mirror(checked, monkeypatch):
    answered = {"mirror": 0, "soupsieve": 0}
    mirror_select = soup_module._mirror_select

    def counting(tag, selector, limit):
        found = mirror_select(tag, selector, limit)
        answered["mirror" if found is not None else "soupsieve"] += 1
        return found

    monkeypatch.setattr(soup_module, "_mirror_select", counting)
    pages = sorted(FIXTURES.rglob("*.html"))
    for file in pages:  # a listing page reached as an article is still read as a listing
        parsed = parse_response(f"http://127.0.0.1:8000/{file.name}", file.read_bytes(), "text/html", "article",
                                None, None)
        assert parsed.error is None or "SelectorMismatch" not in parsed.error, f"{file}: {parsed.error}"
    assert len(pages) > 300
    # soupsieve is left the selectors asked of copies of a tag (small subtrees)
    assert answered["mirror"] > 8 * answered["soupsieve"], answered


def test_a_combinator_asked_of_a_tag_may_match_ancestors_outside_it(checked):
    soup = page_soup(PAGE)
    section = soup.select_one("#s")
    assert names(section.select("div p")) == ["one", "two"]  # the first p's div is outside #s
    assert names(section.select("div > p")) == ["two"]
    assert names(section.select("p")) == ["one", "two"]
    assert names(section.select(":scope > p")) == ["one"]
    assert section.select("section p") and not section.select("ul a")


def test_results_come_in_document_order_whatever_the_selector_order(checked):
    soup = page_soup(PAGE)
    assert names(soup.select("span, p")) == ["one", "two", "three", "four"]
    assert names(soup.select("p", limit=2)) == ["one", "two"]
    assert soup.select_one("span, a").get_text() == "A"
    assert soup.select_one("table") is None and soup.select("table") == []


def test_changes_to_the_tree_reach_the_mirror(checked):
    soup = page_soup(PAGE)
    assert soup.mirror() is not None
    soup.select_one("a.y")["class"] = ["z", "w"]
    assert names(soup.select("a.w")) == ["B"] and soup.select("a.y") == []
    del soup.select_one("a.w")["class"]
    assert soup.select("a.z") == []
    soup.select_one("section > p").decompose()
    assert names(soup.select("#s p")) == ["two"]
    assert soup.mirror() is not None  # attributes and removals are followed
    soup.select_one("span").insert_after(soup.new_tag("p", string="five"))
    assert soup.mirror() is None  # an insertion retires it; soupsieve answers
    assert names(soup.select("p")) == ["two", "five", "four"]


def test_the_base_href_rewrite_keeps_the_mirror_in_step(checked):
    from crawler.pages.base import resolve_base_href

    soup = page_soup(PAGE)
    soup.select("a")
    resolve_base_href(soup, "http://example.vn/a/page.html")
    assert [a["href"] for a in soup.select('a[href^="http://example.vn/"]')] == [
        "http://example.vn/a/1.html", "http://example.vn/2.html"]
    assert soup.select("base") == []


def test_what_lxml_cannot_answer_goes_to_soupsieve(checked):
    soup = page_soup(PAGE)
    assert names(soup.select("p:-soup-contains('fo')")) == ["four"]
    assert names(soup.select("li:nth-child(2) a")) == ["B"]
    copy = __import__("copy").copy(soup.select_one("#s"))
    assert names(copy.select("div p")) == ["two"]  # a copy is its own tree: its div is inside it
    assert isinstance(page_soup(PAGE.encode()), BeautifulSoup)  # bytes: BeautifulSoup decodes them


def test_check_mode_catches_a_wrong_answer(checked, monkeypatch):
    soup = page_soup(PAGE)
    span = soup.select_one("span")
    monkeypatch.setattr(soup_module, "_mirror_select", lambda tag, selector, limit: [span])
    with pytest.raises(SelectorMismatch, match="'p'"):
        soup.select("p")


def test_a_page_lxml_reads_differently_keeps_soupsieve(monkeypatch):
    fromstring = soup_module.etree.fromstring
    monkeypatch.setattr(soup_module.etree, "fromstring",
                        lambda html, parser: fromstring("<html><body><i>other</i></body></html>", parser))
    soup = PageSoup(PAGE)
    assert soup.mirror() is None
    assert names(soup.select("p")) == ["one", "two", "four"]
