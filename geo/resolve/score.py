"""Score candidates for a name in its context, and decide: resolved, ambiguous or unknown.

A name resolves only when its best candidate leads by :data:`MARGIN`
every candidate more than :data:`SAME_SITE_KM` away; a skeleton-only
match only inside the country context. World places that are curated
places are answered with the gazetteer's rows (:data:`TWIN_KM`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, replace
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

from geo.resolve.answers import Candidate, Resolution
from geo.resolve.places import GAZETTEER_KINDS, _gazetteer_row
from geo.resolve.query import _Context, _Query
from geo.world import ALIAS, CODE, NAME

if TYPE_CHECKING:
    from geo.gazview import GazetteerView


__all__ = ["MARGIN", "N_CANDIDATES", "SAME_SITE_KM", "TWIN_KM", "curated_twin_id"]


#: Score lead the best candidate needs over the next one elsewhere to resolve.
MARGIN = 0.25
#: Candidates closer than this to the best one are the same site (a town and
#: its port, two records of one airfield), not competitors.
SAME_SITE_KM = 25.0
#: A world place this close to a gazetteer place of its kind is that place.
TWIN_KM = 3.0
#: How many candidates an ambiguous answer lists.
N_CANDIDATES = 5

# Score terms (see _score).
_MATCH = {NAME: 1.0, ALIAS: 0.85, CODE: 1.0}
_SKELETON_MATCH = 0.7
_GAZETTEER_BONUS = 0.5
_CUE_HIT, _CUE_MISS, _MILITARY = 0.4, -0.4, 0.15
_CONTEXT_COUNTRY = 0.5
_NEAR, _NEAR_KM = 0.4, 1000.0
_BARE_TOWN = 0.1
_CODE_BONUS = 0.6
_MAX_CANDIDATES = 40  # best-scored candidates kept per name before grouping by site
_ARABIC_ARTICLE = 0.5  # "al-Khadim": a place where Arabic names are written
#: Match strengths that compete on equal terms.
_TIER = {"name": 1, "alias": 1, "core": 1, "serves": 1, "code": 2}
_MATCH_OF = {"name": _MATCH[NAME], "alias": _MATCH[ALIAS], "code": _MATCH[CODE]}


@lru_cache(maxsize=1)
def _arabic_article_countries() -> frozenset[str]:
    """Countries whose place names carry the Arabic article (Arab League members)."""
    import csv

    from geo.world import WORLD_DIR

    with open(WORLD_DIR / "arabic_article_countries.csv", encoding="utf-8", newline="") as fh:
        return frozenset(r["country"] for r in csv.DictReader(fh))


def _allowed(c: Candidate, ctx: _Context) -> bool:
    if ctx.countries is not None and c.country not in ctx.countries and c.country != "":
        return False
    if ctx.countries is not None and c.country == "" and c.kind != "region":
        return False
    return not (ctx.kind is not None and c.kind != ctx.kind and not _military_any(c, ctx.kind))


def _military_any(c: Candidate, kind: str) -> bool:
    # a gazetteer "military_base" counts as an airfield or a port
    return c.detail == "military_base" and kind in ("airfield", "port")


def _score(c: Candidate, q: _Query, ctx: _Context) -> Candidate:
    if c.how == "serves":
        s = 1.0 + _GAZETTEER_BONUS + 0.5 + c.score  # the curated base a city name stands for
    elif c.table == "gazetteer" and c.how == "core":
        s = 1.0  # the name minus its descriptor words, of another kind
    elif c.table == "gazetteer":
        s = 1.0 + _GAZETTEER_BONUS + 0.5
    elif c.how in ("skeleton", "part"):
        s = _SKELETON_MATCH  # prominence is evidence only for a name that matches
    elif c.how == "code" and q.text.strip().isupper() and " " not in q.text.strip():
        s = _MATCH_OF[c.how] + _CODE_BONUS + c.score  # "HL59", "BEN", "LYTIP" typed as a code
    else:
        s = _MATCH_OF[c.how] + c.score
    military = "military" in c.detail or c.detail in ("airbase", "naval_base", "military_base")
    if q.cue:
        s += _CUE_HIT if (c.kind == q.cue or _military_any(c, q.cue)) else _CUE_MISS
        if q.military and military:
            s += _MILITARY
    elif q.military:
        s += _MILITARY * 2 if military else _CUE_MISS
    elif c.kind in ("city", "country", "region"):
        s += _BARE_TOWN
    if c.country and c.country in ctx.context:
        s += _CONTEXT_COUNTRY
    if q.arabic and c.country in _arabic_article_countries():
        s += _ARABIC_ARTICLE
    if ctx.near:
        d = min(_km(c.lon, c.lat, lon, lat) for lon, lat in ctx.near)
        s += _NEAR * max(0.0, 1.0 - d / _NEAR_KM)
    return replace(c, score=round(s, 4))


def curated_twin_id(
    kind: str,
    country: str,
    lon: float,
    lat: float,
    rows: Iterable[tuple[str, str, str, float, float]],
) -> str | None:
    """Return the id of the curated place a world place is, else None.

    The one rule for "this world place is that gazetteer place", used by
    :func:`geo.resolve.resolve` and by the extractor's place table
    (:meth:`geo.extract.places.PlaceTable.twin`): a world country is the
    gazetteer row of its country ("Libye" -> ``libya``); any other world
    place is the nearest gazetteer place of its kind within :data:`TWIN_KM`
    ("HLLB" -> ``benina_airport``), ties broken by id.

    Parameters
    ----------
    kind
        The world place's kind (``airfield``, ``port``, ``city``, ``country`` ...).
    country, lon, lat
        Where it is.
    rows
        ``(id, gazetteer kind, country, lon, lat)`` of the curated places; a
        gazetteer kind counts as the world kind :data:`GAZETTEER_KINDS` gives.

    """
    best: tuple[float, str] | None = None
    for pid, gkind, gcountry, glon, glat in rows:
        if GAZETTEER_KINDS.get(str(gkind)) != kind:
            continue
        if kind == "country":
            if gcountry == country:
                return pid
            continue
        if glat != glat or lat != lat:  # NaN: no point to compare
            continue
        d = _km(lon, lat, glon, glat)
        if d <= TWIN_KM and (best is None or (d, pid) < best):
            best = (d, pid)
    return best[1] if best else None


def _curated_twin(res: Resolution, gaz: GazetteerView) -> Resolution:
    """Answer with the gazetteer's own rows where world places are its places.

    A world place that :func:`curated_twin_id` says is a gazetteer place
    ("HLLB" -> ``benina_airport``, "Libye" -> ``libya``) is replaced by the
    curated row (keeping how it matched and its score).
    """
    rows = [(pid, row["kind"], row["country"], row["lon"], row["lat"])
            for pid, row in gaz.rows.items()]
    out: list[Candidate] = []
    for p in res.candidates:
        if p.table == "world":
            pid = curated_twin_id(p.kind, p.country, p.lon, p.lat, rows)  # type: ignore[arg-type]
            if pid is not None:
                twin = _gazetteer_row(gaz, pid, p.how)
                p = Candidate(**{**asdict(twin), "score": p.score})
        if all(o.id != p.id for o in out):
            out.append(p)
    return Resolution(res.query, res.status, tuple(out), res.suggestions, res.cue, res.notes)


def _decide(q: _Query, scored: list[Candidate], ctx: _Context) -> Resolution:
    if not scored:
        return Resolution(q.text, "unknown", cue=q.cue)
    scored.sort(key=lambda c: (-c.score, c.table != "gazetteer", c.id))
    # one candidate per site: drop those within SAME_SITE_KM of a better one
    kept: list[Candidate] = []
    for c in scored[:_MAX_CANDIDATES]:
        if all(_km(c.lon, c.lat, k.lon, k.lat) > SAME_SITE_KM for k in kept):
            kept.append(c)
    best = kept[0]
    lead = best.score - kept[1].score if len(kept) > 1 else math.inf
    # A skeleton-only match needs the country context to be trusted.
    in_context = (
        (ctx.countries is not None)
        or (best.country in ctx.context)
        or (bool(ctx.near) and min(_km(best.lon, best.lat, lo, la) for lo, la in ctx.near) < 300)
    )
    trusted = best.how not in ("skeleton", "part") or in_context
    # Airfield size is no evidence of which field a report means (small military
    # fields are what reports name): another field matching by name keeps it open.
    if best.kind == "airfield" and not in_context and best.how != "serves":
        tier = _TIER.get(best.how)
        rival = any(c.kind == "airfield" and _TIER.get(c.how) == tier for c in kept[1:])
        trusted = trusted and not rival
    if lead >= MARGIN and trusted:
        return Resolution(q.text, "ok", (best,), cue=q.cue)
    return Resolution(q.text, "ambiguous", tuple(kept[:N_CANDIDATES]), cue=q.cue)


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km (haversine; ranking only)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))
