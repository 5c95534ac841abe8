"""How the search page orders many matches (archive/reading.py ``search_sql`` plans, chosen in
archive/datasette ``_run_search``): every newest-first plan gives the sorted order on every page,
the relevance plan gives FTS5's bm25 order, and a search with more matches than relevance can
afford says so and is newest first. A real archive (ids not in date order), real Datasette, with
the caps lowered to fit it."""

import re
import sqlite3

import pytest
from datasette.app import Datasette

import archive.datasette as plugin
from archive import reading, store
from archive.datasette import metadata_for
from archive.reading import SearchRequest, estimated_matches, search_sql
from archive.search import parse_query

ARTICLES = 120


def words(i: int) -> str:
    """Every article says "phổ biến"; one in three "trung bình"; one in fifteen "hiếm hoi"."""
    said = ["phổ biến"] + ["trung bình"] * (i % 3 == 0) + ["hiếm hoi"] * (i % 15 == 0)
    return " ".join(f"Câu {n} nói về {w}." for n, w in enumerate(said * (1 + i % 4)))


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("plans") / "archive.db"
    db = store.open_db(str(path))
    for portal in ("mot", "hai"):
        store.save_portal(db, portal, name=portal, base_url=f"http://{portal}/", platform="generic", seen_at="T")
    for i in range(ARTICLES):
        day = (i * 37) % ARTICLES  # ids are not in date order
        store.save_article(db, {"url": f"http://p/{i}", "platform": "generic", "title": f"Bài {i}",
                                "published_at": f"2024-{1 + day // 28:02d}-{1 + day % 28:02d}T08:00:00+07:00",
                                "body_text": words(i), "images": [], "related_links": []},
                           portal="mot" if i % 2 else "hai", seen_at="T")
    db.close()
    return str(path)


@pytest.fixture
def small_caps(monkeypatch):
    monkeypatch.setattr(reading, "COUNT_CAP", 10)
    monkeypatch.setattr(plugin, "RANK_MAX_MATCHES", 60)
    monkeypatch.setattr(reading, "COLLECT_MAX_MATCHES", 80)


def ids(db_path: str, request: SearchRequest, plan: str | None = None, page_size: int = 7) -> list[int]:
    query = parse_query(request.q)
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    total, _ = conn.execute(*search_sql(request, query, page_size=page_size)[1:]).fetchone()
    select, _, params = search_sql(request, query, matches=total, page_size=page_size, plan=plan)
    return [row["id"] for row in conn.execute(select, params)]


def every_match(db_path: str, q: str, portal: str, order: str) -> list[int]:
    """The ids of every match of ``q`` (in ``portal``, if given) in ``order``: the plain statement
    each plan must agree with."""
    return [r[0] for r in sqlite3.connect(db_path).execute(
        "SELECT articles.id FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid "
        f"WHERE articles_fts MATCH ? AND (? = '' OR portal = ?) ORDER BY {order}",
        [parse_query(q).expression, portal, portal])]


@pytest.mark.parametrize("q", ["phổ biến", "trung binh", "hiếm hoi"])
@pytest.mark.parametrize("portal", ["", "mot"])
def test_every_newest_first_plan_gives_the_sorted_order_on_every_page(db_path, small_caps, q, portal):
    expected = every_match(db_path, q, portal, "published_at DESC, articles.id DESC")
    assert expected
    for page in (1, 2, 3):
        request = SearchRequest(q=q, sort="newest", page=page, portal=portal)
        want = expected[(page - 1) * 7: page * 7 + 1]
        for plan in ("sort", "walk", "collect"):
            assert ids(db_path, request, plan) == want, (plan, page)


@pytest.mark.parametrize("q", ["phổ biến", "trung binh"])
@pytest.mark.parametrize("portal", ["", "hai"])
def test_the_rank_plan_gives_bm25_order_on_every_page(db_path, small_caps, q, portal):
    expected = every_match(db_path, q, portal, "articles_fts.rank, articles.id DESC")
    for page in (1, 2, 3):
        assert ids(db_path, SearchRequest(q=q, page=page, portal=portal), "rank") == expected[(page - 1) * 7: page * 7 + 1]


def test_the_count_estimates_all_the_matches():
    assert estimated_matches(5, 50, 1000) == 5  # under the cap: counted, not estimated
    cap = reading.COUNT_CAP
    assert estimated_matches(cap + 1, 2 * (cap + 1), 1_000_000) == 500_000  # one id in two matches
    assert estimated_matches(cap + 1, None, 1000) == cap + 1


async def search(db_path, **params) -> dict:
    ds = Datasette([db_path], metadata=metadata_for(db_path))
    response = await ds.client.get("/search.json", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_relevance_is_ranked_when_affordable(db_path, small_caps):
    data = await search(db_path, q="trung bình")  # 40 matches: over the cap, under RANK_MAX_MATCHES
    assert data["order"] == "relevance" and data["total_is_capped"] and not data["notes"]
    assert [r["id"] for r in data["results"]] == ids(db_path, SearchRequest(q="trung bình"), "rank",
                                                     page_size=reading.PAGE_SIZE)[:reading.PAGE_SIZE]


async def test_too_many_matches_to_rank_are_newest_first_and_the_page_says_so(db_path, small_caps):
    data = await search(db_path, q="phổ biến")  # in every article
    assert data["sort"] == "relevance" and data["order"] == "newest"
    assert plugin.NEWEST_INSTEAD in data["notes"]
    dates = [r["published_at"] for r in data["results"]]
    assert len(dates) == reading.PAGE_SIZE and dates == sorted(dates, reverse=True)
    newest = await search(db_path, q="phổ biến", sort="newest", page="2")
    assert newest["order"] == "newest" and not newest["notes"]
    assert [r["id"] for r in newest["results"]] == ids(
        db_path, SearchRequest(q="phổ biến", sort="newest", page=2), "sort", page_size=reading.PAGE_SIZE)[:reading.PAGE_SIZE]


async def test_a_ranking_past_its_time_budget_is_stopped_and_newest_first_instead(db_path, small_caps, monkeypatch):
    slow = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) "
            "SELECT count(*) AS id FROM n")

    def slow_rank(*args, plan=None, **kwargs):
        select, count, params = search_sql(*args, plan=plan, **kwargs)
        return (slow if plan == "rank" else select), count, params

    monkeypatch.setattr(plugin, "search_sql", slow_rank)
    monkeypatch.setattr(plugin, "RANK_BUDGET_MS", 100)
    data = await search(db_path, q="trung bình")
    assert data["order"] == "newest" and plugin.NEWEST_INSTEAD in data["notes"]
    assert [r["id"] for r in data["results"]] == ids(db_path, SearchRequest(q="trung bình", sort="newest"), "sort",
                                                     page_size=reading.PAGE_SIZE)[:reading.PAGE_SIZE]


# --- Datasette's own table: /archive/articles.json?_search= (archive/datasette/table_search.py) ---

async def table_pages(db_path, **params) -> tuple[list[int], dict]:
    """Every article id the table API gives for ``params``, following ``next_url`` to the end,
    and its first page."""
    ds = Datasette([db_path], metadata=metadata_for(db_path))
    response = await ds.client.get("/archive/articles.json", params={"_shape": "objects", "_size": "7", **params})
    assert response.status_code == 200, response.text
    first = page = response.json()
    found = [row["id"] for row in page["rows"]]
    while page["next_url"]:
        response = await ds.client.get(page["next_url"].split("localhost", 1)[1])
        assert response.status_code == 200, response.text
        page = response.json()
        found += [row["id"] for row in page["rows"]]
    return found, first


@pytest.mark.parametrize("search, matches, walks", [("phổ biến", ARTICLES, True), ("trung binh", 40, False)])
@pytest.mark.parametrize("extra", [{}, {"_sort": "title"}, {"portal": "mot"}])
async def test_a_table_search_over_the_cap_gives_every_row_uncounted_and_unfaceted(
        db_path, small_caps, monkeypatch, search, matches, walks, extra):
    capped, first = await table_pages(db_path, _search=search, **extra)
    assert first["filtered_table_rows_count"] is None and first["facet_results"] == {}
    assert not first["suggested_facets"]
    said = re.search(r'search matches "(.*)" \(about ([0-9,]+) articles: too many to count or facet; add words or '
                     r'filters\)', first["human_description_en"])
    assert said and said[1] == search, first["human_description_en"]
    assert 0.8 * matches <= int(said[2].replace(",", "")) <= 1.2 * matches  # estimated from the first ids
    probing = "exists (select 1 from articles_fts" in first["query"]["sql"]
    assert probing == (walks and "_sort" not in extra), first["query"]["sql"]  # the date index serves no other order
    monkeypatch.setattr(reading, "COUNT_CAP", 10**9)  # Datasette's own answer, uncapped
    uncapped, whole = await table_pages(db_path, _search=search, **extra)
    assert capped == uncapped and whole["filtered_table_rows_count"] == len(uncapped)
    assert len(capped) == (matches if "portal" not in extra else matches // 2)
    assert whole["facet_results"] and "exists" not in whole["query"]["sql"]


async def test_a_table_search_under_the_cap_is_datasettes_own(db_path, small_caps):
    found, first = await table_pages(db_path, _search="hiếm hoi")  # 8 matches: the cap is 10
    assert first["filtered_table_rows_count"] == len(found) == 8
    assert set(first["facet_results"]) >= {"portal", "category"}
    assert first["human_description_en"] == 'where search matches "hiếm hoi" sorted by published_at descending'


async def test_a_table_search_fts5_refuses_is_refused_as_datasette_refuses_it(db_path, small_caps):
    ds = Datasette([db_path], metadata=metadata_for(db_path))
    response = await ds.client.get("/archive/articles.json", params={"_search": "phổ AND (", "_searchmode": "raw"})
    assert response.status_code == 400 and "fts5: syntax error" in response.text
