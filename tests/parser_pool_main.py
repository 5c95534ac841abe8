"""A main module with an import to count, as ``crawler.run`` has costly ones: ``python -m
tests.parser_pool_main`` (with ``$IMPORT_MARKER`` set) starts a pool of two parser processes,
parses the seed page with it eight times and prints the processes' ids, one a line."""

import asyncio
import importlib
import os

importlib.import_module("tests.parser_pool_import_marker")  # the import is what is counted


async def parse_in_both_workers() -> set[int]:
    from crawler.parsing import ParserPool
    from tests.test_parsing import SEED, SEED_URL, workers_of

    pool = ParserPool(workers=2)
    try:
        body = SEED.read_bytes()
        parsed = await asyncio.gather(*(pool.parse(SEED_URL, body, "text/html; charset=utf-8", "article")
                                        for _ in range(8)))
        assert all(page.error is None for page in parsed), [page.error for page in parsed]
        return set(workers_of(pool))
    finally:
        pool.close()


if __name__ == "__main__":
    assert os.environ["IMPORT_MARKER"]
    for worker in sorted(asyncio.run(parse_in_both_workers())):
        print(worker)
