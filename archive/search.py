"""Accent-aware search for Vietnamese: the two spellings of the text that are indexed, and
queries, snippets and highlighting over them.

:func:`fold` lower-cases, removes every combining mark (tones and vowel marks: "Hà Giang" →
"ha giang", "thưởng" → "thuong") and maps đ/Đ → d, which no Unicode decomposition does and
SQLite's ``unicode61`` tokenizer therefore never folds. :func:`spelled` keeps the marks but
lower-cases, drops invisible characters and writes the tone of the final syllables oa, oe and uy
in one place ("hoà" and "hòa", "thuỷ" and "thủy" are the same word in the two spelling styles
Vietnamese portals use). Storage indexes both spellings of each article (``search_folded`` and
``search_marked``). A query typed without any mark is searched folded: it matches every spelling.
A query with a mark anywhere is searched as typed: "Điện Biên" does not find "diễn biến", and
"thi đua" does not find "Thị".
"""

from __future__ import annotations

import functools
import html as _html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

#: What fold writes as d: no Unicode decomposition takes the stroke off đ (nor off ð, its look-alike).
_D_LETTERS = "đĐðÐ"


#: Invisible format characters (zero-width space and joiners, soft hyphen, word joiner, BOM,
#: bidirectional marks): inside a word they would split it in the index or in a query.
FORMAT_CHARACTERS = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


#: The combining marks of Latin letters (U+0300–U+036F, but for the grapheme joiner, which
#: marks nothing): after NFD, Vietnamese tones and vowel marks are all among them.
_LATIN_MARKS = re.compile("[%s]" % "".join(chr(code) for code in range(0x300, 0x370) if unicodedata.combining(chr(code))))
#: Any character from U+0300 on: where the few other combining marks could be.
_PAST_LATIN = re.compile("[^\x00-\u02ff]")


def fold(text: str | None) -> str:
    """Lower-case ``text`` with diacritics removed (every combining mark), đ→d and invisible
    format characters (:data:`FORMAT_CHARACTERS`) dropped (NFC output). Linear, at C speed: the
    Latin marks go in one regex pass, and the characters from U+0300 on are asked whether they
    are a mark only when some are left (quotes, dashes, other scripts; a per-character table
    lookup over the whole text took three times as long)."""
    if not text:
        return ""
    text = FORMAT_CHARACTERS.sub("", text)
    for letter in _D_LETTERS:
        if letter in text:
            text = text.replace(letter, "d")
    decomposed = _LATIN_MARKS.sub("", unicodedata.normalize("NFD", text))
    other_marks = {char for char in _PAST_LATIN.findall(decomposed) if unicodedata.combining(char)}
    if other_marks:
        decomposed = decomposed.translate(dict.fromkeys(map(ord, other_marks)))
    return unicodedata.normalize("NFC", decomposed).lower()


#: Final syllables whose tone mark the two spelling styles put on different vowels: the tone on
#: the second vowel (the newer style: "hoà", "khoẻ", "thuỷ") is moved to the first ("hòa", "khỏe",
#: "thủy"). Not after q ("quý": there u belongs to the consonant), not before another letter.
#: (The q is looked behind from after the o or u: a pattern that starts with a letter is
#: scanned for at C speed, one that starts with a look-behind is tried at every character.)
_TONED = {"a": "àáảãạ", "e": "èéẻẽẹ", "y": "ỳýỷỹỵ", "o": "òóỏõọ", "u": "ùúủũụ"}
_TONE_OF = {char: (base, index) for base, chars in _TONED.items() for index, char in enumerate(chars)}
_FINAL_PAIR = re.compile(r"(o(?<!qo)[àáảãạèéẻẽẹ]|u(?<!qu)[ỳýỷỹỵ])(?!\w)")


def _tone_on_first(match: re.Match) -> str:
    first, second = match.group(1)
    base, tone = _TONE_OF[second]
    return _TONED[first][tone] + base


def spelled(text: str | None) -> str:
    """``text`` as it is spelled, for accent-exact search: NFC, lower-case, invisible format
    characters dropped, the tone of a final oa/oe/uy on its first vowel ("Thanh Hoá" →
    "thanh hóa", "Thuỷ" → "thủy"). Same length as its NFC, lower-cased input when that holds no
    format character (highlighting relies on it)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", FORMAT_CHARACTERS.sub("", text)).lower()
    return _FINAL_PAIR.sub(_tone_on_first, text)


def has_marks(text: str | None) -> bool:
    """Whether ``text`` holds a Vietnamese mark (tone, vowel mark or đ) or any other diacritic."""
    return spelled(text) != fold(text)


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
    """One thing to find: a word or a phrase, maybe a prefix, maybe excluded. ``words`` are folded
    (:func:`fold`), or spelled as typed (:func:`spelled`) when ``exact``."""

    words: list[str]
    prefix: bool = False
    negated: bool = False
    exact: bool = False

    def fts(self) -> str:
        return '"' + " ".join(self.words).replace('"', '""') + '"' + ("*" if self.prefix else "")

    def pattern(self) -> str:
        """A regex matching this term in folded text (in :func:`spelled` text when ``exact``),
        used for highlighting."""
        body = r"\W+".join(re.escape(w) for w in self.words)
        return r"\b" + body + (r"\w*" if self.prefix else r"\b")


@dataclass
class Query:
    """A search box entry, parsed.

    Syntax: words (all must appear, in any order), ``"a phrase"``, ``prefix*``, ``OR`` between
    two terms, ``-excluded`` words. Typed without any mark, every word matches with or without
    marks; with a mark anywhere (``exact``), every word matches as spelled (tone and vowel marks
    and đ; case and the oa/oe/uy tone placement do not matter). ``expression`` is the FTS5 query
    over ``search_folded`` or, when ``exact``, ``search_marked``; ``""`` when there is nothing to
    search. ``notes`` says, in Vietnamese and English, what was not understood and how it was read.
    """

    text: str
    terms: list[Term] = field(default_factory=list)
    expression: str = ""
    notes: list[str] = field(default_factory=list)
    exact: bool = False

    @property
    def without_marks(self) -> str:
        """The query with its marks removed (``OR`` kept): what to search to find every spelling."""
        if not self.exact:
            return self.text
        return " ".join(word if word == "OR" else fold(word) for word in self.text.split(" "))


def parse_query(text: str) -> Query:
    """Parse what a person typed into a safe FTS5 expression (never an FTS5 syntax error)."""
    query = Query(text=text or "")
    text = _capped(text or "", query)
    query.exact = has_marks(text)
    spelling = spelled if query.exact else fold
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
            words = _WORD.findall(spelling(raw))
        else:
            negated, prefix = bool(match["neg"]), bool(match["pstar"])
            words = _WORD.findall(spelling(match["phrase"]))
        if not words:
            continue
        term = Term(words=words, prefix=prefix, negated=negated, exact=query.exact)
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
    column = "search_marked" if query.exact else "search_folded"
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


@functools.lru_cache(maxsize=8192)
def _lower_char(char: str) -> str:
    return FORMAT_CHARACTERS.sub("", char).lower()


def _per_char(text: str, convert) -> tuple[str, Sequence[int]]:
    """``convert`` applied to each character of ``text`` and, for each output character, the
    index of the character it came from. Linear: when every character gives exactly one (the
    usual case, NFC Vietnamese), one ``str.translate`` does it and the positions are
    ``range(len(text))``."""
    table = {ord(char): convert(char) for char in set(text)}
    if all(len(out) == 1 for out in table.values()):
        return text.translate(table), range(len(text))
    converted: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        out = table[ord(char)]
        converted.append(out)
        positions.extend([index] * len(out))
    return "".join(converted), positions


def fold_with_positions(text: str) -> tuple[str, Sequence[int]]:
    """``fold(text)`` character by character, with the index each folded character came from."""
    return _per_char(text, _fold_char)


def spelled_with_positions(text: str) -> tuple[str, Sequence[int]]:
    """:func:`spelled` ``text`` (for NFC input), with the index each character came from."""
    lowered, positions = _per_char(text, _lower_char)
    return _FINAL_PAIR.sub(_tone_on_first, lowered), positions


Span = tuple[int, int, int]  #: (start, end, term index) of one match in the original text


def matches(text: str, terms: list[Term]) -> list[Span]:
    """Where ``terms`` occur in ``text`` (matched on folded text, on :func:`spelled` text for
    exact terms), sorted; bounded by :data:`SCAN_CHARS` and :data:`MAX_MATCHES_PER_TERM`."""
    scanned = text[:SCAN_CHARS]
    views = {exact: (spelled_with_positions if exact else fold_with_positions)(scanned)
             for exact in {term.exact for term in terms}}
    spans: list[Span] = []
    for index, term in enumerate(terms):
        folded, positions = views[term.exact]
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
    runs of text flagged when they match ("…" runs mark a cut). Matching follows the query's
    rule (folded: "thi dua" finds "thi đua"; exact: "thi đua" does not find "Thị"); the original
    characters are kept. Without a match (or none in
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
