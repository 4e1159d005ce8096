"""A candidate leg and its stops, as :func:`geo.extract.legs.assemble` proposes them.

:class:`Stop` is one end (a resolved place, an unnamed site in an area,
or nothing reported) and knows its ledger value and JSON form;
:class:`Candidate` carries everything a reviewer needs, with the
evidence sentences quoted verbatim (:func:`_evidence`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.extract.mentions import Sentence
from geo.extract.places import Place

__all__ = ["Candidate", "Stop"]


@dataclass
class Stop:
    """One end of a candidate leg."""

    name: str  # as written ("" when the report names nothing)
    place: Place | None = None  # the resolved place (for unnamed stops: the area)
    unnamed: str = ""  # description of an unnamed site ("bases in eastern Libya")
    note: str = ""
    pos: int = -1  # character offset of the mention in the text

    @property
    def known(self) -> bool:
        """Whether the stop names a place or an area."""
        return self.place is not None or bool(self.unnamed)

    def ledger(self) -> str:
        """Return the value for the ledger's from/to column."""
        if self.place is not None:
            value = _ledger_place(self.place)
            return f"?{self.unnamed} @ {value}" if self.unnamed else value
        return f"?{self.unnamed or self.name or self.note or 'not reported'}"

    def as_dict(self) -> dict:
        """JSON form: name as written, and the resolved place when there is one."""
        d: dict = {"name": self.ledger() if self.unnamed or self.place is None else self.name}
        if self.place is not None:
            p = self.place
            lat, lon = p.lat, p.lon
            if lat != lat:  # GeoNames country without a point: Natural Earth's
                from geo.extract.places import country_point

                lat, lon = country_point(p.country)
            d.update(id=p.id, lat=lat, lon=lon, precision=p.precision if not self.unnamed
                     else ("country" if p.kind == "country" else p.precision),
                     country=p.country)
        if self.unnamed:
            d["unnamed"] = True
        return d


def _ledger_place(p: Place) -> str:
    """Return how the ledger names a resolved place (a leg end or an unnamed site's area)."""
    if p.curated:
        return p.id
    if p.kind == "country":
        return p.name  # "Iranian cargo aircraft": the ledger wants "Iran"
    # A world town or base: its name and id, as the ledger's own hints write
    # it ("Al Abraq International Airport (ourairports:HLLQ)"), so what the
    # text resolved in context reaches the ledger unchanged.
    return f"{p.name} ({p.id})"


@dataclass
class Candidate:
    """A proposed leg with everything a reviewer needs."""

    frm: Stop
    to: Stop
    via: list[Stop] = field(default_factory=list)
    date: str = ""
    date_as_reported: str = ""
    equipment: str = ""
    category: str = ""
    quantity: str = ""
    actor: str = ""
    mode: str = "unknown"
    carrier: str = ""
    carrier_id: str = ""
    status: str = "reported"
    confidence: float = 0.0
    reasons: list[str] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)
    note: str = ""
    filled: str = ""  # cells filled from the report's context, and where from
    transfer: int = 0
    leg: int = 1
    sentence: int = 0
    origin_sentence: int = -1  # the earlier sentence the origin was taken from, if any
    #: the origin is where an anaphor's things were taken the sentence before ("these
    #: vehicles"): the leg continues that transfer
    continues_previous: bool = False


def _evidence(s: Sentence) -> dict:
    """Return the sentence verbatim: ``text == report[start:end]``."""
    raw = s.span.text
    text = raw.strip()
    start = s.span.start_char + (len(raw) - len(raw.lstrip()))
    return {"text": text, "start": start, "end": start + len(text)}
