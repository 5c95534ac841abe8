"""The import rules of the README's *Layout* section, checked by walking every module's imports (ast)."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                names.add(".".join(base + ([node.module] if node.module else [])))
            else:
                names.add(node.module)
    return names


def modules(*folders):
    return [p for folder in folders for p in (ROOT / folder).rglob("*.py")]


def top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("path", modules("crawler/pages", "crawler/extract") + [ROOT / "crawler/items.py"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_page_objects_and_helpers_are_pure(path):
    bad = {n for n in imports_of(path) if top(n) in {"scrapy", "twisted", "sqlite3", "sqlite_utils", "archive",
                                                         "requests", "httpx", "urllib3"}
           or n.startswith(("crawler.spiders", "crawler.pipelines", "crawler.settings"))}
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


@pytest.mark.parametrize("path", modules("archive"), ids=lambda p: str(p.relative_to(ROOT)))
def test_archive_never_imports_crawler_or_scrapy(path):
    bad = {n for n in imports_of(path) if top(n) in {"crawler", "scrapy", "twisted"}}
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


SQL_WRITE = re.compile(r"^\s*(insert\s+(or\s+\w+\s+)?into|replace\s+into|update\s+\w+\s+set|delete\s+from|"
                       r"(create|drop)\s+(unique\s+)?(table|index|view|trigger|virtual)|alter\s+table|vacuum)\b", re.I)


def sql_writes(path: Path) -> list[str]:
    """String constants of a module that are SQL write statements."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.value[:60] for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_WRITE.match(node.value)]


def test_only_the_store_writes_sqlite():
    """sqlite-utils (the writing library) is used by archive/store.py alone, and no other module
    holds an SQL write statement; others may read (the Datasette plugin does)."""
    users = [p.relative_to(ROOT).as_posix() for p in modules("crawler", "archive")
             if "sqlite_utils" in {top(n) for n in imports_of(p)}]
    assert users == ["archive/store.py"]
    writers = {p.relative_to(ROOT).as_posix(): sql_writes(p) for p in modules("crawler", "archive")}
    assert {path for path, found in writers.items() if found} <= {"archive/store.py"}, writers


def test_one_spider():
    spiders = [p for p in modules("crawler/spiders") if "scrapy.Spider" in p.read_text(encoding="utf-8")]
    assert [p.name for p in spiders] == ["portal.py"]


def test_no_module_is_named_like_a_standard_library_module():
    """`python crawler/x.py` puts crawler/ first on the path: a crawler/inspect.py shadowed the
    standard library's inspect, and the command crashed before it started."""
    import sys

    clashes = [str(p.relative_to(ROOT)) for p in modules("crawler", "archive", "fixtures", "bench")
               if p.stem in sys.stdlib_module_names]
    assert not clashes, f"named like a standard-library module: {clashes}"


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "bench").glob("*.py")))
def test_every_bench_script_starts_and_explains_itself(script):
    """`make bench` and the README's measurements run these scripts by hand, not the tests: each
    must at least import what it uses (a renamed constant broke one) and answer ``--help``."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, str(ROOT / "bench" / script), "--help"], capture_output=True,
                            text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "usage:" in result.stdout.lower(), result.stdout[:500]
