"""Checks shared by the CSV readers (gazetteer, ledger, sources)."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import process

from geo._errors import Problem

__all__ = ["header_problems"]


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
