"""One writer per archive: an advisory lock on ``<archive>.lock`` (``fcntl.flock``).

A crawl takes it before anything is fetched and holds it until the process ends (the operating
system releases it when the process dies, even on ``kill -9``: a lock is never left stale).
Readers (``newsarchive serve``, Datasette, sqlite3) never take it. The file holds one JSON line
naming the holder: ``{"pid": 123, "hostname": "…", "started_at": "…+07:00", "command": "…"}``.
"""

from __future__ import annotations

from typing import IO

import fcntl
import json
import os
import socket
import time
from datetime import datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7))


class ArchiveLocked(Exception):
    """Another process holds the archive's lock; ``holder`` is what it wrote (may be ``{}``)."""

    def __init__(self, path: str, holder: dict):
        self.path, self.holder = path, holder
        who = f"pid {holder.get('pid', '?')}"
        if holder.get("hostname") and holder["hostname"] != socket.gethostname():
            who += f" on {holder['hostname']}"
        if holder.get("started_at"):
            who += f", started {holder['started_at']}"
        super().__init__(f"another crawl ({who}) is writing this archive (lock {path})")


class ArchiveLock:
    """The lock of the archive at ``db_path``: ``acquire()`` once, kept until ``release()`` or the
    end of the process."""

    def __init__(self, db_path: str):
        self.path = f"{db_path}.lock"
        self._file: IO[str] | None = None

    def acquire(self, wait: float = 0, command: str = "") -> None:
        """Take the lock, waiting up to ``wait`` seconds for another holder to finish; raise
        :class:`ArchiveLocked` if it is still held then."""
        file = open(self.path, "a+", encoding="utf-8")
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(self.path)
                    file.close()
                    raise ArchiveLocked(self.path, holder) from None
                time.sleep(min(0.5, max(0.01, deadline - time.monotonic())))
        file.seek(0)
        file.truncate()
        file.write(json.dumps({"pid": os.getpid(), "hostname": socket.gethostname(),
                               "started_at": datetime.now(VN_TZ).replace(microsecond=0).isoformat(),
                               "command": command}, ensure_ascii=False) + "\n")
        file.flush()
        self._file = file

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def _holder(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as file:
            return json.loads(file.readline() or "{}")
    except (OSError, ValueError):
        return {}
