"""Reported dates: parse them into inclusive day bounds and a precision class.

A ledger date is written as the reporting gives it, in ISO 8601 / ISO 8601-2
(EDTF level 1):

* a day ``2020-05-18``, a month ``2020-05``, a year ``2020``;
* an ISO week ``2020-W21`` (Monday to Sunday; ISO 8601, not EDTF);
* an interval ``a/b`` of any two of those (``2024-12-01/2024-12-18``,
  ``2020-05/2020-06``): from the first day of ``a`` to the last day of ``b``;
* an open interval: ``2020-10-23/..`` (from then on, ongoing: end not
  reported) or ``../2020-05`` (by then; start not reported). An empty side
  (``2020-10-23/``, EDTF's "unknown") reads the same;
* a qualifier after any date or endpoint: ``2020-05~`` approximate ("about
  May 2020"), ``2020-05?`` uncertain ("possibly May 2020"), ``2020-05%``
  both; ``2024-03-01~/2024-03-10~`` qualifies each end.

Every date becomes a pair of inclusive bounds (:data:`~geo.columns.DATE_START`,
:data:`~geo.columns.DATE_END`), flags for its qualifiers and open ends
(:data:`~geo.columns.DATE_APPROXIMATE`, :data:`~geo.columns.DATE_UNCERTAIN`,
:data:`~geo.columns.DATE_OPEN_START`, :data:`~geo.columns.DATE_OPEN_END`) and
the precision class its span implies: the narrowest of
``day``/``week``/``month``/``year`` whose width
(:data:`geo.settings.DATE_PRECISION_MAX_DAYS`) covers the span, else
``coarser``; for an open interval, the span of its known end
(``2020-10-23/..`` is ``day``). A ledger's ``date_precision`` may be left
blank (it is then this class) and must equal it when given, so a month
(``2020-05``) cannot claim ``day`` precision. An interval of 18 days is
``month``; one of six weeks is ``year`` (the interval keeps the exact bounds).
Qualifiers do not change the bounds: ``2020-05~`` spans May.

Open ends still get day bounds, so everything downstream (zones, time
filters, exports) has a span to work with; the flags say the bound is a
stand-in:

* an open end ("ongoing") runs to ``as_of``: by default the **data date**,
  the latest day any date in the same column reaches (for a ledger: the
  latest day its legs name), never before the known end;
* an open start (not known) runs from ``floor``: by default the earliest day
  any date in the column reaches. Zone attribution then looks at the whole
  span, so a zone whose control changed in it is flagged "changed during
  interval" instead of one side being picked silently.

Parsing is vectorized: one regular expression over the whole column (each
distinct text once), then :func:`pandas.to_datetime` on the endpoints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from geo import settings
from geo._errors import Problem
from geo.columns import (
    DATE,
    DATE_APPROXIMATE,
    DATE_AS_REPORTED,
    DATE_END,
    DATE_OPEN_END,
    DATE_OPEN_START,
    DATE_PRECISIONS,
    DATE_PROBLEM,
    DATE_START,
    DATE_UNCERTAIN,
    IMPLIED_PRECISION,
    SOURCE_IDS,
    SOURCE_LINE,
)

__all__ = [
    "check_precision",
    "check_reported_dates",
    "latest_date",
    "parse_dates",
    "span_precision",
]

# One endpoint: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-Www, then an optional EDTF
# qualifier. Named groups get a prefix so the two endpoints of an interval
# can share one pattern; a side of an interval may be open ("..") or empty.
_ENDPOINT = (
    r"(?P<{p}y>\d{{4}})(?:-(?P<{p}m>\d{{2}})(?:-(?P<{p}d>\d{{2}}))?|-W(?P<{p}w>\d{{2}}))?"
    r"(?P<{p}q>[~?%])?"
)
_SIDE = r"(?:(?P<{p}open>\.\.)|" + _ENDPOINT + r")?"
_DATE_RE = r"^\s*" + _SIDE.format(p="a") + r"(?P<slash>\s*/\s*" + _SIDE.format(p="b") + r")?\s*$"
_FORMS = (
    "YYYY-MM-DD, YYYY-MM, YYYY, YYYY-Www, an interval a/b of those, an open interval "
    "a/.. or ../b, each optionally followed by ~ (approximate), ? (uncertain) or % (both)"
)
#: Columns of parse_dates' output, in order.
_OUT_COLUMNS = (
    DATE_START,
    DATE_END,
    IMPLIED_PRECISION,
    DATE_PROBLEM,
    DATE_APPROXIMATE,
    DATE_UNCERTAIN,
    DATE_OPEN_START,
    DATE_OPEN_END,
)


def parse_dates(
    dates: pd.Series | Sequence[str],
    *,
    as_of: Any = None,
    floor: Any = None,
) -> pd.DataFrame:
    """Parse reported dates into inclusive day bounds.

    Parameters
    ----------
    dates
        Dates as written (strings; surrounding blanks are ignored).
    as_of
        Day an open end (``2020-10-23/..``, "ongoing") stands for: a scalar
        date or a Series aligned with ``dates``. Default: the data date, the
        latest day any usable date in ``dates`` reaches.
    floor
        Day an open start (``../2020-05``) stands for. Default: the earliest
        day any usable date in ``dates`` reaches.

    Returns
    -------
    pandas.DataFrame
        Same index as ``dates`` (a RangeIndex for a plain sequence), with
        columns :data:`~geo.columns.DATE_START` and
        :data:`~geo.columns.DATE_END` (``datetime64``, inclusive, NaT where
        the date is unusable; an open side filled from ``floor``/``as_of``
        but never inside the known end), :data:`~geo.columns.IMPLIED_PRECISION`
        (the precision class of the span, or of the known end of an open
        interval; None where unusable), :data:`~geo.columns.DATE_PROBLEM`
        (None, or why the date is unusable: not one of the accepted forms,
        not a real calendar date, an interval that ends before it starts, or
        one with no known end), and the bool flags
        :data:`~geo.columns.DATE_APPROXIMATE` (``~`` or ``%``),
        :data:`~geo.columns.DATE_UNCERTAIN` (``?`` or ``%``),
        :data:`~geo.columns.DATE_OPEN_START`, :data:`~geo.columns.DATE_OPEN_END`.

    Examples
    --------
    >>> parse_dates(["2020-05", "2020-W21", "2024-12-01/2024-12-18"])[
    ...     ["date_start", "date_end", "implied_precision"]
    ... ]
      date_start   date_end implied_precision
    0 2020-05-01 2020-05-31             month
    1 2020-05-18 2020-05-24              week
    2 2024-12-01 2024-12-18             month
    >>> parse_dates(["2020-10-23/..", "2020-12"])[["date_end", "date_open_end"]]
        date_end  date_open_end
    0 2020-12-31           True
    1 2020-12-31          False

    """
    text = pd.Series(dates, dtype=object) if not isinstance(dates, pd.Series) else dates
    # Ledgers repeat dates a lot: parse each distinct text once (a missing
    # date reads as "", anything else as its text).
    raw_codes, raw = pd.factorize(text.to_numpy(dtype=object))
    if all(type(v) is str for v in raw.tolist()):
        text_codes, uniques = pd.factorize(np.array([*raw.tolist(), ""], dtype=object))
        codes = text_codes[np.where(raw_codes < 0, len(raw), raw_codes)]
    else:  # numbers, dates, ...: each cell as its own text (1 and 1.0 differ)
        text = text.astype(object).where(text.notna(), "").astype(str)
        codes, uniques = pd.factorize(text.to_numpy(dtype=object))
    parsed = _parse_unique(pd.Series(uniques, dtype=object))
    out = parsed.iloc[codes].set_axis(text.index)
    known_start, known_end = out.pop("_known_start"), out.pop("_known_end")
    # Open sides: from the floor / to the data date, never inside the known end.
    ok = out[DATE_PROBLEM].isna()
    lo = _day_bound(floor, known_start[ok].min(), text.index)
    hi = _day_bound(as_of, known_end[ok].max(), text.index)
    open_start, open_end = out[DATE_OPEN_START] & ok, out[DATE_OPEN_END] & ok
    out.loc[open_start, DATE_START] = np.minimum(
        lo[open_start].fillna(known_start[open_start]), known_start[open_start]
    )
    out.loc[open_end, DATE_END] = np.maximum(
        hi[open_end].fillna(known_end[open_end]), known_end[open_end]
    )
    out[IMPLIED_PRECISION] = out[IMPLIED_PRECISION].astype(object)
    out[DATE_PROBLEM] = out[DATE_PROBLEM].astype(object)
    return out[list(_OUT_COLUMNS)]


def _day_bound(value: Any, default: Any, index: pd.Index) -> pd.Series:
    """Return a day per row: ``value`` (scalar or aligned Series) or ``default``."""
    if value is None:
        value = default
    if isinstance(value, pd.Series):
        days = pd.to_datetime(value.reindex(index), errors="coerce")
    else:
        days = pd.Series(pd.to_datetime(value, errors="coerce"), index=index)
    return days.dt.normalize()


def _parse_unique(text: pd.Series) -> pd.DataFrame:
    """parse_dates on distinct strings, open sides not yet filled."""
    parts = text.str.extract(_DATE_RE)
    slash = parts["slash"].notna()
    has_a, has_b = parts["ay"].notna(), parts["by"].notna()
    open_start = slash & ~has_a
    open_end = slash & ~has_b
    # ".." only stands for a side of an interval
    # (a text the pattern does not match has every group empty: neither a nor slash)
    matched = (has_a | slash) & ~(parts["aopen"].notna() & ~slash)
    no_end = matched & slash & ~has_a & ~has_b

    a_start, a_end = _endpoint_bounds(parts, "a")
    b_start, b_end = _endpoint_bounds(parts, "b")
    known_start = a_start.where(has_a, b_start)
    known_end = b_end.where(has_b, a_end)
    real = (~has_a | a_start.notna()) & (~has_b | b_start.notna()) & (has_a | has_b)
    bounded = has_a & (has_b | ~slash)
    start = a_start.where(has_a)
    end = known_end.where(bounded)
    backwards = real & bounded & (end < start)
    usable = matched & real & ~backwards

    reasons = np.select(
        [~matched.to_numpy(), no_end.to_numpy(), ~real.to_numpy(), backwards.to_numpy()],
        [
            f"not a date in a form movemap reads ({_FORMS})",
            "an interval needs at least one known end",
            "not a real calendar date (check month, day or week number)",
            "interval ends before it starts",
        ],
        default="",
    )
    problem = pd.Series(reasons, index=text.index, dtype=object)
    problem = problem.where(problem != "", None)

    quals = parts["aq"].fillna("") + parts["bq"].fillna("")
    out = pd.DataFrame(
        {
            DATE_START: start.where(usable),
            DATE_END: known_end.where(usable & (has_b | ~slash)),
        },
        index=text.index,
    )
    out[IMPLIED_PRECISION] = span_precision(
        known_start.where(usable & ~bounded, out[DATE_START]),
        known_end.where(usable & ~bounded, out[DATE_END]),
    )
    out[DATE_PROBLEM] = problem
    out[DATE_APPROXIMATE] = (usable & quals.str.contains("[~%]", regex=True)).astype(bool)
    out[DATE_UNCERTAIN] = (usable & quals.str.contains("[?%]", regex=True)).astype(bool)
    out[DATE_OPEN_START] = (usable & open_start).astype(bool)
    out[DATE_OPEN_END] = (usable & open_end).astype(bool)
    out["_known_start"] = known_start.where(usable)
    out["_known_end"] = known_end.where(usable)
    return out


def latest_date(legs: pd.DataFrame) -> pd.Timestamp | None:
    """Return the latest day any leg's date reaches (the ledger's data date).

    The briefing map's and slide's "as of" date and the GeoPackage's pinned
    timestamp. Legs without a date end are skipped.

    Parameters
    ----------
    legs
        Legs with a ``DATE_END`` column (a loaded dataset's ``legs``).

    Returns
    -------
    pandas.Timestamp or None
        The latest ``DATE_END``; None when there are no legs, no
        ``DATE_END`` column, or no leg has a date end.

    """
    if DATE_END not in legs.columns:
        return None
    ends = pd.to_datetime(pd.Series(legs[DATE_END], dtype=object), errors="coerce")
    return None if ends.isna().all() else pd.Timestamp(ends.max())


def span_precision(start: pd.Series, end: pd.Series) -> pd.Series:
    """Return the precision class of each inclusive span ``start``..``end``.

    Parameters
    ----------
    start, end
        Inclusive day bounds (``datetime64``); NaT gives None.

    Returns
    -------
    pandas.Series
        One of :data:`~geo.columns.DATE_PRECISIONS` (object dtype), or None.

    """
    days = (end - start).dt.days.to_numpy(dtype=float) + 1.0
    limits = settings.DATE_PRECISION_MAX_DAYS
    names = [p for p in DATE_PRECISIONS if p in limits]
    chosen = np.select([days <= limits[p] for p in names], names, default="coarser")
    result = pd.Series(chosen, index=start.index, dtype=object)
    return result.where(~np.isnan(days), None)


def check_precision(parsed: pd.DataFrame, precision: pd.Series) -> pd.Series:
    """Say where a stated precision does not match the date it qualifies.

    Parameters
    ----------
    parsed
        Output of :func:`parse_dates`.
    precision
        Stated precision codes, aligned with ``parsed``. Values that are not
        precision codes at all, and dates that could not be parsed, are not
        judged here (they are reported on their own).

    Returns
    -------
    pandas.Series
        Aligned with ``parsed``: None where consistent, else a message
        naming the span and the precision it implies.

    """
    implied = parsed[IMPLIED_PRECISION]
    stated = precision.astype(object)
    judged = implied.notna() & stated.isin(DATE_PRECISIONS)
    bad = (judged & (stated != implied)).to_numpy(dtype=bool)
    result = pd.Series(np.full(len(parsed), None, dtype=object), index=parsed.index, dtype=object)
    if not bad.any():  # the usual case: no message built
        return result
    # Messages only for the rows that need one.
    parsed, stated, implied = parsed[bad], stated[bad], implied[bad]
    days = (parsed[DATE_END] - parsed[DATE_START]).dt.days + 1
    named = implied.map(repr, na_action="ignore").fillna("")
    msg = (
        "date_precision "
        + stated.map(repr)
        + " does not match the date, which spans "
        + days.fillna(0).astype(int).astype(str)
        + " day(s) (precision "
        + named
        + ")"
    )
    is_open = parsed.get(DATE_OPEN_START, False) | parsed.get(DATE_OPEN_END, False)
    open_msg = (
        "date_precision "
        + stated.map(repr)
        + " does not match the date, an open interval whose known end has precision "
        + named
    )
    result[bad] = msg.where(~is_open, open_msg).astype(object).to_numpy()
    return result


def _endpoint_bounds(parts: pd.DataFrame, p: str) -> tuple[pd.Series, pd.Series]:
    """First and last day of endpoint ``p`` of each row (NaT if absent/invalid)."""
    y, m, d, w = parts[f"{p}y"], parts[f"{p}m"], parts[f"{p}d"], parts[f"{p}w"]
    is_week = w.notna()
    # Calendar forms: fill the missing month/day with the first one.
    ymd = y + "-" + m.fillna("01") + "-" + d.fillna("01")
    cal_start = pd.to_datetime(ymd.where(y.notna() & ~is_week), format="%Y-%m-%d", errors="coerce")
    week_start = pd.to_datetime(
        (y + "-W" + w + "-1").where(is_week), format="%G-W%V-%u", errors="coerce"
    )
    start = cal_start.where(~is_week, week_start)
    end = start.copy()
    end[is_week] = start[is_week] + pd.Timedelta(days=6)
    is_month = m.notna() & d.isna()
    end[is_month] = start[is_month] + pd.offsets.MonthEnd(0)
    is_year = y.notna() & m.isna() & ~is_week
    end[is_year] = start[is_year] + pd.offsets.YearEnd(0)
    return start, end


def check_reported_dates(
    legs: pd.DataFrame,
    published: Mapping[str, str],
    *,
    file: str,
) -> list[Problem]:
    """Warn where a leg's ``date_as_reported`` does not fit its ``date``.

    Each leg's words are resolved (:func:`geo.reldate.resolve_date`) against
    the earliest publication date of the sources it cites; a leg whose
    words resolve to a span that does not overlap its ledger date gets a
    warning naming both and the ``movemap date`` command that reproduces
    the reading. Words that need the previous event ("the following day"),
    words that do not resolve, and legs without a dated source are not
    judged.

    Parameters
    ----------
    legs
        Leg table with ``DATE``, ``DATE_AS_REPORTED``, ``SOURCE_IDS`` (tuples),
        ``SOURCE_LINE``, and the bounds and open flags of :func:`parse_dates`.
    published
        Source id -> publication date (``YYYY-MM-DD``; others are skipped).
    file
        The ledger's path, for the warnings.

    Returns
    -------
    list of Problem
        Warnings, in leg order.

    """
    from geo.reldate import resolve_date

    if DATE_AS_REPORTED not in legs or not len(legs):
        return []
    words = legs[DATE_AS_REPORTED].fillna("").astype(str).str.strip()
    days = {k: v for k, v in published.items() if isinstance(v, str) and len(v) == 10}
    out: list[Problem] = []
    cache: dict[tuple[str, str], Any] = {}
    for i in np.flatnonzero((words != "").to_numpy() & legs[DATE_START].notna().to_numpy()):
        row = legs.iloc[i]
        dated = sorted(days[s] for s in (row[SOURCE_IDS] or ()) if s in days)
        if not dated:
            continue
        key = (words.iloc[i], dated[0])
        if key not in cache:
            try:
                cache[key] = resolve_date(key[0], published=key[1])
            except ValueError:
                cache[key] = None
        got = cache[key]
        if got is None:
            continue
        lo = pd.Timestamp.min if row[DATE_OPEN_START] else row[DATE_START]
        hi = pd.Timestamp.max if row[DATE_OPEN_END] else row[DATE_END]
        g_lo = pd.Timestamp(got.start) if got.start else pd.Timestamp.min
        g_hi = pd.Timestamp(got.end) if got.end else pd.Timestamp.max
        if g_lo <= hi and lo <= g_hi:
            continue
        out.append(
            Problem(
                file,
                int(row[SOURCE_LINE]),
                DATE_AS_REPORTED,
                key[0],
                f"the report's words read as {got.date} (published {key[1]}), which does not "
                f"overlap the date {row[DATE]!r}",
                f"check the date; `movemap date {key[0]!r} --published {key[1]}` shows the reading"
                + (f" ({got.note})" if got.note else ""),
                severity="warning",
            )
        )
    return out
