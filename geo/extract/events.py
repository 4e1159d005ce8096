"""The movements one sentence tells: ``(from, to, via, how)`` in the order it tells them.

Stops by role (from/to/via, coordinated siblings, chains, 'Libya-Mali
trips', 'then'), the receiver of a delivery, foreign things seen in a
place, an actor's home area, 'the airport' as the last one named.
"""

from __future__ import annotations

import itertools

from geo.extract.candidate import Stop
from geo.extract.mentions import Mention, Sentence
from geo.extract.places import Place

_TRIP_WORDS = {"trip", "trips", "flight", "flights", "run", "runs", "rotation", "rotations",
               "shuttle", "route", "airlift", "round"}
_NUMBER = {"two": 2, "three": 3, "four": 4, "five": 5, "twice": 2, "2": 2, "3": 3, "4": 4}
_BASE_KIND = {"airport": ("airport", "airbase"), "airfield": ("airport", "airbase"),
              "airbase": ("airbase", "airport"), "air base": ("airbase", "airport"),
              "port": ("port", "naval_base"), "naval base": ("naval_base", "port"),
              "base": ("airbase", "naval_base", "military_base", "airport")}


def _people_trip(s: Sentence) -> bool:
    """Whether the sentence moves people only ("the junta chief has travelled to Russia").

    A ``people`` cue up to eight words before a movement word, or three after it
    ("evacuated its citizens"), in a sentence naming no equipment and no carrier.
    """
    named = {t for m in s.places for t in range(m.start, m.end)}
    if s.equipment or any(a not in named for a, _ in s.cues.get("mode", [])):
        return False  # "Port" of "Port Sudan" is no carrier
    people = [a for a, _ in s.cues.get("people", [])]
    return any(-3 <= a - e <= 3 or 0 < m - a <= 8
               for m, e in s.cues.get("move", []) for a in people)


def _events(pipe, s: Sentence, doc, seen: list[Place]):
    """(from, to, via, how) tuples in the order the sentence tells them."""
    pair = _trip_pair(s, doc)
    seen_at = None if s.has("move") or pair else _seen_in(pipe, s, doc)
    if s.has("speculative") or not (s.has("move") or pair or seen_at) or _people_trip(s):
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
    onward: list[Stop] = []  # via places passed on the way to the next chained leg
    for n, m in enumerate(ordered):
        # "the port" may be one this sentence named before it ("the port of Poti has
        # confirmed that cargo ... arrived at the port")
        stop = _stop(m, [*seen, *(x.place for x in s.places
                                  if x.place is not None and x.end <= m.start)], doc)
        next_is_to = n + 1 < len(ordered) and ordered[n + 1].role == "to"
        moves_between = cur is not None and any(cur[4] <= a < m.start for a, _ in
                                                s.cues.get("move", []))
        if m.role == "via" and m.onward and cur is not None and cur[1] is not None:
            onward.append(stop)  # "flew to Hmeimim, then towards Egypt and on to Libya"
            continue
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
                                      or _semicolon(doc, cur[4], m.start)
                                      or _pluperfect(doc, cur[4], m.start)):
                cur = [None, stop, [], "", m.end]  # "..., whilst two further flights arrived at"
                events.append(cur)
            elif cur is not None:
                cur = [cur[1], stop, onward, "chain", m.end]
                onward = []
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
    moves = [(a, doc[a:b].text.lower()) for a, b in s.cues.get("move", [])]
    done: list[Mention] = []
    for m in mentions:
        if m.role == "presence" and not m.coord and any(m.end <= a < first_to for a in thens):
            if done and m.place is not None and m.place.kind == "country" and any(
                    d.place is not None and d.place.country == m.place.country for d in done):
                m.role = "qualifier"  # "at the port of Conakry, in Guinea"
                continue
            # "unloaded at the port of Conakry ... and were then driven to X": Conakry
            # ended the movement before (a destination the next leg leaves from)
            word = max(((a, w) for a, w in moves if a < m.start), default=(-1, ""))
            m.role = "to" if word[1] in _ARRIVAL_WORDS and m.start - word[0] <= 12 else "from"
            done.append(m)


#: movement words that end a movement where they happen ("unloaded at Conakry")
_ARRIVAL_WORDS = frozenset({"unloaded", "offloaded", "arrived", "landed", "docked",
                            "delivered", "touched down"})


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
    # people seen somewhere moved no equipment there ("Russian personnel had begun
    # training on drones in Iran"): only foreign things
    if _cargo_demonym(pipe, s, doc, things=True) is None:
        return None
    ends = {b for a, b, k in s.equipment if not pipe.equipment[k].carrier
            and pipe.equipment[k].category != "personnel"}
    for m in s.places:
        if m.role == "presence" and m.cue_start in ends:
            return m
    return None


def _new_clause(doc, a: int, b: int) -> bool:
    # "and other spears", "or other weapons": more of the same cargo, not a new movement
    # ("and two other flights landing in ..." is one)
    words = {t.lower_ for t in doc[a:b]
             if not (t.lower_ == "other" and t.i > 0 and doc[t.i - 1].lower_ in ("and", "or"))}
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


def _cargo_demonym(pipe, s: Sentence, doc, *, things: bool = False):
    """'Turkish Bayraktar TB-2 drones': (demonym, ISO, char offset) of what moved.

    ``things``: of equipment only, not of people ("Russian personnel").
    """
    for a, b, key in s.equipment:
        if pipe.equipment[key].carrier or (things and pipe.equipment[key].category
                                           == "personnel"):
            continue
        busy = {t for x, y, _ in s.equipment if (x, y) != (a, b) for t in range(x, y)}
        busy |= {t for x, y in s.cues.get("move", []) for t in range(x, y)}
        # the nearest demonym before the thing: "US intercepts Iranian weapons" is Iranian
        for da, db, iso in sorted(s.demonyms, key=lambda d: a - d[1]):
            gap = doc[db:a]
            # a model name may stand between ("Korean K2 tanks"), and "-made"
            # ("French-made Bastion armoured vehicles" were made in France)
            words = gap[2:] if gap[:2].text.lower() in ("-made", "- made", "-built") else gap
            if 0 <= a - db <= 4 and iso and all(
                    (t.is_alpha or (t.text[:1].isupper() and t.text.isalnum()))
                    and t.i not in busy for t in words):
                return doc[da:db].text, iso, doc[da].idx
    return None


def _ship_span(s: Sentence, doc) -> tuple[int, int] | None:
    return (s.ships[0][0], s.ships[0][1]) if s.ships else None


def _pluperfect(doc, a: int, b: int) -> bool:
    """Whether a movement between tokens ``a`` and ``b`` is told as earlier ("had been").

    "the cargo transported from Iran to Armenia ... had been delivered to the port
    of Bandar Abbas": the second movement came before the first, so it does not
    continue from where the first ended.
    """
    return any(doc[k].lower_ == "had" for k in range(a, b))
