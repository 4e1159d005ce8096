"""Problems of ledger rows: one per failing row, duplicates, report order.

Helpers of :mod:`geo.ledger` and its checks (:mod:`geo.ledger_checks`,
:mod:`geo.ledger_sources`, :mod:`geo.ledger_stops`): each builds
:class:`~geo._errors.Problem` objects with file, line, column, value and a
fix, only for the rows a vectorized check selected.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from geo._errors import Problem
from geo.columns import (
    SOURCE_LINE,
)

__all__ = ["add_problems", "problem_order", "report_duplicates"]

_Severity = Literal["error", "warning"]


def add_problems(
    problems: list[Problem],
    file: str,
    table: pd.DataFrame,
    mask: pd.Series | np.ndarray,
    column: str,
    message: str,
    hint: str | None = None,
    *,
    values: pd.Series | None = None,
    severity: _Severity = "error",
) -> None:
    """Append one problem per row selected by ``mask``."""
    idx = np.flatnonzero(np.asarray(mask, dtype=bool))
    lines = table[SOURCE_LINE].to_numpy()
    shown = table[column] if values is None else values
    for i in idx:
        problems.append(
            Problem(file, int(lines[i]), column, shown.iloc[i], message, hint, severity)
        )


def problem_order(p: Problem) -> tuple[str, int, str, str]:
    """Sort key of problems: file, line (none first), column, message."""
    # Problem's own ordering would compare a None line with an int.
    return (p.file, -1 if p.line is None else p.line, p.column or "", p.message)


def report_duplicates(
    problems: list[Problem],
    file: str,
    table: pd.DataFrame,
    key: list[str],
    column: str,
    message: str,
) -> None:
    """Report every row whose ``key`` repeats an earlier row's, naming that row."""
    dup = table.duplicated(key, keep="first")
    if not dup.any():  # the usual case: no grouping, no text made
        return
    dup &= table[column].astype(str) != ""
    first = table.groupby(key, sort=False)[SOURCE_LINE].transform("min")
    for i in np.flatnonzero(dup.to_numpy()):
        value = table[column].iloc[i]
        problems.append(
            Problem(
                file,
                int(table[SOURCE_LINE].iloc[i]),
                column,
                value.item() if hasattr(value, "item") else value,
                f"{message} (first on line {int(first.iloc[i])})",
                "make it unique, or merge the rows",
            )
        )
