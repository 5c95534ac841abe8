"""A second opinion on where an article's text is: trafilatura, and how to find its text in our tree.

The generic page object picks a body element by its own heuristics (the element whose paragraphs
hold the most text). trafilatura (https://trafilatura.readthedocs.io) is a well-kept extractor
built on different heuristics. Where the two agree, the generic page object keeps its element (its
caption, byline and sanitizing rules are written for Vietnamese portals); where they disagree, the
element that holds trafilatura's text is the better bet (measured: ``bench/extraction.py``).

* :func:`main_text`: trafilatura's plain text of a page (paragraphs separated by newlines), or
  ``None`` when it finds nothing or fails.
* :func:`agreement`: 4-gram shingle F1 of two texts (word tokens, counted with multiplicity), 0–1.
* :func:`locate`: the deepest element of a BeautifulSoup tree that holds most of a text's
  paragraphs, or ``None``.
"""

from __future__ import annotations

import logging
import re
from collections import Counter

from bs4 import BeautifulSoup, Comment, Tag

from .text import clean

#: Paragraphs shorter than this are not looked up (captions, bylines, "Advertisement").
MIN_LOCATED_LINE = 30
#: Share of the text's paragraphs that must be found in the tree, and share of those found that
#: the located element must hold.
FOUND_SHARE = 0.5
HELD_SHARE = 0.8
#: Share of trafilatura's lines that are table rows above which it read a table-laid-out page.
LAYOUT_TABLE_SHARE = 0.5
_PREFIX = 25
_WORD = re.compile(r"\w+")

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # it logs every page it cannot read


def main_text(html: str) -> str | None:
    """trafilatura's main text of ``html`` (comments and tables of links excluded), or ``None``."""
    import trafilatura  # imported on first use: only pages the generic page object reads need it

    try:
        text = trafilatura.extract(html, include_comments=False, include_tables=True, deduplicate=False)
    except Exception:  # a library failure on one strange page must not cost the page
        return None
    if not text:
        return None
    lines = [line for line in text.splitlines() if line.strip()]
    if sum(line.lstrip().startswith("|") for line in lines) > LAYOUT_TABLE_SHARE * len(lines):
        return None  # a page laid out in tables comes back as table rows of page chrome: no opinion
    return text


def agreement(first: str, second: str, n: int = 4) -> float:
    """F1 of the ``n``-word shingles of two texts (1.0: the same words in the same order)."""
    a, b = _shingles(first, n), _shingles(second, n)
    if not a or not b:
        return 0.0
    common = sum((a & b).values())
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall) if common else 0.0


def locate(soup: BeautifulSoup, text: str) -> Tag | None:
    """The deepest element that holds :data:`HELD_SHARE` of the paragraphs of ``text`` found in
    ``soup`` (a paragraph is found by the text node its first words start or sit in); ``None``
    when fewer than :data:`FOUND_SHARE` of them are found."""
    lines = [line for line in (clean(part) for part in text.split("\n")) if len(line) >= MIN_LOCATED_LINE]
    if not lines:
        return None
    strings = []
    for string in soup.find_all(string=True):
        if isinstance(string, Comment) or string.parent is None or string.parent.name in ("script", "style", "title"):
            continue
        value = clean(str(string))
        if len(value) >= 10:
            strings.append((value, string.parent))
    hits: list[Tag] = []
    for line in lines:
        prefix = line[:_PREFIX]
        for value, parent in strings:
            if prefix in value or (len(value) >= _PREFIX and value[:_PREFIX] in line):
                hits.append(parent)
                break
    if len(hits) < FOUND_SHARE * len(lines):
        return None
    held: Counter = Counter()
    depth: dict[int, tuple[int, Tag]] = {}
    for hit in hits:
        chain = [hit, *hit.parents]
        for level, node in enumerate(reversed(chain)):
            held[id(node)] += 1
            depth[id(node)] = (level, node)
    best = max((depth[key] for key, count in held.items() if count >= HELD_SHARE * len(hits)),
               key=lambda pair: pair[0], default=None)
    if best is None or best[1].name in ("[document]", "html", "body"):
        return None
    return best[1]


def _shingles(text: str, n: int) -> Counter:
    words = _WORD.findall(text.lower())
    return Counter(tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1))) if words else Counter()
