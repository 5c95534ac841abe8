"""`newsarchive export jsonl`: the crawled sample portal as JSON Lines, read back line by line.
Expected values are the seed article's own (tests/test_crawl_e2e.py has them from the page)."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from archive.media import media_dir


def export(*args):
    return subprocess.run([sys.executable, "-m", "archive.cli", "export", "jsonl", *args], capture_output=True,
                          text=True, timeout=300)


def test_one_article_a_line_with_images_and_related_links(crawled_archive, tmp_path):
    db, seed_url = crawled_archive
    out = tmp_path / "articles.jsonl"
    result = export("--db", db, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "14 articles" in result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 14 and len({r["url"] for r in records}) == 14
    [seed] = [r for r in records if r["url"] == seed_url]
    assert seed["title"] == "Bưu điện tỉnh tổ chức Hội nghị triển khai kế hoạch và phát động phong trào thi đua năm 2021"
    assert seed["published_at"] == "2020-12-24T08:15:00+07:00" and seed["author"] == "Hoàng Nhi"
    assert seed["body_text"].startswith("Năm 2020, mặc dù tình hình kinh tế")
    assert [i["caption"] for i in seed["images"]] == [
        "Đ/c Hà Thị Minh Hạnh - Phó Chủ tịch UBND tỉnh phát biểu tại Hội nghị",
        "Đ/c Hà Thị Minh Hạnh - Phó Chủ tịch UBND tỉnh thừa ủy quyền của TTCP trao Cờ thi đua Chính phủ cho Bưu điện tỉnh",
    ]
    assert [(r["published_at"]) for r in seed["related_links"]][:2] == ["2020-12-23T09:04:00+07:00",
                                                                       "2020-12-16T10:20:00+07:00"]
    assert seed["portal_name"] and "search_folded" not in seed and "search_marked" not in seed
    # media references: the seed's two images, kept in the archive's media folder
    images = [m for m in seed["media"] if m["role"] == "image"]
    assert [m["url"].rsplit("/", 1)[1] for m in images] == ["hoi-nghi-bdt-1.jpg", "hoi-nghi-bdt-2.jpg"]
    for image in images:
        kept = Path(media_dir(db)) / image["file"]
        assert image["status"] == 200 and image["content_type"] == "image/jpeg" and image["bytes"] == kept.stat().st_size
        assert hashlib.sha256(kept.read_bytes()).hexdigest() == image["sha256"] and image["file"].endswith(image["sha256"])
    assert not (tmp_path / "articles.jsonl.partial").exists()


def test_filters_and_standard_output(crawled_archive):
    db, seed_url = crawled_archive
    portal = json.loads(export("--db", db, "--out", "-").stdout.splitlines()[0])["portal"]
    assert len(export("--db", db, "--out", "-", "--portal", portal).stdout.splitlines()) == 14
    other = export("--db", db, "--out", "-", "--portal", "other")
    assert other.returncode == 2 and other.stdout == "" and f"no portal 'other' in the archive (it has: {portal})" in other.stderr
    assert export("--db", db, "--out", "-", "--since", "2100-01-01").stdout == ""
    assert len(export("--db", db, "--out", "-", "--since", "2000-01-01").stdout.splitlines()) == 14


def test_bad_arguments_get_a_clear_message(crawled_archive, tmp_path):
    db, _ = crawled_archive
    bad_date = export("--db", db, "--out", "-", "--since", "yesterday")
    assert bad_date.returncode == 2 and "is not a date" in bad_date.stderr
    missing = export("--db", str(tmp_path / "none.db"), "--out", "-")
    assert missing.returncode == 2 and "no archive at" in missing.stderr
    not_db = tmp_path / "x.db"
    not_db.write_text("not sqlite")
    refused = export("--db", str(not_db), "--out", "-")
    assert refused.returncode == 2 and "is not an archive" in refused.stderr and "Traceback" not in refused.stderr
    unwritable = export("--db", db, "--out", str(tmp_path / "no" / "such" / "dir.jsonl"))
    assert unwritable.returncode == 2 and "cannot write" in unwritable.stderr
