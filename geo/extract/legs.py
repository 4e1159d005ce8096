"""Assemble candidate legs from the mentions of each sentence.

:func:`assemble` runs the steps in order: each sentence's movements
(:mod:`~geo.extract.events`), ends it leaves unnamed
(:mod:`~geo.extract.ends`), what moved and when
(:mod:`~geo.extract.describe`); then it numbers transfers and legs,
adds counted trips and return legs, and merges repeats.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from geo.extract.candidate import Candidate, Stop, _evidence
from geo.extract.context import fill_from_context
from geo.extract.dates import Published, find_dates
from geo.extract.describe import (
    _anchor_day,
    _confidence,
    _date_distance,
    _date_window,
    _describe,
    _merge,
    _origin_told_after,
    _rebase,
    _shares_origin,
)
from geo.extract.ends import _area_of_unnamed, _fill_destination, _fill_origin, _neighbour
from geo.extract.events import _events, _repeat
from geo.extract.mentions import Sentence, read_sentence
from geo.extract.places import Place
from geo.extract.twice import merge_told_twice

__all__ = ["Candidate", "Stop", "assemble"]


def assemble(pipe, text: str, *, published: Published | None) -> list[Candidate]:
    """Return the candidate legs of one report's text."""
    doc = pipe(text)
    runs, _ = pipe.world_runs(doc)
    weights = _country_weights(pipe, doc, runs)
    context = sorted(c for c, w in weights.items() if w >= 0.5)
    world, extra = pipe.world_places(doc, context=context, runs=runs)

    def resolve(name: str) -> Place | None:
        if name in extra:
            return extra[name]
        return pipe.places.resolve(name, countries=weights)

    cues = [(pipe.nlp.vocab.strings[k], a, b) for k, a, b in pipe.cues(doc)]
    sentences = [read_sentence(pipe, s, world, cues, resolve) for s in doc.sents]
    for s in sentences:  # "Korean" (KR|KP): the one of its countries the report names
        s.demonyms = [(a, b, _one_country(iso, weights)) for a, b, iso in s.demonyms]
    for s in sentences:
        s.text = text  # the report (Doc.text rebuilds the string on every call)
    seen: list[Place] = []
    raw = []
    for s in sentences:
        raw.append(_events(pipe, s, doc, seen))
        seen.extend(m.place for m in s.places if m.place is not None)
    main = max(weights, key=weights.get) if weights else ""
    out: list[Candidate] = []
    last: Candidate | None = None
    transfer = 0
    for i, (s, events) in enumerate(zip(sentences, raw, strict=True)):
        if not events:
            continue
        chained_start = _starts_chain(s, doc)
        prev_date = last.date if last else ""
        kept: dict[int, Candidate] = {}  # the candidate of each event of this sentence
        for k, (frm, to, via, how) in enumerate(events):
            if frm.pos >= 0 and any(v.pos > frm.pos for v in via) and \
                    any(0 <= v.pos < frm.pos for v in via):
                # "stopped in A and B en route to C after departing from X by way of Y":
                # Y, told right after the origin, is the first stop after it
                via = [v for v in via if v.pos > frm.pos] + [v for v in via if v.pos <= frm.pos]
            cand = Candidate(frm, to, via, sentence=i)
            done = None  # the previous sentence's open leg this one completes
            cand.evidence.append(_evidence(s))
            if how == "chain":
                cand.reasons.append("origin: where the previous movement in this sentence ended")
            also_from: list[Stop] = []  # origins coordinated with the one found
            if not frm.known:
                also_from = _fill_origin(pipe, cand, s, doc, last, out, chained_start,
                                         sentences, raw, i, events, k)
            opened = _open_legs(out, (_neighbour(sentences, i, -1), cand.origin_sentence)) \
                if "origin: named in the adjacent sentence" in cand.reasons else []
            if any(o.frm.ledger() == cand.frm.ledger() for o in opened):
                # "The ship had sailed from Baltiysk ... It reached Tobruk": one leg, not two
                # (and its siblings' legs: "from bases, among them A and B. All of the
                # flights landed at C": A -> C and B -> C, no leg left open)
                done = next(o for o in opened if o.frm.ledger() == cand.frm.ledger())
                for o in opened:
                    if o is done or any(o.frm.ledger() == f.ledger() for f in also_from):
                        out.remove(o)
                if done.evidence[0] in cand.evidence:
                    cand.evidence.remove(done.evidence[0])
                cand.evidence.insert(0, done.evidence[0])  # in the report's order
                for e in done.evidence[1:]:  # "The flight stops midway in Nairobi ..."
                    if e not in cand.evidence:
                        cand.evidence.insert(-1, e)
                if done.via and not cand.via:
                    cand.via = list(done.via)
                cand.reasons.append("completes the previous sentence's leg, whose "
                                    "destination it did not name")
                last = out[-1] if out else None
            if not cand.to.known and s.has("anaphor"):
                _fill_destination(cand, doc, out, sentences, i)
            _area_of_unnamed(pipe, cand, main, chained=how == "chain" or any(
                "previous movement" in r for r in cand.reasons))
            _describe(pipe, cand, s, doc, last if (chained_start or how == "chain") else None)
            window = _date_window(s, events, k)
            dates = find_dates(window[0], published=published, after=_anchor_day(prev_date))
            if dates:
                d = min(dates, key=lambda m: _date_distance(window, m))
                cand.date, cand.date_as_reported = d.edtf, d.text
                prev_date = d.edtf or prev_date
            elif done is not None and done.date:
                # "left Al Hamriyah port on 27 September. It was then diverted to Marseille."
                cand.date, cand.date_as_reported = done.date, done.date_as_reported
                cand.reasons.append("date: of the departure the previous sentence gives")
            elif k - 1 in kept and _shares_origin(s, events, k):
                # "taking off from A over the past two days and landing at B and C":
                # coordinated destinations of one origin share its date
                cand.date, cand.date_as_reported = kept[k - 1].date, kept[k - 1].date_as_reported
                if cand.date:
                    cand.reasons.append("date: shared with the previous destination "
                                        "of the same origin")
            _rebase(pipe, cand)
            if not (cand.frm.known or cand.to.known):
                continue
            if cand.frm.ledger() == cand.to.ledger():
                continue
            continues = last is not None and (how == "chain" or chained_start
                                              or cand.continues_previous) and \
                last.to.ledger() == cand.frm.ledger()
            if continues:
                cand.transfer, cand.leg = last.transfer, last.leg + 1
            else:
                transfer += 1
                cand.transfer, cand.leg = transfer, 1
            _confidence(cand)
            for other in also_from:  # "contacts in Syria and eastern Libya": Syria's leg first
                mine = f"origin: '{cand.frm.name}', named earlier in the sentence"
                sib = Candidate(**{**cand.__dict__, "frm": other, "reasons": [
                    f"origin: '{other.name}', named earlier in the sentence with "
                    f"'{cand.frm.name}'" if r == mine else r for r in cand.reasons],
                    "evidence": list(cand.evidence)})
                sib.transfer = transfer
                transfer += 1
                cand.transfer = transfer
                out.append(sib)
            out.append(cand)
            kept[k] = cand
            last = cand
            times = _repeat(s, doc) if how == "trips" else 1
            for n in range(2, times + 1):
                twin = Candidate(**{**cand.__dict__, "reasons": [
                    *cand.reasons, f"trip {n} of the {times} the sentence counts"],
                    "evidence": list(cand.evidence)})
                transfer += 1
                twin.transfer, twin.leg = transfer, 1
                out.append(twin)
            if s.has("return") and cand.to.known and cand.frm.known:
                back = Candidate(**{**cand.__dict__, "frm": cand.to, "to": cand.frm,
                                    "reasons": [*cand.reasons, "return leg: the report says "
                                                f"'{s.cue_texts('return')[0]}'"],
                                    "evidence": list(cand.evidence)})
                back.leg = cand.leg + 1
                out.append(back)
                last = back
    out = _merge(_origin_told_after(_destination_told_before(
        _origin_of_round_trip(out, sentences, doc), sentences), sentences, doc))
    out = merge_told_twice(out, sentences, text)
    fill_from_context(pipe, out, sentences, doc, published=published)
    return out


def _open_legs(out: list[Candidate], sentences: tuple[int, ...]) -> list[Candidate]:
    """Return the last legs of ``out``, told in one of ``sentences``, naming no destination."""
    opened: list[Candidate] = []
    for o in reversed(out):
        if o.sentence not in sentences or o.to.known:
            break
        opened.append(o)
    return opened


def _one_country(iso: str, weights: dict[str, float]) -> str:
    """Return the country of a demonym of several ("KR|KP") the report weighs most, else ""."""
    if "|" not in iso:
        return iso
    best = max(iso.split("|"), key=lambda c: weights.get(c, 0.0))
    return best if weights.get(best, 0.0) > 0 else ""


def _country_weights(pipe, doc, world) -> dict[str, float]:
    counts: Counter[str] = Counter()
    spans = [(e.start, e.end) for e in doc.ents if e.label_ == "PLACE"] + list(world)
    for a, b in spans:
        cands = pipe.places.candidates(doc[a:b].text)
        for p in cands:
            counts[p.country] += 1.0 / len(cands)
    for e in doc.ents:  # "Russian military aviation": Russia is part of the context
        if e.label_ == "DEMONYM" and "|" not in pipe.lexicon.demonyms.get(e.text, "|"):
            counts[pipe.lexicon.demonyms[e.text]] += 0.5
    return dict(counts)


def _starts_chain(s: Sentence, doc) -> bool:
    first = [t.lower_ for t in doc[s.span.start:s.span.start + 4] if not t.is_space]
    chain = s.cues.get("chain", [])
    return bool(first) and (first[0] in ("it", "then", "they") or any(
        a <= s.span.start + 2 for a, _ in chain))


#: Words that say a thing reached the place a report is about ("arrived from Stuttgart").
_ARRIVAL = {"arrived", "arrives", "arrive", "arriving", "landed", "lands", "delivered",
            "delivers", "delivering", "touched"}


def _destination_told_before(out: list[Candidate], sentences) -> list[Candidate]:
    """Give an arrival that names only where it came from the destination told before it.

    "... delivered military cargo to Ukraine. A C-130J arrived from Stuttgart": the
    second sentence's leg arrived where the earlier sentence's movement went. Only
    legs whose sentence has an arrival or delivery word; the destination is that of
    the nearest earlier sentence's leg, never the leg's own origin.
    """
    for n, c in enumerate(out):
        s = sentences[c.sentence]
        if c.to.known or not c.frm.known or c.leg != 1 or \
                not any(t.lower_ in _ARRIVAL for t in s.span):
            continue
        before = [p for p in out[:n] if p.sentence < c.sentence and p.to.place is not None
                  and p.to.ledger() != c.frm.ledger()]
        if not before:
            continue
        p = before[-1]
        c.to = Stop(p.to.name, p.to.place, unnamed=p.to.unnamed, pos=p.to.pos)
        c.reasons.append(f"destination: '{p.to.name}', where the movement told before "
                         "went (this sentence names only where it came from)")
        c.evidence.insert(0, _evidence(sentences[p.sentence]))
        _reconfidence(c)
    return out


def _origin_of_round_trip(out: list[Candidate], sentences, doc) -> list[Candidate]:
    """Give a leg with no origin the place its aircraft flew back to.

    "The first landed in Baku in the morning and flew back to Kayseri": the next
    leg of the same transfer leaves the destination and goes *back* (a ``back``
    cue between the two destinations) to Kayseri, so the trip began there.
    """
    for a, b in pairwise(out):
        if a.frm.known or a.transfer != b.transfer or b.leg != a.leg + 1 or \
                not b.to.known or b.frm.ledger() != a.to.ledger() or a.sentence != b.sentence:
            continue
        s = sentences[b.sentence]
        backs = [t for t, _ in s.cues.get("back", []) if a.to.pos <= doc[t].idx < b.to.pos]
        if not backs:
            continue
        a.frm = Stop(b.to.name, b.to.place, unnamed=b.to.unnamed, pos=b.to.pos)
        word = doc[backs[0]].text
        a.reasons[:] = [r for r in a.reasons if r != "origin not named in the report"]
        a.reasons.append(f"origin: '{b.to.name}', where it went {word} to "
                         "(a round trip starts where it ends)")
        _reconfidence(a)
    return out


#: the reasons :func:`_confidence` writes, dropped before it scores a changed leg again
_SCORED = frozenset({
    "origin named and resolved", "origin unnamed, inside a known area",
    "origin named, but in no gazetteer or world table",
    "destination named and resolved", "destination unnamed, inside a known area",
    "equipment named", "dated"})


def _reconfidence(c: Candidate) -> None:
    """Score a leg again after an end changed (its old scoring reasons replaced)."""
    c.reasons[:] = [r for r in c.reasons if r not in _SCORED]
    _confidence(c)
