"""Vietnamese folding for diacritic-insensitive search.

:func:`fold` lower-cases, removes every combining mark (tones and vowel marks: "Hà Giang" →
"ha giang", "thưởng" → "thuong") and maps đ/Đ → d, which no Unicode decomposition does and
SQLite's ``unicode61`` tokenizer therefore never folds. Storage indexes a folded copy of each
article's text; serving folds queries the same way.
"""

from __future__ import annotations

import functools
import html as _html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

_D = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


#: Invisible format characters (zero-width space and joiners, soft hyphen, word joiner, BOM,
#: bidirectional marks): inside a word they would split it in the index or in a query.
FORMAT_CHARACTERS = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


class _CombiningMarks(dict):
    """A ``str.translate`` table deleting combining marks (filled as characters are met)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_COMBINING = _CombiningMarks()


def fold(text: str | None) -> str:
    """Lower-case ``text`` with diacritics removed, đ→d and invisible format characters
    (:data:`FORMAT_CHARACTERS`) dropped (NFC output). Linear, at C speed per character."""
    if not text:
        return ""
    text = FORMAT_CHARACTERS.sub("", text)
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    return unicodedata.normalize("NFC", decomposed.translate(_COMBINING)).lower()


# --- queries typed by people ------------------------------------------------------------------


#: What one search considers: longer queries are cut at a word (with a note), further terms dropped
#: (with a note), repeated terms counted once. Together with the snippet bounds below, they keep
#: the work of any one search small whatever is typed into the box.
MAX_QUERY_CHARS = 300
MAX_TERMS = 12

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
    text = _capped(text or "", query)
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
        if term in query.terms:
            continue
        if len(query.terms) == MAX_TERMS:
            query.notes.append(f"Chỉ tìm {MAX_TERMS} từ đầu tiên. (Only the first {MAX_TERMS} terms were searched.)")
            break
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


def _capped(text: str, query: Query) -> str:
    """``text`` cut to :data:`MAX_QUERY_CHARS` at a word boundary, with a note when it was cut."""
    if len(text) <= MAX_QUERY_CHARS:
        return text
    cut = text[:MAX_QUERY_CHARS]
    space = cut.rfind(" ")
    cut = cut[:space] if space > MAX_QUERY_CHARS // 2 else cut
    query.notes.append(f"Câu tìm kiếm dài quá {MAX_QUERY_CHARS} ký tự: chỉ tìm phần đầu. "
                       f"(The query is longer than {MAX_QUERY_CHARS} characters: only its start was searched.)")
    return cut


#: What one snippet looks at: the first SCAN_CHARS characters of the text (a 400 KB award list is
#: not read to its end to show 240 characters of it), at most MAX_MATCHES_PER_TERM matches of
#: each term. Everything after is linear, so one snippet costs a few milliseconds at most.
SCAN_CHARS = 100_000
MAX_MATCHES_PER_TERM = 200


@functools.lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    return fold(char)


def fold_with_positions(text: str) -> tuple[str, Sequence[int]]:
    """``fold(text)`` character by character and, for each folded character, the index of the
    character it came from. Linear: when every character folds to exactly one (the usual case,
    NFC Vietnamese), one ``str.translate`` does it and the positions are ``range(len(text))``."""
    table = {ord(char): _fold_char(char) for char in set(text)}
    if all(len(out) == 1 for out in table.values()):
        return text.translate(table), range(len(text))
    folded: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        out = table[ord(char)]
        folded.append(out)
        positions.extend([index] * len(out))
    return "".join(folded), positions


Span = tuple[int, int, int]  #: (start, end, term index) of one match in the original text


def matches(text: str, terms: list[Term]) -> list[Span]:
    """Where ``terms`` occur in ``text`` (matched on folded text), sorted; bounded by
    :data:`SCAN_CHARS` and :data:`MAX_MATCHES_PER_TERM`."""
    folded, positions = fold_with_positions(text[:SCAN_CHARS])
    spans: list[Span] = []
    for index, term in enumerate(terms):
        for count, found in enumerate(re.finditer(term.pattern(), folded)):
            if count == MAX_MATCHES_PER_TERM:
                break
            if found.end() > found.start():
                spans.append((positions[found.start()], positions[found.end() - 1] + 1, index))
    spans.sort()
    return spans


def _best_window(spans: list[Span], reach: int) -> int:
    """Start of the match whose window (``reach`` characters from it) shows the most different
    terms, the earliest on a tie: one sliding window over the sorted spans, linear."""
    best, best_count = (spans[0][0] if spans else 0), 0
    shown: dict[int, int] = {}
    right = 0
    for start, _, term in spans:
        while right < len(spans) and spans[right][0] < start + reach:
            shown[spans[right][2]] = shown.get(spans[right][2], 0) + 1
            right += 1
        if len(shown) > best_count:
            best, best_count = start, len(shown)
        shown[term] -= 1
        if not shown[term]:
            del shown[term]
    return best


Piece = tuple[str, bool]  #: a run of a snippet's text and whether it is a match


def snippet_pieces(text: str | None, terms: list[Term], width: int = 240) -> list[Piece]:
    """A window of about ``width`` characters of ``text`` around its best match of ``terms``, as
    runs of text flagged when they match ("…" runs mark a cut). Matching is done on folded text,
    so "thi dua" finds "thi đua"; the original characters are kept. Without a match (or none in
    the first :data:`SCAN_CHARS` characters): the start of the text."""
    text = text or ""
    spans = matches(text, [t for t in terms if not t.negated])
    first = _best_window(spans, max(1, width * 2 // 3))
    begin = max(0, first - width // 3)
    if begin:
        space = text.rfind(" ", 0, begin)
        begin = space + 1 if space >= 0 and begin - space < 30 else begin
    end = min(len(text), begin + width)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin + width // 2 else end
    pieces: list[Piece] = [("…", False)] if begin else []
    cursor = begin
    for start, stop, _ in spans:
        if start < cursor or start >= end:
            continue
        pieces.append((text[cursor:start], False))
        pieces.append((text[start:min(stop, end)], True))
        cursor = min(stop, end)
    pieces.append((text[cursor:end], False))
    if end < len(text):
        pieces.append(("…", False))
    return pieces


def render(pieces: list[Piece], mark: tuple[str, str] = ("<mark>", "</mark>"), escape: bool = True) -> str:
    """Snippet pieces as one string, matches wrapped in ``mark``, HTML-escaped unless ``escape``
    is false."""
    quote = _html.escape if escape else (lambda s: s)
    return "".join(mark[0] + quote(run) + mark[1] if matched else quote(run) for run, matched in pieces if run)


def snippet(text: str | None, terms: list[Term], width: int = 240, mark: tuple[str, str] = ("<mark>", "</mark>"),
            escape: bool = True) -> str:
    """:func:`snippet_pieces` rendered by :func:`render`."""
    return render(snippet_pieces(text, terms, width), mark, escape)
