#!/usr/bin/env python3
"""Turns the authoring form of the labelled set (crates/places/eval/labelled.src.txt) into the scored form
(crates/places/eval/labelled.txt), looking each gold entry up in the derived tables.

In the authoring form a mark is [[surface|HINT]], HINT being what the author knows about the place, not an id:
  KE / US.TX          its country, or country.admin1 (GeoNames' admin1 code)
  PPL PPLC ADM1 ADM2 PCLI CONT   its feature code
  n=Other_Name        look up this name instead of the surface ("_" for spaces)
  12345 / none / =KE  an id, a place the tables lack, a demonym (copied as they are)
Tokens combine ("US.GA ADM1"). The hint must single out one entry; when several remain and the most populous is at
least five times the next, it is taken (and listed), else the script stops and lists them. Every resolved mark is
printed for review. Run: python3 tools/places-data/label.py
"""

import gzip
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
EVAL = os.path.join(HERE, "..", "..", "crates", "places", "eval")
DATA = os.path.join(HERE, "..", "..", "crates", "places", "data", "places.tsv.gz")
CODES = {"PPL", "PPLC", "ADM1", "ADM2", "PCLI", "CONT"}


def key(name):
    out = []
    for ch in name:
        if ch in "'’‘.ʻ`":
            continue
        if ch.isalnum():
            ch = {"ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe"}.get(ch, ch)
            d = unicodedata.normalize("NFD", ch)
            out.append("".join(c for c in d if not unicodedata.combining(c)).lower())
        else:
            out.append(" ")
    words = "".join(out).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    expand = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort", "pt": "port"}
    return " ".join(expand.get(w, w) for w in words)


def main():
    index = {}
    rows = {}
    with gzip.open(DATA, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            r = line.rstrip("\n").split("\t")
            gid = int(r[0])
            rows[gid] = r
            own = key(r[8])
            index.setdefault(own, []).append((gid, True))
            for k in {key(a) for a in r[9].split("|") if a} - {own}:
                index.setdefault(k, []).append((gid, False))
    src = open(os.path.join(EVAL, "labelled.src.txt"), encoding="utf-8").read()
    failures = []

    def resolve(m):
        surface, hint = m.group(1), m.group(2)
        if hint == "none" or hint.startswith("=") or hint.isdigit():
            if hint == "none" and index.get(key(surface)):
                print(f"  {surface!r}: none (the tables hold {len(index[key(surface)])} entries of that name)")
            return f"[[{surface}|{hint}]]"
        name, cc, a1, code = surface, None, None, None
        for tok in hint.split():
            if tok.startswith("n="):
                name = tok[2:].replace("_", " ")
            elif tok in CODES:
                code = tok
            elif re.fullmatch(r"[A-Z]{2}", tok):
                cc = tok
            elif re.fullmatch(r"[A-Z]{2}\.\w+", tok):
                cc, a1 = tok.split(".", 1)
            else:
                failures.append(f"{surface}: bad hint token {tok!r}")
                return m.group(0)
        hits = [(rows[g], own) for g, own in index.get(key(name), [])]
        hits = [(r, own) for r, own in hits if (cc is None or r[2] == cc) and (a1 is None or r[3] == a1)]
        if code:
            hits = [(r, own) for r, own in hits if r[1] == code]
        if any(own for _, own in hits):  # a place's own name before another's alternate
            hits = [(r, own) for r, own in hits if own]
        found = [r for r, _ in hits]
        if not code:  # a name written without a feature code is the town, else the division
            for preferred in (("PPL", "PPLC"), ("PCLI", "CONT", "ADM1")):
                if any(r[1] in preferred for r in found):
                    found = [r for r in found if r[1] in preferred]
                    break
        found.sort(key=lambda r: -int(r[7]))
        if not found:
            failures.append(f"{surface} [{hint}]: no entry")
            return m.group(0)
        note = ""
        if len(found) > 1:
            if int(found[0][7]) < 5 * max(1, int(found[1][7])):
                listing = "; ".join(f"{r[0]} {r[8]} {r[1]} {r[2]}.{r[3]} pop {r[7]}" for r in found[:6])
                failures.append(f"{surface} [{hint}]: {len(found)} entries: {listing}")
                return m.group(0)
            note = f" (most populous of {len(found)})"
        r = found[0]
        print(f"  {surface!r} [{hint}] -> {r[0]} {r[8]} {r[1]} {r[2]}.{r[3]} pop {r[7]}{note}")
        return f"[[{surface}|{r[0]}]]"

    out = "\n".join(line if line.startswith("#") else re.sub(r"\[\[([^|\]]+)\|([^\]]+)\]\]", resolve, line)
                    for line in src.split("\n"))
    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(1)
    header = ("# Generated from labelled.src.txt by tools/places-data/label.py: gold ids looked up by hand-written hints\n"
              "# (country, division, feature code) in the derived tables. Edit the source, not this file.\n")
    body = out
    open(os.path.join(EVAL, "labelled.txt"), "w", encoding="utf-8").write(header + body)


if __name__ == "__main__":
    main()
