"""Suggestions for a name nothing resolves: the closest names in its country and kind."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from geo.resolve.answers import Candidate
from geo.resolve.places import _gazetteer_row, _world_candidate
from geo.resolve.query import _Context, _Query
from geo.resolve.score import _allowed
from geo.world import WorldTables

if TYPE_CHECKING:
    from geo.gazview import GazetteerView

#: How close a suggestion's name must be to the name asked for (:func:`closeness`, 0-100).
#: Measured by scripts/measure_suggestions.py on tests/data/places/suggestion_probes.csv
#: (misspellings of real places and made-up names, each the end of a leg from Russia):
#: the 12 right suggestions scored 90 to 95; 35 of the 38 others scored under 77
#: ("Atlantisville" -> Tolyatti 48, Gorelovo Aerodrome 19); the 3 left are true
#: near-spellings ("Narnia" -> Narni 91) or the very word ("Vulcan Station" -> Vulcan).
SUGGEST_FLOOR = 80
#: Suggestions more than this below the closest one are dropped: "Zuwarra Airprt" is 93
#: from Zuwara Airport and 83 / 81 from Zarpara and Zaria Airport, lifted over the floor
#: by the shared word "Airport" (scripts/measure_suggestions.py prints the spreads).
SUGGEST_SPREAD = 8
_GENERIC = re.compile(r"\b(?:international|air ?base|airbase|airport|airfield|aerodrome|"
                      r"naval base|naval|port of|port|harbou?r|station|base|town|city|village|"
                      r"the)\b")
_WORLD_ID = re.compile(r"\s*\([a-z]+:[^)]*\)\s*$")
_SUGGEST_CUTOFF = 70
_SUGGEST_CUTOFF_COUNTRY = 75
_SUGGEST_MIN_LEN = 4  # shorter keys are codes and abbreviations


def _suggest(
    queries: list[_Query], ctx: _Context, index: GazetteerView | None, world: WorldTables
) -> dict[str, tuple[Candidate, ...]]:
    """Closest names in the same country (and kind), with where they are.

    The gazetteer's names and the world names of the context countries
    (or, with no country, those sharing the first letter) are scored against
    all the unknown names of one pool at once (rapidfuzz ``cdist``): plain
    Levenshtein ratio of 70 or more world-wide, WRatio of 75 or more inside
    a country (it also weighs partial matches: "ghadames" in "ghadames east").
    """
    import numpy as np
    from rapidfuzz import fuzz, process

    kind = ctx.kind or None
    country = sorted(ctx.countries or ctx.context) or None
    scorer = fuzz.WRatio if country else fuzz.ratio
    cutoff = _SUGGEST_CUTOFF_COUNTRY if country else _SUGGEST_CUTOFF
    gaz_keys: list[str] = list(index.keys) if index is not None else []
    gaz_ids: list[object] = list(index.keys.values()) if index is not None else []
    out: dict[str, tuple[Candidate, ...]] = {q.text: () for q in queries}
    groups: dict[tuple[str, str], list[_Query]] = {}
    for q in queries:
        probe = q.core or q.key
        if probe:
            groups.setdefault(("" if country else probe[0], kind or q.cue or ""), []).append(q)
    for (prefix, want), group in groups.items():
        rows = world.keys_where(country=country, kind=want or None, prefix=prefix)
        rows = [(k, rid) for k, rid in rows if len(k) >= _SUGGEST_MIN_LEN]
        choices = gaz_keys + [k for k, _ in rows]
        refs = gaz_ids + [rid for _, rid in rows]
        if not choices:
            continue
        scores = process.cdist(
            [q.core or q.key for q in group],
            choices,
            scorer=scorer,
            score_cutoff=cutoff,
            dtype=np.uint8,
            workers=-1,
        )
        k = min(12, scores.shape[1])
        top = np.argpartition(-scores.astype(np.int16), k - 1, axis=1)[:, :k]
        for r, q in enumerate(group):
            best = sorted(
                ((int(scores[r, j]), int(j)) for j in top[r] if scores[r, j] > 0),
                key=lambda t: (-t[0], t[1]),
            )
            places = world.places([refs[j] for _, j in best if isinstance(refs[j], int)])
            seen: list[Candidate] = []
            for sc, j in best:
                ref = refs[j]
                found = (
                    [_world_candidate(places[ref], "fuzzy")]
                    if isinstance(ref, int)
                    else [_gazetteer_row(index, pid, "fuzzy") for pid in ref]  # type: ignore[arg-type]
                )
                for c in found:
                    if _allowed(c, ctx) and all(x.id != c.id for x in seen):
                        seen.append(replace(c, score=round(sc / 100, 3)))
            out[q.text] = tuple(seen[:3])
    return out


def _core(name: str) -> str:
    from geo.translit import fold

    text = _GENERIC.sub(" ", fold(_WORLD_ID.sub("", name)).lower())
    return " ".join(text.split())


def closeness(query: str, name: str) -> float:
    """Return how close a suggested place ``name`` is to the ``query`` asked for (0-100).

    Both are folded and stripped of a world id in brackets, then compared by
    Levenshtein ratio whole and without the kind words that any base shares
    ("Air Base", "International Airport", "Port of"); the better of the two
    counts: "Khmeimm" is 93 from "Khmeimim Air Base", "Zuwarra Airprt" 89 from
    "Zuwara Airport", "Atlantisville" under 40 from "Gorelovo Aerodrome".

    >>> closeness("Tobrukk", "Port of Tobruk") > SUGGEST_FLOOR
    True
    """
    from rapidfuzz import fuzz

    from geo.translit import fold

    a, b = _core(query), _core(name)
    whole = fuzz.ratio(fold(query).lower(), fold(_WORLD_ID.sub("", name)).lower())
    return float(max(fuzz.ratio(a, b) if a and b else 0.0, whole))
