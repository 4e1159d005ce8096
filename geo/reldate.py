"""Resolve the date phrases reports use ("Thursday last week", "since December 8").

A report dates events relative to its own publication ("yesterday", "last
Tuesday", "over the past two days") or to the event before ("the following
day", "24 hours later"). This module turns such phrases into ledger dates
(ISO 8601 / EDTF level 1, see :mod:`geo.dates`), and finds them in running
text for extraction.

The phrases are DATA, not code: ``geo/data/date_phrases.toml`` holds the
lexicons (months, weekdays, number words, units, "early/mid/late"), the cue
words ("since", "until", "around", "possibly") and the rules (a regular
expression with slots such as ``{WEEKDAY}`` or ``{CAL}`` and the action it
means). An analyst extends it without touching Python. The file is read
and checked by :mod:`geo.date_rules`; each action is a small function in
:mod:`geo._date_actions`.

``dateparser`` is used only for the absolute core of a phrase the rules do
not know (numeric forms such as ``13.12.2024``, other languages such as
``13 décembre 2024``), and only when that core holds a digit: read alone,
dateparser turns "He may fly to Sirte" into 1 May, drops the "since" of
"since December 8" and has nothing for "the following day".

Conventions (each result says which one it used in its ``note``):

* a date without a year is the most recent one on or before publication
  (published 2025-01-03, "on 28 December" is 2024-12-28);
* "last Tuesday" is the most recent Tuesday before the publication day;
  a bare "Tuesday" may be the publication day itself;
* weeks are ISO weeks, Monday to Sunday;
* "since X" is open-ended (``X/..``), "until X"/"by X" open-started
  (``../X``); "around X" approximate (``X~``), "possibly X" uncertain
  (``X?``); "early/mid/late" are approximate thirds of a month (days 1-10,
  11-20, 21-end) or of a year (Jan-Apr, May-Aug, Sep-Dec).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from geo._date_actions import ACTIONS, Ctx, Out, UnresolvedError, _days, _monday, _month_end
from geo.date_rules import PHRASES_PATH, PhraseRules, load_phrase_rules, parse_day
from geo.datetext import format_span, precision_of_days

__all__ = [
    "PHRASES_PATH",
    "DateMention",
    "ResolvedDate",
    "find_dates",
    "load_phrase_rules",
    "parse_day",
    "resolve_date",
    "why_unresolved",
]

_Rules = PhraseRules


@dataclass(frozen=True)
class ResolvedDate:
    """A date phrase resolved to a ledger date.

    Attributes
    ----------
    phrase
        The phrase as given.
    date
        Ledger / EDTF level 1 text: ``2024-12-13``, ``2024-W50``,
        ``2024-12-08/..``, ``2024-03-01~/2024-03-10~``.
    precision
        Precision class of the known span (``day``, ``week``, ``month``,
        ``year``, ``coarser``); for an open interval, of its known end.
    start, end
        First and last day it may be (inclusive); None on an open side.
    approximate, uncertain, open_start, open_end
        The EDTF qualifiers and open ends of ``date``.
    anchor
        What it was resolved against: ``published``, ``after`` (the
        previous event), ``absolute`` (a full calendar date) or ``event``.
    note
        The conventions applied, in words (year assumed, weekday read as ...).
    rule
        The rule pattern that matched, or ``dateparser``.

    """

    phrase: str
    date: str
    precision: str
    start: dt.date | None
    end: dt.date | None
    approximate: bool = False
    uncertain: bool = False
    open_start: bool = False
    open_end: bool = False
    anchor: str = "published"
    note: str = ""
    rule: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO strings)."""
        out = asdict(self)
        out["start"] = self.start.isoformat() if self.start else None
        out["end"] = self.end.isoformat() if self.end else None
        return out


@dataclass(frozen=True)
class DateMention:
    """A date phrase found in text by :func:`find_dates`.

    Attributes
    ----------
    start, end
        Character offsets of the phrase in the text (``text[start:end]``).
    text
        The phrase as it appears.
    date, precision
        As in :class:`ResolvedDate`.
    resolved
        The full :class:`ResolvedDate` (bounds, qualifiers, note).

    """

    start: int
    end: int
    text: str
    date: str
    precision: str
    resolved: ResolvedDate


class _UnresolvedError(Exception):
    """A rule matched but cannot give a date (the message says why)."""


# --- resolving one match ----------------------------------------------------------


def _cue_kind(rules: _Rules, cue: str | None) -> str | None:
    if not cue:
        return None
    cue = " ".join(cue.lower().split())
    for kind in ("open_end", "open_start", "approximate", "uncertain"):
        if cue in (c.lower() for c in rules.cues.get(kind, ())):
            return kind
    return None


def _finish(phrase: str, out: Out, cue: str | None, ctx: Ctx, rule: str) -> ResolvedDate:
    kind = _cue_kind(ctx.rules, cue)
    approximate = out.approximate or kind == "approximate"
    uncertain = kind == "uncertain"
    notes = list(out.notes)
    known = format_span(
        out.start, out.end, week=out.week, approximate=approximate, uncertain=uncertain
    )
    precision = precision_of_days((out.end - out.start).days + 1)
    start: dt.date | None = out.start
    end: dt.date | None = out.end
    open_start = open_end = False
    if kind == "open_end":
        start_text = known.split("/")[0]
        text = f"{start_text}/.."
        end, open_end = None, True
        notes.append("open-ended: from then on, end not reported")
    elif kind == "open_start":
        if (cue or "").lower() == "before":
            end = out.start - _days(1)
            end_text = format_span(end, end, approximate=approximate, uncertain=uncertain)
            precision = "day"
        else:
            end_text = known.split("/")[-1]
        text = f"../{end_text}"
        start, open_start = None, True
        notes.append("open start: by then at the latest, start not reported")
    else:
        text = known
    if out.anchor == "published" and ctx.published and out.start > ctx.published:
        notes.append(f"after publication ({ctx.published}): a plan or forecast, not a past event")
    return ResolvedDate(
        phrase=phrase,
        date=text,
        precision=precision,
        start=start,
        end=end,
        approximate=approximate,
        uncertain=uncertain,
        open_start=open_start,
        open_end=open_end,
        anchor=out.anchor,
        note="; ".join(notes),
        rule=rule,
    )


def _rule_of(m: Any, rules: _Rules) -> int:
    for i in range(len(rules.rules)):
        if m.group(f"r{i}") is not None:
            return i
    raise AssertionError("a match without a rule")  # pragma: no cover


def _resolve_match(phrase: str, m: Any, ctx: Ctx) -> ResolvedDate:
    i = _rule_of(m, ctx.rules)
    rule = ctx.rules.rules[i]
    groups = {k: v for k, v in m.groupdict().items() if v is not None}
    groups["_text"] = m.group(f"r{i}")
    out = ACTIONS[rule["action"]](ctx, groups, rule)
    if " ".join(str(groups.get("num", "")).lower().split()) in ctx.rules.vague:
        out.approximate = True  # "a few days later": about
    cue = m.group("cue")
    if any(groups.get(g) for g in ("day2", "month2", "year2", "iso2")):
        cue = None  # "from X to Y": the cue word belongs to the range
    return _finish(phrase, out, cue, ctx, rule["pattern"])


def _ambiguous_reason(m: Any, rules: _Rules, *, text_mode: bool) -> str | None:
    """Why a match on an ambiguous word (may, march, a bare year) is not a date."""
    gd = m.groupdict()
    month = gd.get("month") or ""
    core_has_number = bool(gd.get("day") or gd.get("year") or gd.get("iso"))
    cue = " ".join((gd.get("cue") or "").lower().split())
    fills = [" ".join(f.lower().split()) for f in m.captures("fill")]
    cued = any(w in rules.cued_by for w in (cue, *fills) if w) or bool(gd.get("part"))
    core = " ".join(
        next(v for k, v in gd.items() if k[:1] == "r" and k[1:].isdigit() and v).split()
    )
    if month and month.lower().rstrip(".") in rules.ambiguous and not core_has_number:
        if not cued and core.lower().rstrip(".") == month.lower().rstrip("."):
            return (
                f"{month!r} alone is read as the word, not the month: "
                f"write 'in {month.capitalize()}' or '{month.capitalize()} 2020'"
            )
        if text_mode and not month[:1].isupper():
            return f"{month!r} is not capitalised, so it is not read as the month"
    bare_year = gd.get("year") and not (month or gd.get("day") or gd.get("part"))
    year_cued = any(w in rules.year_cued_by for w in (cue, *fills) if w)
    if text_mode and bare_year and not year_cued and not gd.get("year2"):
        return "a bare number is not read as a year without 'in', 'since', 'until' ..."
    return None


def _context(
    rules: _Rules | None, published: str | dt.date | None, after: str | dt.date | None
) -> Ctx:
    r = rules or load_phrase_rules()
    p0 = p1 = None
    if published is not None:
        p0, p1 = parse_day(published, what="publication date")
        if p0 != p1:
            raise ValueError(f"publication date {published!s} must be a day (YYYY-MM-DD)")
    span = parse_day(after, what="anchor date (--after)") if after is not None else None
    after_text = (
        "" if after is None else (after.isoformat() if isinstance(after, dt.date) else str(after))
    )
    return Ctx(r, p0, span, after_text)


def _normal(phrase: str) -> str:
    return " ".join(phrase.split()).strip(" ,;:!").rstrip(".") if phrase else ""


def _attempt(phrase: str, ctx: Ctx) -> ResolvedDate | str:
    text = _normal(phrase)
    if not text:
        return "the phrase is empty"
    m = ctx.rules.pattern.fullmatch(text)
    if m is not None:
        reason = _ambiguous_reason(m, ctx.rules, text_mode=False)
        if reason:
            return reason
        try:
            return _resolve_match(phrase, m, ctx)
        except UnresolvedError as exc:
            return str(exc)
    return _with_dateparser(phrase, text, ctx)


def _strip_cue(text: str, rules: _Rules) -> tuple[str | None, str]:
    words = [
        w for k in ("open_end", "open_start", "approximate", "uncertain") for w in rules.cues[k]
    ]
    for w in sorted(words, key=len, reverse=True):
        if text.lower().startswith(w.lower() + " "):
            return w, text[len(w) + 1 :]
    return None, text


@functools.cache
def _dateparser(published: dt.date | None) -> Any:
    from dateparser.date import DateDataParser

    base = published or dt.date(1970, 1, 1)  # undated: only words with a year are kept
    return DateDataParser(
        settings={
            "RELATIVE_BASE": dt.datetime(base.year, base.month, base.day),
            "PREFER_DATES_FROM": "past",
            "PREFER_DAY_OF_MONTH": "first",
            "RETURN_AS_TIMEZONE_AWARE": False,
        }
    )


def _with_dateparser(phrase: str, text: str, ctx: Ctx) -> ResolvedDate | str:
    """Absolute core only: a phrase with a digit the rules do not know (13.12.2024)."""
    unknown = (
        f"no date phrase movemap knows in {phrase!r}: write an ISO date (2024-12-13), "
        f"or add the phrase's pattern to {ctx.rules.path}"
    )
    cue, core = _strip_cue(text, ctx.rules)
    for f in sorted(ctx.rules.cues.get("filler", ()), key=len, reverse=True):
        if core.lower().startswith(f + " "):
            core = core[len(f) + 1 :]
            break
    if not re.search(r"\d", core) or len(core.split()) > 5:
        return unknown
    data = _dateparser(ctx.published).get_date_data(core)
    if data is None or data.date_obj is None:
        return unknown
    d = data.date_obj.date()
    # Guards: every number in the words must be in the answer ("8-9 December"
    # is not 8 December), and the year must be written or recent ("13-14
    # December" is not 13 December 2014).
    numbers = [int(n) for n in re.findall(r"\d+", core)]
    years = [n for n in numbers if n >= 1000]
    if (
        any(n not in (d.day, d.month, d.year, d.year % 100) for n in numbers)
        or (years and d.year not in years)
        or (not years and (ctx.published is None or d.year < ctx.published.year - 1))
    ):
        return unknown
    period = data.period or "day"
    if period == "year":
        s, e = dt.date(d.year, 1, 1), dt.date(d.year, 12, 31)
    elif period == "month":
        s = d.replace(day=1)
        e = _month_end(s)
    elif period == "week":
        s = _monday(d)
        e = s + _days(6)
    else:
        s = e = d
    note = f"read by dateparser ({data.locale or 'unknown locale'})"
    out = Out(s, e, anchor="absolute", week=period == "week", notes=[note])
    return _finish(phrase, out, cue, ctx, "dateparser")


# --- public API ---------------------------------------------------------------------


def resolve_date(
    phrase: str,
    *,
    published: str | dt.date | None,
    after: str | dt.date | None = None,
    rules: _Rules | None = None,
) -> ResolvedDate | None:
    """Resolve one date phrase against a publication date.

    Parameters
    ----------
    phrase
        The words of the report: "Thursday last week", "since December 8",
        "the following day", "13 December 2024".
    published
        The report's publication day (``YYYY-MM-DD`` or a date), or None for
        an undated report: then only phrases that carry their own year (and
        phrases relative to ``after``) resolve.
    after
        The date of the previous event, for "the following day", "24 hours
        later" (a day, month or year; a month shifts as a month).
    rules
        Phrase rules from :func:`load_phrase_rules` (default: bundled).

    Returns
    -------
    ResolvedDate or None
        None when the phrase is not a date movemap can resolve;
        :func:`why_unresolved` says why.

    Raises
    ------
    ValueError
        ``published`` or ``after`` is not a date.

    Examples
    --------
    >>> resolve_date("since December 8", published="2024-12-20").date
    '2024-12-08/..'
    >>> resolve_date("He may fly to Sirte", published="2024-12-20") is None
    True

    """
    got = _attempt(phrase, _context(rules, published, after))
    return got if isinstance(got, ResolvedDate) else None


def why_unresolved(
    phrase: str,
    *,
    published: str | dt.date | None,
    after: str | dt.date | None = None,
    rules: _Rules | None = None,
) -> str | None:
    """Say why :func:`resolve_date` gives None for this phrase (None if it resolves)."""
    got = _attempt(phrase, _context(rules, published, after))
    return None if isinstance(got, ResolvedDate) else got


def find_dates(
    text: str,
    *,
    published: str | dt.date | None,
    after: str | dt.date | None = None,
    rules: _Rules | None = None,
) -> list[DateMention]:
    """Find the date phrases in a text and resolve each.

    Phrases relative to the previous event ("the following day") are
    resolved against the date found before them in the same text, else
    against ``after``; without either they are left out. Ambiguous words
    are read as dates only when the context says so: "may" needs a capital
    and a cue or a number ("in May", "May 2020"; not "He may fly"), a bare
    year needs a cue ("in 2019"; not "2000 troops").

    Parameters
    ----------
    text
        A sentence or a whole report.
    published, after, rules
        As for :func:`resolve_date`.

    Returns
    -------
    list of DateMention
        In text order, not overlapping; ``text[m.start:m.end] == m.text``.

    Examples
    --------
    >>> [(m.text, m.date) for m in find_dates(
    ...     "On 13 December the jets landed; the following day they left.",
    ...     published="2024-12-20")]
    [('On 13 December', '2024-12-13'), ('the following day', '2024-12-14')]

    """
    ctx = _context(rules, published, after)
    # Match on a copy with every blank run made one space, keeping offsets.
    keep = [
        i for i, ch in enumerate(text) if not (ch.isspace() and i > 0 and text[i - 1].isspace())
    ]
    flat = "".join(" " if text[i].isspace() else text[i] for i in keep)
    found: list[DateMention] = []
    for m in ctx.rules.pattern.finditer(flat):
        if _ambiguous_reason(m, ctx.rules, text_mode=True):
            continue
        a, b = keep[m.start()], keep[m.end() - 1] + 1
        phrase = text[a:b]
        try:
            res = _resolve_match(phrase, m, ctx)
        except UnresolvedError:
            continue
        found.append(DateMention(a, b, phrase, res.date, res.precision, res))
        if res.start is not None and res.end is not None:
            ctx = Ctx(ctx.rules, ctx.published, (res.start, res.end), res.date)
    return found
