#!/usr/bin/env python3
"""Recompute the relevance judgments in queries.jsonl from corpus.jsonl.

Rule: text = title + summary + body_text; words = maximal runs of \\w
characters after Unicode NFC and lower-casing. A query typed WITH marks
(it changes when marks are stripped) matches a word only if the letters are
identical, tone marks and đ included (case-insensitive). A query typed
WITHOUT marks matches a word whose mark-stripped form (đ -> d) is equal.
An article is relevant iff every query word matches some word of it.
Prints every disagreement; prints nothing else unless -v is given.
"""
import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent

def nfc(s):
    return unicodedata.normalize("NFC", s)

def strip_marks(s):
    s = s.replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return nfc(s)

def words(s):
    return re.findall(r"\w+", nfc(s).lower())

def load(name):
    raw = (HERE / name).read_text(encoding="utf-8")
    if raw != nfc(raw):
        print(f"DISAGREEMENT: {name} is not in NFC")
    return [json.loads(line) for line in raw.splitlines() if line.strip()]

def relevant(query, docs):
    q = words(query)
    marked = strip_marks(" ".join(q)) != " ".join(q)
    out = []
    for key, toks in docs.items():
        vocab = set(toks) if marked else {strip_marks(t) for t in toks}
        if all(w in vocab for w in q):
            out.append(key)
    return sorted(out)

def relevant_per_word(query, docs):
    # alternative reading (marks decided word by word), only reported with -v
    out = []
    for key, toks in docs.items():
        exact, loose = set(toks), {strip_marks(t) for t in toks}
        if all((w in exact) if strip_marks(w) != w else (w in loose) for w in words(query)):
            out.append(key)
    return sorted(out)

def main():
    verbose = "-v" in sys.argv
    corpus = load("corpus.jsonl")
    queries = load("queries.jsonl")
    docs = {}
    for a in corpus:
        if a["key"] in docs:
            print(f"DISAGREEMENT: duplicate key {a['key']}")
        docs[a["key"]] = words(" ".join([a["title"], a["summary"], a["body_text"]]))
    bad = 0
    for q in queries:
        want = relevant(q["query"], docs)
        got = sorted(q["relevant"])
        unknown = [k for k in got if k not in docs]
        if want != got or unknown:
            bad += 1
            print(f"DISAGREEMENT {q['query']!r}: judged {got}, rule gives {want}; "
                  f"missing {sorted(set(want) - set(got))}, extra {sorted(set(got) - set(want))}"
                  + (f", unknown keys {unknown}" if unknown else ""))
        if verbose:
            alt = relevant_per_word(q["query"], docs)
            flag = "" if alt == want else f"   (per-word reading would give {alt})"
            print(f"ok {q['query']!r}: {len(want)} relevant{flag}")
    if verbose:
        print(f"{len(corpus)} articles, {len(queries)} queries, {bad} disagreements")
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())
