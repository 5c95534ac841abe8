"""The search page, its JSON, the article page and the SQL functions, on a real archive served by
real Datasette (in-process client). The archive is built from the sample portal's pages."""

import re
import urllib.parse
import sqlite3
from pathlib import Path

import pytest
from datasette.app import Datasette
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import reading, store
from archive.datasette import metadata_for
from archive.search import parse_query, snippet
from crawler.pages import parse_page

SITE = Path(__file__).resolve().parent.parent / "fixtures" / "sites" / "nukeviet-hagiang"
CATEGORY = SITE / "vi" / "news" / "tin-hoat-dong-cum-khoi-thi-dua"
BASE = "http://127.0.0.1:8000/vi/news/tin-hoat-dong-cum-khoi-thi-dua/"
SEED_TITLE = "Bưu điện tỉnh tổ chức Hội nghị triển khai kế hoạch và phát động phong trào thi đua năm 2021"
HOSTILE_TITLE = "Khối các doanh nghiệp Nhà nước tổng kết công tác thi đua năm 2020"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "archive.db"
    db = store.open_db(str(path))
    for file in sorted(CATEGORY.glob("*-[0-9]*.html")):
        article = parse_page(BASE + file.name, file.read_bytes())
        store.save_portal(db, "hagiang-tdkt", name=article.site_name, base_url="http://127.0.0.1:8000/",
                          platform=article.platform, seen_at="2026-11-26T09:00:00+07:00", province="Hà Giang")
        store.save_article(db, article.to_dict(), portal="hagiang-tdkt", seen_at="2026-11-26T09:00:00+07:00")
    store.save_portal(db, "other", name="Khác", base_url="http://x/", platform="generic", seen_at="T")
    store.save_article(db, {"url": "http://x/a", "platform": "generic", "title": "Điện Biên phát động thi đua",
                            "category": "Tin tức", "published_at": "2024-03-01",
                            "body_text": "Tỉnh Điện Biên phát động phong trào thi đua yêu nước.",
                            "images": [], "related_links": []}, portal="other", seen_at="T")
    db.close()
    return str(path)


@pytest.fixture
def ds(db_path):
    return Datasette([db_path], metadata=metadata_for(db_path))


async def search(ds, **params):
    response = await ds.client.get("/search.json", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def every_result(ds, **params) -> list[dict]:
    """Every result of a search, page after page (following ``next_url``)."""
    data = await search(ds, **params)
    results = data["results"]
    while data["next_url"]:
        response = await ds.client.get(data["next_url"])
        assert response.status_code == 200, response.text
        data = response.json()
        results += data["results"]
    return results


@pytest.mark.parametrize("q", ["thi dua", "thi đua", "THI ĐUA", "buu dien tinh", "Bưu điện", "ha thi minh hanh"])
async def test_diacritics_are_optional_both_ways(ds, q):
    assert SEED_TITLE in [r["title"] for r in await every_result(ds, q=q)]


async def test_typed_with_or_without_marks_a_word_finds_the_same_articles(ds):
    found = [sorted(r["id"] for r in await every_result(ds, q=q)) for q in ("thi dua", "thi đua", "THI ĐUA")]
    assert found[0] and found[0] == found[1] == found[2]


@pytest.mark.parametrize("q", ["dien bien", "Điện Biên", "ĐIỆN BIÊN"])
async def test_place_names(ds, q):
    words = await search(ds, q=q)  # both words anywhere; where they stand together ranks first
    assert words["results"][0]["title"] == "Điện Biên phát động thi đua"
    # Without marks the words match any spelling ("đại diện … biên giới"); typed with marks, only
    # "điện" and "biên" as spelled: the province's article alone.
    assert words["total"] > 1 if q == "dien bien" else words["total"] == 1, words["total"]
    phrase = await search(ds, q=f'"{q}"')
    assert [r["title"] for r in phrase["results"]] == ["Điện Biên phát động thi đua"]


def test_the_search_without_marks_keeps_the_syntax():
    assert parse_query('Điện Biên OR "Hà Giang" -Thị').without_marks == 'dien bien OR "ha giang" -thi'
    assert parse_query("dien bien").without_marks == "dien bien"


def test_highlighting_follows_the_typed_marks():
    text = "Bà Nguyễn Thị Hoa dự hội nghị thi đua ở Thanh Hoá"
    assert snippet(text, parse_query("thi đua").terms) == (
        "Bà Nguyễn Thị Hoa dự hội nghị <mark>thi</mark> <mark>đua</mark> ở Thanh Hoá")
    assert snippet(text, parse_query("thi dua").terms).count("<mark>") == 3  # Thị too: no marks typed
    assert snippet(text, parse_query("THANH HÓA").terms).endswith("<mark>Thanh</mark> <mark>Hoá</mark>")


async def test_a_query_with_marks_offers_every_spelling(ds):
    page = (await ds.client.get("/search", params={"q": "Điện Biên", "portal": "other"})).text
    link = re.search(r'class="na-exact">.*?<a href="([^"]+)">dien bien</a>', page, re.S)
    assert link, "no link to the search without marks"
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(link[1].replace("&amp;", "&")).query) == {
        "q": ["dien bien"], "portal": ["other"]}
    assert 'class="na-exact"' not in (await ds.client.get("/search", params={"q": "dien bien"})).text


async def test_phrase_and_prefix(ds):
    phrase = await search(ds, q='"uy quyen cua TTCP"')
    assert [r["title"] for r in phrase["results"]] == [SEED_TITLE]  # only in the seed's caption
    words = await search(ds, q="TTCP quyen")
    assert [r["title"] for r in words["results"]] == [SEED_TITLE]
    prefix = await search(ds, q="Emon*")  # "Emoney" in the seed body
    assert [r["title"] for r in prefix["results"]] == [SEED_TITLE]
    assert (await search(ds, q="Emon"))["total"] == 0


async def test_snippet_highlights_original_words(ds):
    data = await search(ds, q="uy quyen TTCP")
    [result] = data["results"]
    assert "<mark>ủy</mark> <mark>quyền</mark>" in result["snippet_html"] and "<mark>TTCP</mark>" in result["snippet_html"]
    assert "<mark>" not in result["snippet"] and "ủy quyền của TTCP" in result["snippet"]


async def test_filters_and_order(ds):
    everything = await search(ds, q="thi dua", sort="newest")
    dates = [r["published_at"] for r in everything["results"]]
    assert dates == sorted(dates, reverse=True)
    by_portal = await search(ds, q="thi dua", portal="other")
    assert [r["portal"] for r in by_portal["results"]] == ["other"]
    in_range = await search(ds, q="thi dua", **{"from": "2020-12-20", "to": "2020-12-28"})
    assert in_range["results"] and all("2020-12-20" <= r["published_at"][:10] <= "2020-12-28" for r in in_range["results"])
    by_category = await search(ds, q="thi dua", category="Tin tức")
    assert by_category["total"] == 1


async def test_bad_syntax_gets_a_friendly_message(ds):
    for q in ['"thi dua', "-thi", "!!!", "AND OR NOT", "(", "title:", "*"]:
        response = await ds.client.get("/search", params={"q": q})
        assert response.status_code == 200, q
    data = await search(ds, q='"thi dua')
    assert data["total"] > 0 and "Unbalanced quote" in data["notes"][0]
    bad_date = await search(ds, q="thi dua", **{"from": "hôm qua"})
    assert any("YYYY-MM-DD" in n for n in bad_date["notes"])
    page = await ds.client.get("/search", params={"q": "-thi"})
    assert "Only excluded words" in page.text


async def test_search_page_html(ds):
    response = await ds.client.get("/search", params={"q": "thi dua", "sort": "newest"})
    assert response.status_code == 200
    assert 'name="q" value="thi dua"' in response.text
    assert re.search(r'<a href="/article/\d+">', response.text)
    assert "<mark>" in response.text
    assert "/search.json?" in response.text


async def test_pagination(ds, monkeypatch):
    monkeypatch.setattr(reading, "PAGE_SIZE", 4)  # the fixture archive's matches then span pages
    first = await search(ds, q="thi dua", sort="newest")
    assert first["total"] > 8 and len(first["results"]) == 4 and first["next_url"]
    pages, data = [first], first
    while data["next_url"]:
        data = (await ds.client.get(data["next_url"])).json()
        assert data["page"] == len(pages) + 1
        pages.append(data)
    results = [r for page in pages for r in page["results"]]
    assert len(pages) == -(-first["total"] // 4)
    assert len({r["id"] for r in results}) == len(results) == first["total"]  # each match once, none left out
    dates = [r["published_at"] or "" for r in results]
    assert dates == sorted(dates, reverse=True)  # newest first across pages


async def test_article_page(ds, db_path):
    conn = sqlite3.connect(db_path)
    seed_id = conn.execute("select id from articles where title = ?", [SEED_TITLE]).fetchone()[0]
    response = await ds.client.get(f"/article/{seed_id}")
    assert response.status_code == 200
    text = response.text
    assert f"<h1>{SEED_TITLE}</h1>" in text
    assert "<figcaption>Đ/c Hà Thị Minh Hạnh - Phó Chủ tịch UBND tỉnh thừa ủy quyền" in text
    assert "Hoàng Nhi" in text and "24/12/2020 08:15" in text
    # related links to archived articles point to the archive; the original URL is linked
    related_id = conn.execute("select id from articles where url like '%-1238.html'").fetchone()[0]
    assert f'href="/article/{related_id}"' in text
    assert 'href="http://127.0.0.1:8000/vi/news/tin-hoat-dong-cum-khoi-thi-dua/buu-dien-tinh' in text
    assert (await ds.client.get("/article/999999")).status_code == 404


async def test_article_page_neutralises_scripts(ds, db_path):
    conn = sqlite3.connect(db_path)
    hostile_id = conn.execute("select id from articles where title = ?", [HOSTILE_TITLE]).fetchone()[0]
    conn.close()
    # plant markup in the stored body, as a hand-edited or older database might have it
    writable = sqlite3.connect(db_path)
    writable.execute("update articles set body_html = body_html || ? where id = ?",
                     ['<script>document.title="pwned"</script><img src=x onerror="alert(1)"><a href="javascript:alert(2)">x</a>',
                      hostile_id])
    writable.commit()
    writable.close()
    text = (await Datasette([db_path], metadata=metadata_for(db_path)).client.get(f"/article/{hostile_id}")).text
    body = text.split('<div class="na-body">', 1)[1].split("</div>", 1)[0]
    for forbidden in ("<script", "onerror", "javascript:", "pwned"):
        assert forbidden not in body


async def test_canned_queries(ds):
    data = (await ds.client.get("/archive/search_with_snippets.json", params={"q": "uy quyen TTCP", "_shape": "objects"})).json()
    assert [r["title"] for r in data["rows"]] == [SEED_TITLE] and "«ủy» «quyền»" in data["rows"][0]["snippet"]
    people = (await ds.client.get("/archive/articles_mentioning_a_person.json",
                                  params={"name": "ha thi minh hanh", "_shape": "objects"})).json()
    assert SEED_TITLE in [r["title"] for r in people["rows"]]
    months = (await ds.client.get("/archive/articles_per_month.json", params={"_shape": "objects"})).json()
    assert {"month": "2020-12", "portal": "hagiang-tdkt", "articles": 8} in months["rows"]
    span = (await ds.client.get("/archive/articles_in_date_range.json",
                                params={"start": "2020-12-24", "end": "2020-12-24", "_shape": "objects"})).json()
    assert [r["title"] for r in span["rows"]] == [SEED_TITLE]


async def test_year_facet_and_hidden_internal_columns(ds):
    data = (await ds.client.get("/archive/articles.json", params={"_extra": "facet_results"})).json()
    facets = data["facet_results"]["results"] if "results" in data["facet_results"] else data["facet_results"]
    assert {"portal", "category", "author", "published_year"} <= set(facets)
    css = (await ds.client.get("/-/static-plugins/newsarchive/newsarchive.css")).text
    assert ".col-search_folded" in css and ".col-content_hash" in css
    page = (await ds.client.get("/archive/articles")).text
    assert "/-/static-plugins/newsarchive/newsarchive.css" in page


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_typed_query_is_safe_fts5(text):
    """Whatever people type, the expression runs (or is empty): never an FTS5 syntax error."""
    conn = sqlite3.connect(":memory:")
    conn.execute(f"create virtual table t using fts5({', '.join(store.FTS_COLUMNS)}, tokenize='{store.FTS_TOKENIZER}')")
    conn.execute("insert into t (search_folded, search_marked) values ('hoi nghi thi dua', 'hội nghị thi đua')")
    expression = parse_query(text).expression
    if expression:
        conn.execute("select * from t where t match ?", [expression]).fetchall()
    snippet("Hội nghị thi đua năm 2021", parse_query(text).terms)


async def test_count_is_capped(ds, monkeypatch):
    from archive import reading

    monkeypatch.setattr(reading, "COUNT_CAP", 3)  # the one place the cap is read from

    data = await search(ds, q="thi dua")
    assert data["total"] == 3 and data["total_is_capped"] is True
    page = await ds.client.get("/search", params={"q": "thi dua"})
    assert "3+ kết quả" in page.text
    few = await search(ds, q='"uy quyen cua TTCP"')
    assert few["total"] == 1 and few["total_is_capped"] is False


async def test_taken_down_articles_are_marked_on_search_and_article_pages(db_path, tmp_path):
    copy = tmp_path / "archive.db"
    source, target = sqlite3.connect(db_path), sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    db = store.open_db(str(copy))
    seed = db.execute("select id, url from articles where title = ?", [SEED_TITLE]).fetchone()
    assert store.mark_taken_down(db, seed[1], "2026-12-02T02:10:00+07:00", "HTTP 404")
    db.close()
    ds = Datasette([str(copy)], metadata=metadata_for(str(copy)))
    page = " ".join((await ds.client.get(f"/article/{seed[0]}")).text.split())
    assert "Taken down from the portal (first seen gone 2026-12-02T02:10:00+07:00: HTTP 404)" in page
    assert f"<h1>{SEED_TITLE}</h1>" in page and "Phát biểu tại Hội nghị" in page  # the content is kept
    results = (await ds.client.get("/search", params={"q": "thi dua"})).text
    items = results.split('<ol class="na-results">', 1)[1].split("</ol>", 1)[0].split("<li")[1:]
    marked = [item for item in items if "taken down 02/12/2026 02:10" in item]
    assert len(marked) == 1 and f'/article/{seed[0]}"' in marked[0] and 'class="na-taken-down"' in marked[0]
    assert len(items) > 1
    data = (await ds.client.get("/search.json", params={"q": "thi dua"})).json()
    assert {r["id"]: r["removed_at"] for r in data["results"]}[seed[0]] == "2026-12-02T02:10:00+07:00"
    other = next(r for r in data["results"] if r["id"] != seed[0])
    assert other["removed_at"] is None
    assert "taken down" not in (await ds.client.get(f"/article/{other['id']}")).text.lower()


# --- hostile or careless parameters never make a 500 ------------------------------------------


@pytest.mark.parametrize("params, note", [
    ({"page": "461168601842738792"}, "There is no page «461168601842738792»"),
    ({"page": "-5"}, "There is no page «-5»"), ({"page": "abc"}, "There is no page «abc»"),
    ({"page": "٣"}, "There is no page «٣»"),  # an Arabic-Indic digit
    ({"from": "2020-13-45"}, "Invalid date «2020-13-45», ignored"),
    ({"to": "2020-02-30"}, "Invalid date «2020-02-30», ignored"),
    ({"from": "２０２０-01-01"}, "Invalid date «２０２０-01-01», ignored"),  # full-width digits
])
async def test_bad_numbers_and_dates_give_a_note_not_an_error(ds, params, note):
    for route in ("/search", "/search.json"):
        response = await ds.client.get(route, params={"q": "thi dua", **params})
        assert response.status_code == 200, (route, response.text[-500:])
        shown = " ".join(response.json()["notes"]) if route.endswith(".json") else response.text
        assert note in shown, route
    data = await search(ds, q="thi dua", **params)
    assert data["total"] > 0 and data["page"] == 1 or "page" not in params


@pytest.mark.parametrize("segment", [str(2**63), str(2**63 - 1), "9" * 4301, "0", "٣"])
async def test_article_ids_out_of_range_are_404(ds, segment):
    response = await ds.client.get("/article/" + urllib.parse.quote(segment), follow_redirects=True)
    assert response.status_code == 404


async def test_stored_javascript_urls_are_never_linked(db_path, tmp_path):
    copy = tmp_path / "archive.db"
    source, target = sqlite3.connect(db_path), sqlite3.connect(copy)
    source.backup(target)
    seed_id = target.execute("select id from articles where title = ?", [SEED_TITLE]).fetchone()[0]
    target.execute("update related_links set url = 'javascript:alert(1)' where article_id = ? and position = 0",
                   [seed_id])
    target.execute("update images set src = 'javascript:alert(3)' where article_id = ?", [seed_id])
    target.execute("update articles set url = 'javascript:alert(2)' where id = ?", [seed_id])
    target.commit()
    source.close()
    target.close()
    ds = Datasette([str(copy)], metadata=metadata_for(str(copy)))
    page = (await ds.client.get(f"/article/{seed_id}")).text
    assert not re.search(r'(?:href|src)="\s*javascript', page, re.I)  # shown as text at most, never linked
    assert "(javascript:alert(1))" in page  # the related link is listed, unlinked
    results = (await ds.client.get("/search", params={"q": "buu dien tinh"})).text
    assert 'href="javascript' not in results


def test_any_parameters_on_any_route_never_make_a_500(db_path):
    import asyncio

    from hypothesis import HealthCheck

    ds = Datasette([db_path], metadata=metadata_for(db_path))
    text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)

    canned = f"/{Path(db_path).stem}/search_with_snippets.json"

    routes = ["/search", "/search.json", "/search.csv", "/search.atom", "/article/", "/snapshot/", "/-/databases",
              "/-/databases.json", canned]

    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(route=st.sampled_from(routes),
           q=text, page=text, date_from=text, date_to=text, sort=text, portal=text,
           segment=st.one_of(text, st.integers().map(str)))
    def check(route, q, page, date_from, date_to, sort, portal, segment):
        async def get():
            if route in ("/article/", "/snapshot/"):
                return await ds.client.get(route + urllib.parse.quote(segment, safe=""), follow_redirects=True)
            return await ds.client.get(route, params={"q": q, "page": page, "from": date_from, "to": date_to,
                                                      "sort": sort, "portal": portal})
        status = asyncio.run(get()).status_code
        assert status in ((200, 400) if route == canned else (200, 404)), (route, status)

    check()


async def test_search_json_sends_cors_only_when_asked(db_path):
    quiet = await Datasette([db_path], metadata=metadata_for(db_path)).client.get("/search.json", params={"q": "thi"})
    assert "access-control-allow-origin" not in quiet.headers
    open_ = await Datasette([db_path], metadata=metadata_for(db_path), cors=True).client.get(
        "/search.json", params={"q": "thi"})
    assert open_.headers["access-control-allow-origin"] == "*"


# --- the page with nothing typed, filters alone, CSV and Atom -----------------------------------


def test_human_time():
    from archive.reading import human_time

    assert human_time("2020-12-24T08:15:00+07:00") == "24/12/2020 08:15"
    assert human_time("2024-03-01") == "01/03/2024"
    assert human_time(None) == "" and human_time("hôm qua") == "hôm qua"


async def test_an_empty_search_shows_the_newest_articles_of_each_portal(ds, db_path):
    page = (await ds.client.get("/search")).text
    sections = re.findall(r'<section class="na-portal-newest">(.*?)</section>', page, re.S)
    names = [re.search(r"<h3><a [^>]*>([^<]+)</a></h3>", section)[1] for section in sections]
    assert names == ["Khác", "Ban Thi đua - Khen thưởng tỉnh Hà Giang"]  # the portal with the newest article first
    conn = sqlite3.connect(db_path)
    newest = [title for (title,) in conn.execute(
        "select title from articles where portal = 'hagiang-tdkt' order by published_at desc limit 3")]
    assert re.findall(r'<div class="na-title"><a [^>]*>([^<]+)</a>', sections[1]) == newest
    assert "15/01/2021 09:30" in sections[1]  # dates as people write them
    assert '<option value="hagiang-tdkt">Ban Thi đua - Khen thưởng tỉnh Hà Giang (14)</option>' in page


async def test_filters_without_words_list_their_articles_newest_first(ds):
    data = await search(ds, portal="other")
    assert [r["title"] for r in data["results"]] == ["Điện Biên phát động thi đua"] and data["total"] == 1
    data = await search(ds, to="2020-12-31")
    dates = [r["published_at"] for r in data["results"]]
    assert dates and dates == sorted(dates, reverse=True) and all(d[:10] <= "2020-12-31" for d in dates)
    assert data["order"] == "newest"
    assert data["results"][0]["portal_name"] == "Ban Thi đua - Khen thưởng tỉnh Hà Giang"


async def test_search_csv_has_the_same_rows_as_the_page(ds):
    import csv
    import io

    params = {"q": "thi dua", "portal": "hagiang-tdkt", "sort": "newest"}
    response = await ds.client.get("/search.csv", params=params)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    data = await search(ds, **params)
    assert [int(r["id"]) for r in rows[:20]] == [r["id"] for r in data["results"]] and len(rows) == data["total"]
    first = rows[0]
    assert first["portal_name"] == "Ban Thi đua - Khen thưởng tỉnh Hà Giang" and first["published_at"].endswith("+07:00")
    assert first["archive_url"] == f"http://localhost/article/{first['id']}" and "đua" in first["snippet"].lower()
    assert list(first) == ["id", "title", "published_at", "portal", "portal_name", "category", "author", "url",
                           "archive_url", "removed_at", "snippet"]


async def test_search_csv_pages_by_a_thousand(ds, monkeypatch):
    import archive.datasette as plugin

    monkeypatch.setattr(plugin, "CSV_PAGE_SIZE", 5)
    import csv
    import io

    def ids(response):
        return [row["id"] for row in csv.DictReader(io.StringIO(response.text))]

    first = await ds.client.get("/search.csv", params={"q": "thi dua"})
    link = re.fullmatch(r'<(http://localhost/search\.csv\?[^>]+)>; rel="next"', first.headers["link"])
    second = await ds.client.get(link[1].removeprefix("http://localhost"))
    assert len(ids(first)) == len(ids(second)) == 5 and not set(ids(first)) & set(ids(second))


async def test_search_atom_is_a_feed_a_reader_can_follow(ds, db_path):
    import xml.etree.ElementTree as ET

    import feedparser

    conn = sqlite3.connect(db_path)
    [(taken_down,)] = conn.execute("select id from articles where title = ?", [HOSTILE_TITLE])
    conn.execute("update articles set removed_at = '2026-12-02T02:10:00+07:00' where id = ?", [taken_down])
    conn.commit()
    try:
        response = await ds.client.get("/search.atom", params={"q": "thi dua", "portal": "hagiang-tdkt"})
    finally:
        conn.execute("update articles set removed_at = null where id = ?", [taken_down])
        conn.commit()
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    atom = "{http://www.w3.org/2005/Atom}"
    root = ET.fromstring(response.content)
    assert root.tag == f"{atom}feed"
    for element in ("id", "title", "updated"):
        assert root.find(f"{atom}{element}").text, element
    self_link = [link.get("href") for link in root.findall(f"{atom}link") if link.get("rel") == "self"]
    assert self_link and urllib.parse.parse_qs(urllib.parse.urlsplit(self_link[0]).query) == {
        "q": ["thi dua"], "portal": ["hagiang-tdkt"]}
    entries = root.findall(f"{atom}entry")
    assert len(entries) == 14
    for entry in entries:
        assert all(entry.find(f"{atom}{e}").text for e in ("id", "title", "updated")), ET.tostring(entry)
        assert entry.find(f"{atom}link[@rel='alternate']").get("href").startswith("http://localhost/article/")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10" and feed.feed.title.startswith("thi dua")
    published = [e.published for e in feed.entries]
    assert published == sorted(published, reverse=True)  # newest first, whatever the sort
    assert len({e.id for e in feed.entries}) == 14
    [gone] = [e for e in feed.entries if e.id.endswith(f"/article/{taken_down}")]
    assert "taken down 2026-12-02" in gone.title and "đua" in gone.summary.lower()
    page = (await ds.client.get("/search", params={"q": "thi dua"})).text
    assert re.search(r'<link rel="alternate" type="application/atom\+xml" href="/search\.atom\?q=thi\+dua"', page)


def test_atom_leaves_out_characters_xml_does_not_allow():
    import datetime
    import xml.etree.ElementTree as ET

    from archive.exports import search_atom

    now = datetime.datetime(2026, 12, 4, tzinfo=datetime.timezone.utc)
    result = {"id": 7, "title": "Tin\x0b có ký tự điều khiển\x01", "url": "javascript:alert(1)", "portal": "p",
              "published_at": "2024-03-01", "snippet": "a\x1fb"}
    feed = ET.fromstring(search_atom([result], title="t", feed_url="http://h/search.atom", page_url="http://h/search",
                                     absolute=lambda path: "http://h" + path, now=now))
    [entry] = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert entry.findtext("{http://www.w3.org/2005/Atom}title") == "Tin có ký tự điều khiển"
    assert entry.findtext("{http://www.w3.org/2005/Atom}published") == "2024-03-01T00:00:00+07:00"
    links = [(link.get("rel"), link.get("href")) for link in entry.findall("{http://www.w3.org/2005/Atom}link")]
    assert links == [("alternate", "http://h/article/7")]  # the javascript: original is not linked


@pytest.mark.parametrize("q, expected", [("Điện Biên", 1), ("ĐIỆN BIÊN", 1), ("dien bien", 5)])
async def test_the_table_search_box_is_accent_aware_too(ds, q, expected):
    data = (await ds.client.get("/archive/articles.json", params={"_search": q, "_shape": "objects"})).json()
    assert data["filtered_table_rows_count"] == expected
