"""Where an archive's image and attachment files live (written by :mod:`archive.store`, served
by the Datasette plugin): beside the archive, named by their SHA-256, so a file used by many
articles is kept once and a copy of the folder never needs to compare contents.

    archive.db.media/ab/cd/abcd…(64 hex digits)
"""

from __future__ import annotations

import os


def media_dir(db_path: str) -> str:
    """The folder of the archive at ``db_path``: ``<archive>.media``."""
    return f"{db_path}.media"


def media_path(root: str, sha256: str) -> str:
    """The file whose SHA-256 is ``sha256`` under ``root``: ``<root>/ab/cd/<sha256>``."""
    return os.path.join(root, sha256[:2], sha256[2:4], sha256)
