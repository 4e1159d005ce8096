# ruff: noqa: E501
"""Bad inputs and faults, table-driven: every one ends in a located error or a correct result.

Each case copies the bundled inputs into a temporary folder, breaks one
thing, runs a ``movemap`` command in-process and checks:

- the exit code (0 ok, 1 bad input, 2 bad arguments, 3 output not writable);
- that stderr names the problem where it is (``file:line:column``,
  ``file:line`` or ``feature n``), with patterns that must appear and
  patterns that must not (e.g. no invented gap, no "swapped" for lat 95);
- that there is never a traceback;
- that counts reconcile: every data row of every CSV file is either in
  the output or named by an error (and never both), every zone feature
  is either loaded or named by an error.

Cases are written against the files' headers, not their contents, so
other work on the bundled ledger does not break them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _helpers import copy_inputs

from geo import settings
from geo._csv import read_records
from geo._errors import InputError, Problem
from geo.columns import SOURCE_LINE
from layers.cli import main

GAZ, LEDGER, SOURCES, ZONES = (
    settings.GAZETTEER_FILE,
    settings.TRANSFERS_FILE,
    settings.SOURCES_FILE,
    settings.ZONES_FILE,
)
INPUTS = (GAZ, LEDGER, SOURCES, ZONES)


# --------------------------------------------------------------------------- helpers


def header(folder: Path, name: str) -> list[str]:
    with open(folder / name, newline="", encoding="utf-8-sig") as fh:
        return next(csv.reader(fh))


def n_lines(folder: Path, name: str) -> int:
    """Physical lines in the file (the next appended line gets this number + 1)."""
    data = (folder / name).read_bytes()
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def csv_line(cells: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(cells)
    return buf.getvalue()


LEG_DEFAULTS = {
    "transfer_id": "t-test",
    "leg": "1",
    "from": "minsk",
    "to": "libya",
    "date": "2024-12-13",
    "date_precision": "day",
    "equipment": "test cargo",
    "category": "other",
    "actor": "unknown operator",
    "mode": "air",
    "status": "reported",
    "source_ids": "euromaidan_2024_12_19",
}
PLACE_DEFAULTS = {
    "id": "testplace",
    "name": "Testplace Qx",
    "kind": "city",
    "country": "LY",
    "lat": "32.80",
    "lon": "13.10",
    "precision": "city",
    "coord_source": "test",
}
SOURCE_DEFAULTS = {
    "source_id": "test_source",
    "outlet": "Test Outlet",
    "title": "Test title",
    "published": "2024-01-01",
    "url": "https://example.org/a",
}


def row_text(folder: Path, file: str, defaults: dict[str, str], /, **cells: str) -> str:
    cols = header(folder, file)
    values = {**defaults, **{k.rstrip("_"): v for k, v in cells.items()}}
    return csv_line([values.get(c, "") for c in cols])


def append(folder: Path, name: str, *texts: str | bytes) -> int:
    """Append raw lines; return the line number of the first one."""
    path = folder / name
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        data += b"\n"
    first = data.count(b"\n") + 1
    for t in texts:
        data += t if isinstance(t, bytes) else t.encode("utf-8")
    path.write_bytes(data)
    return first


def leg(folder: Path, **cells: str) -> str:
    return row_text(folder, LEDGER, LEG_DEFAULTS, **cells)


def place(folder: Path, **cells: str) -> str:
    return row_text(folder, GAZ, PLACE_DEFAULTS, **cells)


def source(folder: Path, **cells: str) -> str:
    return row_text(folder, SOURCES, SOURCE_DEFAULTS, **cells)


def zones_doc(folder: Path) -> dict:
    return json.loads((folder / ZONES).read_text(encoding="utf-8"))


def write_zones(folder: Path, doc: object) -> None:
    (folder / ZONES).write_text(json.dumps(doc, indent=1), encoding="utf-8")


def feature_index(folder: Path, zone_id: str) -> int:
    feats = zones_doc(folder)["features"]
    return next(i for i, f in enumerate(feats) if f["properties"]["zone_id"] == zone_id)


def edit_feature(folder: Path, zone_id: str, change: Callable[[dict], None]) -> int:
    doc = zones_doc(folder)
    i = feature_index(folder, zone_id)
    change(doc["features"][i])
    write_zones(folder, doc)
    return i


def rewrite_delimiter(folder: Path, name: str, delimiter: str) -> None:
    with open(folder / name, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    (folder / name).write_text(buf.getvalue(), encoding="utf-8")


def drop_column(folder: Path, name: str, column: str) -> None:
    with open(folder / name, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    k = rows[0].index(column)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([r[:k] + r[k + 1 :] for r in rows])
    (folder / name).write_text(buf.getvalue(), encoding="utf-8")


def rename_column(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    first, rest = text.split("\n", 1)
    path.write_text(",".join(new if c == old else c for c in first.split(",")) + "\n" + rest)


# --------------------------------------------------------------------------- the table


@dataclass
class Case:
    """One bad input or fault.

    ``setup`` breaks the copied data folder and returns a dict of values
    the expected patterns use (``{line}``, ``{col}``, ``{feature}``...);
    ``{d}`` is always the data folder. ``argv`` gets ``--data`` appended
    unless ``data`` is False.
    """

    name: str
    setup: Callable[[Path], dict[str, object] | None]
    code: int
    expect: list[str]
    absent: list[str] = field(default_factory=list)
    argv: list[str] = field(default_factory=lambda: ["validate"])
    data: bool = True
    reconcile: bool = True


def _latin1_note(d: Path) -> dict[str, object]:
    text = leg(d, note="caf\u00e9 note").encode("utf-8").replace("é".encode(), b"\xe9")
    line = append(d, LEDGER, text)
    return {"line": line, "col": text.index(b"\xe9") + 1}


def _latin1_and_bad_kind(d: Path) -> dict[str, object]:
    info = _latin1_note(d)
    info["gline"] = append(d, GAZ, place(d, kind="airbse"))
    return info


def _control(d: Path, char: str, column: str) -> dict[str, object]:
    text = leg(d, **{column: f"a{char}b"})
    line = append(d, LEDGER, text)
    return {"line": line, "col": text.index(char) + 1}


def _big_field(d: Path) -> dict[str, object]:
    text = leg(d, note="x" * 1_000_000)
    line = append(d, LEDGER, text)
    cells = header(d, LEDGER)
    return {"line": line, "cell": cells.index("note") + 1}


def _unclosed_quote(d: Path) -> dict[str, object]:
    good = leg(d, transfer_id="t-after")
    broken = leg(d).rstrip("\n")
    # The last cell (note) opens a quote and the file ends before it closes.
    cut = broken.rfind(",") + 1
    broken = broken[:cut] + '"never closed\n'
    line = append(d, LEDGER, broken, good, leg(d, transfer_id="t-after2"))
    return {"line": line, "col": cut + 1, "end": line + 2}


def _swallowing_quote(d: Path) -> dict[str, object]:
    opening = leg(d).rstrip("\n")
    cut = opening.rfind(",") + 1
    opening = opening[:cut] + '"starts here\n'
    closing = leg(d, transfer_id="t-3").rstrip("\n") + '"\n'
    line = append(d, LEDGER, opening, leg(d, transfer_id="t-2"), closing)
    return {"line": line, "col": cut + 1, "end": line + 2}


def _gap_after_bad_leg(d: Path) -> dict[str, object]:
    line = append(
        d,
        LEDGER,
        leg(d, transfer_id="t-gap", leg="1", from_="minsk", to="libya"),
        leg(d, transfer_id="t-gap", leg="two", from_="libya", to="mali"),
        leg(d, transfer_id="t-gap", leg="3", from_="mali", to="libya"),
    )
    return {"line": line + 1}


def _gap_after_short_row(d: Path) -> dict[str, object]:
    line = append(
        d,
        LEDGER,
        leg(d, transfer_id="t-gap", leg="1", from_="minsk", to="libya"),
        "t-gap,2,libya,mali\n",
        leg(d, transfer_id="t-gap", leg="3", from_="mali", to="libya"),
    )
    return {"line": line + 1, "n": len(header(d, LEDGER))}


def _leg_line(**cells: str) -> Callable[[Path], dict[str, object]]:
    def setup(d: Path) -> dict[str, object]:
        return {"line": append(d, LEDGER, leg(d, **cells))}

    return setup


def _place_line(**cells: str) -> Callable[[Path], dict[str, object]]:
    def setup(d: Path) -> dict[str, object]:
        return {"line": append(d, GAZ, place(d, **cells))}

    return setup


def _source_line(**cells: str) -> Callable[[Path], dict[str, object]]:
    def setup(d: Path) -> dict[str, object]:
        line = append(d, SOURCES, source(d, **cells))
        # Cite it, so the only problem is the one planted.
        sid = cells.get("source_id", SOURCE_DEFAULTS["source_id"])
        append(d, LEDGER, leg(d, transfer_id="t-cites", source_ids=sid))
        return {"line": line}

    return setup


def _two_legs(first: dict[str, str], second: dict[str, str]) -> Callable[[Path], dict]:
    def setup(d: Path) -> dict[str, object]:
        line = append(
            d, LEDGER, leg(d, transfer_id="t-two", **first), leg(d, transfer_id="t-two", **second)
        )
        return {"line": line, "line2": line + 1}

    return setup


def _zone(zone_id: str, change: Callable[[dict], None]) -> Callable[[Path], dict[str, object]]:
    def setup(d: Path) -> dict[str, object]:
        return {"feature": edit_feature(d, zone_id, change)}

    return setup


def _swap_coords(feat: dict) -> None:
    def swap(c: object) -> object:
        if isinstance(c, list) and c and isinstance(c[0], (int, float)):
            return [c[1], c[0]]
        return [swap(x) for x in c]  # type: ignore[union-attr]

    feat["geometry"]["coordinates"] = swap(feat["geometry"]["coordinates"])


def _set_prop(key: str, value: object) -> Callable[[dict], None]:
    def change(feat: dict) -> None:
        feat["properties"][key] = value

    return change


def _del_prop(key: str) -> Callable[[dict], None]:
    def change(feat: dict) -> None:
        del feat["properties"][key]

    return change


def _zones_text(text: str | bytes) -> Callable[[Path], None]:
    def setup(d: Path) -> None:
        path = d / ZONES
        path.write_bytes(text if isinstance(text, bytes) else text.encode())

    return setup


def _zones_trailing_comma(d: Path) -> dict[str, object]:
    (d / ZONES).write_text('{\n "type": "FeatureCollection",\n "features": [\n  1,\n ]\n}\n')
    return {}


def _zones_latin1(d: Path) -> dict[str, object]:
    doc = zones_doc(d)
    doc["features"][0]["properties"]["label"] = "Caf\u00e9"
    data = json.dumps(doc, indent=1, ensure_ascii=False).encode().replace("é".encode(), b"\xe9")
    (d / ZONES).write_bytes(data)
    before = data[: data.index(b"\xe9")]
    return {"line": before.count(b"\n") + 1, "col": len(before) - before.rfind(b"\n")}


def _duplicate_zone(d: Path) -> dict[str, object]:
    doc = zones_doc(d)
    doc["features"].append(json.loads(json.dumps(doc["features"][1])))
    write_zones(d, doc)
    return {"feature": len(doc["features"]) - 1}


def _remove(name: str) -> Callable[[Path], None]:
    return lambda d: (d / name).unlink()


def _as_folder(name: str) -> Callable[[Path], None]:
    def setup(d: Path) -> None:
        (d / name).unlink()
        (d / name).mkdir()

    return setup


def _write(name: str, text: str | bytes) -> Callable[[Path], None]:
    def setup(d: Path) -> None:
        (d / name).write_bytes(text if isinstance(text, bytes) else text.encode())

    return setup


def _header_only(name: str) -> Callable[[Path], None]:
    def setup(d: Path) -> None:
        (d / name).write_text(",".join(header(d, name)) + "\n", encoding="utf-8")

    return setup


def _crlf_bom(d: Path) -> None:
    path = d / LEDGER
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())


def _blank_lines(d: Path) -> None:
    path = d / LEDGER
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n\n".join(lines), encoding="utf-8")


def _out_file(d: Path) -> dict[str, object]:
    (d / "taken").write_text("not a folder")
    return {"out": d / "taken"}


def _out_folder(d: Path) -> dict[str, object]:
    (d / "folder.csv").mkdir()
    return {"out": d / "folder.csv"}


def _semicolon_gazetteer_and_bad_leg(d: Path) -> dict[str, object]:
    rewrite_delimiter(d, GAZ, ";")
    return {"line": append(d, LEDGER, leg(d, status="confrmed"))}


CASES: list[Case] = [
    # --- the cases ------------------------------------------------------------
    Case(
        "latin1_byte_gives_line_and_column",
        _latin1_note,
        1,
        [
            r"transfers\.csv:{line}:{col}: byte e9 at line {line}, column {col} is not UTF-8",
            r"Latin-1/Windows-1252 \(there it would be 'é'\)",
        ],
    ),
    Case(
        "latin1_byte_does_not_hide_other_files",
        _latin1_and_bad_kind,
        1,
        [
            r"transfers\.csv:{line}:{col}: byte e9",
            r"gazetteer\.csv:{gline}: column 'kind': unknown kind",
        ],
    ),
    Case(
        "nul_byte_in_note_is_an_error",
        lambda d: _control(d, "\x00", "note"),
        1,
        [r"transfers\.csv:{line}:{col}: control character U\+0000 at line {line}, column {col}"],
    ),
    Case(
        "escape_character_in_equipment",
        lambda d: _control(d, "\x1b", "equipment"),
        1,
        [r"transfers\.csv:{line}:{col}: control character U\+001B"],
    ),
    Case(
        "one_megabyte_field_named_with_right_hint",
        _big_field,
        1,
        [
            r"transfers\.csv:{line}:\d+: cell {cell} \(line {line}, column \d+\) is 1,000,000 characters",
            r"shorten it",
        ],
        absent=["save as UTF-8", "save it as UTF-8"],
    ),
    Case(
        "unclosed_quote_is_named",
        _unclosed_quote,
        1,
        [
            r"transfers\.csv:{line}:{col}: quote opened at line {line}, column {col} swallows lines "
            r"\d+-{end} \(it is never closed\)"
        ],
    ),
    Case(
        "quote_swallowing_rows_is_named",
        _swallowing_quote,
        1,
        [r"transfers\.csv:{line}:{col}: quote opened at line {line}, column {col} swallows lines"],
        absent=["never closed"],
    ),
    Case(
        "semicolon_delimited_ledger_names_the_delimiter",
        lambda d: rewrite_delimiter(d, LEDGER, ";"),
        1,
        [r"transfers\.csv:1: the file is delimited by ';' \(semicolon\), not ','"],
        absent=[r"transfers\.csv:[2-9]", "missing column"],
    ),
    Case(
        "lat_95_is_out_of_range_not_swapped",
        _place_line(lat="95", lon="13.1"),
        1,
        [r"gazetteer\.csv:{line}: column 'lat': latitude out of range \[-90, 90\]"],
        absent=["swapped"],
    ),
    Case(
        "lat_lon_really_swapped_says_so",
        _place_line(lat="100.0", lon="60.0", country="RU"),
        1,
        [r"gazetteer\.csv:{line}: column 'lat': latitude out of range.*lat and lon look swapped"],
    ),
    Case(
        "country_qq_is_an_error",
        _place_line(country="QQ"),
        1,
        [r"gazetteer\.csv:{line}: column 'country': country code 'QQ' is not assigned"],
        absent=["warning: .*QQ"],
    ),
    Case(
        "bare_question_mark_stop",
        _leg_line(to="?"),
        1,
        [r"transfers\.csv:{line}: column 'to': unknown stop has no description"],
    ),
    Case(
        "question_mark_at_area_without_description",
        _leg_line(to="? @ libya"),
        1,
        [r"transfers\.csv:{line}: column 'to': unknown stop has no description"],
    ),
    Case(
        "rejected_leg_number_does_not_fake_a_gap",
        _gap_after_bad_leg,
        1,
        [r"transfers\.csv:{line}: column 'leg': leg is not a positive whole number"],
        absent=["jumps from leg", "starts at leg"],
    ),
    Case(
        "short_row_does_not_fake_a_gap",
        _gap_after_short_row,
        1,
        [r"transfers\.csv:{line}: row has 4 fields but the header has {n}"],
        absent=["jumps from leg", "starts at leg"],
    ),
    Case(
        "zone_written_lat_lon",
        _zone("ml-country-2014-03-18", _swap_coords),
        1,
        [
            r"zones\.geojson: feature {feature}: column 'geometry': zone lies outside ML as written.*"
            r"\[lat, lon\]"
        ],
    ),
    Case(
        "empty_feature_collection_validates_with_warning",
        _write(ZONES, '{"type": "FeatureCollection", "features": []}'),
        0,
        [r"warning: \S*zones\.geojson: column 'features': no zones"],
    ),
    Case(
        "empty_feature_collection_builds",
        _write(ZONES, '{"type": "FeatureCollection", "features": []}'),
        0,
        [r"wrote .*index\.html"],
        argv=["build", "--out", "{d}/out"],
    ),
    Case(
        "empty_feature_collection_exports",
        _write(ZONES, '{"type": "FeatureCollection", "features": []}'),
        0,
        [r"has no line"],
        argv=["export", "--format", "geojson", "--out", "{d}/legs.geojson"],
    ),
    Case(
        "build_out_is_an_existing_file",
        _out_file,
        3,
        [r"--out .*taken is a file, not a folder"],
        argv=["build", "--out", "{out}"],
    ),
    Case(
        "export_out_is_an_existing_folder",
        _out_folder,
        3,
        [r"--out .*folder\.csv is a folder; name a file"],
        argv=["export", "--format", "csv", "--out", "{out}"],
    ),
    Case(
        "export_geojson_folder_is_a_file",
        _out_file,
        3,
        [r"--out \S*taken is a file, not a folder"],
        argv=["export", "--format", "geojson", "--out", "{out}"],
    ),
    Case(
        "brief_out_is_an_existing_file",
        _out_file,
        3,
        [r"--out .*taken is a file, not a folder"],
        argv=["brief", "--out", "{out}"],
    ),
    Case(
        "export_kml_into_missing_parent_under_a_file",
        _out_file,
        3,
        [r"cannot write .*taken/x\.kml: .*taken is a file, not a folder"],
        argv=["export", "--format", "kml", "--out", "{out}/x.kml"],
    ),
    # --- more malformed CSV -------------------------------------------------------------
    Case(
        "tab_delimited_sources",
        lambda d: rewrite_delimiter(d, SOURCES, "\t"),
        1,
        [r"sources\.csv:1: the file is delimited by tab, not ','"],
    ),
    Case(
        "semicolon_gazetteer_still_checks_the_ledger",
        _semicolon_gazetteer_and_bad_leg,
        1,
        [
            r"gazetteer\.csv:1: the file is delimited by ';'",
            r"transfers\.csv:{line}: column 'status': unknown status",
        ],
        reconcile=False,  # the gazetteer is unreadable as a whole: no row can be accounted
    ),
    Case(
        "empty_from", _leg_line(from_=""), 1, [r"transfers\.csv:{line}: column 'from': empty from"]
    ),
    Case(
        "unknown_place_with_suggestion",
        _leg_line(to="Khmeimm"),
        1,
        [r"transfers\.csv:{line}: column 'to': unknown place.*did you mean 'Khmeimim"],
    ),
    Case(
        "ambiguous_place",
        _leg_line(to="Tripoli"),
        1,
        [r"transfers\.csv:{line}: column 'to': ambiguous place.*'tripoli'"],
    ),
    Case(
        "impossible_date",
        _leg_line(date="2020-13-45"),
        1,
        [r"transfers\.csv:{line}: column 'date'"],
    ),
    Case(
        "interval_ends_before_it_starts",
        _leg_line(date="2020-05-18/2020-05-01"),
        1,
        [r"transfers\.csv:{line}: column 'date': interval.*put the earlier date first"],
    ),
    Case(
        "date_precision_mismatch",
        _leg_line(date="2020-05", date_precision="day"),
        1,
        [r"transfers\.csv:{line}: column 'date_precision':.*set date_precision to 'month'"],
    ),
    Case(
        "status_typo",
        _leg_line(status="confrmed"),
        1,
        [r"transfers\.csv:{line}: column 'status': unknown status.*did you mean 'confirmed'"],
    ),
    Case(
        "mode_typo",
        _leg_line(mode="aire"),
        1,
        [r"transfers\.csv:{line}: column 'mode': unknown mode"],
    ),
    Case(
        "category_unknown",
        _leg_line(category="spaceships"),
        1,
        [r"transfers\.csv:{line}: column 'category': unknown category"],
    ),
    Case(
        "source_id_not_in_sources",
        _leg_line(source_ids="nowhere_2020"),
        1,
        [r"transfers\.csv:{line}: column 'source_ids': source id 'nowhere_2020' is not in sources"],
    ),
    Case(
        "leg_zero",
        _leg_line(leg="0"),
        1,
        [r"transfers\.csv:{line}: column 'leg': leg is not a positive whole number"],
    ),
    Case(
        "duplicate_leg_number",
        _two_legs({"leg": "1"}, {"leg": "1", "from_": "libya", "to": "mali"}),
        1,
        [
            r"transfers\.csv:{line2}: column 'leg': duplicate leg number in this transfer \(first on line {line}\)"
        ],
    ),
    Case(
        "legs_do_not_chain",
        _two_legs({"leg": "1"}, {"leg": "2", "from_": "mali", "to": "libya"}),
        1,
        [
            r"transfers\.csv:{line2}: column 'from': leg 2 of 't-two' starts here, but leg 1 \(line {line}\)"
        ],
    ),
    Case(
        "transfer_starts_at_leg_2",
        _leg_line(leg="2"),
        1,
        [r"transfers\.csv:{line}: column 'leg': transfer 't-test' starts at leg 2, not 1"],
    ),
    Case(
        "two_areas_in_an_unknown_stop",
        _leg_line(to="?depot @ libya @ mali"),
        1,
        [r"transfers\.csv:{line}: column 'to': unknown stop has more than one '@'"],
    ),
    Case(
        "unknown_area_of_an_unknown_stop",
        _leg_line(to="?depot @ Qzxvland"),  # (Atlantis is a real town in the world tables)
        1,
        [r"transfers\.csv:{line}: column 'to': unknown area of an unknown stop"],
    ),
    Case(
        "at_without_area",
        _leg_line(to="?depot @"),
        1,
        [r"transfers\.csv:{line}: column 'to': unknown stop has '@' but no area"],
    ),
    Case(
        "missing_column",
        lambda d: drop_column(d, LEDGER, "mode"),
        1,
        [r"transfers\.csv:1: column 'mode': missing column 'mode'"],
    ),
    Case(
        "misspelt_column",
        lambda d: rename_column(d, LEDGER, "mode", "modee"),
        1,
        [r"transfers\.csv:1: column 'modee': unexpected column.*did you mean 'mode'"],
    ),
    Case(
        "column_twice",
        lambda d: rename_column(d, LEDGER, "carrier", "mode"),
        1,
        [r"transfers\.csv:1: column 'mode': column appears twice"],
    ),
    Case("ledger_is_empty", _write(LEDGER, b""), 1, [r"transfers\.csv: file is empty"]),
    Case("ledger_has_no_rows", _header_only(LEDGER), 1, [r"transfers\.csv: no legs"]),
    Case("ledger_missing", _remove(LEDGER), 1, [r"transfers\.csv: file not found"]),
    Case("ledger_is_a_folder", _as_folder(LEDGER), 1, [r"transfers\.csv: is a folder, not a file"]),
    Case("ledger_with_bom_and_crlf_is_fine", _crlf_bom, 0, [r"0 error\(s\)"]),
    Case("ledger_with_blank_lines_is_fine", _blank_lines, 0, [r"0 error\(s\)"]),
    Case(
        "sources_url_not_http",
        _source_line(url="ftp://example.org/x"),
        1,
        [r"sources\.csv:{line}: column 'url': URL is not an http\(s\) address"],
    ),
    Case(
        "sources_date_not_iso",
        _source_line(published="18 Dec 2024"),
        1,
        [r"sources\.csv:{line}: column 'published': publication date is not an ISO date"],
    ),
    Case(
        "sources_empty_outlet",
        _source_line(outlet=""),
        1,
        [r"sources\.csv:{line}: column 'outlet': empty outlet"],
    ),
    Case(
        "sources_duplicate_id",
        _source_line(source_id="euromaidan_2024_12_19"),
        1,
        [r"sources\.csv:{line}: column 'source_id': duplicate source id"],
    ),
    Case(
        "unused_source_is_a_warning",
        lambda d: {"line": append(d, SOURCES, source(d))},
        0,
        [r"warning: .*sources\.csv:{line}: column 'source_id': source is not cited"],
    ),
    # --- gazetteer -------------------------------------------------------------------
    Case(
        "gazetteer_duplicate_id",
        _place_line(id="watiya_ab", name="Another Qx"),
        1,
        [r"gazetteer\.csv:{line}: column 'id': duplicate id \(first used on line 2\)"],
    ),
    Case(
        "gazetteer_malformed_id",
        _place_line(id="Bad Id"),
        1,
        [r"gazetteer\.csv:{line}: column 'id': malformed id"],
    ),
    Case(
        "gazetteer_unknown_kind",
        _place_line(kind="airbse"),
        1,
        [r"gazetteer\.csv:{line}: column 'kind': unknown kind.*did you mean 'airbase'"],
    ),
    Case(
        "gazetteer_lat_not_a_number",
        _place_line(lat="32,8"),
        1,
        [r"gazetteer\.csv:{line}: column 'lat': lat is not a number"],
    ),
    Case(
        "gazetteer_lon_out_of_range",
        _place_line(lon="200"),
        1,
        [r"gazetteer\.csv:{line}: column 'lon': longitude out of range"],
    ),
    Case(
        "gazetteer_point_outside_its_country",
        _place_line(country="DE"),
        1,
        [r"gazetteer\.csv:{line}: column 'lat/lon': point is \d+ km outside DE.*it lies in LY"],
    ),
    Case(
        "gazetteer_alias_claimed_twice",
        _place_line(aliases="Watiya"),
        1,
        [r"gazetteer\.csv:{line}: column 'aliases': name 'watiya' \(normalized\) is also claimed"],
    ),
    Case(
        "gazetteer_missing_coordinate_source",
        _place_line(coord_source=""),
        1,
        [r"gazetteer\.csv:{line}: column 'coord_source': missing coordinate source"],
    ),
    Case(
        "gazetteer_lower_case_country",
        _place_line(country="ly"),
        1,
        [r"gazetteer\.csv:{line}: column 'country': country code is not upper case"],
    ),
    Case(
        "gazetteer_nul_byte",
        lambda d: _nul_in_gazetteer(d),
        1,
        [r"gazetteer\.csv:{line}:{col}: control character U\+0000"],
    ),
    # --- zones.geojson ---------------------------------------------------------------
    Case(
        "zones_invalid_json_names_line_and_column",
        _zones_trailing_comma,
        1,
        [r"zones\.geojson:5:2: not valid JSON"],
    ),
    Case(
        "zones_latin1_byte",
        _zones_latin1,
        1,
        [r"zones\.geojson:{line}:{col}: byte e9 at line {line}, column {col} is not UTF-8"],
    ),
    Case(
        "zones_not_a_feature_collection",
        _write(ZONES, '{"type": "Feature"}'),
        1,
        [r"zones\.geojson: column 'type': not a GeoJSON FeatureCollection"],
    ),
    Case("zones_missing", _remove(ZONES), 1, [r"zones\.geojson: file not found"]),
    Case(
        "zone_unknown_faction",
        _zone("ly-west-2019-03-01", _set_prop("faction", "GNAA")),
        1,
        [
            r"zones\.geojson: feature {feature}: column 'faction': unknown faction.*did you mean 'GNA'"
        ],
    ),
    Case(
        "zone_missing_property",
        _zone("ly-west-2019-03-01", _del_prop("valid_from")),
        1,
        [r"zones\.geojson: feature {feature}: column 'valid_from': missing property"],
    ),
    Case(
        "zone_point_geometry",
        _zone(
            "ly-west-2019-03-01",
            lambda f: f.update(geometry={"type": "Point", "coordinates": [13, 32]}),
        ),
        1,
        [r"zones\.geojson: feature {feature}: column 'geometry': geometry must be a Polygon"],
    ),
    Case(
        "zone_coordinate_out_of_range",
        _zone(
            "ly-west-2019-03-01",
            lambda f: f.update(
                geometry={
                    "type": "Polygon",
                    "coordinates": [[[13, 32], [200, 32], [13, 33], [13, 32]]],
                }
            ),
        ),
        1,
        [r"zones\.geojson: feature {feature}: column 'geometry': coordinate out of range"],
    ),
    Case(
        "zone_duplicate_id",
        _duplicate_zone,
        1,
        [
            r"zones\.geojson: feature {feature}: column 'zone_id': duplicate zone id \(also feature 1\)"
        ],
    ),
    Case(
        "zone_valid_to_before_valid_from",
        _zone("ly-west-2019-03-01", _set_prop("valid_to", "2000-01-01")),
        1,
        [r"zones\.geojson: feature {feature}: column 'valid_to': valid_to is before valid_from"],
    ),
    Case(
        "zone_label_with_nul",
        _zone("ly-west-2019-03-01", _set_prop("label", "West\x00")),
        1,
        [r"zones\.geojson: feature {feature}: column 'label': control character U\+0000"],
    ),
    # --- arguments and data folder ------------------------------------------------------
    Case(
        "data_folder_does_not_exist",
        lambda d: None,
        1,
        [r"data folder .*nope \(from --data\) does not exist"],
        argv=["validate", "--data", "{d}/nope"],
        data=False,
        reconcile=False,
    ),
    Case(
        "data_folder_is_a_file",
        lambda d: None,
        1,
        [r"data folder .*gazetteer\.csv \(from --data\) is a file, not a folder"],
        argv=["validate", "--data", "{d}/gazetteer.csv"],
        data=False,
        reconcile=False,
    ),
    Case(
        "zones_at_not_a_date",
        lambda d: None,
        2,
        [r"not a date: '19/05/2020'; write YYYY-MM-DD"],
        argv=["zones", "--at", "19/05/2020"],
        reconcile=False,
    ),
    Case(
        "export_unknown_format",
        lambda d: None,
        2,
        [r"invalid choice: 'shp'"],
        argv=["export", "--format", "shp", "--out", "{d}/x"],
        reconcile=False,
    ),
    Case(
        "brief_unknown_zone",
        lambda d: None,
        1,
        [r"zone 'nowhere'"],
        argv=["brief", "--out", "{d}/brief", "--zone", "nowhere"],
        reconcile=False,
    ),
    Case(
        "geocode_unknown_name",
        lambda d: None,
        1,
        [r"unknown place 'Qqqzzz'"],
        argv=["geocode", "Qqqzzz"],
        reconcile=False,
    ),
]


def _nul_in_gazetteer(d: Path) -> dict[str, object]:
    text = place(d, note="bad\x00note")
    return {"line": append(d, GAZ, text), "col": text.index("\x00") + 1}


# --------------------------------------------------------------------------- reconcile


def _data_lines(path: Path) -> list[int]:
    _, lines, _ = read_records(path, str(path), [])
    return lines


def reconcile(folder: Path) -> None:
    """Every CSV row is in the output or in an error (not both); every feature too."""
    from geo.dataset import _no_places, validate_data
    from geo.gazetteer import read_gazetteer
    from geo.geocode import PlaceIndex
    from geo.ledger import check_ledger
    from geo.zones import read_zones

    problems = validate_data(folder)
    errors: dict[str, list[Problem]] = {}
    for p in problems:
        if p.severity == "error":
            errors.setdefault(Path(p.file).name, []).append(p)

    def covered(name: str) -> tuple[set[int], bool]:
        errs = errors.get(name, [])
        whole = any(p.line is None or (p.line == 1 and p.feature is None) for p in errs)
        return {p.line for p in errs if p.line}, whole

    # gazetteer: rows kept (usable id) or named by an error
    gaz_lines, gaz_whole = covered(GAZ)
    try:
        places = read_gazetteer(folder / GAZ, errors="collect")
        kept = set(places[SOURCE_LINE])
    except InputError:
        places, kept = _no_places(), set()
    if (folder / GAZ).is_file():
        for line in _data_lines(folder / GAZ):
            assert line in kept or line in gaz_lines or gaz_whole, (GAZ, line)

    # ledger and sources: accepted xor rejected-with-an-error
    if (folder / LEDGER).is_file() and (folder / SOURCES).is_file():
        check = check_ledger(folder / LEDGER, folder / SOURCES, PlaceIndex(places))
        for name, ok, rejected, n in (
            (LEDGER, check.legs, check.rejected, check.n_rows),
            (SOURCES, check.sources, check.rejected_sources, check.n_source_rows),
        ):
            assert len(ok) + len(rejected) == n, name
            lines, whole = covered(name)
            accepted = set(ok[SOURCE_LINE].astype(int))
            assert not (accepted & lines), (name, sorted(accepted & lines))
            for line in rejected[SOURCE_LINE].astype(int):
                assert line in lines or whole, (name, line)
            assert accepted | set(rejected[SOURCE_LINE].astype(int)) == set(
                _data_lines(folder / name)
            ), name

    # zones: all features loaded, or every error names a real feature or the file
    zone_errors = errors.get(ZONES, [])
    try:
        n: int | None = len(json.loads((folder / ZONES).read_text(encoding="utf-8"))["features"])
    except (OSError, ValueError, KeyError, TypeError):
        n = None
    try:
        zones = read_zones(folder / ZONES)
    except InputError:
        assert zone_errors
        for p in zone_errors:
            if p.feature is not None:
                assert n is not None and 0 <= p.feature < n, p
        return
    assert len(zones) == n and not zone_errors


# --------------------------------------------------------------------------- the test


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return copy_inputs(tmp_path / "data", INPUTS)


def test_there_are_at_least_60_cases() -> None:
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    values: dict[str, object] = {"d": folder, **(case.setup(folder) or {})}
    argv = [a.format(**values) for a in case.argv]
    if case.data:
        argv += ["--data", str(folder)]
    code = _exit_code(argv)
    out, err = capsys.readouterr()
    text = out + err
    assert "Traceback" not in text
    assert code == case.code, text[-3000:]
    for pattern in case.expect:
        regex = pattern.format(
            **{k: re.escape(str(v)) if k == "d" else v for k, v in values.items()}
        )
        assert re.search(regex, text), f"{regex!r} not in:\n{text[-3000:]}"
    for pattern in case.absent:
        assert not re.search(pattern, text), f"{pattern!r} found in:\n{text[-3000:]}"
    if case.reconcile:
        reconcile(folder)


def _exit_code(argv: list[str]) -> int:
    """Run the CLI; argument errors end in SystemExit(2) from argparse, as users see."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def test_the_same_reminder_on_many_rows_is_said_once_by_build_but_listed_by_validate(tmp_path):
    # A 100k-leg ledger flying to 'latakia' printed one reminder per row on every build.
    import csv
    import io
    import subprocess
    import sys

    data = copy_inputs(tmp_path / "data")
    ledger = data / "transfers.csv"
    text = ledger.read_text(encoding="utf-8")
    lines = text.splitlines()
    header, first = lines[0], lines[1]
    cols = header.split(",")
    row = next(csv.DictReader(io.StringIO(header + "\n" + first)))
    extra = []
    for i in range(6):
        r = dict(row)
        r.update({"transfer_id": f"T-LAT-{i}", "leg": "1", "from": "benina_airport",
                  "to": "latakia", "mode": "air"})
        buf = io.StringIO()
        csv.DictWriter(buf, cols, lineterminator="\n").writerow(r)
        extra.append(buf.getvalue())
    ledger.write_text(text.rstrip("\n") + "\n" + "".join(extra), encoding="utf-8")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "layers.cli", *args, "--data", str(data)],
                              capture_output=True, text=True, cwd=tmp_path)

    built = run("build", "--out", str(tmp_path / "maps"))
    assert built.returncode == 0, built.stderr
    said = [ln for ln in built.stderr.splitlines() if "'latakia'" in ln and "air leg" in ln]
    assert len(said) == 1, built.stderr
    assert "and 3 more (6 rows)" in said[0] and "movemap validate" in said[0]
    checked = run("validate")
    listed = [ln for ln in checked.stdout.splitlines() if "'latakia'" in ln and "air leg" in ln]
    assert len(listed) == 6
