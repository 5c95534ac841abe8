"""The charts dashboard (archive/datasette/metadata.json: plugins.datasette-dashboards) on a real archive.

Every chart's SQL is run the way the dashboard's JavaScript runs it (the plugin's own
``[[ … ]]`` substitution, then ``/<db>.json?sql=…&<filters>&_shape=objects``) and compared with
counts computed here in Python from the ``articles`` and ``crawl_runs`` rows.
"""

import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup
from datasette.app import Datasette
from datasette_dashboards import replace_opts_in_query

import datasette_dashboards
from archive import store
from archive.datasette import HERE, metadata_for
from crawler.pages import parse_page

SITES = Path(__file__).resolve().parent.parent / "fixtures" / "sites"
HAGIANG, NAMDINH = "127.0.0.1:8000", "127.0.0.1:8001"
THI_DUA_HG = "Tin hoạt động cụm, khối thi đua"
SU_KIEN_HG = "Tin tức - Sự kiện"
OTHER = "(khác · other)"
MAX_ROWS = 1000  # Datasette's default max_returned_rows: the monthly charts never return more
SLUG = "archive"
VEGA_CHARTS = ["articles-by-portal", "articles-by-category", "crawl-runs", "crawl-failure-rate"]
RUNS = [  # (started_at, finished_at, counts)
    ("2026-11-25T02:00:00+07:00", "2026-11-25T02:05:10+07:00",
     {"requests": 43, "pages_fetched": 40, "not_modified": 0, "articles_new": 23, "articles_updated": 0,
      "articles_unchanged": 0, "articles_taken_down": 0, "failures": 2}),
    ("2026-11-26T02:00:00+07:00", "2026-11-26T02:03:30+07:00",
     {"requests": 37, "pages_fetched": 36, "not_modified": 9, "articles_new": 2, "articles_updated": 1,
      "articles_unchanged": 13, "articles_taken_down": 2, "failures": 0}),
]
OPTIONS = [  # dashboard filter values, as a person would pick them (empty means "all")
    {},
    {"portal": "", "category": "", "date_from": "", "date_to": ""},
    {"portal": NAMDINH},
    {"category": SU_KIEN_HG},
    {"portal": HAGIANG, "category": THI_DUA_HG},
    {"date_from": "2020-12-24", "date_to": "2020-12-30"},  # bounds: 2020-12-24T08:15, "2020-12-24", 2020-12-30T15:20, "2020-12-30"
    {"portal": HAGIANG, "category": THI_DUA_HG, "date_from": "2020-12-01", "date_to": "2021-01-31"},
    {"date_to": "2020-10-31"},
    {"date_from": "2030-01-01"},  # nothing
]


def save(db, site_dir: Path, portal: str, base: str, url_paths: list[str]) -> None:
    for path in url_paths:
        article = parse_page(base + path, (site_dir / path.lstrip("/")).read_bytes())
        store.save_portal(db, portal, name=article.site_name, base_url=base + "/", platform=article.platform,
                          seen_at="2026-11-26T09:00:00+07:00")
        store.save_article(db, article.to_dict(), portal=portal, seen_at="2026-11-26T09:00:00+07:00")


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    """Two portals (NukeViet, two categories, times; Tân Dân, dates only), two crawl runs."""
    path = tmp_path_factory.mktemp("charts") / "archive.db"
    db = store.open_db(str(path))
    hagiang = SITES / "nukeviet-hagiang"
    save(db, hagiang, HAGIANG, "http://127.0.0.1:8000",
         ["/" + str(f.relative_to(hagiang)) for f in sorted((hagiang / "vi" / "news").glob("*/*-[0-9]*.html"))])
    namdinh = SITES / "tandan-namdinh"
    facts = json.loads((namdinh / "_facts.json").read_text(encoding="utf-8"))
    save(db, namdinh, NAMDINH, "http://127.0.0.1:8001", [a["url"] for a in facts["articles"]])
    for started_at, finished_at, counts in RUNS:
        run_id = store.start_crawl_run(db, ["http://127.0.0.1:8000/vi/news/"], started_at)
        store.finish_crawl_run(db, run_id, finished_at, counts)
    for (url,) in db.execute("select min(url) from articles group by portal").fetchall():  # gone on a recheck
        assert store.mark_taken_down(db, url, RUNS[1][1], "HTTP 404")
    db.close()
    return str(path)


@pytest.fixture
def datasette(db_path):
    return Datasette([db_path], metadata=metadata_for(db_path), settings={"sql_time_limit_ms": 3000})


@pytest.fixture(scope="module")
def dashboard(db_path):
    return metadata_for(db_path)["plugins"]["datasette-dashboards"][SLUG]


@pytest.fixture(scope="module")
def articles(db_path):
    conn = sqlite3.connect(db_path)
    rows = conn.execute("select portal, category, published_at from articles").fetchall()
    conn.close()
    return rows


# --- expectations computed in Python ---------------------------------------------------------


def selected(articles, opts):
    """The articles the filters select (``published_at`` compared as text, like the SQL)."""
    date_to = opts.get("date_to") and (date.fromisoformat(opts["date_to"]) + timedelta(days=1)).isoformat()
    for portal, category, published_at in articles:
        if opts.get("portal") and portal != opts["portal"]:
            continue
        if opts.get("category") and category != opts["category"]:
            continue
        if opts.get("date_from") and (published_at is None or published_at < opts["date_from"]):
            continue
        if date_to and (published_at is None or published_at >= date_to):
            continue
        yield portal, category, published_at


def expected_monthly(rows, key):
    """``[{month, <key>, rank, articles}]``: the values with the most articles by name (as many as
    keep the result within MAX_ROWS rows, at most 9), the others summed as OTHER."""
    counts = Counter((published_at[:7], value) for value, published_at in rows if published_at)
    totals = Counter()
    for (_, value), n in counts.items():
        totals[value] += n
    ranking = {value: i + 1 for i, value in enumerate(sorted(totals, key=lambda v: (-totals[v], v)))}
    months = {month for month, _ in counts}
    top = min(9, MAX_ROWS // len(months) - 1) if months else 0
    out = Counter()
    labels = {}
    for (month, value), n in counts.items():
        rank = min(ranking[value], top + 1)
        labels[rank] = value if ranking[value] <= top else OTHER
        out[(month, rank)] += n
    return [{"month": month, key: labels[rank], "rank": rank, "articles": n} for (month, rank), n in sorted(out.items())]


def expected_by_portal(articles, opts):
    return expected_monthly([(p, d) for p, _, d in selected(articles, opts)], "portal")


def expected_by_category(articles, opts):
    return expected_monthly([(c if c is not None else "(không rõ · none)", d) for _, c, d in selected(articles, opts)],
                            "category")


def expected_metrics(articles, opts):
    rows = list(selected(articles, opts))
    dates = sorted(d for _, _, d in rows if d)
    first, last = (dates[0][:10], dates[-1][:10]) if dates else (None, None)
    return {
        "total-articles": [{"articles": len(rows), "articles_shown": f"{len(rows):,}"}],
        "total-portals": [{"portals": len({p for p, _, _ in rows if p is not None})}],
        "total-categories": [{"categories": len({c for _, c, _ in rows if c is not None})}],
        "date-range": [{"first": first, "last": last, "period": f"{first} → {last}" if dates else "–"}],
    }


# --- running the charts as the dashboard does ------------------------------------------------


async def run_sql(datasette, db, query, opts):
    """What dashboards.js fetches: ``<db>.json?sql=<query with [[ ]] resolved>&<filters>&_shape=objects``."""
    sql = replace_opts_in_query(query, opts)
    assert "[[" not in sql and "]]" not in sql
    response = await datasette.client.get(f"/{db}.json?" + urlencode({"sql": sql}) + "&" + urlencode(opts) + "&_shape=objects")
    assert response.status_code == 200, (sql, response.text)
    data = response.json()
    assert data["ok"] is not False and not data.get("error"), data
    assert data["truncated"] is False
    return data["rows"]


@pytest.mark.parametrize("opts", OPTIONS, ids=lambda o: urlencode(o) or "no-filter")
async def test_monthly_charts_count_the_articles(datasette, dashboard, articles, opts):
    charts = dashboard["charts"]
    by_portal = await run_sql(datasette, charts["articles-by-portal"]["db"], charts["articles-by-portal"]["query"], opts)
    assert by_portal == expected_by_portal(articles, opts)
    by_category = await run_sql(datasette, charts["articles-by-category"]["db"], charts["articles-by-category"]["query"], opts)
    assert by_category == expected_by_category(articles, opts)
    # both charts show the same articles per month
    per_month = Counter()
    for row in by_portal:
        per_month[row["month"]] += row["articles"]
    for row in by_category:
        per_month[row["month"]] -= row["articles"]
    assert set(per_month.values()) <= {0}


async def test_monthly_counts_by_hand(datasette, dashboard):
    """A sanity check of the expectations themselves, on known fixture dates."""
    chart = dashboard["charts"]["articles-by-portal"]
    rows = await run_sql(datasette, chart["db"], chart["query"], {"date_from": "2020-12-24", "date_to": "2020-12-30"})
    # Hà Giang: 12-24 08:15, 12-28, 12-30 15:20 (12-23 excluded); Nam Định: "2020-12-24", "2020-12-30"
    assert rows == [{"month": "2020-12", "portal": HAGIANG, "rank": 1, "articles": 3},
                    {"month": "2020-12", "portal": NAMDINH, "rank": 2, "articles": 2}]
    rows = await run_sql(datasette, chart["db"], chart["query"], {"portal": NAMDINH, "date_to": "2020-10-31"})
    assert rows == [{"month": "2015-08", "portal": NAMDINH, "rank": 1, "articles": 1},
                    {"month": "2020-09", "portal": NAMDINH, "rank": 1, "articles": 1},
                    {"month": "2020-10", "portal": NAMDINH, "rank": 1, "articles": 1}]


@pytest.mark.parametrize("opts", OPTIONS, ids=lambda o: urlencode(o) or "no-filter")
async def test_big_numbers(datasette, dashboard, articles, opts):
    expected = expected_metrics(articles, opts)
    for slug, rows in expected.items():
        chart = dashboard["charts"][slug]
        assert chart["library"] == "metric"
        got = await run_sql(datasette, chart["db"], chart["query"], opts)
        assert got == rows, slug
        assert chart["display"]["field"] in got[0]


@pytest.mark.parametrize("opts", OPTIONS, ids=lambda o: urlencode(o) or "no-filter")
async def test_taken_down_metric(datasette, dashboard, db_path, opts):
    conn = sqlite3.connect(db_path)
    gone = conn.execute("select portal, category, published_at from articles where removed_at is not null").fetchall()
    conn.close()
    assert len(gone) == 2
    chart = dashboard["charts"]["taken-down"]
    expected = len(list(selected(gone, opts)))
    assert await run_sql(datasette, chart["db"], chart["query"], opts) == [
        {"taken_down": expected, "taken_down_shown": f"{expected:,}"}]


async def test_big_numbers_by_hand(datasette, dashboard):
    charts = dashboard["charts"]
    assert await run_sql(datasette, charts["total-articles"]["db"], charts["total-articles"]["query"], {}) == [
        {"articles": 27, "articles_shown": "27"}]  # Hà Giang 14 + 2, Nam Định 11
    assert await run_sql(datasette, charts["date-range"]["db"], charts["date-range"]["query"], {"portal": HAGIANG}) == [
        {"first": "2020-11-10", "last": "2021-02-22", "period": "2020-11-10 → 2021-02-22"}]


@pytest.mark.parametrize("opts", [{}, {"portal": NAMDINH, "date_from": "2020-12-01"}], ids=["no-filter", "filtered"])
async def test_crawl_health_charts(datasette, dashboard, db_path, opts):
    """Per crawl run, oldest first; the article filters do not apply to crawl runs."""
    charts = dashboard["charts"]
    rows = await run_sql(datasette, charts["crawl-runs"]["db"], charts["crawl-runs"]["query"], opts)
    assert [(r["run"], r["started_at"], r["finished_at"]) for r in rows] == [(i + 1, s, f) for i, (s, f, _) in enumerate(RUNS)]
    fold = charts["crawl-runs"]["display"]["transform"][0]["fold"]
    fields = ["requests", "pages_fetched", "not_modified", "articles_new", "articles_updated", "articles_unchanged",
              "articles_taken_down", "failures"]
    assert [[row[label] for label in fold] for row in rows] == [[c[f] for f in fields] for _, _, c in RUNS]
    rates = await run_sql(datasette, charts["crawl-failure-rate"]["db"], charts["crawl-failure-rate"]["query"], opts)
    assert [(r["started_at"], r["pages_fetched"], r["failures"], r["failure_rate"]) for r in rates] == [
        (RUNS[0][0], 40, 2, 0.05), (RUNS[1][0], 36, 0, 0.0)]


async def test_unfinished_crawl_run_has_no_failure_rate(tmp_path, dashboard):
    path = tmp_path / "runs.db"
    db = store.open_db(str(path))
    store.start_crawl_run(db, ["http://example.invalid/"], "2026-11-27T02:00:00+07:00")  # killed: never finished
    run_id = store.start_crawl_run(db, ["http://example.invalid/"], "2026-11-28T02:00:00+07:00")
    store.finish_crawl_run(db, run_id, "2026-11-28T02:00:09+07:00", {"pages_fetched": 1, "failures": 5})  # all timed out
    db.close()
    ds = Datasette([str(path)], metadata=metadata_for(str(path)))
    chart = metadata_for(str(path))["plugins"]["datasette-dashboards"][SLUG]["charts"]["crawl-failure-rate"]
    rows = await run_sql(ds, chart["db"], chart["query"], {})
    assert [(r["finished_at"], r["failure_rate"]) for r in rows] == [(None, None), ("2026-11-28T02:00:09+07:00", 1.0)]


async def test_filter_options(datasette, dashboard, articles):
    filters = dashboard["filters"]
    assert {k: f["type"] for k, f in filters.items()} == {
        "portal": "select", "category": "select", "date_from": "date", "date_to": "date"}
    portals = await run_sql(datasette, filters["portal"]["db"], filters["portal"]["query"], {})
    assert [r["portal"] for r in portals] == sorted({p for p, _, _ in articles})
    categories = await run_sql(datasette, filters["category"]["db"], filters["category"]["query"], {})
    assert [r["category"] for r in categories] == sorted({c for _, c, _ in articles if c})
    categories = await run_sql(datasette, filters["category"]["db"], filters["category"]["query"], {"portal": HAGIANG})
    assert [r["category"] for r in categories] == sorted([SU_KIEN_HG, THI_DUA_HG])


async def test_monthly_charts_stay_within_the_row_limit(tmp_path):
    """15 portals and categories over 130 months: 6 named + "other" per month (130 × 7 ≤ 1000 rows),
    nothing lost."""
    path = tmp_path / "many.db"
    db = store.open_db(str(path))
    rows = []
    for p in range(15):
        store.save_portal(db, f"p{p:02d}", name=None, base_url=f"http://p{p}.invalid/", platform=None, seen_at="2026")
        for m in range(130):
            n = (p + 1 if m == 0 else 0) + (1 if (m + p) % 3 else 0)
            month = f"{2010 + m // 12}-{m % 12 + 1:02d}"
            rows += [{"url": f"http://p{p}.invalid/{m}/{i}", "title": "t", "portal": f"p{p:02d}", "category": f"c{p:02d}",
                      "published_at": f"{month}-{i + 1:02d}T08:00:00+07:00"} for i in range(n)]
    db["articles"].insert_all(rows)
    db.close()
    ds = Datasette([str(path)], metadata=metadata_for(str(path)))
    charts = metadata_for(str(path))["plugins"]["datasette-dashboards"][SLUG]["charts"]
    data = [(r["portal"], r["category"], r["published_at"]) for r in rows]
    for slug, key, expected in [("articles-by-portal", "portal", expected_by_portal),
                                ("articles-by-category", "category", expected_by_category)]:
        got = await run_sql(ds, charts[slug]["db"], charts[slug]["query"], {})
        assert got == expected(data, {})
        assert len(got) <= MAX_ROWS
        assert len({r[key] for r in got}) == 7 and OTHER in {r[key] for r in got}
        assert sum(r["articles"] for r in got) == len(rows)
        assert len({r["month"] for r in got}) == 130
        # over one year, all 9 largest are named
        year = {"date_from": "2011-01-01", "date_to": "2011-12-31"}
        got = await run_sql(ds, charts[slug]["db"], charts[slug]["query"], year)
        assert got == expected(data, year)
        assert len({r[key] for r in got}) == 10 and OTHER in {r[key] for r in got}


# --- the page ----------------------------------------------------------------------------------


def render_calls(html):
    """``renderChart('<slug>', <chart json>, '<query string>', '<absolute url>')`` calls of the page."""
    calls = {}
    for slug, chart, query_string, absolute_url in re.findall(
            r"renderChart\('([^']+)', (\{.*\}), '([^']*)', '([^']*)'\)", html):
        calls[slug] = (json.loads(chart), query_string, absolute_url)
    return calls


async def test_dashboard_page_names_every_chart(datasette, dashboard):
    response = await datasette.client.get("/-/dashboards")
    assert response.status_code == 200 and "Lưu trữ tin tức · Archive overview" in response.text
    response = await datasette.client.get(f"/-/dashboards/{SLUG}")
    assert response.status_code == 200, response.text
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.find("h1").get_text(strip=True) == "Lưu trữ tin tức · Archive overview"
    for slug, chart in dashboard["charts"].items():
        card = soup.find(id=f"card-{slug}")
        assert card is not None, slug
        assert chart["title"] in card.get_text(" ", strip=True)
    for key in dashboard["filters"]:
        assert soup.find(id=key) is not None
    assert [o["value"] for o in soup.find("select", id="portal").find_all("option")] == ["", HAGIANG, NAMDINH]
    calls = render_calls(response.text)
    assert set(calls) == set(dashboard["charts"])
    for slug, (chart, query_string, absolute_url) in calls.items():
        assert chart["query"] == replace_opts_in_query(dashboard["charts"][slug]["query"], {})
        assert query_string == "" and absolute_url == "http://localhost/"


async def test_filtered_dashboard_renders(datasette, dashboard):
    opts = {"portal": NAMDINH, "category": "Tin hoạt động thi đua", "date_from": "2020-12-01", "date_to": ""}
    response = await datasette.client.get(f"/-/dashboards/{SLUG}?" + urlencode(opts))
    assert response.status_code == 200, response.text
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.find("select", id="portal").find("option", selected=True)["value"] == NAMDINH
    assert soup.find(id="date_from")["value"] == "2020-12-01"
    calls = render_calls(response.text)
    assert set(calls) == set(dashboard["charts"])
    for slug, (chart, query_string, _) in calls.items():
        assert chart["query"] == replace_opts_in_query(dashboard["charts"][slug]["query"], opts)
        assert dict(p.split("=", 1) for p in query_string.split("&")).keys() == opts.keys()
    assert "and portal = :portal" in calls["articles-by-portal"][0]["query"]
    assert ":date_to" not in calls["articles-by-portal"][0]["query"]
    for slug in dashboard["charts"]:
        response = await datasette.client.get(f"/-/dashboards/{SLUG}/{slug}?" + urlencode(opts))
        assert response.status_code == 200, slug
        assert dashboard["charts"][slug]["title"] in response.text


async def test_nothing_is_loaded_from_another_host(datasette):
    """vega, vega-lite and vega-embed come with the plugin and are served by Datasette itself:
    the dashboard works on a server without internet access."""
    response = await datasette.client.get(f"/-/dashboards/{SLUG}?portal={NAMDINH}")
    soup = BeautifulSoup(response.text, "html.parser")
    loaded = [tag["src"] for tag in soup.find_all("script", src=True)]
    loaded += [tag["href"] for tag in soup.find_all("link", href=True) if "stylesheet" in tag.get("rel", [])]
    assert any(u.endswith("/vega.min.js") for u in loaded) and any(u.endswith("/vega-lite.min.js") for u in loaded)
    assert any(u.endswith("/vega-embed.min.js") for u in loaded) and any(u.endswith("/dashboards.js") for u in loaded)
    for url in [tag["href"] for tag in soup.find_all("link", href=True)] + loaded:
        parts = urlsplit(url)
        assert (not parts.scheme and not parts.netloc and parts.path.startswith("/")) or parts.netloc == "localhost", url
    for url in loaded:  # and Datasette serves them
        parts = urlsplit(url)
        served = await datasette.client.get(parts.path)
        assert served.status_code == 200 and served.content, url
        if parts.path.endswith(".css"):
            assert not re.search(r"(@import|url\()\s*['\"]?(https?:)?//", served.text), url
    for _, _, absolute_url in render_calls(response.text).values():  # where the charts fetch their data
        assert urlsplit(absolute_url).netloc == "localhost"


def test_bundled_libraries_are_vendored_files():
    static = Path(datasette_dashboards.__file__).parent / "static"
    for name in ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "dashboards.js"]:
        assert (static / name).stat().st_size > 1000, name
    templates = Path(datasette_dashboards.__file__).parent / "templates"
    for template in templates.glob("*.html"):
        assert not re.search(r"(src|href)=\"(https?:)?//", template.read_text(encoding="utf-8")), template


# --- configuration -----------------------------------------------------------------------------


def test_layout_places_every_chart_in_a_rectangle():
    config = json.loads((HERE / "metadata.json").read_text(encoding="utf-8"))["plugins"]["datasette-dashboards"]
    assert list(config) == [SLUG]
    dashboard = config[SLUG]
    layout, charts = dashboard["layout"], dashboard["charts"]
    assert len({len(row) for row in layout}) == 1
    cells = {(r, c): name for r, row in enumerate(layout) for c, name in enumerate(row)}
    assert set(cells.values()) - {"."} == set(charts)
    for slug in charts:  # CSS grid areas must be rectangles
        spots = [rc for rc, name in cells.items() if name == slug]
        rows, cols = {r for r, _ in spots}, {c for _, c in spots}
        assert len(spots) == len(rows) * len(cols) == (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1), slug
    for item in list(charts.values()) + list(dashboard["filters"].values()):
        if "query" in item:
            assert item["db"] == "archive"
            assert re.fullmatch(r"\s*(select|with)\b.*", item["query"], flags=re.S | re.I)
            for group in re.findall(r"\[\[.*?\]\]", item["query"]):  # one filter per optional part
                assert len(set(re.findall(r":(\w+)", group))) == 1, group


def test_metadata_for_rewrites_the_charts_database(tmp_path):
    metadata = metadata_for("x/news.db")
    dashboard = metadata["plugins"]["datasette-dashboards"][SLUG]
    assert {chart["db"] for chart in dashboard["charts"].values()} == {"news"}
    assert {f["db"] for f in dashboard["filters"].values() if "db" in f} == {"news"}
    assert list(metadata["databases"]) == ["news"]


@pytest.mark.parametrize("opts", [{"portal": HAGIANG}, {"date_from": "2020-12-01", "date_to": "2020-12-31"}],
                         ids=["portal", "dates"])
def test_filtered_queries_use_an_index(db_path, dashboard, opts):
    """A portal or date filter is answered from an index, never a scan of the articles table."""
    conn = sqlite3.connect(db_path)
    for slug, chart in dashboard["charts"].items():
        sql = replace_opts_in_query(chart["query"], opts)
        plan = [row[-1] for row in conn.execute("explain query plan " + sql, opts)]
        scans = [line for line in plan if re.match(r"SCAN articles\b", line) and "COVERING INDEX" not in line]
        assert not scans, (slug, plan)
    conn.close()


# --- the charts drawn by the bundled Vega-Lite ---------------------------------------------------

RENDER_JS = r"""
const fs = require('fs'); const vega = require('vega'); const vl = require('vega-lite');
const charts = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
(async () => {
  const out = {};
  for (const [slug, c] of Object.entries(charts)) {
    const problems = [];
    const logger = { level() { return this; }, info() { return this; }, debug() { return this; },
      warn(...a) { problems.push(a.join(' ')); return this; }, error(...a) { problems.push(a.join(' ')); return this; } };
    // as datasette_dashboards/static/dashboards.js builds the spec (width fixed: no container here)
    const spec = { description: c.title, width: 600, view: { stroke: null },
      config: { background: '#00000000', arc: { innerRadius: 50 }, line: { point: true } },
      data: { values: c.rows, format: { type: 'json' } }, ...c.display };
    try {
      const view = new vega.View(vega.parse(vl.compile(spec, { logger }).spec), { renderer: 'none', logger });
      out[slug] = { svg: await view.toSVG(), problems };
    } catch (e) { out[slug] = { svg: '', problems: problems.concat([String(e)]) }; }
  }
  process.stdout.write(JSON.stringify(out));
})();
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
async def test_vega_lite_charts_draw_without_warnings(datasette, dashboard, tmp_path):
    static = Path(datasette_dashboards.__file__).parent / "static"
    for lib, file in [("vega", "vega.min.js"), ("vega-lite", "vega-lite.min.js")]:
        (tmp_path / "node_modules" / lib).mkdir(parents=True)
        (tmp_path / "node_modules" / lib / "index.js").write_text(f"module.exports = require({json.dumps(str(static / file))});")
    charts = {}
    for slug in VEGA_CHARTS:
        chart = dashboard["charts"][slug]
        assert chart["library"] == "vega-lite"
        rows = await run_sql(datasette, chart["db"], chart["query"], {})
        charts[slug] = {"title": chart["title"], "display": chart["display"], "rows": rows}
    (tmp_path / "charts.json").write_text(json.dumps(charts), encoding="utf-8")
    (tmp_path / "render.js").write_text(RENDER_JS, encoding="utf-8")
    result = subprocess.run(["node", str(tmp_path / "render.js"), str(tmp_path / "charts.json")], cwd=tmp_path,
                            env={**os.environ, "NODE_PATH": str(tmp_path / "node_modules")},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    drawn = json.loads(result.stdout)
    for slug in VEGA_CHARTS:
        assert drawn[slug]["problems"] == [], (slug, drawn[slug]["problems"])
        assert drawn[slug]["svg"].startswith("<svg"), slug
    for label in [HAGIANG, NAMDINH, "Dec 2020"]:
        assert label in drawn["articles-by-portal"]["svg"]
    for label in [SU_KIEN_HG, THI_DUA_HG, "Tin hoạt động thi đua"]:
        assert label in drawn["articles-by-category"]["svg"]
    for label in dashboard["charts"]["crawl-runs"]["display"]["transform"][0]["fold"] + ["2026-11-25 02:00"]:
        assert label in drawn["crawl-runs"]["svg"]
    assert "5%" in drawn["crawl-failure-rate"]["svg"]


async def test_portal_health_table_lists_unhealthy_portals_first(tmp_path, dashboard):
    path = tmp_path / "health.db"
    db = store.open_db(str(path))
    runs = [store.start_crawl_run(db, ["http://a/"], f"2026-12-0{n}T02:00:00+07:00") for n in (1, 2)]
    for run, status, rate, new in ((runs[0], "healthy", 0.0, 12), (runs[1], "unhealthy", 0.5, 0)):
        store.record_portal_run(db, run, {"portal": "tinh-a", "start_urls": ["http://a/"], "requests": 10,
                                          "listing_pages": 1, "articles_new": new, "articles_updated": 0,
                                          "articles_unchanged": 0, "articles_taken_down": 0, "failures": int(rate * 10),
                                          "failure_rate": rate, "status": status,
                                          "message": "http://a/: unreachable (connection refused)" if rate else None,
                                          "finished_at": f"2026-12-0{run}T02:05:00+07:00"})
    store.record_portal_run(db, runs[1], {"portal": "tinh-b", "start_urls": ["http://b/"], "requests": 30,
                                          "listing_pages": 2, "articles_new": 3, "articles_updated": 1,
                                          "articles_unchanged": 0, "articles_taken_down": 0, "failures": 0,
                                          "failure_rate": 0.0, "status": "healthy", "message": None,
                                          "finished_at": "2026-12-02T02:06:00+07:00"})
    store.record_failure(db, crawl_run_id=runs[1], portal="tinh-a", url="http://a/x.html", kind="article",
                         reason="HTTP 500", at="2026-12-02T02:01:00+07:00")
    db.close()
    ds = Datasette([str(path)], metadata=metadata_for(str(path)))
    chart = metadata_for(str(path))["plugins"]["datasette-dashboards"][SLUG]["charts"]["portal-health"]
    rows = await run_sql(ds, chart["db"], chart["query"], {})
    assert [list(r.values()) for r in rows] == [
        ["tinh-a", "unhealthy", "2026-12-02T02:05:00+07:00", "2026-12-01T02:05:00+07:00", 0, "50 %", 1,
         "http://a/: unreachable (connection refused)"],
        ["tinh-b", "healthy", "2026-12-02T02:06:00+07:00", "2026-12-02T02:06:00+07:00", 3, "0 %", 0, None]]


async def test_new_articles_per_crawl_day_by_portal(tmp_path):
    from datetime import datetime, timedelta, timezone

    today = datetime.now(timezone(timedelta(hours=7))).date()
    path = tmp_path / "nights.db"
    db = store.open_db(str(path))
    rows = [(today - timedelta(days=1), "tinh-a", 5, "healthy"), (today - timedelta(days=1), "tinh-b", 2, "unhealthy"),
            (today, "tinh-a", 3, "healthy"), (today - timedelta(days=90), "tinh-a", 40, "healthy")]  # too old
    for day, portal, new, status in rows:
        run = store.start_crawl_run(db, ["http://a/"], f"{day}T01:30:00+07:00")
        store.record_portal_run(db, run, {"portal": portal, "start_urls": [], "requests": 10, "listing_pages": 1,
                                          "articles_new": new, "articles_updated": 0, "articles_unchanged": 0,
                                          "articles_taken_down": 0, "failures": 1, "failure_rate": 0.1,
                                          "status": status, "message": None, "finished_at": f"{day}T01:40:00+07:00"})
    db.close()
    ds = Datasette([str(path)], metadata=metadata_for(str(path)))
    chart = metadata_for(str(path))["plugins"]["datasette-dashboards"][SLUG]["charts"]["portal-nights"]
    got = await run_sql(ds, chart["db"], chart["query"], {})
    assert [(r["day"], r["portal"], r["articles_new"], r["unhealthy"]) for r in got] == [
        (str(today - timedelta(days=1)), "tinh-a", 5, 0), (str(today - timedelta(days=1)), "tinh-b", 2, 1),
        (str(today), "tinh-a", 3, 0)]
    only_b = await run_sql(ds, chart["db"], chart["query"], {"portal": "tinh-b"})
    assert [r["portal"] for r in only_b] == ["tinh-b"]
