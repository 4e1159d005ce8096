"""Assemble candidate legs from the mentions of each sentence."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

from geo.extract.dates import find_dates
from geo.extract.mentions import Mention, Sentence, quantity_before, read_sentence
from geo.extract.places import Place

__all__ = ["Candidate", "Stop", "assemble"]

_STATUS_RANK = ("planned", "alleged", "assessed", "reported", "confirmed")
_GENERIC = {"military equipment", "ammunition and weapons"}
_REG_RE = re.compile(r"\b(?:RA|RF|EW|UR|UP|EK|4K|YK|ST|TT|5A|EX|EY|TC|A6|SU|LZ|ER|9L|3C|UN|EP)"
                     r"-\d{4,5}\b|\b(?:RFF|RSD|RCH|IAM|TUAF)\d{3,5}\b")
_TRIP_WORDS = {"trip", "trips", "flight", "flights", "run", "runs", "rotation", "rotations",
               "shuttle", "route", "airlift", "round"}
_NUMBER = {"two": 2, "three": 3, "four": 4, "five": 5, "twice": 2, "2": 2, "3": 3, "4": 4}
_BASE_KIND = {"airport": ("airport", "airbase"), "airfield": ("airport", "airbase"),
              "airbase": ("airbase", "airport"), "air base": ("airbase", "airport"),
              "port": ("port", "naval_base"), "naval base": ("naval_base", "port"),
              "base": ("airbase", "naval_base", "military_base", "airport")}


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
        if self.place is not None and not self.unnamed:
            if not self.place.curated and self.place.kind == "country":
                return self.place.name  # "Iranian cargo aircraft": the ledger wants "Iran"
            if self.place.curated:
                return self.place.id
            # A world place: its name and id, as the ledger's own hints write
            # it ("Al Abraq International Airport (ourairports:HLLQ)"), so what
            # the text resolved in context reaches the ledger unchanged.
            return f"{self.place.name} ({self.place.id})"
        if self.place is not None:
            p = self.place
            if p.curated:
                area = p.id
            elif p.kind == "country":
                area = p.name
            else:  # a world town or base: as for a named end, so the ledger finds that one
                area = f"{p.name} ({p.id})"
            return f"?{self.unnamed} @ {area}"
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
    transfer: int = 0
    leg: int = 1
    sentence: int = 0


def assemble(pipe, text: str, *, published: dt.date | None) -> list[Candidate]:
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
            cand = Candidate(frm, to, via, sentence=i)
            cand.evidence.append(_evidence(s))
            if how == "chain":
                cand.reasons.append("origin: where the previous movement in this sentence ended")
            if not frm.known:
                _fill_origin(pipe, cand, s, doc, last, out, chained_start, sentences, raw, i,
                             events, k)
            if "origin: named in the adjacent sentence" in cand.reasons and out and \
                    out[-1].sentence == _neighbour(sentences, i, -1) and \
                    not out[-1].to.known and \
                    out[-1].frm.ledger() == cand.frm.ledger():
                # "The ship had sailed from Baltiysk ... It reached Tobruk": one leg, not two
                done = out.pop()
                if done.evidence[0] in cand.evidence:
                    cand.evidence.remove(done.evidence[0])
                cand.evidence.insert(0, done.evidence[0])  # in the report's order
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
            continues = last is not None and (how == "chain" or chained_start) and \
                last.to.ledger() == cand.frm.ledger()
            if continues:
                cand.transfer, cand.leg = last.transfer, last.leg + 1
            else:
                transfer += 1
                cand.transfer, cand.leg = transfer, 1
            _confidence(cand)
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
    return _merge(_origin_told_after(out, sentences, doc))


def _country_weights(pipe, doc, world) -> dict[str, float]:
    counts: Counter[str] = Counter()
    spans = [(e.start, e.end) for e in doc.ents if e.label_ == "PLACE"] + list(world)
    for a, b in spans:
        cands = pipe.places.candidates(doc[a:b].text)
        for p in cands:
            counts[p.country] += 1.0 / len(cands)
    return dict(counts)


def _events(pipe, s: Sentence, doc, seen: list[Place]):
    """(from, to, via, how) tuples in the order the sentence tells them."""
    pair = _trip_pair(s, doc)
    seen_at = None if s.has("move") or pair else _seen_in(pipe, s, doc)
    if s.has("speculative") or not (s.has("move") or pair or seen_at):
        return []
    if seen_at is not None:
        stop = _stop(seen_at, seen, doc)
        stop.note = "presence: foreign equipment seen there, no movement verb"
        return [(Stop(""), stop, [], "presence")]
    ship = _ship_span(s, doc)
    mentions = [m for m in s.places + s.unnamed_to
                if not (ship and ship[0] <= m.char_start < ship[1])]
    if pair:
        pair[0].role, pair[1].role = "from", "to"
    ordered_all = sorted(mentions, key=lambda m: m.start)
    for a, b in itertools.pairwise(ordered_all):
        # "coming from Syria in Benina airport and two other flights landing in ...": Benina
        if a.role == "from" and b.role == "presence" and not b.coord:
            b.role = "to"
    _stop_before_then(s, doc, mentions)
    stops = [m for m in mentions if m.role in ("from", "to", "via")]
    if not any(m.role == "to" for m in stops):
        # "positioned ... in Libya", "facilities in Tobruk to accommodate warships"
        first_move = min((a for a, _ in s.cues.get("move", [])), default=s.span.start)
        present = [m for m in mentions if m.role == "presence"
                   and (m.start > first_move or m.unnamed)]
        if present:
            present[0].role = "to"
            stops = sorted([*stops, present[0]], key=lambda m: m.start)
    events: list[list] = []
    cur: list | None = None  # [from, to, via, how, last_token]
    ordered = sorted(stops, key=lambda m: m.start)
    for n, m in enumerate(ordered):
        stop = _stop(m, seen, doc)
        next_is_to = n + 1 < len(ordered) and ordered[n + 1].role == "to"
        moves_between = cur is not None and any(cur[4] <= a < m.start for a, _ in
                                                s.cues.get("move", []))
        if m.role == "via":
            if cur is None:
                cur = [None, None, [], "", m.end]
                events.append(cur)
            cur[2].append(stop)
        elif m.coord and cur is not None:
            # "from Russia and Syria" / "to Sirte and Jufra": a sibling leg
            sib = [stop, cur[1], [], "coord", m.end] if m.role == "from" else \
                [cur[0], stop, [], "coord", m.end]
            sib.append(cur)
            events.append(sib)
            cur = sib
            continue
        elif m.role == "from":
            if cur is not None and cur[0] is None and not _semicolon(doc, cur[4], m.start) \
                    and not (next_is_to and (moves_between or cur[1] is not None)):
                # "to Tobruk from Baltiysk": the origin of the leg just read; but in
                # "wagons to Russia ... collected at Najin ... delivered to X" Najin
                # starts the next leg
                cur[0] = stop
            elif cur is not None and cur[1] is None and cur[0] is not None and \
                    _two_countries(cur[0], stop):
                # "aircraft from Russia ... as well as drones from Turkey": two origins
                cur = [stop, None, [], "", m.end]
                events.append(cur)
            elif cur is not None and cur[1] is None and not moves_between and not m.coord:
                cur[0] = _narrower(cur[0], stop)  # "out of Libya from Zuwara airport"
            else:
                vias: list = []
                if cur is not None and cur[0] is None and cur[1] is None and cur[2]:
                    # "transited the Bosphorus ... en route from Novorossiysk to Tartus"
                    vias = cur[2]
                    events.remove(cur)
                cur = [stop, None, vias, "", m.end]
                events.append(cur)
        elif m.role == "to":
            if cur is not None and cur[1] is None:
                cur[1] = stop
            elif cur is not None and (_new_clause(doc, cur[4], m.start)
                                      or _semicolon(doc, cur[4], m.start)):
                cur = [None, stop, [], "", m.end]  # "..., whilst two further flights arrived at"
                events.append(cur)
            elif cur is not None:
                cur = [cur[1], stop, [], "chain", m.end]
                events.append(cur)
            else:
                cur = [None, stop, [], "", m.end]
                events.append(cur)
        if cur is not None:
            cur[4] = m.end
        if pair and m is pair[1] and cur is not None:
            cur[3] = "trips"
    for ev in events:  # siblings share the end the sentence gives after them
        if len(ev) > 5:
            first = ev[5]
            while len(first) > 5:
                first = first[5]
            for side in (0, 1):
                if ev[side] is None and first[side] is not None:
                    ev[side] = first[side]
                if first[side] is None and ev[side] is not None:
                    first[side] = ev[side]
    if events and not any(ev[1] for ev in events) and s.has("receive"):
        taker = _receiver(s, doc)
        if taker is not None:
            for ev in events:
                ev[1] = _stop(taker, seen, doc)
    if not any(ev[1] for ev in events) and s.has("move"):
        home = _actor_home(pipe, s, doc)
        if home is not None:
            if events and events[-1][1] is None:
                events[-1][1] = home
            else:
                events.append([None, home, [], "", 0])
    return [(ev[0] or Stop(""), ev[1] or Stop("", note="destination not reported"), ev[2], ev[3])
            for ev in events]


def _stop_before_then(s: Sentence, doc, mentions: list[Mention]) -> None:
    """'anchored at Najin and then entered the ports of Vostochny': Najin is an origin.

    A place where something was (``presence``) before a destination, with
    "then" between them, is the stop the movement left from.
    """
    tos = [m.start for m in mentions if m.role == "to"]
    if not tos:
        return
    first_to = min(tos)
    thens = [a for a, b in s.cues.get("chain", []) if doc[a:b].text.lower() == "then"]
    for m in mentions:
        if m.role == "presence" and not m.coord and any(m.end <= a < first_to for a in thens):
            m.role = "from"


def _two_countries(a: Stop, b: Stop) -> bool:
    """Tell whether two origins are two different countries (two sources, two legs)."""
    return a.place is not None and b.place is not None and not a.unnamed and \
        not b.unnamed and a.place.kind == b.place.kind == "country" and \
        a.place.country != b.place.country


def _receiver(s: Sentence, doc) -> Mention | None:
    """Return the place that takes delivery: "Mali's junta took delivery of ...".

    The last place named before the first ``receive`` cue, with no role of its own
    or only as a possessive ("Mali's"); a dateline or a description is no receiver.
    """
    first = min(a for a, _ in s.cues["receive"])
    before = [m for m in s.places if m.end <= first and m.place is not None
              and (m.role == "" or (m.role == "qualifier" and m.end < len(doc)
                                    and doc[m.end].text in ("'s", "\u2019s")))]
    return before[-1] if before else None


def _seen_in(pipe, s: Sentence, doc) -> Mention | None:
    """'Turkish Bayraktar TB-2 drones in Libya': foreign things seen in a place."""
    if _cargo_demonym(pipe, s, doc) is None:
        return None
    ends = {b for a, b, k in s.equipment if not pipe.equipment[k].carrier}
    for m in s.places:
        if m.role == "presence" and m.cue_start in ends:
            return m
    return None


def _new_clause(doc, a: int, b: int) -> bool:
    words = {t.lower_ for t in doc[a:b]}
    return bool(words & {"while", "whilst", "whereas", "meanwhile", "other", "further",
                         "another", "separately"})


def _semicolon(doc, a: int, b: int) -> bool:
    return any(t.text == ";" for t in doc[a:b])


def _narrower(old: Stop | None, new: Stop) -> Stop:
    if old is None or old.place is None or new.place is None:
        return new
    return new if new.place.country == old.place.country else old


def _actor_home(pipe, s: Sentence, doc) -> Stop | None:
    """Return the area an actor's forces hold ('joined the ranks of the GNA')."""
    moves = [e for _, e in s.cues["move"]]
    tos = [e for _, e in s.cues.get("to", [])]
    for a, _, text in s.actors:
        after_to = any(0 <= a - e <= 1 and all(t.lower_ in ("the", "a") for t in doc[e:a])
                       for e in tos)  # "weapons from Iran to the Houthis"
        if not after_to and not any(0 <= a - e <= 5 and "," not in doc[e:a].text
                                    for e in moves):
            continue
        home = pipe.lexicon.actors.get(text, ("", ""))[1] or next(
            (h for p, (_, h) in pipe.lexicon.actors.items() if p.lower() == text.lower()), "")
        if home and home in pipe.places.by_id:
            return Stop(text, pipe.places.by_id[home], unnamed=text, pos=doc[a].idx,
                        note=f"destination: the area {text} holds")
    return None


def _stop(m: Mention, seen: list[Place], doc, places=None) -> Stop:
    if m.place is None and m.unnamed:
        words = m.unnamed.lower().split()
        noun = " ".join(w for w in words if w not in ("the", "a", "an", "its"))
        if len(words) <= 3 and noun in _BASE_KIND and words[0] == "the":
            for kind in _BASE_KIND[noun]:
                for p in reversed(seen):  # "the airport": the last one named
                    if p.kind == kind:
                        return Stop(m.text, p, pos=m.char_start,
                                    note=f"'{m.text}' taken as {p.name}, the last such "
                                    "place named")
        stop = Stop(m.text, None, unnamed=m.unnamed, pos=m.char_start)
        if m.unnamed == m.text and m.text[:1].isupper():
            stop.note = "unresolved"  # a name no table resolves: kept as written, not placed
        if m.country:
            stop.note = f"country:{m.country}"
        return stop
    return Stop(m.text, m.place, unnamed=m.unnamed, pos=m.char_start)


def _trip_pair(s: Sentence, doc):
    """'two Libya-Mali trips': the first place is the origin, the second the destination."""
    for a, b in zip(s.places, s.places[1:], strict=False):
        if b.start == a.end + 1 and doc[a.end].text in ("-", "\u2013", "\u2014", "/") and \
                b.end < len(doc) and doc[b.end].lower_ in _TRIP_WORDS:
            return a, b
    return None


def _repeat(s: Sentence, doc) -> int:
    pair = _trip_pair(s, doc)
    if pair:
        before = doc[max(s.span.start, pair[0].start - 2):pair[0].start]
        for t in before:
            if t.lower_ in _NUMBER:
                return _NUMBER[t.lower_]
    return 1


def _starts_chain(s: Sentence, doc) -> bool:
    first = [t.lower_ for t in doc[s.span.start:s.span.start + 4] if not t.is_space]
    chain = s.cues.get("chain", [])
    return bool(first) and (first[0] in ("it", "then", "they") or any(
        a <= s.span.start + 2 for a, _ in chain))


def _fill_origin(pipe, cand, s, doc, last, out, chained_start, sentences, raw, i,
                 events, k) -> None:
    to_start = min((m.start for m in s.places + s.unnamed_to if m.role == "to"),
                   default=s.span.end)
    own = cand.to.unnamed.lower().startswith(("its ", "their "))
    to_country = cand.to.place.country if cand.to.place else ""
    free = [m for m in s.places if m.role in ("", "presence") and m.start < to_start
            and m.place is not None
            and m.place.id != (cand.to.place.id if cand.to.place else None)
            and not _new_clause(doc, m.end, to_start)  # "stationed in X, while ... to Y"
            and not (pipe.places.is_capital(m.place) and m.place.country == to_country)]
    if free and not own:
        m = free[-1]
        if pipe.places.is_capital(m.place) and m.place.country in pipe.places.country_place:
            # "Tehran is using the Caspian route to supply Moscow": the state, not the city
            state = pipe.places.country_place[m.place.country]
            cand.frm = Stop(m.text, state, pos=m.char_start)
            cand.reasons.append(f"origin: '{m.text}', named earlier in the sentence, "
                                f"standing for {state.name}")
            return
        cand.frm = Stop(m.text, m.place, pos=m.char_start)
        cand.reasons.append(f"origin: '{m.text}', named earlier in the sentence")
        return
    after = [t.i for t in s.span if t.lower_ == "after"]
    for j, (_, to, _, _) in enumerate(events):
        if j != k and to.known and after and to.pos > doc[after[0]].idx:
            cand.frm = to
            cand.reasons.append("origin: where the earlier movement ('after ...') ended")
            return
    if chained_start and last is not None and last.to.known:
        cand.frm = last.to
        cand.reasons.append("origin: where the previous movement ended")
        cand.evidence.insert(0, _evidence(sentences[last.sentence]))
        return
    dem = _cargo_demonym(pipe, s, doc)
    if dem and _new_clause(doc, doc.char_span(dem[2], dem[2] + 1, alignment_mode="expand").start,
                           to_start):
        dem = None  # "Turkish drones are stationed in X, while ... transferring ... to Y"
    if dem:
        place = pipe.places.country_place.get(dem[1])
        if place is not None:
            cand.frm = Stop(dem[0], place, pos=dem[2])
            cand.reasons.append(f"origin: the country of the '{dem[0]}' things that moved")
            return
    for j in (_neighbour(sentences, i, 1), _neighbour(sentences, i, -1)):
        if 0 <= j < len(raw) and _same_paragraph(sentences, i, j, doc):
            for frm, to, _, _ in raw[j]:
                if frm.known and not to.known:
                    cand.frm = frm
                    cand.reasons.append("origin: named in the adjacent sentence")
                    cand.evidence.append(_evidence(sentences[j]))
                    return
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
            return
    carrier = _carrier_demonym(pipe, s, doc)
    if carrier:
        place = pipe.places.country_place.get(carrier[1])
        if place is not None:
            cand.frm = Stop(carrier[0], place, pos=carrier[2])
            cand.reasons.append(f"origin: the country of the '{carrier[0]}' carrier (weak)")
            return
    cand.frm = Stop("", None, note="origin not reported")
    cand.reasons.append("origin not named in the report")


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
    return None


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


def _cargo_demonym(pipe, s: Sentence, doc):
    """'Turkish Bayraktar TB-2 drones': (demonym, ISO, char offset) of what moved."""
    for a, b, key in s.equipment:
        if pipe.equipment[key].carrier:
            continue
        busy = {t for x, y, _ in s.equipment if (x, y) != (a, b) for t in range(x, y)}
        busy |= {t for x, y in s.cues.get("move", []) for t in range(x, y)}
        # the nearest demonym before the thing: "US intercepts Iranian weapons" is Iranian
        for da, db, iso in sorted(s.demonyms, key=lambda d: a - d[1]):
            gap = doc[db:a]
            if 0 <= a - db <= 3 and iso and all(t.is_alpha and t.i not in busy for t in gap):
                return doc[da:db].text, iso, doc[da].idx
    return None


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


def _describe(pipe, cand: Candidate, s: Sentence, doc, previous: Candidate | None) -> None:
    ship = _ship_span(s, doc)
    eq = [(a, b, pipe.equipment[k]) for a, b, k in s.equipment
          if not (ship and ship[0] <= doc[a].idx < ship[1])]
    cargo = [x for x in eq if not x[2].carrier]
    carriers = [x for x in eq if x[2].carrier]
    origins = sorted(m.char_start for m in s.places if m.role == "from" and m.place is not None
                     and m.place.kind == "country")
    if len(origins) > 1 and cand.frm.pos in origins:
        # "L-39 jets from Russia as well as TB2 drones from Turkey": each its own cargo
        k = origins.index(cand.frm.pos)
        lo = origins[k - 1] if k else s.span.start_char
        own = [x for x in cargo if lo <= doc[x[0]].idx < cand.frm.pos]
        cargo = own  # nothing named before this origin: nothing borrowed from the other
    if cargo:
        labels = list(dict.fromkeys(e.label for _, _, e in cargo))
        specific = [x for x in cargo if x[2].label not in _GENERIC] or cargo
        a, _, first = specific[0]
        cand.equipment = "; ".join(labels)
        cand.category = first.category
        cand.quantity = quantity_before(doc[s.span.start:a].text[-60:])
    elif previous is not None and previous.equipment:
        cand.equipment, cand.category = previous.equipment, previous.category
        cand.quantity = previous.quantity
        cand.reasons.append("equipment: as in the previous movement")
    if carriers:
        cand.carrier = doc[carriers[0][0]:carriers[0][1]].text
    sent_text = s.span.text
    ids = _REG_RE.findall(sent_text)
    for _, _, name in s.ships:
        ids.append(name)
        cand.reasons.append(f"ship named '{name}': a carrier, not a place or equipment")
    cand.carrier_id = ";".join(dict.fromkeys(ids))
    modes = [v for v in (pipe.lexicon.cues["move"].get(doc[a:b].text.lower(), "")
                         for a, b in s.cues.get("move", [])) if v]
    in_names = {t for m in s.places for t in range(m.start, m.end)}  # "Port Sudan"
    modes += [pipe.lexicon.cues["mode"][doc[a:b].text.lower()] for a, b in s.cues.get("mode", [])
              if a not in in_names]
    if ship:
        modes.insert(0, "sea")
    if carriers:
        modes.insert(0, "sea" if carriers[0][2].category == "naval" else "air")
    cand.mode = modes[0] if modes else (previous.mode if previous else "unknown")
    cues = [(a, b) for a, b in s.cues.get("status", [])
            if not _negated(doc, a, s.span.start)]  # "do not enter the port officially"
    statuses = [pipe.lexicon.cues["status"][doc[a:b].text.lower()] for a, b in cues]
    cand.status = min(statuses, key=_STATUS_RANK.index) if statuses else "reported"
    if statuses:
        a, b = cues[statuses.index(cand.status)]
        cand.reasons.append(f"status '{cand.status}' from '{doc[a:b].text}'")
    actor = ""
    if s.actors:
        actor = pipe.lexicon.actors.get(s.actors[0][2], (s.actors[0][2], ""))[0]
        if actor == s.actors[0][2]:
            for phrase, (name, _) in pipe.lexicon.actors.items():
                if phrase.lower() == s.actors[0][2].lower():
                    actor = name
    elif s.demonyms:
        first_thing = min([a for a, _, _ in eq], default=None)
        near = [d for d in s.demonyms if first_thing is not None and 0 <= first_thing - d[1] <= 2]
        if near:
            actor = f"{doc[near[0][0]:near[0][1]].text} military"
    if not actor and previous is not None:
        actor = previous.actor
    cand.actor = actor
    notes = [m for m in s.places if m.role == "false_dest"]
    if notes:
        cand.note = "; ".join(f"declared destination {m.text} is not a stop" for m in notes)
        cand.reasons.append(cand.note)
    for stop in (cand.frm, cand.to):
        if stop.note and stop.note not in cand.reasons and stop.place is not None:
            cand.reasons.append(stop.note)


def _negated(doc, a: int, start: int) -> bool:
    """Tell whether a hedging word is negated ("do not enter the port officially")."""
    return any(doc[k].lower_ in ("not", "n't", "never", "no") for k in range(max(start, a - 5), a))


def _ship_span(s: Sentence, doc) -> tuple[int, int] | None:
    return (s.ships[0][0], s.ships[0][1]) if s.ships else None


def _rebase(pipe, cand: Candidate) -> None:
    """Replace a city that stands for its base (Latakia by air is Khmeimim)."""
    from geo.translit import fold as normalize  # normalize() on one name; no pandas

    kind = {"air": "air", "sea": "sea"}.get(cand.mode)
    for stop in (cand.frm, cand.to):
        p = stop.place
        if p is None or p.kind not in ("city", "town"):
            continue
        desc = stop.unnamed.lower()
        k = "air" if ("air" in desc) else "sea" if ("naval" in desc or "port" in desc) else kind
        base = pipe.lexicon.bases.get((normalize(p.name), k)) if k else None
        if base and base in pipe.places.by_id:
            stop.place = pipe.places.by_id[base]
            stop.unnamed = ""
            cand.reasons.append(f"'{stop.name}' taken as {stop.place.name} "
                                f"({'air' if k == 'air' else 'sea'} movement)")


def _date_window(s: Sentence, events, k: int) -> tuple[str, int, int]:
    """Text between the previous and next event's anchors, its offset, and this anchor."""

    def anchor(ev) -> int:
        for stop in (ev[1], ev[0]):
            if stop.pos >= s.span.start_char:
                return stop.pos
        return s.span.start_char

    lo = anchor(events[k - 1]) + 1 if k > 0 else s.span.start_char
    hi = anchor(events[k + 1]) if k + 1 < len(events) else s.span.end_char
    if hi <= lo:
        lo, hi = s.span.start_char, s.span.end_char
    text = s.text[lo:hi]
    return text, lo, anchor(events[k])


def _shares_origin(s: Sentence, events, k: int) -> bool:
    """Whether event ``k`` leaves from the very mention event ``k - 1`` leaves from.

    Only within one clause: a semicolon between their destinations ends it.
    """
    a, b = events[k - 1][0], events[k][0]
    if a.pos < 0 or a.pos != b.pos or a.name != b.name:
        return False
    lo, hi = sorted((events[k - 1][1].pos, events[k][1].pos))
    return lo >= 0 and ";" not in s.text[lo:hi]


def _anchor_day(date: str) -> str | None:
    """Return the day "the following day" counts from (an interval's end)."""
    if not date:
        return None
    last = date.split("/")[-1].rstrip("~?%")
    return None if last in ("", "..") or "W" in last else last


def _date_distance(window: tuple[str, int, int], m) -> tuple[int, int]:
    """Rank a date mention: same clause as the stop first, then nearest."""
    text, lo, anchor = window
    pos = lo + m.start
    a, b = sorted((pos, anchor))
    other_clause = ";" in text[a - lo:b - lo]
    return (1 if other_clause else 0, abs(pos - anchor))


def _evidence(s: Sentence) -> dict:
    """Return the sentence verbatim: ``text == report[start:end]``."""
    raw = s.span.text
    text = raw.strip()
    start = s.span.start_char + (len(raw) - len(raw.lstrip()))
    return {"text": text, "start": start, "end": start + len(text)}


def _confidence(c: Candidate) -> None:
    score = 0.4
    why = []
    for label, stop in (("origin", c.frm), ("destination", c.to)):
        if stop.place is not None and not stop.unnamed:
            score += 0.15
            why.append(f"{label} named and resolved")
        elif stop.known:
            score += 0.05
            why.append(f"{label} unnamed, inside a known area")
        else:
            score -= 0.1
    if c.equipment:
        score += 0.1
        why.append("equipment named")
    if c.date:
        score += 0.05
        why.append("dated")
    if any(r.startswith("origin:") for r in c.reasons):
        score -= 0.1
    if c.status in ("alleged", "planned"):
        score -= 0.05
    c.confidence = round(min(0.95, max(0.05, score)), 2)
    c.reasons[:0] = why


def _origin_told_after(out: list[Candidate], sentences, doc) -> list[Candidate]:
    """Join an arrival and the origin told right after it as one leg.

    "A ship docked at Tobruk; it had sailed from Tartus" gave "? -> Tobruk" and
    "Tartus -> ?": the second clause says where the arrival came from when it
    looks back (an ``origin_after`` cue: "had", "came from", "brought from"
    ...) after a semicolon.  Across a full stop the arrival already takes its
    origin from the adjacent sentence; the half-leg stays (it may be a
    movement of its own: the bundled report 001's drawdown "from Syria").
    """
    keep: list[Candidate] = []
    for c in out:
        p = keep[-1] if keep else None
        if p is None or c.to.known or not c.frm.known or c.leg != 1 or p.leg != 1 \
                or not p.to.known or c.frm.pos < 0:
            keep.append(c)
            continue
        s = sentences[c.sentence]
        clause = s.text.rfind(";", max(p.to.pos, s.span.start_char), c.frm.pos)
        looks_back = any(
            clause < doc[a].idx < c.frm.pos for a, _ in s.cues.get("origin_after", [])
        )
        if c.sentence == p.sentence and not p.frm.known and clause >= 0 and looks_back:
            p.frm = c.frm
            p.reasons = [r for r in p.reasons if r != "origin not named in the report"]
            p.reasons.append("origin: told after a semicolon by a clause looking back "
                             "to the arrival ('had', 'came from')")
            if c.equipment and not p.equipment:
                p.equipment, p.category = c.equipment, c.category
            _confidence(p)
            continue
        keep.append(c)
    return keep


def _merge(cands: list[Candidate]) -> list[Candidate]:
    """One candidate per (from, to, date): later sentences add evidence."""
    out: list[Candidate] = []
    index: dict[tuple, Candidate] = {}
    for c in cands:
        key = (c.frm.ledger(), c.to.ledger(), c.date)
        twin = any("trip " in r for r in c.reasons)
        if key in index and not twin and c.leg == 1 and index[key].leg == 1:
            keep = index[key]
            if c.evidence[-1] not in keep.evidence:
                keep.evidence.append(c.evidence[-1])
            if not keep.equipment and c.equipment:
                keep.equipment, keep.category = c.equipment, c.category
            continue
        index.setdefault(key, c)
        out.append(c)
    return out
