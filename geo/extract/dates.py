"""Dates in a report's sentences, as EDTF, resolved against publication.

With a publication day, phrases are found and resolved by
:func:`geo.reldate.find_dates` (the project's relative-date resolver, its
rules in ``geo/data/date_phrases.toml``). Without one (an undated report)
only phrases that carry their own year can be resolved; a small rule set
here finds them (absolute days, months and years; chain phrases such as
"the following day" against the previous event), reading the absolute
ones with ``dateparser``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["DateMention", "Published", "find_dates", "parse_published"]

_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|janvier|février|mars|"
           "avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre")
_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
        "a": 1, "an": 1, "24": 1, "48": 2, "72": 3}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Month and weekday names and abbreviations, lower case: calendar words, never places.
CALENDAR_WORDS = frozenset((*_MONTHS.split("|"), *_WEEKDAYS, *(w[:3] for w in _WEEKDAYS)))

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # a day is 1-31 and no model number ("the Il-76 may have": no 76 May)
    ("day", re.compile(rf"\b(?:on |le )?(?<![\w-])(3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th|er)? "
                       rf"(?:of )?({_MONTHS})\.?"
                       r"(?:,? (\d{4}))?\b", re.I)),
    ("day", re.compile(rf"\b(?:on )?({_MONTHS})\.? (\d{{1,2}})(?:st|nd|rd|th)?\b(?:,? (\d{{4}}))?",
                       re.I)),
    ("month", re.compile(rf"\b(?:in |since |by |early |late |mid-|en )?(?:early |late |mid-)?"
                         rf"({_MONTHS}) (?:of )?(\d{{4}}|last year|this year)\b", re.I)),
    ("month", re.compile(rf"\b(?:in|since|early|late|during) ({_MONTHS})\b(?! \d)", re.I)),
    ("rel", re.compile(r"\b(the following day|the next day|the day after|le lendemain)\b", re.I)),
    ("rel", re.compile(r"\b(\d+|one|two|three|four|five|six|seven|a|an) (hours?|days?|weeks?) "
                       r"later\b", re.I)),
    ("thismonth", re.compile(r"\b(earlier this month|this month|later this month)\b", re.I)),
    ("lastmonth", re.compile(r"\b(last month)\b", re.I)),
    ("week", re.compile(r"\b(last week|this week|within a week|past week|recent days|"
                        r"in recent days|past few days)\b", re.I)),
    ("weekday", re.compile(r"\b(?:on |last )?(monday|tuesday|wednesday|thursday|friday|"
                           r"saturday|sunday)\b", re.I)),
    ("year", re.compile(r"\b(?:in|since|during|by|en) (\d{4})\b", re.I)),
    ("lastyear", re.compile(r"\b(last year|l'an dernier|l'année dernière)\b", re.I)),
]


@dataclass(frozen=True)
class Published:
    """When a report was published, with the precision it was given at.

    ``text`` is the date as given (``2024-06-12``, ``2024-06`` or ``2024``);
    ``first`` and ``last`` are the days it spans.
    """

    text: str
    first: dt.date
    last: dt.date

    @property
    def precision(self) -> str:
        """``day``, ``month`` or ``year``."""
        return {10: "day", 7: "month", 4: "year"}[len(self.text)]


_PUBLISHED = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def parse_published(value: str | dt.date | Published | None) -> Published | None:
    """Read a publication date given as a day, a month or a year.

    Reports give their date as precisely as they know it: ``2024-06-12``,
    ``2024-06`` or ``2024``. Anything else raises
    :class:`~geo._errors.MovemapError` with the forms that work.

    >>> parse_published("2024-06").last
    datetime.date(2024, 6, 30)
    """
    import calendar

    from geo._errors import MovemapError

    if value is None or isinstance(value, Published):
        return value
    if isinstance(value, dt.date):
        return Published(value.isoformat(), value, value)
    text = str(value).strip()
    m = _PUBLISHED.fullmatch(text)
    try:
        if not m:
            raise ValueError
        year, month, day = (int(g) if g else None for g in m.groups())
        if day is not None:
            d = dt.date(year, month, day)
            return Published(text, d, d)
        if month is not None:
            last = calendar.monthrange(year, month)[1]
            return Published(text, dt.date(year, month, 1), dt.date(year, month, last))
        return Published(text, dt.date(year, 1, 1), dt.date(year, 12, 31))
    except ValueError:
        msg = (f"publication date {value!r} is not a day, a month or a year; write it as "
               "the report gives it: 2024-06-12, 2024-06 or 2024 (ISO 8601)")
        raise MovemapError(msg) from None


@dataclass(frozen=True)
class DateMention:
    """One date phrase: its text, offsets in the text searched, and EDTF value."""

    text: str
    start: int
    end: int
    edtf: str  # "" when it could not be resolved (no publication date)
    relative: bool  # resolved against the previous event, not the publication


def find_dates(
    text: str, *, published: dt.date | Published | None, after: str | None = None
) -> list[DateMention]:
    """Find date phrases in ``text`` and resolve them to EDTF.

    Parameters
    ----------
    text
        A sentence or a few.
    published
        The report's publication day: the anchor of "last year", week days
        and absolute dates written without a year. A month or a year
        (:class:`Published`) anchors each phrase at its first and at its
        last day, and the date is the span of both ("yesterday" in a report
        of 2024-06 is ``2024-05-31/2024-06-29``; "last year" is ``2023``).
    after
        EDTF date of the previous event, the anchor of "the following day".

    Returns
    -------
    list of DateMention
        In text order, without overlaps.

    """
    if isinstance(published, Published):
        if published.first == published.last:
            published = published.first
        else:
            return _find_in_period(text, published, after)
    if published is not None:
        from geo import reldate

        return [DateMention(m.text, m.start, m.end, m.date, False)
                for m in reldate.find_dates(text, published=published, after=after or None)]
    out: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, rx in _PATTERNS:
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            value = _resolve(kind, m, published, after)
            if value is None:
                continue
            taken.append((m.start(), m.end()))
            out.append(DateMention(m.group(0), m.start(), m.end(), value, kind == "rel"))
    return sorted(out, key=lambda d: d.start)


_NAMES_MONTH = re.compile(rf"\b(?:{_MONTHS})\b", re.I)


def _find_in_period(text: str, published: Published, after: str | None) -> list[DateMention]:
    """Resolve against the period's first and last day; keep the span of both.

    A phrase that names its month ("on April 19") is the latest such day up to
    the period's end: anchored at the first day it would fall a year back.
    """
    early = find_dates(text, published=published.first, after=after)
    late = {(m.start, m.end): m for m in find_dates(text, published=published.last, after=after)}
    out = []
    for m in early:
        other = late.get((m.start, m.end))
        if other is not None and other.edtf and _NAMES_MONTH.search(m.text):
            out.append(other)  # "on April 19" in a report of 2021-04: 2021, not 2020
            continue
        if other is None or other.edtf == m.edtf or not (m.edtf and other.edtf):
            out.append(m)
            continue
        start, end = m.edtf.split("/")[0], other.edtf.split("/")[-1]
        out.append(DateMention(m.text, m.start, m.end, f"{start}/{end}", m.relative))
    return out


def _resolve(kind: str, m: re.Match[str], published: dt.date | None, after: str | None):
    phrase = m.group(0)
    pub = published
    if kind in ("day", "month"):
        has_year = re.search(r"\d{4}", phrase)
        if "last year" in phrase.lower() and pub:
            phrase = phrase.lower().replace("last year", str(pub.year - 1))
            has_year = True
        if "this year" in phrase.lower() and pub:
            phrase = phrase.lower().replace("this year", str(pub.year))
            has_year = True
        if not has_year and pub is None:
            return ""
        d = _parse(re.sub(r"^(on|in|since|by|early|late|mid-|le|en|during) ", "", phrase,
                          flags=re.I), pub)
        if d is None:
            return None
        if not has_year and pub and d > pub:
            d = d.replace(year=d.year - 1)
        return d.isoformat() if kind == "day" else d.strftime("%Y-%m")
    if kind == "rel":
        if not after or len(after) < 10:
            return ""
        base = dt.date.fromisoformat(after[:10])
        if m.lastindex and m.lastindex >= 2:
            n = _NUM.get(m.group(1).lower()) or int(m.group(1))
            unit = m.group(2).lower()
            days = max(1, round(n / 24)) if unit.startswith("hour") else n * (
                7 if unit.startswith("week") else 1)
        else:
            days = 1
        return (base + dt.timedelta(days=days)).isoformat()
    if pub is None:
        return ""
    if kind == "thismonth":
        return pub.strftime("%Y-%m")
    if kind == "lastmonth":
        first = pub.replace(day=1) - dt.timedelta(days=1)
        return first.strftime("%Y-%m")
    if kind == "week":
        return f"{(pub - dt.timedelta(days=7)).isoformat()}/{pub.isoformat()}"
    if kind == "weekday":
        want = _WEEKDAYS.index(m.group(1).lower())
        back = (pub.weekday() - want) % 7
        return (pub - dt.timedelta(days=back)).isoformat()
    if kind == "year":
        year = int(m.group(1))
        return str(year) if 1900 < year <= pub.year else None
    if kind == "lastyear":
        return str(pub.year - 1)
    return None


@lru_cache(maxsize=4096)
def _parse(phrase: str, pub: dt.date | None) -> dt.date | None:
    import dateparser

    settings = {"PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first",
                "REQUIRE_PARTS": ["month"]}
    if pub:
        settings["RELATIVE_BASE"] = dt.datetime(pub.year, pub.month, pub.day)
    got = dateparser.parse(phrase, languages=["en", "fr"], settings=settings)
    return got.date() if got else None
