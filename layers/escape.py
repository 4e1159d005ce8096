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

__all__ = ["html_text", "safe_url", "script_json", "template_literal"]

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
    """The reference encoding: sorted keys, no spaces, UTF-8 text, NaN refused."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


#: A number orjson writes in exponent form ("1e-9", "1e16"), which :mod:`json`
#: writes differently ("1e-09", "1e+16"); a match inside a string only costs the
#: slow path.
_EXPONENT = re.compile(rb"[0-9]e[-+0-9]")


def _orjson_text(obj: Any) -> str | None:
    """:func:`_json_text` of ``obj`` by orjson (~5x faster), or ``None`` if unsure.

    orjson writes what :mod:`json` writes here (same escapes of control
    characters, same shortest float digits outside exponent form, keys in
    code-point order) except NaN and infinities (``null``, not an error),
    tuples (arrays, equal to :mod:`json`'s but not to the input) and
    numbers in exponent form.  So its text is kept only when it parses
    back equal to ``obj`` (NaN parses to ``None``; C-level comparison, a
    small part of the encoding time) and holds no exponent; anything orjson
    refuses (non-string keys, lone surrogates, big integers, numpy scalars)
    goes the reference way too.
    """
    try:
        import orjson
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    try:
        raw = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return None
    if _EXPONENT.search(raw) is not None or orjson.loads(raw) != obj:
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
