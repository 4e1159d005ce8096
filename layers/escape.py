"""Escaping for every string that reaches a map page.

folium escapes nothing: Popup/Tooltip text lands inside a JavaScript
template literal, layer names go through ``innerHTML``, and data is
inlined in ``<script>``.  A report quoting ``<img onerror=...>`` or
``${...}`` must show as text, never run.  Each function here targets one
context; pick the one matching where the string ends up.
"""

from __future__ import annotations

import html
import json
import math
import re
from typing import Any

__all__ = ["Numbers", "html_text", "safe_url", "script_json", "template_literal"]

# JSON inside <script>: "<", ">" and "&" would let "</script>" or "<!--"
# end the script element; U+2028/2029 end a JS line in older engines.
_SCRIPT_JSON_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


def html_text(value: object) -> str:
    """Escape ``value`` for HTML text or a quoted attribute.

    Parameters
    ----------
    value
        Anything; ``None`` and NaN become ``""``.

    Returns
    -------
    str
        ``&``, ``<``, ``>``, ``"`` and ``'`` replaced by entities.

    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def template_literal(value: object) -> str:
    """Escape ``value`` for HTML placed inside a JS template literal.

    folium puts Popup and Tooltip text between backticks, where a
    backtick ends the literal, ``${`` starts an expression and a
    backslash starts an escape (a trailing one swallows the closing
    backtick); branca then renders the script again as a Jinja template,
    where ``{{``/``{%``/``{#`` are live.  All of these become HTML
    entities, which the browser shows as the original characters.

    Parameters
    ----------
    value
        Anything; ``None`` and NaN become ``""``.

    Returns
    -------
    str
        HTML-escaped text with no backtick, ``$``, ``{`` or backslash left.

    """
    text = html_text(value)
    # "{" too: branca re-renders the script as Jinja ("{{ }}" would run).
    return (
        text.replace("\\", "&#92;")
        .replace("`", "&#96;")
        .replace("$", "&#36;")
        .replace("{", "&#123;")
    )


def script_json(obj: Any) -> str:
    """Serialise ``obj`` as JSON that is safe inline in ``<script>``.

    Keys are sorted and separators fixed so identical inputs give
    identical bytes.  ``{{``, ``{%`` and ``{#`` are broken up too: branca
    re-renders macro output as a Jinja template, where they would be
    evaluated at build time (JSON itself never puts ``{`` before ``{``,
    ``%`` or ``#``, so only text inside strings is touched).

    Parameters
    ----------
    obj
        JSON-serialisable object (NaN is not allowed: map it to ``None``).

    Returns
    -------
    str
        A JavaScript expression; no ``<``, ``>``, ``&``, U+2028/2029.

    """
    text = _orjson_text(obj)
    if text is None:
        text = _json_text(obj)
    for char, escaped in _SCRIPT_JSON_ESCAPES:
        text = text.replace(char, escaped)  # str.replace: far faster than translate here
    return _JINJA_OPEN.sub(r"\\u007b", text)


def _json_text(obj: Any) -> str:
    """Encode as the reference does: sorted keys, no spaces, UTF-8 text, NaN refused."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


class Numbers(list):  # type: ignore[type-arg]
    """A list of integers, finite floats and ``None`` only, checked where it was made.

    Payload builders wrap big numpy-made columns (codes, coordinates) in it
    so :func:`script_json` need not look at every value for a NaN.
    """

    __slots__ = ()


_PLAIN = frozenset((str, int, bool, type(None), Numbers))
_NUMBERS = frozenset((float, int, bool, type(None)))


def _plain_and_finite(obj: Any) -> bool:
    """Tell whether ``obj`` holds only JSON's plain types and no NaN or infinity.

    :class:`Numbers` are trusted; any other type (a subclass, a numpy
    scalar, an enum) answers ``False``, which sends ``obj`` the reference way.
    A list of texts or numbers is checked in one pass of C loops (the types
    it holds, then the sum of its floats: finite if and only if each is).
    """
    stack = [obj]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is float:
            if not math.isfinite(item):
                return False
        elif kind is dict:
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            kinds = set(map(type, item))
            if kinds <= _PLAIN:
                continue
            if kinds <= _NUMBERS:
                try:
                    if math.isfinite(math.fsum(filter(None, item))):
                        continue
                except (OverflowError, ValueError):  # huge, or inf - inf: look at each
                    pass
            stack.extend(item)
        elif kind not in _PLAIN:
            return False
    return True


#: Bytes ``e``, the digits and the signs: where orjson writes a number in exponent form
#: ("1e-9", "1e16") :mod:`json` writes another text ("1e-09", "1e+16").
_E, _DIGITS, _SIGNS = ord("e"), list(range(ord("0"), ord("9") + 1)), [ord("-"), ord("+")]


def _has_exponent(raw: bytes) -> bool:
    """Tell whether ``raw`` may hold a number :mod:`json` writes in exponent form.

    orjson writes some of them in exponent form too ("1e-9", "1e16" for
    :mod:`json`'s "1e-09", "1e+16"), others in decimals ("0.00001" for
    "1e-05": :mod:`json` writes decimals only from 0.0001).  Text such as
    "2e5" or "0.00001" in a string answers ``True`` too (the slower path
    writes it right).
    """
    import numpy as np

    if b"0.0000" in raw:
        return True

    a = np.frombuffer(raw, dtype=np.uint8)
    at = np.flatnonzero(a[1:-1] == _E) + 1
    if not len(at):
        return False
    after = a[at + 1]
    return bool(
        (np.isin(a[at - 1], _DIGITS) & np.isin(after, _DIGITS + _SIGNS)).any()
    )


def _orjson_text(obj: Any) -> str | None:
    """:func:`_json_text` of ``obj`` by orjson (~5x faster), or ``None`` if unsure.

    orjson writes what :mod:`json` writes (same escapes, the same shortest
    float digits, keys in code-point order: tests/test_script_json.py)
    except for NaN and infinities (``null``, not an error), numbers below
    0.0001 or from 1e16 (:func:`_has_exponent`) and types beyond JSON's.
    So it is used only for plain, finite payloads
    (:func:`_plain_and_finite`) with no such number; anything else, or
    anything orjson refuses (lone surrogates, huge integers), goes the
    reference way.
    """
    try:
        import orjson
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    if not _plain_and_finite(obj):
        return None
    try:
        raw = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return None
    if _has_exponent(raw):
        return None
    return raw.decode("utf-8")


def safe_url(value: object) -> str | None:
    """Return ``value`` if it is an http(s) URL, else ``None``.

    Links in popups come from sources.csv; a ``javascript:`` or
    ``data:`` URL must not become a clickable link.
    """
    if not isinstance(value, str):
        return None
    url = value.strip()
    if url.lower().startswith(("https://", "http://")) and not any(c.isspace() for c in url):
        return url
    return None
