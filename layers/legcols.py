"""The legs layer's page columns, encoded once per build and sliced per map.

Every map of a build shows a subset of the same legs (the overview all of
them, a zone map those through its zone), and every per-leg value the
page gets (popup texts, dates, flags, numbers, zone lists, which drawn
line a leg uses) is a function of the leg alone.  :func:`encode_legs`
therefore encodes the columns of every leg once
(:func:`layers.payload.dict_column` and friends) and
:meth:`LegColumns.payload` cuts one map's columns out of them with a
few numpy operations: a dictionary-encoded column keeps the used values
of the sorted build-wide list (a sorted list stays sorted) and renumbers
its codes, which is exactly what encoding the subset gives.  Only what
depends on the map's set of legs is computed per map: legs per transfer
(a zone map can hold part of a route), the numbering of drawn lines and
where leg numbers sit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely
from geopandas import GeoDataFrame

from geo import columns as col
from geo.distinct import distinct_objects
from layers.escape import Numbers
from layers.payload import (
    bool_column,
    date_word_codes,
    dict_codes,
    flat_parts,
    iso_date_codes,
    number_column,
)
from layers.webgl import WEBGL_MIN_LEGS

__all__ = ["LegColumns", "encode_legs", "leg_line_groups"]


@dataclass(frozen=True)
class LegColumns:
    """Page columns of every leg of a build (:func:`encode_legs`).

    Attributes
    ----------
    n
        Legs encoded.
    text
        Column -> (sorted distinct texts, one code per leg, -1 = missing;
        int16 or int32, the narrowest that holds them).
    values
        Column -> one JSON value per leg (numbers, 0/1 flags).
    transfer
        Code of each leg's transfer id (legs per transfer are counted per
        map), or ``None`` when an id is missing (counted as pandas does).
    line_group
        Which distinct line each leg is drawn along (-1: none), the groups
        holding identical lines; ``None`` when lines that look alike
        differ, and each map groups its own lines
        (:func:`layers.legs._line_codes`).
    zones
        (sorted distinct texts, codes) of each leg's zone list.

    """

    n: int
    text: dict[str, tuple[list[str], np.ndarray]]
    values: dict[str, np.ndarray]
    transfer: np.ndarray | None
    line_group: np.ndarray | None
    zones: tuple[list[str], np.ndarray]

    def payload(
        self,
        legs: GeoDataFrame,
        keep: np.ndarray | None = None,
        *,
        colours: dict[str, str] | None = None,
        shared_geom: bool = False,
    ) -> dict[str, Any]:
        """Page data of the legs ``keep`` selects (see :func:`layers.legs.legs_payload`).

        Parameters
        ----------
        legs
            The selected legs, in order (their geometry, transfer ids and
            colours are read).
        keep
            Boolean mask over the encoded legs; ``None`` for all of them.
        colours, shared_geom
            As :func:`layers.legs.legs_payload`.

        """
        from layers.legs import LINE_DIGITS, MAX_LEG_NUMBERS, NUMBER_AT, _leg_lines
        from layers.style import leg_colours

        legs = legs.reset_index(drop=True)
        n = len(legs)
        if n != (self.n if keep is None else int(np.count_nonzero(keep))):
            msg = f"{n} legs given for {self.n if keep is None else int(keep.sum())} selected"
            raise ValueError(msg)
        cols: dict[str, Any] = {}
        for name, (uniques, codes) in self.text.items():
            cols[name] = _sliced(uniques, codes, keep)
        for name, values in self.values.items():
            # Integers and None only (bool_column, number_column with no decimals).
            cols[name] = Numbers((values if keep is None else values[keep]).tolist())
        n_legs = self._n_legs(legs, keep)
        cols["n_legs"] = Numbers(n_legs.tolist())
        geoms = legs.geometry.to_numpy()
        if self.line_group is None or not shared_geom:
            codes, geom_u, geom = _leg_lines(geoms, shared_geom=shared_geom)
        else:
            group = self.line_group if keep is None else self.line_group[keep]
            codes, geom_u = _renumbered(group, geoms)
            geom = [None if c < 0 else geom_u[c] for c in codes.tolist()]
        drawn = np.array([g is not None for g in geom], dtype=bool)
        multi = (n_legs > 1) & drawn
        mid: list[Any] = [None] * n
        show_numbers = bool(multi.sum() <= MAX_LEG_NUMBERS)
        if multi.any() and show_numbers:  # only used to place the leg numbers
            # A third of the way along: the arrowhead sits at the middle.
            pts = shapely.line_interpolate_point(geoms[multi], NUMBER_AT, normalized=True)
            xy = np.round(shapely.get_coordinates(pts)[:, ::-1], LINE_DIGITS).tolist()
            for i, p in zip(np.flatnonzero(multi), xy, strict=True):
                mid[i] = p
        if colours is None:
            colours = leg_colours(legs)
        lines: dict[str, Any] = {"geom": geom}
        if shared_geom:
            lines = {"geom_u": geom_u, "geom_c": Numbers(codes.tolist())}
        return {
            "n": n,
            "cols": cols,
            **lines,
            "mid": mid,
            "show_numbers": show_numbers,
            "zones": _sliced(*self.zones, keep),
            "actor_colour": colours,
        }

    def _n_legs(self, legs: GeoDataFrame, keep: np.ndarray | None) -> np.ndarray:
        """Legs of each leg's transfer among the selected legs."""
        if self.transfer is None:
            return (
                legs.groupby(col.TRANSFER_ID)[col.LEG].transform("size").astype(int).to_numpy()
            )
        t = self.transfer if keep is None else self.transfer[keep]
        return np.bincount(t, minlength=1)[t].astype(np.int64)


def _narrow(codes: np.ndarray, n_uniques: int) -> np.ndarray:
    """``codes`` (-1 .. ``n_uniques`` - 1) as int16 or int32 when they fit (with room for +1)."""
    for dtype in (np.int16, np.int32):
        if n_uniques < np.iinfo(dtype).max - 1:
            return codes.astype(dtype)
    return codes


def _sliced(
    uniques: list[str], codes: np.ndarray, keep: np.ndarray | None
) -> dict[str, list[Any]]:
    """:func:`layers.payload.dict_column` of the kept rows, from the encoding of all rows."""
    if keep is None or (len(keep) == len(codes) and keep.all()):
        # Every row: every distinct text is used (they are the rows' own).
        return {"u": list(uniques), "c": Numbers(codes.tolist())}
    c = codes[keep]
    used = np.zeros(len(uniques) + 1, dtype=bool)
    used[c + 1] = True  # -1 (missing) marks slot 0
    used = used[1:]
    remap = np.cumsum(used) - 1
    out = np.where(c >= 0, remap[np.maximum(c, 0)] if len(remap) else -1, -1)
    return {"u": [uniques[i] for i in np.flatnonzero(used).tolist()], "c": Numbers(out.tolist())}


def _renumbered(group: np.ndarray, geoms: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Line codes numbered by first appearance among these legs, and their drawn parts.

    As :func:`layers.legs._line_codes` on these legs (its groups are the
    build's groups restricted to them, its lines each group's first leg
    here), then :func:`layers.payload.flat_parts` of the distinct lines.
    """
    from layers.legs import LINE_DIGITS, LINE_TOLERANCE

    codes = np.full(len(group), -1, dtype=np.int64)
    valid = np.flatnonzero(group >= 0)
    if not len(valid):
        return codes, []
    ids, first = np.unique(group[valid], return_index=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    codes[valid] = rank[np.searchsorted(ids, group[valid])]
    reps = geoms[valid[first[order]]]
    return codes, flat_parts(reps, tolerance=LINE_TOLERANCE, ndigits=LINE_DIGITS)


def _line_groups(geoms: np.ndarray, first_vertex: np.ndarray) -> np.ndarray | None:
    """Classes of identical lines (-1: no line), or ``None`` if the cheap key is fooled.

    Grouped as :func:`layers.legs._line_codes` groups (vertex count,
    length, bounds, first vertex), then every line compared with its
    group's first (:func:`shapely.equals_exact`, tolerance 0), as
    :func:`layers.legs._line_codes` checks.  ``first_vertex``: each line's
    first vertex where known (:func:`layers.places._line_ends`; NaN for
    others, whose key then holds only the rest).
    """
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    group = np.full(len(geoms), -1, dtype=np.int64)
    ok = np.flatnonzero(~missing)
    if not len(ok):
        return group
    g = geoms[ok]
    # Legs of one route share their line object (geo.lines): each object measured once.
    obj, of = distinct_objects(g)
    key = pd.DataFrame(shapely.bounds(obj)[of], columns=["x0", "y0", "x1", "y1"])
    key["n"] = shapely.get_num_coordinates(obj)[of]
    key["len"] = shapely.length(obj)[of]
    key["sx"], key["sy"] = first_vertex[ok, 0], first_vertex[ok, 1]
    ids = key.groupby(list(key.columns), sort=False, dropna=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(g))).groupby(ids).transform("first").to_numpy()
    # Each distinct (line, group's first line) pair compared once.
    pairs = np.unique(np.column_stack([of, of[first]]), axis=0)
    if not shapely.equals_exact(obj[pairs[:, 0]], obj[pairs[:, 1]], tolerance=0).all():
        return None
    group[ok] = ids
    return group


def leg_line_groups(
    legs: GeoDataFrame, *, first_vertex: np.ndarray | None = None
) -> np.ndarray | None:
    """:attr:`LegColumns.line_group` of ``legs`` (positions as ``legs.reset_index``).

    Lines are grouped for WebGL maps only when there are more legs than
    :data:`layers.webgl.WEBGL_MIN_LEGS` (``None`` otherwise: a smaller map
    groups its own, if it is told to use WebGL).
    """
    if len(legs) <= WEBGL_MIN_LEGS:
        return None
    geoms = legs.geometry.to_numpy()
    if first_vertex is None:
        from layers.places import _line_ends

        first_vertex = _line_ends(geoms)[0]
    return _line_groups(geoms, first_vertex)


def encode_legs(
    legs: GeoDataFrame,
    zone_sets: pd.Series,
    zone_keys: dict[str, int],
    *,
    first_vertex: np.ndarray | None = None,
    group_lines: bool = True,
) -> LegColumns:
    """Encode the page columns of every leg (see :class:`LegColumns`).

    Parameters
    ----------
    legs
        Dataset legs, one-end legs with their stubs (:func:`layers.legs.with_stubs`).
    zone_sets
        :func:`layers.legs.leg_zone_sets` aligned with ``legs``.
    zone_keys
        Zone id -> position in the page's zone list (the same on every map).
    first_vertex
        Each leg's first vertex (:func:`layers.places._line_ends`), when
        the caller has it.
    group_lines
        Group the legs' lines (:func:`leg_line_groups`); ``False`` leaves
        :attr:`LegColumns.line_group` ``None`` (for the caller to fill).

    Returns
    -------
    LegColumns

    """
    from layers.legs import LEG_TEXT_COLUMNS, _issue11_texts
    from layers.style import colour_keys

    legs = legs.reset_index(drop=True)
    n = len(legs)
    text: dict[str, tuple[list[str], np.ndarray]] = {}
    for name in LEG_TEXT_COLUMNS:
        text[name] = (
            dict_codes(legs[name]) if name in legs
            else ([], np.full(n, -1, dtype=np.int64))
        )
    for name, values in _issue11_texts(legs).items():
        text[name] = dict_codes(values)
    text["date_start"] = iso_date_codes(legs[col.DATE_START])
    text["date_end"] = iso_date_codes(legs[col.DATE_END])
    text["date_words"] = date_word_codes(legs[col.DATE])
    reported = legs.get(col.DATE_AS_REPORTED, pd.Series("", index=legs.index, dtype=object))
    text[col.DATE_AS_REPORTED] = dict_codes(reported)
    text["colour_key"] = dict_codes(colour_keys(legs))

    # Codes in the narrowest integers that hold them: a quarter of the bytes
    # to slice per map and to hand back from the context's child.
    text = {name: (u, _narrow(c, len(u))) for name, (u, c) in text.items()}

    def values(items: list[Any]) -> np.ndarray:
        out = np.empty(len(items), dtype=object)
        out[:] = items
        return out

    stub = legs.get(col.LINE_METHOD, pd.Series(None, index=legs.index)).eq("stub")
    crosses = legs.get(col.CROSSES_FRONT, pd.Series(False, index=legs.index))
    vals = {
        "stub": values(bool_column(stub)),
        col.LEG: values(number_column(legs[col.LEG], ndigits=0)),
        "length_km": values(number_column(legs[col.LENGTH_KM], ndigits=0)),
        "uncertain": values(bool_column(legs[col.UNCERTAIN])),
        "crosses_front": values(bool_column(crosses)),
    }
    transfer: np.ndarray | None = pd.factorize(legs[col.TRANSFER_ID])[0].astype(np.int64)
    if (transfer < 0).any():
        transfer = None
    # Each distinct zone set worded once (legs share a few).
    zcodes, zuniq = pd.factorize(zone_sets.to_numpy(dtype=object))
    ztext = np.array(
        [None, *(",".join(str(zone_keys[z]) for z in zs if z in zone_keys) for zs in zuniq)],
        dtype=object,
    )
    zu, zc = dict_codes(pd.Series(ztext[zcodes + 1], dtype=object))
    zones = (zu, _narrow(zc, len(zu)))
    line_group = leg_line_groups(legs, first_vertex=first_vertex) if group_lines else None
    return LegColumns(
        n=n,
        text=text,
        values=vals,
        transfer=transfer,
        line_group=line_group,
        zones=zones,
    )
