"""The Datasette configuration of an archive, as files: what ``newsarchive serve`` runs, and what
plain ``datasette`` (or ``datasette package`` / ``publish``) can be given instead.

``metadata.json`` (beside this module, shipped in the package) holds the titles, descriptions,
facets, full-text search table and canned queries of a database named ``archive`` (a file
``archive.db``), the charts (the ``datasette-dashboards`` plugin configuration) and this
plugin's own configuration (``newsarchive``: ``allowed_hosts``, the Host names answered besides
localhost and IP addresses). :data:`SETTINGS` are the Datasette settings serving relies on.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

HERE = Path(__file__).resolve().parent
METADATA_FILE = HERE / "metadata.json"
#: The database name ``metadata.json`` is written for (``archive.db``).
DEFAULT_DB_NAME = "archive"
#: Datasette settings for serving an archive: a 3 s time limit per query, cells of the HTML table
#: cut at 300 characters. ``default_allow_sql`` is decided per deployment (off beyond loopback).
SETTINGS = {"sql_time_limit_ms": 3000, "truncate_cells_html": 300}


def metadata_for(db_path: str, allowed_hosts: list[str] | None = None) -> dict:
    """``metadata.json`` keyed to the database name Datasette derives from ``db_path`` (its file
    stem), so ``news.db`` gets the same descriptions, facets, canned queries and charts;
    ``allowed_hosts`` (when given) replaces the plugin's list of Host names."""
    metadata = json.loads(METADATA_FILE.read_text(encoding="utf-8"))
    name = Path(db_path).stem
    databases = metadata["databases"]
    databases[name] = databases.pop(DEFAULT_DB_NAME)
    plugins = metadata.setdefault("plugins", {})
    for dashboard in plugins.get("datasette-dashboards", {}).values():
        for part in ("charts", "filters"):
            for item in dashboard.get(part, {}).values():
                if item.get("db") == DEFAULT_DB_NAME:
                    item["db"] = name
    if allowed_hosts is not None:
        plugins.setdefault("newsarchive", {})["allowed_hosts"] = list(allowed_hosts)
    return metadata


def write_metadata(db_path: str, out: Path, allowed_hosts: list[str] | None = None) -> Path:
    """:func:`metadata_for` written to ``out`` (UTF-8 JSON); returns ``out``."""
    out.write_text(json.dumps(metadata_for(db_path, allowed_hosts), ensure_ascii=False, indent=2) + "\n",
                   encoding="utf-8")
    return out


def datasette_arguments(db_path: str, metadata: str, *, host: str, port: int, allow_sql: bool,
                        cors: bool = False) -> list[str]:
    """The ``datasette serve`` arguments that serve ``db_path`` with ``metadata`` and :data:`SETTINGS`."""
    arguments = ["serve", db_path, "--metadata", metadata, "--host", host, "--port", str(port)]
    for name, value in {**SETTINGS, "default_allow_sql": "on" if allow_sql else "off"}.items():
        arguments += ["--setting", name, str(value)]
    return arguments + (["--cors"] if cors else [])


def datasette_command(db_path: str, metadata: str, **options) -> str:
    """:func:`datasette_arguments` as a shell command line."""
    return shlex.join(["datasette", *datasette_arguments(db_path, metadata, **options)])
