"""Bytes as served → text, when declared charsets lie.

Portals declare charsets carelessly: an HTTP header saying ``iso-8859-1`` over a UTF-8 page, a
``<meta charset>`` left over from a template, legacy ``windows-1258`` pages with no
declaration. :func:`decode_html` decides in this order:

1. a byte-order mark;
2. UTF-8, when the whole body decodes as UTF-8 without error (Vietnamese text in any single-byte
   legacy encoding is practically never valid UTF-8, so this beats any declaration);
3. the charset of the HTTP ``Content-Type`` header, then of ``<meta>``, when it is not UTF-8;
4. ``windows-1258`` (the Vietnamese Windows code page), with undecodable bytes replaced.

Legacy *font* encodings (TCVN3 ".VnTime", VNI) are not charsets: their bytes are valid text in
the page's charset and are kept verbatim, never "fixed".
"""

from __future__ import annotations

import codecs

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

FALLBACK = "cp1258"


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for an HTML body and its ``Content-Type`` header value."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        return body[len(bom or b""):].decode(bom_encoding, errors="replace"), bom_encoding
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for declared in (http_content_type_encoding(content_type or ""), html_body_declared_encoding(body)):
        name = _known(declared)
        if name and name != "utf-8":
            return body.decode(name, errors="replace"), name
    return body.decode(FALLBACK, errors="replace"), FALLBACK


def _known(encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


#: Bytes that never occur in a text page (controls other than tab, newline, form feed, return).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"


def looks_binary(body: bytes, sample: int = 4096) -> bool:
    """True when ``body`` is not text whatever it was served as: a NUL byte, or more than 5 % of
    control bytes, in its first ``sample`` bytes (an image, a PDF, compressed or random bytes).
    HTML in UTF-8 or a legacy Vietnamese code page has practically none."""
    head = body[:sample]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL))  # one pass: the head without them
    return controls > 0.05 * len(head)
