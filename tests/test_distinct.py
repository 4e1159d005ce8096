"""Legs that share a route: drawn once, answered by the zones once, as if each were on its own.

``geo.lines.geodesic_lines`` gives the legs of one route one LineString, and
``geo.zones.attribute_legs`` / ``split_by_zone`` answer each class of legs
with the same line, ends and place among the zones' dates once
(``geo/zones/_distinct.py``).  These tests compare every column, bit for
bit, with answering every leg on its own, on a ledger built to hit the
edges: every leg of the bundled ledger (unknown stops, country-level ends,
a sea leg) plus alternatives and via points, each repeated on the days
around every zone's first and last day and over intervals across them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _helpers import copy_inputs

from geo import columns as C  # noqa: N812
from geo import settings
from geo.dataset import load_dataset
from geo.routes import counted_lines, movement_lines
from geo.zones import _distinct, attribute_legs, split_by_zone

#: Three more legs (alternatives, via points): from, to, mode, via.
_EXTRA = (
    ("alt-a", "khmeimim_ab | tartus_naval_base", "benina_airport", "air", ""),
    ("via-a", "tartus_naval_base", "tobruk_port", "sea", "crete"),
    ("via-b", "khmeimim_ab", "benina_airport", "air", "crete"),
)


def _days_around_zones(zones: pd.DataFrame) -> list[str]:
    """Every zone's first and last day, the days either side, and intervals across each."""
    marks = set()
    for name in (C.VALID_FROM, C.VALID_TO):
        for day in pd.to_datetime(zones[name]).dropna():
            marks.add(day.normalize())
    out = []
    one = pd.Timedelta(days=1)
    for day in sorted(marks):
        before, after = day - one, day + one
        out += [f"{d:%Y-%m-%d}" for d in (before, day, after)]
        out += [f"{before:%Y-%m-%d}/{after:%Y-%m-%d}", f"{day:%Y-%m-%d}/{after:%Y-%m-%d}"]
        # Days well inside the gap after the mark (one class, unless another mark is near).
        out += [f"{day + k * one:%Y-%m-%d}" for k in (3, 4, 5, 6, 7, 8)]
    return out


@pytest.fixture(scope="module")
def repeated(tmp_path_factory: pytest.TempPathFactory):
    """(legs, zones): the bundled legs and three more, each on every day around the zones' dates."""
    folder = copy_inputs(tmp_path_factory.mktemp("distinct"))
    zones = load_dataset(folder).zones
    path = folder / settings.TRANSFERS_FILE
    base = pd.read_csv(path, dtype=str, keep_default_na=False)
    base["via"] = ""
    extra = pd.DataFrame([base.iloc[0]] * len(_EXTRA)).reset_index(drop=True)
    for i, (tid, frm, to, mode, via) in enumerate(_EXTRA):
        extra.loc[i, ["transfer_id", "leg", "from", "to", "mode", "via"]] = (
            tid, "1", frm, to, mode, via,
        )
    base = pd.concat([base, extra], ignore_index=True)
    copies = []
    for k, day in enumerate(_days_around_zones(zones)):
        one = base.copy()
        one["transfer_id"] = one["transfer_id"] + f"-{k}"
        one["date"] = day
        one["date_precision"] = "week" if "/" in day else "day"
        copies.append(one)
    pd.concat(copies).to_csv(path, index=False)
    legs = load_dataset(folder).legs
    assert len(legs) > 2_000
    return legs, zones


def _per_leg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_distinct, "MIN_LEGS", 10**12)


def _grouped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_distinct, "MIN_LEGS", 0)
    monkeypatch.setattr(_distinct, "MAX_SHARE", 1.0)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its geometry as WKB (compared bit for bit)."""
    import shapely

    out = pd.DataFrame(frame).copy()
    name = frame.geometry.name
    out[name] = shapely.to_wkb(np.asarray(frame.geometry.array, dtype=object))
    return out


def test_the_legs_of_a_route_share_one_line(repeated) -> None:
    legs, _ = repeated
    lines = movement_lines(legs)
    geoms = lines.geometry.to_numpy()
    # Legs through via points or to alternative ends are drawn one by one.
    plain = lines[C.VIA_POINTS].map(len).eq(0) & lines[C.FROM_ALT_POINTS].map(len).eq(0)
    drawn = ~pd.isna(geoms) & plain.to_numpy()
    # Far fewer line objects than legs, and legs with the same ends share theirs.
    assert len({id(g) for g in geoms[drawn]}) * 50 < drawn.sum()
    names = (C.FROM_LON, C.FROM_LAT, C.TO_LON, C.TO_LAT, C.MODE)
    ends = zip(*(map(repr, lines[c].tolist()) for c in names), strict=True)
    objects: dict[tuple, set[int]] = {}
    for i, key in enumerate(ends):
        if drawn[i]:
            objects.setdefault(key, set()).add(id(geoms[i]))
    assert len(objects) > 10
    assert all(len(ids) == 1 for ids in objects.values())


def test_lines_drawn_once_per_route_are_those_drawn_per_leg(repeated, monkeypatch) -> None:
    import geo.lines

    legs, _ = repeated
    drawn_once = movement_lines(legs)

    def one_route_per_leg(lon1, lat1, lon2, lat2, which):
        at = np.flatnonzero(which)
        return at, np.arange(len(at))

    monkeypatch.setattr(geo.lines, "distinct_routes", one_route_per_leg)
    alone = movement_lines(legs)
    # Drawn apart this time (sea routes are shared either way: geo.routes caches them).
    assert len({id(g) for g in alone.geometry}) > 10 * len({id(g) for g in drawn_once.geometry})
    shared = _plain(drawn_once)
    pd.testing.assert_frame_equal(shared, _plain(alone), check_exact=True)


@pytest.mark.parametrize("outside_geometry", [True, False])
def test_zones_answered_per_class_are_those_answered_per_leg(
    repeated, monkeypatch, outside_geometry
) -> None:
    legs, zones = repeated
    lines = movement_lines(legs)
    _grouped(monkeypatch)
    first, cls = _distinct.leg_classes(lines, zones)
    # Classes do merge legs here (else nothing is tested), but keep the zones' days apart.
    assert len(first) * 2 < len(lines)
    assert (np.diff(first) > 0).all() and (cls[first] == np.arange(len(first))).all()
    got_legs = attribute_legs(lines, zones)
    got_segments = split_by_zone(counted_lines(lines), zones, outside_geometry=outside_geometry)
    _per_leg(monkeypatch)
    want_legs = attribute_legs(lines, zones)
    want_segments = split_by_zone(counted_lines(lines), zones, outside_geometry=outside_geometry)

    # The edges are reached: control changed during some legs, fronts crossed, notes written.
    assert want_legs[C.CONTROL_NOTE].str.contains("changed during").any()
    assert want_segments[C.CONTROL_NOTE].str.contains("changed during").any()
    assert want_legs[C.CROSSES_FRONT].any()
    pd.testing.assert_frame_equal(_plain(got_legs), _plain(want_legs), check_exact=True)
    pd.testing.assert_frame_equal(_plain(got_segments), _plain(want_segments), check_exact=True)
    assert got_segments.crs == want_segments.crs


def test_days_in_one_class_compare_alike_with_every_zone_date(repeated) -> None:
    _, zones = repeated
    from geo.zones._common import _days

    first = _days(zones[C.VALID_FROM], open_end=False)
    last = _days(zones[C.VALID_TO], open_end=True)
    days = np.arange(first.min() - 3, np.minimum(last, 30_000).max() + 3)
    cls = _distinct.day_classes(days, zones)
    for edge in np.concatenate([first, last, last + 1]):
        for op in (np.less, np.less_equal, np.equal):
            answer = op(days, edge)
            # One answer per class.
            frame = pd.DataFrame({"cls": cls, "answer": answer})
            assert (frame.groupby("cls")["answer"].nunique() == 1).all()


def test_no_grouping_when_it_does_not_pay(repeated, monkeypatch) -> None:
    legs, zones = repeated
    lines = movement_lines(legs)
    assert _distinct.leg_classes(lines.iloc[:100], zones) is None  # few legs
    monkeypatch.setattr(_distinct, "MAX_SHARE", 0.0)
    assert _distinct.leg_classes(lines, zones) is None  # too many classes
