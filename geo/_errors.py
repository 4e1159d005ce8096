"""Exceptions raised by movemap, and the :class:`Problem` they carry.

Validation gathers every problem in an input and raises once, so a user
fixes a whole file in one pass instead of one line per run.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal


@functools.total_ordering
@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input value.

    Parameters
    ----------
    file
        Path of the input file, as the user would type it.
    line
        1-based line number (the header is line 1); ``None`` when the
        problem concerns the whole file or a GeoJSON feature that has no
        line (see ``feature``).
    column
        Column or property name, or ``None``.
    value
        The offending value, shown with ``repr``.
    message
        What is wrong.
    hint
        What would fix it (e.g. "did you mean 'Zuwara'?").
    severity
        ``"error"`` stops the run; ``"warning"`` is reported only.
    position
        1-based character column within ``line`` where the problem starts,
        when known (shown as ``file:line:position``).
    feature
        0-based index of the GeoJSON feature, when the problem is in one
        (shown as ``feature n``).

    """

    file: str
    line: int | None
    column: str | None
    value: object = field(compare=False)
    message: str
    hint: str | None = None
    severity: Literal["error", "warning"] = "error"
    position: int | None = field(default=None, compare=False)
    feature: int | None = field(default=None, compare=False)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return _full_key(self) < _full_key(other)

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.line is not None and self.position is not None:
            where += f":{self.position}"
        return self.said(where)

    def said(self, where: str) -> str:
        """Return the problem as a line, placed at ``where`` (file, line...)."""
        if self.feature is not None:
            where += f": feature {self.feature}"
        col = f" column {self.column!r}:" if self.column else ""
        msg = f"{where}:{col} {self.message} (value {self.value!r})"
        if self.hint:
            msg += f"; {self.hint}"
        if self.severity == "warning":
            msg = f"warning: {msg}"
        return msg


def grouped(problems: Iterable[Problem], *, shown: int = 3) -> list[str]:
    """Return ``problems`` as lines, the same reminder on many rows said once.

    Problems that differ only in their line (same file, column, message,
    value, hint and severity) become one line naming the first ``shown``
    lines and how many more; ``movemap validate`` still lists every row.
    The first problem of each group keeps its place in the order.
    """
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        key = (p.file, p.column, p.message, repr(p.value), p.hint, p.severity, p.feature)
        groups.setdefault(key, []).append(p)
    out = []
    for same in groups.values():
        first = same[0]
        if len(same) == 1 or first.line is None:
            out.extend(map(str, same))
            continue
        lines = [str(p.line) for p in same[:shown]]
        more = len(same) - len(lines)
        where = ", ".join(lines) + (f" and {more:,} more" if more else "")
        out.append(first.said(f"{first.file}: lines {where} ({len(same):,} rows)")
                   + ("; `movemap validate` lists every row" if more else ""))
    return out


class MovemapError(Exception):
    """Base class of every error movemap raises on purpose."""


class InputError(MovemapError):
    """One or more problems in an input file, all reported at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(problems, key=_problem_key)
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"{len(errors)} problem(s) in the input:"
        super().__init__("\n".join([head, *map(str, self.problems)]))


class GazetteerError(InputError):
    """The gazetteer has invalid rows."""


class LedgerError(InputError):
    """transfers.csv or sources.csv has invalid rows."""


class ZonesError(InputError):
    """zones.geojson has invalid features."""


class PhraseRulesError(InputError):
    """The date phrase rules (geo/data/date_phrases.toml or a copy) are invalid."""


class PlaceLookupError(MovemapError, LookupError):
    """A place name could not be resolved to exactly one gazetteer row."""


class UnknownPlaceError(PlaceLookupError):
    """No gazetteer place matches the name."""

    def __init__(self, name: str, suggestions: Sequence[str] = ()) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        msg = f"unknown place {name!r}"
        if self.suggestions:
            msg += "; did you mean " + " or ".join(map(repr, self.suggestions)) + "?"
        super().__init__(msg)


class AmbiguousPlaceError(PlaceLookupError):
    """More than one gazetteer place matches the name."""

    def __init__(self, name: str, candidates: Sequence[str]) -> None:
        self.name = name
        self.candidates = tuple(candidates)
        msg = f"ambiguous place {name!r}: matches " + ", ".join(map(repr, self.candidates))
        msg += "; use one of those ids or names"
        super().__init__(msg)


class DataDirError(MovemapError):
    """The input folder is missing or lacks a required file."""


class OutputError(MovemapError):
    """An output path cannot be written (a file where a folder is needed, no permission...)."""


def _full_key(p: Problem) -> tuple[str, int, int, str, str, str, str]:
    """Sort key: a problem without a line (the whole file) comes first."""
    return (*_problem_key(p), p.message, p.hint or "", p.severity)


def _problem_key(p: Problem) -> tuple[str, int, int, str]:
    line = -1 if p.line is None else p.line
    return (p.file, line, -1 if p.feature is None else p.feature, p.column or "")


__all__ = [
    "AmbiguousPlaceError",
    "DataDirError",
    "GazetteerError",
    "InputError",
    "LedgerError",
    "MovemapError",
    "OutputError",
    "PlaceLookupError",
    "Problem",
    "UnknownPlaceError",
    "ZonesError",
]
