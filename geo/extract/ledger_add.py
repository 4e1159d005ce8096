"""Merge reviewed candidate rows into the ledger: all rows or none.

The merged ``transfers.csv`` and ``sources.csv`` are written into a staged
copy of the data folder and checked there with the project's validator
(:func:`geo.dataset.validate_data`); only when no row has an error are the
real files replaced, each atomically (:mod:`geo._io`). A problem in an
added row is reported against the candidates file and its line.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from geo import columns as C  # noqa: N812
from geo import settings
from geo._errors import InputError, Problem

__all__ = ["AddReport", "add_candidates"]

#: Columns of a candidates file that are for review only, never written to the ledger.
REVIEW_COLUMNS = (C.EVIDENCE, C.CONFIDENCE, C.FILLED)
_DEFUSED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


@dataclass
class AddReport:
    """What :func:`add_candidates` did."""

    added: int
    transfers: Path
    sources: Path
    source_added: bool
    notices: list[str] = field(default_factory=list)


def _read_csv(path: Path, file: str) -> tuple[list[str], list[tuple[int, dict]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError([Problem(file, None, None, str(path), f"cannot read: {exc.strerror}",
                                  "check the path")]) from None
    except UnicodeDecodeError:
        raise InputError([Problem(file, None, None, str(path), "not UTF-8 text",
                                  "save the file as UTF-8 CSV")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = list(reader)
    if not rows:
        raise InputError([Problem(file, None, None, "", "file is empty",
                                  "add the header row and at least one row")])
    header = [h.strip() for h in rows[0]]
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        out.append((n, dict(zip(header, row, strict=False)) | {"__width": len(row)}))
    return header, out


def _undefuse(value: str) -> str:
    return value[1:] if value.startswith(_DEFUSED) else value


def add_candidates(
    candidates: str | Path,
    *,
    data: str | Path | None = None,
    source: str | None = None,
    outlet: str | None = None,
    title: str | None = None,
    published: str | None = None,
    url: str = "",
    relays: str = "",
    drop_unsupported: bool = False,
) -> AddReport:
    """Append the rows of ``candidates`` to the ledger in ``data``.

    Raises
    ------
    InputError
        With every problem of every row (the candidates file's own line
        numbers for added rows); nothing is written then.

    """
    from geo._io import write_text
    from geo.dataset import validate_data
    from geo.paths import data_dir

    folder = data_dir(data)
    cand_path = Path(candidates)
    cfile = str(candidates)
    header, rows = _read_csv(cand_path, cfile)
    problems: list[Problem] = []
    notices: list[str] = []
    tpath = folder / settings.TRANSFERS_FILE
    spath = folder / settings.SOURCES_FILE
    t_header, _ = _read_csv(tpath, str(tpath))
    s_header, s_rows = _read_csv(spath, str(spath))
    missing = [c for c in (C.TRANSFER_ID, C.LEG, C.FROM, C.TO) if c not in header]
    if missing:
        problems.append(Problem(cfile, 1, None, header, "missing column(s) " + ", ".join(missing),
                                "use the CSV written by `movemap extract`"))
        raise InputError(problems)
    if not rows:
        problems.append(Problem(cfile, None, None, "", "no rows to add",
                                "keep at least one reviewed row"))
        raise InputError(problems)
    known_sources = {r.get(C.SOURCE_ID, "").strip() for _, r in s_rows}
    source_added = False
    if source and source not in known_sources:
        if not outlet or not title or not published:
            problems.append(Problem(str(spath), None, C.SOURCE_ID, source,
                                    "source is not in sources.csv",
                                    "give --outlet, --title and --published to add it"))
        source_added = True
    # Optional ledger columns (e.g. date_as_reported) the candidates fill but the
    # ledger file lacks yet: the column is added to the ledger (empty for old rows).
    from geo import ledger as _ledger

    optional = getattr(_ledger, "OPTIONAL_COLUMNS", ())
    grow = [c for c in header if c in optional and c not in t_header
            and any((r.get(c) or "").strip() for _, r in rows)]
    t_header = [*t_header, *grow]
    dropped: dict[str, int] = {}
    new_rows: list[list[str]] = []
    lines: list[int] = []
    as_reported: dict[int, str] = {}  # candidate line -> the report's words for an empty date
    for n, row in rows:
        if row.pop("__width") != len(header):
            problems.append(Problem(cfile, n, None, "", "row has a different number of fields "
                                    "than the header", "quote values that contain commas"))
            continue
        values = {k: _undefuse((v or "").strip()) for k, v in row.items()}
        if source and not values.get(C.SOURCE_IDS):
            values[C.SOURCE_IDS] = source
        for col, v in values.items():
            if v and col not in t_header and col not in REVIEW_COLUMNS:
                dropped[col] = dropped.get(col, 0) + 1
        new_rows.append([values.get(c, "") for c in t_header])
        lines.append(n)
        as_reported[n] = values.get(C.DATE_AS_REPORTED, "") if not values.get(C.DATE) else ""
    for col, count in sorted(dropped.items()):
        if drop_unsupported:
            notices.append(f"{cfile}: column '{col}' is not in {tpath.name}; its values in "
                           f"{count} row(s) were not added (--drop-unsupported)")
            continue
        problems.append(Problem(cfile, 1, col, col, f"column not in {tpath.name}: the values of "
                                f"{count} row(s) would be lost",
                                f"add a '{col}' column to {tpath.name}, empty it here, or pass "
                                "--drop-unsupported"))
    if problems:
        raise InputError(problems)
    t_text = _append(tpath, new_rows, grow=grow)
    if grow:
        notices.append(f"{tpath.name}: added column(s) " + ", ".join(grow))
    s_text = spath.read_text(encoding="utf-8-sig")
    if source_added:
        srow = {C.SOURCE_ID: source, C.SOURCE_OUTLET: outlet or "", C.SOURCE_TITLE: title or "",
                C.SOURCE_DATE: published or "", C.SOURCE_URL: url, C.SOURCE_RELAYS: relays}
        s_text = _append(spath, [[srow.get(c, "") for c in s_header]])
    n_before = t_text.count("\n") - len(new_rows)  # header + existing lines
    with tempfile.TemporaryDirectory(prefix="movemap-add-") as tmp:
        stage = Path(tmp)
        for item in folder.iterdir():
            if item.is_file() and item.suffix in (".csv", ".geojson", ".json", ".toml"):
                shutil.copy2(item, stage / item.name)
        (stage / tpath.name).write_text(t_text, encoding="utf-8")
        (stage / spath.name).write_text(s_text, encoding="utf-8")
        found = validate_data(stage)
    errors = [p for p in found if p.severity == "error"]
    if errors:
        raise InputError([_date_hint(_relocate(p, stage, folder, cfile, n_before, lines),
                                     cfile, as_reported) for p in errors])
    write_text(tpath, t_text)
    if source_added:
        write_text(spath, s_text)
    return AddReport(len(new_rows), tpath, spath, source_added, notices)


def _append(path: Path, rows: list[list[str]], *, grow: Sequence[str] = ()) -> str:
    text = path.read_text(encoding="utf-8-sig")
    if grow:
        old = list(csv.reader(io.StringIO(text, newline="")))
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([*old[0], *grow])
        w.writerows([r + [""] * len(grow) for r in old[1:] if r])
        text = buf.getvalue()
    if text and not text.endswith("\n"):
        text += "\n"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return text + buf.getvalue()


def _relocate(p: Problem, stage: Path, folder: Path, cfile: str, n_before: int,
              lines: list[int]) -> Problem:
    """Point a problem found in the staged copy at the file the user can fix."""
    f = p.file
    if str(stage) in f:
        f = f.replace(str(stage), str(folder))
    if Path(f).name == settings.TRANSFERS_FILE and p.line is not None and p.line > n_before:
        k = p.line - n_before - 1
        if 0 <= k < len(lines):
            return Problem(cfile, lines[k], p.column, p.value, p.message, p.hint, p.severity)
    return Problem(f, p.line, p.column, p.value, p.message, p.hint, p.severity)


def _date_hint(p: Problem, cfile: str, as_reported: dict[int, str]) -> Problem:
    """Name the report's own words in the fix for an empty date ('On September 23').

    A date the report gives without its year stays empty when `movemap extract`
    ran without --published: the fix is that date with its year.
    """
    said = as_reported.get(p.line or -1, "") if p.file == cfile and p.column == C.DATE else ""
    if not said or p.value:
        return p
    hint = (f"the report says '{said}': write it as a date with its year (e.g. 2023-09-23), "
            "or run `movemap extract --published DATE` again so the year is known")
    return Problem(p.file, p.line, p.column, p.value, p.message, hint, p.severity)
