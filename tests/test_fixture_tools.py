"""The fixture tools themselves: `python fixtures/cases.py` (rewrite or check expected.json)."""

import shutil

import pytest

from fixtures import cases


@pytest.fixture
def one_platform(tmp_path, monkeypatch):
    """A copy of the FITC cases, one expected.json changed by hand (a field the code does not produce)."""
    shutil.copytree(cases.PAGES / "fitc", tmp_path / "fitc")
    monkeypatch.setattr(cases, "PAGES", tmp_path)
    target = sorted((tmp_path / "fitc").glob("*/*/expected.json"))[0]
    text = target.read_text(encoding="utf-8").rstrip()
    assert text.endswith("}")
    target.write_text(text[:-1].rstrip() + ',\n  "edited": true\n}\n', encoding="utf-8")
    return target


@pytest.mark.parametrize("argv", [["--check", "regenerate", "--only", "fitc/"],
                                  ["regenerate", "--check", "--only", "fitc/"],
                                  ["--check", "--only", "fitc/"],
                                  ["regenerate", "--only", "fitc/", "--check"]])
def test_check_reports_a_difference_and_writes_nothing(one_platform, argv, capsys):
    before = one_platform.read_text(encoding="utf-8")
    assert cases.main(argv) == 1
    assert one_platform.read_text(encoding="utf-8") == before, f"{argv} rewrote {one_platform}"
    assert "differs: fitc/" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["regenerate", "--only", "fitc/"], ["--only", "fitc/"]])
def test_without_check_the_case_is_rewritten(one_platform, argv):
    assert cases.main(argv) == 0
    assert '"edited"' not in one_platform.read_text(encoding="utf-8")
    assert cases.main(["--check", *argv]) == 0  # now in agreement with the code


def test_only_limits_the_cases(one_platform):
    assert cases.main(["--check", "regenerate", "--only", "tandan/"]) == 0  # no tandan case in the copy
