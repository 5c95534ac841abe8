"""Imported by :mod:`tests.parser_pool_main`: each import appends the importing process's id to
the file named by ``$IMPORT_MARKER``, so a test can count the processes that imported it."""

import os

with open(os.environ["IMPORT_MARKER"], "a", encoding="utf-8") as _marker:
    _marker.write(f"{os.getpid()}\n")
