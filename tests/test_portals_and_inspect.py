"""The portal registry, `newsarchive portals`, `crawl --portal`, and `newsarchive inspect`."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler import portals
from crawler.pages.detect import PLATFORMS
from fixtures.cases import all_cases

CATEGORY = "/vi/news/tin-hoat-dong-cum-khoi-thi-dua/"


def newsarchive(*args, env=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "archive.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def test_registry_is_valid_and_names_known_platforms():
    registry = portals.load()
    assert len(registry) >= 8
    known = {p.platform for p in PLATFORMS} | {"generic"}
    assert {p.platform for p in registry} <= known
    for portal in registry:
        assert portal.slug.isascii() and portal.evidence, portal.slug


def test_portals_command_lists_every_portal():
    result = newsarchive("portals")
    assert result.returncode == 0, result.stderr
    for portal in portals.load():
        assert portal.slug in result.stdout and portal.start_urls[0] in result.stdout
    data = json.loads(newsarchive("portals", "--json").stdout)
    assert [p["slug"] for p in data] == [p.slug for p in portals.load()]


def test_broken_registry_is_reported(tmp_path):
    bad = tmp_path / "portals.toml"
    bad.write_text('[[portal]]\nslug = "x"\nname = "X"\nprovince = "Y"\nplatform = "nukeviet"\nstart_urls = ["ftp://x"]\n')
    result = newsarchive("portals", env={"NEWSARCHIVE_PORTALS": str(bad)})
    assert result.returncode == 2 and "not web addresses" in result.stderr
    result = newsarchive("crawl", "http://127.0.0.1:9/", "--db", str(tmp_path / "a.db"),
                         env={"NEWSARCHIVE_PORTALS": str(bad)})
    assert result.returncode == 2 and "not web addresses" in result.stderr


def test_crawl_registered_portal_by_slug(portal, tmp_path):
    registry = tmp_path / "portals.toml"
    registry.write_text(
        '[[portal]]\nslug = "hagiang-tdkt"\nname = "Ban Thi đua - Khen thưởng tỉnh Hà Giang"\nprovince = "Hà Giang"\n'
        f'platform = "nukeviet"\nstart_urls = ["{portal.url(CATEGORY)}"]\nevidence = "test"\n', encoding="utf-8")
    db = tmp_path / "archive.db"
    env = {"NEWSARCHIVE_PORTALS": str(registry)}
    result = newsarchive("crawl", "--portal", "hagiang-tdkt", "--db", str(db), "--delay", "0", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    conn = sqlite3.connect(db)
    assert conn.execute("select slug, name, province from portals").fetchall() == [
        ("hagiang-tdkt", "Ban Thi đua - Khen thưởng tỉnh Hà Giang", "Hà Giang")]
    assert conn.execute("select count(*), min(portal), max(portal) from articles").fetchone() == (
        14, "hagiang-tdkt", "hagiang-tdkt")
    result = newsarchive("crawl", "--all", "--full", "--db", str(db), "--delay", "0", env=env)
    assert result.returncode == 0
    assert conn.execute("select articles_unchanged from crawl_runs order by id desc limit 1").fetchone() == (14,)
    conn.close()


def test_crawl_unknown_portal_is_a_clear_error(tmp_path):
    result = newsarchive("crawl", "--portal", "no-such-portal", "--db", str(tmp_path / "a.db"))
    assert result.returncode == 2 and "no portal 'no-such-portal'" in result.stderr


@pytest.mark.parametrize("case", all_cases()[:3] + all_cases()[-3:], ids=lambda c: c.id)
def test_inspect_file_prints_the_case_output(case):
    result = newsarchive("inspect", str(case.folder / "input.html"), "--url", case.meta["url"])
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["platform"] == case.id.split("/")[0]
    assert {"kind": data["kind"], **data["item"]} == case.expected


def test_inspect_url_fetches_and_detects(portal):
    result = newsarchive("inspect", portal.url(CATEGORY))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["platform"], data["kind"], len(data["item"]["entries"])) == ("nukeviet", "Listing", 5)


def test_inspect_bad_input(tmp_path):
    assert "--url is required" in newsarchive("inspect", str(Path(__file__))).stderr
    result = newsarchive("inspect", "http://127.0.0.1:9/x")
    assert result.returncode == 1 and "cannot fetch" in result.stderr


def test_inspect_saves_a_reviewable_fixture_case(portal, tmp_path):
    from fixtures.cases import Case

    folder = tmp_path / "nukeviet" / "listing" / "saved"
    result = newsarchive("inspect", portal.url(CATEGORY + "page-2"), "--save-case", str(folder))
    assert result.returncode == 0, result.stderr
    assert "review expected.json" in result.stderr
    assert {p.name for p in folder.iterdir()} == {"input.html", "meta.json", "expected.json"}
    case = Case(folder)
    assert case.meta["url"] == portal.url(CATEGORY + "page-2")
    assert case.meta["content_type"] == "text/html; charset=utf-8"
    assert case.expected["kind"] == "Listing" and len(case.expected["entries"]) == 5
    assert case.extract() == case.expected  # the saved case replays to the same output
    again = newsarchive("inspect", portal.url(CATEGORY), "--save-case", str(folder))
    assert again.returncode == 2 and "already exists" in again.stderr


def crawl_registered_as(platform: str, portal, tmp_path):
    """Crawl the sample portal registered as ``platform``: the result and its JSON summary."""
    registry = tmp_path / "portals.toml"
    registry.write_text(
        '[[portal]]\nslug = "hagiang-tdkt"\nname = "Ban Thi đua - Khen thưởng tỉnh Hà Giang"\nprovince = "Hà Giang"\n'
        f'platform = "{platform}"\nstart_urls = ["{portal.url(CATEGORY)}"]\nevidence = "test"\n', encoding="utf-8")
    summary = tmp_path / "summary.json"
    result = newsarchive("crawl", "--portal", "hagiang-tdkt", "--db", str(tmp_path / "a.db"), "--delay", "0",
                         "--json-summary", str(summary), env={"NEWSARCHIVE_PORTALS": str(registry)})
    return result, json.loads(summary.read_text(encoding="utf-8")) if summary.exists() else {}


def test_a_registered_platform_the_pages_contradict_is_warned_and_counted(portal, tmp_path):
    result, counts = crawl_registered_as("tandan", portal, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]  # archived all the same, by the page objects that fit
    warned = [line for line in result.stderr.splitlines() if "is registered as tandan" in line]
    assert len(warned) == 1 and "read as nukeviet (NukeViet4)" in warned[0], result.stderr[-2000:]
    assert counts["platform_mismatches"] >= 14  # every page read (listing pages and articles)
    assert counts["articles_new"] == 14


def test_a_registered_platform_the_pages_confirm_says_nothing(portal, tmp_path):
    result, counts = crawl_registered_as("nukeviet", portal, tmp_path)
    assert result.returncode == 0 and "is registered as" not in result.stderr
    assert "platform_mismatches" not in counts
