"""Vietnamese folding for diacritic-insensitive search.

:func:`fold` lower-cases, removes every combining mark (tones and vowel marks: "Hà Giang" →
"ha giang", "thưởng" → "thuong") and maps đ/Đ → d, which no Unicode decomposition does and
SQLite's ``unicode61`` tokenizer therefore never folds. Storage indexes a folded copy of each
article's text; serving folds queries the same way.
"""

from __future__ import annotations

import re
import unicodedata

_D = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


#: Invisible format characters (zero-width space and joiners, soft hyphen, word joiner, BOM,
#: bidirectional marks): inside a word they would split it in the index or in a query.
FORMAT_CHARACTERS = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def fold(text: str | None) -> str:
    """Lower-case ``text`` with diacritics removed, đ→d and invisible format characters
    (:data:`FORMAT_CHARACTERS`) dropped (NFC output)."""
    if not text:
        return ""
    text = FORMAT_CHARACTERS.sub("", text)
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


# --- queries typed by people ------------------------------------------------------------------

import html as _html  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

_TOKEN = re.compile(r'(?P<neg>-?)"(?P<phrase>[^"]*)("(?P<pstar>\*?)|$)|(?P<word>[^\s"]+)')
_WORD = re.compile(r"\w+")


@dataclass
class Term:
    """One thing to find: a word or a phrase (folded), maybe a prefix, maybe excluded."""

    words: list[str]
    prefix: bool = False
    negated: bool = False

    def fts(self) -> str:
        return '"' + " ".join(self.words).replace('"', '""') + '"' + ("*" if self.prefix else "")

    def pattern(self) -> str:
        """A regex over folded text matching this term (used for highlighting)."""
        body = r"\W+".join(re.escape(w) for w in self.words)
        return r"\b" + body + (r"\w*" if self.prefix else r"\b")


@dataclass
class Query:
    """A search box entry, parsed.

    Syntax: words (all must appear, in any order, with or without diacritics), ``"a phrase"``,
    ``prefix*``, ``OR`` between two terms, ``-excluded`` words. ``expression`` is the FTS5
    query over the folded column (``search_folded``), or ``""`` when there is nothing to search.
    ``notes`` says, in Vietnamese and English, what was not understood and how it was read.
    """

    text: str
    terms: list[Term] = field(default_factory=list)
    expression: str = ""
    notes: list[str] = field(default_factory=list)


def parse_query(text: str, column: str = "search_folded") -> Query:
    """Parse what a person typed into a safe FTS5 expression (never an FTS5 syntax error)."""
    query = Query(text=text or "")
    positives: list[str] = []
    negatives: list[str] = []
    pending_or = False
    if (text or "").count('"') % 2:
        query.notes.append('Thiếu dấu " đóng: phần sau dấu " được tìm như một cụm từ. '
                           '(Unbalanced quote: the rest was searched as a phrase.)')
    for match in _TOKEN.finditer(text or ""):
        if match["word"] is not None:
            raw = match["word"]
            if raw == "OR":
                pending_or = bool(positives)
                continue
            negated = raw.startswith("-") and len(raw) > 1
            prefix = raw.endswith("*")
            words = _WORD.findall(fold(raw))
        else:
            negated, prefix = bool(match["neg"]), bool(match["pstar"])
            words = _WORD.findall(fold(match["phrase"]))
        if not words:
            continue
        term = Term(words=words, prefix=prefix, negated=negated)
        query.terms.append(term)
        if negated:
            negatives.append(term.fts())
        elif pending_or:
            positives[-1] = f"({positives[-1]} OR {term.fts()})"
            pending_or = False
        else:
            positives.append(term.fts())
    if negatives and not positives:
        query.notes.append("Chỉ có từ loại trừ (-từ): hãy thêm từ cần tìm. (Only excluded words: add a word to find.)")
        return query
    if not positives:
        if (text or "").strip():
            query.notes.append("Không có từ nào để tìm. (Nothing to search for.)")
        return query
    expression = " AND ".join(positives)
    plain = [t for t in query.terms if not t.negated and not t.prefix and len(t.words) == 1]
    if len(positives) > 1 and len(plain) == len(positives):
        # Several plain words: rows where they stand together, as typed, rank first.
        together = Term(words=[w for t in plain for w in t.words]).fts()
        expression = f"({together} OR ({expression}))"
    if negatives:
        expression = f"({expression}) NOT ({' OR '.join(negatives)})"
    query.expression = f"{column} : ({expression})"
    return query


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each folded character, the index of the character it came from."""
    folded: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        for out in fold(char):
            folded.append(out)
            positions.append(index)
    return "".join(folded), positions


def _best_window(spans: list[tuple[int, int]], text: str, terms: list[Term], width: int) -> int:
    """Start of the match whose window shows the most different terms (the earliest on a tie)."""
    best, best_count = (spans[0][0] if spans else 0), 0
    for start, _ in spans:
        shown = {fold(text[s:e]) for s, e in spans if start <= s < start + width * 2 // 3}
        if len(shown) > best_count:
            best, best_count = start, len(shown)
    return best


def snippet(text: str | None, terms: list[Term], width: int = 240, mark: tuple[str, str] = ("<mark>", "</mark>"),
            escape: bool = True) -> str:
    """A window of ``text`` around the first match of ``terms``, matches wrapped in ``mark``.

    Matching is done on folded text, so "thi dua" marks "thi đua"; the original characters are
    shown. HTML-escaped unless ``escape`` is false. Without a match: the start of the text.
    """
    text = text or ""
    wanted = [t for t in terms if not t.negated]
    folded, positions = fold_with_positions(text)
    spans: list[tuple[int, int]] = []
    for term in wanted:
        for found in re.finditer(term.pattern(), folded):
            start, end = positions[found.start()], positions[found.end() - 1] + 1
            spans.append((start, end))
    spans.sort()
    first = _best_window(spans, text, wanted, width)
    begin = max(0, first - width // 3)
    if begin:
        space = text.rfind(" ", 0, begin)
        begin = space + 1 if space >= 0 and begin - space < 30 else begin
    end = min(len(text), begin + width)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin + width // 2 else end
    pieces: list[str] = []
    cursor = begin
    quote = _html.escape if escape else (lambda s: s)
    for start, stop in spans:
        if start < cursor or start >= end:
            continue
        pieces.append(quote(text[cursor:start]))
        pieces.append(mark[0] + quote(text[start:min(stop, end)]) + mark[1])
        cursor = min(stop, end)
    pieces.append(quote(text[cursor:end]))
    return ("…" if begin else "") + "".join(pieces) + ("…" if end < len(text) else "")
