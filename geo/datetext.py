"""Dates as text: write day spans as EDTF, and EDTF as words a reader expects.

Pure standard library (no pandas), so ``movemap date`` starts fast.

* :func:`format_span` writes inclusive day bounds in the shortest form the
  ledger reads (``2024-12-13``, ``2024-12``, ``2024``, ``2024-W50``,
  ``2024-03-01/2024-03-10``), with the EDTF level 1 qualifiers ``~``
  (approximate), ``?`` (uncertain), ``%`` (both) and open ends ``..``.
* :func:`precision_of_days` names the precision class of a span of days
  (the same classes as :func:`geo.dates.span_precision`).
* :func:`readable_date` turns a ledger date into words for popups:
  ``2020-10-23/..`` -> ``since 23 Oct 2020``, ``2020-05~`` -> ``c. May 2020``,
  ``2020-05?`` -> ``May 2020 (uncertain)``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from geo import settings

__all__ = ["format_span", "precision_of_days", "readable_date"]

_MONTH_ABBR = (
    "",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def precision_of_days(days: int) -> str:
    """Return the precision class (``day`` ... ``coarser``) of a span of ``days`` days."""
    for name, limit in settings.DATE_PRECISION_MAX_DAYS.items():
        if days <= limit:
            return name
    return "coarser"


def _qual(approximate: bool, uncertain: bool) -> str:
    if approximate and uncertain:
        return "%"
    return "~" if approximate else "?" if uncertain else ""


def _last_of_month(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _endpoint(start: dt.date, end: dt.date) -> str | None:
    """One EDTF endpoint covering exactly start..end, or None if there is none."""
    if start == end:
        return start.isoformat()
    if start.day == 1 and end == _last_of_month(start):
        return f"{start:%Y-%m}"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return f"{start.year:04d}"
    return None


def _start_form(start: dt.date, end: dt.date) -> str:
    """Interval start: a whole month or year if the span is built of them."""
    if start.day == 1 and end == _last_of_month(end):
        if start.month == 1 and end.month == 12:
            return f"{start.year:04d}"
        return f"{start:%Y-%m}"
    return start.isoformat()


def _end_form(start: dt.date, end: dt.date) -> str:
    if start.day == 1 and end == _last_of_month(end):
        if start.month == 1 and end.month == 12:
            return f"{end.year:04d}"
        return f"{end:%Y-%m}"
    return end.isoformat()


def format_span(
    start: dt.date | None,
    end: dt.date | None,
    *,
    week: bool = False,
    approximate: bool = False,
    uncertain: bool = False,
) -> str:
    """Write inclusive day bounds as the shortest ledger/EDTF date.

    Parameters
    ----------
    start, end
        First and last day (inclusive). None for an open side (``..``); at
        least one must be given.
    week
        Write a Monday-to-Sunday span as an ISO week (``2024-W50``).
    approximate, uncertain
        Add the EDTF qualifier ``~``, ``?`` or ``%`` to each endpoint.

    Returns
    -------
    str
        E.g. ``2024-12-13``, ``2024-12``, ``2024-03-01~/2024-03-10~``,
        ``2024-12-08/..``.

    Examples
    --------
    >>> import datetime as dt
    >>> format_span(dt.date(2020, 5, 1), dt.date(2020, 5, 31), approximate=True)
    '2020-05~'
    >>> format_span(dt.date(2024, 12, 8), None)
    '2024-12-08/..'

    """
    q = _qual(approximate, uncertain)
    if start is None and end is None:
        raise ValueError("a date needs at least one known end")
    if start is None or end is None:
        known = start if start is not None else end
        assert known is not None
        text = known.isoformat() + q
        return f"{text}/.." if start is not None else f"../{text}"
    if end < start:
        raise ValueError(f"span ends ({end}) before it starts ({start})")
    if week and start.weekday() == 0 and (end - start).days == 6:
        iso = start.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}{q}"
    single = _endpoint(start, end)
    if single is not None:
        return single + q
    return f"{_start_form(start, end)}{q}/{_end_form(start, end)}{q}"


# --- readable words -------------------------------------------------------------

_DASH = " \u2013 "  # en dash between the ends of an interval

_EP = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?|-W(?P<w>\d{2}))?(?P<q>[~?%])?$")


def _words(endpoint: str) -> tuple[str, str]:
    """(words, qualifier) for one EDTF endpoint; the text itself if not understood."""
    m = _EP.match(endpoint.strip())
    if not m:
        return endpoint.strip(), ""
    y, mo, d, w, q = m["y"], m["m"], m["d"], m["w"], m["q"] or ""
    if w:
        return f"week {int(w)} of {y}", q
    if mo and 1 <= int(mo) <= 12:
        if d:
            return f"{int(d)} {_MONTH_ABBR[int(mo)]} {y}", q
        return f"{_MONTH_ABBR[int(mo)]} {y}", q
    return y, q


def _qualified(words: str, q: str) -> str:
    if q == "~":
        return f"c. {words}"
    if q == "?":
        return f"{words} (uncertain)"
    if q == "%":
        return f"c. {words} (uncertain)"
    return words


def readable_date(text: str) -> str:
    """Write a ledger date (EDTF level 1) as words for a popup or a caption.

    Parameters
    ----------
    text
        A ledger date: ``2020-05``, ``2020-W21``, ``2020-05~``, ``2020-05?``,
        ``2020-10-23/..``, ``../2020-05``, ``2024-12-01/2024-12-18``.

    Returns
    -------
    str
        ``May 2020``, ``week 21 of 2020``, ``c. May 2020``,
        ``May 2020 (uncertain)``, ``since 23 Oct 2020``, ``until May 2020``,
        ``1 Dec 2024 - 18 Dec 2024`` (with an en dash). Text it does not understand comes back
        unchanged (stripped), never dropped.

    Examples
    --------
    >>> readable_date("2020-10-23/..")
    'since 23 Oct 2020'
    >>> readable_date("2020-05~")
    'c. May 2020'

    """
    text = (text or "").strip()
    if not text:
        return ""
    if "/" not in text:
        return _qualified(*_words(text))
    a, _, b = text.partition("/")
    a, b = a.strip(), b.strip()
    if a in ("", "..") and b in ("", ".."):
        return text
    if b in ("", ".."):
        return "since " + _qualified(*_words(a))
    if a in ("", ".."):
        return "until " + _qualified(*_words(b))
    (wa, qa), (wb, qb) = _words(a), _words(b)
    if qa == qb and qa:
        return _qualified(f"{wa}{_DASH}{wb}", qa)
    return f"{_qualified(wa, qa)}{_DASH}{_qualified(wb, qb)}"
