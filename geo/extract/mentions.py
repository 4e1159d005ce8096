"""Mentions in one sentence: places with their roles, equipment, cues."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from geo.extract.places import Place
from geo.extract.ships import ship_names
from geo.extract.text import title_case

__all__ = ["Mention", "Sentence", "read_sentence"]

#: tokens that may stand between a role word and its place ("to a base in ...")
_WINDOW = 8
#: "Tripoli-based", "Turkey-backed": the place describes someone, it is not a stop
_QUALIFIERS = {"based", "backed", "supported", "funded", "aligned", "led", "controlled",
               "held", "born", "made", "built"}
#: words after a place name that belong to the place, not to another proper name
_SITE_WORDS = {"airport", "port", "airbase", "base", "air", "naval", "airfield", "province",
               "provinces", "governorate", "city", "region", "harbour", "harbor", "international"}
#: "BEIRUT, LEBANON (10:20 P.M.) \u2013", "NIAMEY, Niger\u2014": where it was filed, not a stop
_DATELINE = re.compile(r"[A-Z][A-Z'.-]+(?:\s[A-Z][A-Z'.-]+)*,\s*[A-Z][\w'.-]+(?:\s[A-Z][\w'.-]+)*"
                       r"\s*(?:\([^)]{0,30}\))?\s*[\u2013\u2014-]")
_STOP_PUNCT = {",", ";", ":", ".", "(", ")", "\u2014", "\u2013", "“", "”", '"'}


@dataclass
class Mention:
    """A place written in the text, with the role the sentence gives it."""

    text: str  # the place as written
    start: int  # token index
    end: int
    char_start: int
    char_end: int
    place: Place | None
    role: str = ""  # from | to | via | presence | false_dest | locative | qualifier | ""
    unnamed: str = ""  # "bases in eastern Libya": an unnamed site inside ``place``
    cue: str = ""  # the role word as written
    cue_start: int = -1
    country: str = ""  # ISO code of an unnamed site's country ("Syrian bases")
    coord: bool = False  # shares the role of the place before it ("Russia and Syria")
    onward: bool = False  # passed before "and on to" the next destination (a via place)
    between: bool = False  # the first of "between A and B" (B is the destination)


@dataclass
class Sentence:
    """Everything the leg assembler needs from one sentence."""

    span: object  # spaCy Span
    places: list[Mention] = field(default_factory=list)
    equipment: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, key
    demonyms: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, ISO
    actors: list[tuple[int, int, str]] = field(default_factory=list)
    cues: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # kind -> spans
    unnamed_to: list[Mention] = field(default_factory=list)  # "to base housing ..."
    ships: list[tuple[int, int, str]] = field(default_factory=list)  # ship names
    text: str = ""  # the whole report

    def has(self, kind: str) -> bool:
        """Whether the sentence has a cue of ``kind``."""
        return bool(self.cues.get(kind))

    def cue_texts(self, kind: str) -> list[str]:
        """Return the cue phrases of ``kind`` as written, in order."""
        doc = self.span.doc
        return [doc[s:e].text for s, e in self.cues.get(kind, [])]


def read_sentence(pipe, sent, world_spans, cue_matches, resolve) -> Sentence:
    """Collect the mentions of ``sent`` and give each place its role."""
    doc = sent.doc
    out = Sentence(sent)
    for ent in sent.ents:
        if ent.label_ == "EQUIP":
            out.equipment.append((ent.start, ent.end, ent.ent_id_))
        elif ent.label_ == "DEMONYM":
            out.demonyms.append((ent.start, ent.end, pipe.lexicon.demonyms.get(ent.text, "")))
        elif ent.label_ == "ACTOR":
            out.actors.append((ent.start, ent.end, ent.text))
        elif ent.label_ == "PLACE":
            out.places.append(_mention(ent.start, ent.end, doc, resolve))
    for a, b in world_spans:
        if sent.start <= a and b <= sent.end:
            out.places.append(_mention(a, b, doc, resolve))
    out.places.sort(key=lambda m: m.start)
    for kind, s, e in cue_matches:
        if sent.start <= s and e <= sent.end:
            out.cues.setdefault(kind, []).append((s, e))
    for spans in out.cues.values():
        spans.sort()
    _drop_ship_names(out, doc)
    _demonym_capitals(pipe, out, doc)
    _town_in_country(pipe, out, doc)
    _roles(out, doc)
    _locative_runs(out, doc)
    _pickups(out)
    _origin_list(out, doc)
    _members(out, doc)
    _coordinate(out, doc)
    _passed_before_onward(out, doc)
    _seas_on_the_way(out)
    _unnamed_destinations(out, doc)
    return out


def _demonym_capitals(pipe, out: Sentence, doc) -> None:
    """'driven by road to the Malian capital': Bamako, a place like any named one."""
    taken = {t for m in out.places for t in range(m.start, m.end)}
    for a, b, iso in out.demonyms:
        if not iso or b >= out.span.end or doc[b].lower_ != "capital" or a in taken:
            continue
        place = pipe.places.capital(iso)
        if place is not None:
            span = doc[a:b + 1]
            out.places.append(Mention(span.text, a, b + 1, span.start_char, span.end_char,
                                      place))
    out.places.sort(key=lambda m: m.start)


def _town_in_country(pipe, out: Sentence, doc) -> None:
    """'St. Petersburg, Russia': the town of that name in the country written after it.

    A place followed by ", <country>" is resolved again among the places of its
    name in that country (when there is one), whatever the report's other
    countries weigh.
    """
    for m, c in zip(out.places, out.places[1:], strict=False):
        if c.start != m.end + 1 or doc[m.end].text != "," or c.place is None or \
                c.place.kind != "country" or m.place is None or m.unnamed or \
                m.place.country == c.place.country:
            continue
        there = [p for p in pipe.places.candidates(m.text) if p.country == c.place.country]
        if there:
            m.place = max(there, key=lambda p: (p.curated, p.population))


def _seas_on_the_way(out: Sentence) -> None:
    """Make a sea or strait named as a destination before a later one a via point.

    "towards Mediterranean en route from Novorossiysk to Tartus": passed, not a stop.
    """
    tos = [m for m in out.places if m.role == "to"]
    for m in tos[:-1]:
        p = m.place
        if p is not None and p.kind == "region" and (not p.country or "strait" in
                                                       (p.name or "").lower() or
                                                       p.id in ("bosphorus", "dardanelles")):
            m.role = "via"


def _drop_ship_names(out: Sentence, doc) -> None:
    """Drop ship names from places and equipment ("Amazon", "Sparta" are carriers)."""
    out.ships = ship_names(out.span)
    if not out.ships:
        return

    def inside(char: int) -> bool:
        return any(a <= char < b for a, b, _ in out.ships)

    out.places = [m for m in out.places if not inside(m.char_start)]
    out.equipment = [e for e in out.equipment if not inside(doc[e[0]].idx)]


def _origin_list(out: Sentence, doc) -> None:
    """'named Wilmington and Beaumont as the ports of shipment': each place is an origin.

    The places of a list ("A and B", "A, B and C") that ends right before an
    ``origin_list`` cue, whatever role the words before them gave.
    """
    for cue, _ in out.cues.get("origin_list", []):
        run: list[Mention] = []
        end = cue
        for m in reversed(out.places):
            if m.end > end:
                continue
            gap = [t.lower_ for t in doc[m.end:end]]
            if m.end != end and not (run and gap and all(g in ("and", "or", ",") for g in gap)):
                break
            run.insert(0, m)
            end = m.start
        for n, m in enumerate(run):
            m.role, m.cue, m.cue_start, m.coord = "from", doc[cue:cue + 1].text, cue, n > 0
            m.unnamed = ""


#: words between a role word and "among them" ("from Emirati military bases, among them")
_MEMBERS_GAP = 6


def _members(out: Sentence, doc) -> None:
    """'departed from Emirati bases, among them Sweihan air base ... and the base at Assab'.

    The places listed after a ``members`` cue ("among them", "including") take the
    role of the role word (from/to/via) at most :data:`_MEMBERS_GAP` words before
    the cue, with no place between (what the list belongs to is unnamed): the first
    place of each item of the list ("A and B", "A, B"), unless it has a role of its own.
    """
    roles = sorted((s, e, kind) for kind in ("from", "to", "via")
                   for s, e in out.cues.get(kind, []))
    for cue, cue_end in out.cues.get("members", []):
        before = [(s, e, k) for s, e, k in roles if e <= cue and cue - e <= _MEMBERS_GAP
                  and not any(t.text in (";", ":", ".") for t in doc[e:cue])
                  and not any(e <= m.start < cue for m in out.places)]
        if not before:
            continue
        s, e, kind = before[-1]
        if doc[s:e].text.lower() in ("by", "for"):
            continue
        items: list[list[Mention]] = [[]]
        for t in doc[cue_end:out.span.end]:
            if t.text in (";", ":", "."):
                break
            if t.lower_ in ("and", "or", ","):
                items.append([])
                continue
            m = next((m for m in out.places if m.start == t.i), None)
            if m is not None:
                items[-1].append(m)
        n = 0
        for item in items:
            m = next((m for m in item if m.role != "qualifier"), None)
            if m is None or m.role in ("from", "to", "via"):
                continue
            m.role, m.cue, m.cue_start, m.coord = kind, doc[s:e].text, s, n > 0
            n += 1


def _passed_before_onward(out: Sentence, doc) -> None:
    """Make a destination before 'and on to' a via place ('towards Egypt and on to Libya')."""
    for cue, _ in out.cues.get("onward", []):
        before = [m for m in out.places if m.end <= cue]
        if before and before[-1].role == "to" and all(
                t.lower_ in (",", "then") for t in doc[before[-1].end:cue]):
            before[-1].role, before[-1].onward = "via", True


def _coordinate(out: Sentence, doc) -> None:
    """'from Russia and Syria', 'to Sirte and Jufra': the second place shares the role."""
    for k in range(1, len(out.places)):
        m, j = out.places[k], k - 1
        while j > 0 and out.places[j].role == "qualifier":  # "to A in B and C": C is like A
            j -= 1
        prev, last = out.places[j], out.places[k - 1]
        if m.role in ("", "presence", "qualifier") and prev.role in ("from", "to", "via") and \
                m.start - last.end <= 2 and m.start - last.end >= 1:
            if last is not prev and last.role != "qualifier":
                continue
            prev_end = last.end
            gap = [t.lower_ for t in doc[prev_end:m.start]]
            if gap == [","] and _country_of(m, last):
                m.role = "qualifier"  # "to Astrakhan, Russia": the country of the place before
                continue
            if prev.between and gap == ["and"]:
                # "between Syria and Libya": the order written gives the direction
                m.role, m.cue, m.cue_start = "to", prev.cue, prev.cue_start
                m.unnamed = ""
                continue
            if gap and gap[-1] in ("and", "or", ",", "&", "et", "ou") and all(
                    g in ("and", "or", ",", "&", "et", "ou") for g in gap):
                m.role, m.cue, m.cue_start, m.coord = prev.role, prev.cue, prev.cue_start, True
                m.unnamed = ""


def _appositive(doc, out: Sentence, pos: int, place_end: set[int]) -> bool:
    """Tell whether the words before ``pos`` describe the place named just before them.

    "Baltiysk, a major Russian naval base in ...": ", a/an/the" right after a place.
    """
    for k in range(pos - 1, max(out.span.start, pos - 8), -1):
        if doc[k].text in _STOP_PUNCT:
            return doc[k].text == "," and k in place_end and k + 1 < pos and \
                doc[k + 1].lower_ in ("a", "an", "the", "one")
    return False


def _country_of(m: Mention, last: Mention) -> bool:
    """Tell whether ``m`` is the country that holds the place just before it."""
    p, q = m.place, last.place
    return p is not None and q is not None and p.kind == "country" and \
        q.kind != "country" and bool(p.country) and p.country == q.country


def _mention(a: int, b: int, doc, resolve) -> Mention:
    span = doc[a:b]
    place = resolve(span.text)
    inside = isinstance(place, tuple)  # ("inside", town): a base placed in its town
    if inside:
        place = place[1]
    m = Mention(span.text, a, b, span.start_char, span.end_char, place)
    if inside:
        m.unnamed = span.text
    if place is None:  # a base named in the text that no table resolves: "?Chkalovsky airfield"
        m.unnamed = span.text
    return m


def _cue_ending_at(out: Sentence, kinds: tuple[str, ...], pos: int) -> tuple[str, int, int] | None:
    best = None
    for kind in kinds:
        for s, e in out.cues.get(kind, []):
            if e == pos and (best is None or e - s > best[2] - best[1]):
                best = (kind, s, e)
    return best


def _roles(out: Sentence, doc) -> None:
    base_tokens = {t for s, e in out.cues.get("base", []) for t in range(s, e)}
    place_end = {m.end for m in out.places}
    place_start = {m.start for m in out.places}
    # "Syria's Latakia": a town or site after a possessive is the place, not a party
    town_start = {m.start for m in out.places if m.place is not None
                  and m.place.kind not in ("country", "region")}
    by_start = {m.start: m for m in out.places}
    move_tokens = {t for s, e in out.cues.get("move", []) for t in range(s, e)}
    buy = out.has("from") and any(
        doc[s:e].text.lower() in ("purchased from", "bought from") for s, e in out.cues["from"]
    )
    head = _DATELINE.match(out.span.text)
    dateline_end = out.span.start_char + head.end() if head else -1
    headline = title_case(out.span)  # "N. Korea May Have Started ...": no longer name
    for m in out.places:
        nxt = doc[m.end].text.lower() if m.end < len(doc) else ""
        nxt2 = doc[m.end + 1].lower_ if m.end + 1 < len(doc) else ""
        dateline = (m.start == out.span.start and nxt in (",", "\u2013", "\u2014", "(", "[")) \
            or m.char_end <= dateline_end
        nxt_tok = doc[m.end] if m.end < len(doc) else None
        in_name = nxt_tok is not None and nxt_tok.is_alpha and nxt_tok.text[:1].isupper() and \
            nxt_tok.lower_ not in _SITE_WORDS and m.end not in place_start and not headline
        in_name = in_name or (nxt == "-" and m.end + 1 in place_start)  # "Sirte-Jufra Room"
        if in_name and not _is_trip_pair(doc, m, out):
            m.role = "qualifier"
            continue
        to_owner = _cue_ending_at(out, ("to",), m.start) if nxt in ("\u2019s", "'s") else None
        if to_owner and _idiom(doc, to_owner) == "stop":
            to_owner = None  # "linked to Moscow's armed forces": a tie, not a receiver
        owner_end = m.end + 1
        while to_owner and owner_end < out.span.end and owner_end < m.end + 6 and \
                doc[owner_end].text[:1].isupper() and owner_end not in town_start:
            owner_end += 1  # "Sudan's Rapid Support Forces", "Turkey's Mediterranean port"
        later = any(owner_end <= q <= m.end + _WINDOW for q in place_start)
        if to_owner and (owner_end > m.end + 1 or not later) and \
                doc[to_owner[1]:to_owner[2]].text.lower() not in _NOT_OWNER_CUES:
            # "equipment to Sudan's Rapid Support Forces": a named party in Sudan receives
            # it ("to Russia's naval facility in Tartus" is Tartus: lower case, no party)
            m.role, m.cue, m.cue_start = "to", doc[to_owner[1]:to_owner[2]].text, to_owner[1]
            if owner_end > m.end + 1:
                m.unnamed = doc[m.start:owner_end].text
            continue
        if nxt.lstrip("-") == "bound" or (nxt == "-" and nxt2 == "bound"):
            # "Yemen-bound weapons shipments": where they were going
            m.role, m.cue, m.cue_start = "to", "-bound", m.end
            continue
        if nxt.lstrip("-") in _QUALIFIERS or (nxt == "-" and nxt2 in _QUALIFIERS) or \
                nxt in ("\u2019s", "'s", "\u2019", "'") or dateline:
            m.role = "qualifier"
            continue
        prev = doc[m.start - 1].lower_ if m.start > out.span.start else ""
        if prev in _GIVE and m.start - 1 in move_tokens and nxt.isalpha() and \
                nxt not in ("to", "from", "via", "and", "through"):
            # "it sends Sudan aid through Chad": the one given to is the destination
            m.role, m.cue, m.cue_start = "to", doc[m.start - 1].text, m.start - 1
            continue
        pos = m.start
        unnamed_from = None
        for back in range(_WINDOW):
            if pos <= out.span.start:
                break
            hit = _cue_ending_at(out, ("false_dest", "locative"), pos)
            if hit:
                m.role, m.cue, m.cue_start = hit[0], doc[hit[1]:hit[2]].text, hit[1]
                break
            hit = _cue_ending_at(out, ("from", "to", "via"), pos)
            idiom = _idiom(doc, hit) if hit else ""
            if idiom == "stop":
                break  # "according to the Defense Intelligence of Ukraine"
            if idiom == "skip":
                hit = None  # "l'aéroport de Niamey": "de" is "of" here
            if hit and hit[0] == "to" and doc[hit[1]:hit[2]].text.lower() == "by" and \
                    _cue_ending_at(out, ("agent",), hit[1]):
                break  # "an air base run by the UAE": who runs it, not a stop
            if hit and not (hit[0] == "to" and doc[hit[1]:hit[2]].text.lower() == "by"
                            and not buy):
                if doc[hit[1]:hit[2]].text.lower() == "for" and not (
                    hit[1] - 1 in move_tokens or "bound" in doc[hit[1]:hit[2]].text.lower()
                    or _departed_before(out, doc, hit[1])
                ):
                    break
                m.role, m.cue, m.cue_start = hit[0], doc[hit[1]:hit[2]].text, hit[1]
                if unnamed_from is not None:
                    m.unnamed = doc[hit[2]:m.end].text
                break
            hit = _cue_ending_at(out, ("presence",), pos)
            if hit and not m.role:
                if hit[1] in place_end and _coarser(m, out, hit[1]):
                    m.role = "qualifier"  # "Ramstein airbase in Germany"
                    break
                if any(t in base_tokens for t in range(max(out.span.start, hit[1] - 4), hit[1])):
                    unnamed_from = hit[1]  # "bases in eastern Libya": keep looking for to/from
                elif back <= 3 and _near_move_or_thing(out, hit[1]):
                    m.role, m.cue, m.cue_start = "presence", doc[hit[1]:hit[2]].text, hit[1]
                    break
            hit = _cue_ending_at(out, ("between",), pos)
            if hit and back == 0 and m.end + 1 in by_start and doc[m.end].lower_ == "and" \
                    and _moving_before(out, doc, hit[1]):
                # "shuttling between Syria and Libya": the first is the origin, the place
                # after "and" the destination (_coordinate)
                m.role, m.cue, m.cue_start = "from", doc[hit[1]:hit[2]].text, hit[1]
                m.between = True
                break
            tok = doc[pos - 1]
            if tok.text in ("'s", "\u2019s") and (pos - 1) in place_end:
                # "flew to Syria's Latakia": the role word before the owner is Latakia's
                owner = next(q for q in out.places if q.end == pos - 1)
                pos = owner.start
                continue
            if tok.text in _STOP_PUNCT or (pos - 1) in place_end or (pos - 1) in move_tokens:
                break
            pos -= 1
        if m.role in ("from", "to", "via") and not m.unnamed:
            between = doc[(m.cue_start + len(m.cue.split())):m.start]
            if any(t.i in base_tokens for t in between) and m.place is not None and \
                    m.place.kind in ("country", "region"):
                m.unnamed = doc[between.start:m.end].text if len(between) else ""
        if m.role == "" and unnamed_from is not None and _appositive(doc, out, unnamed_from,
                                                                   place_end):
            m.role = "qualifier"  # "from Baltiysk, a major Russian naval base in Kaliningrad"
            continue
        if m.role == "" and unnamed_from is not None:
            m.role, m.cue = "presence", doc[unnamed_from].text
            k = unnamed_from
            while (k > out.span.start and (k - 1) in base_tokens) or (
                    k > out.span.start and doc[k - 1].lower_ in ("upgrading", "its", "the")):
                k -= 1
            if m.place is not None and m.place.kind in ("country", "region", "city", "town"):
                m.unnamed = doc[k:m.end].text


def _locative_runs(out: Sentence, doc) -> None:
    """'based in the Red Sea port city of Mocha': the place that names a locative one is too.

    A place with no role right after a ``locative`` one, only words between
    (at most four: "city of"), describes the same spot: never a stop.
    """
    for a, b in zip(out.places, out.places[1:], strict=False):
        gap = doc[a.end:b.start]
        if a.role == "locative" and b.role == "" and len(gap) <= 4 and \
                all(t.is_alpha for t in gap):
            b.role, b.cue, b.cue_start = "locative", a.cue, a.cue_start


def _pickups(out: Sentence) -> None:
    """Make a place a trip was made to fetch cargo from an origin ("to Dover to pick up")."""
    starts = {s for s, _ in out.cues.get("pickup", [])}
    for m in out.places:
        if m.role == "to" and (m.end in starts or m.end + 1 in starts):
            m.role = "from"


#: role words after which "X's Y" names no receiving party in X: "by", and the words of
#: purpose ("for", "intended for Russia's Africa Corps", which serves in Libya), unlike
#: those of destination ("destined for Yemen's Houthis", "to Sudan's RSF")
_NOT_OWNER_CUES = frozenset({"by", "for", "meant for", "intended for"})
#: verbs whose first object is the receiver: "sends Sudan aid", "supplied Mali drones"
_GIVE = {"send", "sends", "sent", "sending", "supply", "supplies", "supplied", "supplying",
         "deliver", "delivers", "delivered", "delivering", "give", "gives", "gave"}
_NOT_TO = {"according", "thanks", "due", "next", "close", "similar", "compared", "prior",
           "addition", "relation", "respect", "owing", "contrary", "access",
           # ties, not destinations: "a plane linked to Moscow's armed forces"
           "linked", "tied", "related", "connected", "belonging", "loyal", "allied",
           # "rail traffic points to North Korea supplying arms to Russia"
           "points", "point", "pointing", "pointed",
           # a person's tie: "an aide to President Zelensky said Iran had ..."
           "aide", "aides", "adviser", "advisers", "advisor", "advisors", "assistant",
           "envoy", "ambassador", "ambassadors", "spokesman", "spokeswoman", "spokesperson"}
#: recipients named by a demonym: "to a Libyan warlord", "to the Sudanese army"
_PARTIES = {"warlord", "warlords", "army", "armies", "militia", "militias", "junta", "forces",
            "government", "rebels", "military", "commander", "paramilitaries"}
_NOT_FROM = {"footage", "images", "image", "video", "videos", "photos", "photographs",
             "pictures", "imagery", "correspondent", "residents", "witnesses", "sources"}
#: "to the port manager", "the base commander": a person, not an unnamed site
_PEOPLE = {"manager", "managers", "official", "officials", "authority", "authorities",
           "director", "chief", "commander", "commanders", "workers", "staff", "police",
           "security", "spokesman", "spokesperson", "employees", "sources"}
_BASE_NOUNS_FR = {"aéroport", "l\u2019aéroport", "l'aéroport", "port", "base", "aérodrome"}


def _idiom(doc, hit) -> str:
    """'stop' for a role word in an idiom ("according to"), 'skip' for "aéroport de"."""
    kind, s, e = hit
    before = doc[s - 1].lower_ if s > 0 else ""
    word = doc[s:e].text.lower()
    if kind == "to" and word == "to" and before in _NOT_TO:
        return "stop"
    if kind == "from" and word == "from" and before in _NOT_FROM:
        return "stop"  # "footage from Amdjarass": where a picture was taken, not an origin
    return "skip" if kind == "from" and word == "de" and before in _BASE_NOUNS_FR else ""


def _is_trip_pair(doc, m: Mention, out: Sentence) -> bool:
    """'Libya-Mali trips': a hyphenated pair before a trip word is a route."""
    j = m.end
    while j < out.span.end and (doc[j].text == "-" or doc[j].text[:1].isupper()):
        j += 1
    return j < len(doc) and doc[j].lower_ in ("trip", "trips", "flight", "flights", "run",
                                               "runs", "route", "shuttle", "rotations")


_RANK = {"site": 0, "city": 1, "region": 2, "country": 3}


def _coarser(m: Mention, out: Sentence, end: int) -> bool:
    """Whether ``m`` is as coarse as the place ending at ``end`` ("Syria in Benina": no)."""
    first = next((p for p in out.places if p.end == end), None)
    if first is None or first.place is None or m.place is None:
        return True
    return _RANK.get(m.place.precision, 0) >= _RANK.get(first.place.precision, 0)


def _departed_before(out: Sentence, doc, pos: int) -> bool:
    """Whether a departure word comes before ``pos`` in its clause ("left Latakia for Libya")."""
    for _s, e in out.cues.get("depart", []):
        if e <= pos and not any(t.text in (";", ":") for t in doc[e:pos]):
            return True
    return False


def _moving_before(out: Sentence, doc, pos: int) -> bool:
    """Whether a movement or trip word comes right before ``pos`` ("shuttling between").

    "tensions between Caracas and Washington" is no route.
    """
    if any(0 <= pos - e <= 3 for _, e in out.cues.get("move", [])):
        return True
    return any(t.lower_ in _TRIP_WORDS for t in doc[max(out.span.start, pos - 3):pos])


_TRIP_WORDS = {"trip", "trips", "flight", "flights", "run", "runs", "route", "routes",
               "shuttle", "shuttles", "rotations", "airlift", "convoys", "voyages"}


def _near_move_or_thing(out: Sentence, pos: int) -> bool:
    """Tell whether a presence word follows a movement word or what moved."""
    if any(0 <= pos - e <= 6 for _, e in out.cues.get("move", [])):
        return True
    return any(0 <= pos - e <= 1 for _, e, _ in out.equipment)


#: words that end the description of an unnamed site ("the port with 365 trucks waiting":
#: "the port"); a participle of the ``agent`` cues ends it too ("a base run by ...")
_SITE_ENDS = frozenset({"before", "after", "to", "from", "where", "which", "and", "then", "using",
                        "by", "on", "in", "with", "carrying", "holding", "that", "who", "while",
                        "as", "amid", "during", "for"})


def _unnamed_destinations(out: Sentence, doc) -> None:
    """'transported to base housing Turkish personnel': a stop with no place name."""
    base_starts = {s: e for s, e in out.cues.get("base", [])}
    place_tokens = {t for m in out.places for t in range(m.start, m.end)}
    for kind in ("to", "from", "presence"):
        for s, e in out.cues.get(kind, []):
            if doc[s:e].text.lower() in ("by", "for"):
                continue
            j = e
            while j < min(out.span.end, e + 3) and doc[j].lower_ in ("a", "an", "the", "its",
                                                                     "their", "his", "one"):
                j += 1
            dem = next((d for d in out.demonyms if d[0] == j), None)
            if dem is not None and kind == "to" and dem[2] and dem[1] < out.span.end and \
                    doc[dem[1]].lower_ in _PARTIES:
                # "weaponry to a Libyan warlord": a recipient in that country, unnamed
                k = dem[1] + 1
                text = doc[e:k].text
                out.unnamed_to.append(Mention(text, e, k, doc[e].idx,
                                              doc[k - 1].idx + len(doc[k - 1].text), None,
                                              role=kind, unnamed=text, cue=doc[s:e].text,
                                              cue_start=s, country=dem[2]))
                continue
            if dem is not None and dem[1] in base_starts:
                k = base_starts[dem[1]]
                named = _named_after(out, doc, k)
                if named is not None:  # "to the Syrian port city of Tartous": Tartous
                    if not named.role or named.role == "presence":
                        named.role, named.cue, named.cue_start = kind, doc[s:e].text, s
                    continue
                text = doc[e:k].text
                out.unnamed_to.append(Mention(text, e, k, doc[e].idx,
                                              doc[k - 1].idx + len(doc[k - 1].text), None,
                                              role=kind, unnamed=text, cue=doc[s:e].text,
                                              cue_start=s, country=dem[2]))
                continue
            if j in base_starts and not any(t in place_tokens for t in range(e, e + _WINDOW)) \
                    and not (base_starts[j] < out.span.end
                             and doc[base_starts[j]].lower_ in _PEOPLE):
                k = base_starts[j]
                agents = {a for a, _ in out.cues.get("agent", [])}
                while k < out.span.end and k < j + 7 and doc[k].text not in _STOP_PUNCT and \
                        doc[k].lower_ not in _SITE_ENDS and k not in agents:
                    k += 1
                text = doc[e:k].text
                m = Mention(text, e, k, doc[e].idx, doc[k - 1].idx + len(doc[k - 1].text), None,
                            role=kind, unnamed=text, cue=doc[s:e].text, cue_start=s)
                out.unnamed_to.append(m)


def _named_after(out: Sentence, doc, k: int) -> Mention | None:
    """Return the place that names an unnamed site ("port city of Tartous")."""
    while k < out.span.end and doc[k].lower_ in ("city", "town"):
        k += 1
    if k < out.span.end and doc[k].lower_ == "of":
        return next((m for m in out.places if m.start == k + 1), None)
    return None
