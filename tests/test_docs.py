"""The README and the Datasette metadata document every table and column of the schema."""

import json
from pathlib import Path

import pytest
from sqlite_utils import Database

from archive import store

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
METADATA = json.loads((ROOT / "archive" / "datasette" / "metadata.json").read_text(encoding="utf-8"))
PUBLIC_TABLES = ["articles", "images", "related_links", "portals", "article_revisions", "article_urls", "snapshots",
                 "crawl_runs", "listing_walks", "crawl_portal_runs", "failures", "media", "article_media"]


@pytest.fixture(scope="module")
def schema():
    db = Database(memory=True)
    store.ensure_db_shape(db)
    return {name: [c.name for c in db[name].columns] for name in PUBLIC_TABLES}


@pytest.mark.parametrize("table", PUBLIC_TABLES)
def test_readme_documents_table_and_columns(schema, table):
    assert f"**`{table}`**" in README
    missing = [c for c in schema[table] if f"`{c}`" not in README]
    assert not missing, f"README does not document {table}: {missing}"


@pytest.mark.parametrize("table", PUBLIC_TABLES)
def test_datasette_metadata_describes_columns(schema, table):
    described = METADATA["databases"]["archive"]["tables"][table].get("columns", {})
    missing = [c for c in schema[table] if c not in described and c not in ("id", "article_id", "position")]
    assert not missing, f"metadata.json does not describe {table}: {missing}"


def test_readme_shows_the_two_commands():
    assert "make demo" in README and "make test" in README


def platform_rows():
    """Rows of the README's supported-platforms table (after its marker comment)."""
    lines = README.split("<!-- platforms table -->", 1)[1].strip().splitlines()
    rows = []
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_readme_platform_table_matches_the_code():
    import re

    from crawler.pages.detect import PLATFORMS
    from fixtures.server import SITES

    rows = platform_rows()
    slugs = [row[0].strip("`") for row in rows]
    assert sorted(slugs) == sorted({p.platform for p in PLATFORMS} | {"generic"})
    classes = {cls.__name__: cls for cls in PLATFORMS}
    for slug, _, module, _, sites in rows:
        slug = slug.strip("`")
        path = re.search(r"`(crawler/pages/\w+\.py)`", module).group(1)
        assert (ROOT / path).exists(), path
        for name in re.findall(r"`([A-Z]\w+)`", module):
            if slug != "generic":
                assert classes[name].platform == slug and classes[name].__module__.endswith(Path(path).stem), name
        for site in re.findall(r"`([\w-]+)`", sites):
            facts = json.loads((SITES / site / "_facts.json").read_text(encoding="utf-8"))
            assert facts["platform"] == slug, site
    listed = {site for row in rows for site in re.findall(r"`([\w-]+)`", row[4])}
    on_disk = {path.parent.name for path in SITES.glob("*/_facts.json")}
    assert on_disk <= listed, f"fixture sites missing from the README's platform table: {on_disk - listed}"
    documented = {c for row in rows for c in re.findall(r"`([A-Z]\w+)`", row[2])}
    assert set(classes) <= documented, f"undocumented page objects: {set(classes) - documented}"


def test_every_platform_note_cited_exists_and_nothing_cites_outside_the_repository():
    """Page objects, the registry, fixture sites and tests cite the project's own platform notes
    (docs/platforms.md) by section number: each cited section is a heading there, and no file
    cites a document the repository does not hold."""
    import re

    root = ROOT
    notes = (root / "docs" / "platforms.md").read_text(encoding="utf-8")
    sections = set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)[. ]", notes, re.M))
    assert {"2.1", "2.2", "2.3", "3", "4", "6", "7.7"} <= sections
    files = [p for folder in ("crawler", "archive", "fixtures", "tests", "bench", "deploy", "docs")
             for p in (root / folder).rglob("*") if p.suffix in (".py", ".md", ".toml", ".json") and p.is_file()
             and "data" not in p.relative_to(root).parts]
    files += [root / "README.md", root / "pyproject.toml"]
    cited = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search("portal-" + "platforms\\.md|shared/" + "reference|(?<!docs/)architecture\\.md", text), path
        if "docs/platforms.md" in text:
            for number in re.findall(r"§(\d+(?:\.\d+)?)", text):
                cited += 1
                assert number in sections, f"{path.relative_to(root)} cites §{number}, not in docs/platforms.md"
    assert cited > 20
