#!/usr/bin/env python3
"""Seen/unseen split of an NER prediction: scores the mentions whose string occurs as an entity (any type) in the
training file ("seen") apart from the others ("unseen"), per type, by conlleval's exact-match chunks.

    python3 tools/ner-data/seen_unseen.py TRAIN GOLD PRED

GOLD is a CoNLL file (tag last), PRED the `token tag` file of `gazette eval ner GOLD --predict PRED`.
"""
import sys


def sentences(path):
    sent = []
    for line in open(path, encoding="utf-8"):
        cols = line.split()
        if not cols or cols[0] == "-DOCSTART-":
            if sent:
                yield sent
                sent = []
            continue
        sent.append((cols[0], cols[-1]))
    if sent:
        yield sent


def chunks(tags):
    out, start, typ = [], None, None
    for i, t in enumerate(tags + ["O"]):
        p, ty = (t.split("-", 1) + [""])[:2] if t != "O" else ("O", "")
        if start is not None and (p in ("B", "O") or ty != typ):
            out.append((start, i, typ))
            start = None
        if p != "O" and start is None:
            start, typ = i, ty
    return out


def main():
    train, gold, pred = sys.argv[1:4]
    seen = set()
    for s in sentences(train):
        toks = [w for w, _ in s]
        for a, b, _ in chunks([t for _, t in s]):
            seen.add(" ".join(toks[a:b]))
    gs, ps = list(sentences(gold)), list(sentences(pred))
    assert len(gs) == len(ps), "gold and prediction differ in sentences"
    # counts[(split, type)] = [correct, predicted, gold]
    counts = {}
    for g, p in zip(gs, ps):
        toks = [w for w, _ in g]
        gc = set(chunks([t for _, t in g]))
        pc = set(chunks([t for _, t in p]))
        for c in gc | pc:
            split = "seen" if " ".join(toks[c[0]:c[1]]) in seen else "unseen"
            for key in ((split, c[2]), (split, "ALL")):
                e = counts.setdefault(key, [0, 0, 0])
                e[0] += c in gc and c in pc
                e[1] += c in pc
                e[2] += c in gc
    for split in ("seen", "unseen"):
        for typ in ("ALL", "PER", "ORG", "LOC", "MISC"):
            ok, np_, ng = counts.get((split, typ), [0, 0, 0])
            pr = 100 * ok / np_ if np_ else 0
            rc = 100 * ok / ng if ng else 0
            f = 2 * pr * rc / (pr + rc) if pr + rc else 0
            print(f"{split:>6} {typ:>4}: P {pr:6.2f} R {rc:6.2f} F1 {f:6.2f}  (gold {ng}, predicted {np_})")


if __name__ == "__main__":
    main()
