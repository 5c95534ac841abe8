import shutil
import socket
import subprocess
import sys
import time
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


#: Debian's redis-server, for the crawl-fleet tests (.ci/run installs it); None: those tests are skipped.
REDIS = shutil.which("redis-server")
needs_redis = pytest.mark.skipif(REDIS is None, reason="redis-server is not installed (Debian package "
                                                       "redis-server; .ci/run installs it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(folder) -> tuple[subprocess.Popen, str]:
    """A redis-server of its own on a free loopback port, nothing persisted, answering: the
    process and its URL."""
    from crawler.frontier import Frontier

    port = free_port()
    server = subprocess.Popen([REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            Frontier(url)
            break
        except Exception:
            time.sleep(0.05)
    return server, url


@pytest.fixture
def redis_url(tmp_path):
    """:func:`start_redis`'s URL, the server stopped after the test."""
    server, url = start_redis(tmp_path)
    yield url
    server.terminate()
    server.wait(timeout=10)
