"""`/snapshot/<id>`: a stored response shown as the portal served it, sanitized, on a real
Datasette over the crawled sample archive (in-process client)."""

import re
import sqlite3

import pytest
from datasette.app import Datasette

from archive import store
from archive.datasette import metadata_for
from tests.test_reparse import copy_of

HOSTILE = ('<script>alert(1)</script><img src="/uploads/x.jpg" onerror="alert(2)" alt="Ảnh hội nghị">'
           '<iframe src="http://evil.example/"></iframe><link rel="stylesheet" href="http://evil.example/a.css">'
           '<a href="javascript:alert(3)">xem</a><a href="/vi/news/tin-khac-1.html">Tin khác</a>'
           '<p style="color:red" onclick="alert(4)">Đoạn văn còn lại</p>').encode("utf-8")


@pytest.fixture(scope="module")
def served(crawled_archive, tmp_path_factory):
    path = copy_of(crawled_archive[0], tmp_path_factory.mktemp("snapshot"))
    db = store.open_db(path)
    store.save_snapshot(db, {"url": "http://127.0.0.1:1/vi/news/hostile-9.html", "fetched_at": "2026-12-01T08:00:00+07:00",
                             "status": 200, "headers": {"Content-Type": "text/html; charset=utf-8"},
                             "body": b"<html><head><title>T</title></head><body>" + HOSTILE + b"</body></html>"})
    db.close()
    return Datasette([path], metadata=metadata_for(path)), path, crawled_archive[1]


def snapshot_id(path, url):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("select max(id) from snapshots where url = ?", [url]).fetchone()[0]
    finally:
        conn.close()


async def test_the_seed_article_as_it_was_served(served):
    ds, path, seed_url = served
    seed = snapshot_id(path, seed_url)
    page = (await ds.client.get(f"/snapshot/{seed}")).text
    assert seed_url in page and 'sandbox=""' in page and f'src="/snapshot/{seed}/page"' in page
    assert re.search(r'Reading page: <a href="/article/\d+">Bưu điện tỉnh tổ chức', page)
    inner = await ds.client.get(f"/snapshot/{seed}/page")
    assert inner.status_code == 200 and "default-src 'none'" in inner.headers["content-security-policy"]
    assert "Bưu điện tỉnh tổ chức Hội nghị triển khai kế hoạch" in inner.text and "Hoàng Nhi" in inner.text
    assert "<script" not in inner.text.lower()
    article = (await ds.client.get(re.search(r'href="(/article/\d+)"', page)[1])).text
    assert f'href="/snapshot/{seed}"' in article  # the reading page links to the page as archived


async def test_nothing_in_a_stored_page_runs_or_loads(served):
    ds, path, _ = served
    inner = (await ds.client.get(f"/snapshot/{snapshot_id(path, 'http://127.0.0.1:1/vi/news/hostile-9.html')}/page")).text
    body = inner.split("<body>", 1)[1].lower()
    for forbidden in ("<script", "onerror", "onclick", "<iframe", "<link", "javascript:", "src=", "evil.example"):
        assert forbidden not in body, forbidden
    assert "Đoạn văn còn lại" in inner and 'alt="Ảnh hội nghị"' in inner
    assert 'href="http://127.0.0.1:1/vi/news/tin-khac-1.html"' in inner  # relative links made absolute


@pytest.mark.parametrize("path", ["/snapshot/0", "/snapshot/99999", "/snapshot/" + "9" * 30, "/snapshot/99999/page"])
async def test_a_snapshot_that_is_not_there_is_a_404(served, path):
    assert (await served[0].client.get(path)).status_code == 404
