"""Build zones.geojson (faction-controlled zones over time) from the reference.

Usage::

    python scripts/build_zones.py [--out zones.geojson]

Every boundary below is drawn by us between point anchors (lon, lat) named in
``shared/reference/zones_of_control.md`` (or, where marked "not in the
reference", well-known place coordinates), then clipped to land with the
bundled Natural Earth 1:50m country polygons plus a ~3 km coastal fringe
(``settings.ZONE_COAST_MARGIN_DEG``) so that ports digitized just offshore
at 1:50m fall inside.  Whole-country host-nation zones follow Natural Earth
and are not ``approximate``.  A zone's geometry is fixed; when control of
it changed we write one feature per period, so each feature has one
faction and a closed or open [valid_from, valid_to] interval (inclusive).

Output is deterministic: features sorted by zone id, coordinates on a
1e-5 degree grid (``settings.COORDINATE_PRECISION``), exterior rings
counter-clockwise (RFC 7946).

The zones themselves are defined in ``scripts/zonedefs/``: ``sources.py``
(the reports cited), ``common.py`` (grid, periods, shape helpers),
``libya.py``, ``syria.py`` and ``hosts.py``; this script assembles and
writes them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping
from zonedefs.common import GRID
from zonedefs.hosts import HOSTS, hosts
from zonedefs.libya import libya
from zonedefs.syria import syria

from geo import columns as c
from geo import settings
from geo._io import write_text

OUT = Path(__file__).resolve().parent.parent / settings.ZONES_FILE


# --- output -------------------------------------------------------------------
def features() -> list[dict[str, object]]:
    """Every zone feature, sorted by zone id."""
    out = []
    groups = [("LY", libya(), True), ("SY", syria(), True)]
    groups += [(iso, [h], False) for (iso, *_), h in zip(HOSTS, hosts(), strict=True)]
    for country, zones, approximate in groups:
        for area, label, geom, plist in zones:
            geom = shapely.orient_polygons(shapely.set_precision(geom, GRID))
            if shapely.is_empty(geom) or not shapely.is_valid(geom):
                raise SystemExit(f"{area}: empty or invalid geometry")
            for p in plist:
                props = {
                    c.ZONE_ID: f"{area}-{p.valid_from}",
                    c.FACTION: p.faction,
                    c.ZONE_LABEL: label + (f" - {p.note}" if p.note else ""),
                    c.ZONE_COUNTRY: country,
                    c.VALID_FROM: p.valid_from,
                    c.VALID_TO: p.valid_to,
                    c.ZONE_SOURCES: list(p.sources),
                    c.AS_OF: p.as_of,
                    c.APPROXIMATE: approximate,
                    c.CONTESTED: p.contested,
                }
                out.append({"type": "Feature", "properties": props, "geometry": geom})
    return sorted(out, key=lambda f: f["properties"][c.ZONE_ID])  # type: ignore[index]


def _rounded(geom: shapely.Geometry) -> dict[str, object]:
    prec = settings.COORDINATE_PRECISION
    return mapping(shapely.transform(geom, lambda xy: np.round(xy, prec)))


def write(feats: list[dict[str, object]], path: Path) -> None:
    """Write a deterministic GeoJSON FeatureCollection, one feature per line."""
    lines = []
    for f in feats:
        body = {**f, "geometry": _rounded(f["geometry"])}
        lines.append(json.dumps(body, separators=(",", ":"), ensure_ascii=False))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    write_text(path, text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    feats = features()
    write(feats, args.out)
    print(f"wrote {len(feats)} zone features to {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
