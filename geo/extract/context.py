"""Fill what a leg's own sentence leaves open from the rest of the report.

A report often says what moved, who moved it and when once, and then tells
the movements in later sentences that name only the places ("Between April
19 and April 21, three aircraft of the Canadian Air Force delivered military
cargo to Ukraine. ... Another C-17 landed in Lviv."). A candidate whose
sentence names no equipment, actor or date takes them from the report,
nearest first, and says where each came from in ``filled`` (a review column
`movemap add` never writes), so nothing is a silent fix:

* **equipment** (and its category): the nearest earlier sentence that names
  cargo, else the next sentence; else ``(not described)``, category
  ``other`` (what the briefing slide shows when a report gives nothing);
* **actor**: a demonym before a force word in the leg's own sentence ("of
  the Canadian Air Force": ``Canadian military``; ``force`` rows of
  ``cues.csv``), else the nearest earlier sentence's actor; an actor of
  another country than the leg's origin country is not borrowed ("the U.S.
  Air Force" is not who flew "from the UK"), nor one from a question ("Supporting
  Wagner?" asserts nothing); else ``unknown``;
* **date**: "recently"-style words (``recent`` rows of ``cues.csv``) are
  about the publication date (``2024-06-12~``, the precision it was given
  at); a sentence telling other, earlier movements (``undated`` rows: "to
  date", "so far", "other similar") takes no earlier sentence's date; else
  the date of the nearest earlier sentence that gives one, with
  its phrase in ``date_as_reported``; else "by publication"
  (``../2024-06-12``). Without a publication date an undated leg stays
  undated and `movemap add` refuses it, naming the cell.
"""

from __future__ import annotations

from geo.extract.candidate import Candidate
from geo.extract.dates import Published, find_dates
from geo.extract.mentions import Sentence

__all__ = ["NOT_DESCRIBED", "UNKNOWN_ACTOR", "fill_from_context"]

#: Equipment of a leg whose report never says what moved.
NOT_DESCRIBED = "(not described)"
#: Actor of a leg whose report never says who moved it (the ledger's word).
UNKNOWN_ACTOR = "unknown"
_QUOTE = 48  # characters of a sentence quoted in ``filled``


def fill_from_context(pipe, cands: list[Candidate], sentences: list[Sentence], doc,
                      *, published: Published | None) -> None:
    """Fill empty equipment, category, actor and date cells from the report (in place)."""
    for c in cands:
        notes: list[str] = []
        if not c.equipment:
            notes.append(_fill_equipment(pipe, c, sentences, doc))
        if not c.actor:
            notes.append(_fill_actor(pipe, c, sentences, doc))
        if not c.date:
            note = _fill_date(c, sentences, published)
            if note:
                notes.append(note)
        c.filled = "; ".join(notes)
        c.reasons.extend(f"filled from context: {n}" for n in notes)


def _where(sentences: list[Sentence], k: int) -> str:
    text = " ".join(sentences[k].span.text.split())
    short = text if len(text) <= _QUOTE else text[:_QUOTE].rstrip() + " …"
    return f"sentence {k + 1} ('{short}')"


def _order(i: int, n: int, *, after: bool) -> list[int]:
    """Sentences to look in: the earlier ones nearest first, then the next one."""
    return list(range(i - 1, -1, -1)) + ([i + 1] if after and i + 1 < n else [])


def _cargo(pipe, s: Sentence) -> list:
    return [pipe.equipment[k] for _, _, k in s.equipment if not pipe.equipment[k].carrier]


def _fill_equipment(pipe, c: Candidate, sentences: list[Sentence], doc) -> str:
    for k in _order(c.sentence, len(sentences), after=True):
        cargo = _cargo(pipe, sentences[k])
        if cargo:
            c.equipment = "; ".join(dict.fromkeys(e.label for e in cargo))
            c.category = cargo[0].category
            return f"equipment, category: {_where(sentences, k)}"
    c.equipment, c.category = NOT_DESCRIBED, "other"
    return "equipment: the report does not say what moved"


def _forces(pipe, s: Sentence, doc) -> list[tuple[str, str]]:
    """(actor, country) pairs a sentence names: actors.csv phrases, "Canadian Air Force"."""
    out = []
    for _, _, phrase in s.actors:
        name = pipe.lexicon.actors.get(phrase, (phrase, ""))[0]
        out.append((name, _country_of(pipe, name)))
    starts = {a for a, _ in s.cues.get("force", [])}
    named = {k.lower(): v[0] for k, v in pipe.lexicon.actors.items()}
    for a, b, iso in s.demonyms:
        if b in starts:
            phrase = f"{doc[a:b].text} military"
            out.append((named.get(phrase.lower(), phrase), iso))
    return out


def _country_of(pipe, actor: str) -> str:
    """Return the country an actor's name starts with ("British military": GB), else ""."""
    words = actor.split()
    for n in range(len(words), 0, -1):
        iso = pipe.lexicon.demonyms.get(" ".join(words[:n]))
        if iso:
            return "" if "|" in iso else iso  # "Korean" may be either Korea
    return ""


def _question(s: Sentence) -> bool:
    """Whether the sentence asks (ends with a question mark, quotes aside)."""
    return s.span.text.rstrip().rstrip("\"')\u201d\u2019").endswith("?")


def _fill_actor(pipe, c: Candidate, sentences: list[Sentence], doc) -> str:
    origin = c.frm.place
    country = origin.country if origin is not None and origin.kind == "country" else ""
    for k in [c.sentence, *_order(c.sentence, len(sentences), after=False)]:
        if k != c.sentence and _question(sentences[k]):
            continue  # "Supporting Wagner?": a headline that asks asserts no actor
        for actor, iso in _forces(pipe, sentences[k], doc):
            if iso and country and iso != country:
                continue  # "the U.S. Air Force" did not fly "from the UK"
            c.actor = actor
            return f"actor: {_where(sentences, k)}"
    c.actor = UNKNOWN_ACTOR
    return "actor: the report does not say who moved it"


def _fill_date(c: Candidate, sentences: list[Sentence], published: Published | None) -> str:
    s = sentences[c.sentence]
    if published is not None and s.has("recent"):
        word = s.cue_texts("recent")[0]
        c.date, c.date_as_reported = f"{published.text}~", word
        return f"date: '{word}', about the publication date {published.text}"
    # "To date, two other similar flights have taken place": not the flight dated before
    undated = s.cue_texts("undated")[:1]
    for k in [] if undated else _order(c.sentence, len(sentences), after=False):
        dated = [m for m in find_dates(sentences[k].span.text, published=published) if m.edtf]
        if dated:
            c.date, c.date_as_reported = dated[0].edtf, dated[0].text
            return f"date: {_where(sentences, k)}"
    if published is None:
        return ""
    c.date = f"../{published.text}"
    if undated:
        return (f"date: '{undated[0]}' tells movements other than those dated before; by the "
                f"report's publication ({published.text})")
    return f"date: not in the report; by its publication ({published.text})"
