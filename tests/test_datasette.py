"""The archive served by real Datasette with the project's metadata, through its in-process client."""

from pathlib import Path

import pytest
from datasette.app import Datasette

from archive import store
from archive.datasette import metadata_for
from crawler.pages import parse_page

SITE = Path(__file__).resolve().parent.parent / "fixtures" / "sites" / "nukeviet-hagiang"
CATEGORY = SITE / "vi" / "news" / "tin-hoat-dong-cum-khoi-thi-dua"
BASE = "http://127.0.0.1:8000/vi/news/tin-hoat-dong-cum-khoi-thi-dua/"
SEED_TITLE = "Bưu điện tỉnh tổ chức Hội nghị triển khai kế hoạch và phát động phong trào thi đua năm 2021"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("serve") / "archive.db"
    db = store.open_db(str(path))
    for file in sorted(CATEGORY.glob("*-[0-9]*.html")):
        article = parse_page(BASE + file.name, file.read_bytes())
        store.save_portal(db, "127.0.0.1:8000", name=article.site_name, base_url="http://127.0.0.1:8000/",
                          platform=article.platform, seen_at="2026-11-26T09:00:00+07:00")
        store.save_article(db, article.to_dict(), portal="127.0.0.1:8000", seen_at="2026-11-26T09:00:00+07:00")
    db.close()
    return str(path)


@pytest.fixture
def datasette(db_path):
    return Datasette([db_path], metadata=metadata_for(db_path), settings={"sql_time_limit_ms": 3000})


async def search(datasette, query):
    response = await datasette.client.get("/archive/articles.json", params={"_search": query, "_shape": "objects"})
    assert response.status_code == 200, response.text
    return [row["title"] for row in response.json()["rows"]]


@pytest.mark.parametrize("query", ["thi dua", "thi đua", "Thi Đua", "Buu dien tinh", "Bưu điện tỉnh", "ha thi minh hanh"])
async def test_search_finds_seed_with_and_without_diacritics(datasette, query):
    assert SEED_TITLE in await search(datasette, query)


async def test_search_matches_captions(datasette):
    titles = await search(datasette, "uy quyen cua TTCP")  # only in the seed's second caption
    assert titles == [SEED_TITLE]


async def test_search_without_match_is_empty(datasette):
    assert await search(datasette, "khong co tu nay xyzzy") == []


async def test_articles_newest_first_with_facets(datasette):
    response = await datasette.client.get("/archive/articles.json", params={"_shape": "objects", "_extra": "facet_results"})
    data = response.json()
    dates = [row["published_at"] for row in data["rows"]]
    assert dates == sorted(dates, reverse=True)
    facets = data["facet_results"]["results"] if "results" in data["facet_results"] else data["facet_results"]
    assert {"portal", "category", "author"} <= set(facets)


async def test_table_page_shows_descriptions(datasette):
    response = await datasette.client.get("/archive/articles")
    assert response.status_code == 200
    assert "Publication time, ISO 8601 +07:00" in response.text
    home = await datasette.client.get("/")
    assert "Vietnamese provincial news archive" in home.text


async def test_metadata_follows_the_database_file_name(tmp_path):
    metadata = metadata_for(str(tmp_path / "tin-tuc.db"))
    assert list(metadata["databases"]) == ["tin-tuc"]
    assert metadata["databases"]["tin-tuc"]["tables"]["articles"]["fts_table"] == "articles_fts"


async def test_sql_is_read_only(datasette):
    response = await datasette.client.get("/archive.json", params={"sql": "delete from articles"})
    assert response.status_code == 400


@pytest.fixture
def other_db(tmp_path):
    """A database that is not an archive (a researcher's own notes), served in the same Datasette."""
    import sqlite3

    path = tmp_path / "notes.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('thi đua')")
    return str(path)


async def test_the_archive_is_found_beside_another_database(db_path, other_db):
    both = Datasette([other_db, db_path], metadata=metadata_for(db_path), settings={"sql_time_limit_ms": 3000})
    search = await both.client.get("/search.json", params={"q": "thi đua"})
    assert search.status_code == 200 and search.json()["total"] > 0
    article_id = search.json()["results"][0]["id"]
    assert (await both.client.get(f"/article/{article_id}")).status_code == 200
    assert (await both.client.get("/notes/notes.json")).status_code == 200


async def test_without_an_archive_the_archive_pages_answer_404_not_500(other_db):
    alone = Datasette([other_db], settings={"sql_time_limit_ms": 3000})
    for path in ("/search", "/search.json?q=thi", "/article/1", "/snapshot/1"):
        response = await alone.client.get(path)
        assert response.status_code == 404, (path, response.status_code)
    assert "no archive is served here" in (await alone.client.get("/search")).text
    assert (await alone.client.get("/notes/notes.json")).status_code == 200
