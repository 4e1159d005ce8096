"""Check ``sources.csv``: one row per report cited by transfers.csv legs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geo._errors import Problem
from geo.columns import (
    DATE_PROBLEM,
    SOURCE_DATE,
    SOURCE_ID,
    SOURCE_LINE,
    SOURCE_OUTLET,
    SOURCE_RELAYS,
    SOURCE_TITLE,
    SOURCE_URL,
)
from geo.dates import parse_dates
from geo.ledger_problems import add_problems, report_duplicates
from geo.ledger_read import read_table

__all__ = ["SOURCES_COLUMNS", "UNDATED", "load_sources", "warn_unused"]

SOURCES_COLUMNS: tuple[str, ...] = (
    SOURCE_ID,
    SOURCE_OUTLET,
    SOURCE_TITLE,
    SOURCE_DATE,
    SOURCE_URL,
    SOURCE_RELAYS,
)
_SOURCES_OPTIONAL = (SOURCE_URL, SOURCE_RELAYS)
#: The publication date of a source whose date is not known.
UNDATED = "undated"
_SOURCE_ID_RE = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
_URL_RE = r"^https?://\S+$"


def load_sources(path: Path, file: str) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem], int]:
    """Read and check sources.csv; return (valid rows, rejected rows, problems, n rows)."""
    problems: list[Problem] = []
    read = read_table(path, file, SOURCES_COLUMNS, problems, what="sources")
    table = read.table
    if read.usable and not table.empty:
        for col in SOURCES_COLUMNS:
            if col in _SOURCES_OPTIONAL:
                continue
            hint = {
                SOURCE_DATE: f"write {UNDATED!r} if the publication date is not known",
                SOURCE_ID: "give every source a short unique id, e.g. 'wsj_2024_12_18'",
            }.get(col, "write 'unidentified' if it is not known")
            add_problems(problems, file, table, table[col] == "", col, f"empty {col}", hint)
        ids = table[SOURCE_ID]
        malformed = (ids != "") & ~ids.str.match(_SOURCE_ID_RE)
        add_problems(
            problems,
            file,
            table,
            malformed,
            SOURCE_ID,
            "malformed source id",
            "ids are letters, digits, '_', '.', '-' (no spaces or ';')",
        )
        report_duplicates(problems, file, table, [SOURCE_ID], SOURCE_ID, "duplicate source id")
        published = table[SOURCE_DATE]
        dated = (published != "") & (published != UNDATED)
        parsed = parse_dates(published.where(dated, "2000"))
        bad_date = dated & (parsed[DATE_PROBLEM].notna() | published.str.contains("[/~?%]"))
        add_problems(
            problems,
            file,
            table,
            bad_date,
            SOURCE_DATE,
            "publication date is not an ISO date",
            f"write YYYY-MM-DD (or YYYY-MM, YYYY), or {UNDATED!r}",
        )
        url = table[SOURCE_URL]
        add_problems(
            problems,
            file,
            table,
            (url != "") & ~url.str.match(_URL_RE),
            SOURCE_URL,
            "URL is not an http(s) address",
            "give the full address starting with https://, or leave it empty",
        )
    if read.usable:
        bad = {p.line for p in problems if p.severity == "error" and p.line}
        rejected_mask = table[SOURCE_LINE].isin(bad).to_numpy()
    else:
        rejected_mask = np.ones(len(table), dtype=bool)
    rejected = pd.concat([table[rejected_mask], read.wrong_width], ignore_index=True)
    sources = table[~rejected_mask].reset_index(drop=True)
    sources = sources[[*SOURCES_COLUMNS, SOURCE_LINE]].astype({SOURCE_LINE: "int64"})
    return sources, rejected, problems, read.n_rows


def warn_unused(sources: pd.DataFrame, cited: set[str], file: str, problems: list[Problem]) -> None:
    """Warn about every source no leg cites."""
    unused = ~sources[SOURCE_ID].isin(cited)
    add_problems(
        problems,
        file,
        sources,
        unused,
        SOURCE_ID,
        "source is not cited by any leg",
        "cite it in transfers.csv source_ids, or remove it",
        severity="warning",
    )
