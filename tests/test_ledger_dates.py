"""Ledger dates end to end (issue 11): EDTF forms, derived date_precision,
date_as_reported, zone attribution of open intervals, exports and popups."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from _helpers import copy_inputs

from geo import columns as col
from geo import settings
from geo.dataset import Dataset, load_dataset
from geo.datetext import format_span, precision_of_days, readable_date
from geo.export import to_csv, to_geojson, to_gpkg, to_kml
from geo.gazetteer import read_gazetteer
from geo.geocode import PlaceIndex
from geo.ledger import OPTIONAL_COLUMNS, TRANSFERS_COLUMNS, check_ledger, read_ledger
from geo.paths import REPO_ROOT
from layers.legs import leg_zone_sets, legs_payload
from layers.payload import date_words

SOURCES = """\
source_id,outlet,title,published,url,relays
s1,Outlet One,Title one,2024-12-19,https://example.org/a,
"""


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex(read_gazetteer(REPO_ROOT / settings.GAZETTEER_FILE))


def ledger(tmp_path: Path, rows: list[dict[str, str]], *, extra: tuple[str, ...] = ()) -> Path:
    columns = [*TRANSFERS_COLUMNS, *extra]
    defaults = {
        "transfer_id": "T",
        "leg": "1",
        "from": "libya",
        "to": "mali",
        "date": "2024-12-13",
        "date_precision": "",
        "equipment": "cargo",
        "category": "other",
        "actor": "Russia",
        "mode": "air",
        "status": "reported",
        "source_ids": "s1",
    }
    buf = io.StringIO()
    w = csv.DictWriter(buf, columns, lineterminator="\n", restval="")
    w.writeheader()
    for i, row in enumerate(rows):
        w.writerow({**defaults, "transfer_id": f"T{i}", **row})
    (tmp_path / "transfers.csv").write_text(buf.getvalue(), encoding="utf-8")
    (tmp_path / "sources.csv").write_text(SOURCES, encoding="utf-8")
    return tmp_path


def test_blank_date_precision_is_derived(tmp_path: Path, index: PlaceIndex) -> None:
    d = ledger(
        tmp_path,
        [
            {"date": "2020-05", "date_precision": ""},
            {"date": "2020-10-23/..", "date_precision": ""},
            {"date": "2020-W21~", "date_precision": ""},
            {"date": "2019/2020-05-18", "date_precision": ""},
            {"date": "2020-05-18", "date_precision": "day"},
        ],
    )
    legs = read_ledger(d / "transfers.csv", d / "sources.csv", index).legs
    assert legs[col.DATE_PRECISION].tolist() == ["month", "day", "week", "coarser", "day"]


def test_wrong_date_precision_names_file_line_column_value_and_fix(
    tmp_path: Path, index: PlaceIndex
) -> None:
    d = ledger(
        tmp_path,
        [
            {"date": "2020-05", "date_precision": "day"},
            {"date": "2020-10-23/..", "date_precision": "month"},
            {"date": "2020-05~", "date_precision": "month"},  # fine
        ],
    )
    result = check_ledger(d / "transfers.csv", d / "sources.csv", index)
    probs = [p for p in result.problems if p.column == col.DATE_PRECISION]
    assert [(Path(p.file).name, p.line, p.value) for p in probs] == [
        ("transfers.csv", 2, "day"),
        ("transfers.csv", 3, "month"),
    ]
    assert "'month'" in probs[0].hint and "set date_precision to" in probs[0].hint
    assert "'day'" in probs[1].hint
    assert "open interval" in probs[1].message
    assert len(result.problems) == 2


def test_bad_edtf_dates_are_errors_with_hint(tmp_path: Path, index: PlaceIndex) -> None:
    d = ledger(tmp_path, [{"date": "../.."}, {"date": "2020?-05"}, {"date": "2020-06~/2020-05"}])
    result = check_ledger(d / "transfers.csv", d / "sources.csv", index)
    got = {(p.line, p.column, p.value) for p in result.problems}
    assert got == {(2, "date", "../.."), (3, "date", "2020?-05"), (4, "date", "2020-06~/2020-05")}
    hints = " ".join(str(p.hint) for p in result.problems)
    assert "2020-10-23/.." in hints and "earlier date first" in hints


def test_date_as_reported_is_optional_and_kept(tmp_path: Path, index: PlaceIndex) -> None:
    d = ledger(
        tmp_path,
        [
            {"date": "2024-12-08/..", "date_as_reported": "since December 8"},
            {"date": "2024-12-12", "date_as_reported": 'Thursday last week, "early"'},
            {"date": "2024-12"},
        ],
        extra=(col.DATE_AS_REPORTED,),
    )
    legs = read_ledger(d / "transfers.csv", d / "sources.csv", index).legs
    assert col.DATE_AS_REPORTED in OPTIONAL_COLUMNS
    assert legs[col.DATE_AS_REPORTED].tolist() == [
        "since December 8",
        'Thursday last week, "early"',
        "",
    ]
    # without the column the leg table still has it, blank
    (tmp_path / "plain").mkdir()
    d2 = ledger(tmp_path / "plain", [{}])
    legs2 = read_ledger(d2 / "transfers.csv", d2 / "sources.csv", index).legs
    assert legs2[col.DATE_AS_REPORTED].tolist() == [""]


def test_misspelt_date_as_reported_column_is_reported(tmp_path: Path, index: PlaceIndex) -> None:
    d = ledger(tmp_path, [{}], extra=("date_as_reportd",))
    result = check_ledger(d / "transfers.csv", d / "sources.csv", index)
    assert any(
        p.line == 1 and p.value == "date_as_reportd" and "'date_as_reported'" in str(p.hint)
        for p in result.problems
    )


def test_open_end_runs_to_the_ledger_data_date(tmp_path: Path, index: PlaceIndex) -> None:
    d = ledger(tmp_path, [{"date": "2020-10-23/.."}, {"date": "2021-03"}, {"date": "../2020-05"}])
    legs = read_ledger(d / "transfers.csv", d / "sources.csv", index).legs
    by = legs.set_index(col.DATE)
    assert by.loc["2020-10-23/..", col.DATE_END] == pd.Timestamp("2021-03-31")
    assert by.loc["2020-10-23/..", col.DATE_OPEN_END]
    assert by.loc["../2020-05", col.DATE_START] == pd.Timestamp("2020-05-01")  # earliest day
    assert by.loc["../2020-05", col.DATE_OPEN_START]


def test_publication_dates_cannot_be_qualified(tmp_path: Path, index: PlaceIndex) -> None:
    d = ledger(tmp_path, [{}])
    (d / "sources.csv").write_text(SOURCES.replace("2024-12-19", "2024-12~"), encoding="utf-8")
    result = check_ledger(d / "transfers.csv", d / "sources.csv", index)
    assert any(p.column == col.SOURCE_DATE and p.value == "2024-12~" for p in result.problems)


# --- the bundled data with open and qualified dates ----------------------------------------


@pytest.fixture(scope="module")
def open_dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """The bundled inputs, one leg made open-started, one open-ended with words."""
    d = tmp_path_factory.mktemp("open")
    copy_inputs(d, (settings.GAZETTEER_FILE, settings.SOURCES_FILE, settings.ZONES_FILE))
    with open(REPO_ROOT / settings.TRANSFERS_FILE, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    header = [*TRANSFERS_COLUMNS, col.DATE_AS_REPORTED]
    for row in rows:
        row[col.DATE_AS_REPORTED] = ""
        if row[col.TRANSFER_ID] == "ru-khmeimim-libya-2024":
            row[col.DATE], row[col.DATE_PRECISION] = "../2024-12-18", ""
            row[col.DATE_AS_REPORTED] = "by 18 December <b>officials</b>"
        if row[col.TRANSFER_ID] == "ru-syria-libya-radars-2024":
            row[col.DATE], row[col.DATE_PRECISION] = "2024-12-08~/..", ""
            row[col.DATE_AS_REPORTED] = "since around December 8"
    with open(d / settings.TRANSFERS_FILE, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return load_dataset(d)


def _leg(ds: Dataset, tid: str) -> pd.Series:
    return ds.legs[ds.legs[col.TRANSFER_ID] == tid].iloc[0]


def test_open_start_over_a_change_of_control_is_said_not_picked(open_dataset: Dataset) -> None:
    leg = _leg(open_dataset, "ru-khmeimim-libya-2024")
    assert leg[col.DATE_OPEN_START] and leg[col.DATE_PRECISION] == "day"
    # Control of Khmeimim changed within the open span: no faction is picked.
    assert leg[col.FROM_FACTION] is None
    assert "changed during interval" in leg[col.CONTROL_NOTE]


def test_exports_carry_open_dates_and_words(open_dataset: Dataset, tmp_path: Path) -> None:
    gj = json.loads(to_geojson(open_dataset, tmp_path / "l.geojson").read_text(encoding="utf-8"))
    props = {f["properties"]["transfer_id"]: f["properties"] for f in gj["features"]}
    p = props["ru-syria-libya-radars-2024"]
    assert p[col.DATE] == "2024-12-08~/.."
    assert p[col.DATE_AS_REPORTED] == "since around December 8"
    assert p[col.DATE_OPEN_END] is True and p[col.DATE_APPROXIMATE] is True
    assert p[col.DATE_OPEN_START] is False

    rows = list(csv.DictReader(to_csv(open_dataset, tmp_path / "l.csv").open(encoding="utf-8")))
    r = next(r for r in rows if r[col.TRANSFER_ID] == "ru-khmeimim-libya-2024")
    assert r[col.DATE] == "../2024-12-18" and r[col.DATE_OPEN_START].lower() == "true"
    assert r[col.DATE_AS_REPORTED] == "by 18 December <b>officials</b>"

    gpkg = to_gpkg(open_dataset, tmp_path / "l.gpkg")
    legs = pyogrio.read_dataframe(gpkg, layer="legs")
    g = legs[legs[col.TRANSFER_ID] == "ru-syria-libya-radars-2024"].iloc[0]
    assert g[col.DATE_AS_REPORTED] == "since around December 8"
    assert bool(g[col.DATE_OPEN_END]) and bool(g[col.DATE_APPROXIMATE])


def test_kml_open_sides_have_no_bound_and_words_are_escaped(
    open_dataset: Dataset, tmp_path: Path
) -> None:
    root = ET.parse(to_kml(open_dataset, tmp_path / "l.kml")).getroot()
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    pms = {
        pm.findtext("k:ExtendedData/k:Data[@name='transfer_id']/k:value", namespaces=ns): pm
        for pm in root.iterfind(".//k:Placemark", ns)
    }
    since = pms["ru-syria-libya-radars-2024"]
    assert since.findtext("k:TimeSpan/k:begin", namespaces=ns) == "2024-12-08"
    assert since.find("k:TimeSpan/k:end", ns) is None
    assert "c. 8 Dec 2024" in since.findtext("k:description", namespaces=ns)
    until = pms["ru-khmeimim-libya-2024"]
    assert until.find("k:TimeSpan/k:begin", ns) is None
    assert until.findtext("k:TimeSpan/k:end", namespaces=ns) == "2024-12-18"
    desc = until.findtext("k:description", namespaces=ns)
    assert "until 18 Dec 2024" in desc
    assert "&lt;b&gt;officials&lt;/b&gt;" in desc and "<b>officials" not in desc


def test_popup_payload_has_words_and_reported_text(open_dataset: Dataset) -> None:
    legs = open_dataset.legs
    zone_sets = leg_zone_sets(legs, open_dataset.segments, open_dataset.zones)
    payload = legs_payload(legs, zone_sets, {})
    c = payload["cols"]

    def dec(name: str, i: int) -> str | None:
        code = c[name]["c"][i]
        return None if code < 0 else c[name]["u"][code]

    i = legs.reset_index(drop=True).index[
        legs[col.TRANSFER_ID].to_numpy() == "ru-syria-libya-radars-2024"
    ][0]
    assert dec("date_words", i) == "since c. 8 Dec 2024"
    assert dec(col.DATE_AS_REPORTED, i) == "since around December 8"


def test_date_words_column_is_dictionary_encoded() -> None:
    out = date_words(pd.Series(["2020-05~", "2020-05~", None, "2020-10-23/.."]))
    assert out["c"][0] == out["c"][1] and out["c"][2] == -1
    assert sorted(out["u"]) == ["c. May 2020", "since 23 Oct 2020"]


# --- datetext -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2020-05", "May 2020"),
        ("2020-05-18", "18 May 2020"),
        ("2020", "2020"),
        ("2020-W21", "week 21 of 2020"),
        ("2020-05~", "c. May 2020"),
        ("2020-05?", "May 2020 (uncertain)"),
        ("2020-05%", "c. May 2020 (uncertain)"),
        ("2020-10-23/..", "since 23 Oct 2020"),
        ("2020-10-23/", "since 23 Oct 2020"),
        ("../2020-05", "until May 2020"),
        ("2024-12-01/2024-12-18", "1 Dec 2024 \u2013 18 Dec 2024"),
        ("2024-03-01~/2024-03-10~", "c. 1 Mar 2024 \u2013 10 Mar 2024"),
        ("2024-03-01/2024-03-10?", "1 Mar 2024 \u2013 10 Mar 2024 (uncertain)"),
        ("not a date", "not a date"),
        ("", ""),
    ],
)
def test_readable_date(text: str, words: str) -> None:
    assert readable_date(text) == words


@pytest.mark.parametrize(
    ("start", "end", "kw", "text"),
    [
        ("2024-12-13", "2024-12-13", {}, "2024-12-13"),
        ("2024-12-01", "2024-12-31", {}, "2024-12"),
        ("2024-01-01", "2024-12-31", {}, "2024"),
        ("2024-01-01", "2024-04-30", {}, "2024-01/2024-04"),
        ("2019-01-01", "2020-12-31", {}, "2019/2020"),
        ("2024-12-09", "2024-12-15", {"week": True}, "2024-W50"),
        ("2024-12-09", "2024-12-15", {}, "2024-12-09/2024-12-15"),
        ("2024-03-01", "2024-03-10", {"approximate": True}, "2024-03-01~/2024-03-10~"),
        ("2020-05-01", "2020-05-31", {"uncertain": True}, "2020-05?"),
        ("2020-05-01", "2020-05-31", {"uncertain": True, "approximate": True}, "2020-05%"),
        ("2024-12-08", None, {}, "2024-12-08/.."),
        (None, "2020-05-31", {}, "../2020-05-31"),
    ],
)
def test_format_span_round_trips(start: str | None, end: str | None, kw: dict, text: str) -> None:
    import datetime as dt

    from geo.dates import parse_dates

    s = dt.date.fromisoformat(start) if start else None
    e = dt.date.fromisoformat(end) if end else None
    assert format_span(s, e, **kw) == text
    back = parse_dates([text]).iloc[0]
    assert back[col.DATE_PROBLEM] is None
    if s is not None:
        assert back[col.DATE_START] == pd.Timestamp(s)
    if e is not None:
        assert back[col.DATE_END] == pd.Timestamp(e)


def test_precision_of_days_matches_settings() -> None:
    assert [precision_of_days(n) for n in (1, 2, 7, 8, 31, 32, 366, 367)] == [
        "day", "week", "week", "month", "month", "year", "year", "coarser"
    ]


def test_reported_words_that_do_not_fit_the_date_are_a_warning(
    tmp_path: Path, index: PlaceIndex
) -> None:
    d = ledger(
        tmp_path,
        [
            {"date": "2024-12-08/..", "date_as_reported": "since December 8"},  # fits
            {"date": "2024-11", "date_as_reported": "since December 8"},  # does not
            {"date": "2024-12-12", "date_as_reported": "Thursday last week"},  # fits (pub. Thu 19)
            {"date": "2024-12-05", "date_as_reported": "Thursday last week"},  # does not
            {"date": "2024-12-14", "date_as_reported": "the following day"},  # not judged
            {"date": "2024-12-14", "date_as_reported": "per a Libyan official"},  # not judged
            {"date": "../2024-12-01", "date_as_reported": "yesterday"},  # does not
        ],
        extra=(col.DATE_AS_REPORTED,),
    )
    result = check_ledger(d / "transfers.csv", d / "sources.csv", index)
    assert result.ok and result.problems == []
    warned = [w for w in result.warnings if w.column == col.DATE_AS_REPORTED]
    assert [(w.line, w.value) for w in warned] == [
        (3, "since December 8"),
        (5, "Thursday last week"),
        (8, "yesterday"),
    ]
    assert "2024-12-08/.." in warned[0].message and "'2024-11'" in warned[0].message
    assert "movemap date 'since December 8' --published 2024-12-19" in warned[0].hint
    assert all(w.severity == "warning" for w in warned)
