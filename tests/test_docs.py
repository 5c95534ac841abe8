"""The README and the Datasette metadata document every table and column of the schema."""

import json
from pathlib import Path

import pytest
from sqlite_utils import Database

from archive import store

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
METADATA = json.loads((ROOT / "archive" / "datasette" / "metadata.json").read_text(encoding="utf-8"))
PUBLIC_TABLES = ["articles", "images", "related_links", "portals", "article_revisions", "snapshots", "crawl_runs"]


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
