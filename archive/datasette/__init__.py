"""Datasette presentation of the archive: metadata only (no data logic)."""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: The database name the metadata file is written for (``archive.db``).
DEFAULT_DB_NAME = "archive"


def metadata_for(db_path: str) -> dict:
    """The metadata of ``metadata.json`` (plus the charts of ``dashboards.json``, the
    datasette-dashboards configuration), keyed to the database name Datasette derives from
    ``db_path`` (its file stem), so ``--db news.db`` gets the same descriptions, facets and charts."""
    metadata = json.loads((HERE / "metadata.json").read_text(encoding="utf-8"))
    name = Path(db_path).stem
    databases = metadata["databases"]
    databases[name] = databases.pop(DEFAULT_DB_NAME)
    dashboards_file = HERE / "dashboards.json"
    if dashboards_file.exists():
        dashboards = json.loads(dashboards_file.read_text(encoding="utf-8"))
        for dashboard in dashboards.values():
            for chart in dashboard.get("charts", {}).values():
                if chart.get("db") == DEFAULT_DB_NAME:
                    chart["db"] = name
            for flt in dashboard.get("filters", {}).values():
                if flt.get("db") == DEFAULT_DB_NAME:
                    flt["db"] = name
        metadata.setdefault("plugins", {})["datasette-dashboards"] = dashboards
    return metadata
