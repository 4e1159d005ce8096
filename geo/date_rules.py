"""Date phrase rules: read, check and compile ``geo/data/date_phrases.toml``.

The rules behind :mod:`geo.reldate` are data: lexicons (months, weekdays,
number words, units, parts of a period), cue words, named events and
``[[rule]]`` entries (a pattern with slots and the action it means). This
module reads such a file, reports every problem in it at once
(:class:`~geo._errors.PhraseRulesError`) and compiles one pattern for all
rules, longest match first. See the top of the bundled file for the format.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex

from geo._errors import PhraseRulesError, Problem

__all__ = ["ACTION_NAMES", "PHRASES_PATH", "PhraseRules", "load_phrase_rules", "parse_day"]

#: The bundled phrase rules and lexicons.
PHRASES_PATH = Path(__file__).with_name("data") / "date_phrases.toml"
#: Actions a rule may name (implemented in geo/_date_actions.py).
ACTION_NAMES: tuple[str, ...] = (
    "published",
    "overnight",
    "past_span",
    "ago",
    "anchor",
    "weekday",
    "week_day",
    "week",
    "month",
    "year",
    "weekend",
    "calendar",
    "part",
    "event",
)

_Span = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class PhraseRules:
    """Compiled phrase rules (from :func:`load_phrase_rules`)."""

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
def load_phrase_rules(path: str | Path | None = None) -> PhraseRules:
    """Read and compile the phrase rules (cached per path).

    Parameters
    ----------
    path
        A TOML file in the format of the bundled ``geo/data/date_phrases.toml``
        (default: that file).

    Returns
    -------
    PhraseRules
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
    clock = data["cues"].get("clock", "")
    cues = {k: tuple(v) for k, v in data["cues"].items() if k != "clock"}
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
    # a time of day before or after the date: part of the phrase, not of its value
    tod = "|".join(x for x in (_alt(cues.get("time_of_day", ())), clock) if x)
    before = rf"(?:(?:{tod}),? )?" if tod else ""
    after = rf"(?:,? (?:{tod}))?" if tod else ""
    # POSIX: the longest match wins, whatever the rule order.
    pattern = regex.compile(
        r"(?<![\w-])" + before + prefix + "(?:" + "|".join(bodies) + ")" + after + r"(?![\w-])",
        regex.IGNORECASE | regex.POSIX,
    )
    amb = data.get("ambiguous", {})
    return PhraseRules(
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
    for key in ("time_of_day",):
        if key in cues and not isinstance(cues[key], list):
            problems.append(Problem(file, None, f"cues.{key}", "", "not a list",
                                    f"write {key} = [\"...\"]"))
    if "clock" in cues:
        try:
            regex.compile(str(cues["clock"]))
        except regex.error as exc:
            problems.append(Problem(file, None, "cues.clock", cues["clock"],
                                    f"pattern does not compile: {exc}",
                                    "escape ( ) [ ] . ? * + | with a backslash where they "
                                    "are literal"))
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
        if action not in ACTION_NAMES:
            near = difflib.get_close_matches(str(action), list(ACTION_NAMES), n=1)
            hint = f"did you mean {near[0]!r}?" if near else "one of " + ", ".join(ACTION_NAMES)
            problems.append(Problem(file, line, where, action, "unknown action", hint))
    for key, ev in data.get("events", {}).items():
        try:
            parse_day(str(ev.get("date", "")) if isinstance(ev, dict) else "", what="date")
        except ValueError as exc:
            problems.append(Problem(file, None, f"events.{key}", ev, str(exc), None))
    if problems:
        raise PhraseRulesError(problems)
    return data


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
