"""Resolve place names from context: the curated gazetteer first, then the world tables.

API for text extraction
-----------------------
::

    from geo.resolve import resolve, Resolution, Candidate

    resolve(names, *, country=None, kind=None, near=None, context=None,
            index=None, world=None, suggest=True) -> list[Resolution]

- ``names``: the place names as written ("port of Tartus", "al-Khadem air
  base", "HL59", "Lattaquié"). Descriptor words ("air base", "port of",
  "aéroport de") are stripped and used as kind cues.
- ``country``: hard filter, an ISO 3166-1 alpha-2 code or several (only
  places there, plus seas, are considered).
- ``kind``: hard filter, one of ``airfield``, ``port``, ``city``,
  ``region``, ``country``.
- ``context``: soft country context, ISO codes of the other places of the
  same report or transfer (a candidate there scores higher).
- ``near``: soft distance context, ``(lon, lat)`` points of the other places.
- ``index``: a :class:`geo.geocode.PlaceIndex` of the curated gazetteer,
  consulted first (precedence); ``None`` for the world tables only.

Each :class:`Resolution` has ``status`` ``"ok"`` (``id``, ``name``,
``lat``, ``lon``, ``kind``, ``country``, ``precision``, ``source`` of the
place), ``"ambiguous"`` (``candidates``, best first, each a
:class:`Candidate` with a ``score``) or ``"unknown"`` (``suggestions``: the
closest names in the same country and kind, with where they are).
``Resolution.to_dict()`` gives the JSON object of ``movemap geocode --json``.

A name resolves only when its best candidate clearly wins (by
:data:`MARGIN`) over every candidate more than :data:`SAME_SITE_KM` away;
a match only on the consonant skeleton (:func:`geo.translit.skeleton`)
resolves only inside the country context. Never a confident guess.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from geo.translit import fold, skeletons, slavic
from geo.world import ALIAS, CODE, KINDS, NAME, WorldPlace, WorldTables, core_name, world_tables

if TYPE_CHECKING:
    from geo.gazview import GazetteerView
    from geo.geocode import PlaceIndex

__all__ = [
    "GAZETTEER_KINDS",
    "MARGIN",
    "SAME_SITE_KM",
    "Candidate",
    "Resolution",
    "load_serves",
    "resolve",
    "resolve_together",
    "serving",
]

#: Gazetteer kind -> world kind ("" = a military base of any kind).
GAZETTEER_KINDS: dict[str, str] = {
    "airbase": "airfield",
    "airport": "airfield",
    "naval_base": "port",
    "port": "port",
    "military_base": "",
    "city": "city",
    "town": "city",
    "region": "region",
    "country": "country",
}
#: Score lead the best candidate needs over the next one elsewhere to resolve.
MARGIN = 0.25
#: Candidates closer than this to the best one are the same site (a town and
#: its port, two records of one airfield), not competitors.
SAME_SITE_KM = 25.0
#: The curated city -> base relation (geo/data/world/serves.csv).
SERVES_FILE = "serves.csv"
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
_SUGGEST_CUTOFF = 70
_SUGGEST_CUTOFF_COUNTRY = 75
_SUGGEST_MIN_LEN = 4  # shorter keys are codes and abbreviations
_SKELETON_CLOSE = 75
_MAIN_BASE = 0.3
_CODE_BONUS = 0.6
_MAX_CANDIDATES = 40  # best-scored candidates kept per name before grouping by site
_ARABIC_ARTICLE = 0.5  # "al-Khadim": a place where Arabic names are written
#: Match strengths that compete on equal terms.
_TIER = {"name": 1, "alias": 1, "core": 1, "serves": 1, "code": 2}


@dataclass(frozen=True)
class Candidate:
    """One place a name may mean, with its score."""

    id: str
    name: str
    lat: float
    lon: float
    kind: str  # world kind: airfield, port, city, region, country (gazetteer kind in detail)
    country: str
    precision: str
    source: str
    score: float = 0.0
    detail: str = ""  # gazetteer kind, airfield type, region type
    table: str = "world"  # "gazetteer" or "world"
    how: str = "name"  # "name", "alias", "code", "skeleton", "fuzzy"

    def to_dict(self, *, score: bool = True) -> dict[str, object]:
        """JSON object: id, name, lat, lon, kind, country, precision, source (+ score)."""
        d = asdict(self)
        d["lat"], d["lon"] = round(self.lat, 5), round(self.lon, 5)
        if self.table == "gazetteer":
            d["kind"] = self.detail  # the curated kind: airbase, naval_base, town, ...
        d["score"] = round(self.score, 3)
        for k in ("detail", "table", "how"):
            d.pop(k)
        if not score:
            d.pop("score")
        return d


@dataclass(frozen=True)
class Resolution:
    """The answer for one name.

    ``status`` is ``"ok"`` (the place is ``candidates[0]``), ``"ambiguous"``
    (``candidates`` best first) or ``"unknown"`` (``suggestions``).
    """

    query: str
    status: str
    candidates: tuple[Candidate, ...] = ()
    suggestions: tuple[Candidate, ...] = ()
    cue: str = ""  # kind cued by descriptor words, "" if none
    notes: tuple[str, ...] = field(default=())

    @property
    def place(self) -> Candidate | None:
        """Return the resolved place (status ok), else None."""
        return self.candidates[0] if self.status == "ok" else None

    def __getattr__(self, name: str) -> object:
        # id, name, lat, lon, kind, country, precision, source of the resolved place
        if name in {"id", "name", "lat", "lon", "kind", "country", "precision", "source"}:
            place = self.place
            return getattr(place, name) if place else None
        raise AttributeError(name)

    def to_dict(self) -> dict[str, object]:
        """Return the JSON object of ``movemap geocode --json``."""
        out: dict[str, object] = {"query": self.query, "status": self.status}
        if self.status == "ok":
            out.update(self.candidates[0].to_dict(score=False))
        elif self.status == "ambiguous":
            out["candidates"] = [c.to_dict() for c in self.candidates]
        else:
            out["suggestions"] = [c.to_dict() for c in self.suggestions]
        return out


def resolve(
    names: Iterable[str],
    *,
    country: str | Sequence[str] | None = None,
    kind: str | None = None,
    near: Sequence[tuple[float, float]] | None = None,
    context: Sequence[str] | None = None,
    index: PlaceIndex | GazetteerView | None = None,
    world: WorldTables | None = None,
    suggest: bool = True,
) -> list[Resolution]:
    """Resolve names the way an analyst does: from kind cues and context.

    Parameters
    ----------
    names
        Place names as written.
    country
        Hard filter: ISO alpha-2 code(s).
    kind
        Hard filter: one of :data:`geo.world.KINDS`.
    near
        Soft context: ``(lon, lat)`` points of the other places.
    context
        Soft context: ISO alpha-2 codes of the other places.
    index
        The curated gazetteer, consulted first.
    world
        The world tables; default the bundled ones.
    suggest
        Compute suggestions for unknown names.

    Returns
    -------
    list of Resolution
        One per name, in order (each distinct name is resolved once).

    Raises
    ------
    ValueError
        For a ``kind`` that is not one of :data:`geo.world.KINDS`.

    """
    if kind is not None and kind not in KINDS:
        msg = f"unknown kind {kind!r}; use one of {', '.join(KINDS)}"
        raise ValueError(msg)
    names = [str(n) for n in names]
    countries = _codes(country)
    ctx = _Context(
        countries=countries,
        kind=kind,
        near=tuple(near or ()),
        context=frozenset(c.upper() for c in (context or ())) - {""},
    )
    world = world or world_tables()
    distinct = list(dict.fromkeys(names))
    answers = _resolve_distinct(distinct, ctx, _as_view(index), world, suggest=suggest)
    return [answers[n] for n in names]


def resolve_together(
    names: Sequence[str],
    *,
    country: str | Sequence[str] | None = None,
    kind: str | None = None,
    index: PlaceIndex | GazetteerView | None = None,
    world: WorldTables | None = None,
    suggest: bool = True,
) -> list[Resolution]:
    """Resolve names that belong together (one transfer, one command line).

    The names that resolve on their own give the country and distance
    context for the others (Tripoli beside Misrata is the Libyan one).
    Same parameters as :func:`resolve`.
    """
    first = resolve(names, country=country, kind=kind, index=index, world=world, suggest=False)
    known = [r.place for r in first if r.place is not None]
    pending = [n for n, r in zip(names, first, strict=True) if r.status != "ok"]
    if not pending:
        return first
    again = resolve(
        pending,
        country=country,
        kind=kind,
        context=sorted({p.country for p in known if p.country}),
        near=[(p.lon, p.lat) for p in known if p.precision in ("site", "city")],
        index=index,
        world=world,
        suggest=suggest,
    )
    redo = dict(zip(pending, again, strict=True))
    return [redo.get(n, r) if r.status != "ok" else r for n, r in zip(names, first, strict=True)]


# --- internals ----------------------------------------------------------------


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


def _resolve_distinct(
    names: list[str],
    ctx: _Context,
    index: GazetteerView | None,
    world: WorldTables,
    *,
    suggest: bool,
) -> dict[str, Resolution]:
    queries = {n: _parse(n) for n in names}
    cands: dict[str, list[Candidate]] = {n: [] for n in names}
    # 1. the curated gazetteer (full name, then the name without descriptors)
    if index is not None:
        for n, c in _gazetteer_candidates(queries, index).items():
            cands[n] += c
    # 2. the world tables: folded keys, then consonant skeletons
    keys = {k for q in queries.values() for k in (q.key, q.core, slavic(q.core), *_parts(q)) if k}
    hits = world.by_keys(keys)
    skels = {s for q in queries.values() for k in (q.core, q.key) for s in skeletons(k)}
    skel_hits = world.by_skeletons(skels)
    places = world.places([h[1] for h in hits] + [h[1] for h in skel_hits])
    by_key: dict[str, list[tuple[int, int]]] = {}
    for k, rid, how in hits:
        by_key.setdefault(k, []).append((rid, how))
    by_skel: dict[str, list[tuple[int, str]]] = {}
    for s, rid, key in skel_hits:
        by_skel.setdefault(s, []).append((rid, key))
    from rapidfuzz import fuzz

    out: dict[str, Resolution] = {}
    unknown: list[str] = []
    for n, q in queries.items():
        gaz = [c for c in cands[n] if _allowed(c, ctx)]
        if gaz and not (q.cue and gaz[0].how == "core" and all(c.kind != q.cue for c in gaz)):
            # Precedence: the curated gazetteer answers alone.
            out[n] = _decide(q, [_score(c, q, ctx) for c in gaz], ctx)
            continue
        found: dict[int, str] = {}
        for k in dict.fromkeys((q.key, q.core, slavic(q.core))):
            for rid, how in by_key.get(k, ()):
                h = ("name", "alias", "code")[how]
                if rid not in found or _MATCH[how] > _MATCH_OF[found[rid]]:
                    found[rid] = h
        world_c = [_world_candidate(places[rid], how) for rid, how in found.items()]
        world_c = [c for c in world_c if _allowed(c, ctx)]
        # Consonant skeleton, kept only when the spelling is close to the place's name.
        probe = (q.core or q.key).replace(" ", "")
        for s in skeletons(q.core) | skeletons(q.key):
            for rid, key in by_skel.get(s, ()):
                if rid not in found:
                    c = _world_candidate(places[rid], "skeleton")
                    close = fuzz.ratio(probe, key.replace(" ", ""))
                    if close >= _SKELETON_CLOSE and _allowed(c, ctx):
                        found[rid] = "skeleton"
                        world_c.append(c)
        if not world_c and not gaz:
            # "Brak Shaati airbase": a name plus a qualifier word; the name alone,
            # as a loose match (trusted only in context, like a skeleton).
            for k in _parts(q):
                for rid, _how in by_key.get(k, ()):
                    c = _world_candidate(places[rid], "part")
                    if rid not in found and _allowed(c, ctx):
                        found[rid] = "part"
                        world_c.append(c)
        core_hits = [c for c in gaz if c.how == "core"]  # "port of Tartus": the city
        served = [b for c in core_hits for b in serving(c.id, q.cue, index=index, world=world)]
        scored = [_score(c, q, ctx) for c in [*core_hits, *served, *world_c]]
        res = _decide(q, scored, ctx)
        if res.candidates and index is not None:
            res = _curated_twin(res, index)
        if res.status == "unknown":
            unknown.append(n)
        out[n] = res
    if suggest and unknown:
        for n, sugg in _suggest([queries[n] for n in unknown], ctx, index, world).items():
            out[n] = Resolution(n, "unknown", (), sugg, queries[n].cue)
    return out


_MATCH_OF = {"name": _MATCH[NAME], "alias": _MATCH[ALIAS], "code": _MATCH[CODE]}


def _gazetteer_candidates(
    queries: dict[str, _Query], gaz: GazetteerView
) -> dict[str, list[Candidate]]:
    out: dict[str, list[Candidate]] = {}
    for n, q in queries.items():
        ids = gaz.ids_for(n)
        how = "name"
        if not ids and q.core and q.core != q.key:
            ids, how = gaz.keys.get(q.core, ()), "core"
        out[n] = [_gazetteer_row(gaz, pid, how) for pid in ids]
    return out


def _as_view(index: PlaceIndex | GazetteerView | None) -> GazetteerView | None:
    from geo.gazview import GazetteerView, view_of

    if index is None or isinstance(index, GazetteerView):
        return index
    return view_of(index)


def serving(
    place_id: str,
    kind: str = "",
    *,
    index: PlaceIndex | GazetteerView | None = None,
    world: WorldTables | None = None,
) -> list[Candidate]:
    """Return the bases a city serves as the name of (``serves.csv``): Latakia -> Khmeimim AB.

    Parameters
    ----------
    place_id
        Gazetteer id of the city.
    kind
        Only bases of this kind (``airfield``, ``port``); ``""`` for all.
    index, world
        Where the bases' ids are looked up (gazetteer ids, then world ids).

    Returns
    -------
    list of Candidate
        Each with ``how="serves"``; empty when the city serves none.

    """
    out = []
    for city, base, base_kind in load_serves():
        if city != place_id or (kind and base_kind != kind):
            continue
        c = _place_by_id(base, index=_as_view(index), world=world)
        if c is not None:
            # the first base listed for a city is its main one
            out.append(Candidate(**{**asdict(c), "how": "serves", "score": -_MAIN_BASE * len(out)}))
    return out


@lru_cache(maxsize=1)
def _arabic_article_countries() -> frozenset[str]:
    """Countries whose place names carry the Arabic article (Arab League members)."""
    import csv

    from geo.world import WORLD_DIR

    with open(WORLD_DIR / "arabic_article_countries.csv", encoding="utf-8", newline="") as fh:
        return frozenset(r["country"] for r in csv.DictReader(fh))


@lru_cache(maxsize=1)
def load_serves() -> tuple[tuple[str, str, str], ...]:
    """Return the ``(city id, base id, base kind)`` rows of ``geo/data/world/serves.csv``."""
    import csv

    from geo.world import WORLD_DIR

    with open(WORLD_DIR / SERVES_FILE, encoding="utf-8", newline="") as fh:
        return tuple((r["city"], r["base"], r["kind"]) for r in csv.DictReader(fh))


def _place_by_id(
    place_id: str, *, index: GazetteerView | None, world: WorldTables | None
) -> Candidate | None:
    """Return a gazetteer place (by id) or a world place (``table:record``) as a Candidate."""
    if index is not None and place_id in index.rows:
        return _gazetteer_row(index, place_id, "name")
    if ":" in place_id:
        p = (world or world_tables()).get(place_id)
        return _world_candidate(p, "name") if p else None
    return None


def _gazetteer_row(gaz: GazetteerView, pid: str, how: str) -> Candidate:
    row = gaz.rows[pid]
    gk = str(row["kind"])
    return Candidate(
        id=str(pid),
        name=str(row["name"]),
        lat=float(row["lat"]),  # type: ignore[arg-type]
        lon=float(row["lon"]),  # type: ignore[arg-type]
        kind=GAZETTEER_KINDS.get(gk, gk) or gk,
        country=str(row["country"]),
        precision=str(row["precision"]),
        source="gazetteer.csv: " + str(row["coord_source"]),
        detail=gk,
        table="gazetteer",
        how=how,
    )


def _world_candidate(p: WorldPlace, how: str) -> Candidate:
    return Candidate(
        id=p.id,
        name=p.name,
        lat=p.lat,
        lon=p.lon,
        kind=p.kind,
        country=p.country,
        precision=p.precision,
        source=p.source,
        score=p.rank,  # prominence, completed by _score
        detail=p.sub,
        table="world",
        how=how,
    )


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


def _curated_twin(res: Resolution, gaz: GazetteerView) -> Resolution:
    """Answer with the gazetteer's own rows where world places are its places.

    A world place of the same kind within :data:`TWIN_KM` of a gazetteer
    place, or a world country whose country has a gazetteer row, is that
    place ("HLLB" -> ``benina_airport``, "Libye" -> ``libya``): the curated
    row replaces it (keeping how it matched and its score).
    """
    out: list[Candidate] = []
    for p in res.candidates:
        if p.table == "world":
            for pid, row in gaz.rows.items():
                if GAZETTEER_KINDS.get(str(row["kind"])) != p.kind:
                    continue
                same_country = p.kind == "country" and row["country"] == p.country
                near = _km(p.lon, p.lat, row["lon"], row["lat"]) <= TWIN_KM  # type: ignore[arg-type]
                if same_country or near:
                    twin = _gazetteer_row(gaz, pid, p.how)
                    p = Candidate(**{**asdict(twin), "score": p.score})
                    break
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


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km (haversine; ranking only)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))
