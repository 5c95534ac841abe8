import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fixtures.server import FixtureServer  # noqa: E402


@pytest.fixture
def portal():
    """The sample NukeViet portal, served on 127.0.0.1 at an ephemeral port."""
    with FixtureServer() as server:
        yield server


@pytest.fixture(scope="session")
def crawled_archive(tmp_path_factory):
    """``(db_path, seed_url)``: an archive crawled by `newsarchive crawl` from the sample portal,
    whose server is stopped afterwards. Shared: tests copy it before they change it."""
    from tests.test_crawl_e2e import CATEGORY, SEED_PATH, run_crawl

    db = str(tmp_path_factory.mktemp("crawled") / "archive.db")
    with FixtureServer() as server:
        result = run_crawl(server.url(CATEGORY), "--db", db, "--delay", "0")
        assert result.returncode == 0, result.stderr[-3000:]
        seed_url = server.url(SEED_PATH)
    return db, seed_url
