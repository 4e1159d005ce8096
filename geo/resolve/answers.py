"""What :func:`geo.resolve.resolve` answers.

A :class:`Resolution` per name, made of :class:`Candidate` places.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["Candidate", "Resolution"]


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
        if self.notes:
            out["notes"] = list(self.notes)
        return out
