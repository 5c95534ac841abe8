"""Limits every SQLite connection of the server obeys, whatever query it runs.

Datasette stops a query at ``sql_time_limit_ms`` with a progress handler that SQLite calls
between virtual-machine instructions. Three things slip past it, and :func:`guard` closes them
on each connection (the plugin's ``prepare_connection`` hook calls it):

* **Python SQL functions** (``vn_snippet``, ``vn_fold``, ``vn_fts_query``): SQLite runs no
  instruction while one of them works, so the handler is not called. Each call is bounded in
  work (:mod:`archive.search` caps the text scanned and the matches considered), and each call
  first checks the clock of the running statement: past the limit it interrupts the connection,
  and the query ends as any timed-out query does ("interrupted").
* **One huge value**: ``printf('%.*c', 900000000, 'x')``, ``zeroblob``, ``replace`` or a
  doubling string in a recursive CTE build a value in one instruction (seconds and a GB of
  memory). ``SQLITE_LIMIT_LENGTH`` is set to :data:`MAX_VALUE_BYTES`: SQLite refuses to build a
  larger string or blob ("string or blob too big"), at once. The largest value an archive holds
  (a page body: the crawler refuses responses over 8 MB) stays readable.
* **A huge result**: a thousand rows of large values. The rows one statement returns are counted
  as they are fetched; past :data:`MAX_RESULT_BYTES` (characters of text plus bytes of blobs) the
  statement fails with a "result too large" error.

* **Builtins that do unbounded work in one call**: SQLite 3.40's ``printf('%.*c', N, 'x')`` loops
  N times even when the result is refused (4.6 s for N = 900,000,000), ``instr`` and ``replace``
  compare every position with the whole needle, and two-argument ``trim`` compares every
  character with the whole set (hours for two multi-megabyte strings). :func:`guard` replaces
  them on the connection with linear versions (:class:`BoundedBuiltins`): Python's ``str.find``
  and ``str.replace``, a set for ``trim``, and ``printf``/``format`` refusing (NULL, as SQLite
  does for a too-big result) a width or precision over :data:`MAX_VALUE_BYTES` before handing
  the call to the real function on a private in-memory connection.

The statement clock and the result count restart when SQLite starts a statement (the
connection's trace callback). :data:`SQLITE_HEAP_LIMIT` is the process-wide ceiling of SQLite's
own memory (``PRAGMA hard_heap_limit``), set once by ``newsarchive serve``; a query that reaches
it fails with :data:`OUT_OF_MEMORY` (the plugin's ``handle_exception`` hook answers 400).
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

#: A value SQLite hands a Python function or takes back from it.
SQLValue = str | bytes | int | float | None

MAX_VALUE_BYTES = 16 * 2**20
MAX_RESULT_BYTES = 64 * 2**20
SQLITE_HEAP_LIMIT = 2**30


#: What a reader is told when SQLite reached :data:`SQLITE_HEAP_LIMIT` (Python raises MemoryError).
OUT_OF_MEMORY = (f"out of memory: this query needs more than the {SQLITE_HEAP_LIMIT // 2**30} GB the server "
                 "allows SQLite (ask for fewer rows or smaller values)")


class ResultTooLarge(sqlite3.OperationalError):
    """A statement's rows exceeded :data:`MAX_RESULT_BYTES`."""


class StatementGuard:
    """The clock and the result budget of the statement a connection is running."""

    def __init__(self, conn: sqlite3.Connection, time_limit_ms: int, max_result: int = MAX_RESULT_BYTES) -> None:
        self._conn = conn  # connections live as long as the server; no weakref to them exists
        self.time_limit = time_limit_ms / 1000
        self.max_result = max_result
        self.started = time.perf_counter()
        self.result = 0

    def statement_started(self, _sql: str) -> None:
        """Trace callback: SQLite starts running a statement."""
        self.started = time.perf_counter()
        self.result = 0

    def row(self, cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> sqlite3.Row:
        """Row factory: count the row's text and blobs, then make Datasette's ``sqlite3.Row``."""
        self.result += sum(len(v) for v in values if isinstance(v, (str, bytes)))
        if self.result > self.max_result:
            raise ResultTooLarge(f"result too large: over {self.max_result // 2**20} MB of text in one query's rows "
                                 "(ask for fewer rows or columns)")
        return sqlite3.Row(cursor, values)

    def timed(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` as a SQL function that interrupts the statement once it is past the limit."""

        def call(*args: Any) -> Any:
            if time.perf_counter() - self.started > self.time_limit:
                self._conn.interrupt()
                return None
            return function(*args)

        return call


#: One printf conversion: flags, width, precision, length modifier, type (SQLite's syntax).
_CONVERSION = re.compile(r"%([-+ 0#,!]*)(\*|[0-9]*)(?:\.(\*|[0-9]*))?(l{0,2})(.?)", re.S)


class BoundedBuiltins:
    """Linear or pre-checked versions of SQLite builtins whose work in one call is unbounded."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _builtin(self, name: str, args: tuple) -> SQLValue:
        """``name(*args)`` computed by SQLite's own function, on this thread's private connection."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = sqlite3.connect(":memory:", check_same_thread=False)
            conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        placeholders = ", ".join("?" * len(args))
        return conn.execute(f"SELECT {name}({placeholders})", args).fetchone()[0]

    def printf(self, *args: SQLValue) -> SQLValue:
        if args and isinstance(args[0], str) and _largest_field(args[0], args[1:]) > MAX_VALUE_BYTES:
            return None  # SQLite's own answer for a result over the length limit, without the loop
        return self._builtin("printf", args)

    def instr(self, haystack: SQLValue, needle: SQLValue) -> SQLValue:
        if isinstance(haystack, str) and isinstance(needle, str):
            return haystack.find(needle) + 1
        if isinstance(haystack, bytes) and isinstance(needle, bytes):
            return haystack.find(needle) + 1
        return self._builtin("instr", (haystack, needle))

    def replace(self, text: SQLValue, old: SQLValue, new: SQLValue) -> SQLValue:
        if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
            result = text.replace(old, new) if old else text
            return result if len(result.encode("utf-8", "surrogatepass")) <= MAX_VALUE_BYTES else None
        return self._builtin("replace", (text, old, new))

    def trimmer(self, name: str) -> Callable[[SQLValue, SQLValue], SQLValue]:
        """``trim``, ``ltrim`` or ``rtrim`` with a character set (two arguments)."""
        left, right = name in ("trim", "ltrim"), name in ("trim", "rtrim")

        def trim(text: SQLValue, characters: SQLValue) -> SQLValue:
            if not (isinstance(text, str) and isinstance(characters, str)):
                return self._builtin(name, (text, characters))
            strip = set(characters)
            start, end = 0, len(text)
            while left and start < end and text[start] in strip:
                start += 1
            while right and end > start and text[end - 1] in strip:
                end -= 1
            return text[start:end]

        return trim

    def install(self, conn: sqlite3.Connection) -> None:
        conn.create_function("printf", -1, self.printf, deterministic=True)
        conn.create_function("format", -1, self.printf, deterministic=True)
        conn.create_function("instr", 2, self.instr, deterministic=True)
        conn.create_function("replace", 3, self.replace, deterministic=True)
        for name in ("trim", "ltrim", "rtrim"):
            conn.create_function(name, 2, self.trimmer(name), deterministic=True)


def _largest_field(fmt: str, args: tuple) -> int:
    """The largest width or precision a printf format asks for (``*`` read from ``args``)."""
    largest, next_arg = 0, 0
    for conversion in _CONVERSION.finditer(fmt):
        if conversion[5] == "%":
            continue
        for field in (conversion[2], conversion[3]):
            if field == "*":
                value = args[next_arg] if next_arg < len(args) else 0
                next_arg += 1
                try:
                    largest = max(largest, abs(int(float(value))))
                except (TypeError, ValueError, OverflowError):
                    pass
            elif field:
                largest = max(largest, int(field))
        next_arg += 1
    return largest


_BUILTINS = BoundedBuiltins()


def guard(conn: sqlite3.Connection, time_limit_ms: int) -> StatementGuard:
    """Set the value limit, the bounded builtins, the statement clock and the result budget on
    ``conn``; register SQL functions through the returned guard's :meth:`StatementGuard.timed`."""
    statement = StatementGuard(conn, time_limit_ms)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    _BUILTINS.install(conn)
    conn.set_trace_callback(statement.statement_started)
    conn.row_factory = statement.row
    return statement


def limit_sqlite_heap(limit: int = SQLITE_HEAP_LIMIT) -> None:
    """Cap the memory SQLite may allocate in this process (all connections together)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f"PRAGMA hard_heap_limit = {int(limit)}")
    finally:
        conn.close()
