from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import settings
from geo._errors import LedgerError
from geo.columns import (
    CARRIER,
    DATE_END,
    DATE_START,
    FROM,
    FROM_ID,
    FROM_LAT,
    FROM_LON,
    FROM_NAME,
    FROM_PRECISION,
    FROM_UNKNOWN,
    LAT,
    LEG,
    LON,
    MODE,
    SOURCE_ID,
    SOURCE_IDS,
    SOURCE_LINE,
    STATUS,
    TO_ID,
    TO_LAT,
    TO_LON,
    TO_NAME,
    TO_PRECISION,
    TO_UNKNOWN,
    TRANSFER_ID,
)
from geo.gazetteer import read_gazetteer
from geo.geocode import PlaceIndex
from geo.ledger import (
    OPTIONAL_COLUMNS,
    SOURCES_COLUMNS,
    TRANSFERS_COLUMNS,
    check_ledger,
    read_ledger,
    read_sources,
)
from geo.ledger_extra import EXTRA_LEG_COLUMNS
from geo.paths import REPO_ROOT

SOURCES_OK = """\
source_id,outlet,title,published,url,relays
s1,Outlet One,Title one,2024-12-19,https://example.org/a,The Wall Street Journal
s2,Outlet Two,Title two,undated,,
"""

# A ledger with every kind of bad row at once. Line numbers are the file's
# (header = line 1); the comment after each row says what is wrong with it.
BAD_TRANSFERS = """\
transfer_id,leg,from,to,date,date_precision,equipment,category,quantity,actor,mode,carrier,status,source_ids,note
T1,1,watiya_ab,zawiya,2020-05,month,Pantsir,air_defence,1,GNA,road,,reported,s1,
T1,2,zuwara,zuwara_airport,2020-06,month,Pantsir,air_defence,1,GNA,road,,reported,s1,
T1,2,zawiya,zuwara,2020-06,month,Pantsir,air_defence,1,GNA,road,,reported,s1,
T1,4,zuwara_airport,ramstein_ab,2020-06,month,Pantsir,air_defence,1,USAF,air,C-17,reported,s1,
T2,one,libya,mali,2024,year,cargo,other,,Russia,air,,reported,s1,
T3,1,Zuwarra Airprt,mali,2024,year,cargo,other,,Russia,air,,reported,s1,
T4,1,Tripoli,mali,2024,year,cargo,other,,Russia,air,,reported,s1,
T5,1,libya,mali,2020-02-30,day,cargo,other,,Russia,air,,reported,s1,
T6,1,libya,mali,2020-06/2020-05,year,cargo,other,,Russia,air,,reported,s1,
T7,1,libya,mali,2020-05,day,cargo,other,,Russia,air,,reported,s1,
T8,1,libya,mali,2024,yeer,cargo,air defence,,Russia,by air,,confimed,s1,
T9,1,libya,mali,2024,year,cargo,other,,Russia,air,,reported,s1;wsj_2024,
T10,1,libya,mali,2024,year,,other,,,air,,reported,s1,
T11,1,libya,mali,2024,year,cargo,other,,Russia,air,,reported,s1,note,extra
T12,1,?base @ nowhere land,mali,2024,year,cargo,other,,Russia,air,,reported,s1,
T13,2,libya,mali,2024,year,cargo,other,,Russia,air,,reported,s1,
T14,1,?a @ b @ c,mali,2024,year,cargo,other,,Russia,air,,reported,s1,
T15,1,?x @,mali,2024,year,cargo,other,,Russia,air,,reported,s1,
,1,libya,mali,2024,year,cargo,other,,Russia,air,,reported,s1,
T16,1,libya,mali,2024,year,cargo,other,,Russia,air,,reported,s1;s1,
T17,0,libya,mali,2024,year,cargo,other,,Russia,air,,reported,s1,
T18,1,libya,?Turkish base @ western_libya,2024,year,x,other,,R,air,,reported,s1,
T18,2,?turkish  BASE @ Tripolitania,zuwara_airport,2024,year,x,other,,R,air,,reported,s1,
"""

BAD_SOURCES = """\
source_id,outlet,title,published,url,relays
s1,Outlet One,Title one,2024-12-19,https://example.org/a,WSJ
s2,Outlet Two,Title two,undated,,
s2,Outlet Dup,Title dup,2024-12-20,,
s3,,Title three,Dec 2024,www.example.org,
unused,Outlet U,Title U,2020,,
"""

# (file, line, column, part of the message) of every problem BAD_* must raise.
EXPECTED_ERRORS = [
    ("transfers.csv", 3, FROM, "ends at 'zawiya'"),  # legs do not chain
    ("transfers.csv", 4, LEG, "duplicate leg number in this transfer (first on line 3)"),
    ("transfers.csv", 5, LEG, "jumps from leg 2 to leg 4"),
    ("transfers.csv", 6, LEG, "not a positive whole number"),
    ("transfers.csv", 7, FROM, "unknown place"),
    ("transfers.csv", 8, FROM, "ambiguous place"),
    ("transfers.csv", 9, "date", "not a real calendar date"),
    ("transfers.csv", 10, "date", "interval ends before it starts"),
    ("transfers.csv", 11, "date_precision", "does not match the date"),
    ("transfers.csv", 12, "date_precision", "unknown date_precision"),
    ("transfers.csv", 12, "category", "unknown category"),
    ("transfers.csv", 12, MODE, "unknown mode"),
    ("transfers.csv", 12, STATUS, "unknown status"),
    ("transfers.csv", 13, SOURCE_IDS, "'wsj_2024' is not in sources.csv"),
    ("transfers.csv", 14, "equipment", "empty equipment"),
    ("transfers.csv", 14, "actor", "empty actor"),
    ("transfers.csv", 15, None, "row has 16 fields but the header has 15"),
    ("transfers.csv", 16, FROM, "unknown area of an unknown stop"),
    ("transfers.csv", 17, LEG, "starts at leg 2, not 1"),
    ("transfers.csv", 18, FROM, "more than one '@'"),
    ("transfers.csv", 19, FROM, "has '@' but no area"),
    ("transfers.csv", 20, TRANSFER_ID, "empty transfer_id"),
    ("transfers.csv", 22, LEG, "not a positive whole number"),
    ("sources.csv", 4, SOURCE_ID, "duplicate source id (first on line 3)"),
    ("sources.csv", 5, "outlet", "empty outlet"),
    ("sources.csv", 5, "published", "not an ISO date"),
    ("sources.csv", 5, "url", "not an http(s) address"),
]
EXPECTED_WARNINGS = [
    ("transfers.csv", 21, SOURCE_IDS, "source id listed twice"),
    ("sources.csv", 3, SOURCE_ID, "not cited by any leg"),
    ("sources.csv", 6, SOURCE_ID, "not cited by any leg"),
]


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    """The real index over the bundled gazetteer."""
    return PlaceIndex(read_gazetteer(REPO_ROOT / settings.GAZETTEER_FILE))


def write(folder: Path, transfers: str, sources: str = SOURCES_OK) -> tuple[Path, Path]:
    t, s = folder / "transfers.csv", folder / "sources.csv"
    t.write_text(transfers, encoding="utf-8")
    s.write_text(sources, encoding="utf-8")
    return t, s


def ledger_text(rows: Iterable[dict[str, object]]) -> str:
    """A transfers.csv with the given rows (unset columns get valid defaults)."""
    defaults = {
        "transfer_id": "T",
        "leg": 1,
        "from": "libya",
        "to": "mali",
        "date": "2024-12-13",
        "date_precision": "day",
        "equipment": "cargo",
        "category": "other",
        "quantity": "",
        "actor": "Russia",
        "mode": "air",
        "carrier": "",
        "status": "reported",
        "source_ids": "s1;s2",
        "note": "",
    }
    lines = [",".join(TRANSFERS_COLUMNS)]
    for row in rows:
        values = {**defaults, **row}
        lines.append(",".join(_quote(str(values[c])) for c in TRANSFERS_COLUMNS))
    return "\n".join(lines) + "\n"


def _quote(cell: str) -> str:
    return f'"{cell}"' if any(c in cell for c in ',"\n') else cell


def keyed(problems: Iterable[object]) -> list[tuple[str, int | None, str | None, str]]:
    return [(Path(p.file).name, p.line, p.column, p.message) for p in problems]  # type: ignore[attr-defined]


# --- the bad ledger -------------------------------------------------------


def test_every_kind_of_bad_row_is_named_with_line_and_column(
    tmp_path: Path, index: PlaceIndex
) -> None:
    t, s = write(tmp_path, BAD_TRANSFERS, BAD_SOURCES)
    result = check_ledger(t, s, index)
    found = keyed(result.problems)
    for file, line, column, text in EXPECTED_ERRORS:
        assert any(
            f == file and ln == line and col == column and text in msg for f, ln, col, msg in found
        ), f"missing {file}:{line} {column} {text!r}; got {found}"
    # Nothing else: every error is one we expect.
    assert len(found) == len(EXPECTED_ERRORS), found
    warned = keyed(result.warnings)
    for file, line, column, text in EXPECTED_WARNINGS:
        assert any(
            f == file and ln == line and col == column and text in msg for f, ln, col, msg in warned
        ), warned
    assert len(warned) == len(EXPECTED_WARNINGS)


def test_bad_ledger_problems_carry_value_and_hint(tmp_path: Path, index: PlaceIndex) -> None:
    t, s = write(tmp_path, BAD_TRANSFERS, BAD_SOURCES)
    by_line = {(Path(p.file).name, p.line, p.column): p for p in check_ledger(t, s, index).problems}
    unknown = by_line[("transfers.csv", 7, FROM)]
    assert unknown.value == "Zuwarra Airprt"
    assert "did you mean 'Zuwara Airport'" in unknown.hint
    ambiguous = by_line[("transfers.csv", 8, FROM)]
    assert "'tripoli'" in ambiguous.hint and "'tripoli_lb'" in ambiguous.hint
    assert "did you mean 'year'" in by_line[("transfers.csv", 12, "date_precision")].hint
    assert "did you mean 'air_defence'" in by_line[("transfers.csv", 12, "category")].hint
    assert "did you mean 'confirmed'" in by_line[("transfers.csv", 12, STATUS)].hint
    assert by_line[("transfers.csv", 13, SOURCE_IDS)].value == "wsj_2024"
    assert "'month'" in by_line[("transfers.csv", 11, "date_precision")].hint
    chain = by_line[("transfers.csv", 3, FROM)]
    assert chain.value == "zuwara" and "line 2" in chain.message


def test_bad_ledger_counts_reconcile(tmp_path: Path, index: PlaceIndex) -> None:
    t, s = write(tmp_path, BAD_TRANSFERS, BAD_SOURCES)
    result = check_ledger(t, s, index)
    n_file_rows = len(BAD_TRANSFERS.splitlines()) - 1
    assert result.n_rows == n_file_rows == 23
    assert len(result.legs) + len(result.rejected) == result.n_rows
    error_lines = {p.line for p in result.problems if Path(p.file).name == "transfers.csv"}
    assert set(result.rejected[SOURCE_LINE]) == error_lines
    assert set(result.legs[SOURCE_LINE]) == {2, 21, 23, 24}
    # sources.csv too: the duplicate and the broken row are rejected.
    assert result.n_source_rows == 5
    assert len(result.sources) + len(result.rejected_sources) == result.n_source_rows
    assert set(result.rejected_sources[SOURCE_LINE]) == {4, 5}


def test_read_ledger_raises_one_error_with_everything(tmp_path: Path, index: PlaceIndex) -> None:
    t, s = write(tmp_path, BAD_TRANSFERS, BAD_SOURCES)
    with pytest.raises(LedgerError) as info:
        read_ledger(t, s, index)
    err = info.value
    assert len([p for p in err.problems if p.severity == "error"]) == len(EXPECTED_ERRORS)
    assert str(err).startswith(f"{len(EXPECTED_ERRORS)} problem(s) in the input:")
    assert f"{t}:12: column 'status': unknown status (value 'confimed')" in str(err)
    assert any(p.severity == "warning" for p in err.problems)


def test_unknown_stops_chain_by_normalized_text_and_area(tmp_path: Path, index: PlaceIndex) -> None:
    # Lines 23-24 of the bad ledger: different case/spacing and an area alias still chain.
    t, s = write(tmp_path, BAD_TRANSFERS, BAD_SOURCES)
    legs = check_ledger(t, s, index).legs
    t18 = legs[legs[TRANSFER_ID] == "T18"]
    assert list(t18[LEG]) == [1, 2]
    assert t18[TO_ID].iloc[0] == t18[FROM_ID].iloc[1] == "western_libya"


def test_unknown_stops_with_different_text_do_not_chain(tmp_path: Path, index: PlaceIndex) -> None:
    text = ledger_text(
        [
            {"transfer_id": "T", "leg": 1, "to": "?depot A @ libya"},
            {"transfer_id": "T", "leg": 2, "from": "?depot B @ libya"},
        ]
    )
    result = check_ledger(*write(tmp_path, text), index)
    assert keyed(result.problems) == [
        (
            "transfers.csv",
            3,
            FROM,
            "leg 2 of 'T' starts here, but leg 1 (line 2) ends at '?depot A @ libya'",
        )
    ]


def test_place_names_and_aliases_chain_with_ids(tmp_path: Path, index: PlaceIndex) -> None:
    text = ledger_text(
        [
            {"transfer_id": "T", "leg": 1, "from": "Watiya", "to": "Az Zawiyah"},
            {"transfer_id": "T", "leg": 2, "from": "zawiya", "to": "Zwara Airport"},
        ]
    )
    result = read_ledger(*write(tmp_path, text), index)
    assert list(result.legs[FROM_ID]) == ["watiya_ab", "zawiya"]
    assert list(result.legs[TO_ID]) == ["zawiya", "zuwara_airport"]


# --- the contract --------------------------------------------------------


def test_leg_table_columns_types_and_order(tmp_path: Path, index: PlaceIndex) -> None:
    text = ledger_text(
        [
            {"transfer_id": "B", "leg": 2, "from": "syria", "to": "?bases @ eastern_libya"},
            {"transfer_id": "B", "leg": 1, "from": "russia", "to": "syria", "quantity": "14"},
            {"transfer_id": "A", "leg": 1, "date": "2024-12", "date_precision": "month"},
        ]
    )
    legs = read_ledger(*write(tmp_path, text), index).legs
    assert list(legs.columns) == [
        *TRANSFERS_COLUMNS,
        SOURCE_LINE,
        FROM_ID,
        TO_ID,
        FROM_NAME,
        TO_NAME,
        FROM_LON,
        FROM_LAT,
        TO_LON,
        TO_LAT,
        FROM_PRECISION,
        TO_PRECISION,
        FROM_UNKNOWN,
        TO_UNKNOWN,
        DATE_START,
        DATE_END,
        "date_approximate",
        "date_uncertain",
        "date_open_start",
        "date_open_end",
        *OPTIONAL_COLUMNS,
        *EXTRA_LEG_COLUMNS,
    ]
    assert list(zip(legs[TRANSFER_ID], legs[LEG], strict=True)) == [("A", 1), ("B", 1), ("B", 2)]
    assert legs[LEG].dtype == np.int64
    assert legs[SOURCE_LINE].tolist() == [4, 3, 2]
    assert legs[SOURCE_IDS].tolist() == [("s1", "s2")] * 3
    assert legs["quantity"].tolist() == ["", "14", ""]
    assert legs[FROM_UNKNOWN].dtype == bool and legs[TO_UNKNOWN].tolist() == [False] * 2 + [True]
    assert pd.api.types.is_datetime64_any_dtype(legs[DATE_START])
    assert legs[DATE_START].iloc[0] == pd.Timestamp("2024-12-01")
    assert legs[DATE_END].iloc[0] == pd.Timestamp("2024-12-31")


@pytest.mark.parametrize(
    ("stop", "place_id", "name", "precision"),
    [
        ("?base housing Turkish personnel", None, "base housing Turkish personnel", None),
        ("?depot @ libya", "libya", "depot", "country"),
        ("? depot  @  Tripolitania", "western_libya", "depot", "region"),
        ("?hangar @ Zuwara Airport", "zuwara_airport", "hangar", "site"),
    ],
)
def test_unknown_stop_forms(
    tmp_path: Path,
    index: PlaceIndex,
    stop: str,
    place_id: str | None,
    name: str,
    precision: str | None,
) -> None:
    legs = read_ledger(*write(tmp_path, ledger_text([{"to": stop}])), index).legs
    leg = legs.iloc[0]
    assert leg[TO_UNKNOWN]
    assert leg[TO_NAME] == name
    assert leg[TO_ID] == place_id
    assert leg[TO_PRECISION] == precision
    if place_id is None:
        assert math.isnan(leg[TO_LON]) and math.isnan(leg[TO_LAT])
    else:
        row = index.places.loc[place_id]
        assert (leg[TO_LON], leg[TO_LAT]) == pytest.approx((row[LON], row[LAT]))


def test_resolve_is_called_once_for_all_names(tmp_path: Path, index: PlaceIndex) -> None:
    calls: list[list[object]] = []

    class Counting(PlaceIndex):
        def resolve(self, names):  # type: ignore[no-untyped-def]
            calls.append(list(names))
            return super().resolve(names)

    counting = Counting(index.places)
    text = ledger_text(
        [
            {"transfer_id": "T", "leg": 1, "from": "russia", "to": "?x @ syria"},
            {"transfer_id": "T", "leg": 2, "from": "?x @ syria", "to": "Jufra"},
            {"transfer_id": "U", "leg": 1, "from": "russia", "to": "Nowhere"},
        ]
    )
    check_ledger(*write(tmp_path, text), counting)
    assert len(calls) == 1
    assert sorted(map(str, calls[0])) == ["Jufra", "Nowhere", "russia", "syria"]


def test_line_numbers_survive_blank_lines_and_quoted_newlines(
    tmp_path: Path, index: PlaceIndex
) -> None:
    header = ",".join(TRANSFERS_COLUMNS)
    good = "T,1,libya,mali,2024,year,cargo,other,,Russia,air,,reported,s1;s2,"  # note follows
    text = (
        f"{header}\n\n"  # line 2 is blank
        f'{good}"a note\nover two lines"\n'  # lines 3-4 (note gains a line)
        "\n"  # line 5 blank
        "U,1,libya,mali,2024,year,cargo,other,,Russia,air,,reported,s1;s2;nope,\n"  # line 6
    )
    result = check_ledger(*write(tmp_path, text), index)
    assert [(p.line, p.column) for p in result.problems] == [(6, SOURCE_IDS)]
    assert result.legs[SOURCE_LINE].tolist() == [3]
    assert result.legs["note"].iloc[0] == "a note\nover two lines"


def test_missing_and_unexpected_columns(tmp_path: Path, index: PlaceIndex) -> None:
    header = [c for c in TRANSFERS_COLUMNS if c not in (MODE, STATUS, CARRIER)]
    header += ["carier", "comment"]
    row = {c: "x" for c in header}
    text = ",".join(header) + "\n" + ",".join(row.values()) + "\n"
    result = check_ledger(*write(tmp_path, text), index)
    found = {(p.line, p.column): p for p in result.problems}
    assert "missing column 'mode'" in found[(1, MODE)].message
    assert "missing column 'status'" in found[(1, STATUS)].message
    assert found[(1, "carier")].hint == "did you mean 'carrier'?"
    assert found[(1, "comment")].message == "unexpected column"
    # No row can be checked without its columns, so the row is rejected.
    assert result.n_rows == 1 and result.legs.empty and len(result.rejected) == 1


def test_missing_and_empty_files(tmp_path: Path, index: PlaceIndex) -> None:
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    result = check_ledger(tmp_path / "nope.csv", tmp_path / "empty.csv", index)
    messages = {(Path(p.file).name, p.message) for p in result.problems}
    assert ("nope.csv", "file not found") in messages
    assert ("empty.csv", "file is empty") in messages
    assert result.n_rows == 0 and result.legs.empty


def test_short_header_and_no_rows_reports_both(tmp_path: Path, index: PlaceIndex) -> None:
    # Problems with and without a line number in one file sort together.
    result = check_ledger(*write(tmp_path, "transfer_id,leg\n", "source_id\n"), index)
    found = {(Path(p.file).name, p.line, p.column) for p in result.problems}
    assert ("transfers.csv", None, None) in found  # no legs
    assert ("transfers.csv", 1, "status") in found
    assert ("sources.csv", 1, "outlet") in found
    assert result.n_rows == 0 and result.legs.empty


def test_header_only_ledger_is_an_error(tmp_path: Path, index: PlaceIndex) -> None:
    result = check_ledger(*write(tmp_path, ",".join(TRANSFERS_COLUMNS) + "\n"), index)
    assert [p.message for p in result.problems] == ["no legs"]


# --- sources.csv ---------------------------------------------------------


def test_read_sources_ok(tmp_path: Path) -> None:
    _, s = write(tmp_path, "", SOURCES_OK)
    sources = read_sources(s)
    assert list(sources.columns) == [*SOURCES_COLUMNS, SOURCE_LINE]
    assert sources[SOURCE_ID].tolist() == ["s1", "s2"]
    assert sources[SOURCE_LINE].tolist() == [2, 3]
    assert sources["url"].tolist() == ["https://example.org/a", ""]


def test_read_sources_reports_every_problem(tmp_path: Path) -> None:
    _, s = write(tmp_path, "", BAD_SOURCES + "bad id,O,T,2020-02-30,,\n")
    with pytest.raises(LedgerError) as info:
        read_sources(s)
    found = {(p.line, p.column) for p in info.value.problems}
    assert found == {
        (4, SOURCE_ID),
        (5, "outlet"),
        (5, "published"),
        (5, "url"),
        (7, SOURCE_ID),
        (7, "published"),
    }


# --- the bundled ledger ---------------------------------------------------


@pytest.fixture(scope="module")
def bundled(index: PlaceIndex) -> pd.DataFrame:
    result = read_ledger(
        REPO_ROOT / settings.TRANSFERS_FILE, REPO_ROOT / settings.SOURCES_FILE, index
    )
    assert result.warnings == []
    return result.legs


def test_bundled_ledger_loads_clean_and_reconciles(index: PlaceIndex) -> None:
    result = check_ledger(
        REPO_ROOT / settings.TRANSFERS_FILE, REPO_ROOT / settings.SOURCES_FILE, index
    )
    assert result.problems == [] and result.warnings == []
    with open(REPO_ROOT / settings.TRANSFERS_FILE, newline="", encoding="utf-8") as fh:
        n_rows = sum(1 for _ in csv.reader(fh)) - 1
    assert len(result.legs) == result.n_rows == n_rows
    # Every source is cited, and every cited source exists.
    cited = set(result.legs[SOURCE_IDS].explode())
    assert cited == set(result.sources[SOURCE_ID])


def test_bundled_legs_chain(bundled: pd.DataFrame) -> None:
    nxt = bundled.groupby(TRANSFER_ID).shift(-1)
    has_next = nxt[LEG].notna()
    assert (nxt[LEG][has_next] == bundled[LEG][has_next] + 1).all()
    same_id = bundled[TO_ID][has_next] == nxt[FROM_ID][has_next]
    same_name = bundled[TO_NAME][has_next] == nxt[FROM_NAME][has_next]
    assert (same_id & same_name).all()


def test_bundled_pantsir_exfiltration(bundled: pd.DataFrame) -> None:
    legs = bundled[bundled[TRANSFER_ID] == "pantsir-exfil"]
    stops = [legs[FROM_ID].iloc[0], *legs[TO_ID]]
    assert stops == ["watiya_ab", "zawiya", "western_libya", "zuwara_airport", "ramstein_ab"]
    assert legs[TO_UNKNOWN].tolist() == [False, True, False, False]
    assert "Turkish personnel" in legs[TO_NAME].iloc[1]
    last = legs.iloc[-1]
    assert last[MODE] == "air" and "C-17" in last[CARRIER]
    assert (legs[DATE_END] <= pd.Timestamp("2020-06-30")).all()


@pytest.mark.parametrize(
    ("transfer", "status", "origin", "destination"),
    [
        ("pantsir-supply", "reported", "russia", "libya"),
        ("ru-syria-libya-radars-2024", "reported", "syria", "eastern_libya"),
        ("ru-khmeimim-libya-2024", "reported", "khmeimim_ab", "eastern_libya"),
        ("ru-tartus-libya-2024", "reported", "tartus_naval_base", "eastern_libya"),
        ("rubistar-minsk-libya-2024", "reported", "minsk", "libya"),
        ("ru-libya-mali-flight-1-2024", "reported", "libya", "mali"),
        ("ru-libya-mali-flight-2-2024", "reported", "libya", "mali"),
        ("ru-tobruk-warships-plan", "planned", None, "tobruk_port"),
        ("ru-jets-libya-2020", "assessed", "russia", "jufra_ab"),
        ("wagner-armour-sirte-2020", "assessed", "russia", "sirte"),
        ("ru-sa22-2020", "assessed", "russia", "libya"),
        ("tr-syrian-fighters-2020", "reported", "syria", "western_libya"),
        ("tr-tb2-gna-2019", "reported", "turkey", "western_libya"),
    ],
)
def test_bundled_transfers(
    bundled: pd.DataFrame, transfer: str, status: str, origin: str | None, destination: str
) -> None:
    legs = bundled[bundled[TRANSFER_ID] == transfer]
    assert not legs.empty
    assert set(legs[STATUS]) == {status}
    assert legs[FROM_ID].iloc[0] == origin
    assert legs[TO_ID].iloc[-1] == destination


def test_bundled_rubistar_flight_is_dated_to_the_day(bundled: pd.DataFrame) -> None:
    leg = bundled[bundled[TRANSFER_ID] == "rubistar-minsk-libya-2024"].iloc[0]
    assert leg[DATE_START] == leg[DATE_END] == pd.Timestamp("2024-12-13")
    assert leg["date_precision"] == "day"
