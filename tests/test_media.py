"""Images and attachments: fetched with the articles, kept once by content, served from the
archive with the portal stopped. The portal is a copy of the sample NukeViet site given the two
images of the seed article (its own placeholder images removed) and a PDF that two articles link."""

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from datasette.app import Datasette

from archive.datasette import metadata_for
from archive.media import media_dir, media_path
from fixtures.server import SITES, FixtureServer
from tests.test_crawl_e2e import CATEGORY, SEED_PATH, query, run_crawl

IMAGES = {"/uploads/news/2020_12/hoi-nghi-bdt-1.jpg": b"\xff\xd8\xff\xe0 first image \xff\xd9",
          "/uploads/news/2020_12/hoi-nghi-bdt-2.jpg": b"\xff\xd8\xff\xe0 second image \xff\xd9"}
PDF_PATH = "/uploads/news/2020_12/danh-sach-khen-thuong.pdf"
PDF = b"%PDF-1.4\n% Danh sach khen thuong\n%%EOF\n"
LINKING = [SEED_PATH, CATEGORY + "khoi-cac-co-quan-dang-to-chuc-ky-ket-giao-uoc-thi-dua-nam-2021-1250.html"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("media-site") / "nukeviet-hagiang"
    shutil.copytree(SITES / "nukeviet-hagiang", root)
    shutil.rmtree(root / "uploads")  # only the files below: the other articles' images answer 404
    for path, body in {**IMAGES, PDF_PATH: PDF}.items():
        (root / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (root / path.lstrip("/")).write_bytes(body)
    for page in LINKING:
        file = root / page.lstrip("/")
        html = file.read_text(encoding="utf-8")
        opening = '<div id="news-bodyhtml" class="bodytext margin-bottom-lg">'
        assert opening in html
        file.write_text(html.replace(opening, f'{opening}<p>File đính kèm: <a href="{PDF_PATH}">Danh sách khen thưởng'
                                     '</a></p>', 1), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory):
    db = str(tmp_path_factory.mktemp("media") / "archive.db")
    with FixtureServer(str(site)) as portal:
        first = run_crawl(portal.url(CATEGORY), "--db", db, "--delay", "0")
        assert first.returncode == 0, first.stderr[-3000:]
        media_requests = [p for p in portal.requests if p.startswith("/uploads/news/2020_12/")]
        seen = len(portal.requests)
        second = run_crawl(portal.url(CATEGORY), "--db", db, "--delay", "0")
        assert second.returncode == 0, second.stderr[-3000:]
        again = [p for p in portal.requests[seen:] if p.startswith("/uploads/news/2020_12/")]
        seed_url = portal.url(SEED_PATH)
    return {"db": db, "seed_url": seed_url, "media_requests": media_requests, "again": again}


def test_images_and_the_attachment_are_kept_once(crawled):
    db = crawled["db"]
    requested = crawled["media_requests"]  # (the other articles' images are missing from the site: 404)
    assert all(requested.count(p) == 1 for p in [*IMAGES, PDF_PATH]) and len(requested) == len(set(requested))
    assert crawled["again"] == [], "the next crawl fetched archived media again"
    media = {r["url"].split("/", 3)[3]: r for r in query(db, "select * from media where sha256 is not null")}
    assert set(media) == {p.lstrip("/") for p in [*IMAGES, PDF_PATH]}
    pdf = media[PDF_PATH.lstrip("/")]
    assert pdf["sha256"] == hashlib.sha256(PDF).hexdigest() and pdf["bytes"] == len(PDF)
    assert pdf["content_type"].startswith("application/pdf") and pdf["status"] == 200
    stored = Path(media_path(media_dir(db), pdf["sha256"]))
    assert stored.read_bytes() == PDF
    assert [p for p in Path(media_dir(db)).rglob("*") if p.is_file()].__len__() == 3  # one file per content
    linked = query(db, "select a.url, m.title from article_media m join articles a on a.id = m.article_id "
                      "where m.role = 'attachment'")
    assert sorted(r["url"].split("/")[-1] for r in linked) == sorted(p.split("/")[-1] for p in LINKING)
    assert {r["title"] for r in linked} == {"Danh sách khen thưởng"}
    missing = query(db, "select status, sha256 from media where url like '%/dn.jpg'")  # another article's image: 404
    assert missing == [{"status": 404, "sha256": None}]  # recorded, so the next crawl did not ask again


async def test_the_reading_page_shows_the_archived_copies(crawled):
    """Served with the portal stopped: both images from the archive, the attachment listed."""
    db = crawled["db"]
    ds = Datasette([db], metadata=metadata_for(db))
    [seed] = query(db, "select id from articles where url = ?", [crawled["seed_url"]])
    page = (await ds.client.get(f"/article/{seed['id']}")).text
    sources = re.findall(r'<img[^>]* src="([^"]+)"', page)
    digests = {hashlib.sha256(body).hexdigest() for body in IMAGES.values()}
    assert sorted(sources) == sorted(f"/media/{d}" for d in digests)
    for source, body in ((f"/media/{hashlib.sha256(b).hexdigest()}", b) for b in IMAGES.values()):
        response = await ds.client.get(source)
        assert response.status_code == 200 and response.content == body
        assert response.headers["content-type"].startswith("image/jpeg")
        assert "sandbox" in response.headers["content-security-policy"]
    assert "Danh sách khen thưởng" in page and f'href="/media/{hashlib.sha256(PDF).hexdigest()}"' in page
    assert (await ds.client.get("/media/" + "0" * 64)).status_code == 404


def test_no_media_fetches_none(site, tmp_path):
    db = str(tmp_path / "archive.db")
    with FixtureServer(str(site)) as portal:
        result = run_crawl(portal.url(CATEGORY), "--db", db, "--delay", "0", "--no-media")
        assert result.returncode == 0, result.stderr[-3000:]
        assert not [p for p in portal.requests if p.startswith("/uploads/news/")]
    assert query(db, "select count(*) as n from media")[0]["n"] == 0


def test_an_image_over_the_limit_is_not_kept_and_loses_nothing(site, tmp_path):
    db = str(tmp_path / "archive.db")
    with FixtureServer(str(site)) as portal:
        result = run_crawl(portal.url(CATEGORY), "--db", db, "--delay", "0", "--max-image-mb", "0.00001")
        assert result.returncode == 0, result.stderr[-3000:]
    assert query(db, "select count(*) as n from articles")[0]["n"] == 14
    kept = {r["url"].rsplit("/", 1)[1] for r in query(db, "select url from media where sha256 is not null")}
    assert kept == {PDF_PATH.rsplit("/", 1)[1]}  # the images (over 10 bytes) were refused, the PDF kept
    assert query(db, "select count(*) as n from article_media where role = 'image'")[0]["n"] >= 2  # links stay


def test_a_backup_carries_the_media_files(crawled, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "backup.db"
    result = subprocess.run([sys.executable, "-m", "archive.cli", "backup", "--db", crawled["db"], "--out", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "3 media files" in result.stdout
    originals = sorted(p.relative_to(media_dir(crawled["db"])) for p in Path(media_dir(crawled["db"])).rglob("*")
                       if p.is_file())
    copies = sorted(p.relative_to(media_dir(str(out))) for p in Path(media_dir(str(out))).rglob("*") if p.is_file())
    assert copies == originals and len(copies) == 3
    first = Path(media_dir(str(out))) / copies[0]
    assert first.read_bytes() == (Path(media_dir(crawled["db"])) / copies[0]).read_bytes()
    # on one file system the copy is a hard link: daily backups share the files
    assert first.stat().st_ino == (Path(media_dir(crawled["db"])) / copies[0]).stat().st_ino


async def test_the_page_as_archived_shows_the_images_from_the_archive(crawled):
    db = crawled["db"]
    ds = Datasette([db], metadata=metadata_for(db))
    [snapshot] = query(db, "select max(id) as id from snapshots where url = ?", [crawled["seed_url"]])
    inner = (await ds.client.get(f"/snapshot/{snapshot['id']}/page")).text
    sources = re.findall(r'<img[^>]* src="([^"]+)"', inner)
    assert sorted(sources) == sorted(f"http://localhost/media/{hashlib.sha256(b).hexdigest()}" for b in IMAGES.values())
    assert "/uploads/" not in " ".join(re.findall(r'src="([^"]+)"', inner))  # the portal's logo: not loaded


async def test_search_finds_an_attachment_by_its_file_name(crawled):
    """"pdf" is in no article's text, only in the attachment's file name."""
    db = crawled["db"]
    ds = Datasette([db], metadata=metadata_for(db))
    data = (await ds.client.get("/search.json", params={"q": "danh-sach-khen-thuong.pdf"})).json()
    assert sorted(r["url"].rsplit("/", 1)[1] for r in data["results"]) == sorted(p.rsplit("/", 1)[1] for p in LINKING)
    assert (await ds.client.get("/search.json", params={"q": "pdf"})).json()["total"] == 2


def test_which_links_are_attachments():
    from crawler.extract.media import attachment_links, listed_attachments

    page = """<html><body>
      <div id="body"><p>Xem <a href="/files/QD-15.PDF">Quyết định số 15</a> và <a href="/tin-khac.html">tin khác</a>
        <a href="javascript:alert(1)">x.pdf</a> <a href="mailto:a@b.vn">b.doc</a></p></div>
      <div class="attach"><h3>Tệp đính kèm</h3><ul><li><a href="/uploads/danh%20sach.xlsx"></a></li>
        <li><a href="/files/QD-15.PDF">lại</a></li></ul></div>
      <aside><h3>Văn bản mới</h3><ul><li><a href="/van-ban/khac.pdf">Văn bản khác</a></li></ul></aside>
    </body></html>"""
    body = page.split('<div id="body">', 1)[1].split("</div>", 1)[0]
    assert attachment_links(body, "http://p.vn/tin/a.html") == [("http://p.vn/files/QD-15.PDF", "Quyết định số 15")]
    assert listed_attachments(page, "http://p.vn/tin/a.html") == [
        ("http://p.vn/uploads/danh%20sach.xlsx", "danh sach.xlsx"), ("http://p.vn/files/QD-15.PDF", "lại")]
    assert listed_attachments("<p>no files</p>", "http://p.vn/") == []
    encoded = '<div><b>T&#7879;p &#273;&iacute;nh k&egrave;m</b>: <a href="/f/a.pdf">A</a></div>'  # entities
    assert listed_attachments(encoded, "http://p.vn/") == [("http://p.vn/f/a.pdf", "A")]


def test_media_on_a_registered_upload_host(site, tmp_path):
    """A portal registered with ``media_hosts`` gets its images from that host; without it,
    another host's images are left alone."""
    import os

    seed = site / SEED_PATH.lstrip("/")
    original = seed.read_text(encoding="utf-8")
    with FixtureServer(str(site)) as uploads:
        seed.write_text(original.replace('src="/uploads/news/2020_12/', f'src="{uploads.url("/uploads/news/2020_12/")}'),
                        encoding="utf-8")
        try:
            with FixtureServer(str(site)) as portal:
                host = portal.url("/").split("/")[2]
                registry = tmp_path / "portals.toml"
                registry.write_text(f'[[portal]]\nslug = "test"\nname = "Test"\nprovince = "Hà Giang"\n'
                                    f'platform = "nukeviet"\nstart_urls = ["{portal.url(CATEGORY)}"]\n'
                                    f'media_hosts = ["{uploads.url("/").split("/")[2]}"]\n', encoding="utf-8")
                for name, env in (("without", {}), ("with", {"NEWSARCHIVE_PORTALS": str(registry)})):
                    db = str(tmp_path / f"{name}.db")
                    os.environ.update(env)
                    try:
                        result = run_crawl(portal.url(CATEGORY), "--db", db, "--delay", "0")
                    finally:
                        for key in env:
                            del os.environ[key]
                    assert result.returncode == 0, result.stderr[-3000:]
                    images = {r["url"] for r in query(db, "select url from media where sha256 is not null")}
                    expected = {uploads.url(p) for p in IMAGES} if name == "with" else set()
                    assert images & {uploads.url(p) for p in IMAGES} == expected, (name, images)
                assert host not in {u.split("/")[2] for u in expected}
        finally:
            seed.write_text(original, encoding="utf-8")
