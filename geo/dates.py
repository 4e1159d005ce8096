"""Reported dates: parse them into inclusive day bounds and a precision class.

A ledger date is written as the reporting gives it, in ISO 8601:

* a day ``2020-05-18``, a month ``2020-05``, a year ``2020``;
* an ISO week ``2020-W21`` (Monday to Sunday);
* an interval ``a/b`` of any two of those (``2024-12-01/2024-12-18``,
  ``2020-05/2020-06``): from the first day of ``a`` to the last day of ``b``.

Every date becomes a pair of inclusive bounds (:data:`~geo.columns.DATE_START`,
:data:`~geo.columns.DATE_END`) and the precision class its span implies: the
narrowest of ``day``/``week``/``month``/``year`` whose width
(:data:`geo.settings.DATE_PRECISION_MAX_DAYS`) covers the span, else
``coarser``. A ledger's ``date_precision`` must equal that class, so a month
(``2020-05``) cannot claim ``day`` precision and a single day cannot claim
``month``. An interval of 18 days is ``month``; one of six weeks is ``year``
(the interval itself keeps the exact bounds).

Parsing is vectorized: one regular expression over the whole column, then
:func:`pandas.to_datetime` on the assembled endpoints.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo import settings
from geo.columns import DATE_END, DATE_PRECISIONS, DATE_PROBLEM, DATE_START, IMPLIED_PRECISION

__all__ = ["check_precision", "parse_dates", "span_precision"]

# One endpoint: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-Www. Named groups get a
# prefix so the two endpoints of an interval can share one pattern.
_ENDPOINT = r"(?P<{p}y>\d{{4}})(?:-(?P<{p}m>\d{{2}})(?:-(?P<{p}d>\d{{2}}))?|-W(?P<{p}w>\d{{2}}))?"
_DATE_RE = r"^\s*" + _ENDPOINT.format(p="a") + r"(?:\s*/\s*" + _ENDPOINT.format(p="b") + r")?\s*$"
_FORMS = "YYYY-MM-DD, YYYY-MM, YYYY, YYYY-Www, or an interval a/b of those"


def parse_dates(dates: pd.Series | Sequence[str]) -> pd.DataFrame:
    """Parse reported dates into inclusive day bounds.

    Parameters
    ----------
    dates
        Dates as written (strings; surrounding blanks are ignored).

    Returns
    -------
    pandas.DataFrame
        Same index as ``dates`` (a RangeIndex for a plain sequence), with
        columns :data:`~geo.columns.DATE_START` and
        :data:`~geo.columns.DATE_END` (``datetime64``, inclusive, NaT where
        the date is unusable), :data:`~geo.columns.IMPLIED_PRECISION` (the
        precision class of the span, None where unusable) and
        :data:`~geo.columns.DATE_PROBLEM` (None, or why the date is
        unusable: not one of the accepted forms, not a real calendar date,
        or an interval that ends before it starts).

    Examples
    --------
    >>> parse_dates(["2020-05", "2020-W21", "2024-12-01/2024-12-18"])[
    ...     ["date_start", "date_end", "implied_precision"]
    ... ]
      date_start   date_end implied_precision
    0 2020-05-01 2020-05-31             month
    1 2020-05-18 2020-05-24              week
    2 2024-12-01 2024-12-18             month

    """
    text = pd.Series(dates, dtype=object) if not isinstance(dates, pd.Series) else dates
    text = text.astype(object).where(text.notna(), "").astype(str)
    # Ledgers repeat dates a lot: parse each distinct text once.
    codes, uniques = pd.factorize(text.to_numpy(dtype=object))
    parsed = _parse_unique(pd.Series(uniques, dtype=object))
    out = parsed.iloc[codes].set_axis(text.index)
    out[IMPLIED_PRECISION] = out[IMPLIED_PRECISION].astype(object)
    out[DATE_PROBLEM] = out[DATE_PROBLEM].astype(object)
    return out


def _parse_unique(text: pd.Series) -> pd.DataFrame:
    """parse_dates on distinct strings (RangeIndex in, RangeIndex out)."""
    parts = text.str.extract(_DATE_RE)
    matched = parts["ay"].notna()

    a_start, a_end = _endpoint_bounds(parts, "a")
    b_start, b_end = _endpoint_bounds(parts, "b")
    is_interval = parts["by"].notna()
    start = a_start
    end = a_end.where(~is_interval, b_end)
    real = start.notna() & end.notna() & (~is_interval | b_start.notna())
    backwards = real & (end < start)
    usable = real & ~backwards

    reasons = np.select(
        [~matched.to_numpy(), ~real.to_numpy(), backwards.to_numpy()],
        [
            f"not a date in a form movemap reads ({_FORMS})",
            "not a real calendar date (check month, day or week number)",
            "interval ends before it starts",
        ],
        default="",
    )
    problem = pd.Series(reasons, index=text.index, dtype=object)
    problem = problem.where(problem != "", None)

    out = pd.DataFrame(
        {
            DATE_START: start.where(usable),
            DATE_END: end.where(usable),
        },
        index=text.index,
    )
    out[IMPLIED_PRECISION] = span_precision(out[DATE_START], out[DATE_END])
    out[DATE_PROBLEM] = problem
    return out


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
    bad = judged & (stated != implied)
    days = (parsed[DATE_END] - parsed[DATE_START]).dt.days + 1
    msg = (
        "date_precision "
        + stated.map(repr)
        + " does not match the date, which spans "
        + days.fillna(0).astype(int).astype(str)
        + " day(s) (precision "
        + implied.map(repr, na_action="ignore").fillna("")
        + ")"
    )
    return msg.astype(object).where(bad, None)


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
