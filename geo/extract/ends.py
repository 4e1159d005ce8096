"""Ends a sentence does not name: the origin and destination inferred from context.

In order, each recorded in the candidate's reasons: a place named
earlier in the sentence, the previous stop of a chain, the country of
what moved, the adjacent sentence, an earlier movement to the same
country, the carrier's country; an unnamed site placed in its area.
"""

from __future__ import annotations

import re

from geo.extract.candidate import Candidate, Stop, _evidence
from geo.extract.context import _country_of
from geo.extract.dates import CALENDAR_WORDS
from geo.extract.events import _cargo_demonym, _new_clause
from geo.extract.mentions import Sentence


def _fill_origin(pipe, cand, s, doc, last, out, chained_start, sentences, raw, i,
                 events, k) -> list[Stop]:
    """Fill ``cand.frm`` from context; return further origins, each a leg of its own.

    The further origins are places coordinated with the one found ("contacts in
    Syria and eastern Libya": Syria too).
    """
    to_start = min((m.start for m in s.places + s.unnamed_to if m.role == "to"),
                   default=s.span.end)
    if cand.to.known and s.span.start_char <= cand.to.pos < s.span.end_char:
        # a destination no place mention gives ("provided the RSF with weapons")
        at = doc.char_span(cand.to.pos, cand.to.pos + 1, alignment_mode="expand")
        if at is not None:
            to_start = min(to_start, at.start)
    unknown = _unknown_origin(s, doc, to_start)
    if unknown is not None:
        a, b, cue = unknown
        text = doc[a:b].text
        cand.frm = Stop(text, None, unnamed=text, pos=doc[a].idx, note="unresolved")
        cand.reasons.append(f"origin: '{text}', told after '{cue}', is in no gazetteer or "
                            "world table: kept as written (check its spelling)")
        return []
    own = cand.to.unnamed.lower().startswith(("its ", "their "))
    to_country = cand.to.place.country if cand.to.place else ""
    free = [m for m in s.places if m.role in ("", "presence") and m.start < to_start
            and m.place is not None
            and m.place.id != (cand.to.place.id if cand.to.place else None)
            and not _new_clause(doc, m.end, to_start)  # "stationed in X, while ... to Y"
            and not (pipe.places.is_capital(m.place) and m.place.country == to_country)
            # "the UN Panel of Experts on Libya said ... delivered to eastern Libya":
            # the country that holds the destination is not where things came from
            and not (m.place.kind == "country" and m.place.country == to_country)]
    if free and _subject_at_presence(pipe, s, doc, free[-1], cand):
        # "images showed Russia moving equipment at Hmeimim": who moves it, not where from
        cand.reasons.append(f"'{free[-1].text}' moves things at the destination: "
                            "not taken as the origin")
        free = []
    if free and not own:
        m = free[-1]
        if pipe.places.is_capital(m.place) and m.place.country in pipe.places.country_place:
            # "Tehran is using the Caspian route to supply Moscow": the state, not the city
            state = pipe.places.country_place[m.place.country]
            cand.frm = Stop(m.text, state, pos=m.char_start)
            cand.reasons.append(f"origin: '{m.text}', named earlier in the sentence, "
                                f"standing for {state.name}")
            return []
        cand.frm = Stop(m.text, m.place, pos=m.char_start)
        cand.reasons.append(f"origin: '{m.text}', named earlier in the sentence")
        return _coordinated_before(free, m, doc)
    after = [t.i for t in s.span if t.lower_ == "after"]
    for j, (_, to, _, _) in enumerate(events):
        if j != k and to.known and after and to.pos > doc[after[0]].idx:
            cand.frm = to
            cand.reasons.append("origin: where the earlier movement ('after ...') ended")
            return []
    if chained_start and last is not None and last.to.known and \
            not _told_as_earlier(s, last, cand):
        cand.frm = last.to
        cand.reasons.append("origin: where the previous movement ended")
        cand.evidence.insert(0, _evidence(sentences[last.sentence]))
        return []
    if s.has("anaphor") and last is not None and last.to.known and \
            last.sentence == _neighbour(sentences, i, -1) and \
            _same_paragraph(sentences, last.sentence, i, doc):
        # "27 Abrams were moving to Port Hueneme. A cargo ship delivered these vehicles
        # to Melbourne": they left from where the sentence before took them
        word = s.cue_texts("anaphor")[0]
        cand.frm = last.to
        cand.continues_previous = True
        cand.reasons.append(f"origin: where '{word}' were taken in the sentence before")
        cand.evidence.insert(0, _evidence(sentences[last.sentence]))
        return []
    dem = _cargo_demonym(pipe, s, doc)
    if dem and _new_clause(doc, doc.char_span(dem[2], dem[2] + 1, alignment_mode="expand").start,
                           to_start):
        dem = None  # "Turkish drones are stationed in X, while ... transferring ... to Y"
    if dem:
        place = pipe.places.country_place.get(dem[1])
        if place is not None:
            cand.frm = Stop(dem[0], place, pos=dem[2])
            cand.reasons.append(f"origin: the country of the '{dem[0]}' things that moved")
            return []
    for j in (_neighbour(sentences, i, 1), _previous_leg_sentence(sentences, raw, i)):
        if j == _neighbour(sentences, i, -1) and _another(s, doc):
            continue  # "Another C-17 ... landed in Lviv": not the last sentence's flight
        # "All of the flights ... landed at C" opening the next paragraph refers back too
        back = chained_start and j == _neighbour(sentences, i, -1)
        if 0 <= j < len(raw) and (back or _same_paragraph(sentences, i, j, doc)):
            opened = [frm for frm, to, _, _ in raw[j] if frm.known and not to.known]
            if opened:
                cand.frm = opened[0]
                cand.reasons.append("origin: named in the adjacent sentence")
                cand.evidence.append(_evidence(sentences[j]))
                cand.origin_sentence = j
                return opened[1:]  # "among them A and B": B's leg too
    if cand.to.place is not None:
        same = [o for o in out if o.frm.known and o.to.place is not None
                and o.to.place.country == cand.to.place.country]
        mine = set(_labels(pipe, s))
        # only for the same kind of thing: "radars ... to bases in eastern Libya"
        same = [o for o in same if mine & set(o.equipment.split("; "))]
        same.sort(key=lambda o: -len(mine & set(o.equipment.split("; "))))
        if same:
            cand.frm = same[0].frm
            cand.reasons.append("origin: as in an earlier movement the report gives to "
                                "the same country")
            return []
    carrier = _carrier_demonym(pipe, s, doc)
    if carrier:
        place = pipe.places.country_place.get(carrier[1])
        if place is not None:
            cand.frm = Stop(carrier[0], place, pos=carrier[2])
            cand.reasons.append(f"origin: the country of the '{carrier[0]}' carrier (weak)")
            return []
    # "a faster Russian deployment in Mali": the country whose movement it is
    mover = next(((da, db, iso) for da, db, iso in s.demonyms
                  if iso and any(a == db for a, _ in s.cues.get("move", []))), None)
    if mover is not None and pipe.places.country_place.get(mover[2]) is not None and \
            mover[2] != (cand.to.place.country if cand.to.place else ""):
        word = doc[mover[0]:mover[1]].text
        cand.frm = Stop(word, pipe.places.country_place[mover[2]], pos=doc[mover[0]].idx)
        cand.reasons.append(f"origin: the country of the '{word}' movement (weak)")
        return []
    cand.frm = Stop("", None, note="origin not reported")
    cand.reasons.append("origin not named in the report")
    return []


def _coordinated_before(free, m, doc) -> list[Stop]:
    """Places joined to ``m`` by "and" or commas just before it ("Syria and eastern Libya")."""
    extra: list[Stop] = []
    cur = m
    for p in reversed(free[:-1]):
        gap = [t.lower_ for t in doc[p.end:cur.start]]
        if not gap or not all(g in ("and", ",", "or") for g in gap) or \
                p.place is None or p.place.kind not in ("country", "region"):
            break
        extra.insert(0, Stop(p.text, p.place, pos=p.char_start))
        cur = p
    return extra


def _subject_at_presence(pipe, s: Sentence, doc, m, cand) -> bool:
    """Whether country ``m`` is the subject of a movement seen *at* the destination.

    "Satellite images showed Russia moving equipment at Hmeimim": a country right
    before a movement word, with a destination named only by a presence word
    ("at", "in"), is who moves things there, not where they came from ("Russia
    moved equipment to Libya" keeps Russia as the origin).
    """
    if m.place is None or m.place.kind != "country" or m.end >= s.span.end:
        return False
    move_end = next((e for a, e in s.cues.get("move", []) if a == m.end), None)
    if move_end is None:
        return False
    presence = pipe.lexicon.cues.get("presence", {})
    to = next((x for x in s.places + s.unnamed_to if x.role == "to"
               and x.char_start == cand.to.pos), None)
    # right after the verb and its object: "moving equipment at Hmeimim" (not "supplied
    # the RSF with aid ... to people harbouring in Chad")
    return to is not None and to.cue.lower() in presence and to.start - move_end <= 4


def _fill_destination(cand: Candidate, doc, out: list[Candidate], sentences, i: int) -> None:
    """'Part of this equipment was transferred from Syria': where it was seen before.

    The sentence refers back (an ``anaphor`` cue) and names no destination: the
    destination of the leg read from the sentence just before, else the last
    town or site an earlier sentence of the paragraph placed moving things in.
    """
    j = _neighbour(sentences, i, -1)
    if out and out[-1].sentence == j and out[-1].to.known:
        cand.to = out[-1].to
        cand.reasons.append("destination: as in the previous sentence's leg, which "
                            "this sentence refers back to")
        return
    for _ in range(3):
        if j < 0 or not _same_paragraph(sentences, i, j, doc):
            return
        prev = sentences[j]
        if prev.has("move"):
            here = [m for m in prev.places if m.role in ("", "presence", "locative", "to")
                    and m.place is not None and m.place.kind not in ("country", "region")
                    and (cand.frm.place is None or m.place.id != cand.frm.place.id)]
            if here:
                m = here[-1]
                cand.to = Stop(m.text, m.place, pos=m.char_start)
                cand.reasons.append(f"destination: '{m.text}', where an earlier sentence "
                                    "placed what this one refers back to")
                cand.evidence.insert(0, _evidence(prev))
            return
        j = _neighbour(sentences, j, -1)


def _carrier_demonym(pipe, s: Sentence, doc):
    owner_words = pipe.lexicon.cues.get("ownership", {})
    for a, _, key in s.equipment:
        if pipe.equipment[key].carrier:
            for da, db, iso in s.demonyms:
                if 0 <= a - db <= 2 and iso and \
                        not any(t.lower_ in owner_words for t in doc[db:a]):
                    # "a Saudi-owned ship", "a Moldovan-flagged vessel": who owns or
                    # flags a ship says nothing of where it came from
                    return doc[da:db].text, iso, doc[da].idx
    # "a Russian military cargo plane": the actor named right before the carrier
    for a, _, key in s.equipment:
        if pipe.equipment[key].carrier:
            for xa, xb, text in s.actors:
                iso = _country_of(pipe, text)
                if 0 <= a - xb <= 1 and iso:
                    return doc[xa:xb].text, iso, doc[xa].idx
    # "a C-17 Globemaster III of the Canadian Air Force": the force that flies it
    forces = {a for a, _ in s.cues.get("force", [])}
    if any(pipe.equipment[key].carrier for _, _, key in s.equipment):
        for da, db, iso in s.demonyms:
            if iso and db in forces and doc[da - 2:da].text.lower() == "of the":
                return doc[da:db].text, iso, doc[da].idx
    return None


def _previous_leg_sentence(sentences, raw, i: int) -> int:
    """Return the sentence before ``i``, past sentences that only name stops on the way.

    "its starting points in the UAE. The flight stops midway in Nairobi ... The final
    destinations are in N'Djamena": the itinerary's origin is two sentences back.
    """
    j = _neighbour(sentences, i, -1)
    while 0 <= j < len(raw) and raw[j] and \
            all(not frm.known and not to.known and via for frm, to, via, _ in raw[j]):
        j = _neighbour(sentences, j, -1)
    return j


def _neighbour(sentences, i: int, step: int) -> int:
    """Return the nearest sentence before (-1) or after (+1) ``i`` that is not blank.

    The sentencizer makes a line break between sentences a sentence of its own.
    """
    j = i + step
    while 0 <= j < len(sentences) and not sentences[j].span.text.strip():
        j += step
    return j


def _same_paragraph(sentences, i: int, j: int, doc) -> bool:
    lo, hi = sorted((i, j))
    between = sentences[lo].text[sentences[lo].span.end_char:sentences[hi].span.start_char]
    return "\n\n" not in between


def _labels(pipe, s: Sentence) -> list[str]:
    return [pipe.equipment[k].label for _, _, k in s.equipment]


def _area_of_unnamed(pipe, cand: Candidate, main: str, *, chained: bool = False) -> None:
    """Place an unnamed site with no area in the demonym's or the report's country."""
    for stop, other in ((cand.frm, cand.to), (cand.to, cand.frm)):
        if stop.place is not None or not stop.unnamed or stop.note == "unresolved":
            continue
        if stop.note.startswith("country:"):
            stop.place = pipe.places.country_place.get(stop.note[8:])
            stop.note = ""
        elif other.place is not None and other.place.country == main and \
                main in pipe.places.country_place and (chained or (other is cand.frm
                                                        and cand.leg > 1)):
            stop.place = pipe.places.country_place[main]
            cand.reasons.append(f"'{stop.unnamed}' placed in {stop.place.name}, where the "
                                "other end and the report lie")


def _told_as_earlier(s: Sentence, last: Candidate, cand: Candidate) -> bool:
    """Whether ``cand`` is told as having happened before ``last`` ("... had been delivered to").

    Then it does not leave from where ``last`` ended.
    """
    a, b = last.to.pos, cand.to.pos
    return 0 <= a < b and re.search(r"\bhad\b", s.text[a:b], re.I) is not None


_ANOTHER = (("another",), ("a", "second"), ("a", "third"), ("a", "further"), ("other",))


def _another(s: Sentence, doc) -> bool:
    """Whether a sentence opens on a new movement of its own ("Another heavy cargo plane ...")."""
    words = [t.lower_ for t in doc[s.span.start:s.span.start + 3] if not t.is_space]
    return any(tuple(words[:len(w)]) == w for w in _ANOTHER)



def _unknown_origin(s: Sentence, doc, to_start: int) -> tuple[int, int, str] | None:
    """Return a proper name told after a movement's 'from' that no table resolves.

    Only right after an origin cue that a movement cue leads into (within eight
    words, no comma between), and only for capitalised words that are no place,
    actor, equipment, demonym, month or weekday: "images from Maxar showed ..."
    is no movement from Maxar.
    """
    taken: set[int] = set()
    for m in s.places + s.unnamed_to:
        taken.update(range(m.start, m.end))
    for spans in (s.actors, s.equipment, s.demonyms):
        for a, b, _ in spans:
            taken.update(range(a, b))
    moves = [e for _, e in s.cues.get("move", [])]
    for a, e in s.cues.get("from", []):
        if e >= to_start or e >= s.span.end:
            continue
        led = any(0 <= a - me <= 8 and "," not in doc[me:a].text for me in moves) or \
            any(ma <= a < me for ma, me in s.cues.get("move", []))
        if not led:
            continue
        b = e
        while b < min(s.span.end, e + 4) and b not in taken and doc[b].is_alpha and \
                doc[b].is_title and doc[b].lower_ not in CALENDAR_WORDS:
            b += 1
        if b > e and (b == s.span.end or not doc[b].is_alpha or doc[b].is_lower):
            return e, b, doc[a:e].text
    return None
