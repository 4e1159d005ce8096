"""Checks shared by the CSV readers (gazetteer, ledger, sources)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from rapidfuzz import process

from geo import _prefetch
from geo._errors import Problem

__all__ = [
    "FIELD_LIMIT",
    "empty_file_problem",
    "header_problems",
    "read_columns",
    "read_records",
    "wrong_width_problem",
]


def header_problems(
    header: Sequence[str],
    required: Sequence[str],
    *,
    optional: Sequence[str] = (),
    file: str,
) -> list[Problem]:
    """Return every problem with a CSV header, all on line 1.

    Parameters
    ----------
    header
        Column names as read.
    required
        Columns the file must have.
    optional
        Columns the file may have.
    file
        Path as the user would type it.

    Returns
    -------
    list of Problem
        Missing columns, columns named twice, and unexpected columns (with
        a "did you mean" when one is close to an allowed name).

    """
    known = (*required, *optional)
    problems = [
        Problem(
            file,
            1,
            col,
            ",".join(header),
            f"missing column {col!r}",
            "the header must name: " + ",".join(required),
        )
        for col in required
        if col not in header
    ]
    seen: set[str] = set()
    for col in header:
        if col in seen:
            problems.append(Problem(file, 1, col, col, "column appears twice", "keep one"))
        seen.add(col)
        if col not in known:
            near = process.extractOne(col, known, score_cutoff=70)
            hint = f"did you mean {near[0]!r}?" if near else "allowed: " + ",".join(known)
            problems.append(Problem(file, 1, col, col, "unexpected column", hint))
    return problems


def empty_file_problem(file: str, fix: str) -> Problem:
    """Return the problem of a file with no header row; ``fix`` says what to add."""
    return Problem(file, None, None, "", "file is empty", fix)


def wrong_width_problem(file: str, line: int, row: list[str], width: int) -> Problem:
    """Return the problem of a row whose field count is not the header's ``width``."""
    return Problem(
        file,
        line,
        None,
        row,
        f"row has {len(row)} fields but the header has {width}",
        "quote values that contain commas",
    )


def read_records(
    path: Path, file: str, problems: list[Problem]
) -> tuple[list[str] | None, list[int], list[list[str]]]:
    """Split a CSV file into its header and data rows.

    Blank lines are not rows; a record spanning lines (a quoted newline)
    is numbered by its first line. Every fault in the file's bytes or
    quoting is reported with its line and column, on the record it is in
    (so readers reject that row and keep checking the others):

    - a byte that is not UTF-8 (with what it would be in Windows-1252);
    - a NUL or other control character;
    - a cell longer than :data:`FIELD_LIMIT` characters;
    - a quote that is never closed, or that swallows following rows;
    - a header written with another delimiter (``;``, tab, ``|``): one
      problem naming it, and no rows.

    Parameters
    ----------
    path
        The file.
    file
        Path as the user would type it, for problems.
    problems
        Where every problem found is appended.

    Returns
    -------
    header, lines, rows
        The header's cells stripped (``None`` if the file is missing,
        unreadable, blank or uses another delimiter), each data row's
        1-based first line, and the data rows' cells as read.

    """
    lines: list[int] = []
    rows: list[list[str]] = []
    data = _read_bytes(path, file, problems)
    if data is None:
        return None, lines, rows
    try:
        text = data.decode("utf-8")
        bad_bytes = False
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="surrogateescape")
        bad_bytes = True
    text = text.removeprefix("\ufeff")
    physical = list(io.StringIO(text, newline=""))
    check_chars = bad_bytes or _CONTROL_BYTES_RE.search(data) is not None
    header: list[str] | None = None
    width = 0
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, len(text) + 1))
    try:
        reader = csv.reader(physical)
        start = 1
        for row in reader:
            end = reader.line_num
            if (
                header is not None
                and end == start
                and not check_chars
                and len(physical[start - 1]) <= FIELD_LIMIT
            ):
                # Fast path: one clean physical line can hold none of the faults.
                if "".join(row).strip():  # a cell that is not blank
                    lines.append(start)
                    rows.append(row)
                start = end + 1
                continue
            if "".join(row).strip():
                record = "".join(physical[start - 1 : end])
                if header is None:
                    found = _other_delimiter(row, record)
                    if found is not None:
                        problems.append(_delimiter_problem(file, row, found))
                        return None, [], []
                    header = [_clean(c).strip() for c in row]
                    width = len(header)
                    _record_problems(
                        file,
                        start,
                        end,
                        record,
                        row,
                        width,
                        problems,
                        check_chars=check_chars,
                        at_eof=end >= len(physical),
                    )
                else:
                    bad = _record_problems(
                        file,
                        start,
                        end,
                        record,
                        row,
                        width,
                        problems,
                        check_chars=check_chars,
                        at_eof=end >= len(physical),
                    )
                    lines.append(start)
                    rows.append([_clean(c) for c in row] if bad else row)
            start = end + 1
    except csv.Error as exc:  # pragma: no cover - non-strict csv raises only on odd states
        problems.append(
            Problem(file, start, None, file, f"cannot parse as CSV: {exc}", "check the quotes")
        )
    finally:
        csv.field_size_limit(old_limit)
    return header, lines, rows


def read_columns(path: Path) -> tuple[list[str], list[np.ndarray]] | None:
    """Read a clean CSV file column by column, or return ``None``.

    The fast path of :func:`read_records` for the common file: it parses
    with pyarrow's CSV reader (in C) and gives the same cells as
    :func:`read_records` would, or ``None`` whenever the file holds
    anything ``read_records`` reports or numbers record by record: bytes
    that are not UTF-8, control characters, a header of one column (maybe
    another delimiter), rows of another width, blank rows or empty lines,
    cells holding a line break (records spanning lines) or longer than
    :data:`FIELD_LIMIT`.  The caller then reads the file with
    :func:`read_records`, which reports those faults.  A file this
    function reads has one record per line, so data row ``k`` (0-based)
    is on line ``k + 2``.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    (header, columns) or None
        The header's cells stripped, and for each header position the
        data rows' cells stripped, as an object array in which equal cells
        are one string object (each distinct cell is stripped once).

    """
    started, columns = _prefetch.take(path)  # read beside the start (geo/_prefetch.py)?
    if started:
        return columns
    return _read_columns(path)


def _read_columns(path: Path) -> tuple[list[str], list[np.ndarray]] | None:
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    data = data.removeprefix(b"\xef\xbb\xbf")
    ends = [i for i in (data.find(b"\n"), data.find(b"\r")) if i >= 0]
    try:
        first = data[: min(ends, default=len(data))].decode("utf-8")
    except UnicodeDecodeError:
        return None
    head = next(csv.reader([first]), [])
    width = len(head)
    if width < 2 or not "".join(head).strip():
        return None
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    names = [f"c{j}" for j in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pacsv.ParseOptions(
                delimiter=",",
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=True,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None  # a row of another width, bytes that are not UTF-8, ...
    # (control characters: every byte but the delimiters, quotes and line
    # breaks is in a cell, and every distinct cell is looked at below)
    # One record per line: as many records as lines (so no empty line and
    # no record spanning lines; a cell holding a line break is refused below).
    n_lines = data.count(b"\n")
    if b"\r" in data:
        n_lines += data.count(b"\r") - data.count(b"\r\n")
    if data and data[-1:] not in (b"\n", b"\r"):
        n_lines += 1
    if table.num_rows != n_lines:
        return None
    columns: list[np.ndarray] = []
    blank = np.ones(table.num_rows - 1, dtype=bool)
    for j in range(width):
        coded = table.column(j).dictionary_encode().combine_chunks()
        distinct = coded.dictionary  # each distinct cell once, looked at in C
        # A control character, a line break (a record spanning lines), a cell too long.
        if len(distinct) and (
            pc.any(pc.match_substring_regex(distinct, _ARROW_FAULT_RE)).as_py()
            or pc.max(pc.utf8_length(distinct)).as_py() > FIELD_LIMIT
        ):
            return None
        try:  # arrow checked the UTF-8; Python's strict decoding refuses surrogates too
            raw = distinct.to_numpy(zero_copy_only=False)
        except UnicodeDecodeError:
            return None
        # Only a cell that starts or ends with something other than printable
        # ASCII can change when stripped (str.strip: Unicode whitespace).
        padded = np.flatnonzero(
            pc.match_substring_regex(distinct, _ARROW_PADDED_RE).to_numpy(zero_copy_only=False)
        )
        stripped = raw
        if len(padded):
            # Cells equal once stripped share one object.
            stripped = raw.copy()
            values = raw.tolist()
            canon = dict(zip(values, values, strict=True))
            for k in padded.tolist():
                v = values[k].strip()
                stripped[k] = canon.setdefault(v, v)
        codes = coded.indices.to_numpy()
        cells = stripped[codes]
        empty = stripped == ""
        blank &= empty[codes[1:]]
        columns.append(cells)
    if blank.any():
        return None  # a row of blank cells: read_records skips it (and numbers the rest)
    header = [str(c[0]) for c in columns]
    return header, [c[1:] for c in columns]


#: Longest cell accepted, in characters (Python's csv default limit).
FIELD_LIMIT = 131_072

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES_RE = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: (RE2, for pyarrow.compute) a control character other than tab, or a line break.
_ARROW_FAULT_RE = r"[\x00-\x08\x0a-\x1f\x7f]"
#: (RE2) a first or last character that is not printable ASCII (maybe whitespace).
_ARROW_PADDED_RE = r"^[^!-~]|[^!-~]$"
_BAD_BYTE_RE = re.compile("[\udc80-\udcff]+")
_OTHER_DELIMITERS = (";", "\t", "|")
_DELIMITER_NAMES = {";": "';' (semicolon)", "\t": "tab", "|": "'|' (pipe)"}


def _read_bytes(path: Path, file: str, problems: list[Problem]) -> bytes | None:
    """Return the file's bytes, or ``None`` with the reason in ``problems``."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        reason, hint = "file not found", "check the path or pass --data DIR"
    except IsADirectoryError:
        reason, hint = "is a folder, not a file", "pass --data DIR naming the folder that holds it"
    except PermissionError:
        reason, hint = "permission denied", "make the file readable (chmod u+r)"
    except OSError as exc:
        reason, hint = f"cannot read: {exc.strerror or exc}", "check the file and the disk"
    problems.append(Problem(file, None, None, file, reason, hint))
    return None


def _clean(cell: str) -> str:
    """Show a cell's undecodable bytes as U+FFFD (for messages and rejected rows)."""
    return _BAD_BYTE_RE.sub("\ufffd", cell)


def _char_faults(text: str) -> list[tuple[int, str]]:
    """Offsets of undecodable bytes and control characters, in file order."""
    found = [(m.start(), m.group()) for m in _BAD_BYTE_RE.finditer(text)]
    found += [(m.start(), m.group()) for m in _CONTROL_RE.finditer(text)]
    return sorted(found)


def _other_delimiter(row: list[str], record: str) -> str | None:
    """Return the delimiter a one-column header was written with, if it looks like one."""
    if len(row) != 1:
        return None
    counts = {d: record.count(d) for d in _OTHER_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] >= 2 else None


def _delimiter_problem(file: str, row: list[str], delimiter: str) -> Problem:
    name = _DELIMITER_NAMES[delimiter]
    return Problem(
        file,
        1,
        None,
        row[0][:80],
        f"the file is delimited by {name}, not ','",
        "save it as comma-separated CSV (in a spreadsheet: Save As > CSV UTF-8, "
        "comma-delimited); no row was read",
    )


def _position(record: str, start_line: int, offset: int) -> tuple[int, int]:
    """Line and 1-based column of ``offset`` within a record starting on ``start_line``."""
    before = record[:offset]
    nl = max(before.rfind("\n"), before.rfind("\r"))
    line = start_line + before.count("\n") + before.count("\r") - before.count("\r\n")
    return line, offset - nl


def _field_offsets(record: str) -> list[int]:
    """Start offset of each field on the record's first line (quotes respected)."""
    starts = [0]
    quoted = False
    for i, ch in enumerate(record):
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch == ",":
            starts.append(i + 1)
        elif ch in "\r\n":
            break
    return starts


def _record_problems(
    file: str,
    start: int,
    end: int,
    record: str,
    row: list[str],
    width: int,
    problems: list[Problem],
    *,
    check_chars: bool,
    at_eof: bool,
) -> bool:
    """Report byte, control-character, quoting and size faults of one record.

    Every problem is filed on the record's first line (so the row is
    rejected); the message names the exact line and column.
    """
    found = False
    if check_chars:
        for offset, text in _char_faults(record):
            line, col = _position(record, start, offset)
            if text[0] >= "\udc80":
                raw = bytes(ord(c) - 0xDC00 for c in text)
                guess = raw.decode("cp1252", errors="replace")
                message = f"byte {raw.hex(' ')} at line {line}, column {col} is not UTF-8"
                hint = (
                    f"the file looks like Latin-1/Windows-1252 (there it would be {guess!r}): "
                    "save it as UTF-8"
                )
                value: object = raw
            else:
                message = f"control character U+{ord(text):04X} at line {line}, column {col}"
                hint = "remove it: cells hold printable text only"
                value = text
            problems.append(
                Problem(file, start, None, value, message, hint, position=_col(line, start, col))
            )
            found = True
    offsets: list[int] | None = None
    if end > start:
        ends_open = at_eof and _ends_open(record)
        quote_at: int | None = None
        for k, cell in enumerate(row):
            later = cell.splitlines()[1:]
            if any(seg.count(",") >= max(1, width - 1) for seg in later):
                offsets = _field_offsets(record)
                quote_at = _quote_offset(record, offsets, k)
                break
        if quote_at is None and ends_open:
            quote_at = _last_open_quote(record)
        if quote_at is not None:
            line, col = _position(record, start, quote_at)
            problems.append(
                Problem(
                    file,
                    start,
                    None,
                    record[quote_at : quote_at + 40],
                    f"quote opened at line {line}, column {col} swallows lines {start + 1}-{end}"
                    + (" (it is never closed)" if ends_open else ""),
                    'close the quote after the value; write a quote inside a value as ""',
                    position=_col(line, start, col),
                )
            )
            found = True
    for k, cell in enumerate(row if len(record) > FIELD_LIMIT else ()):
        if len(cell) > FIELD_LIMIT:
            offsets = offsets or _field_offsets(record)
            line, col = _position(record, start, offsets[k] if k < len(offsets) else 0)
            problems.append(
                Problem(
                    file,
                    start,
                    None,
                    cell[:40] + "...",
                    f"cell {k + 1} (line {line}, column {col}) is {len(cell):,} characters "
                    f"long; the limit is {FIELD_LIMIT:,}",
                    "check for a quote left open before it"
                    if ("\n" in cell and not found)
                    else "shorten it: keep long text in the source it cites",
                    position=_col(line, start, col),
                )
            )
            found = True
    return found


def _col(line: int, start: int, col: int) -> int | None:
    return col if line == start else None


def _quote_offset(record: str, offsets: list[int], k: int) -> int:
    """Offset of the opening quote of field ``k`` (fields counted on the first line)."""
    if k < len(offsets):
        i = offsets[k]
        while i < len(record) and record[i] in " \t":
            i += 1
        if i < len(record) and record[i] == '"':
            return i
    found = _last_open_quote(record)
    return found if found is not None else (offsets[k] if k < len(offsets) else 0)


def _ends_open(record: str) -> bool:
    """Tell whether the record ends inside a quoted value (the file ended first)."""
    return record.count('"') % 2 == 1


def _last_open_quote(record: str) -> int | None:
    """Offset of the quote that opened the value still open at the record's end."""
    quoted = False
    opened: int | None = None
    for i, ch in enumerate(record):
        if ch == '"':
            quoted = not quoted
            opened = i if quoted else opened
    return opened if quoted else None
