"""Map building without a browser: escaping, encoding, reproducibility, files."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from geo import columns as col
from layers.escape import html_text, safe_url, script_json, template_literal
from layers.legs import leg_zone_sets
from layers.payload import dict_column, flat_parts
from layers.synthetic import HOSTILE, synthetic_dataset
from layers.zones import zone_slugs

NASTY = [
    HOSTILE,
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "${alert(1)}",
    "`; alert(1); `",
    "trailing backslash \\",
    "quotes ' \" &amp; &lt;",
    "line\u2028separator\u2029",
    "{{ 7 * 7 }} {% if true %}jinja{% endif %} {# comment #}",
    "",
]


# ------------------------------------------------------------------ escaping


@pytest.mark.parametrize("text", NASTY)
def test_html_text_round_trips_and_has_no_markup(text: str) -> None:
    out = html_text(text)
    assert "<" not in out and ">" not in out and '"' not in out and "'" not in out
    assert html.unescape(out) == text


@pytest.mark.parametrize("text", NASTY)
def test_template_literal_neutralises_backticks_and_placeholders(text: str) -> None:
    out = template_literal(text)
    for bad in ("`", "${", "\\", "<", ">", "{{", "{%", "{#"):
        assert bad not in out
    assert html.unescape(out) == text


@pytest.mark.parametrize("value", [None, float("nan")])
def test_missing_values_escape_to_empty(value: object) -> None:
    assert html_text(value) == ""
    assert template_literal(value) == ""


@pytest.mark.parametrize("text", NASTY)
def test_script_json_cannot_close_the_script(text: str) -> None:
    payload = {"a": text, "b": [text, 1, None]}
    out = script_json(payload)
    assert "<" not in out and ">" not in out and "&" not in out
    assert "\u2028" not in out and "\u2029" not in out
    assert json.loads(out) == payload


def test_script_json_is_deterministic_and_rejects_nan() -> None:
    assert script_json({"b": 1, "a": 2}) == script_json({"a": 2, "b": 1}) == '{"a":2,"b":1}'
    with pytest.raises(ValueError):
        script_json({"x": float("nan")})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("  http://example.org/  ", "http://example.org/"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("https://exa mple.org", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url(url: object, expected: str | None) -> None:
    assert safe_url(url) == expected


# ------------------------------------------------------------------ encoding


def test_dict_column_round_trips_text_tuples_and_missing() -> None:
    values = pd.Series(["b", None, "a", ("x", "y"), "b", np.nan])
    enc = dict_column(values)
    decoded = [None if c < 0 else enc["u"][c] for c in enc["c"]]
    assert decoded == ["b", None, "a", "x;y", "b", None]
    assert enc["u"] == sorted(enc["u"])


def test_flat_parts_splits_parts_and_keeps_order() -> None:
    geoms = [
        shapely.LineString([(10, 30), (11, 31), (12, 32)]),
        None,
        shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]]),
        shapely.LineString(),
    ]
    out = flat_parts(geoms, tolerance=0, ndigits=4)
    assert out[0] == [[30.0, 10.0, 31.0, 11.0, 32.0, 12.0]]
    assert out[1] is None
    assert out[2] == [[0.0, 0.0, 1.0, 1.0], [2.0, 2.0, 3.0, 3.0]]
    assert out[3] is None


def test_leg_zone_sets_union_of_ends_and_dated_segments() -> None:
    legs = pd.DataFrame(
        {
            col.TRANSFER_ID: ["t1", "t2", "t3"],
            col.LEG: [1, 1, 1],
            col.FROM_ZONE: ["west", col.OUTSIDE_ZONES, None],
            col.TO_ZONE: ["east", "east", None],
            col.DATE_START: pd.to_datetime(["2020-01-01", "2020-01-01", "2018-01-01"]),
            col.DATE_END: pd.to_datetime(["2020-01-31", "2020-01-31", "2018-01-31"]),
        }
    )
    segments = pd.DataFrame(
        {
            col.TRANSFER_ID: ["t1", "t2", "t3", "t3"],
            col.LEG: [1, 1, 1, 1],
            col.ZONE_ID: ["middle", "middle", "middle", "old"],
        }
    )
    zones = pd.DataFrame(
        {
            col.ZONE_ID: ["west", "east", "middle", "old"],
            col.VALID_FROM: ["2019-01-01", "2019-01-01", "2019-06-01", "2017-01-01"],
            col.VALID_TO: [None, None, None, "2018-06-30"],
        }
    )
    out = leg_zone_sets(legs, segments, zones)
    assert out.tolist() == [
        ("east", "middle", "west"),
        ("east", "middle", col.OUTSIDE_ZONES),
        # "middle" was not in force in 2018: only "old" counts.
        ("old", col.OUTSIDE_ZONES),
    ]


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (["ly-west-2019"], ["ly-west-2019"]),
        (["A B", "a-b", "a_b"], ["a-b", "a-b-2", "a-b-3"]),
        (["index", "Index"], ["index-2", "index-3"]),
        (["</script>"], ["script"]),
        (["???"], ["zone"]),
    ],
)
def test_zone_slugs_unique_and_safe(ids: list[str], expected: list[str]) -> None:
    slugs = zone_slugs(ids)
    assert [slugs[i] for i in ids] == expected
    assert all(re.fullmatch(r"[a-z0-9-]+", s) for s in slugs.values())


# ------------------------------------------------------------------ maps


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    return synthetic_dataset(tmp_path_factory.mktemp("hostile"), n_legs=40, seed=3, hostile=True)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory):
    return synthetic_dataset(tmp_path_factory.mktemp("small"), n_legs=120, seed=1)


def _zone_ids(dataset) -> list[str]:
    return sorted(dataset.zones[col.ZONE_ID].astype(str))


def test_identical_inputs_give_identical_bytes(small) -> None:
    from layers.maps import render_map

    zone = _zone_ids(small)[0]
    assert render_map(small) == render_map(small)
    assert render_map(small, zone=zone) == render_map(small, zone=zone)


def test_identical_inputs_give_identical_bytes_across_processes(tmp_path: Path) -> None:
    # A fresh interpreter has a fresh random state: catches ids or ordering
    # that depend on it (branca ids, set/dict order of strings).
    script = (
        "import sys\n"
        "from layers.synthetic import synthetic_dataset\n"
        "from layers.maps import render_map\n"
        "ds = synthetic_dataset(sys.argv[1], n_legs=60, seed=5)\n"
        "sys.stdout.write(render_map(ds))\n"
    )
    outs = [
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / f"d{i}")],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": str(i + 11)},
        ).stdout
        for i in range(2)
    ]
    assert outs[0] == outs[1]
    assert len(outs[0]) > 100_000


def test_page_is_self_contained_by_default(small) -> None:
    from layers.maps import render_map

    page = render_map(small)
    # No element that loads a resource points off the page.
    assert not re.search(
        r"""<(script|link|img|iframe)\b[^>]*\b(src|href)=["']?(https?:)?//""", page
    )
    assert "L.map(" in page and "movemap.finish(" in page
    assert '<meta name="generator" content="movemap" />' in page


def test_cdn_page_links_leaflet_and_is_smaller(small) -> None:
    from layers.assets import CDN_JS
    from layers.maps import render_map

    inline, linked = render_map(small), render_map(small, cdn=True)
    assert all(url in linked for url in CDN_JS)
    assert len(inline) - len(linked) > 200_000


def test_hostile_text_never_reaches_the_page_raw(hostile, small) -> None:
    from layers.maps import render_map

    n_closing = render_map(small).count("</script>")
    for zone in [None, *_zone_ids(hostile)]:
        page = render_map(hostile, zone=zone)
        assert "<img src=x" not in page
        assert "<script>window.__movemap_pwned" not in page
        # Every closing script tag is one the page itself wrote.
        assert page.count("</script>") == n_closing


def test_unknown_zone_is_refused(small) -> None:
    from layers.maps import build_map

    with pytest.raises(KeyError, match="unknown zone"):
        build_map(small, zone="no-such-zone")


def test_build_maps_writes_every_map_atomically_and_drops_stale_ones(small, tmp_path: Path) -> None:
    from layers.maps import build_maps, map_files

    out = tmp_path / "maps"
    out.mkdir()
    stale = out / "old-zone.html"
    stale.write_text('<html><head><meta name="generator" content="movemap" /></head></html>')
    mine = out / "notes.html"
    mine.write_text("<html>someone else's file</html>")
    written = build_maps(small, out)
    expected = map_files(small)
    assert [p.name for p in written] == list(expected.values())
    assert written[0].name == "index.html"
    assert len(written) == len(small.zones) + 1
    assert not stale.exists()
    assert mine.exists()
    assert not list(out.glob(".*.tmp"))
    # Same permissions as any file written normally (mkstemp alone gives 0600).
    ref = tmp_path / "ref.txt"
    ref.write_text("x")
    assert {p.stat().st_mode & 0o777 for p in written} == {ref.stat().st_mode & 0o777}
    again = [p.read_bytes() for p in build_maps(small, out)]
    assert again == [p.read_bytes() for p in written]


def test_cli_build(tmp_path: Path, small) -> None:
    from layers.cli import main

    out = tmp_path / "cli"
    assert main(["build", "--data", str(small.folder), "--out", str(out)]) == 0
    assert (out / "index.html").is_file()
    assert len(list(out.glob("*.html"))) == len(small.zones) + 1


# ------------------------------------------------------------------ geometry / templating


def test_unwrap_antimeridian_turns_a_world_band_into_the_real_strip() -> None:
    from layers.payload import unwrap_antimeridian

    # A ring from 30E west across the antimeridian to 170W, as Natural
    # Earth's Russia is stored: planar, it covers the whole band.
    band = shapely.Polygon([(30, 65), (30, 69), (-170, 69), (-170, 65)])
    out = unwrap_antimeridian(band)
    minx, miny, maxx, maxy = out.bounds
    assert (minx, maxx) == (30, 190)
    assert (miny, maxy) == (65, 69)
    assert out.is_valid
    small = shapely.box(10, 30, 20, 35)
    assert unwrap_antimeridian(small) is small
    assert unwrap_antimeridian(None) is None


def test_unwrap_antimeridian_gathers_a_zone_split_at_180_into_one_polygon() -> None:
    from layers.payload import unwrap_antimeridian

    # RFC 7946 splits a polygon at the antimeridian: the halves were drawn a world apart.
    split = shapely.MultiPolygon(
        [shapely.box(172, 62, 180, 68), shapely.box(-180, 62, -172, 68)]
    )
    out = unwrap_antimeridian(split)
    assert out.bounds == (172, 62, 188, 68)
    assert len(shapely.get_parts(out)) == 1  # no seam along 180
    assert out.area == pytest.approx(split.area)
    # The largest part stays; the small one joins it (the Aleutians beside Alaska, west).
    alaska = shapely.MultiPolygon(
        [shapely.box(-170, 55, -140, 70), shapely.box(172, 51, 179, 53)]
    )
    assert unwrap_antimeridian(alaska).bounds == (-188, 51, -140, 70)
    # Parts far apart that moving does not bring together stay where they are.
    apart = shapely.MultiPolygon([shapely.box(-100, 0, -80, 5), shapely.box(80, 0, 100, 5)])
    assert unwrap_antimeridian(apart) is apart


def test_elements_are_not_re_rendered_as_jinja() -> None:
    """branca compiles rendered macro output as a new template; ours must not."""
    import folium
    from folium.template import Template

    from layers._element import MovemapElement

    class Echo(MovemapElement):
        _name = "Echo"
        _template = Template(
            "{% macro script(this, kwargs) %}var raw = '{{ this.data }}';{% endmacro %}"
        )

    m = folium.Map(tiles=None)
    m.add_child(Echo("{{ 7 * 7 }} {# hidden #}"))
    page = m.get_root().render()
    assert "var raw = '{{ 7 * 7 }} {# hidden #}';" in page
    assert "49" not in page.split("var raw")[1][:40]


# ------------------------------------------------------------------ committed maps


def test_committed_maps_match_a_fresh_build(tmp_path: Path) -> None:
    """maps/ in the repository is exactly what `movemap build` writes now."""
    from geo.dataset import load_dataset
    from geo.paths import REPO_ROOT
    from layers.maps import build_maps

    committed = REPO_ROOT / "maps"
    if not (committed / "index.html").is_file():
        pytest.skip("no maps/index.html committed yet (run `movemap build`)")
    fresh = build_maps(load_dataset(), tmp_path)
    assert sorted(p.name for p in committed.glob("*.html")) == sorted(p.name for p in fresh)
    stale = [p.name for p in fresh if (committed / p.name).read_bytes() != p.read_bytes()]
    assert stale == [], f"maps/ is out of date, run `movemap build`: {stale}"


def test_place_ends_helpers_match_the_per_row_shapely_and_pandas_results() -> None:
    import shapely

    from layers.places import _line_ends, _string_objects

    geoms = np.array(
        [
            shapely.linestrings([(0, 1), (2, 3), (4, 5)]),
            None,
            shapely.from_wkt("LINESTRING EMPTY"),
            shapely.from_wkt("MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))"),
            shapely.linestrings([(-179.5, 10), (179.5, 11)]),
            shapely.points(1, 2),
        ],
        dtype=object,
    )
    first, last = _line_ends(geoms)
    for got, idx in ((first, 0), (last, -1)):
        pts = shapely.get_point(geoms, idx)
        want = np.full((len(geoms), 2), np.nan)
        have = ~shapely.is_missing(pts)
        want[have] = shapely.get_coordinates(pts[have])
        np.testing.assert_array_equal(got, want)
    for values in (
        pd.Series(["b", None, "a", "b", np.nan], dtype=object),
        pd.Series(["a", None, "b"], dtype="str"),
        pd.Series([1.0, np.nan, 2.5]),
        pd.Series(pd.Categorical(["x", None, "x"])),
    ):
        objects, want_objects = _string_objects(values), values.astype("string").to_numpy()
        assert objects.dtype == want_objects.dtype == object
        assert [type(v) for v in objects] == [type(v) for v in want_objects]
        assert [v for v in objects if v is not pd.NA] == [v for v in want_objects if v is not pd.NA]
        assert [v is pd.NA for v in objects] == [v is pd.NA for v in want_objects]
