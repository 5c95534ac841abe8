"""Datasette presentation of the archive: metadata only (no data logic)."""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: The database name the metadata file is written for (``archive.db``).
DEFAULT_DB_NAME = "archive"


def metadata_for(db_path: str) -> dict:
    """The metadata of ``metadata.json``, keyed to the database name Datasette derives from
    ``db_path`` (its file stem), so ``--db news.db`` gets the same descriptions and facets."""
    metadata = json.loads((HERE / "metadata.json").read_text(encoding="utf-8"))
    name = Path(db_path).stem
    databases = metadata["databases"]
    databases[name] = databases.pop(DEFAULT_DB_NAME)
    return metadata
