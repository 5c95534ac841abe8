"""The Datasette configuration as files: plain `datasette` (the real command, a real process)
serving an archive with the shipped metadata.json, or with the one `newsarchive datasette-config`
writes for another file name; the Dockerfile, built and run when a Docker daemon is reachable."""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from archive import store
from archive.datasette.config import METADATA_FILE

from tests.test_cli import SEED, free_port, get

ROOT = Path(__file__).resolve().parent.parent
DATASETTE = str(Path(sys.executable).with_name("datasette"))


def make_archive(path: Path) -> Path:
    db = store.open_db(str(path))
    store.save_portal(db, "127.0.0.1:1", name="Ban Thi đua", base_url="http://127.0.0.1:1/", platform="nukeviet",
                      seen_at="2026-11-26T09:00:00+07:00")
    store.save_article(db, SEED, portal="127.0.0.1:1", seen_at="2026-11-26T09:00:00+07:00")
    db.close()
    return path


@contextlib.contextmanager
def started(command, base, ready="/-/versions.json", timeout=60):
    """``command`` running until it answers ``base + ready``; stopped afterwards."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(base + ready, timeout=5):
                    break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"{command[0]} did not start: {process.stderr.read()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"{command[0]} did not answer within {timeout} s")
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def check_served_archive(base: str, name: str) -> None:
    """Charts, canned queries (with the project's SQL functions), search and the reading page all
    answer for the database ``name``."""
    charts = json.loads(METADATA_FILE.read_text(encoding="utf-8"))["plugins"]["datasette-dashboards"]["archive"]
    status, page = get(base + "/-/dashboards/archive")
    assert status == 200 and charts["title"] in page, page[:300]
    for slug in charts["charts"]:  # each chart's own page (its query runs in the browser, see test_charts)
        assert get(f"{base}/-/dashboards/archive/{slug}")[0] == 200, slug
    status, body = get(f"{base}/{name}/search_with_snippets.json?" + urllib.parse.urlencode({"q": "buu dien",
                                                                                           "_shape": "array"}))
    assert status == 200 and json.loads(body)[0]["title"] == SEED["title"], body[:300]
    status, body = get(base + "/search.json?q=thi+dua")
    assert status == 200 and json.loads(body)["total"] == 1
    status, page = get(base + "/article/1")
    assert status == 200 and SEED["title"] in page
    assert get(base + "/search", host="evil.example")[0] == 400  # the shipped allow-list is on


def test_plain_datasette_serves_the_shipped_metadata(tmp_path):
    path = make_archive(tmp_path / "archive.db")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [DATASETTE, "serve", str(path), "-m", str(METADATA_FILE), "--port", str(port),
               "--setting", "sql_time_limit_ms", "3000"]
    with started(command, base):
        check_served_archive(base, "archive")


def test_datasette_config_writes_metadata_for_another_file_name(tmp_path):
    path = make_archive(tmp_path / "tin-tuc.db")
    out = tmp_path / "config"
    result = subprocess.run([sys.executable, "-m", "archive.cli", "datasette-config", "--db", str(path), "--out",
                             str(out), "--allowed-host", "archive.example.org"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert list(metadata["databases"]) == ["tin-tuc"]
    assert metadata["plugins"]["newsarchive"]["allowed_hosts"] == ["archive.example.org"]
    printed = next(line.strip() for line in result.stdout.splitlines() if line.strip().startswith("datasette serve"))
    port = free_port()
    command = [DATASETTE, *printed.split()[1:]]
    command[command.index("--port") + 1] = str(port)
    base = f"http://127.0.0.1:{port}"
    with started(command, base):
        check_served_archive(base, "tin-tuc")
        assert get(base + "/search", host="archive.example.org")[0] == 200


def test_datasette_config_refuses_a_folder_it_cannot_write(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = subprocess.run([sys.executable, "-m", "archive.cli", "datasette-config", "--out", str(blocker / "x")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "cannot write to" in result.stderr and "Traceback" not in result.stderr


def _docker_reachable() -> str | None:
    """Why Docker cannot be used here, or None when it can."""
    if not shutil.which("docker"):
        return "no docker command"
    probe = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    return None if probe.returncode == 0 else "no Docker daemon reachable: " + probe.stderr.strip().splitlines()[-1]


def test_dockerfile_builds_and_serves_an_archive_on_a_volume(tmp_path):
    """`docker build`, then the image crawls nothing but serves an archive mounted at /data as a
    non-root user; the search answers through the published port."""
    why = _docker_reachable()
    if why:
        pytest.skip(why)
    tag = f"newsarchive-test:{os.getpid()}"
    build = subprocess.run(["docker", "build", "-t", tag, str(ROOT)], capture_output=True, text=True, timeout=1800)
    assert build.returncode == 0, build.stderr[-2000:]
    try:
        data = tmp_path / "data"
        data.mkdir()
        make_archive(data / "archive.db")
        data.chmod(0o777)
        (data / "archive.db").chmod(0o666)
        user = subprocess.run(["docker", "run", "--rm", "--entrypoint", "id", tag, "-u"], capture_output=True,
                              text=True, timeout=120)
        assert user.stdout.strip() not in ("", "0"), "the image runs as root"
        port = free_port()
        command = ["docker", "run", "--rm", "-p", f"127.0.0.1:{port}:8001", "-v", f"{data}:/data", tag]
        with started(command, f"http://127.0.0.1:{port}", timeout=120):
            status, body = get(f"http://127.0.0.1:{port}/search.json?q=thi+dua")
            assert status == 200 and json.loads(body)["total"] == 1
            assert get(f"http://127.0.0.1:{port}/archive.json?sql=select+1")[0] == 403  # public: no arbitrary SQL
        crawl_help = subprocess.run(["docker", "run", "--rm", tag, "crawl", "--help"], capture_output=True, text=True,
                                    timeout=120)
        assert crawl_help.returncode == 0 and "--db" in crawl_help.stdout
    finally:
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, timeout=300)
