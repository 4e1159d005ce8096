"""Derive geo/data/countries.geojson (Natural Earth 1:50m) and
geo/data/countries-110m.geojson (1:110m) from the npm package world-atlas.

Usage::

    python scripts/derive_countries.py [--scale 50m|110m] [--atlas PATH/TO/countries-50m.json]
    python scripts/derive_countries.py --derived

``--derived`` writes geo/data/countries-derived.parquet from the bundled
geo/data/countries.geojson: the land mask and the countries' small tiles
(:func:`geo.countries.derive_land_and_tiles`, ~1.3 CPU s of GEOS that every
run would otherwise spend), as GeoParquet with the SHA-256 of the polygons
it came from (a run computes them instead when that differs).  Run it after
re-deriving the 50m polygons; tests/test_countries.py checks it is current.

Without ``--atlas`` the script runs ``npm pack world-atlas@<VERSION>`` in a
temporary folder (npm registry only) and reads ``countries-<scale>.json`` from
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
DATA = Path(__file__).resolve().parent.parent / "geo" / "data"
#: Output file per Natural Earth scale.
OUTPUTS = {"50m": DATA / "countries.geojson", "110m": DATA / "countries-110m.geojson"}

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


def fetch_atlas(workdir: Path, scale: str = "50m") -> Path:
    """Download world-atlas with ``npm pack`` and return countries-<scale>.json."""
    subprocess.run(
        ["npm", "pack", f"world-atlas@{WORLD_ATLAS_VERSION}", "--silent"],
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    tgz = workdir / f"world-atlas-{WORLD_ATLAS_VERSION}.tgz"
    with tarfile.open(tgz) as tar:
        tar.extract(f"package/countries-{scale}.json", workdir, filter="data")
    return workdir / "package" / f"countries-{scale}.json"


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


def _ring_area(xy: np.ndarray) -> shapely.Geometry:
    """Planar area enclosed by one unwrapped ring (a polar cap if it circles a pole)."""
    shift = xy[-1, 0] - xy[0, 0]
    if abs(shift) > 180.0:
        # The ring goes once around a pole: close it along that pole's
        # latitude so it bounds the cap between the ring and the pole.
        pole = -90.0 if xy[:, 1].mean() < 0 else 90.0
        xy = np.vstack([xy, [[xy[-1, 0], pole], [xy[0, 0], pole]]])
    return shapely.make_valid(shapely.Polygon(xy))


def _unwrap_polygon(polygon: shapely.Polygon) -> shapely.Geometry:
    """Rebuild a polygon whose rings jump across the antimeridian.

    world-atlas stores such rings with longitudes that jump from +180 to
    -180 between consecutive vertices; read as planar rings they
    self-intersect and ``make_valid`` turns them into globe-wide bands.
    Instead, unwrap each ring's longitudes (continuous, may leave
    [-180, 180]), take the area it encloses, combine the rings with the
    even-odd rule (holes cut out, polar caps as Antarctica's coastline
    needs), then cut the result at the antimeridian and shift the parts
    beyond it back by 360 degrees.
    """
    rings = [polygon.exterior, *polygon.interiors]
    area: shapely.Geometry = shapely.Polygon()
    for ring in rings:
        xy = shapely.get_coordinates(ring)
        # A ring drawn along the pole latitude (Antarctica's "shell") encloses
        # no area; the cap below the coastline already reaches the pole.
        if np.ptp(xy[:, 1]) == 0.0 and abs(xy[0, 1]) > 89.0:
            continue
        xy = xy.copy()
        xy[:, 0] = np.unwrap(xy[:, 0], period=360.0)
        area = shapely.symmetric_difference(area, _ring_area(xy))
    pieces = []
    for turn in (-2, -1, 0, 1, 2):
        window = shapely.box(-180.0 + 360.0 * turn, -90.0, 180.0 + 360.0 * turn, 90.0)
        part = shapely.intersection(area, window)
        if not shapely.is_empty(part):
            pieces.append(shapely.transform(part, lambda xy, t=turn: xy - [360.0 * t, 0.0]))
    return shapely.union_all(pieces)


def fix_antimeridian(geoms: np.ndarray) -> np.ndarray:
    """Replace polygons whose rings cross the antimeridian, see `_unwrap_polygon`."""
    out = np.asarray(geoms, dtype=object).copy()
    for i, geom in enumerate(out):
        parts = shapely.get_parts(geom)
        jumps = [
            any(
                (np.abs(np.diff(shapely.get_coordinates(r)[:, 0])) > 180.0).any()
                for r in (p.exterior, *p.interiors)
            )
            for p in parts
        ]
        if any(jumps):
            fixed = [_unwrap_polygon(p) if j else p for p, j in zip(parts, jumps, strict=True)]
            out[i] = shapely.union_all(fixed)
    return out


def derive(atlas: Path) -> gpd.GeoDataFrame:
    """Read the TopoJSON, repair and round the shapes, add iso_a2."""
    gdf = gpd.read_file(atlas, layer="countries").set_crs("EPSG:4326", allow_override=True)
    codes = [iso_a2(i, n) for i, n in zip(gdf["id"], gdf["name"], strict=True)]
    geom = shapely.make_valid(fix_antimeridian(gdf.geometry.values))
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


def write_derived(out: Path) -> None:
    """Write the land mask and tiles of the bundled 50m polygons to ``out`` (GeoParquet)."""
    import pyarrow.parquet as pq

    from geo import countries
    from geo.geoparquet import geoparquet_table

    land, tiles, owner = countries.derive_land_and_tiles(countries.load_countries())
    frame = gpd.GeoDataFrame(
        # owner: the tile's row in countries.geojson (sorted by iso_a2, name); -1: the land mask
        {"owner": np.concatenate([[-1], owner]).astype(np.int32)},
        geometry=np.concatenate([np.array([land], dtype=object), tiles]),
        crs="EPSG:4326",
    )
    table = geoparquet_table(frame, geometry_types=("MultiPolygon", "Polygon"))
    meta = {**table.schema.metadata, countries.SOURCE_HASH_KEY: countries._source_hash().encode()}
    pq.write_table(table.replace_schema_metadata(meta), out, compression="snappy")
    print(f"wrote the land mask and {len(tiles)} tiles to {out} ({out.stat().st_size} bytes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--derived", action="store_true", help="write countries-derived.parquet from the 50m file"
    )
    parser.add_argument("--scale", choices=sorted(OUTPUTS), default="50m")
    parser.add_argument("--atlas", type=Path, help="countries-<scale>.json (default: npm pack)")
    parser.add_argument("--out", type=Path, default=None, help="default: geo/data/, by scale")
    args = parser.parse_args()
    if args.derived:
        write_derived(args.out or DATA / "countries-derived.parquet")
        return
    args.out = args.out or OUTPUTS[args.scale]
    with tempfile.TemporaryDirectory() as tmp:
        atlas = args.atlas or fetch_atlas(Path(tmp), args.scale)
        gdf = derive(atlas)
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        raise SystemExit(f"invalid after repair: {gdf.loc[invalid, 'name'].tolist()}")
    write_geojson(gdf, args.out)
    print(f"wrote {len(gdf)} countries to {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
