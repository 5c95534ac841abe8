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
