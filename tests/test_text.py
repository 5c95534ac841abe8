"""crawler.extract.text.clean: what every stored string goes through."""

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.extract.text import clean, clean_or_none

#: The definition, written as the regex substitutions clean once was: any whitespace (\s, with the
#: no-break and typographic spaces named again), zero-width characters dropped first.
_WHITESPACE_RUN = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


def _clean_by_definition(text):
    if not text:
        return ""
    text = _ZERO_WIDTH.sub("", unicodedata.normalize("NFC", text))
    return _WHITESPACE_RUN.sub(" ", text).strip()


_ALPHABET = ("aăâđơư Hà Giang\u0300\u0301\u0323 \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u00a0\u1680\u2000\u2007"
             "\u200a\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff\u180e\u00ad")


@given(st.text(alphabet=_ALPHABET, max_size=40) | st.text(max_size=30))
@settings(max_examples=500, deadline=None)
def test_clean_is_its_definition(text):
    assert clean(text) == _clean_by_definition(text)


def test_every_whitespace_character_collapses_as_the_definition_says():
    for code in range(0x110000):
        char = chr(code)
        assert clean(f"a{char}{char}b") == _clean_by_definition(f"a{char}{char}b"), hex(code)


def test_clean_cases():
    assert clean("  Ha\u0300  Giang\u00a0\u00a0 \n tỉnh\u200b ") == "Hà Giang tỉnh"  # NFC, one space, no zero-width
    assert clean(None) == "" and clean_or_none("\u200b \u00a0") is None
    assert clean("thi\u00adđua") == "thi\u00adđua"  # a soft hyphen is kept (TCVN3's "ư")
