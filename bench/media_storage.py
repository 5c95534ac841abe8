"""Media bytes in files beside the archive (what the archive does) or as blobs in SQLite: the
same synthetic images and attachments written, read back and backed up both ways, in one run.

Files: ``archive.media.media_path`` (``ab/cd/<sha256>``), written as the store writes them
(temporary name, then rename), read whole, backed up with hard links (``newsarchive backup``).
SQLite: a ``media_blobs(sha256 PRIMARY KEY, body BLOB)`` table in a WAL database, one
transaction per file (as a crawl saves one at a time), read with one SELECT, backed up with
SQLite's online backup API. Prints seconds and the ratio SQLite / files.

    python bench/media_storage.py [--files 400] [--kb 300]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from archive.media import media_path  # noqa: E402


def bodies(count: int, kb: int) -> list[bytes]:
    rng = random.Random(7)
    return [rng.randbytes(rng.randint(kb // 4, kb * 2) * 1024) for _ in range(count)]


def to_files(root: Path, files: list[bytes]) -> list[str]:
    digests = []
    for body in files:
        digest = hashlib.sha256(body).hexdigest()
        path = Path(media_path(str(root), digest))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(body)
        os.replace(partial, path)
        digests.append(digest)
    return digests


def to_sqlite(db: Path, files: list[bytes]) -> list[str]:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE media_blobs (sha256 TEXT PRIMARY KEY, body BLOB)")
    digests = []
    for body in files:
        digest = hashlib.sha256(body).hexdigest()
        with conn:
            conn.execute("INSERT OR IGNORE INTO media_blobs VALUES (?, ?)", [digest, body])
        digests.append(digest)
    conn.close()
    return digests


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--kb", type=int, default=300, help="typical file size in KB (sizes vary 1/4x to 2x)")
    args = parser.parse_args(argv)
    files = bodies(args.files, args.kb)
    total_mb = sum(map(len, files)) / 2**20
    with tempfile.TemporaryDirectory(prefix="media-bench-") as work:
        work_dir = Path(work)
        root, db = work_dir / "archive.db.media", work_dir / "blobs.db"
        write_files = timed(lambda: to_files(root, files))
        write_sqlite = timed(lambda: to_sqlite(db, files))
        digests = [hashlib.sha256(b).hexdigest() for b in files]
        order = random.Random(3).sample(digests, len(digests))
        read_files = timed(lambda: [Path(media_path(str(root), d)).read_bytes() for d in order])
        conn = sqlite3.connect(db)
        read_sqlite = timed(lambda: [conn.execute("SELECT body FROM media_blobs WHERE sha256 = ?", [d]).fetchone()
                                     for d in order])
        conn.close()

        def link_copy():
            for path in root.rglob("*"):
                if path.is_file():
                    target = work_dir / "backup.media" / path.relative_to(root)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.link(path, target)

        def sqlite_copy():
            source, copy = sqlite3.connect(db), sqlite3.connect(work_dir / "backup.db")
            source.backup(copy)
            source.close()
            copy.close()

        backup_files = timed(link_copy)
        backup_sqlite = timed(sqlite_copy)
    print(f"{args.files} files, {total_mb:,.0f} MB in all\n")
    print("| step | files (s) | SQLite blobs (s) | SQLite / files |")
    print("|---|---|---|---|")
    for step, a, b in (("write, one at a time", write_files, write_sqlite), ("read each once", read_files, read_sqlite),
                       ("back up", backup_files, backup_sqlite)):
        print(f"| {step} | {a:.3f} | {b:.3f} | {b / a:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
