"""geo._csv.read_columns (the pyarrow fast path of read_table) gives read_records' cells, or None.

read_columns must never read a file differently from read_records: it
either returns exactly the stripped cells read_records gives (one record
per line, data row k on line k + 2) or declines (None) so read_records reads
the file and reports its faults.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo._csv import read_columns, read_records


def _same_as_records(path: Path) -> bool:
    """Assert read_columns agrees with read_records; return whether it read the file."""
    fast = read_columns(path)
    problems: list = []
    header, lines, rows = read_records(path, str(path), problems)
    if fast is None:
        return False
    assert header is not None and not problems
    got_header, columns = fast
    assert got_header == header
    n = len(rows)
    assert all(len(c) == n for c in columns)
    assert lines == list(range(2, n + 2))
    for k, row in enumerate(rows):
        assert [c[k] for c in columns] == [cell.strip() for cell in row], (k, row)
    return True


CLEAN = "a,b,c\n1,2,3\n x , y ,z\n"


@pytest.mark.parametrize(
    ("text", "read"),
    [
        (CLEAN, True),
        ("\ufeff" + CLEAN, True),  # BOM
        (CLEAN.replace("\n", "\r\n"), True),  # CRLF
        (CLEAN.replace("\n", "\r"), True),  # old Mac line ends
        (CLEAN.rstrip("\n"), True),  # no final line break
        ('a,b,c\n"1,5","say ""hi""",3\n', True),  # quoted comma, doubled quote
        ('a,b,c\nx"y,"ab"cd, "q"\n', True),  # quote inside and after a quoted value
        ('a,b,c\n"ab"  ,\u00a0x\u00a0,\u2003\n', True),  # text after the closing quote, NBSP
        ("a,b,c\n1,\u2028,3\n", True),  # U+2028 is not a line break for csv
        ("a,b\n", True),  # no rows
        ("a,b,c\n1,2\n", False),  # wrong width
        ("a,b,c\n\n1,2,3\n", False),  # empty line: numbering shifts
        ("a,b,c\n , ,\n1,2,3\n", False),  # blank row
        ('a,b,c\n1,"two\nlines",3\n', False),  # record spanning lines
        ('a,b,c\n1,"open,3\n', False),  # quote never closed
        ("a,b,c\n1,\x01,3\n", False),  # control character
        ("a,b,c\n1,x\x00y,3\n", False),  # NUL
        ('a,b,c\n1,"x\x0by",3\n', False),  # vertical tab in quotes
        ("a,b,c\n1,x\ty,3\n", True),  # a tab is text
        ("a;b;c\n1;2;3\n", False),  # one column: maybe another delimiter
        ("", False),
        ("\n\na,b\n1,2\n", False),
    ],
)
def test_read_columns_matches_read_records(tmp_path: Path, text: str, read: bool) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    assert _same_as_records(path) is read


def test_read_columns_declines_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\ncaf\xe9,1\n")
    assert read_columns(path) is None
    problems: list = []
    read_records(path, "t.csv", problems)
    assert problems and "not UTF-8" in problems[0].message


def test_read_columns_declines_a_cell_over_the_limit(tmp_path: Path) -> None:
    from geo._csv import FIELD_LIMIT

    path = tmp_path / "t.csv"
    path.write_text("a,b\n" + "x" * (FIELD_LIMIT + 1) + ",1\n", encoding="utf-8")
    assert read_columns(path) is None


def test_equal_cells_share_one_string(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n x,1\nx ,2\nx,3\n", encoding="utf-8")
    _header, (a, _b) = read_columns(path)
    assert list(a) == ["x", "x", "x"] and a[0] is a[1] is a[2]


_CELL = st.text(alphabet=list('ab ",\u00a0\t\u2028\u00e9'), max_size=6)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(_CELL, min_size=3, max_size=3), min_size=1, max_size=5),
    quote=st.lists(st.booleans(), min_size=15, max_size=15),
    end=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_read_columns_never_disagrees(tmp_path: Path, rows, quote, end) -> None:
    """Raw cell text (quotes and all) or properly quoted cells: read alike or declined."""
    lines = ["h1,h2,h3"]
    for r, row in enumerate(rows):
        cells = [
            '"' + c.replace('"', '""') + '"' if quote[(r * 3 + j) % 15] else c
            for j, c in enumerate(row)
        ]
        lines.append(",".join(cells))
    path = tmp_path / "h.csv"
    path.write_bytes(end.join(lines).encode("utf-8"))
    _same_as_records(path)


def _check(folder: Path):
    from geo.gazetteer import read_gazetteer
    from geo.geocode import PlaceIndex
    from geo.ledger import check_ledger

    places = read_gazetteer(folder / "gazetteer.csv")
    return check_ledger(folder / "transfers.csv", folder / "sources.csv", PlaceIndex(places))


def _assert_same_check(a, b) -> None:
    import pandas as pd

    for name in ("legs", "rejected", "sources", "rejected_sources"):
        fa, fb = getattr(a, name), getattr(b, name)
        pd.testing.assert_frame_equal(fa, fb, check_exact=True)
        for c in fa.columns:  # None and NaN told apart
            if fa[c].dtype == object:
                assert list(map(repr, fa[c])) == list(map(repr, fb[c])), (name, c)
    assert a.problems == b.problems and a.warnings == b.warnings
    assert (a.n_rows, a.n_source_rows) == (b.n_rows, b.n_source_rows)


@pytest.mark.parametrize("hostile", [False, True])
def test_check_ledger_is_the_same_through_either_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hostile: bool
) -> None:
    """The whole check of a synthetic ledger (hostile text too) with and without read_columns."""
    import geo.ledger_read
    from layers.synthetic import write_inputs

    folder = write_inputs(tmp_path / "data", n_legs=3000, hostile=hostile)
    assert read_columns(folder / "transfers.csv") is not None  # the fast path is taken
    monkeypatch.setattr(geo.ledger_read, "COLUMNS_MIN_BYTES", 0)
    fast = _check(folder)
    monkeypatch.setattr(geo.ledger_read, "read_columns", lambda path: None)
    slow = _check(folder)
    assert len(fast.legs) == 3000
    _assert_same_check(fast, slow)


def test_check_ledger_of_a_faulty_file_falls_back(tmp_path: Path) -> None:
    """A ledger with a wrong-width row and a blank line is read row by row, every fault kept."""
    from _helpers import copy_inputs

    folder = copy_inputs(tmp_path / "data")
    path = folder / "transfers.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = "T_bad,1,sirte\n"  # wrong width
    lines.insert(5, "\n")  # numbering shifts after a blank line
    path.write_text("".join(lines), encoding="utf-8")
    assert read_columns(path) is None
    result = _check(folder)
    assert any(p.line == 4 and "fields but the header has" in p.message for p in result.problems)
    assert result.n_rows == len(lines) - 2
    assert set(result.legs["source_line"]).isdisjoint({4, 6})
    assert 7 in set(result.legs["source_line"]) | set(result.rejected["source_line"])
