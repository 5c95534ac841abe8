"""Vietnamese folding for diacritic-insensitive search.

:func:`fold` lower-cases, removes every combining mark (tones and vowel marks: "Hà Giang" →
"ha giang", "thưởng" → "thuong") and maps đ/Đ → d, which no Unicode decomposition does and
SQLite's ``unicode61`` tokenizer therefore never folds. Storage indexes a folded copy of each
article's text; serving folds queries the same way.
"""

from __future__ import annotations

import unicodedata

_D = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def fold(text: str | None) -> str:
    """Lower-case ``text`` with diacritics removed and đ→d (NFC output)."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()
