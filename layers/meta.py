"""What a map page says about itself: the metadata handed to ``movemap.setup``.

:func:`map_meta` gathers a map's title, the counts by status, category and
actor group, the sources cited by the legs drawn, the date range, the
bounds to fit and the zone list; the small helpers pick a zone map's legs
(:func:`_legs_for_zone`) and the bounds of geometries (:func:`_bounds`,
:func:`_rounded`).  No folium here: :mod:`layers.maps` draws the page.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from geo import columns as col
from geo.antimeridian import shift_near
from layers.escape import safe_url
from layers.places import PLACE_STYLE
from layers.style import (
    OTHER_COLOUR,
    STATUS_STYLE,
    UNCERTAIN_STYLE,
    ZONE_FILL_OPACITY,
    ZONE_FOCUS_FILL_OPACITY,
    colour_keys,
    faction_colours,
)

if TYPE_CHECKING:
    from geo.dataset import Dataset

__all__ = ["TITLE", "map_meta"]

#: Title of every map.
TITLE = "Reported military equipment transfers"


def _legs_for_zone(zone_sets: pd.Series, zone: str | None) -> np.ndarray:
    if zone is None:
        return np.ones(len(zone_sets), dtype=bool)
    try:  # each distinct zone set looked at once (legs share a few)
        codes, uniques = pd.factorize(zone_sets.to_numpy(dtype=object), use_na_sentinel=False)
    except TypeError:  # an unhashable set (a list): look at each
        return np.array([zone in zs for zs in zone_sets], dtype=bool)
    has = np.array([zone in zs for zs in uniques], dtype=bool)
    return has[codes] if len(codes) else np.zeros(0, dtype=bool)


def _sources_for(sources: pd.DataFrame, legs: pd.DataFrame) -> dict[str, dict[str, Any]]:
    ids = legs[col.SOURCE_IDS]
    with contextlib.suppress(TypeError):  # unhashable lists: explode every leg's
        # Explode the distinct id lists only (legs share them).
        ids = pd.Series(pd.factorize(ids.to_numpy(dtype=object))[1], dtype=object)
    used = set(ids.explode().dropna().astype(str).unique())
    src = sources[sources[col.SOURCE_ID].astype(str).isin(used)].sort_values(col.SOURCE_ID)
    out: dict[str, dict[str, Any]] = {}
    for rec in src.to_dict("records"):
        out[str(rec[col.SOURCE_ID])] = {
            "outlet": _str(rec.get(col.SOURCE_OUTLET)),
            "title": _str(rec.get(col.SOURCE_TITLE)),
            "published": _str(rec.get(col.SOURCE_DATE)),
            "url": safe_url(rec.get(col.SOURCE_URL)),
            "relays": _str(rec.get(col.SOURCE_RELAYS)),
        }
    return out


def _category_counts(texts: pd.Series) -> pd.Series:
    """Legs per category from legs per category text ("a;b" counts under a and b).

    As splitting every leg's text and counting the pieces, from the few
    distinct texts.
    """
    counts: dict[str, int] = {}
    for text, n in texts.items():
        for piece in str(text).split(col.CATEGORY_SEP):
            key = piece.strip()
            counts[key] = counts.get(key, 0) + int(n)
    return pd.Series(counts, dtype=np.int64)


def _str(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _latest_date(values: pd.Series) -> str | None:
    stamps = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce", format="mixed")
    return None if stamps.isna().all() else stamps.max().strftime("%Y-%m-%d")


def _beside(points: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """Move each point by the multiple of 360 degrees nearest the middle of ``lines``.

    Legs are drawn with continuous longitudes (Anadyr 177.7 -> Nome 194.6);
    Nome's marker at -165.4 has a copy at 194.6 where the leg ends.  Framed
    on the markers as stored, a Pacific map opened on the whole world; on
    the copies beside the legs, it opens on the Bering Strait.  Points stay
    where they are when the legs lie within -180..180 around them.
    """
    lb = _bounds(lines)
    if lb is None or not len(points):
        return points
    return shift_near(np.asarray(points, dtype=object), (lb[0] + lb[2]) / 2)


def _bounds(*geoms: np.ndarray) -> tuple[float, float, float, float] | None:
    parts = [np.asarray(g, dtype=object) for g in geoms if len(g)]
    if not parts:
        return None
    allg = np.concatenate(parts)
    allg = allg[~(shapely.is_missing(allg) | shapely.is_empty(allg))]
    if not len(allg):
        return None
    b = shapely.total_bounds(allg)
    return float(b[0]), float(b[1]), float(b[2]), float(b[3])


def _rounded(
    b: tuple[float, float, float, float] | None,
) -> tuple[float, float, float, float] | None:
    # Whole degrees (outward) so nearly equal regions share one cached basemap.
    if b is None:
        return None
    return (
        float(np.floor(b[0])),
        float(np.floor(b[1])),
        float(np.ceil(b[2])),
        float(np.ceil(b[3])),
    )


def map_meta(
    dataset: Dataset,
    legs: pd.DataFrame,
    zone_recs: list[dict[str, Any]],
    *,
    zone: str | None,
    bounds: tuple[float, float, float, float] | None,
    colours: dict[str, str],
    n_undrawn: int,
) -> dict[str, Any]:
    """Assemble the page metadata handed to ``movemap.setup``."""
    statuses = legs[col.STATUS].astype(str).value_counts()
    # A leg with several categories counts under each.
    categories = _category_counts(legs[col.CATEGORY].astype(str).value_counts())
    actors = colour_keys(legs).value_counts()
    zones = dataset.zones
    factions = faction_colours(zones[col.FACTION].astype(str)) if len(zones) else {}
    subtitle = None
    as_of_zones = _latest_date(zones[col.AS_OF]) if col.AS_OF in zones and len(zones) else None
    if zone is not None:
        rec = next(r for r in zone_recs if r["key"] == zone)
        subtitle = f"Zone: {rec['label']} ({rec['detail']})"
        as_of_zones = rec["as_of"]
    src_latest = _latest_date(dataset.sources[col.SOURCE_DATE]) if len(dataset.sources) else None
    as_of_text = (
        f"Reporting up to {src_latest or 'n/a'}; zone descriptions as of {as_of_zones or 'n/a'}"
    )
    start = pd.to_datetime(legs[col.DATE_START], errors="coerce")
    end = pd.to_datetime(legs[col.DATE_END], errors="coerce")
    date_min = None if start.isna().all() else start.min().strftime("%Y-%m-%d")
    date_max = None if end.isna().all() else end.max().strftime("%Y-%m-%d")
    date_to = date_max
    if zone is not None:
        # A zone map opens on a date its zone is in force, so it is drawn.
        rec = next(r for r in zone_recs if r["key"] == zone)
        if rec["valid_to"] and (date_to is None or rec["valid_to"] < date_to):
            date_to = rec["valid_to"]
        if rec["valid_from"] and date_to is not None and rec["valid_from"] > date_to:
            date_to = rec["valid_from"]
    return {
        "title": TITLE,
        "subtitle": subtitle,
        "as_of": src_latest,
        "as_of_text": as_of_text,
        "date_min": date_min,
        "date_max": date_max,
        "from": date_min,
        "to": date_to,
        "statuses": [{"key": s, "n": int(statuses[s])} for s in col.STATUSES if s in statuses.index]
        + [{"key": s, "n": int(n)} for s, n in sorted(statuses.items()) if s not in col.STATUSES],
        "categories": [
            {"key": c, "label": c.replace("_", " "), "n": int(categories[c])}
            for c in [*col.CATEGORIES, *sorted(set(categories.index) - set(col.CATEGORIES))]
            if c in categories.index
        ],
        "actors": [
            {"name": a, "colour": colours.get(a, "#7f7f7f"), "n": int(actors[a])}
            for a in sorted(actors.index, key=lambda a: (-actors[a], a))
        ],
        "colour_by": "actor group" if col.ACTOR_GROUP in legs else "actor",
        "factions": [{"name": f, "colour": c} for f, c in factions.items()],
        "zones": [{k: v for k, v in r.items() if k != "geometry"} for r in zone_recs],
        "sources": _sources_for(dataset.sources, legs),
        "status_style": {k: dict(v) for k, v in STATUS_STYLE.items()},
        "uncertain_opacity": UNCERTAIN_STYLE["opacity"],
        "zone_opacity": [ZONE_FILL_OPACITY, ZONE_FOCUS_FILL_OPACITY],
        "other_colour": OTHER_COLOUR,
        "place_style": PLACE_STYLE,
        "bounds": None
        if bounds is None
        else [
            [round(bounds[1], 4), round(bounds[0], 4)],
            [round(bounds[3], 4), round(bounds[2], 4)],
        ],
        "n_undrawn": n_undrawn,
        "n_stubs": int(legs[col.LINE_METHOD].eq("stub").sum()) if col.LINE_METHOD in legs else 0,
    }
