"""Derive geo/data/countries.geojson from Natural Earth 1:50m (npm world-atlas).

Usage::

    python scripts/derive_countries.py [--atlas PATH/TO/countries-50m.json]

Without ``--atlas`` the script runs ``npm pack world-atlas@<VERSION>`` in a
temporary folder (npm registry only) and reads ``countries-50m.json`` from
the tarball.  Output is deterministic: features sorted by (iso_a2, name),
coordinates snapped to a 1e-4 degree grid (~11 m), exterior rings
counter-clockwise (RFC 7946).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pycountry
import shapely

WORLD_ATLAS_VERSION = "2.0.2"
PRECISION = 4  # decimal places; 1e-4 deg ~ 11 m, below 1:50m accuracy
OUT = Path(__file__).resolve().parent.parent / "geo" / "data" / "countries.geojson"

# Features world-atlas ships without an ISO 3166-1 numeric id.  Kosovo gets
# the user-assigned code XK used by the EU and most data providers; the
# others have no ISO code of their own and stay "" (kept, not dropped, so
# that the land mask has no holes there).
NO_NUMERIC_ID = {
    "Kosovo": "XK",
    "N. Cyprus": "",
    "Somaliland": "",
    "Indian Ocean Ter.": "",
    "Siachen Glacier": "",
}


def fetch_atlas(workdir: Path) -> Path:
    """Download world-atlas with ``npm pack`` and return countries-50m.json."""
    subprocess.run(
        ["npm", "pack", f"world-atlas@{WORLD_ATLAS_VERSION}", "--silent"],
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    tgz = workdir / f"world-atlas-{WORLD_ATLAS_VERSION}.tgz"
    with tarfile.open(tgz) as tar:
        tar.extract("package/countries-50m.json", workdir, filter="data")
    return workdir / "package" / "countries-50m.json"


def iso_a2(numeric: str | None, name: str) -> str:
    """ISO 3166-1 alpha-2 code for a world-atlas feature."""
    if numeric is None or not isinstance(numeric, str):
        if name not in NO_NUMERIC_ID:
            msg = f"feature {name!r} has no numeric id and no entry in NO_NUMERIC_ID"
            raise SystemExit(msg)
        return NO_NUMERIC_ID[name]
    country = pycountry.countries.get(numeric=numeric)
    if country is None:
        msg = f"numeric id {numeric!r} ({name}) unknown to pycountry"
        raise SystemExit(msg)
    return str(country.alpha_2)


def _polygons(geoms: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Single polygons of ``geoms`` (dropping repair by-products such as lines)."""
    parts, idx = shapely.get_parts(geoms, return_index=True)
    while (shapely.get_type_id(parts) == 7).any():  # nested GeometryCollections
        parts, sub = shapely.get_parts(parts, return_index=True)
        idx = idx[sub]
    parts, sub = shapely.get_parts(parts, return_index=True)  # Multi* -> singles
    idx = idx[sub]
    keep = shapely.get_type_id(parts) == 3  # Polygon
    return parts[keep], owner[idx[keep]]


def derive(atlas: Path) -> gpd.GeoDataFrame:
    """Read the TopoJSON, repair and round the shapes, add iso_a2."""
    gdf = gpd.read_file(atlas, layer="countries").set_crs("EPSG:4326", allow_override=True)
    codes = [iso_a2(i, n) for i, n in zip(gdf["id"], gdf["name"], strict=True)]
    geom = shapely.make_valid(gdf.geometry.values)
    # make_valid can return collections with stray lines; keep the areas.
    parts, owner = geom, np.arange(len(geom))
    parts, owner = _polygons(parts, owner)
    # Snap to the output grid: set_precision keeps polygons valid, unlike rounding.
    parts, owner = _polygons(shapely.set_precision(parts, 10.0**-PRECISION), owner)
    merged = gpd.GeoSeries(parts).groupby(owner).agg(lambda s: shapely.union_all(s.values))
    out = gpd.GeoDataFrame(
        {"iso_a2": codes, "name": gdf["name"].to_numpy()},
        geometry=gpd.GeoSeries(merged.reindex(range(len(gdf))).values, crs="EPSG:4326"),
    )
    out = out[~out.geometry.isna() & ~out.geometry.is_empty]
    out["geometry"] = shapely.orient_polygons(out.geometry.values)
    return out.sort_values(["iso_a2", "name"], kind="stable").reset_index(drop=True)


def _round(geom: shapely.Geometry) -> dict[str, object]:
    rounded = shapely.transform(geom, lambda xy: np.round(xy, PRECISION))
    return shapely.geometry.mapping(rounded)


def write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write a compact, deterministic GeoJSON (one feature per line)."""
    lines = ['{"type":"FeatureCollection","features":[']
    feats = []
    for code, name, geom in zip(gdf["iso_a2"], gdf["name"], gdf.geometry, strict=True):
        feat = {
            "type": "Feature",
            "properties": {"iso_a2": code, "name": name},
            "geometry": _round(geom),
        }
        feats.append(json.dumps(feat, separators=(",", ":"), ensure_ascii=False))
    lines.append(",\n".join(feats))
    lines.append("]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", type=Path, help="countries-50m.json (default: npm pack)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        atlas = args.atlas or fetch_atlas(Path(tmp))
        gdf = derive(atlas)
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        raise SystemExit(f"invalid after repair: {gdf.loc[invalid, 'name'].tolist()}")
    write_geojson(gdf, args.out)
    print(f"wrote {len(gdf)} countries to {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
