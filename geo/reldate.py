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
means). An analyst extends it without touching Python. Each action is a
small function here.

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

import calendar
import datetime as dt
import difflib
import functools
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import regex

from geo._errors import PhraseRulesError, Problem
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

#: The bundled phrase rules and lexicons.
PHRASES_PATH = Path(__file__).with_name("data") / "date_phrases.toml"

_Day = dt.date
_Span = tuple[dt.date, dt.date]


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


# --- rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rules:
    path: str
    months: Mapping[str, int]
    weekdays: Mapping[str, int]
    numbers: Mapping[str, int]
    units: Mapping[str, int]
    parts: Mapping[str, Mapping[str, list[int]]]
    events: Mapping[str, Mapping[str, str]]
    cues: Mapping[str, tuple[str, ...]]
    ambiguous: frozenset[str]
    vague: frozenset[str]
    year_cued_by: frozenset[str]
    cued_by: frozenset[str]
    rules: tuple[Mapping[str, Any], ...]
    pattern: Any  # compiled regex.Pattern


def _alt(words: Any) -> str:
    """Regex alternation of literal words, longest first; spaces match any blank run."""
    keys = sorted({str(w).lower() for w in words}, key=lambda w: (-len(w), w))
    return "|".join(regex.escape(k).replace(r"\ ", " ") for k in keys)


def _cal(s: str, m: str, day: str, year: str) -> str:
    """Build the {CAL} slot: an absolute or year-less calendar date, groups suffixed ``s``."""
    d = rf"(?P<day{s}>{day})(?:st|nd|rd|th)?"
    mo = rf"(?P<month{s}>{m})"
    y = rf"(?P<year{s}>{year})"
    return (
        rf"(?:(?P<iso{s}>\d{{4}}-\d{{2}}(?:-\d{{2}})?)"
        rf"|(?:the )?{d}(?: of)? {mo}(?:,? {y})?"
        rf"|{mo} {d}(?:,? {y})?"
        rf"|{mo},? {y}"
        rf"|{mo}"
        rf"|{y})"
    )


@functools.cache
def load_phrase_rules(path: str | Path | None = None) -> _Rules:
    """Read and compile the phrase rules (cached per path).

    Parameters
    ----------
    path
        A TOML file in the format of the bundled ``geo/data/date_phrases.toml``
        (default: that file).

    Returns
    -------
    _Rules
        Lexicons, cues and the compiled pattern (opaque; pass it on as
        ``rules=`` to :func:`resolve_date` / :func:`find_dates`).

    Raises
    ------
    PhraseRulesError
        With every problem in the file at once: not TOML, a missing lexicon
        or cue list, a rule without pattern or with an unknown action, a
        pattern that does not compile, an event whose date is not a date.

    """
    p = Path(path) if path is not None else PHRASES_PATH
    data = _checked_rules(p)
    lex = data["lexicon"]
    months = {k.lower(): int(v) for k, v in lex["months"].items()}
    weekdays = {k.lower(): int(v) for k, v in lex["weekdays"].items()}
    numbers = {k.lower(): int(v) for k, v in lex["numbers"].items()}
    units = {k.lower(): int(v) for k, v in lex["units"].items()}
    parts = {k.lower(): v for k, v in lex["parts"].items()}
    events = {k.lower(): v for k, v in data.get("events", {}).items()}
    cues = {k: tuple(v) for k, v in data["cues"].items()}
    day = r"3[01]|[12]\d|0?[1-9]"
    year = r"1[89]\d\d|20\d\d"
    slots = {
        "{MONTH}": rf"(?P<month>{_alt(months)})",
        "{MONTH2}": rf"(?P<month2>{_alt(months)})",
        "{WEEKDAY}": rf"(?P<weekday>{_alt(weekdays)})",
        "{NUM}": rf"(?P<num>\d{{1,3}}|{_alt(numbers)})",
        "{UNIT}": rf"(?P<unit>{_alt(units)})",
        "{PART}": rf"(?P<part>{_alt(parts)})",
        "{YEAR}": rf"(?P<year>{year})",
        "{YEAR2}": rf"(?P<year2>{year})",
        "{DAY}": rf"(?P<day>{day})(?:st|nd|rd|th)?",
        "{DAY2}": rf"(?P<day2>{day})(?:st|nd|rd|th)?",
        "{CAL}": _cal("", _alt(months), day, year),
        "{CAL2}": _cal("2", _alt(months), day, year),
        "{EVENT}": rf"(?P<event>{_alt(events) or '(?!)'})",
    }
    rules = tuple(data["rule"])
    bodies = []
    for i, rule in enumerate(rules):
        body = rule["pattern"]
        for slot, rx in slots.items():
            body = body.replace(slot, rx)
        bodies.append(f"(?P<r{i}>{body})")
    cue_words = [
        w for key in ("open_end", "open_start", "approximate", "uncertain") for w in cues[key]
    ]
    prefix = (
        rf"(?:(?P<cue>{_alt(cue_words)}) )?"
        rf"(?:(?P<fill>{_alt(cues.get('filler', ()))}) )*"
    )
    # POSIX: the longest match wins, whatever the rule order.
    pattern = regex.compile(
        r"(?<![\w-])" + prefix + "(?:" + "|".join(bodies) + r")(?![\w-])",
        regex.IGNORECASE | regex.POSIX,
    )
    amb = data.get("ambiguous", {})
    return _Rules(
        path=str(p),
        months=months,
        weekdays=weekdays,
        numbers=numbers,
        units=units,
        parts=parts,
        events=events,
        cues=cues,
        ambiguous=frozenset(w.lower() for w in amb.get("words", ())),
        year_cued_by=frozenset(w.lower() for w in amb.get("year_cued_by", ())),
        vague=frozenset(w.lower() for w in data.get("vague", {}).get("numbers", ())),
        cued_by=frozenset(w.lower() for w in amb.get("cued_by", ())),
        rules=rules,
        pattern=pattern,
    )


def _checked_rules(p: Path) -> dict[str, Any]:
    """Read a phrase-rule file; raise PhraseRulesError listing every problem."""
    file = str(p)
    try:
        text = p.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise PhraseRulesError(
            [Problem(file, None, None, "", f"cannot read the file: {exc}", "check the path")]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"line (\d+)", str(exc))
        raise PhraseRulesError(
            [
                Problem(
                    file,
                    int(at[1]) if at else None,
                    None,
                    "",
                    f"not valid TOML: {exc}",
                    "compare with geo/data/date_phrases.toml",
                )
            ]
        ) from None
    problems: list[Problem] = []
    lex = data.get("lexicon", {})
    for key in ("months", "weekdays", "numbers", "units", "parts"):
        if not isinstance(lex.get(key), dict):
            problems.append(
                Problem(file, None, f"lexicon.{key}", "", "missing table", f"add [lexicon.{key}]")
            )
    cues = data.get("cues", {})
    for key in ("open_end", "open_start", "approximate", "uncertain", "filler"):
        if not isinstance(cues.get(key), list):
            problems.append(
                Problem(file, None, f"cues.{key}", "", "missing list", f"add {key} = [...]")
            )
    heads = [i + 1 for i, line in enumerate(text.splitlines()) if line.strip() == "[[rule]]"]
    for i, rule in enumerate(data.get("rule", [])):
        line = heads[i] if i < len(heads) else None
        where = f"rule {i + 1}"
        pattern, action = rule.get("pattern"), rule.get("action")
        if not isinstance(pattern, str) or not pattern:
            problems.append(Problem(file, line, where, pattern, "rule has no pattern", None))
        else:
            probe = re.sub(r"\{[A-Z0-9]+\}", "x", pattern)
            try:
                regex.compile(probe)
            except regex.error as exc:
                problems.append(
                    Problem(
                        file,
                        line,
                        where,
                        pattern,
                        f"pattern does not compile: {exc}",
                        "escape ( ) [ ] . ? * + | with a backslash where they are literal",
                    )
                )
        if action not in _ACTIONS:
            near = difflib.get_close_matches(str(action), list(_ACTIONS), n=1)
            hint = f"did you mean {near[0]!r}?" if near else "one of " + ", ".join(_ACTIONS)
            problems.append(Problem(file, line, where, action, "unknown action", hint))
    for key, ev in data.get("events", {}).items():
        try:
            parse_day(str(ev.get("date", "")) if isinstance(ev, dict) else "", what="date")
        except ValueError as exc:
            problems.append(Problem(file, None, f"events.{key}", ev, str(exc), None))
    if problems:
        raise PhraseRulesError(problems)
    return data


# --- small date arithmetic --------------------------------------------------------


def parse_day(value: str | dt.date, *, what: str = "date") -> _Span:
    """Read a day, month or year (``2024-12-13``, ``2024-12``, ``2024``) as inclusive bounds.

    Parameters
    ----------
    value
        ISO text or a :class:`datetime.date`.
    what
        Name used in the error message (``--published``).

    Raises
    ------
    ValueError
        With the value and the accepted forms.

    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value, value
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    try:
        if m is None:
            raise ValueError
        y = int(m[1])
        if m[3]:
            d = dt.date(y, int(m[2]), int(m[3]))
            return d, d
        if m[2]:
            first = dt.date(y, int(m[2]), 1)
            return first, _month_end(first)
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    except ValueError:
        raise ValueError(
            f"{what} {text!r} is not a date: write YYYY-MM-DD (or YYYY-MM, YYYY)"
        ) from None


def _month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _add_months(d: dt.date, n: int) -> dt.date:
    k = d.year * 12 + d.month - 1 + n
    return dt.date(k // 12, k % 12 + 1, 1)


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# --- actions ----------------------------------------------------------------------


@dataclass
class _Ctx:
    rules: _Rules
    published: dt.date | None  # None: an undated report
    after: _Span | None
    after_text: str


@dataclass
class _Out:
    start: dt.date
    end: dt.date
    anchor: str = "published"
    week: bool = False
    approximate: bool = False
    notes: list[str] = field(default_factory=list)


def _pub(ctx: _Ctx) -> dt.date:
    """Return the publication day, or say the phrase needs one."""
    if ctx.published is None:
        raise _UnresolvedError(
            "it is relative to the publication date, which is not known (undated report)"
        )
    return ctx.published


def _num(ctx: _Ctx, g: Mapping[str, str | None]) -> int:
    raw = (g.get("num") or "").lower()
    raw = " ".join(raw.split())
    return int(raw) if raw.isdigit() else ctx.rules.numbers[raw]


def _hours(ctx: _Ctx, g: Mapping[str, str | None], params: Mapping[str, Any]) -> int:
    if "hours" in params:
        return int(params["hours"])
    if "days" in params and not g.get("num"):
        return 24 * int(params["days"])
    unit = " ".join((g.get("unit") or "").lower().split())
    return _num(ctx, g) * ctx.rules.units[unit]


def _act_published(ctx: _Ctx, g: Any, params: Mapping[str, Any]) -> _Out:
    d = _pub(ctx) + _days(int(params.get("days", 0)))
    return _Out(d, d)


def _act_overnight(ctx: _Ctx, g: Any, params: Mapping[str, Any]) -> _Out:
    p = _pub(ctx)
    return _Out(p - _days(1), p, notes=["the night before publication"])


def _act_past_span(ctx: _Ctx, g: Any, params: Mapping[str, Any]) -> _Out:
    hours = _hours(ctx, g, params)
    n = max(1, -(-hours // 24))  # whole days, rounded up
    return _Out(
        _pub(ctx) - _days(n - 1),
        _pub(ctx),
        notes=[f"the {n} day(s) up to and including publication ({_pub(ctx)})"],
    )


def _act_ago(ctx: _Ctx, g: Any, params: Mapping[str, Any]) -> _Out:
    hours = _hours(ctx, g, params)
    lo, hi = hours // 24, -(-hours // 24)
    return _Out(_pub(ctx) - _days(hi), _pub(ctx) - _days(lo))


def _act_anchor(ctx: _Ctx, g: Any, params: Mapping[str, Any]) -> _Out:
    if ctx.after is None:
        raise _UnresolvedError(
            "it is relative to the previous event, not to publication: "
            "give that event's date (--after DATE, or after= in Python)"
        )
    sign = int(params.get("sign", 1))
    a0, a1 = ctx.after
    if params.get("week_rest"):  # "later that week": to the Sunday of the anchor's week
        sunday = _monday(a1) + _days(6)
        return _Out(
            min(a0 + _days(1), sunday),
            sunday,
            anchor="after",
            notes=[f"the rest of the week of the previous event ({ctx.after_text})"],
        )
    hours = 0 if sign == 0 else _hours(ctx, g, params)
    lo, hi = hours // 24, -(-hours // 24)
    if params.get("through"):  # "the following week": the days after, up to N
        return _Out(
            a0 + _days(1),
            a1 + _days(hi),
            anchor="after",
            notes=[f"the {hi} day(s) after the previous event ({ctx.after_text})"],
        )
    if sign < 0:
        start, end = a0 - _days(hi), a1 - _days(lo)
    else:
        start, end = a0 + _days(lo), a1 + _days(hi)
    if sign == 0 and "later" in str(g.get("_text", "")).lower():
        end = a1 + _days(1)  # "hours later" may cross midnight
    return _Out(
        start, end, anchor="after", notes=[f"relative to the previous event ({ctx.after_text})"]
    )


def _weekday(ctx: _Ctx, g: Mapping[str, str | None]) -> int:
    return ctx.rules.weekdays[(g.get("weekday") or "").lower()]


def _act_weekday(ctx: _Ctx, g: Any, params: Mapping[str, Any]) -> _Out:
    wd = _weekday(ctx, g)
    strict = bool(params.get("strict", False))
    back = (_pub(ctx).weekday() - wd) % 7
    if strict and back == 0:
        back = 7
    d = _pub(ctx) - _days(back)
    name = calendar.day_name[wd]
    rel = "before" if strict else "on or before"
    note = f"taken as the most recent {name} {rel} publication ({_pub(ctx)})"
    if strict:
        note += f"; some readers mean the {name} of last week"
    return _Out(d, d, notes=[note])


def _monday(d: dt.date) -> dt.date:
    return d - _days(d.weekday())


def _act_week_day(ctx: _Ctx, g: Any, params: Mapping[str, Any]) -> _Out:
    monday = _monday(_pub(ctx)) + _days(7 * int(params.get("weeks", 0)))
    d = monday + _days(_weekday(ctx, g))
    return _Out(d, d, notes=["weeks run Monday to Sunday"])


def _act_week(ctx: _Ctx, g: Any, params: Mapping[str, Any]) -> _Out:
    monday = _monday(_pub(ctx)) + _days(7 * int(params.get("weeks", 0)))
    if params.get("part") == "earlier":
        return _Out(
            monday,
            max(monday, _pub(ctx) - _days(1)),
            notes=["from Monday to the day before publication"],
        )
    return _Out(monday, monday + _days(6), week=True, notes=["weeks run Monday to Sunday"])


def _act_month(ctx: _Ctx, g: Any, params: Mapping[str, Any]) -> _Out:
    first = _add_months(_pub(ctx).replace(day=1), int(params.get("months", 0)))
    if params.get("part") == "earlier":
        return _Out(first, max(first, _pub(ctx) - _days(1)))
    return _Out(first, _month_end(first))


def _act_year(ctx: _Ctx, g: Any, params: Mapping[str, Any]) -> _Out:
    y = _pub(ctx).year + int(params.get("years", 0))
    if params.get("part") == "earlier":
        first = dt.date(y, 1, 1)
        return _Out(first, max(first, _pub(ctx) - _days(1)))
    return _Out(dt.date(y, 1, 1), dt.date(y, 12, 31))


def _act_weekend(ctx: _Ctx, g: Any, params: Mapping[str, Any]) -> _Out:
    p = _pub(ctx)
    if p.weekday() >= 5:  # published on the weekend: this one, so far
        sat = p - _days(p.weekday() - 5)
        return _Out(sat, p, notes=["the weekend of publication"])
    sat = _monday(p) - _days(2)
    return _Out(sat, sat + _days(1), notes=["the weekend before publication"])


def _cal_parts(
    ctx: _Ctx, g: Mapping[str, str | None], s: str
) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) of the {CAL}/{CAL2} slot ``s`` ('' or '2')."""
    iso = g.get(f"iso{s}")
    if iso:
        bits = [int(x) for x in iso.split("-")]
        return bits[0], bits[1], bits[2] if len(bits) > 2 else None
    year = g.get(f"year{s}")
    month = g.get(f"month{s}")
    day = g.get(f"day{s}")
    return (
        int(year) if year else None,
        ctx.rules.months[month.lower().rstrip(".")] if month else None,
        int(day) if day else None,
    )


def _bounds(y: int, m: int | None, d: int | None) -> _Span:
    if m is None:
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    if d is None:
        first = dt.date(y, m, 1)
        return first, _month_end(first)
    day = dt.date(y, m, d)
    return day, day


def _latest(m: int | None, d: int | None, limit: dt.date, *, strict: bool = False) -> _Span:
    """Return the most recent (month, day) whose start is on/before ``limit``."""
    for y in (limit.year, limit.year - 1, limit.year - 2, limit.year - 3, limit.year - 4):
        try:
            s, e = _bounds(y, m, d)
        except ValueError:  # 29 February in a common year
            continue
        if s <= limit and not (strict and e >= limit):
            return s, e
    raise _UnresolvedError(f"no such day in the last four years before {limit}")


def _label(m: int | None, d: int | None) -> str:
    name = calendar.month_name[m] if m else ""
    return f"{d} {name}" if d else name


def _act_calendar(ctx: _Ctx, g: Any, params: Mapping[str, Any]) -> _Out:
    y1, m1, d1 = _cal_parts(ctx, g, "")
    y2, m2, d2 = _cal_parts(ctx, g, "2")
    if g.get("day2") and m2 is None and y2 is None:  # "13-15 December 2024"
        m2, y2 = m1, y1
        if m1 is None:
            raise _UnresolvedError("a day range needs a month")
    notes: list[str] = []
    second = m2 is not None or y2 is not None or d2 is not None
    if d2 is not None and m2 is None:
        m2 = m1
    try:
        if "year_offset" in params:
            y = _pub(ctx).year + int(params["year_offset"])
            y1 = y if y1 is None else y1
            if second and y2 is None:
                y2 = y
        if not second:
            if y1 is not None:
                s, e = _bounds(y1, m1, d1)
                return _Out(s, e, anchor="absolute" if "year_offset" not in params else "published")
            strict = bool(params.get("strict"))
            s, e = _latest(m1, d1, _pub(ctx), strict=strict)
            notes.append(
                f"no year given: taken as the most recent {_label(m1, d1)} "
                f"{'before' if strict else 'on or before'} publication ({_pub(ctx)}), "
                f"so {s.year}"
            )
            return _Out(s, e, notes=notes)
        # an interval: resolve the end first, then the start no later than it
        if y2 is not None:
            s2, e2 = _bounds(y2, m2, d2)
        else:
            s2, e2 = _latest(m2, d2, _pub(ctx))
            notes.append(
                f"no year given: taken as the most recent {_label(m2, d2)} on or before "
                f"publication ({_pub(ctx)}), so {s2.year}"
            )
        if y1 is not None:
            s1, _e1 = _bounds(y1, m1, d1)
        else:
            s1, _e1 = _latest(m1, d1, e2)
    except ValueError as exc:
        raise _UnresolvedError(f"not a real calendar date ({exc})") from None
    if e2 < s1:
        raise _UnresolvedError(f"the interval ends ({e2}) before it starts ({s1})")
    anchor = "absolute" if not notes and "year_offset" not in params else "published"
    return _Out(s1, e2, anchor=anchor, notes=notes)


def _act_part(ctx: _Ctx, g: Any, params: Mapping[str, Any]) -> _Out:
    name = " ".join((g.get("part") or "").lower().split())
    part = ctx.rules.parts[name]
    y = int(g["year"]) if g.get("year") else None
    m = ctx.rules.months[g["month"].lower().rstrip(".")] if g.get("month") else None
    notes = [f"'{g.get('part')}' read as an approximate part of the period"]
    rel = (g.get("rel") or "").lower()
    shift = {"last": -1, "previous": -1, "next": 1}.get(rel, 0)
    if (g.get("relunit") or "").lower() == "month":
        first = _add_months(_pub(ctx).replace(day=1), shift)
        m, y = first.month, first.year
    elif (g.get("relunit") or "").lower() == "year":
        y = _pub(ctx).year + shift
    key = "month_days" if m is not None else "year_months"
    if key not in part:
        what = "a month" if key == "year_months" else "a year"
        raise _UnresolvedError(f"{name!r} is defined for {what} only")
    if m is not None:
        if y is None:
            first, _ = _latest(m, None, _pub(ctx))
            notes.append(
                f"no year given: the most recent {calendar.month_name[m]}, so {first.year}"
            )
        else:
            first = dt.date(y, m, 1)
        lo, hi = part["month_days"]
        end = first.replace(day=min(hi, _month_end(first).day))
        return _Out(first.replace(day=lo), end, approximate=True, notes=notes)
    assert y is not None
    lo, hi = part["year_months"]
    return _Out(dt.date(y, lo, 1), _month_end(dt.date(y, hi, 1)), approximate=True, notes=notes)


def _act_event(ctx: _Ctx, g: Any, params: Mapping[str, Any]) -> _Out:
    key = " ".join((g.get("event") or "").lower().split())
    ev = ctx.rules.events[key]
    s, e = parse_day(ev["date"], what=f"event {key!r} in the phrase rules")
    return _Out(s, e, anchor="event", notes=[str(ev.get("note", key))])


_ACTIONS: dict[str, Callable[[_Ctx, Any, Mapping[str, Any]], _Out]] = {
    "published": _act_published,
    "overnight": _act_overnight,
    "past_span": _act_past_span,
    "ago": _act_ago,
    "anchor": _act_anchor,
    "weekday": _act_weekday,
    "week_day": _act_week_day,
    "week": _act_week,
    "month": _act_month,
    "year": _act_year,
    "weekend": _act_weekend,
    "calendar": _act_calendar,
    "part": _act_part,
    "event": _act_event,
}


# --- resolving one match ----------------------------------------------------------


def _cue_kind(rules: _Rules, cue: str | None) -> str | None:
    if not cue:
        return None
    cue = " ".join(cue.lower().split())
    for kind in ("open_end", "open_start", "approximate", "uncertain"):
        if cue in (c.lower() for c in rules.cues.get(kind, ())):
            return kind
    return None


def _finish(phrase: str, out: _Out, cue: str | None, ctx: _Ctx, rule: str) -> ResolvedDate:
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


def _resolve_match(phrase: str, m: Any, ctx: _Ctx) -> ResolvedDate:
    i = _rule_of(m, ctx.rules)
    rule = ctx.rules.rules[i]
    groups = {k: v for k, v in m.groupdict().items() if v is not None}
    groups["_text"] = m.group(f"r{i}")
    out = _ACTIONS[rule["action"]](ctx, groups, rule)
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
) -> _Ctx:
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
    return _Ctx(r, p0, span, after_text)


def _normal(phrase: str) -> str:
    return " ".join(phrase.split()).strip(" ,;:!").rstrip(".") if phrase else ""


def _attempt(phrase: str, ctx: _Ctx) -> ResolvedDate | str:
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
        except _UnresolvedError as exc:
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


def _with_dateparser(phrase: str, text: str, ctx: _Ctx) -> ResolvedDate | str:
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
    out = _Out(s, e, anchor="absolute", week=period == "week", notes=[note])
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
        except _UnresolvedError:
            continue
        found.append(DateMention(a, b, phrase, res.date, res.precision, res))
        if res.start is not None and res.end is not None:
            ctx = _Ctx(ctx.rules, ctx.published, (res.start, res.end), res.date)
    return found
