from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from edtf import parse_edtf  # the reference EDTF implementation, used as a test oracle
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from geo.columns import (
    DATE_APPROXIMATE,
    DATE_END,
    DATE_OPEN_END,
    DATE_OPEN_START,
    DATE_PROBLEM,
    DATE_START,
    DATE_UNCERTAIN,
    IMPLIED_PRECISION,
)
from geo.dates import check_precision, parse_dates, span_precision

T = pd.Timestamp


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2020-05-18", "2020-05-18", "2020-05-18", "day"),
        (" 2020-05-18 ", "2020-05-18", "2020-05-18", "day"),
        ("2020-05", "2020-05-01", "2020-05-31", "month"),
        ("2020-02", "2020-02-01", "2020-02-29", "month"),  # leap year
        ("2021-02", "2021-02-01", "2021-02-28", "month"),
        ("2020", "2020-01-01", "2020-12-31", "year"),
        ("2020-W21", "2020-05-18", "2020-05-24", "week"),
        ("2020-W01", "2019-12-30", "2020-01-05", "week"),  # ISO week 1 starts in 2019
        ("2020-W53", "2020-12-28", "2021-01-03", "week"),  # 2020 has 53 ISO weeks
        ("2024-12-01/2024-12-18", "2024-12-01", "2024-12-18", "month"),
        ("2024-12-13/2024-12-13", "2024-12-13", "2024-12-13", "day"),
        ("2020-05-18/2020-05-24", "2020-05-18", "2020-05-24", "week"),
        ("2020-05/2020-06", "2020-05-01", "2020-06-30", "year"),
        ("2019/2020-05-18", "2019-01-01", "2020-05-18", "coarser"),
        ("2020-W21/2020-06", "2020-05-18", "2020-06-30", "year"),
        ("2020-05-18 / 2020-06-30", "2020-05-18", "2020-06-30", "year"),
    ],
)
def test_parse_canonical_forms(text: str, start: str, end: str, precision: str) -> None:
    row = parse_dates([text]).iloc[0]
    assert row[DATE_START] == T(start)
    assert row[DATE_END] == T(end)
    assert row[IMPLIED_PRECISION] == precision
    assert row[DATE_PROBLEM] is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2020-02-30", "not a real calendar date"),
        ("2021-02-29", "not a real calendar date"),
        ("2020-13", "not a real calendar date"),
        ("2021-W53", "not a real calendar date"),  # 2021 has 52 ISO weeks
        ("2020-W00", "not a real calendar date"),
        ("May 2020", "not a date in a form"),
        ("18/05/2020", "not a date in a form"),
        ("2020-5-18", "not a date in a form"),
        ("2020/2021/2022", "not a date in a form"),
        ("", "not a date in a form"),
        ("2020-06/2020-05", "interval ends before it starts"),
        ("2020-05-18/2020-05-17", "interval ends before it starts"),
        ("2024-12-18/2024-11", "interval ends before it starts"),
    ],
)
def test_unusable_dates_say_why(text: str, problem: str) -> None:
    row = parse_dates([text]).iloc[0]
    assert problem in row[DATE_PROBLEM]
    assert pd.isna(row[DATE_START]) and pd.isna(row[DATE_END])
    assert row[IMPLIED_PRECISION] is None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024-12/2024-12-18", "2024-12-01", "2024-12-18"),
        ("2024-12-18/2024-12", "2024-12-18", "2024-12-31"),
    ],
)
def test_interval_runs_from_start_of_first_to_end_of_second(
    text: str, start: str, end: str
) -> None:
    # Endpoints that overlap are fine as long as the interval is not empty.
    row = parse_dates([text]).iloc[0]
    assert row[DATE_PROBLEM] is None
    assert (row[DATE_START], row[DATE_END]) == (T(start), T(end))


def test_index_is_kept_and_missing_values_are_problems() -> None:
    s = pd.Series(["2020", None, "2020-05"], index=[10, 20, 30])
    out = parse_dates(s)
    assert list(out.index) == [10, 20, 30]
    assert out.loc[20, DATE_PROBLEM] is not None
    assert out.loc[30, DATE_END] == T("2020-05-31")


@pytest.mark.parametrize(
    ("days", "precision"),
    [
        (1, "day"),
        (2, "week"),
        (7, "week"),
        (8, "month"),
        (31, "month"),
        (32, "year"),
        (366, "year"),
        (367, "coarser"),
    ],
)
def test_span_precision_thresholds(days: int, precision: str) -> None:
    start = pd.Series([T("2020-01-01")])
    end = start + pd.Timedelta(days=days - 1)
    assert span_precision(start, end).iloc[0] == precision


@pytest.mark.parametrize(
    ("text", "stated", "ok"),
    [
        ("2020-05", "day", False),  # the brief's example: a month claiming day precision
        ("2020-05-18", "month", False),
        ("2020-05", "month", True),
        ("2020-W21", "week", True),
        ("2020-W21", "day", False),
        ("2024-12-01/2024-12-18", "month", True),
        ("2024-12-01/2024-12-18", "week", False),
        ("2019/2020-05-18", "coarser", True),
        ("2019/2020-05-18", "year", False),
    ],
)
def test_check_precision(text: str, stated: str, ok: bool) -> None:
    parsed = parse_dates([text])
    msg = check_precision(parsed, pd.Series([stated])).iloc[0]
    if ok:
        assert msg is None
    else:
        assert stated in msg
        assert parsed[IMPLIED_PRECISION].iloc[0] in msg


def test_check_precision_leaves_other_problems_alone() -> None:
    parsed = parse_dates(["2020-02-30", "2020-05"])
    msgs = check_precision(parsed, pd.Series(["day", "dayz"]))
    # An unusable date and an unknown code are reported elsewhere, not here.
    assert msgs.isna().all()


_days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


@settings(deadline=None)
@given(a=_days, b=_days)
def test_any_day_interval_round_trips(a: dt.date, b: dt.date) -> None:
    lo, hi = sorted((a, b))
    out = parse_dates([f"{lo.isoformat()}/{hi.isoformat()}", lo.isoformat()])
    assert out[DATE_START].tolist() == [T(lo), T(lo)]
    assert out[DATE_END].tolist() == [T(hi), T(lo)]
    days = (hi - lo).days + 1
    assert (
        out[IMPLIED_PRECISION].iloc[0]
        == span_precision(pd.Series([T(lo)]), pd.Series([T(hi)])).iloc[0]
    )
    assert out[IMPLIED_PRECISION].iloc[1] == "day"
    assert (out[IMPLIED_PRECISION].iloc[0] == "day") == (days == 1)


@settings(deadline=None)
@given(day=_days)
def test_week_of_any_day_contains_it(day: dt.date) -> None:
    year, week, _ = day.isocalendar()
    out = parse_dates([f"{year:04d}-W{week:02d}"]).iloc[0]
    assert out[DATE_START] <= T(day) <= out[DATE_END]
    assert (out[DATE_END] - out[DATE_START]).days == 6
    assert out[DATE_START].isoweekday() == 1


# --- EDTF level 1: open intervals and qualifiers (issue 11) -------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "precision", "flags"),
    [
        ("2020-05~", "2020-05-01", "2020-05-31", "month", "a"),
        ("2020-05?", "2020-05-01", "2020-05-31", "month", "u"),
        ("2020-05%", "2020-05-01", "2020-05-31", "month", "au"),
        ("2020~", "2020-01-01", "2020-12-31", "year", "a"),
        ("2020-05-18?", "2020-05-18", "2020-05-18", "day", "u"),
        ("2020-W21~", "2020-05-18", "2020-05-24", "week", "a"),
        ("2024-03-01~/2024-03-10~", "2024-03-01", "2024-03-10", "month", "a"),
        ("2024-03-01/2024-03-10?", "2024-03-01", "2024-03-10", "month", "u"),
        # open end: runs to the data date (here the latest day in the column, 2024-12-31)
        ("2020-10-23/..", "2020-10-23", "2024-12-31", "day", "e"),
        ("2020-10-23/", "2020-10-23", "2024-12-31", "day", "e"),
        ("2020-10/..", "2020-10-01", "2024-12-31", "month", "e"),
        ("2020-10~/..", "2020-10-01", "2024-12-31", "month", "ae"),
        # open start: runs from the earliest day in the column (2019-01-01)
        ("../2020-05", "2019-01-01", "2020-05-31", "month", "s"),
        ("/2020-05", "2019-01-01", "2020-05-31", "month", "s"),
        ("../2020-05-18?", "2019-01-01", "2020-05-18", "day", "su"),
    ],
)
def test_edtf_level1_forms(text: str, start: str, end: str, precision: str, flags: str) -> None:
    out = parse_dates([text, "2019", "2024-12"]).iloc[0]
    assert out[DATE_PROBLEM] is None
    assert (out[DATE_START], out[DATE_END]) == (T(start), T(end))
    assert out[IMPLIED_PRECISION] == precision
    assert out[DATE_APPROXIMATE] == ("a" in flags)
    assert out[DATE_UNCERTAIN] == ("u" in flags)
    assert out[DATE_OPEN_START] == ("s" in flags)
    assert out[DATE_OPEN_END] == ("e" in flags)


def test_plain_dates_have_no_flags() -> None:
    out = parse_dates(["2020-05", "2020-W21", "2019/2020"])
    flags = out[[DATE_APPROXIMATE, DATE_UNCERTAIN, DATE_OPEN_START, DATE_OPEN_END]]
    assert not flags.to_numpy().any()
    assert (flags.dtypes == "bool").all()


def test_open_sides_take_as_of_and_floor_but_never_cut_the_known_end() -> None:
    out = parse_dates(
        ["2020-10-23/..", "../2020-05", "2021-03/.."],
        as_of=pd.Series(["2021-01-15", None, "2021-02-01"]),
        floor="2020-01-01",
    )
    assert out[DATE_END].tolist()[0] == T("2021-01-15")
    # as_of before the known month: the end is the known end, not inside it
    assert out[DATE_END].tolist()[2] == T("2021-03-31")
    assert out[DATE_START].tolist()[1] == T("2020-01-01")
    # a floor after the known start gives way to the known start
    late = parse_dates(["../2020-05"], floor="2020-09-01").iloc[0]
    assert late[DATE_START] == T("2020-05-01")


def test_open_only_column_uses_its_own_known_end() -> None:
    out = parse_dates(["2020-10-23/.."]).iloc[0]
    assert (out[DATE_START], out[DATE_END]) == (T("2020-10-23"), T("2020-10-23"))
    assert out[DATE_OPEN_END]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("../..", "at least one known end"),
        ("/", "at least one known end"),
        ("..", "not a date in a form"),
        ("2020-05~~", "not a date in a form"),
        ("2020?-05", "not a date in a form"),  # EDTF level 2 (qualifying a part): not read
        ("~2020-05", "not a date in a form"),
        ("2020-10-23/../..", "not a date in a form"),
        ("2020-02-30/..", "not a real calendar date"),
        ("../2021-W53", "not a real calendar date"),
        ("2020-06~/2020-05", "interval ends before it starts"),
    ],
)
def test_bad_edtf_forms_say_why(text: str, problem: str) -> None:
    out = parse_dates([text]).iloc[0]
    assert problem in out[DATE_PROBLEM]
    assert pd.isna(out[DATE_START]) and pd.isna(out[DATE_END])
    assert not (out[DATE_APPROXIMATE] or out[DATE_OPEN_START] or out[DATE_OPEN_END])


def test_check_precision_names_known_end_of_open_interval() -> None:
    parsed = parse_dates(["2020-10-23/..", "2020-10/..", "2020-05~"])
    msgs = check_precision(parsed, pd.Series(["month", "month", "day"]))
    assert "open interval" in msgs[0] and "'day'" in msgs[0]
    assert msgs[1] is None
    assert "31 day(s)" in msgs[2]


_edtf_endpoint = st.builds(
    lambda d, form, q: {
        "day": d.isoformat(),
        "month": f"{d:%Y-%m}",
        "year": f"{d.year:04d}",
    }[form]
    + q,
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.sampled_from(["day", "month", "year"]),
    st.sampled_from(["", "", "~", "?", "%"]),
)


def _oracle(text: str) -> tuple[T | None, T | None]:
    """Bounds by the ``edtf`` library (None for an open side)."""
    e = parse_edtf(text)

    def day(v: object) -> T | None:
        if not hasattr(v, "tm_year"):
            return None  # +/- infinity: open
        return T(dt.date(v.tm_year, v.tm_mon, v.tm_mday))  # type: ignore[attr-defined]

    return day(e.lower_strict()), day(e.upper_strict())


@settings(deadline=None, max_examples=80)
@given(
    a=_edtf_endpoint,
    b=_edtf_endpoint,
    shape=st.sampled_from(["one", "both", "open_end", "open_start"]),
)
def test_bounds_agree_with_the_edtf_library(a: str, b: str, shape: str) -> None:
    text = {"one": a, "both": f"{a}/{b}", "open_end": f"{a}/..", "open_start": f"../{b}"}[shape]
    ours = parse_dates([text]).iloc[0]
    if shape == "both":
        lo, hi = _oracle(text)
        assume(lo is not None and hi is not None and lo <= hi)
    if ours[DATE_PROBLEM] is not None:
        assert "ends before it starts" in ours[DATE_PROBLEM]
        return
    lo, hi = _oracle(text)
    if shape != "open_start":
        assert ours[DATE_START] == lo
    else:
        assert lo is None and ours[DATE_OPEN_START]
    if shape != "open_end":
        assert ours[DATE_END] == hi
    else:
        assert hi is None and ours[DATE_OPEN_END]
    assert ours[DATE_APPROXIMATE] == any(q in text for q in "~%")
    assert ours[DATE_UNCERTAIN] == any(q in text for q in "?%")


def test_dates_outside_the_nanosecond_range_do_not_crash_open_sides() -> None:
    # pandas keeps such dates at second resolution; filling open sides must not overflow.
    out = parse_dates(["1500-01-01", "2300-01-01/..", "../1600"])
    assert out[DATE_PROBLEM].isna().all()
    assert out[DATE_END].iloc[1] == T("2300-01-01")
    assert out[DATE_START].iloc[2] == T("1500-01-01")
