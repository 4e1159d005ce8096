"""The actions of date phrase rules: what a matched phrase means as days.

Each action takes the context (publication day, the previous event), the
groups the rule's pattern captured and the rule's own parameters, and
returns the inclusive day span it means (:class:`Out`) or raises
:class:`UnresolvedError` saying why it cannot. Used by :mod:`geo.reldate`;
the rules that name these actions are data (``geo/data/date_phrases.toml``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from geo.date_rules import ACTION_NAMES, PhraseRules, parse_day

__all__ = ["ACTIONS", "Ctx", "Out", "UnresolvedError"]

_Span = tuple[dt.date, dt.date]


class UnresolvedError(Exception):
    """A rule matched but cannot give a date (the message says why)."""


def _month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _add_months(d: dt.date, n: int) -> dt.date:
    k = d.year * 12 + d.month - 1 + n
    return dt.date(k // 12, k % 12 + 1, 1)


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@dataclass
class Ctx:
    """What a phrase is resolved against."""

    rules: PhraseRules
    published: dt.date | None  # None: an undated report
    after: _Span | None
    after_text: str


@dataclass
class Out:
    """A resolved span, before cue words and formatting."""

    start: dt.date
    end: dt.date
    anchor: str = "published"
    week: bool = False
    approximate: bool = False
    notes: list[str] = field(default_factory=list)


def _pub(ctx: Ctx) -> dt.date:
    """Return the publication day, or say the phrase needs one."""
    if ctx.published is None:
        raise UnresolvedError(
            "it is relative to the publication date, which is not known (undated report)"
        )
    return ctx.published


def _num(ctx: Ctx, g: Mapping[str, str | None]) -> int:
    raw = (g.get("num") or "").lower()
    raw = " ".join(raw.split())
    return int(raw) if raw.isdigit() else ctx.rules.numbers[raw]


def _hours(ctx: Ctx, g: Mapping[str, str | None], params: Mapping[str, Any]) -> int:
    if "hours" in params:
        return int(params["hours"])
    if "days" in params and not g.get("num"):
        return 24 * int(params["days"])
    unit = " ".join((g.get("unit") or "").lower().split())
    return _num(ctx, g) * ctx.rules.units[unit]


def _act_published(ctx: Ctx, g: Any, params: Mapping[str, Any]) -> Out:
    d = _pub(ctx) + _days(int(params.get("days", 0)))
    return Out(d, d)


def _act_overnight(ctx: Ctx, g: Any, params: Mapping[str, Any]) -> Out:
    p = _pub(ctx)
    return Out(p - _days(1), p, notes=["the night before publication"])


def _act_past_span(ctx: Ctx, g: Any, params: Mapping[str, Any]) -> Out:
    hours = _hours(ctx, g, params)
    n = max(1, -(-hours // 24))  # whole days, rounded up
    return Out(
        _pub(ctx) - _days(n - 1),
        _pub(ctx),
        notes=[f"the {n} day(s) up to and including publication ({_pub(ctx)})"],
    )


def _act_ago(ctx: Ctx, g: Any, params: Mapping[str, Any]) -> Out:
    hours = _hours(ctx, g, params)
    lo, hi = hours // 24, -(-hours // 24)
    return Out(_pub(ctx) - _days(hi), _pub(ctx) - _days(lo))


def _act_anchor(ctx: Ctx, g: Any, params: Mapping[str, Any]) -> Out:
    if ctx.after is None:
        raise UnresolvedError(
            "it is relative to the previous event, not to publication: "
            "give that event's date (--after DATE, or after= in Python)"
        )
    sign = int(params.get("sign", 1))
    a0, a1 = ctx.after
    if params.get("week_rest"):  # "later that week": to the Sunday of the anchor's week
        sunday = _monday(a1) + _days(6)
        return Out(
            min(a0 + _days(1), sunday),
            sunday,
            anchor="after",
            notes=[f"the rest of the week of the previous event ({ctx.after_text})"],
        )
    hours = 0 if sign == 0 else _hours(ctx, g, params)
    lo, hi = hours // 24, -(-hours // 24)
    if params.get("through"):  # "the following week": the days after, up to N
        return Out(
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
    return Out(
        start, end, anchor="after", notes=[f"relative to the previous event ({ctx.after_text})"]
    )


def _weekday(ctx: Ctx, g: Mapping[str, str | None]) -> int:
    return ctx.rules.weekdays[(g.get("weekday") or "").lower()]


def _act_weekday(ctx: Ctx, g: Any, params: Mapping[str, Any]) -> Out:
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
    return Out(d, d, notes=[note])


def _monday(d: dt.date) -> dt.date:
    return d - _days(d.weekday())


def _act_week_day(ctx: Ctx, g: Any, params: Mapping[str, Any]) -> Out:
    monday = _monday(_pub(ctx)) + _days(7 * int(params.get("weeks", 0)))
    d = monday + _days(_weekday(ctx, g))
    return Out(d, d, notes=["weeks run Monday to Sunday"])


def _act_week(ctx: Ctx, g: Any, params: Mapping[str, Any]) -> Out:
    monday = _monday(_pub(ctx)) + _days(7 * int(params.get("weeks", 0)))
    if params.get("part") == "earlier":
        return Out(
            monday,
            max(monday, _pub(ctx) - _days(1)),
            notes=["from Monday to the day before publication"],
        )
    return Out(monday, monday + _days(6), week=True, notes=["weeks run Monday to Sunday"])


def _act_month(ctx: Ctx, g: Any, params: Mapping[str, Any]) -> Out:
    first = _add_months(_pub(ctx).replace(day=1), int(params.get("months", 0)))
    if params.get("part") == "earlier":
        return Out(first, max(first, _pub(ctx) - _days(1)))
    return Out(first, _month_end(first))


def _act_year(ctx: Ctx, g: Any, params: Mapping[str, Any]) -> Out:
    y = _pub(ctx).year + int(params.get("years", 0))
    if params.get("part") == "earlier":
        first = dt.date(y, 1, 1)
        return Out(first, max(first, _pub(ctx) - _days(1)))
    return Out(dt.date(y, 1, 1), dt.date(y, 12, 31))


def _act_weekend(ctx: Ctx, g: Any, params: Mapping[str, Any]) -> Out:
    p = _pub(ctx)
    if p.weekday() >= 5:  # published on the weekend: this one, so far
        sat = p - _days(p.weekday() - 5)
        return Out(sat, p, notes=["the weekend of publication"])
    sat = _monday(p) - _days(2)
    return Out(sat, sat + _days(1), notes=["the weekend before publication"])


def _cal_parts(
    ctx: Ctx, g: Mapping[str, str | None], s: str
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
    raise UnresolvedError(f"no such day in the last four years before {limit}")


def _label(m: int | None, d: int | None) -> str:
    name = calendar.month_name[m] if m else ""
    return f"{d} {name}" if d else name


def _act_calendar(ctx: Ctx, g: Any, params: Mapping[str, Any]) -> Out:
    y1, m1, d1 = _cal_parts(ctx, g, "")
    y2, m2, d2 = _cal_parts(ctx, g, "2")
    if g.get("day2") and m2 is None and y2 is None:  # "13-15 December 2024"
        m2, y2 = m1, y1
        if m1 is None:
            raise UnresolvedError("a day range needs a month")
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
                return Out(s, e, anchor="absolute" if "year_offset" not in params else "published")
            strict = bool(params.get("strict"))
            s, e = _latest(m1, d1, _pub(ctx), strict=strict)
            notes.append(
                f"no year given: taken as the most recent {_label(m1, d1)} "
                f"{'before' if strict else 'on or before'} publication ({_pub(ctx)}), "
                f"so {s.year}"
            )
            return Out(s, e, notes=notes)
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
        raise UnresolvedError(f"not a real calendar date ({exc})") from None
    if e2 < s1:
        raise UnresolvedError(f"the interval ends ({e2}) before it starts ({s1})")
    anchor = "absolute" if not notes and "year_offset" not in params else "published"
    return Out(s1, e2, anchor=anchor, notes=notes)


def _act_part(ctx: Ctx, g: Any, params: Mapping[str, Any]) -> Out:
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
        raise UnresolvedError(f"{name!r} is defined for {what} only")
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
        return Out(first.replace(day=lo), end, approximate=True, notes=notes)
    assert y is not None
    lo, hi = part["year_months"]
    return Out(dt.date(y, lo, 1), _month_end(dt.date(y, hi, 1)), approximate=True, notes=notes)


def _act_event(ctx: Ctx, g: Any, params: Mapping[str, Any]) -> Out:
    key = " ".join((g.get("event") or "").lower().split())
    ev = ctx.rules.events[key]
    s, e = parse_day(ev["date"], what=f"event {key!r} in the phrase rules")
    return Out(s, e, anchor="event", notes=[str(ev.get("note", key))])


ACTIONS: dict[str, Callable[[Ctx, Any, Mapping[str, Any]], Out]] = {
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


assert tuple(ACTIONS) == ACTION_NAMES, "geo.date_rules.ACTION_NAMES must list every action"
