"""Relative date phrases (geo/reldate.py) and ``movemap date``, phrase by phrase."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from geo.dates import parse_dates
from geo.reldate import (
    PHRASES_PATH,
    find_dates,
    load_phrase_rules,
    resolve_date,
    why_unresolved,
)
from layers.cli import main

FRI = "2024-12-20"  # a Friday
AFTER = "2024-12-13"  # the previous event, for "the following day"

# (phrase, published, after, date, precision)
CASES = [
    ("Thursday last week", FRI, None, "2024-12-12", "day"),
    ("on Thursday last week", FRI, None, "2024-12-12", "day"),
    ("last week on Monday", FRI, None, "2024-12-09", "day"),
    ("last Tuesday", FRI, None, "2024-12-17", "day"),
    ("last Friday", FRI, None, "2024-12-13", "day"),  # strictly before publication
    ("on Friday", FRI, None, "2024-12-20", "day"),  # may be the publication day
    ("Tuesday", FRI, None, "2024-12-17", "day"),
    ("on Sunday", FRI, None, "2024-12-15", "day"),
    ("since December 8", FRI, None, "2024-12-08/..", "day"),
    ("since December 8", "2025-01-03", None, "2024-12-08/..", "day"),
    ("since 8 December", FRI, None, "2024-12-08/..", "day"),
    ("over the past two days", FRI, None, "2024-12-19/2024-12-20", "week"),
    ("in the past three days", FRI, None, "2024-12-18/2024-12-20", "week"),
    ("in the past 24 hours", FRI, None, "2024-12-20", "day"),
    ("earlier this week", FRI, None, "2024-12-16/2024-12-19", "week"),
    ("this week", FRI, None, "2024-W51", "week"),
    ("last week", FRI, None, "2024-W50", "week"),
    ("between January and April", "2020-06-01", None, "2020-01/2020-04", "year"),
    ("between January and April", "2020-03-01", None, "2019-01/2019-04", "year"),
    ("between December and February", "2020-03-15", None, "2019-12/2020-02", "year"),
    ("between January and April 2020", "2024-12-20", None, "2020-01/2020-04", "year"),
    ("between December and February 2020", FRI, None, "2019-12/2020-02", "year"),
    ("between 13 and 15 December", FRI, None, "2024-12-13/2024-12-15", "week"),
    ("from 13 to 15 December 2024", FRI, None, "2024-12-13/2024-12-15", "week"),
    ("in May last year", "2021-03-01", None, "2020-05", "month"),
    ("May last year", FRI, None, "2023-05", "month"),
    ("in May", FRI, None, "2024-05", "month"),
    ("in May", "2024-03-10", None, "2023-05", "month"),
    ("last May", FRI, None, "2024-05", "month"),
    ("today", FRI, None, "2024-12-20", "day"),
    ("yesterday", FRI, None, "2024-12-19", "day"),
    ("the day before yesterday", FRI, None, "2024-12-18", "day"),
    ("three days ago", FRI, None, "2024-12-17", "day"),
    ("on 13 December", FRI, None, "2024-12-13", "day"),
    ("on 28 December", "2025-01-03", None, "2024-12-28", "day"),
    ("Dec. 13", FRI, None, "2024-12-13", "day"),
    ("the following day", FRI, AFTER, "2024-12-14", "day"),
    ("the next day", FRI, AFTER, "2024-12-14", "day"),
    ("24 hours later", FRI, AFTER, "2024-12-14", "day"),
    ("two days later", FRI, AFTER, "2024-12-15", "day"),
    ("48 hours later", FRI, AFTER, "2024-12-15", "day"),
    ("36 hours later", FRI, AFTER, "2024-12-14/2024-12-15", "week"),
    ("hours later", FRI, AFTER, "2024-12-13/2024-12-14", "week"),
    ("the same day", FRI, AFTER, "2024-12-13", "day"),
    ("the previous day", FRI, AFTER, "2024-12-12", "day"),
    ("a week later", FRI, AFTER, "2024-12-20", "day"),
    ("the following day", FRI, "2024-12", "2024-12-02/2025-01-01", "month"),
    ("this month", FRI, None, "2024-12", "month"),
    ("last month", FRI, None, "2024-11", "month"),
    ("last month", "2025-01-03", None, "2024-12", "month"),
    ("this year", FRI, None, "2024", "year"),
    ("last year", FRI, None, "2023", "year"),
    ("in early March", FRI, None, "2024-03-01~/2024-03-10~", "month"),
    ("in mid-March 2020", FRI, None, "2020-03-11~/2020-03-20~", "month"),
    ("late February 2024", FRI, None, "2024-02-21~/2024-02-29~", "month"),
    ("the end of March", FRI, None, "2024-03-21~/2024-03-31~", "month"),
    ("mid-2019", FRI, None, "2019-05~/2019-08~", "year"),
    ("late 2024", FRI, None, "2024-09~/2024-12~", "year"),
    ("early 2020", FRI, None, "2020-01~/2020-04~", "year"),
    ("the weekend", FRI, None, "2024-12-14/2024-12-15", "week"),
    ("over the weekend", "2024-12-22", None, "2024-12-21/2024-12-22", "week"),
    ("overnight", FRI, None, "2024-12-19/2024-12-20", "week"),
    ("13 December 2024", FRI, None, "2024-12-13", "day"),
    ("December 13, 2024", FRI, None, "2024-12-13", "day"),
    ("December 2024", FRI, None, "2024-12", "month"),
    ("2019", FRI, None, "2019", "year"),
    ("in 2019", FRI, None, "2019", "year"),
    ("2024-12-13", FRI, None, "2024-12-13", "day"),
    ("since the October ceasefire", FRI, None, "2020-10-23/..", "day"),
    ("until May 2020", FRI, None, "../2020-05", "month"),
    ("by 18 December", FRI, None, "../2024-12-18", "day"),
    ("before 13 December", FRI, None, "../2024-12-12", "day"),
    ("around May 2020", FRI, None, "2020-05~", "month"),
    ("c. May 2020", FRI, None, "2020-05~", "month"),
    ("possibly in May 2020", FRI, None, "2020-05?", "month"),
    ("13.12.2024", FRI, None, "2024-12-13", "day"),  # dateparser: numeric
    ("13 décembre 2024", FRI, None, "2024-12-13", "day"),  # dateparser: French
    ("on the night of 13-14 December", FRI, None, "2024-12-13/2024-12-14", "week"),
    ("8-9 December", FRI, None, "2024-12-08/2024-12-09", "week"),
    ("December 8-9", FRI, None, "2024-12-08/2024-12-09", "week"),
    ("in the early hours of Tuesday", FRI, None, "2024-12-17", "day"),
    ("late on Tuesday", FRI, None, "2024-12-17", "day"),
    ("in recent weeks", FRI, None, "2024-11-30/2024-12-20", "month"),
    ("in the past month", FRI, None, "2024-11-21/2024-12-20", "month"),
    ("over the past few days", FRI, None, "2024-12-18~/2024-12-20~", "week"),
    ("a few days later", FRI, AFTER, "2024-12-16~", "day"),
    ("later that week", FRI, AFTER, "2024-12-14/2024-12-15", "week"),
    ("days later", FRI, AFTER, "2024-12-14/2024-12-20", "week"),
    ("in the second half of December", FRI, None, "2024-12-16~/2024-12-31~", "month"),
    ("in the last week of November", FRI, None, "2024-11-24~/2024-11-30~", "week"),
    ("at the end of last year", FRI, None, "2023-09~/2023-12~", "year"),
    ("early last month", FRI, None, "2024-11-01~/2024-11-10~", "month"),
    ("since the start of the year", FRI, None, "2024-01~/..", "year"),
    ("by the end of the year", FRI, None, "../2024-12~", "year"),
    ("in the summer of 2020", FRI, None, "2020-06~/2020-08~", "year"),
    ("a month ago", FRI, None, "2024-11-20", "day"),
    ("Sunday, December 15", FRI, None, "2024-12-15", "day"),
    ("  Thursday   last week. ", FRI, None, "2024-12-12", "day"),
    ("THURSDAY LAST WEEK", FRI, None, "2024-12-12", "day"),
    # Reuters on UAE flights to Amdjarass (Dec 2024): a war's start written as a clause
    ("since the war started in April 2023", "2024-12-12", None, "2023-04/..", "month"),
    ("since Sudan's civil war began last year", "2024-12-12", None, "2023/..", "year"),
    ("since the conflict erupted on 15 April 2023", "2024-12-12", None, "2023-04-15/..", "day"),
    ("the war started in April 2023", "2024-12-12", None, "2023-04", "month"),
]


@pytest.mark.parametrize(("phrase", "published", "after", "date", "precision"), CASES)
def test_phrase(phrase: str, published: str, after: str | None, date: str, precision: str) -> None:
    got = resolve_date(phrase, published=published, after=after)
    assert got is not None, why_unresolved(phrase, published=published, after=after)
    assert (got.date, got.precision) == (date, precision)
    assert got.phrase == phrase
    # Every answer is a date the ledger reads, with the bounds reported.
    parsed = parse_dates([got.date]).iloc[0]
    assert parsed["date_problem"] is None, got.date
    if got.start is not None:
        assert parsed["date_start"].date() == got.start
    if got.end is not None:
        assert parsed["date_end"].date() == got.end
    assert got.open_end == got.date.endswith("/..")
    assert got.open_start == got.date.startswith("../")
    assert got.approximate == ("~" in got.date)
    assert got.uncertain == ("?" in got.date)


# (phrase, published, after, words the reason must contain)
TRAPS = [
    ("He may fly to Sirte", FRI, None, "no date phrase"),  # dateparser reads 1 May
    ("may", FRI, None, "read as the word"),
    ("May", FRI, None, "in May"),
    ("March", FRI, None, "read as the word"),
    ("the following day", FRI, None, "--after"),
    ("24 hours later", FRI, None, "previous event"),
    ("", FRI, None, "empty"),
    ("next to the airport", FRI, None, "no date phrase"),
    ("since the ceasefire in the north", FRI, None, "no date phrase"),
    ("29 February 2023", FRI, None, "not a real calendar date"),
    ("on 31 June", FRI, None, "no such day"),
    ("between April 2020 and January 2020", FRI, None, "ends"),
    ("12/13/14", FRI, None, "no date phrase"),  # dateparser: 13 Dec 2014; guarded
    ("the first week of 2020", FRI, None, "for a month only"),
    ("weeks later", FRI, AFTER, "no date phrase"),
]


@pytest.mark.parametrize(("phrase", "published", "after", "reason"), TRAPS)
def test_trap(phrase: str, published: str, after: str | None, reason: str) -> None:
    assert resolve_date(phrase, published=published, after=after) is None
    why = why_unresolved(phrase, published=published, after=after)
    assert why is not None and reason in why


def test_notes_say_which_convention_was_used() -> None:
    got = resolve_date("on 28 December", published="2025-01-03")
    assert got is not None and "2024" in got.note and "no year" in got.note
    got = resolve_date("last Tuesday", published=FRI)
    assert got is not None and "most recent Tuesday" in got.note
    got = resolve_date("the following day", published=FRI, after=AFTER)
    assert got is not None and got.anchor == "after" and AFTER in got.note
    got = resolve_date("next week", published=FRI)
    assert got is not None and "after publication" in got.note
    got = resolve_date("13 December 2024", published=FRI)
    assert got is not None and got.anchor == "absolute" and got.note == ""


def test_published_accepts_a_date_object_and_rejects_non_days() -> None:
    a = resolve_date("yesterday", published=dt.date(2024, 12, 20))
    assert a is not None and a.date == "2024-12-19"
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        resolve_date("yesterday", published="20/12/2024")
    with pytest.raises(ValueError, match="must be a day"):
        resolve_date("yesterday", published="2024-12")


def test_to_dict_is_json_ready() -> None:
    got = resolve_date("since December 8", published=FRI)
    assert got is not None
    d = json.loads(json.dumps(got.to_dict()))
    assert d["date"] == "2024-12-08/.." and d["start"] == "2024-12-08" and d["end"] is None


def test_rules_are_data_an_analyst_can_extend(tmp_path: Path) -> None:
    text = PHRASES_PATH.read_text(encoding="utf-8")
    text = text.replace(
        "[events]\n",
        '[events]\n"the sochi summit" = { date = "2019-10-23", note = "test event" }\n',
    )
    text += '\n[[rule]]\npattern = "a fortnight ago"\naction = "published"\ndays = -14\n'
    custom = tmp_path / "phrases.toml"
    custom.write_text(text, encoding="utf-8")
    rules = load_phrase_rules(custom)
    assert resolve_date("a fortnight ago", published=FRI) is None
    got = resolve_date("a fortnight ago", published=FRI, rules=rules)
    assert got is not None and got.date == "2024-12-06"
    got = resolve_date("since the Sochi summit", published=FRI, rules=rules)
    assert got is not None and got.date == "2019-10-23/.."


# --- finding dates in text --------------------------------------------------------------


def test_find_dates_offsets_and_chained_anchor() -> None:
    text = (
        "On 13 December the jets landed at al-Khadim;\n"
        "the following  day they left. Two days later, more."
    )
    found = find_dates(text, published=FRI)
    assert [(m.text, m.date) for m in found] == [
        ("On 13 December", "2024-12-13"),
        ("the following  day", "2024-12-14"),
        ("Two days later", "2024-12-16"),
    ]
    for m in found:
        assert text[m.start : m.end] == m.text
    assert found[1].resolved.anchor == "after"


@pytest.mark.parametrize(
    "text",
    [
        "He may fly to Sirte.",
        "May I add that the An-124 landed.",
        "2000 troops arrived at the base.",
        "Forces may march on Tripoli.",
        "The Jan Smuts airport.",
        "A total of 2000 vehicles and about 1500 troops, from 2000 to 2500 men.",
        "He said the march on Tripoli may start soon.",
    ],
)
def test_find_dates_skips_words_that_only_look_like_dates(text: str) -> None:
    assert find_dates(text, published=FRI) == []


def test_find_dates_keeps_cued_months_and_years() -> None:
    text = "In May the flights resumed; since 2019 Russia has flown cargo, and in March 2020 more."
    got = [(m.text, m.date) for m in find_dates(text, published=FRI)]
    assert got == [("In May", "2024-05"), ("since 2019", "2019/.."), ("in March 2020", "2020-03")]


def test_find_dates_without_anchor_leaves_anchored_phrase_out() -> None:
    assert find_dates("The following day they left.", published=FRI) == []
    got = find_dates("The following day they left.", published=FRI, after=AFTER)
    assert [m.date for m in got] == ["2024-12-14"]


def test_find_dates_longest_phrase_wins() -> None:
    got = find_dates("It happened Thursday last week, officials said.", published=FRI)
    assert [(m.text, m.date) for m in got] == [("Thursday last week", "2024-12-12")]


# --- the command --------------------------------------------------------------------------


def test_cli_prints_the_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["date", "Thursday last week", "--published", FRI]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "2024-12-12"
    assert "precision: day" in err


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["date", "the following day", "--published", FRI, "--after", AFTER, "--json"])
    assert rc == 0
    d = json.loads(capsys.readouterr().out)
    assert (d["phrase"], d["date"], d["precision"]) == ("the following day", "2024-12-14", "day")
    assert d["anchor"] == "after" and "note" in d


def test_cli_open_interval_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["date", "since December 8", "--published", FRI, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["date"] == "2024-12-08/.." and d["open_end"] is True


def test_cli_unresolvable_exits_1_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["date", "He may fly to Sirte", "--published", FRI]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "cannot resolve 'He may fly to Sirte'" in err


def test_cli_unresolvable_json_has_null_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["date", "the following day", "--published", FRI, "--json"]) == 1
    out, err = capsys.readouterr()
    d = json.loads(out)
    assert d["date"] is None and d["precision"] is None and "--after" in d["error"]
    assert "--after" in err


def test_cli_bad_published_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["date", "yesterday", "--published", "20/12/2024"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_cli_requires_published(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["date", "yesterday"])
    assert exc.value.code == 2
    assert "--published" in capsys.readouterr().err


# --- undated reports ------------------------------------------------------------------------


def test_undated_report_resolves_only_words_with_their_own_year() -> None:
    got = resolve_date("13 December 2024", published=None)
    assert got is not None and got.date == "2024-12-13"
    got = resolve_date("since the October ceasefire", published=None)
    assert got is not None and got.date == "2020-10-23/.."
    got = resolve_date("two days later", published=None, after="2024-12-13")
    assert got is not None and got.date == "2024-12-15"
    for phrase in ("yesterday", "on 13 December", "last week", "in May last year", "13.12"):
        assert resolve_date(phrase, published=None) is None, phrase
    assert "undated" in (why_unresolved("yesterday", published=None) or "")


def test_find_dates_in_an_undated_report_chains_from_absolute_dates() -> None:
    text = "On 13 December 2024 the jets landed; the following day they left. Yesterday, more."
    got = [(m.text, m.date) for m in find_dates(text, published=None)]
    assert got == [("On 13 December 2024", "2024-12-13"), ("the following day", "2024-12-14")]


def test_cli_undated(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["date", "13 December 2024", "--published", "undated"]) == 0
    assert capsys.readouterr().out.strip() == "2024-12-13"
    assert main(["date", "yesterday", "--published", "undated"]) == 1
    assert "undated report" in capsys.readouterr().err


# --- properties over any publication day ----------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from geo.datetext import precision_of_days  # noqa: E402

PAST_PHRASES = [
    "Thursday last week", "last Tuesday", "on Sunday", "since December 8", "over the past two days",
    "earlier this week", "between January and April", "in May last year", "today", "yesterday",
    "on 13 December", "last week", "this month", "last month", "in early March", "the weekend",
    "overnight", "three days ago", "in recent weeks", "on 29 February", "late last year",
]


@settings(deadline=None, max_examples=60)
@given(
    published=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)),
    phrase=st.sampled_from(PAST_PHRASES),
)
def test_past_phrases_begin_by_publication(published: dt.date, phrase: str) -> None:
    got = resolve_date(phrase, published=published)
    assert got is not None, why_unresolved(phrase, published=published)
    parsed = parse_dates([got.date]).iloc[0]
    assert parsed["date_problem"] is None
    assert got.start is not None
    known_end = got.end if got.end is not None else parsed["date_end"].date()
    # It began by publication (a month or year in progress may run past it).
    assert got.start <= published
    if got.precision == "day" and not got.open_end:
        assert got.end is not None and got.end <= published
    assert got.start <= known_end
    if not (got.open_end or got.open_start):
        assert got.precision == precision_of_days((got.end - got.start).days + 1)



# --- a broken rule file is reported, all at once ------------------------------------------


def test_broken_rule_file_lists_every_problem(tmp_path: Path) -> None:
    from geo._errors import PhraseRulesError

    text = PHRASES_PATH.read_text(encoding="utf-8")
    text += '\n[[rule]]\npattern = "a fortnight (ago"\naction = "published"\n'
    text += '\n[[rule]]\npattern = "a fortnight later"\naction = "ancor"\n'
    text = text.replace("[events]\n", '[events]\n"the summit" = { date = "2019-13-01" }\n')
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(PhraseRulesError) as exc:
        load_phrase_rules(bad)
    probs = exc.value.problems
    lines = text.splitlines()
    by_msg = {p.message.split(":")[0]: p for p in probs}
    assert len(probs) == 3
    compile_p = by_msg["pattern does not compile"]
    assert compile_p.value == "a fortnight (ago" and lines[compile_p.line - 1] == "[[rule]]"
    assert by_msg["unknown action"].hint == "did you mean 'anchor'?"
    assert any(p.column == "events.the summit" for p in probs)


def test_rule_file_that_is_not_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[cues\nopen_end = 1\n", encoding="utf-8")
    assert main(["date", "today", "--published", FRI, "--rules", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "not valid TOML" in err and f"{bad}:1" in err


def test_cli_uses_a_custom_rule_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = PHRASES_PATH.read_text(encoding="utf-8")
    text += '\n[[rule]]\npattern = "a fortnight ago"\naction = "published"\ndays = -14\n'
    custom = tmp_path / "mine.toml"
    custom.write_text(text, encoding="utf-8")
    assert main(["date", "a fortnight ago", "--published", FRI, "--rules", str(custom)]) == 0
    assert capsys.readouterr().out.strip() == "2024-12-06"
