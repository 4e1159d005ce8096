"""A name as written, parsed for resolution: folded key, core without descriptor words, kind cue.

Also the context a resolution runs in (hard country and kind filters,
soft country and distance context).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from geo.translit import fold
from geo.world import core_name


@dataclass(frozen=True)
class _Context:
    countries: frozenset[str] | None
    kind: str | None
    near: tuple[tuple[float, float], ...]
    context: frozenset[str]


@dataclass
class _Query:
    text: str
    key: str
    core: str
    cue: str
    military: bool
    arabic: bool = False  # written with an Arabic article (al-, el-, ash-, ...)


def _codes(country: str | Sequence[str] | None) -> frozenset[str] | None:
    if country is None:
        return None
    items = [country] if isinstance(country, str) else list(country)
    codes = frozenset(c.strip().upper() for c in items if c and c.strip())
    return codes or None


def _parse(text: str) -> _Query:
    key = fold(text)
    core, cue, military = core_name(key)
    arabic = bool(_ARTICLE.search(text))
    glued = _GLUED.match(core)
    if glued and " " not in core:
        core = core[glued.end() :]  # "alKhadim" -> "khadim"
    return _Query(text, key, core, cue, military, arabic)


_ARTICLE = re.compile(
    r"(?:^|[\s(])(?i:al|el|ad|ar|as|ash|at|az|adh)[-\s\u2019'](?=\w)|^[Aa]l(?=[A-Z])"
)


def _parts(q: _Query) -> tuple[str, ...]:
    """Return the core without its last or first word (two- and three-word cores)."""
    words = q.core.split()
    if not 2 <= len(words) <= 3:
        return ()
    return tuple(p for p in (" ".join(words[:-1]), " ".join(words[1:])) if len(p) >= 4)


_GLUED = re.compile(r"^(?:al|el)(?=[bcdfghjklmnpqrstvwxz][a-z]{3,}$)")
