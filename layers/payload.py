"""Turn Dataset tables into compact, JSON-ready payloads for the page.

The page receives columns, not one object per leg: each text column is
dictionary-encoded (unique values + integer codes), so 100k legs that
share a handful of actors and places stay small, and geometry is flat
``[lat, lon, lat, lon, ...]`` arrays rounded to ~10 m.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely
import shapely.geometry

from layers.escape import Numbers

__all__ = [
    "bool_column",
    "date_words",
    "dict_codes",
    "dict_column",
    "flat_parts",
    "geojson_geometry",
    "iso_dates",
    "number_column",
    "unwrap_antimeridian",
]


def dict_column(values: pd.Series) -> dict[str, list[Any]]:
    """Dictionary-encode a column of text.

    Parameters
    ----------
    values
        Any values; missing ones get code ``-1`` (decoded as ``null``),
        tuples/lists are joined with ``";"``.

    Returns
    -------
    dict
        ``{"u": sorted unique strings, "c": one code per row}``.

    """
    uniques, codes = dict_codes(values)
    return {"u": uniques, "c": codes.tolist()}


def dict_codes(values: pd.Series) -> tuple[list[str], np.ndarray]:
    """:func:`dict_column` as ``(uniques, codes)``, the codes an int64 array.

    For a caller that slices or remaps the codes (no list of Python ints
    made and read back).
    """
    kind = getattr(getattr(values, "dtype", None), "kind", "O")
    if len(values) <= _SMALL and kind not in "mM":  # pandas formats dates its own way
        small = _dict_column_small(list(values))
        return small["u"], np.asarray(small["c"], dtype=np.int64)
    s = pd.Series(values).reset_index(drop=True)
    if kind == "O":
        fast = _dict_codes_hashed(s)
        if fast is not None:
            return fast
    listlike = s.map(lambda v: isinstance(v, tuple | list))
    if listlike.any():
        s = s.where(~listlike, s[listlike].str.join(";"))
    s = s.astype("string")
    codes, uniques = pd.factorize(s, sort=True)
    return [str(u) for u in uniques], codes.astype(np.int64, copy=False)


def _dict_codes_hashed(s: pd.Series) -> tuple[list[str], np.ndarray] | None:
    """:func:`dict_codes` of hashable objects: factorize first, format the uniques.

    Formats each distinct value once instead of every row (a 100k-leg map
    has ~35 such columns).  ``None`` when a value is unhashable (a list).
    """
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    except TypeError:
        return None
    if isinstance(uniques.dtype, pd.StringDtype):  # Python strs in one call, not one per value
        uniques = uniques.to_numpy(dtype=object)
    return _encoded_codes(np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object))


def _encoded_codes(
    codes: np.ndarray, values: np.ndarray, *, distinct: bool = True
) -> tuple[list[str], np.ndarray]:
    """:func:`dict_codes` of ``values[codes]`` (code -1: missing), each value formatted once.

    ``distinct``: no two ``values`` are equal (as factorized uniques are).
    """
    if not len(values):
        return [], np.full(len(codes), -1, dtype=np.int64)
    if distinct and pd.api.types.infer_dtype(values, skipna=False) == "string":
        # Distinct texts, none missing (the common case): sort them in one call.
        texts = values.tolist()
        order = sorted(range(len(texts)), key=texts.__getitem__)  # numpy sorts objects slower
        uniques = [str(texts[i]) for i in order]
        remap = np.empty(len(values), dtype=np.int64)
        remap[order] = np.arange(len(values))
    else:
        # Distinct objects may format to the same text ("a" and ("a",)): the
        # small encoder's codes merge them and sort the texts.
        small = _dict_column_small(values.tolist())
        uniques = small["u"]
        remap = np.asarray(small["c"], dtype=np.int64)
    return uniques, np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)


#: Up to this many rows :func:`dict_column` encodes in plain Python: a map of
#: a few dozen legs builds ~25 columns, and pandas' per-call overhead
#: (string dtype, factorize) was most of the build time.
_SMALL = 2000


def _dict_column_small(values: list[Any]) -> dict[str, list[Any]]:
    """:func:`dict_column` for a short list (same output, no pandas)."""
    text: list[str | None] = []
    for v in values:
        if isinstance(v, tuple | list):
            v = ";".join(map(str, v))
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
            text.append(None)
        else:
            text.append(str(v))
    uniques = sorted({t for t in text if t is not None})
    code = {u: i for i, u in enumerate(uniques)}
    return {"u": uniques, "c": [-1 if t is None else code[t] for t in text]}


def iso_dates(values: pd.Series) -> dict[str, list[Any]]:
    """Dictionary-encode timestamps as ISO ``YYYY-MM-DD`` strings."""
    uniques, codes = iso_date_codes(values)
    return {"u": uniques, "c": codes.tolist()}


def iso_date_codes(values: pd.Series) -> tuple[list[str], np.ndarray]:
    """:func:`iso_dates` as ``(uniques, codes)`` (see :func:`dict_codes`).

    Each distinct timestamp is formatted once.
    """
    dates = pd.to_datetime(pd.Series(values).reset_index(drop=True), errors="coerce")
    if len(dates) <= _SMALL:
        return dict_codes(dates.dt.strftime("%Y-%m-%d"))
    codes, uniques = pd.factorize(dates, use_na_sentinel=True)
    text = pd.DatetimeIndex(uniques).strftime("%Y-%m-%d")
    # Two timestamps of one day are one text: not distinct.
    return _encoded_codes(
        np.asarray(codes, dtype=np.int64), np.asarray(text, dtype=object), distinct=False
    )


def date_words(values: pd.Series) -> dict[str, list[Any]]:
    """Dictionary-encode ledger dates as words (``since 23 Oct 2020``, ``c. May 2020``).

    Each distinct date is worded once (:func:`geo.datetext.readable_date`).
    """
    uniques, codes = date_word_codes(values)
    return {"u": uniques, "c": codes.tolist()}


def date_word_codes(values: pd.Series) -> tuple[list[str], np.ndarray]:
    """:func:`date_words` as ``(uniques, codes)`` (see :func:`dict_codes`)."""
    from geo.datetext import readable_date

    s = pd.Series(values, dtype=object).reset_index(drop=True)
    codes, uniques = pd.factorize(s)
    words = np.array([None, *(readable_date(str(u)) for u in uniques)], dtype=object)
    if len(s) <= _SMALL:
        return dict_codes(pd.Series(words[codes + 1], dtype=object))
    return _encoded_codes(np.asarray(codes, dtype=np.int64) + 1, words, distinct=False)


def bool_column(values: pd.Series) -> list[int]:
    """Encode a boolean column as 0/1 (missing counts as 0)."""
    s = pd.Series(values).reset_index(drop=True)
    return s.fillna(False).astype(bool).astype(int).tolist()


def number_column(values: pd.Series, *, ndigits: int = 1) -> list[float | int | None]:
    """Encode numbers rounded to ``ndigits`` (missing -> ``None``)."""
    s = pd.to_numeric(pd.Series(values).reset_index(drop=True), errors="coerce").round(ndigits)
    v = s.to_numpy(dtype=float)
    out = np.empty(len(v), dtype=object)
    ok = ~np.isnan(v)
    out[ok] = v[ok].astype(np.int64).tolist() if ndigits == 0 else v[ok].tolist()
    return out.tolist()


def flat_parts(
    geoms: Sequence[Any] | np.ndarray, *, tolerance: float, ndigits: int
) -> list[list[list[float]] | None]:
    """Simplify geometries and flatten them to per-part ``[lat, lon, ...]``.

    Parameters
    ----------
    geoms
        Shapely (Multi)LineStrings or polygons' rings; ``None`` allowed.
    tolerance
        Douglas-Peucker tolerance in degrees (0 keeps every vertex).
    ndigits
        Decimal places kept.

    Returns
    -------
    list
        One entry per input: a list of parts (each a flat lat/lon list),
        or ``None`` for a missing or empty geometry.

    """
    arr = np.asarray(geoms, dtype=object)
    out: list[list[list[float]] | None] = [None] * len(arr)
    ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    if not ok.any():
        return out
    where = np.flatnonzero(ok)
    geom = arr[ok]
    if tolerance > 0:
        geom = shapely.simplify(geom, tolerance, preserve_topology=False)
    parts, part_owner = shapely.get_parts(geom, return_index=True)
    coords, coord_part = shapely.get_coordinates(parts, return_index=True)
    latlon = np.round(coords[:, ::-1], ndigits)
    # Finite coordinates: the page encoder need not check each (layers.escape.Numbers).
    part_list = Numbers if np.isfinite(latlon).all() else list
    # Split the coordinate array at part boundaries, then group parts by owner.
    bounds = np.flatnonzero(np.diff(coord_part)) + 1
    chunks = np.split(latlon, bounds)
    chunk_part = coord_part[np.r_[0, bounds]] if len(coord_part) else np.array([], int)
    for part, chunk in zip(chunk_part, chunks, strict=True):
        owner = int(where[part_owner[part]])
        if out[owner] is None:
            out[owner] = []
        out[owner].append(part_list(chunk.ravel().tolist()))  # type: ignore[union-attr]
    return out


def unwrap_antimeridian(geom: Any) -> Any:
    """Give polygons that cross the antimeridian continuous longitudes.

    A ring stored in [-180, 180] that crosses the antimeridian spans more
    than 180 degrees in planar coordinates and is drawn as a band around
    the world (Natural Earth's Russia, Fiji and Antarctica are such
    rings).  Negative longitudes of such parts are moved east by 360
    degrees, which Leaflet draws correctly.  A geometry split at the
    antimeridian (RFC 7946's way: one part to 180, one from -180) has its
    parts moved next to its largest part, so it is drawn whole.

    Parameters
    ----------
    geom
        Shapely geometry or ``None``.

    Returns
    -------
    shapely.Geometry or None
        ``geom`` itself if no part, and not the whole, spans more than 180
        degrees.

    """
    if geom is None or shapely.is_empty(geom):
        return geom
    return _gather_parts(_unwrap_wide_parts(geom))


def _unwrap_wide_parts(geom: Any) -> Any:
    parts = shapely.get_parts(geom)
    b = shapely.bounds(parts)
    wide = (b[:, 2] - b[:, 0]) > 180.0
    if not wide.any():
        return geom

    def east(xy: np.ndarray) -> np.ndarray:
        out = xy.copy()
        out[:, 0] = np.where(out[:, 0] < 0, out[:, 0] + 360.0, out[:, 0])
        return out

    parts = parts.copy()
    parts[wide] = shapely.transform(parts[wide], east)
    if shapely.get_type_id(geom) in (3, 6):  # polygonal
        # Moved parts may now overlap their neighbours: repair, keep areas.
        fixed = shapely.get_parts(shapely.make_valid(shapely.multipolygons(parts)))
        fixed = shapely.get_parts(fixed)  # a repair can nest collections
        return shapely.multipolygons(fixed[shapely.get_dimensions(fixed) == 2])
    return shapely.geometrycollections(parts)


def _gather_parts(geom: Any) -> Any:
    """Move whole parts by 360 degrees next to the largest part.

    A zone split at the antimeridian as RFC 7946 asks (one polygon to 180,
    one from -180) was drawn as two pieces a world apart: each piece now
    sits beside the largest one (Chukotka beside Russia, the Aleutians
    beside Alaska), when that makes the whole narrower.
    """
    parts = shapely.get_parts(geom)
    if len(parts) < 2:
        return geom
    b = shapely.bounds(parts)
    if b[:, 2].max() - b[:, 0].min() <= 180.0:
        return geom
    size = shapely.area(parts)
    if not size.any():
        size = shapely.length(parts)
    centre = (b[:, 0] + b[:, 2]) / 2
    shift = 360.0 * np.round((centre[int(np.argmax(size))] - centre) / 360.0)
    span = (b[:, 2] + shift).max() - (b[:, 0] + shift).min()
    if not shift.any() or span >= min(180.0, b[:, 2].max() - b[:, 0].min()):
        return geom
    moved = parts.copy()
    for d in np.unique(shift[shift != 0]):
        sel = shift == d
        moved[sel] = shapely.transform(parts[sel], lambda xy, d=d: xy + np.array([d, 0.0]))
    kind = shapely.get_type_id(geom)
    if kind == 6:
        # One polygon again: no seam drawn along 180 between the halves.
        whole = shapely.get_parts(shapely.union_all(moved))
        return shapely.multipolygons(whole[shapely.get_type_id(whole) == 3])
    if kind == 5:
        return shapely.multilinestrings(moved)
    if kind == 4:
        return shapely.multipoints(moved)
    return shapely.geometrycollections(moved)


def geojson_geometry(geom: Any, *, tolerance: float, ndigits: int) -> dict[str, Any] | None:
    """Return a simplified GeoJSON geometry dict with rounded coordinates.

    ``None`` for a missing or empty geometry, or one that simplifies away.
    """
    if geom is None or shapely.is_empty(geom):
        return None
    if tolerance > 0:
        geom = shapely.simplify(geom, tolerance, preserve_topology=True)
    geom = shapely.transform(geom, lambda xy: np.round(xy, ndigits))
    if shapely.is_empty(geom):
        return None
    return dict(shapely.geometry.mapping(geom))
