"""Every leg's page columns encoded once per build, sliced per map (layers/legcols.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import layers.legcols as legcols
from geo import columns as col
from layers.escape import script_json
from layers.legcols import encode_legs
from layers.legs import leg_zone_sets, with_stubs
from layers.maps import build_context, render_map
from layers.meta import _legs_for_zone
from layers.synthetic import synthetic_dataset
from layers.zones import ordered_zones, zone_records


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    return synthetic_dataset(tmp_path_factory.mktemp("hostile"), n_legs=300, seed=5, hostile=True)


def _per_map_payload(legs, zone_sets, zone_keys, *, shared_geom: bool) -> dict:
    """The legs layer's payload encoded from the map's own legs, as before session 8.

    Dictionary columns of the map's legs, legs per transfer by pandas
    groupby, lines grouped by the map (``layers.legs._line_codes``).
    """
    own = dataclasses.replace(
        encode_legs(legs, zone_sets, zone_keys), transfer=None, line_group=None
    )
    return own.payload(legs, colours={}, shared_geom=shared_geom)


@pytest.mark.parametrize("shared_geom", [False, True])
@pytest.mark.parametrize("group_lines", [False, True])
def test_sliced_columns_are_the_maps_own_encoding(
    hostile, monkeypatch: pytest.MonkeyPatch, shared_geom: bool, group_lines: bool
) -> None:
    # Lines grouped once per build (as above WEBGL_MIN_LEGS legs) or by each map.
    monkeypatch.setattr(legcols, "WEBGL_MIN_LEGS", 0 if group_lines else 10**9)
    zones = ordered_zones(hostile.zones)
    legs = with_stubs(hostile.legs.reset_index(drop=True), hostile.places)
    zone_sets = leg_zone_sets(legs, hostile.segments, zones)
    keys = {r["key"]: i for i, r in enumerate(zone_records(zones))}
    encoded = encode_legs(legs, zone_sets, keys)
    assert (encoded.line_group is not None) == group_lines
    for zone in [None, *zones[col.ZONE_ID]]:
        keep = _legs_for_zone(zone_sets, zone)
        assert keep.any()
        sub = legs[keep].reset_index(drop=True)
        sets = zone_sets[keep].reset_index(drop=True)
        sliced = encoded.payload(sub, keep, colours={}, shared_geom=shared_geom)
        own = _per_map_payload(sub, sets, keys, shared_geom=shared_geom)
        assert sliced == own
        assert script_json(sliced) == script_json(own)
        if zone is not None:
            # A zone map keeps only some of the build's values: unused ones are dropped.
            assert len(sliced["cols"][col.TRANSFER_ID]["u"]) < len(
                encoded.text[col.TRANSFER_ID][0]
            )


def test_payload_refuses_legs_that_do_not_match_the_selection(hostile) -> None:
    zones = ordered_zones(hostile.zones)
    legs = hostile.legs.reset_index(drop=True)
    encoded = encode_legs(legs, leg_zone_sets(legs, hostile.segments, zones), {})
    keep = np.zeros(len(legs), dtype=bool)
    keep[:3] = True
    with pytest.raises(ValueError, match="4 legs given for 3 selected"):
        encoded.payload(legs.iloc[:4], keep)


def test_context_forked_is_the_same(hostile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(legcols, "WEBGL_MIN_LEGS", 0)  # group lines, as a big build does
    one = build_context(hostile, workers=1)
    two = build_context(hostile, workers=2)
    assert one.ends.equals(two.ends)
    assert one.columns.line_group is not None
    np.testing.assert_array_equal(one.columns.line_group, two.columns.line_group)
    assert one.columns.text.keys() == two.columns.text.keys()
    for name, (u, c) in one.columns.text.items():
        assert u == two.columns.text[name][0]
        np.testing.assert_array_equal(c, two.columns.text[name][1])
    for zone in [None, *one.zones[col.ZONE_ID]]:
        html = render_map(hostile, zone=zone, context=one, webgl="on")
        assert html == render_map(hostile, zone=zone, context=two, webgl="on")


def _rows(n: int) -> list[object]:
    """Many rows of mixed text: strs, missing values, tuples, numbers, dates as text."""
    pool: list[object] = [
        "b", "a", "é", "A", "", None, float("nan"), ("a",), ("x", "y"), "x;y", 3, "3",
        "<script>", "2021-05-01",
    ]
    rng = np.random.default_rng(7)
    return [pool[i] for i in rng.integers(0, len(pool), n)]


@pytest.mark.parametrize("only_text", [False, True])
def test_dict_codes_of_many_rows_is_the_row_by_row_encoding(only_text: bool) -> None:
    import pandas as pd

    from layers.payload import _SMALL, _dict_column_small, dict_codes, dict_column

    rows = _rows(_SMALL * 3)
    if only_text:  # the sorted-in-one-call path: distinct strs, none missing
        rows = [f"t{v}" for v in rows]
    expected = _dict_column_small(rows)
    uniques, codes = dict_codes(pd.Series(rows, dtype=object))
    assert uniques == expected["u"]
    assert codes.dtype == np.int64 and codes.tolist() == expected["c"]
    assert dict_column(pd.Series(rows, dtype=object)) == expected


def test_date_codes_of_many_rows_are_the_row_by_row_encoding() -> None:
    import pandas as pd

    from layers.payload import _SMALL, date_word_codes, date_words, dict_column, iso_dates

    rng = np.random.default_rng(3)
    stamps = pd.Series(pd.to_datetime("2020-01-01") + pd.to_timedelta(
        rng.integers(0, 400 * 24, _SMALL * 3), unit="h"))  # several stamps a day
    stamps[::7] = pd.NaT
    expected = dict_column(stamps.dt.strftime("%Y-%m-%d"))
    assert iso_dates(stamps) == expected
    texts = pd.Series(rng.choice(
        ["2020-05", "since 2020-10-23", "2021-01-02", None, "c. 2020"], _SMALL * 3), dtype=object)
    from geo.datetext import readable_date

    worded = dict_column(pd.Series(
        [None if t is None else readable_date(t) for t in texts], dtype=object))
    assert date_words(texts) == worded
    uniques, codes = date_word_codes(texts)
    assert (uniques, codes.tolist()) == (worded["u"], worded["c"])
