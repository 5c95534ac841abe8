"""Text normalisation.

Every string the archive stores goes through :func:`clean`: Unicode NFC (portals do serve NFD
Vietnamese, see docs/platforms.md §5), non-breaking and zero-width spaces turned into plain
spaces, runs of whitespace collapsed to one space, ends stripped.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
#: Zero-width characters. Not U+00AD: in legacy TCVN3 text, kept verbatim, byte 0xAD is "ư".
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode normalisation form C."""
    return unicodedata.normalize("NFC", text)


def clean(text: str | None) -> str:
    """NFC, invisible characters removed, whitespace collapsed to single spaces, stripped.

    ``None`` becomes ``""``.
    """
    if not text:
        return ""
    text = _INVISIBLE.sub("", nfc(text))
    return _SPACES.sub(" ", text).strip()


def clean_or_none(text: str | None) -> str | None:
    """Like :func:`clean`, but an empty result is ``None``."""
    return clean(text) or None
