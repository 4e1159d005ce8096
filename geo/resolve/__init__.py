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

Modules: :mod:`~geo.resolve.answers` (:class:`Resolution`, :class:`Candidate`),
:mod:`~geo.resolve.query` (a name parsed, the context), :mod:`~geo.resolve.places`
(candidates from the gazetteer, the world tables and ``serves.csv``),
:mod:`~geo.resolve.score` (scoring and the decision), :mod:`~geo.resolve.suggest`
(suggestions for unknown names); :func:`resolve` here runs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from geo.resolve.answers import Candidate, Resolution
from geo.resolve.places import (
    GAZETTEER_KINDS,
    _as_view,
    _gazetteer_candidates,
    _world_candidate,
    load_serves,
    serving,
    town_airports,
)
from geo.resolve.query import _codes, _Context, _parse, _parts, _Query
from geo.resolve.score import (
    _MATCH,
    _MATCH_OF,
    MARGIN,
    SAME_SITE_KM,
    _allowed,
    _curated_twin,
    _decide,
    _military_any,
    _score,
)
from geo.resolve.suggest import _suggest
from geo.translit import skeletons, slavic
from geo.world import KINDS, WorldTables, world_tables

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


_SKELETON_CLOSE = 75


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
    # "Baku airport": the airports with scheduled service serving the town
    # (OurAirports municipality), not a field that merely has the town in its name.
    civil = {n: q for n, q in queries.items() if q.cue == "airfield" and not q.military and q.core}
    town_hits = world.serving({k for q in civil.values() for k in (q.core, slavic(q.core))})
    places = world.places(
        [h[1] for h in hits] + [h[1] for h in skel_hits] + [h[1] for h in town_hits]
    )
    by_town: dict[str, list[int]] = {}
    for k, rid in town_hits:
        by_town.setdefault(k, []).append(rid)
    by_key: dict[str, list[tuple[int, int]]] = {}
    for k, rid, how in hits:
        by_key.setdefault(k, []).append((rid, how))
    by_skel: dict[str, list[tuple[int, str]]] = {}
    for s, rid, key in skel_hits:
        by_skel.setdefault(s, []).append((rid, key))
    from rapidfuzz import fuzz

    out: dict[str, Resolution] = {}
    unknown: list[str] = []
    contradicted: dict[str, Candidate] = {}
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
        if n in civil and not served:
            rids = dict.fromkeys(r for k in (q.core, slavic(q.core)) for r in by_town.get(k, ()))
            served = [c for c in town_airports([places[r] for r in rids]) if _allowed(c, ctx)]
            world_c = [c for c in world_c if c.id not in {s.id for s in served}]
        scored = [_score(c, q, ctx) for c in [*core_hits, *served, *world_c]]
        res = _decided(q, scored, ctx, index)
        if res.status == "ok" and q.cue and not _fits_cue(res.candidates[0], q):
            res = _against_cue(q, res, scored, ctx, index)
            if res.status == "unknown":  # the town, first among the suggestions
                contradicted[n] = res.suggestions[0]
        if res.status == "unknown":
            unknown.append(n)
        out[n] = res
    if suggest and unknown:
        for n, sugg in _suggest([queries[n] for n in unknown], ctx, index, world).items():
            first = (contradicted[n],) if n in contradicted else ()
            rest = tuple(c for c in sugg if all(c.id != f.id for f in first))
            out[n] = Resolution(n, "unknown", (), first + rest, queries[n].cue, out[n].notes)
    return out


#: A cued kind as a hint names it (military cues: "_ab", "air base", "naval base").
_CUE_WORDS = {"airfield": "air base", "port": "naval base"}
#: A cued kind as a hint names it (civil cues: "airport", "port of").
_CIVIL_WORDS = {"airfield": "airport", "port": "port"}
#: A place's kind as a hint names it.
_KIND_WORDS = {"city": "town", "airfield": "airfield", "port": "port", "country": "country",
               "region": "region"}  # fmt: skip


def _fits_cue(c: Candidate, q: _Query) -> bool:
    """Tell whether a place is of the kind its name's descriptor words cue (air base: a field)."""
    return c.kind == q.cue or _military_any(c, q.cue)


def _decided(
    q: _Query, scored: list[Candidate], ctx: _Context, index: GazetteerView | None
) -> Resolution:
    """:func:`_decide`, the answer's world places given as their curated twins."""
    res = _decide(q, scored, ctx)
    if res.candidates and index is not None:
        res = _curated_twin(res, index)
    return res


def _against_cue(
    q: _Query,
    res: Resolution,
    scored: list[Candidate],
    ctx: _Context,
    index: GazetteerView | None,
) -> Resolution:
    """Answer a name whose best place is not of the kind its descriptor words cue.

    A civil cue ("Atlantis airport", no airport known): the town stands
    for it, with a note saying so.  A military cue ("Tartus naval base"):
    a scored place of that kind if there is one (the port, not the town);
    else ("atlantis_ab") never the town silently: unknown, the town as the
    only suggestion, with a note.
    """
    c = res.candidates[0]
    kind = _KIND_WORDS.get(c.kind, c.kind)
    if not q.military:
        what = _CIVIL_WORDS.get(q.cue, q.cue)
        note = (
            f"no {what} named {q.core!r} in the gazetteer or the world tables: placed at the "
            f"{kind} {c.name!r} ({c.id}); add the {what} to gazetteer.csv for its site"
        )
        return replace(res, notes=(*res.notes, note))
    fitting = [f for f in scored if _fits_cue(f, q)]
    if fitting:
        return _decided(q, fitting, ctx, index)
    note = (
        f"no {_CUE_WORDS.get(q.cue, q.cue)} named {q.core!r} in the gazetteer or the world "
        f"tables (add it to gazetteer.csv); {c.name!r} ({c.id}) is a {kind}, not a base"
    )
    return Resolution(q.text, "unknown", (), (c,), q.cue, (*res.notes, note))
