"""One movement told twice: a headline and the body, or an arrival and its flight.

:func:`merge_told_twice` folds a leg into another the report tells more
fully, keeping the finer end of each side and the evidence of both:

- a leg with no origin whose destination is that of a leg of the same
  sentence, or inside it or near it ("touched down at Vnukovo ... on a flight
  from Tehran to Moscow"), or of the body when it is the headline's
  ("Russian instructors arrive in Niger" beside "... from the Russian defence
  ministry had arrived" in Niger), when it gives no other date (two body
  sentences with no origin may tell two movements: not folded);
- a headline's leg whose two ends are those of a leg of the body, or
  contain them ("Iranian cargo plane lands in Moscow" beside "departed
  Tehran ... touched down at Vnukovo").
"""

from __future__ import annotations

import math

from geo.extract.candidate import Candidate, Stop

__all__ = ["merge_told_twice"]

#: a town and a site of it (Moscow and Vnukovo airport, 28 km) are one end
NEAR_KM = 50.0
_FINENESS = {"site": 0, "city": 1, "town": 1}


def merge_told_twice(out: list[Candidate], sentences, text: str) -> list[Candidate]:
    """Return the legs with those told twice folded into the fuller telling.

    Parameters
    ----------
    out
        The report's candidate legs, in order.
    sentences
        The report's sentences (:class:`~geo.extract.mentions.Sentence`).
    text
        The report's text (to tell its headline line).

    Returns
    -------
    list of Candidate
        The kept legs; a kept leg quotes the dropped one's evidence too.

    """
    headline = _headline_sentence(sentences, text)
    head_end = sentences[headline].span.end_char if headline >= 0 else -1
    gone: set[int] = set()
    for a in out:
        _fold_once(a, out, gone, headline, lead=False)
    # Then the lead, dated, folded above with the undated headline ("Iranian cargo plane
    # arrives in Moscow again" + "... landed in Moscow today"): the headline's leg, when
    # the body names both its ends more finely (Tehran -> Vnukovo).
    for a in out:
        if headline >= 0 and a.sentence == headline + 1 and id(a) not in gone and \
                a.evidence[0]["start"] < head_end:
            _fold_once(a, out, gone, headline, lead=True)
    return [c for c in out if id(c) not in gone]


def _fold_once(a: Candidate, out: list[Candidate], gone: set[int], headline: int, *,
               lead: bool) -> None:
    """Fold ``a`` into the first leg of ``out`` that tells it more fully, if any."""
    if id(a) in gone or a.leg != 1 or any("trip " in r for r in a.reasons):
        return
    in_headline = a.sentence == headline or lead
    told_in_headline = in_headline and a.frm.known
    if a.frm.known and not told_in_headline:
        return
    for b in out:
        if b is a or id(b) in gone or not b.frm.known or b.sentence == headline:
            continue
        if _other_day(a, b):
            continue
        if a.sentence != b.sentence and not in_headline:
            continue  # two sentences with no origin may tell two movements
        if not _same_end(a.to, b.to):
            continue
        if told_in_headline and not _same_end(a.frm, b.frm):
            continue
        if lead and (a.frm.ledger() == b.frm.ledger() or a.to.ledger() == b.to.ledger()):
            continue
        _fold(a, b, headline=told_in_headline)
        gone.add(id(a))
        return


def _other_day(a: Candidate, b: Candidate) -> bool:
    """Whether two legs are dated apart (by date, else by the words of the report)."""
    if a.date and b.date:
        return a.date != b.date
    if a.date or b.date:
        return False
    return bool(a.date_as_reported and b.date_as_reported) and \
        a.date_as_reported != b.date_as_reported


def _headline_sentence(sentences, text: str) -> int:
    """Return the headline's sentence index: the report's first line, with no full stop."""
    first = text.lstrip().split("\n", 1)[0].strip()
    if not sentences or not first or first.endswith((".", "!", "?")) or "\n" not in text:
        return -1
    return 0 if sentences[0].span.text.strip() == first else -1


def _same_end(x: Stop, y: Stop) -> bool:
    """Whether two ends are one place, or one lies in or near the other."""
    if not (x.known and y.known):
        return False
    if x.ledger() == y.ledger():
        return True
    return _contains(x, y) or _contains(y, x)


def _contains(outer: Stop, inner: Stop) -> bool:
    p, q = outer.place, inner.place
    if p is None or q is None:
        return False
    if p.kind == "country" or p.precision == "country":
        return bool(p.country) and p.country == q.country
    if p.precision not in _FINENESS or q.precision not in _FINENESS:
        return False
    return _km(p.lon, p.lat, q.lon, q.lat) <= NEAR_KM


def _finer(x: Stop, y: Stop) -> Stop:
    """Return the end that says more (a site over its town, a town over its country)."""
    def rank(s: Stop) -> int:
        if s.place is None:
            return 9
        if s.place.kind == "country":
            return 3
        return _FINENESS.get(s.place.precision, 2) + (1 if s.unnamed else 0)

    return x if rank(x) < rank(y) else y


def _fold(a: Candidate, b: Candidate, *, headline: bool) -> None:
    """Fold leg ``a`` into ``b``: finer ends, both evidences in the report's order."""
    b.to = _finer(b.to, a.to)
    if headline:
        b.frm = _finer(b.frm, a.frm)
    for e in a.evidence:
        if e not in b.evidence:
            b.evidence.append(e)
    b.evidence.sort(key=lambda e: e["start"])
    if not b.date and a.date:
        b.date, b.date_as_reported = a.date, a.date_as_reported
    if not b.equipment and a.equipment:
        b.equipment, b.category = a.equipment, a.category
    where = "the headline" if headline else "another sentence"
    b.reasons.append(f"also told in {where} ('{a.frm.ledger()}' -> '{a.to.ledger()}'): "
                     "one movement, its evidence kept")


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))
