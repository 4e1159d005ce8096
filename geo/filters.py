"""Select legs: the one filter behind ``build``, ``brief`` and ``export``.

A filter keeps the legs matching *every* option given; within one option
any of the values may match (``actor=["Turkey", "Russian military"]``).
Matching ignores case.  A value no leg has is an error naming the values
there are (with the closest ones first), never an empty map.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo import columns as col
from geo._errors import InputError, Problem

if TYPE_CHECKING:
    from geo.dataset import Dataset

__all__ = ["FILTER_OPTIONS", "LegFilter", "filter_dataset", "filter_legs"]

#: Option name -> what it matches, for help texts and error messages.
FILTER_OPTIONS = {
    "transfer": "transfer id",
    "actor": "actor or actor group",
    "category": "equipment category",
    "status": "status",
    "since": "legs whose date range ends on or after this date",
    "until": "legs whose date range starts on or before this date",
}
#: What the errors name as the file: the command-line option.
_WHERE = "command line"


@dataclasses.dataclass(frozen=True)
class LegFilter:
    """Which legs to keep; every field ``None`` or empty keeps all.

    Attributes
    ----------
    transfer, actor, category, status
        Values to keep (any of them).
    since, until
        ISO dates (``2020``, ``2020-05`` or ``2020-05-18``): keep legs
        whose date range overlaps ``[since, until]``; a month or year
        counts from its first day (``since``) or to its last (``until``).

    """

    transfer: tuple[str, ...] = ()
    actor: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None

    @classmethod
    def of(cls, **options: Iterable[str] | str | None) -> LegFilter:
        """Build from keyword options; lists may hold comma-separated values."""
        fields: dict[str, object] = {}
        for name, value in options.items():
            if name not in FILTER_OPTIONS:
                msg = f"unknown filter option {name!r}; options are {', '.join(FILTER_OPTIONS)}"
                raise TypeError(msg)
            if name in ("since", "until"):
                fields[name] = None if value in (None, "") else str(value).strip()
                continue
            items = [value] if isinstance(value, str) else list(value or [])
            split = [v.strip() for item in items for v in str(item).split(",")]
            fields[name] = tuple(v for v in split if v)
        return cls(**fields)  # type: ignore[arg-type]

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in dataclasses.fields(self))

    def describe(self) -> str:
        """Say in words what is kept (``""`` when nothing is filtered)."""
        parts = []
        for name in ("transfer", "actor", "category", "status"):
            values = getattr(self, name)
            if values:
                parts.append(f"{FILTER_OPTIONS[name].split(' or ')[0]}: {', '.join(values)}")
        if self.since and self.until:
            parts.append(f"{self.since} to {self.until}")
        elif self.since:
            parts.append(f"from {self.since}")
        elif self.until:
            parts.append(f"up to {self.until}")
        return "; ".join(parts)


def _bound(text: str, *, end: bool) -> pd.Timestamp | None:
    from geo.dates import parse_dates

    parsed = parse_dates([text])
    if parsed[col.DATE_PROBLEM].iloc[0] is not None or "/" in text:
        return None
    return parsed[col.DATE_END if end else col.DATE_START].iloc[0]


def _suggest(value: str, known: Sequence[str]) -> str:
    from rapidfuzz import process

    close = [m[0] for m in process.extract(value, known, limit=3, score_cutoff=50)]
    rest = [k for k in known if k not in close]
    shown = close + rest[: max(0, 8 - len(close))]
    more = f" and {len(known) - len(shown)} more" if len(known) > len(shown) else ""
    lead = f"did you mean {', '.join(map(repr, close))}? " if close else ""
    return f"{lead}values in the ledger: {', '.join(map(repr, shown))}{more}"


def filter_legs(legs: pd.DataFrame, legfilter: LegFilter) -> np.ndarray:
    """Boolean mask of the legs ``legfilter`` keeps.

    Parameters
    ----------
    legs
        Dataset legs.
    legfilter
        What to keep.

    Returns
    -------
    numpy.ndarray
        One bool per leg.

    Raises
    ------
    InputError
        Every problem at once: a value no leg has (with the values there
        are), a date that is not ISO 8601, ``since`` after ``until``, or
        a filter that leaves no leg.

    """
    problems: list[Problem] = []
    keep = np.ones(len(legs), dtype=bool)

    def text(column: str) -> pd.Series:
        if column not in legs:
            return pd.Series([""] * len(legs), index=legs.index, dtype=object)
        return legs[column].fillna("").astype(str)

    choices = {
        "transfer": [text(col.TRANSFER_ID)],
        "actor": [text(col.ACTOR), text(col.ACTOR_GROUP)],
        "category": [text(col.CATEGORY)],
        "status": [text(col.STATUS)],
    }
    for name, series in choices.items():
        wanted = getattr(legfilter, name)
        if not wanted:
            continue
        # A cell may list several values ("artillery;armour").
        cells = [s.str.lower().str.split(col.CATEGORY_SEP) for s in series]
        known = sorted({v.strip() for s in series for cell in s for v in cell.split(";") if v})
        known_lower = {k.lower() for k in known}
        mask = np.zeros(len(legs), dtype=bool)
        for value in wanted:
            v = value.lower()
            if v not in known_lower:
                problems.append(
                    Problem(_WHERE, None, f"--{name}", value,
                            f"no leg has this {FILTER_OPTIONS[name]}", _suggest(value, known))
                )
                continue
            for c in cells:
                mask |= c.map(lambda parts, v=v: v in [p.strip() for p in parts]).to_numpy(bool)
        keep &= mask
    bounds = {}
    for name, end in (("since", False), ("until", True)):
        value = getattr(legfilter, name)
        if value is None:
            continue
        bound = _bound(value, end=end)
        if bound is None or pd.isna(bound):
            problems.append(
                Problem(_WHERE, None, f"--{name}", value, "not an ISO 8601 date",
                        "write YYYY-MM-DD, YYYY-MM or YYYY, e.g. 2020-05-18")
            )
            continue
        bounds[name] = bound
    if "since" in bounds and "until" in bounds and bounds["since"] > bounds["until"]:
        problems.append(
            Problem(
                _WHERE, None, "--since", legfilter.since,
                f"is after --until {legfilter.until!r}", "swap the two dates",
            )
        )
    start = pd.to_datetime(legs[col.DATE_START], errors="coerce").to_numpy()
    stop = pd.to_datetime(legs[col.DATE_END], errors="coerce").to_numpy()
    if "since" in bounds:
        keep &= stop >= np.datetime64(bounds["since"])
    if "until" in bounds:
        keep &= start <= np.datetime64(bounds["until"])
    if not problems and len(legs) and not keep.any():
        problems.append(
            Problem(_WHERE, None, None, legfilter.describe(), "no leg matches every filter given",
                    "drop or widen one of the options")
        )
    if problems:
        raise InputError(problems)
    return keep


def filter_dataset(dataset: Dataset, legfilter: LegFilter) -> Dataset:
    """Return the dataset with only the legs ``legfilter`` keeps (and their segments).

    Places, zones and sources are kept whole: maps draw only the places
    the kept legs touch and list only the sources they cite.

    Raises
    ------
    InputError
        See :func:`filter_legs`.

    """
    if not legfilter:
        return dataset
    keep = filter_legs(dataset.legs, legfilter)
    legs = dataset.legs[keep]
    segments = dataset.segments
    if len(segments):
        keys = pd.MultiIndex.from_frame(legs[[col.TRANSFER_ID, col.LEG]])
        seg_keys = pd.MultiIndex.from_frame(segments[[col.TRANSFER_ID, col.LEG]])
        segments = segments[seg_keys.isin(keys)]
    return dataclasses.replace(dataset, legs=legs, segments=segments)
