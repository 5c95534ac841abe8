#!/usr/bin/env python3
"""Recompute the "relevant" list of every query in queries.jsonl from corpus.jsonl.

Rule: an article is relevant when every query word occurs as a word of its
title, summary or body_text (case-insensitive).
- Query with any mark (any diacritic, or đ): each word must match with exactly
  the same marks; only the position of the tone mark may differ
  (hoá = hóa, thuỷ = thủy, khoẻ = khỏe).
- Query with no marks at all: words match ignoring all marks (đ counts as d).
Prints every disagreement; prints nothing else but a summary line.
"""
import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
WORD = re.compile(r"\w+")


def words(text):
    return WORD.findall(unicodedata.normalize("NFC", text).lower())


def marked_key(w):
    # Keep all letters and non-tone marks; move the tone mark to the end so
    # that old/new tone placement (hoá/hóa, thuỷ/thủy, khoẻ/khỏe) compares equal.
    d = unicodedata.normalize("NFD", w.lower())
    tones = "".join(c for c in d if c in TONES)
    base = unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES))
    return base + tones


def bare_key(w):
    d = unicodedata.normalize("NFD", w.lower().replace("đ", "d"))
    return "".join(c for c in d if not unicodedata.combining(c))


def has_marks(q):
    q = q.lower()
    return "đ" in q or any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", q))


def main():
    corpus = [json.loads(line) for line in open(HERE / "corpus.jsonl", encoding="utf-8") if line.strip()]
    queries = [json.loads(line) for line in open(HERE / "queries.jsonl", encoding="utf-8") if line.strip()]
    problems = 0
    for a in corpus:
        for f in ("title", "summary", "body_text"):
            if unicodedata.normalize("NFC", a[f]) != a[f]:
                print(f"{a['key']}: {f} is not NFC")
                problems += 1
    for q in queries:
        key = marked_key if has_marks(q["query"]) else bare_key
        need = {key(w) for w in words(q["query"])}
        got = []
        for a in corpus:
            have = {key(w) for w in words(" ".join((a["title"], a["summary"], a["body_text"])))}
            if need <= have:
                got.append(a["key"])
        listed = q["relevant"]
        missing = sorted(set(got) - set(listed))
        extra = sorted(set(listed) - set(got))
        if missing or extra:
            problems += 1
            print(f"{q['query']!r}: missing {missing} not relevant {extra}")
    marked = sum(has_marks(q["query"]) for q in queries)
    print(f"{len(corpus)} articles, {len(queries)} queries ({marked} with marks, "
          f"{len(queries) - marked} without); {problems} disagreement(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
