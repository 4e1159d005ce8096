from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod

from geo import settings
from geo._errors import GazetteerError
from geo.columns import (
    COORD_SOURCE,
    LAT,
    LON,
    PLACE_ALIASES,
    PLACE_COUNTRY,
    PLACE_ID,
    PLACE_KIND,
    PLACE_KINDS,
    PLACE_NAME,
    PLACE_NOTE,
    PLACE_PRECISION,
    PLACE_PRECISIONS,
    SHARED_ALIAS,
    SOURCE_LINE,
)
from geo.countries import country_shape, load_countries
from geo.gazetteer import REQUIRED_COLUMNS, read_gazetteer
from geo.paths import REPO_ROOT

BUNDLED = REPO_ROOT / settings.GAZETTEER_FILE
HEADER = ",".join(REQUIRED_COLUMNS)
GEOD = Geod(ellps=settings.ELLPS)

# Ids fixed by CONTRACT.md: the ledger refers to them.
CONTRACT_IDS = {
    "watiya_ab": "airbase",
    "zawiya": "city",
    "zuwara": "town",
    "zuwara_airport": "airport",
    "ramstein_ab": "airbase",
    "ramstein_miesenbach": "town",
    "khmeimim_ab": "airbase",
    "jableh": "city",
    "latakia": "city",
    "tartus": "city",
    "tartus_naval_base": "naval_base",
    "tobruk": "city",
    "tobruk_port": "port",
    "sirte": "city",
    "jufra_ab": "airbase",
    "tripoli": "city",
    "minsk": "city",
    "libya": "country",
    "syria": "country",
    "mali": "country",
    "russia": "country",
    "uae": "country",
    "turkey": "country",
    "belarus": "country",
    "germany": "country",
    "eastern_libya": "region",
    "western_libya": "region",
}


@pytest.fixture(scope="module")
def places() -> gpd.GeoDataFrame:
    return read_gazetteer(BUNDLED)


@pytest.fixture(scope="module")
def world() -> gpd.GeoDataFrame:
    return load_countries()


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "gazetteer.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def row(
    pid: str = "x",
    name: str = "X",
    aliases: str = "",
    kind: str = "city",
    country: str = "LY",
    lat: str = "32.88722",
    lon: str = "13.19139",
    precision: str = "city",
    source: str = "test",
    note: str = "",
) -> str:
    return ",".join([pid, name, aliases, kind, country, lat, lon, precision, source, note])


def problems_of(path: Path, **kw) -> list:
    with pytest.raises(GazetteerError) as exc:
        read_gazetteer(path, **kw)
    return exc.value.problems


# --- the bundled gazetteer ---------------------------------------------------


def test_bundled_loads_with_contract_columns(places):
    assert places.crs.to_epsg() == 4326
    for col in (*REQUIRED_COLUMNS, SHARED_ALIAS, SOURCE_LINE):
        assert col in places.columns
    assert list(places.index) == list(places[PLACE_ID])
    assert places[PLACE_ID].is_unique
    assert places[PLACE_ALIASES].map(type).eq(tuple).all()
    assert places[SHARED_ALIAS].map(type).eq(tuple).all()
    assert places[LAT].dtype == float and places[LON].dtype == float
    np.testing.assert_allclose(places.geometry.x, places[LON])
    np.testing.assert_allclose(places.geometry.y, places[LAT])
    assert places[SOURCE_LINE].tolist() == list(range(2, len(places) + 2))
    assert places.attrs["warnings"] == []


def test_bundled_values_are_allowed(places):
    assert places[PLACE_KIND].isin(PLACE_KINDS).all()
    assert places[PLACE_PRECISION].isin(PLACE_PRECISIONS).all()
    # A sea (a region spanning countries) has no country; everything else has one.
    sea = (places[PLACE_COUNTRY] == "") & (places[PLACE_KIND] == "region")
    assert places.loc[~sea, PLACE_COUNTRY].str.fullmatch(r"[A-Z]{2}").all()
    assert places.loc[sea].index.tolist() == ["mediterranean_sea"]
    assert (places[COORD_SOURCE].str.len() > 10).all()
    assert (places[PLACE_NAME] != "").all()


@pytest.mark.parametrize(("pid", "kind"), sorted(CONTRACT_IDS.items()))
def test_contract_ids_present(places, pid, kind):
    assert places.loc[pid, PLACE_KIND] == kind
    expected_precision = {"country": "country", "region": "region", "city": "city", "town": "city"}
    assert places.loc[pid, PLACE_PRECISION] == expected_precision.get(kind, "site")


def test_tripoli_lebanon_is_a_separate_place(places):
    assert places.loc["tripoli", PLACE_COUNTRY] == "LY"
    assert places.loc["tripoli_lb", PLACE_COUNTRY] == "LB"
    assert "Tripoli" in places.loc["tripoli", SHARED_ALIAS]
    assert "Tripoli" in places.loc["tripoli_lb", SHARED_ALIAS]


def test_every_point_within_tolerance_of_its_country(places):
    # Project each point and its country to a local azimuthal equidistant CRS:
    # an independent check of the geodesic distance read_gazetteer computes.
    for pid, code, p in zip(places[PLACE_ID], places[PLACE_COUNTRY], places.geometry, strict=True):
        if code == "":  # a sea: in no country (checked in test_bundled_values_are_allowed)
            continue
        aeqd = f"+proj=aeqd +lat_0={p.y} +lon_0={p.x} +ellps=WGS84"
        pair = gpd.GeoSeries([p, country_shape(code)], crs=4326).to_crs(aeqd)
        assert pair.iloc[0].distance(pair.iloc[1]) / 1000 <= settings.COUNTRY_TOLERANCE_KM, pid


# A base is geocoded to the base, not the town: both rows exist, kilometres apart.
@pytest.mark.parametrize(
    ("base", "town", "min_km", "max_km"),
    [
        ("ramstein_ab", "ramstein_miesenbach", 2.5, 6),
        ("khmeimim_ab", "jableh", 4, 10),
        ("zuwara_airport", "zuwara", 5, 10),
        ("tartus_naval_base", "tartus", 2, 5),
        ("tobruk_port", "tobruk", 1, 4),
        ("khmeimim_ab", "latakia", 15, 25),
        ("gamal_abdel_nasser_ab", "tobruk", 20, 30),
    ],
)
def test_base_and_town_are_distinct(places, base, town, min_km, max_km):
    a, b = places.loc[base], places.loc[town]
    _, _, m = GEOD.inv(a[LON], a[LAT], b[LON], b[LAT])
    assert min_km <= m / 1000 <= max_km


# The cited coordinates (coord_source) of the key sites, to catch a slipped digit.
@pytest.mark.parametrize(
    ("pid", "lat", "lon", "cited"),
    [
        ("ramstein_ab", 49.43683, 7.60033, "ETAR"),
        ("khmeimim_ab", 35.41167, 35.94500, "Khmeimim"),
        ("watiya_ab", 32.47222, 11.90000, "HL77"),
        ("zuwara_airport", 32.9523, 12.0155, "HLZW"),
        ("tartus_naval_base", 34.915, 35.875, "Tartus"),
        ("tobruk_port", 32.078, 23.983, "Port of Tobruk"),
        ("jufra_ab", 29.198, 16.001, "Jufra"),
    ],
)
def test_key_sites_match_their_cited_source(places, pid, lat, lon, cited):
    assert places.loc[pid, LAT] == pytest.approx(lat, abs=1e-4)
    assert places.loc[pid, LON] == pytest.approx(lon, abs=1e-4)
    assert cited in places.loc[pid, COORD_SOURCE]
    # The coordinates quoted in the source text agree with the row.
    quoted = re.findall(r"(\d+\.\d+) N, (\d+\.\d+) E", places.loc[pid, COORD_SOURCE])
    for qlat, qlon in quoted:
        assert float(qlat) == pytest.approx(lat, abs=1e-3)
        assert float(qlon) == pytest.approx(lon, abs=1e-3)


def test_country_points_say_which_representative_point(places):
    coarse = places[places[PLACE_PRECISION].isin(["country", "region"])]
    assert len(coarse) >= 10
    assert coarse[PLACE_NOTE].str.contains("point", case=False).all()


def test_reading_is_deterministic(places):
    again = read_gazetteer(BUNDLED)
    assert again.to_wkt().equals(places.to_wkt())


# --- bad input ---------------------------------------------------------------


def test_every_kind_of_bad_row_at_once(tmp_path):
    path = write(
        tmp_path,
        row("good", "Good", aliases="Goodville"),  # 2
        row("", "No Id"),  # 3
        row("Bad-Id", "Bad Id"),  # 4
        row("good", "Duplicate"),  # 5
        row("noname", ""),  # 6
        row("kindbad", "Kind", kind="airbse"),  # 7
        row("precbad", "Prec", precision="exact"),  # 8
        row("latnan", "Latnan", lat="abc"),  # 9
        row("latrange", "Latrange", lat="132.9"),  # 10
        row("lonrange", "Lonrange", lon="213.2"),  # 11
        row("ctry", "Ctry", country="Libya"),  # 12
        row("ctrylow", "Ctrylow", country="ly"),  # 13
        row("nosrc", "Nosrc", source=""),  # 14
        row("clash", "Clash", aliases="GoodVille"),  # 15
        row("swapped", "Swapped", lat="13.19139", lon="32.88722"),  # 16
        row("wrongctry", "Wrong", country="DE"),  # 17
        "short,row",  # 18
        row("nolat", "Nolat", lat=""),  # 19
        row("emptyalias", "Empty alias", aliases="--;Fine"),  # 20
        row("nocountry", "No country", country=""),  # 21
        row("libya2", "Libya Two", kind="country", precision="site"),  # 22
    )
    probs = problems_of(path)
    found = {(p.line, p.column, p.message) for p in probs}
    expected = {
        (3, PLACE_ID, "empty id"),
        (4, PLACE_ID, "malformed id"),
        (5, PLACE_ID, "duplicate id"),
        (6, PLACE_NAME, "empty name"),
        (7, PLACE_KIND, "unknown kind"),
        (8, PLACE_PRECISION, "unknown precision"),
        (9, LAT, "lat is not a number"),
        (10, LAT, "latitude out of range [-90, 90]"),
        (11, LON, "longitude out of range [-180, 180]"),
        (12, PLACE_COUNTRY, "country is not an ISO 3166-1 alpha-2 code"),
        (13, PLACE_COUNTRY, "country code is not upper case"),
        (14, COORD_SOURCE, "missing coordinate source"),
        (15, PLACE_ALIASES, "name 'goodville'"),
        (16, "lat/lon", "point is"),
        (17, "lat/lon", "point is"),
        (18, None, "row has 2 fields but the header has 10"),
        (19, LAT, "missing lat"),
        (20, PLACE_ALIASES, "alias is empty once normalized"),
        (21, PLACE_COUNTRY, "missing country"),
        (22, PLACE_PRECISION, "a country row must have precision 'country'"),
    }
    for line, col, msg in expected:
        assert any(
            f_line == line and f_col == col and f_msg.startswith(msg)
            for f_line, f_col, f_msg in found
        ), (line, col, msg, sorted(found, key=str))
    # Nothing else: every problem is one we planted, and good rows raise nothing.
    assert {line for line, _, _ in found} == {e[0] for e in expected}
    assert len(probs) == len(expected)
    by_line = {p.line: p for p in probs}
    assert "outside LY" in by_line[16].message and by_line[16].hint == "lat and lon look swapped"
    assert "outside DE" in by_line[17].message and "it lies in LY" in by_line[17].message
    # 132.9 is out of range; (lon 132.9, lat 13.2) is not in Libya either: not "swapped".
    assert "swapped" not in by_line[10].hint and "-90 and 90" in by_line[10].hint
    assert by_line[7].hint.startswith("did you mean 'airbase'?")
    assert all(p.file == str(path) for p in probs)


def test_error_message_names_file_line_column_value_and_hint(tmp_path):
    path = write(tmp_path, row("a", "A"), row("b", "B", kind="airbse"))
    with pytest.raises(GazetteerError) as exc:
        read_gazetteer(path)
    text = str(exc.value)
    assert (
        f"{path}:3: column 'kind': unknown kind (value 'airbse'); did you mean 'airbase'?" in text
    )
    assert text.startswith("1 problem(s) in the input:")


def test_problems_sorted_by_line(tmp_path):
    path = write(tmp_path, row("a", ""), row("B", "B"), row("c", "C", source=""))
    lines = [p.line for p in problems_of(path)]
    assert lines == sorted(lines) == [2, 3, 4]


@pytest.mark.parametrize(
    ("lat", "lon", "country"),
    [
        ("13.19139", "32.88722", "LY"),  # Tripoli, Libya, swapped: lands in Sudan
        ("7.60033", "49.43683", "DE"),  # Ramstein AB, swapped: lands in Somalia
        ("27.567", "53.9", "BY"),  # Minsk, swapped: lands in Iran
    ],
)
def test_swapped_lat_lon_is_detected(tmp_path, lat, lon, country):
    (p,) = problems_of(write(tmp_path, row("p", "P", country=country, lat=lat, lon=lon)))
    assert (p.line, p.column) == (2, "lat/lon")
    assert p.hint == "lat and lon look swapped"
    assert f"outside {country}" in p.message
    assert p.value == (float(lat), float(lon))


def test_latitude_beyond_90_with_valid_swap_hints_swap(tmp_path):
    (p,) = problems_of(write(tmp_path, row("p", "P", country="RU", lat="100.0", lon="60.0")))
    assert (p.line, p.column) == (2, LAT) and p.hint.startswith("lat and lon look swapped")
    assert "lies in RU" in p.hint


@pytest.mark.parametrize(
    ("lat", "lon", "ok"),
    [
        ("32.078", "23.983", True),  # Port of Tobruk, on the 1:50m coastline's edge
        ("32.95", "13.19", True),  # ~6 km off Tripoli's shore
        ("33.40", "13.19", False),  # ~55 km out to sea
    ],
)
def test_coastal_tolerance(tmp_path, lat, lon, ok):
    path = write(tmp_path, row("p", "P", lat=lat, lon=lon))
    if ok:
        assert len(read_gazetteer(path)) == 1
    else:
        (p,) = problems_of(path)
        assert "lies in no country" in p.message


def test_country_check_uses_given_polygons(tmp_path, world):
    # With only Libya's neighbour Tunisia supplied, a Libyan point has no polygon:
    # a warning, not an error; with Tunisia's shape relabelled 'LY' it is an error.
    path = write(tmp_path, row("p", "P"))
    tn = world[world["iso_a2"] == "TN"]
    gdf = read_gazetteer(path, countries=tn)
    (w,) = gdf.attrs["warnings"]
    assert w.severity == "warning" and "no country polygon" in w.message
    fake = tn.assign(iso_a2="LY")
    (p,) = problems_of(path, countries=fake)
    assert "outside LY" in p.message and "it lies in no country" in p.message
    (p,) = problems_of(write(tmp_path, row("p", "P", country="TN")), countries=world)
    assert "outside TN" in p.message and "it lies in LY" in p.message


def test_well_formed_code_without_polygon_is_a_warning(tmp_path):
    # GI (Gibraltar) is assigned in ISO 3166-1 but has no Natural Earth 1:50m polygon.
    gdf = read_gazetteer(write(tmp_path, row("p", "P", country="GI")))
    assert [w.column for w in gdf.attrs["warnings"]] == [PLACE_COUNTRY]


def test_unassigned_code_is_an_error(tmp_path):
    with pytest.raises(GazetteerError) as exc:
        read_gazetteer(write(tmp_path, row("p", "P", country="QQ")))
    (p,) = exc.value.problems
    assert (p.line, p.column, p.severity) == (2, PLACE_COUNTRY, "error")
    assert "'QQ' is not assigned" in p.message


def test_region_may_span_countries(tmp_path):
    path = write(tmp_path, row("sahel", "Sahel", kind="region", country="", precision="region"))
    assert read_gazetteer(path).loc["sahel", PLACE_COUNTRY] == ""


def test_shared_alias_allowed_only_when_both_rows_mark_it(tmp_path):
    header = HEADER + "," + SHARED_ALIAS
    a = row("tripoli", "Tripoli", aliases="Tripoli Libya") + ",Tripoli"
    b = (
        row(
            "tripoli_lb",
            "Tripoli Lebanon",
            aliases="Tripoli",
            country="LB",
            lat="34.43667",
            lon="35.83444",
        )
        + ",Tripoli"
    )
    gdf = read_gazetteer(write(tmp_path, a, b, header=header))
    assert gdf.loc["tripoli_lb", SHARED_ALIAS] == ("Tripoli",)
    b_unmarked = b.rsplit(",", 1)[0] + ","
    (p,) = problems_of(write(tmp_path, a, b_unmarked, header=header))
    assert (p.line, p.column, p.value) == (3, PLACE_ALIASES, "Tripoli")
    assert "also claimed by 'tripoli' on line 2" in p.message
    assert "shared_aliases" in p.hint


def test_alias_clash_ignores_case_hyphens_and_article(tmp_path):
    (p,) = problems_of(
        write(tmp_path, row("a", "al-Watiya"), row("b", "B", aliases="WATIYA", lat="32.8"))
    )
    assert (p.line, p.column) == (3, PLACE_ALIASES)


def test_shared_alias_must_be_claimed_by_the_row(tmp_path):
    header = HEADER + "," + SHARED_ALIAS
    (p,) = problems_of(write(tmp_path, row("a", "A") + ",Elsewhere", header=header))
    assert (p.line, p.column, p.value) == (2, SHARED_ALIAS, "Elsewhere")


def test_header_problems(tmp_path):
    header = HEADER.replace(",note", "") + ",colour"
    path = write(tmp_path, row("a", "A").rsplit(",", 1)[0] + ",red", header=header)
    probs = problems_of(path)
    assert {(p.line, p.column, p.message) for p in probs} == {
        (1, PLACE_NOTE, "missing column 'note'"),
        (1, "colour", "unexpected column"),
    }


def test_missing_and_empty_file(tmp_path):
    (p,) = problems_of(tmp_path / "nope.csv")
    assert p.message == "file not found"
    (tmp_path / "empty.csv").write_text("\n\n", encoding="utf-8")
    (p,) = problems_of(tmp_path / "empty.csv")
    assert p.message == "file is empty"


def test_quoted_multiline_cell_keeps_line_numbers(tmp_path):
    path = write(tmp_path, row("a", "A", note='"two\nlines"'), row("b", "", lat="32.8"))
    (p,) = problems_of(path)
    assert p.line == 4  # row b starts on line 4 because row a spans lines 2-3


def test_bom_and_blank_lines_tolerated(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("\ufeff" + HEADER + "\n\n" + row("a", "A") + "\n\n", encoding="utf-8")
    gdf = read_gazetteer(path)
    assert gdf.loc["a", SOURCE_LINE] == 3
