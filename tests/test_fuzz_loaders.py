"""Property-based fuzzing of every loader: random bytes and random mutations of the
bundled CSV and GeoJSON files never end in anything but a located InputError or a
result, and every row is in the result or in an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import settings as movemap_settings
from geo._csv import read_records
from geo._errors import InputError, Problem
from geo.columns import SOURCE_LINE
from geo.paths import REPO_ROOT

GAZ = REPO_ROOT / movemap_settings.GAZETTEER_FILE
LEDGER = REPO_ROOT / movemap_settings.TRANSFERS_FILE
SOURCES = REPO_ROOT / movemap_settings.SOURCES_FILE
ZONES = REPO_ROOT / movemap_settings.ZONES_FILE

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Bytes that break CSV and text handling most often.
NASTY = [b'"', b",", b";", b"\t", b"\n", b"\r", b"\r\n", b"\x00", b"\xe9", b"\xff", b"\xef\xbb\xbf",
         b"?", b"@", b"=", b"-", b"9", b" ", b"\x1b", "\u2028".encode(), b"\\"]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """The file with a few random edits: inserts, deletions, line copies, truncation."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "dup_line", "drop_line", "truncate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "insert":
            piece = draw(st.sampled_from(NASTY) | st.binary(min_size=1, max_size=4))
            data[at:at] = piece
        elif op == "delete" and data:
            del data[at : at + draw(st.integers(1, 8))]
        elif op in ("dup_line", "drop_line"):
            lines = bytes(data).split(b"\n")
            k = draw(st.integers(0, len(lines) - 1))
            if op == "dup_line":
                lines.insert(k, lines[k])
            elif len(lines) > 1:
                del lines[k]
            data = bytearray(b"\n".join(lines))
        elif op == "truncate":
            del data[at:]
    return bytes(data)


def _located(p: Problem, file: str) -> None:
    assert p.file == file
    assert str(p)  # renders


def _check_csv_rows(path: Path, accepted: set[int], rejected: set[int], problems: list[Problem]):
    """Every data line: accepted xor rejected, and rejected ones are named (or the file is)."""
    _, lines, _ = read_records(path, str(path), [])
    errors = [p for p in problems if p.severity == "error" and p.file == str(path)]
    whole = any(p.line is None or p.line == 1 for p in errors)
    named = {p.line for p in errors}
    assert not (accepted & rejected)
    assert accepted | rejected == set(lines) or (whole and not accepted)
    for line in rejected:
        assert line in named or whole, line
    for line in accepted:
        assert line not in named, line


@pytest.fixture(scope="module")
def index():
    from geo.gazetteer import read_gazetteer
    from geo.geocode import PlaceIndex

    return PlaceIndex(read_gazetteer(GAZ))


def _ledger_check(tmp: Path, transfers: bytes, sources: bytes, index) -> None:
    from geo.ledger import check_ledger

    (tmp / "t.csv").write_bytes(transfers)
    (tmp / "s.csv").write_bytes(sources)
    result = check_ledger(tmp / "t.csv", tmp / "s.csv", index)
    problems = [*result.problems, *result.warnings]
    for p in problems:
        assert p.file in (str(tmp / "t.csv"), str(tmp / "s.csv"))
        str(p)
    assert len(result.legs) + len(result.rejected) == result.n_rows
    assert len(result.sources) + len(result.rejected_sources) == result.n_source_rows
    _check_csv_rows(
        tmp / "t.csv",
        set(result.legs[SOURCE_LINE].astype(int)),
        set(result.rejected[SOURCE_LINE].astype(int)),
        problems,
    )
    _check_csv_rows(
        tmp / "s.csv",
        set(result.sources[SOURCE_LINE].astype(int)),
        set(result.rejected_sources[SOURCE_LINE].astype(int)),
        problems,
    )


@FUZZ
@given(data=st.binary(max_size=2000))
def test_ledger_random_bytes(tmp_path: Path, index, data: bytes) -> None:
    _ledger_check(tmp_path, data, SOURCES.read_bytes(), index)


@FUZZ
@given(data=mutated(LEDGER.read_bytes()))
def test_ledger_mutations(tmp_path: Path, index, data: bytes) -> None:
    _ledger_check(tmp_path, data, SOURCES.read_bytes(), index)


@FUZZ
@given(data=mutated(SOURCES.read_bytes()))
def test_sources_mutations(tmp_path: Path, index, data: bytes) -> None:
    _ledger_check(tmp_path, LEDGER.read_bytes(), data, index)


def _gazetteer_check(tmp: Path, data: bytes) -> None:
    from geo.gazetteer import read_gazetteer

    path = tmp / "g.csv"
    path.write_bytes(data)
    try:
        places = read_gazetteer(path, errors="collect")
    except InputError as exc:  # only when no header can be read
        assert exc.problems
        for p in exc.problems:
            _located(p, str(path))
        return
    problems = places.attrs["problems"]
    for p in problems:
        _located(p, str(path))
    _, lines, _ = read_records(path, str(path), [])
    kept = set(places[SOURCE_LINE].astype(int))
    named = {p.line for p in problems if p.severity == "error"}
    for line in lines:
        assert line in kept or line in named, line
    # In "raise" mode the same file either loads cleanly or raises.
    try:
        read_gazetteer(path)
    except InputError:
        assert any(p.severity == "error" for p in problems)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_gazetteer_random_bytes(tmp_path: Path, data: bytes) -> None:
    _gazetteer_check(tmp_path, data)


@FUZZ
@given(data=mutated(GAZ.read_bytes()))
def test_gazetteer_mutations(tmp_path: Path, data: bytes) -> None:
    _gazetteer_check(tmp_path, data)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)  # fmt: skip


@st.composite
def mutated_zones(draw: st.DrawFn) -> bytes:
    doc = json.loads(ZONES.read_text(encoding="utf-8"))
    feats = doc["features"]
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(feats) - 1))
        target = draw(st.sampled_from(["property", "geometry", "feature", "coords", "drop"]))
        feat = feats[i]
        if not isinstance(feat, dict) or not isinstance(feat.get("properties"), dict):
            target = "feature"  # an earlier edit replaced it: replace it again
        elif target == "coords" and not isinstance(feat.get("geometry"), dict):
            target = "geometry"
        if target == "property":
            key = draw(st.sampled_from([*feats[i]["properties"], "extra"]))
            feats[i]["properties"][key] = draw(JSON_VALUES)
        elif target == "geometry":
            feats[i]["geometry"] = draw(JSON_VALUES)
        elif target == "feature":
            feats[i] = draw(JSON_VALUES)
        elif target == "coords":
            feats[i]["geometry"]["coordinates"] = draw(JSON_VALUES)
        else:
            del feats[i]
            if not feats:
                break
    text = json.dumps(doc).encode()
    if draw(st.booleans()):
        text = draw(mutated(text))
    return text


def _zones_check(tmp: Path, data: bytes) -> None:
    from geo.zones import read_zones

    path = tmp / "z.geojson"
    path.write_bytes(data)
    try:
        zones = read_zones(path)
    except InputError as exc:
        assert any(p.severity == "error" for p in exc.problems)
        try:
            n = len(json.loads(data)["features"])
        except Exception:
            n = None
        for p in exc.problems:
            _located(p, str(path))
            if p.feature is not None:
                assert n is not None and 0 <= p.feature < n
        return
    assert len(zones) == len(json.loads(data)["features"])


@FUZZ
@given(data=st.binary(max_size=1000))
def test_zones_random_bytes(tmp_path: Path, data: bytes) -> None:
    _zones_check(tmp_path, data)


@FUZZ
@given(data=mutated_zones())
def test_zones_mutations(tmp_path: Path, data: bytes) -> None:
    _zones_check(tmp_path, data)
