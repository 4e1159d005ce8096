"""What a candidate leg carries besides its ends, and how sure it is.

Equipment, quantity, carrier and registrations, mode, status from
hedging, actor; a city standing for its base; the date nearest the
leg's stops; the confidence score; one candidate per (from, to, date).
"""

from __future__ import annotations

import re

from geo.extract.candidate import Candidate
from geo.extract.events import _ship_span
from geo.extract.mentions import Sentence

_STATUS_RANK = ("planned", "alleged", "assessed", "reported", "confirmed")
_GENERIC = {"military equipment", "ammunition and weapons"}
_REG_RE = re.compile(r"\b(?:RA|RF|EW|UR|UP|EK|4K|YK|ST|TT|5A|EX|EY|TC|A6|SU|LZ|ER|9L|3C|UN|EP)"
                     r"-\d{4,5}\b|\b(?:RFF|RSD|RCH|IAM|TUAF)\d{3,5}\b")


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
    # A sentence telling two legs ("unloaded at the port of Conakry ... from two Russian
    # ships ... then driven by road to the Malian capital"): a leg whose two ends it names
    # takes the last mode word between them.
    lo, hi = cand.frm.pos, cand.to.pos
    if s.span.start_char <= lo < hi <= s.span.end_char:
        between = [
            (doc[a].idx, v)
            for kind in ("move", "mode")
            for a, b in s.cues.get(kind, [])
            if a not in in_names and lo < doc[a].idx < hi
            and (v := pipe.lexicon.cues[kind].get(doc[a:b].text.lower(), ""))
            and (kind == "mode" or v)
        ]
        if between:
            cand.mode = max(between)[1]
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


def _confidence(c: Candidate) -> None:
    score = 0.4
    why = []
    for label, stop in (("origin", c.frm), ("destination", c.to)):
        if stop.place is not None and not stop.unnamed:
            score += 0.15
            why.append(f"{label} named and resolved")
        elif stop.note == "unresolved":
            why.append(f"{label} named, but in no gazetteer or world table")
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


def quantity_before(text: str) -> str:
    """Return the quantity written before equipment ("as many as 2,500": "up to 2500")."""
    rx = re.compile(r"(?:(as many as|up to|about|some|around|at least|nearly|more than)\s+)?"
                    r"(\d[\d,]*(?:\s*(?:to|-|\u2013)\s*\d[\d,]*)?|one|two|three|four|five|six|seven|"
                    r"eight|nine|ten|dozens of|several)\s+(?:[\w-]+\s+){0,3}$", re.I)
    m = rx.search(text)
    if not m:
        return ""
    words = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
             "seven": "7", "eight": "8", "nine": "9", "ten": "10"}
    q = m.group(2).lower()
    q = words.get(q, q)
    q = re.sub(r"\s*(?:to|\u2013)\s*", "-", q).replace(",", "").replace(" - ", "-")
    if q in ("dozens of", "several"):
        return q.replace(" of", "")
    if m.group(1) and m.group(1).lower() in ("as many as", "up to"):
        q = f"up to {q}"
    elif m.group(1):
        q = f"{m.group(1).lower()} {q}"
    return q
