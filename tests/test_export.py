"""Tests for geo.export: every format round-trips through GDAL (pyogrio)."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import geojson_validator
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from _helpers import copy_inputs

from geo import columns as col
from geo import settings
from geo._errors import MovemapError
from geo._io import atomic_path, write_text
from geo.dataset import Dataset, load_dataset
from geo.export import export, legs_table, to_geojson

HOSTILE = "<script>alert('x')</script> & \"quoted\" ]]> it's $x$ \u2192"

# --------------------------------------------------------------------------
# a small Dataset built by hand, shaped like geo.dataset.load_dataset's

_PLACES = [
    # id, name, kind, country, lon, lat, precision
    ("ramstein_ab", "Ramstein Air Base", "airbase", "DE", 7.6003, 49.4369, "site"),
    ("watiya_ab", "al-Watiya Air Base", "airbase", "LY", 12.0158, 32.4747, "site"),
    ("tripoli", "Tripoli", "city", "LY", 13.1913, 32.8872, "city"),
    ("jufra_ab", "al-Jufra Air Base", "airbase", "LY", 15.9961, 29.1981, "site"),
    ("khmeimim_ab", "Khmeimim Air Base", "airbase", "SY", 35.9486, 35.4011, "site"),
    ("suva", "Suva", "city", "FJ", 178.4419, -18.1416, "city"),
    ("apia", "Apia", "city", "WS", -171.7514, -13.8333, "city"),
]

# transfer_id, leg, from, to, date, status, source_ids, note
_LEGS = [
    ("T01", 1, "ramstein_ab", "watiya_ab", "2020-05-18", "confirmed", ("S1",), ""),
    ("T01", 2, "watiya_ab", "tripoli", "2020-05", "reported", ("S1", "S2"), HOSTILE),
    ("T02", 1, "khmeimim_ab", "jufra_ab", "2020-05-20", "alleged", ("S2",), "via Hmeimim"),
    ("T03", 1, "suva", "apia", "2021-03-01", "assessed", ("S3",), "crosses the antimeridian"),
    ("T04", 1, "?base housing personnel", "jufra_ab", "2020-06", "planned", ("S3",), ""),
]


def _zones() -> gpd.GeoDataFrame:
    # The west zone is given clockwise with a hole: exports must reorient it.
    west = shapely.Polygon(
        [(9, 30), (9, 34), (15.5, 34), (15.5, 30), (9, 30)],
        holes=[[(10, 31), (11, 31), (11, 32), (10, 32), (10, 31)]],
    )
    east = shapely.Polygon([(15.5, 25), (25, 25), (25, 33), (15.5, 33), (15.5, 25)])
    return gpd.GeoDataFrame(
        {
            col.ZONE_ID: ["ly_west_2020", "ly_east_2020"],
            col.FACTION: ["GNA", "LNA"],
            col.ZONE_LABEL: ["GNA-held west " + HOSTILE, "LNA-held east"],
            col.ZONE_COUNTRY: ["LY", "LY"],
            col.VALID_FROM: ["2020-06-05", "2020-06-05"],
            col.VALID_TO: [None, None],
            col.ZONE_SOURCES: [("Libya Herald 2020-06-21",), ("Al Jazeera 2020-07-27",)],
            col.AS_OF: ["2020-07-27", "2020-07-27"],
            col.APPROXIMATE: [True, True],
            col.CONTESTED: [False, True],
        },
        geometry=[west, east],
        crs="EPSG:4326",
    )


def synthetic_dataset() -> Dataset:
    """A Dataset with an antimeridian leg, an unknown stop and hostile text."""
    places = pd.DataFrame(
        _PLACES,
        columns=[
            col.PLACE_ID,
            col.PLACE_NAME,
            col.PLACE_KIND,
            col.PLACE_COUNTRY,
            col.LON,
            col.LAT,
            col.PLACE_PRECISION,
        ],
    )
    places[col.PLACE_ALIASES] = [(), ("Watiya", "Witya"), (), (), ("Hmeimim",), (), ()]
    places[col.COORD_SOURCE] = "test"
    places[col.PLACE_NOTE] = ""
    places[col.SOURCE_LINE] = np.arange(2, len(places) + 2)
    places = gpd.GeoDataFrame(
        places,
        geometry=gpd.points_from_xy(places[col.LON], places[col.LAT]),
        crs="EPSG:4326",
    ).set_index(col.PLACE_ID, drop=False)

    rows = []
    coords = places.set_index(col.PLACE_ID)[[col.LON, col.LAT, col.PLACE_NAME, col.PLACE_PRECISION]]
    for i, (tid, leg, frm, to, date, status, sids, note) in enumerate(_LEGS):
        unknown = frm.startswith(col.UNKNOWN_STOP_PREFIX)
        start = pd.Timestamp(date[:7] + "-01") if len(date) == 7 else pd.Timestamp(date)
        end = start + pd.offsets.MonthEnd(0) if len(date) == 7 else start
        fl = (np.nan, np.nan) if unknown else tuple(coords.loc[frm, [col.LON, col.LAT]])
        tl = tuple(coords.loc[to, [col.LON, col.LAT]])
        rows.append(
            {
                col.TRANSFER_ID: tid,
                col.LEG: leg,
                col.FROM: frm,
                col.TO: to,
                col.DATE: date,
                col.DATE_PRECISION: "month" if len(date) == 7 else "day",
                col.EQUIPMENT: "Pantsir-S1 " + HOSTILE if tid == "T02" else "MIM-23 Hawk",
                col.CATEGORY: "air_defence",
                col.QUANTITY: "2",
                col.ACTOR: "Turkey" if tid == "T01" else "Russia",
                col.MODE: "air",
                col.CARRIER: "A400M",
                col.STATUS: status,
                col.SOURCE_IDS: sids,
                col.NOTE: note,
                col.SOURCE_LINE: i + 2,
                col.FROM_ID: None if unknown else frm,
                col.TO_ID: to,
                col.FROM_NAME: frm[1:] if unknown else coords.loc[frm, col.PLACE_NAME],
                col.TO_NAME: coords.loc[to, col.PLACE_NAME],
                col.FROM_LON: fl[0],
                col.FROM_LAT: fl[1],
                col.TO_LON: tl[0],
                col.TO_LAT: tl[1],
                col.FROM_PRECISION: None if unknown else coords.loc[frm, col.PLACE_PRECISION],
                col.TO_PRECISION: coords.loc[to, col.PLACE_PRECISION],
                col.FROM_UNKNOWN: unknown,
                col.TO_UNKNOWN: False,
                col.DATE_START: start,
                col.DATE_END: end,
            }
        )
    legs = pd.DataFrame(rows)
    geoms = []
    for r in rows:
        if np.isnan(r[col.FROM_LON]):
            geoms.append(None)
            continue
        x0, x1 = r[col.FROM_LON], r[col.TO_LON]
        if x1 - x0 > 180:  # continuous longitudes across the antimeridian
            x1 -= 360
        elif x0 - x1 > 180:
            x1 += 360
        xs = np.linspace(x0, x1, 9)
        ys = np.linspace(r[col.FROM_LAT], r[col.TO_LAT], 9)
        geoms.append(shapely.LineString(np.c_[xs, ys]))
    legs = gpd.GeoDataFrame(legs, geometry=geoms, crs="EPSG:4326")
    legs[col.LENGTH_KM] = [2150.123, 190.55, 2030.0, 1150.9, np.nan]
    legs[col.BEARING] = [160.04, 70.0, 245.3, 95.5, np.nan]
    legs[col.UNCERTAIN] = [False, False, False, False, True]
    legs[col.ZERO_LENGTH] = False
    legs[col.TRANSFER_KM] = [2340.673, 2340.673, 2030.0, 1150.9, np.nan]
    legs[col.FROM_ZONE] = [None, "ly_west_2020", None, None, None]
    legs[col.TO_ZONE] = ["ly_west_2020", "ly_west_2020", "ly_east_2020", None, "ly_east_2020"]
    legs[col.FROM_FACTION] = [None, "GNA", None, None, None]
    legs[col.TO_FACTION] = ["GNA", "GNA", "LNA", None, "LNA"]
    legs[col.CONTROL_NOTE] = ["", "", "", "", "origin unknown"]
    legs[col.CROSSES_FRONT] = [False, False, False, False, None]
    legs[col.FROM_OUTSIDE] = [True, False, True, False, None]

    segments = pd.DataFrame(
        {
            col.TRANSFER_ID: ["T01", "T01", "T02"],
            col.LEG: [1, 2, 1],
            col.ZONE_ID: [None, "ly_west_2020", "ly_east_2020"],
            col.FACTION: [None, "GNA", "LNA"],
            col.SEGMENT_KM: [1900.2, 190.55, 450.4],
        }
    )
    sources = pd.DataFrame(
        {
            col.SOURCE_ID: ["S1", "S2", "S3"],
            col.SOURCE_OUTLET: ["Outlet One", "Outlet " + HOSTILE, "Outlet Three"],
            col.SOURCE_TITLE: ["First report", "Second report", "Third"],
            col.SOURCE_DATE: ["2020-05-19", "2020-05-22", "undated"],
            col.SOURCE_URL: ["https://one.example/a?b=1&c=2", "javascript:alert(1)", ""],
            col.SOURCE_RELAYS: ["", "The Times", ""],
            col.SOURCE_LINE: [2, 3, 4],
        }
    )
    return Dataset(
        folder=Path("."),
        places=places,
        sources=sources,
        legs=legs,
        zones=_zones(),
        segments=gpd.GeoDataFrame(segments),
    )


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return synthetic_dataset()


def write_test_inputs(folder: Path) -> Path:
    """The bundled inputs plus a hostile-text transfer and a Suva-Apia leg.

    Goes through the real loaders, so exports are tested on what
    load_dataset really returns.
    """
    copy_inputs(folder)

    def add(name: str, rows: list[dict[str, object]]) -> None:
        with open(folder / name, newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        with open(folder / name, "a", newline="", encoding="utf-8") as fh:
            csv.DictWriter(fh, header, lineterminator="\n").writerows(rows)

    city = {col.PLACE_KIND: "city", col.PLACE_PRECISION: "city", col.COORD_SOURCE: "test"}
    add(
        settings.GAZETTEER_FILE,
        [
            {
                col.PLACE_ID: "suva",
                col.PLACE_NAME: "Suva",
                col.PLACE_COUNTRY: "FJ",
                col.LAT: -18.1416,
                col.LON: 178.4419,
                **city,
            },
            {
                col.PLACE_ID: "apia",
                col.PLACE_NAME: "Apia",
                col.PLACE_COUNTRY: "WS",
                col.LAT: -13.8333,
                col.LON: -171.7514,
                **city,
            },
        ],
    )
    add(
        settings.SOURCES_FILE,
        [
            {
                col.SOURCE_ID: "hostile_src",
                col.SOURCE_OUTLET: "Outlet " + HOSTILE,
                col.SOURCE_TITLE: "Title " + HOSTILE,
                col.SOURCE_DATE: "2021-03-02",
                col.SOURCE_URL: "https://example.org/r?a=1&b=2",
            },
        ],
    )
    leg = {
        col.LEG: 1,
        col.DATE: "2021-03-01",
        col.DATE_PRECISION: "day",
        col.QUANTITY: "1",
        col.CATEGORY: "other",
        col.SOURCE_IDS: "hostile_src",
    }
    add(
        settings.TRANSFERS_FILE,
        [
            {
                col.TRANSFER_ID: "zz-hostile",
                col.FROM: "tripoli",
                col.TO: "sirte",
                col.EQUIPMENT: "Kit " + HOSTILE,
                col.ACTOR: "Actor " + HOSTILE,
                col.MODE: "road",
                col.STATUS: "alleged",
                col.NOTE: HOSTILE,
                **leg,
            },
            {
                col.TRANSFER_ID: "zz-pacific",
                col.FROM: "suva",
                col.TO: "apia",
                col.EQUIPMENT: "test",
                col.ACTOR: "test",
                col.MODE: "air",
                col.STATUS: "reported",
                col.NOTE: "crosses the antimeridian",
                **leg,
            },
        ],
    )
    return folder


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    return load_dataset(write_test_inputs(tmp_path_factory.mktemp("inputs")))


# --------------------------------------------------------------------------
# GeoJSON


def _rings(geom: dict) -> list[list[list[float]]]:
    if geom["type"] == "Polygon":
        return geom["coordinates"]
    if geom["type"] == "MultiPolygon":
        return [r for poly in geom["coordinates"] for r in poly]
    return []


def _parts(geom: dict | None) -> list[np.ndarray]:
    if geom is None:
        return []
    g = shapely.geometry.shape(geom)
    return [shapely.get_coordinates(p) for p in getattr(g, "geoms", [g])]


def _all_coords(geom: dict | None) -> np.ndarray:
    if geom is None:
        return np.empty((0, 2))
    return shapely.get_coordinates(shapely.geometry.shape(geom))


@pytest.mark.parametrize("layer", ["legs", "places", "zones", "all"])
def test_geojson_follows_rfc7946(dataset: Dataset, tmp_path: Path, layer: str) -> None:
    path = to_geojson(dataset, tmp_path / "out.geojson", layer=layer)  # type: ignore[arg-type]
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    assert geojson_validator.validate_structure(doc, check_crs=True) == {}
    report = geojson_validator.validate_geometries(doc)
    assert report["invalid"] == {}, report
    problematic = report["problematic"]
    for rule in ("excessive_coordinate_precision", "outside_lat_lon_boundaries", "3d_coordinates"):
        assert rule not in problematic, (rule, problematic)
    # geojson-validator wraps +180 to -180 before comparing neighbours, so it
    # flags a part that *ends* on the antimeridian, as RFC 7946 3.1.9 asks.
    # Check the real rule ourselves: no step in any part jumps > 180 deg.
    for flagged in problematic.get("crosses_antimeridian", []):
        (index,) = flagged
        assert doc["features"][index]["id"].endswith("T03/1")
    for feat in doc["features"]:
        for part in _parts(feat["geometry"]):
            assert np.all(np.abs(np.diff(part[:, 0])) < 180)
        coords = _all_coords(feat["geometry"])
        assert np.all(np.abs(coords[:, 0]) <= 180) and np.all(np.abs(coords[:, 1]) <= 90)
        # precision: no more decimals than settings allow
        assert np.allclose(coords, np.round(coords, settings.COORDINATE_PRECISION), atol=0, rtol=0)
        for i, ring in enumerate(_rings(feat["geometry"]) if feat["geometry"] else []):
            area = shapely.LinearRing(ring).is_ccw
            is_exterior = feat["geometry"]["type"] == "Polygon" and i == 0
            if feat["geometry"]["type"] == "Polygon":
                assert area == is_exterior, "exterior CCW, holes CW"


def test_geojson_ids_and_fields(dataset: Dataset, tmp_path: Path) -> None:
    legs = json.loads(to_geojson(dataset, tmp_path / "l.geojson").read_text(encoding="utf-8"))
    ids = [f["id"] for f in legs["features"]]
    assert ids == ["T01/1", "T01/2", "T02/1", "T03/1", "T04/1"]
    props = legs["features"][1]["properties"]
    ledger_cols = [c for c in dataset.legs.columns if c != col.GEOMETRY]
    assert set(ledger_cols) <= set(props)
    assert props[col.NOTE] == HOSTILE
    assert props[col.SOURCE_IDS] == "S1;S2"
    assert props[col.DATE_START] == "2020-05-01" and props[col.DATE_END] == "2020-05-31"
    assert props[col.LENGTH_KM] == pytest.approx(190.6)
    assert props[col.TO_FACTION] == "GNA"
    assert props[col.ZONE_SEGMENTS] == "ly_west_2020 (GNA) 191 km"
    first = legs["features"][0]["properties"]
    assert first[col.ZONE_SEGMENTS] == f"{col.OUTSIDE_ZONES} 1900 km"
    assert first[col.FROM_ZONE] is None and first[col.FROM_FACTION] is None
    # The unknown-origin leg keeps its row with a null geometry.
    assert legs["features"][4]["geometry"] is None
    assert legs["features"][4]["properties"][col.CROSSES_FRONT] is None

    everything = json.loads(to_geojson(dataset, tmp_path / "a.geojson", layer="all").read_bytes())
    all_ids = [f["id"] for f in everything["features"]]
    assert (
        len(all_ids)
        == len(set(all_ids))
        == len(dataset.legs) + len(dataset.places) + len(dataset.zones)
    )
    assert "places/tripoli" in all_ids and "zones/ly_east_2020" in all_ids


def test_geojson_splits_antimeridian_leg(dataset: Dataset, tmp_path: Path) -> None:
    doc = json.loads(to_geojson(dataset, tmp_path / "l.geojson").read_text(encoding="utf-8"))
    feat = next(f for f in doc["features"] if f["id"] == "T03/1")
    assert feat["geometry"]["type"] == "MultiLineString"
    parts = [np.asarray(p) for p in feat["geometry"]["coordinates"]]
    assert len(parts) == 2
    # each part stays on one side and reaches the antimeridian
    assert {np.sign(p[:, 0]).mean() for p in parts} == {1.0, -1.0}
    assert sorted(abs(p[:, 0]).max() for p in parts) == pytest.approx([180, 180])


def test_geojson_reads_back_with_gdal(dataset: Dataset, tmp_path: Path) -> None:
    paths = export(dataset, fmt="geojson", out=tmp_path / "folder")
    assert [p.name for p in paths] == ["legs.geojson", "places.geojson", "zones.geojson"]
    legs = pyogrio.read_dataframe(paths[0])
    assert len(legs) == len(dataset.legs)
    assert list(legs[col.TRANSFER_ID]) == list(dataset.legs[col.TRANSFER_ID])
    assert legs[col.NOTE].iloc[1] == HOSTILE
    places = pyogrio.read_dataframe(paths[1])
    assert len(places) == len(dataset.places)
    zones = pyogrio.read_dataframe(paths[2])
    assert len(zones) == len(dataset.zones)
    assert shapely.area(zones.geometry.to_numpy()) == pytest.approx(
        shapely.area(dataset.zones.geometry.to_numpy())
    )


# --------------------------------------------------------------------------
# KML, GeoPackage, CSV round trips


def _kml_layers(path: Path) -> dict[str, gpd.GeoDataFrame]:
    return {name: pyogrio.read_dataframe(path, layer=name) for name, _ in pyogrio.list_layers(path)}


def test_kml_round_trip_and_escaping(dataset: Dataset, tmp_path: Path) -> None:
    (path,) = export(dataset, fmt="kml", out=tmp_path / "m.kml")
    raw = path.read_text(encoding="utf-8")
    root = ET.fromstring(raw)  # well-formed XML despite the hostile strings
    assert "<script>" not in raw and "]]>" not in raw
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    # one style per status, one folder per faction zone
    styles = {s.get("id") for s in root.iterfind(".//k:Style", ns)}
    assert {f"status-{s}" for s in col.STATUSES} <= styles
    folders = [f.findtext("k:name", namespaces=ns) for f in root.iterfind(".//k:Folder", ns)]
    assert {"GNA", "LNA", "Ending in GNA zone", "Ending in LNA zone"} <= set(folders)
    # A description is HTML shown by Google Earth: hostile text is escaped
    # inside it (so it displays literally) and the javascript: URL is not a link.
    pm = root.find(".//k:Placemark[@id='leg-T01_2']", ns)
    assert pm is not None
    tags = [child.tag.split("}")[1] for child in pm]  # KML 2.2 schema order
    assert tags == ["name", "description", "TimeSpan", "styleUrl", "ExtendedData", "LineString"]
    assert pm.findtext("k:TimeSpan/k:begin", namespaces=ns) == "2020-05-01"
    assert pm.findtext("k:TimeSpan/k:end", namespaces=ns) == "2020-05-31"
    assert pm.findtext("k:styleUrl", namespaces=ns) == "#status-reported"
    desc = pm.findtext("k:description", namespaces=ns) or ""
    assert "&lt;script&gt;" in desc and "<script>" not in desc
    assert 'href="https://one.example/a?b=1&amp;c=2"' in desc
    assert 'href="javascript' not in desc and "[S2] Outlet &lt;script&gt;" in desc

    layers = _kml_layers(path)
    total = sum(len(df) for df in layers.values())
    assert total == len(dataset.legs) + len(dataset.places) + len(dataset.zones)
    legs = pd.concat(
        [
            df
            for df in layers.values()
            if col.TRANSFER_ID in df.columns and df[col.TRANSFER_ID].notna().any()
        ]
    )
    legs = legs[legs[col.TRANSFER_ID].notna()].sort_values([col.TRANSFER_ID, col.LEG])
    assert list(legs[col.FEATURE_ID]) == ["T01/1", "T01/2", "T02/1", "T03/1", "T04/1"]
    hostile_leg = legs[legs[col.FEATURE_ID] == "T01/2"].iloc[0]
    assert hostile_leg[col.NOTE] == HOSTILE
    zone_names = set(pd.concat([df["Name"] for df in layers.values()]))
    assert "GNA-held west " + HOSTILE in zone_names


def test_gpkg_round_trip(dataset: Dataset, tmp_path: Path) -> None:
    (path,) = export(dataset, fmt="gpkg", out=tmp_path / "m.gpkg")
    assert [name for name, _ in pyogrio.list_layers(path)] == ["legs", "places", "zones"]
    legs = pyogrio.read_dataframe(path, layer="legs")
    assert len(legs) == len(dataset.legs)
    assert list(legs[col.FEATURE_ID]) == ["T01/1", "T01/2", "T02/1", "T03/1", "T04/1"]
    assert legs[col.NOTE].iloc[1] == HOSTILE
    assert legs.geometry.iloc[4] is None
    assert legs.crs.to_epsg() == 4326
    table = legs_table(dataset)
    for name in (col.SOURCE_IDS, col.DATE_START, col.STATUS, col.ZONE_SEGMENTS):
        assert list(legs[name].fillna("")) == list(table[name].fillna(""))
    assert len(pyogrio.read_dataframe(path, layer="places")) == len(dataset.places)
    zones = pyogrio.read_dataframe(path, layer="zones")
    assert list(zones[col.FEATURE_ID]) == list(dataset.zones[col.ZONE_ID])


def test_csv_round_trip(dataset: Dataset, tmp_path: Path) -> None:
    (path,) = export(dataset, fmt="csv", out=tmp_path / "legs.csv")
    back = pyogrio.read_dataframe(path)  # GDAL takes a "WKT" column as geometry
    assert len(back) == len(dataset.legs)
    assert list(back[col.FEATURE_ID]) == ["T01/1", "T01/2", "T02/1", "T03/1", "T04/1"]
    assert back[col.NOTE].iloc[1] == HOSTILE
    assert back.geometry.iloc[3].geom_type == "MultiLineString"
    assert back.geometry.iloc[4] is None
    plain = pd.read_csv(path, keep_default_na=False)
    assert plain[col.EQUIPMENT].iloc[2] == "Pantsir-S1 " + HOSTILE
    assert shapely.from_wkt(plain[col.WKT].iloc[0]).geom_type == "LineString"


# --------------------------------------------------------------------------
# determinism and atomicity


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("geojson", "x.geojson"), ("kml", "x.kml"), ("gpkg", "x.gpkg"), ("csv", "x.csv")],
)
def test_same_input_same_bytes(dataset: Dataset, tmp_path: Path, fmt: str, name: str) -> None:
    (a,) = export(dataset, fmt=fmt, out=tmp_path / "a" / name)  # type: ignore[arg-type]
    (b,) = export(synthetic_dataset(), fmt=fmt, out=tmp_path / "b" / name)  # type: ignore[arg-type]
    assert a.read_bytes() == b.read_bytes()


def test_interrupted_write_leaves_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_text(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half of the new conte")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_interrupted_gpkg_leaves_nothing(
    dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pyogrio.write_dataframe
    calls = []

    def flaky(*args, **kwargs):
        calls.append(kwargs.get("layer"))
        if len(calls) == 2:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", flaky)
    with pytest.raises(OSError, match="disk full"):
        export(dataset, fmt="gpkg", out=tmp_path / "m.gpkg")
    assert list(tmp_path.iterdir()) == []


def test_bad_format_and_layer(dataset: Dataset, tmp_path: Path) -> None:
    with pytest.raises(MovemapError, match="unknown export format"):
        export(dataset, fmt="shp", out=tmp_path / "x")  # type: ignore[arg-type]
    with pytest.raises(MovemapError, match="unknown GeoJSON layer"):
        to_geojson(dataset, tmp_path / "x.geojson", layer="roads")  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# the same checks on what the real loaders produce


def test_real_pipeline_geojson(real: Dataset, tmp_path: Path) -> None:
    path = to_geojson(real, tmp_path / "all.geojson", layer="all")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert geojson_validator.validate_structure(doc, check_crs=True) == {}
    report = geojson_validator.validate_geometries(doc)
    assert report["invalid"] == {}, report
    assert "excessive_coordinate_precision" not in report["problematic"]
    assert "outside_lat_lon_boundaries" not in report["problematic"]
    feats = {f["id"]: f for f in doc["features"]}
    n = len(real.legs) + len(real.places) + len(real.zones)
    assert len(feats) == len(doc["features"]) == n
    pacific = feats["legs/zz-pacific/1"]["geometry"]
    assert pacific["type"] == "MultiLineString" and len(pacific["coordinates"]) == 2
    for part in _parts(pacific):
        assert np.all(np.abs(np.diff(part[:, 0])) < 180)
    hostile = feats["legs/zz-hostile/1"]["properties"]
    assert hostile[col.NOTE] == HOSTILE and hostile[col.ACTOR] == "Actor " + HOSTILE
    # every ledger leg is there, in ledger order, with its ledger fields
    ids = [i.removeprefix("legs/") for i in feats if i.startswith("legs/")]
    assert ids == list(real.legs[col.TRANSFER_ID] + "/" + real.legs[col.LEG].astype(str))


@pytest.mark.parametrize("fmt", ["kml", "gpkg", "csv"])
def test_real_pipeline_round_trip(real: Dataset, tmp_path: Path, fmt: str) -> None:
    (path,) = export(real, fmt=fmt, out=tmp_path / f"x.{fmt}")  # type: ignore[arg-type]
    if fmt == "kml":
        ET.parse(path)
        frames = [pyogrio.read_dataframe(path, layer=n) for n, _ in pyogrio.list_layers(path)]
        legs = pd.concat([f for f in frames if col.TRANSFER_ID in f.columns])
        legs = legs[legs[col.TRANSFER_ID].notna()]
        total = sum(len(f) for f in frames)
        assert total == len(real.legs) + len(real.places) + len(real.zones)
    else:
        legs = pyogrio.read_dataframe(path, layer="legs" if fmt == "gpkg" else None)
    assert len(legs) == len(real.legs)
    assert sorted(legs[col.FEATURE_ID]) == sorted(legs_table(real)[col.FEATURE_ID])
    row = legs[legs[col.FEATURE_ID] == "zz-hostile/1"].iloc[0]
    assert row[col.NOTE] == HOSTILE and row[col.EQUIPMENT] == "Kit " + HOSTILE


def test_kml_leg_folders_say_where_each_leg_ends(tmp_path: Path) -> None:
    # A leg whose destination's faction is unknown (control changed during
    # its dates; a country-level point in a divided country) is not "outside
    # mapped zones", and "outside mapped zones" is no faction's zone.
    from geo.export.kml import UNATTRIBUTED_FOLDER

    data = copy_inputs(tmp_path / "data")
    with open(data / settings.TRANSFERS_FILE, "a", encoding="utf-8") as fh:
        fh.write("qa-out,1,minsk,ouagadougou,2024-12-10,,trucks,vehicles,,Russian military,")
        fh.write("air,,reported,wsj_2024_12_18,\n")  # Burkina Faso: in no mapped zone
    dataset = load_dataset(data)
    (path,) = export(dataset, fmt="kml", out=tmp_path / "b.kml")
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    root = ET.parse(path).getroot()
    (legs_folder,) = [
        f
        for f in root.iterfind(".//k:Folder", ns)
        if f.findtext("k:name", namespaces=ns) == "Transfer legs"
    ]
    folder_of = {}
    for fold in legs_folder.iterfind("k:Folder", ns):
        for pm in fold.iterfind("k:Placemark", ns):
            fid = pm.findtext("k:ExtendedData/k:Data[@name='feature_id']/k:value", namespaces=ns)
            folder_of[fid] = fold.findtext("k:name", namespaces=ns)
    table = legs_table(dataset)
    assert set(folder_of) == set(table[col.FEATURE_ID])
    expected = {}
    for fid, faction in zip(table[col.FEATURE_ID], table[col.TO_FACTION], strict=True):
        if not isinstance(faction, str) or not faction:
            expected[fid] = UNATTRIBUTED_FOLDER
        elif faction == col.OUTSIDE_ZONES:
            expected[fid] = "Ending outside mapped zones"
        else:
            expected[fid] = f"Ending in {faction} zone"
    assert folder_of == expected
    # Both kinds are there, so the check above means something.
    assert {UNATTRIBUTED_FOLDER, "Ending outside mapped zones"} <= set(folder_of.values())


def test_csv_for_people_starts_with_a_bom_so_excel_reads_utf8(tmp_path: Path) -> None:
    # Excel opens a CSV without a byte order mark in Windows-1252: an Arabic
    # outlet or place and every route arrow would be mojibake. Programs skip it.
    from geo.export import UTF8_BOM

    data = copy_inputs(tmp_path / "data")
    gaz = pd.read_csv(data / settings.GAZETTEER_FILE, dtype=str, keep_default_na=False)
    gaz.loc[gaz["id"] == "uae", "name"] = "الإمارات"
    gaz.to_csv(data / settings.GAZETTEER_FILE, index=False)
    dataset = load_dataset(data)
    (path,) = export(dataset, fmt="csv", out=tmp_path / "legs.csv")
    assert path.read_bytes().startswith(UTF8_BOM.encode("utf-8"))
    back = pyogrio.read_dataframe(path)
    assert back.columns[0] == col.FEATURE_ID and "الإمارات" in set(back[col.TO_NAME])
    assert pd.read_csv(path, keep_default_na=False).columns[0] == col.FEATURE_ID
    # Python's csv module, as the README says to open it (plain "utf-8" keeps the mark
    # in the first column's name); and GDAL's own ogrinfo, as QGIS reads it.
    import csv
    import shutil
    import subprocess

    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert next(iter(rows[0])) == col.FEATURE_ID and len(rows) == len(dataset.legs)
    assert "الإمارات" in {r[col.TO_NAME] for r in rows}
    if shutil.which("ogrinfo"):
        info = subprocess.run(
            ["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True, text=True, check=True
        ).stdout
        assert f"Feature Count: {len(dataset.legs)}" in info
        assert f"\n{col.FEATURE_ID}: String" in info  # no mark glued to the first field
    (raw,) = export(dataset, fmt="csv", out=tmp_path / "raw.csv", raw_csv=True)
    assert raw.read_text(encoding="utf-8").startswith(col.FEATURE_ID)
