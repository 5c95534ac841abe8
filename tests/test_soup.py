"""Page trees read fast (crawler/extract/soup.py): the tree grown from lxml's is BeautifulSoup's own,
object by object, and every selector lxml answers gets soupsieve's answer, on every fixture page
and on the shapes where they could part (doctypes, comments, whitespace, scoping, order, changes
to the tree)."""

import re
from copy import copy as copy_of
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

import crawler.extract.soup as soup_module
from crawler.extract.soup import PageSoup, SelectorMismatch, page_soup
from crawler.extract.encoding import decode_html
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
    """And BeautifulSoup's own answers to ``find``/``find_all``."""
    answered = {"mirror": 0, "soupsieve": 0, "mirror find": 0, "walk": 0}
    mirror_select, mirror_find = soup_module._mirror_select, soup_module._mirror_find

    def counting(tag, selector, limit):
        found = mirror_select(tag, selector, limit)
        answered["mirror" if found is not None else "soupsieve"] += 1
        return found

    def counting_find(*args):
        found = mirror_find(*args)
        answered["mirror find" if found is not None else "walk"] += 1
        return found

    monkeypatch.setattr(soup_module, "_mirror_select", counting)
    monkeypatch.setattr(soup_module, "_mirror_find", counting_find)
    pages = sorted(FIXTURES.rglob("*.html"))
    for file in pages:  # a listing page reached as an article is still read as a listing
        parsed = parse_response(f"http://127.0.0.1:8000/{file.name}", file.read_bytes(), "text/html", "article",
                                None, None)
        assert parsed.error is None, f"{file}: {parsed.error}"
    assert len(pages) > 300
    # soupsieve and the walk are left the questions asked of copies of a tag (small subtrees)
    assert answered["mirror"] > 8 * answered["soupsieve"], answered
    assert answered["mirror find"] > 2 * answered["walk"], answered


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


def test_a_selector_needing_a_value_the_page_lacks_is_answered_without_xpath(checked):
    """_cannot_match: an alternative needs an attribute value containing its class, id or
    attribute text; when every alternative lacks one, the answer is [] without an XPath walk.
    Check mode compares every answer below with soupsieve's."""
    soup = page_soup(PAGE)
    mirror = soup.mirror()
    for selector in (".nothing", "#s .absent", "div.DnnModule, div[class*='DnnModule-'], [id^='dnn_ctr']",
                     "a[href$='.pdf']", "section#t p"):
        assert soup_module._cannot_match(mirror, selector), selector
        assert soup.select(selector) == []
    for selector in (".nothing, ul.menu a", ":not(.absent) > a", "[class*='ute'] p", "a[href$='2.html']",
                     "p:not(.x)", "[class*='Outer' i] p"):  # [a i]: compared without case, so not needed
        assert not soup_module._cannot_match(mirror, selector), selector
    assert names(soup.select(".nothing, ul.menu a")) == ["A", "B"]
    assert names(soup.select(":not(.absent) > a")) == ["A", "B"]
    assert names(soup.select("[class*='ute'] p")) == ["one", "two"]
    soup.select_one("span")["class"] = ["added-later"]  # the class values are read again
    assert names(soup.select("span.added-later")) == ["three"]
    soup.select_one("span")["id"] = "new-id"
    assert names(soup.select("#new-id")) == ["three"]


def test_the_base_href_rewrite_keeps_the_mirror_in_step(checked):
    from crawler.pages.base import resolve_base_href

    soup = page_soup(PAGE)
    soup.select("a")
    resolve_base_href(soup, "http://example.vn/a/page.html")
    assert [a["href"] for a in soup.select('a[href^="http://example.vn/"]')] == [
        "http://example.vn/a/1.html", "http://example.vn/2.html"]
    assert soup.select("base") == []


INDEXED_PAGE = """<html><body>
<ul class="m" id="top"><li>1<ul class="m"><li>1a</li></ul></li><li>2</li></ul>
<p class="a\tb">tab</p><p class="a\u00a0b">nbsp</p><p class="c c">twice</p>
<div id="d"><span id="d">same id</span></div>
<i data-x="en-GB mid z" lang="EN" title="Tiêu đề">attrs</i><input type="TEXT" value="in">
<section id="s"><p class="x">one</p><div class="k"><p>two</p></div></section>
</body></html>"""

#: Selectors answered from the page's index (:func:`soup._plan`), where it could part from soupsieve:
#: nested and repeated anchors, how class lists split, duplicate ids, every attribute test and
#: its empty or spaced value, attribute names in capitals.
PLANNED = ["ul.m > li", ".m li", "ul.m li, #top > li", "#top li li", ".b", "p.a.b", ".c", "#d", "div#d > #d",
           "[data-x~='']", "[data-x~='a b']", "[data-x~=mid]", "[data-x^='']", "[data-x^=en]",
           "[data-x$=z]", "[data-x$='']", "[data-x*=mid]", "[data-x*='']", "[data-x]", "[DATA-X='en-GB mid z']",
           "[title='Tiêu đề']", "#s p.x", "section#s > p", "#s > .k > p", "#s p", "i[data-x], .x, li li",
           "* > li", "div *.x", "body > #s", "html li", "#nothing p", ".m > .nothing", "p, #s p, .x"]
#: And those left to XPath or soupsieve: the attributes soupsieve compares without case in HTML or keeps as
#: lists, flags, "|" (read as a namespace), other combinators and pseudo-classes, "*" alone on the right.
NOT_PLANNED = ["[type=text]", "[lang|=en]", "[data-x|=en]", "[class~=b]", "[data-x=EN-GB i]", "li + li", "li ~ li",
               "li:first-child", "p:not(.x)", "p.b:not(.x)", ":scope > p", "#s *", "*"]


def test_selectors_answered_from_the_page_index_are_soupsieves(checked):
    """Check mode compares each answer with soupsieve's; the counts pin what was found."""
    soup = page_soup(INDEXED_PAGE)
    for selector in PLANNED:
        assert soup_module._plan(selector) is not None, selector
        soup.select(selector)
        soup.select_one(selector)
    for selector in NOT_PLANNED:
        assert soup_module._plan(selector) is None, selector
        soup.select(selector)
    assert names(soup.select("ul.m > li")) == ["11a", "1a", "2"]
    assert names(soup.select(".b")) == ["tab", "nbsp"] and names(soup.select("#d")) == ["same id", "same id"]
    assert len(soup.select("[data-x|=en]")) == len(soup.select("[data-x~=mid]")) == 1
    assert soup.select("[data-x~='a b']") == soup.select("[data-x*='']") == []
    assert names(soup.select("#s > .k > p")) == ["two"]
    rooted = page_soup('<html data-theme="a"><body><p data-theme="b">x</p></body></html>')
    assert [tag.name for tag in rooted.select("[data-theme]")] == ["html", "p"]  # the root element is a candidate
    # XPath's answers too: class words split at a no-break space, type compared without case
    assert names(soup.select("p.b:not(.x)")) == names(soup.select("[class~=b]")) == ["tab", "nbsp"]
    assert len(soup.select("[type=text]")) == 1
    assert soup.select("[class='']") == soup.select("[class|='']") == soup.select("[type='']") == []
    assert names(soup.select("p[class='a b'], i[data-x]:not([class=''])")) == ["tab", "nbsp", "attrs"]


def test_the_page_index_follows_changes_to_the_tree(checked):
    soup = page_soup(INDEXED_PAGE)
    assert names(soup.select(".x")) == ["one"]
    soup.select_one(".x").decompose()
    assert soup.select(".x") == [] and soup.select("#s p.x") == []
    soup.select_one("#s .k")["class"] = ["x"]
    assert names(soup.select(".x")) == ["two"] and soup.select(".k") == []
    soup.select_one("#top")["id"] = "moved"
    assert soup.select("#top li") == [] and len(soup.select("#moved > li")) == 2
    assert soup.mirror() is not None


def test_what_lxml_cannot_answer_goes_to_soupsieve(checked):
    soup = page_soup(PAGE)
    assert names(soup.select("p:-soup-contains('fo')")) == ["four"]
    assert names(soup.select("li:nth-child(2) a")) == ["B"]
    copy = copy_of(soup.select_one("#s"))
    assert names(copy.select("div p")) == ["two"]  # a copy is its own tree: its div is inside it
    assert isinstance(page_soup(PAGE.encode()), BeautifulSoup)  # bytes: BeautifulSoup decodes them


FINDS = [  # (asked of: "page" or a selector, args, kwargs)
    ("page", ("p",), {}),
    ("page", (["p", "span"],), {}),
    ("page", ("p",), {"class_": "x"}),
    ("page", (), {"class_": re.compile("^o")}),
    ("page", (), {"class_": re.compile("^(a|z) ")}),  # the class list joined: no single class matches
    ("page", (), {"class_": "outer"}),
    ("page", ("a",), {"href": True}),
    ("page", ("a",), {"href": re.compile(r"^/")}),
    ("page", (), {"attrs": {"class": None}, "name": "li"}),  # li without a class: missing attributes count
    ("page", (lambda t: t.name == "a" and t.has_attr("class"),), {}),
    ("page", (True,), {"limit": 3}),
    ("page", (), {"recursive": False}),  # the document's children: the html element
    ("page", ("html",), {}),
    ("page", (), {"id": "s"}),
    ("page", ("a",), {"attrs": {"xlink:href": True}}),  # a name XPath cannot say plainly: all candidates
    ("page", ("p",), {"id": True}),
    ("page", (re.compile("^(sp|se)"),), {}),
    ("page", ([],), {}),  # the null set: nothing
    ("#s", ("p",), {}),
    ("#s", (True,), {"recursive": False}),
    ("#s", (["div", "p"],), {"recursive": False}),
    ("ul", ("a",), {"class_": "y"}),
    ("ul", ("li",), {"limit": 1}),
]


@pytest.mark.parametrize("asked, args, kwargs", FINDS, ids=[repr((a, b, c))[:60] for a, b, c in FINDS])
def test_find_all_from_the_mirror_is_beautifulsoups(asked, args, kwargs, checked):
    """The mirror only narrows the candidates; BeautifulSoup's matcher decides (the check mode
    compares each answer with BeautifulSoup's own walk, on the same tree)."""
    page = PAGE.replace("</body>", '<p class="a b">ab</p><p class="z  y">zy</p></body>')
    plain, soup = BeautifulSoup(page, "lxml"), page_soup(page)
    assert soup.mirror() is not None
    ours, theirs = (s if asked == "page" else s.select_one(asked) for s in (soup, plain))
    found = ours.find_all(*args, **kwargs)
    assert [str(t) for t in found] == [str(t) for t in theirs.find_all(*args, **kwargs)]
    first = ours.find(*args, **{k: v for k, v in kwargs.items() if k != "limit"})
    assert (first is None and not found) or first is found[0]


def test_a_decomposed_copy_is_not_asked_of_its_page(checked):
    """A decomposed tag has lost its attributes; BeautifulSoup answers ``tag.parent`` on it with
    ``tag.find("parent")``, which must not ask for the tag's page again (endless recursion)."""
    soup = page_soup(PAGE)
    section = copy_of(soup.find("section"))
    for tag in section.select("div, p"):  # the second p is inside the div: decomposed with it first
        tag.decompose()
    assert section.find("p") is None and names(soup.find_all("p")) == ["one", "two", "four"]
    for tag in soup.select("#s div, #s p"):  # the same on the page itself
        tag.decompose()
    assert names(soup.find_all("p")) == ["four"]


def test_find_all_after_changes_to_the_tree(checked):
    soup = page_soup(PAGE)
    soup.find("a", class_="y")["class"] = "w"
    assert names(soup.find_all(class_="w")) == ["B"] and soup.find_all("a", class_="y") == []
    soup.find("section").find("p").decompose()
    assert names(soup.find_all("p")) == ["two", "four"]
    soup.find("span").append(soup.new_tag("p", string="five"))
    assert soup.mirror() is None and names(soup.find_all("p")) == ["two", "five", "four"]


def test_check_mode_catches_a_wrong_find(checked, monkeypatch):
    soup = page_soup(PAGE)
    span = soup.find("span")
    monkeypatch.setattr(soup_module, "_mirror_find", lambda *args: [span])
    with pytest.raises(SelectorMismatch, match="find_all"):
        soup.find_all("p")


def test_check_mode_catches_a_wrong_answer(checked, monkeypatch):
    soup = page_soup(PAGE)
    span = soup.select_one("span")
    monkeypatch.setattr(soup_module, "_mirror_select", lambda tag, selector, limit: [span])
    with pytest.raises(SelectorMismatch, match="'p'"):
        soup.select("p")


#: Documents where lxml's tree and BeautifulSoup's reading could part.
EDGES = {
    "doctype, public id": '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" '
                          '"http://www.w3.org/TR/html4/loose.dtd"><html><body><p>x</p></body></html>',
    "doctype, system id": '<!DOCTYPE html SYSTEM "about:legacy-compat"><p>x',
    "XHTML": '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
             '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml" '
             'xml:lang="vi"><head><title>t</title></head><body><p>x</p></body></html>\n',
    "comments around the root": "<!-- hi -->\n<html><body>x</body></html>\n<!-- bye --> \n <!--b-->",
    "processing instruction": "<html><body><?php echo 1 ?>x</body></html>",
    "whitespace kept and shortened": "<html><body><pre>  \n  </pre><textarea> </textarea><p>  </p>\n\n<div>\t</div>"
                                     "<pre> <!-- c --> </pre><p> <!--  --> </p></body></html>",
    "string classes": "<html><head><style> a{} </style><script>if (a<b) {}</script></head><body><template><p>t</p>"
                      "</template><ruby>x<rt>y</rt><rp>(</rp></ruby></body></html>",
    "entities": "<p>&amp; &nbsp; &foo; &#x1F600; &lt;b&gt;</p><p><![CDATA[x]]></p><p>a\x00b</p>",
    "malformed": "<div><p>one<div>two</p></span><table><tr><td>c<td>d</table><li>x<li>y",
    "text only": "just text",
    "nested html": "<html><body><html><body>x</body></html></body></html>",
    "frameset": '<html><frameset><frame src="a"></frameset></html>',
    "Word markup": '<p class="MsoNormal">x<o:p></o:p></p><v:shape id="a"/>',
    "attributes": '<a href="x" class=" a  b " rel="nofollow noopener" CLASS="c" data-x="" onclick=\'f("x")\'>y</a>'
                  '<td headers="h1 h2">',
    "namespaces": '<svg xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="#a"/></svg>',
    "meta charset": '<html><head><meta charset="utf-8"><meta http-equiv="Content-Type" '
                    'content="text/html; charset=windows-1258"></head><body>x</body></html>',
    "600 levels deep": "<div>" * 600 + "x" + "</div>" * 600,
    "CRLF": "<html>\r\n<body>\r\n<p>a\r\nb</p>\r\n</body>\r\n</html>\r\n",
}
#: Documents lxml's tree cannot show as BeautifulSoup reads them: BeautifulSoup's builder reads them.
OWN_READING = {
    "comment before the doctype": "<!-- hi --><!DOCTYPE html><html><body><p>x</p></body></html>",
    "text after </html>": "<html><body><p>x</p></body></html>trailing text",
    "</html> in a script": '<script>document.write("</html>")</script><p>x</p>',
    "a template's {{name}} as an attribute": '<html><body><p class="a">x</p><span {{hidden}}="1">y</span></body></html>',
}
_LINKS = ("parent", "previous_element", "next_element", "previous_sibling", "next_sibling")
_PARSER_STATE = {"contents", "parser_class", "element_classes", "builder", "markup", "current_data", "currentTag",
                 "tagStack", "open_tag_counter", "preserve_whitespace_tag_stack", "string_container_stack",
                 "_most_recent_element", "_mirror", *_LINKS, "attrs"}


def shape(soup: BeautifulSoup) -> list[tuple]:
    """Every object of the tree in document order: its class, name or text, attributes (with their
    value classes), other state, children, and its five links, as positions."""
    nodes = [soup, *soup.descendants]
    position = {id(node): index for index, node in enumerate(nodes)}
    rows = []
    for node in nodes:
        links = tuple(None if getattr(node, link) is None else position.get(id(getattr(node, link)), "outside")
                      for link in _LINKS)
        if isinstance(node, Tag):
            state = sorted((k, repr(v)) for k, v in vars(node).items() if k not in _PARSER_STATE)
            attrs = [(k, type(v).__name__, v) for k, v in node.attrs.items()]
            rows.append(("Tag", node.name, attrs, state, [position[id(c)] for c in node.contents], links))
        else:
            state = sorted((k, repr(v)) for k, v in vars(node).items() if k not in _LINKS)
            rows.append((type(node).__name__, str(node), state, links))
    return rows


def assert_same_tree(html: str, what: str) -> None:
    mine, theirs = shape(PageSoup(html)), shape(BeautifulSoup(html, "lxml"))
    for index, (a, b) in enumerate(zip(mine, theirs)):
        assert a == b, f"{what}: object {index} differs:\n grown:         {a}\n BeautifulSoup: {b}"
    assert len(mine) == len(theirs), f"{what}: {len(mine)} objects grown, BeautifulSoup has {len(theirs)}"


def test_the_tree_grown_from_lxml_is_beautifulsoups_on_every_fixture_page():
    pages = sorted(FIXTURES.rglob("*.html"))
    grown = 0
    for file in pages:
        html, _ = decode_html(file.read_bytes(), "text/html")
        assert_same_tree(html, str(file.relative_to(FIXTURES)))
        grown += PageSoup(html).mirror() is not None
    assert grown == len(pages)  # none of them needed BeautifulSoup's builder


@pytest.mark.parametrize("name", EDGES)
def test_the_grown_tree_is_beautifulsoups_where_the_two_could_part(name):
    assert PageSoup(EDGES[name]).mirror() is not None, "read by BeautifulSoup's builder"
    assert_same_tree(EDGES[name], name)


@pytest.mark.parametrize("name", OWN_READING)
def test_what_lxmls_tree_cannot_show_is_read_by_beautifulsoups_builder(name, checked):
    soup = PageSoup(OWN_READING[name])
    assert soup.mirror() is None
    assert_same_tree(OWN_READING[name], name)
    assert names(soup.select("p")) == ["x"]


def test_chrome_names_read_from_the_mirror_are_those_of_the_walk_on_every_fixture_page():
    """The fallback cascade's menu, breadcrumb and block-heading names (what a title must not be)."""
    from types import SimpleNamespace

    from crawler.pages.cascade import Cascade, _chrome_names_from
    from crawler.pages.detect import page_class

    for file in sorted(FIXTURES.rglob("*.html")):
        html, _ = decode_html(file.read_bytes(), "text/html")
        soup, url = PageSoup(html), f"http://127.0.0.1:8000/{file.name}"
        walked = Cascade._chrome_names_walked(SimpleNamespace(primary=page_class(url, soup)(url, soup)))
        assert _chrome_names_from(soup.mirror()) == walked, file.relative_to(FIXTURES)
