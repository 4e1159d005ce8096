"""script_json's orjson fast path writes exactly what the json module writes."""

from __future__ import annotations

import contextlib
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.escape import Numbers, _json_text, _orjson_text, _plain_and_finite, script_json

# Any text but lone surrogates (orjson refuses them: the reference path is tested below).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
LEAVES = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | FLOATS | TEXT
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=6)
    | st.tuples(inner, inner)
    | st.dictionaries(TEXT, inner, max_size=6),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_orjson_path_writes_the_reference_bytes(obj: object) -> None:
    fast = _orjson_text(obj)
    assert fast is None or fast == _json_text(obj)
    assert script_json(obj) == _reference_script_json(obj)


def _reference_script_json(obj: object) -> str:
    """script_json as it was before orjson (json.dumps, then the same escapes)."""
    import layers.escape as esc

    text = _json_text(obj)
    for char, escaped in esc._SCRIPT_JSON_ESCAPES:
        text = text.replace(char, escaped)
    return esc._JINJA_OPEN.sub(r"\\u007b", text)


def test_every_code_point_escapes_the_same() -> None:
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    obj = {"".join(chars[i : i + 97]): "".join(chars[i : i + 89]) for i in range(0, 5000, 97)}
    obj["all"] = "".join(chars)
    assert _orjson_text(obj) == _json_text(obj)


@pytest.mark.parametrize(
    "value", [1e-5, 1.5e-7, 1e16, 2.5e20, -3e-9, 1.7976931348623157e308, 5e-324]
)
def test_exponent_floats_take_the_reference_path(value: float) -> None:
    assert _orjson_text([value]) is None  # orjson writes "1e-5", json "1e-05"
    assert script_json({"x": [value, "e5"]}) == _reference_script_json({"x": [value, "e5"]})


def test_plain_payloads_use_orjson() -> None:
    payload = {
        "c": Numbers(range(-1, 5000)),
        "geom": [[Numbers([12.3456, -45.1, 0.0, 179.9999])]],
        "mid": [None] * 50,
        "u": ["Tripoli", "Kyiv 'x' <b>", "é\u2028"],
    }
    fast = _orjson_text(payload)
    assert fast is not None and fast == _json_text(payload)


@pytest.mark.parametrize(
    "obj",
    [
        {"x": math.nan},
        [1.0, [math.inf]],
        {"x": (1, -math.inf)},
        {1: "int key"},
        ["\ud800"],
        [2**64],
        {"x": json},
    ],
)
def test_anything_else_goes_the_reference_way(obj: object) -> None:
    assert _orjson_text(obj) is None
    with pytest.raises((ValueError, TypeError)) if _raises(obj) else contextlib.nullcontext():
        assert script_json(obj) == _reference_script_json(obj)


def _raises(obj: object) -> bool:
    try:
        _json_text(obj)
    except (ValueError, TypeError):
        return True
    return False


def test_numpy_scalars_are_not_trusted() -> None:
    import numpy as np

    assert _orjson_text({"x": np.float64(1.5)}) is None
    assert script_json({"x": np.float64(1.5)}) == '{"x":1.5}'


@pytest.mark.parametrize(
    "column",
    [
        [1.0, 2, None, math.inf],
        [math.inf, -math.inf],
        [1e308, 1e308, math.nan],
        [1e308, 1e308],  # finite, though the sum overflows
        [0.5, None, True, 3],
    ],
)
def test_number_lists_are_checked_whole(column: list[object]) -> None:
    finite = all(v is None or math.isfinite(v) for v in column)  # type: ignore[arg-type]
    assert _plain_and_finite({"c": column}) == finite
    if finite:
        assert script_json({"c": column}) == _reference_script_json({"c": column})
