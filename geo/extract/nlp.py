"""The spaCy pipeline: tokenizer, sentences, and rule-based entities.

``spacy.blank("en")`` only (no model weights): a sentencizer that also
breaks at line ends, an EntityRuler fed with the curated gazetteer's names
(``PLACE``), the equipment lexicon (``EQUIP``), demonyms (``DEMONYM``) and
actors (``ACTOR``); every pattern is tokenized by spaCy's own tokenizer, so
"al-Khadim" (three tokens) matches as written. Towns and countries of the
world table are found afterwards among capitalised token runs, a cheap
dictionary look-up instead of 60,000 patterns. Cue words are matched with a
PhraseMatcher on lower-cased tokens.
"""

from __future__ import annotations

import calendar
from functools import cache, lru_cache

from geo.extract.lexicon import Lexicon, load_lexicon
from geo.extract.places import Place, PlaceTable, load_places
from geo.extract.text import title_case

__all__ = ["Pipeline", "build_pipeline"]


class Pipeline:
    """A ready spaCy ``nlp`` plus the cue matcher and tables it was built from."""

    def __init__(self, lexicon: Lexicon, places: PlaceTable) -> None:
        import spacy
        from spacy.language import Language
        from spacy.matcher import PhraseMatcher

        self.lexicon = lexicon
        # "US", "Britain", "Burma": the other names of countries (patterns/countries.csv)
        places = places.with_countries(lexicon.countries)
        self.places = places
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        if "movemap_line_breaks" not in Language.factories:

            @Language.component("movemap_line_breaks")
            def _line_breaks(doc):  # a line end always ends a sentence
                for tok in doc[:-1]:
                    if "\n" in tok.text or "\n" in tok.whitespace_:
                        doc[tok.i + 1].is_sent_start = True
                return doc

        nlp.add_pipe("movemap_line_breaks")
        abbreviations = frozenset(lexicon.cues.get("abbreviation", {}))
        name = "movemap_abbreviations"
        if name not in Language.factories:

            @Language.factory(name, default_config={"words": []})
            def _abbreviations(nlp, name, words):
                known = frozenset(words)

                def keep_together(doc):  # "(reg. RA-82038)": the full stop ends nothing
                    for tok in doc[1:-1]:
                        if tok.text == "." and doc[tok.i - 1].lower_ in known and \
                                "\n" not in tok.whitespace_:
                            doc[tok.i + 1].is_sent_start = False
                    return doc

                return keep_together

        nlp.add_pipe(name, config={"words": sorted(abbreviations)})
        ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER",
                                                     "overwrite_ents": True})
        patterns = []
        for name in sorted(places.spellings):
            patterns.append({"label": "PLACE", "pattern": name})
        for eq in lexicon.equipment:
            for p in eq.patterns:
                for form in {p, p + "s"} if p[-1:].isdigit() else {p}:
                    patterns.append({"label": "EQUIP", "pattern": form, "id": eq.key})
        from geo.translit import fold as normalize  # normalize() on one name; no pandas

        place_keys = set(places.by_key)
        for phrase in lexicon.actors:
            if normalize(phrase) in place_keys:
                continue  # a country is a PLACE; its actor role is read from context
            patterns.append({"label": "ACTOR", "pattern": phrase})
        ruler.add_patterns(patterns)
        # Demonyms are case-sensitive ("US" the country, not "us").
        dem = nlp.add_pipe("entity_ruler", name="demonyms",
                           config={"overwrite_ents": False})
        dem.add_patterns([{"label": "DEMONYM", "pattern": [{"ORTH": w}]}
                          for d in lexicon.demonyms for w in [d] if " " not in d]
                         + [{"label": "DEMONYM", "pattern": [{"ORTH": t} for t in d.split()]}
                            for d in lexicon.demonyms if " " in d])
        name = "movemap_country_nouns"
        if name not in Language.factories:

            @Language.factory(name, default_config={"names": []})
            def _country_nouns(nlp, name, names):
                known = frozenset(names)

                def as_noun(doc):  # "from the US to Lviv" names the country; "US weapons" not
                    demonyms = {e.start for e in doc.ents if e.label_ == "DEMONYM"}
                    ents = [e for e in doc.ents if not (
                        e.label_ == "DEMONYM" and e.text in known
                        and _noun_at(doc, e.end, demonyms))]
                    if len(ents) != len(doc.ents):
                        doc.ents = ents
                    return doc

                return as_noun

        nlp.add_pipe(name, config={"names": sorted(set(lexicon.countries)
                                                   & set(lexicon.demonyms))})
        self.nlp = nlp
        self.cues = PhraseMatcher(nlp.vocab, attr="LOWER")
        for kind, phrases in lexicon.cues.items():
            self.cues.add(kind, list(nlp.tokenizer.pipe(sorted(phrases))))
        self.equipment = {eq.key: eq for eq in lexicon.equipment}

    def __call__(self, text: str):
        """Run the pipeline on ``text``; return the spaCy Doc."""
        return self.nlp(text)

    def world_places(self, doc, *, context=(), runs=None) -> tuple[list[tuple[int, int]], dict]:
        """Token spans (start, end) of capitalised runs naming a world place.

        Also the bases no town list has ("al-Khadim air base", "Gao
        airport"): a capitalised run next to a base word is looked up in
        the world tables (:func:`geo.resolve.resolve`, airfields and ports)
        with the report's countries as context. Returns the spans and, for
        those, the resolved places by their text.
        """
        found, extra = (list(runs), {}) if runs is not None else self._world_runs(doc)
        bases = self._base_runs(doc, [], context)
        bases += self._after_role_words(doc, found, bases, context)
        for span, place in bases:
            # "Gao airport" is the airport, not the town
            found = [f for f in found if f[1] <= span[0] or f[0] >= span[1]]
            found.append(span)
            # a world place the curated gazetteer holds is the curated place
            extra[doc[span[0]:span[1]].text] = (
                self.places.twin(place) if isinstance(place, Place) else place
            )
        return sorted(found), extra

    def _base_runs(self, doc, found, context):
        taken = {t.i for e in doc.ents for t in e} | {i for a, b in found for i in range(a, b)}
        out = []
        n = len(doc)
        i = 0
        while i < n:
            if doc[i].lower_ in _PORT_NOUNS and i + 2 < n and doc[i + 1].lower_ == "of":
                # "the North Korean port of Najin", "the ports of Vostochny and Dunai"
                named = self._names_after(doc, i + 2, taken, context)
                out.extend(named)
                i = named[-1][0][1] if named else i + 1
                continue
            j = i
            if doc[i].lower_ in ("al", "el", "ad", "as", "ash", "at", "az") and i + 2 < n and \
                    doc[i + 1].text == "-":
                j = i + 2
            k = _name_run(doc, j, n)
            if k == j or any(t in taken for t in range(i, k)) or (doc[j].is_sent_start and \
                    doc[j].text in ("The", "A", "An", "In", "On", "It")):
                i += 1
                continue
            words = [t.lower_ for t in doc[k:k + 2]]
            if words[:1] and words[0] in _BASE_ADJECTIVES and k + 1 < n:
                # "Benina International Airport", "the Chkalovsky military airfield"
                words = [t.lower_ for t in doc[k + 1:k + 3]]
                k_tail_extra = 1
            else:
                k_tail_extra = 0
            tail = 2 if words[:2] in (["air", "base"], ["naval", "base"]) else (
                1 if words[:1] and words[0] in ("airbase", "airport", "airfield", "port",
                                                "base") else 0)
            tail += k_tail_extra if tail else 0
            if tail and k + tail < n and doc[k + tail].lower_ == "of":
                tail = 0  # "the Black Sea port of Samsun": the name comes after
            if tail:
                place = _world_lookup(doc[i:k + tail].text, tuple(sorted(context)))
                if place is None:
                    # not resolved clearly: inside its town when the town is known
                    # ("?Bamako airport @ Bamako"), else kept as written ("?Chkalovsky airfield")
                    weights = dict.fromkeys(context, 1.0)
                    town = self.places.resolve(doc[i:k].text, countries=weights)
                    if town is None and k - i > 1 and doc[i].lower_ in _DIRECTIONS:
                        # "East Cairo Air Base": a compass word before the town's name
                        town = self.places.resolve(doc[i + 1:k].text, countries=weights)
                        town = town if town is not None and town.kind in ("town", "city") \
                            else None
                    # "Sweihan air base in the UAE": no town known, the area it is in
                    town = town or self._town_after_in(doc, k + tail, context) or \
                        self._area_after_in(doc, k + tail, context)
                    place = ("inside", town) if town is not None else None
                out.append(((i, k + tail), place))
                i = k + tail
                continue
            i = k if k > i else i + 1
        return out

    def _town_after_in(self, doc, k: int, context) -> Place | None:
        """Return the town in "Aye Lar airbase in Nay Pyi Taw" (a base no table holds)."""
        n = len(doc)
        if k + 1 >= n or doc[k].lower_ != "in":
            return None
        end = _name_run(doc, k + 1, n)
        if end == k + 1:
            return None
        town = self.places.resolve(doc[k + 1:end].text,
                                   countries=dict.fromkeys(context, 1.0))
        return town if town is not None and town.kind in ("town", "city") else None

    def _after_role_words(self, doc, found, bases, context) -> list:
        """Towns and ports no town list has, right after "at", "to", "from", "near".

        "containers collected at Najin": a capitalised run there is looked up in
        the world tables and kept only when it resolves clearly. A name no table
        resolves, followed by "in <area>" ("flew from NOBOSIBIRSK in southern
        Russia"), is kept as written, placed inside that area.
        """
        taken = {t.i for e in doc.ents for t in e} | {
            i for a, b in [*found, *(s for s, _ in bases)] for i in range(a, b)}
        out, n = [], len(doc)
        for i in range(n - 1):
            if doc[i].lower_ not in _ROLE_WORDS:
                continue
            k = i + 1
            while k < n and k < i + 4 and doc[k].text[:1].isupper() and doc[k].is_alpha and \
                    k not in taken and doc[k].lower_ not in _SITE_WORDS:
                k += 1
            if k == i + 1 or doc[i + 1].text in ("The", "A", "An") or \
                    doc[i + 1].lower_ in _NOT_TOWNS:
                continue
            caps = doc[i + 1].text.isupper()
            if caps and (k > i + 2 or len(doc[i + 1].text) < 6):
                continue  # "told MEE", "to AFP": an acronym is no town
            place = None if caps else _town_lookup(doc[i + 1:k].text, tuple(sorted(context)))
            if place is None:
                area = self._area_after_in(doc, k, context)
                place = ("inside", area) if area is not None else None
            if place is not None:
                out.append(((i + 1, k), place))
        return out

    def _area_after_in(self, doc, k: int, context) -> Place | None:
        """Return the country or region of "... in (southern) Russia" after a name, if any."""
        n = len(doc)
        if k + 1 >= n or doc[k].lower_ != "in":
            return None
        j = k + 1
        if doc[j].lower_ == "the" and j + 1 < n:  # "in the UAE"
            j += 1
        skip = j + 1 if doc[j].lower_ in _DIRECTIONS else j
        end = _name_run(doc, skip, n)
        if end == skip:
            return None
        weights = dict.fromkeys(context, 1.0)
        for a in dict.fromkeys((j, skip)):
            area = self.places.resolve(doc[a:end].text, countries=weights)
            if area is not None and area.kind in ("country", "region"):
                return area
        return None

    @staticmethod
    def _names_after(doc, i: int, taken: set[int], context) -> list:
        """Ports named after "port(s) of": each capitalised run, joined by "and" or ","."""
        out, n = [], len(doc)
        while i < n:
            k = i
            while k < n and k < i + 3 and doc[k].text[:1].isupper() and doc[k].is_alpha:
                k += 1
            if k == i or any(t in taken for t in range(i, k)):
                break
            place = _port_lookup(doc[i:k].text, tuple(sorted(context)))
            if place is None:
                break
            out.append(((i, k), place))
            if k + 1 < n and doc[k].lower_ in ("and", ",", "or"):
                i = k + 1
                continue
            break
        return out

    def _pair_of_places(self, doc, i: int, j: int) -> bool:
        """Tell whether a hyphen joins two places ('the Tehran-Moscow route'), not one name.

        ``doc[i:j]`` is a place and the hyphen at ``j`` joins it to another
        place, while the hyphenated whole names none ("Ben-Gurion" stays one name).
        """
        world = self.places.world
        return doc[j + 1].text in world and doc[i:j + 2].text not in world and \
            doc[i:j + 2].text.replace("-", " ") not in world

    def world_runs(self, doc):
        """Token spans of capitalised runs in the GeoNames town and country list."""
        return self._world_runs(doc)

    def _world_runs(self, doc):
        found: list[tuple[int, int]] = []
        taken = {t.i for e in doc.ents for t in e}
        i, n = 0, len(doc)
        while i < n:
            tok = doc[i]
            if i in taken or not tok.text[:1].isupper() or (tok.is_sent_start and tok.text in (
                "The", "A", "An", "In", "On", "It"
            )):
                i += 1
                continue
            best = None
            for j in range(min(n, i + 4), i, -1):  # longest run first
                span = doc[i:j]
                if any(t.i in taken for t in span) or not span[-1].text[:1].isupper():
                    continue
                if span.text in self.places.world:
                    # part of a longer proper name ("Ben Wallace"): not a place
                    after = doc[j] if j < n else None
                    before = doc[i - 1] if i > 0 else None
                    if (after is not None and after.text[:1].isupper() and after.is_alpha
                            and not title_case(tok.sent)) or (
                        j < n and _joins(doc, j)  # "Ben" of "Ben-Gurion"
                        and not self._pair_of_places(doc, i, j)
                    ) or (
                        before is not None and before.text[:1].isupper() and before.is_alpha
                        and not before.is_sent_start
                    ):
                        break
                    best = (i, j)
                    break
            if best:
                found.append(best)
                i = best[1]
            else:
                i += 1
        return found, {}


#: words after a country's short name that leave it a noun ("from the US to Lviv",
#: "the UK and France"); any other word makes it a demonym ("US weapons", "UK-made")
_AFTER_NOUN = frozenset({"to", "and", "or", "in", "on", "at", "for", "from", "with", "by",
                         "via", "over", "into", "through", "but", "as", "had", "has", "have",
                         "was", "were", "is", "are", "said", "says", "which", "that", "who",
                         "before", "after", "since", "until", "while", "where", "when"})


def _noun_at(doc, end: int, demonyms: set[int]) -> bool:
    """Whether a country's short name ending at token ``end`` stands as a noun.

    ``demonyms``: the tokens starting a demonym ("US and Libyan officials":
    the short name is one too).
    """
    if end >= len(doc):
        return True
    nxt = doc[end]
    if nxt.text == "-" and not doc[end - 1].whitespace_:
        return False  # "US-made", "UK-flagged"
    if nxt.lower_ in ("and", "or") and end + 1 in demonyms:
        return False
    if nxt.is_alpha:
        return nxt.lower_ in _AFTER_NOUN and not nxt.text[:1].isupper()
    return True


#: lower-case words inside a place's name ("San Antonio de los Baños Air Base")
_NAME_PARTICLES = frozenset({"de", "del", "de la", "los", "las", "la", "do", "da", "dos",
                             "das", "di", "du"})


def _name_run(doc, j: int, n: int) -> int:
    """End of the capitalised run at ``j`` (up to three capitalised words, particles between)."""
    k, caps = j, 0
    while k < n and caps < 3:
        t = doc[k]
        if t.text[:1].isupper() and t.is_alpha and (t.lower_ not in _SITE_WORDS or (
                k == j and t.text == "Port" and not t.is_sent_start and k + 1 < n
                and doc[k + 1].text[:1].isupper() and doc[k + 1].is_alpha
                and doc[k + 1].lower_ not in _SITE_WORDS)):
            # "Port" opens a name ("Port Sudan airport", "Port Harcourt"), not a noun
            k, caps = k + 1, caps + 1
            continue
        if caps and _joins(doc, k):  # "Ben-Gurion International Airport"
            k += 1
            continue
        m = k
        while m < n and m < k + 2 and doc[m].text in _NAME_PARTICLES:
            m += 1
        if caps and m > k and m < n and doc[m].text[:1].isupper() and doc[m].is_alpha and \
                doc[m].lower_ not in _SITE_WORDS:
            k = m
            continue
        break
    return k


def _joins(doc, k: int) -> bool:
    """Whether token ``k`` is a hyphen joining two capitalised words ("Ben-Gurion")."""
    return (doc[k].text == "-" and not doc[k - 1].whitespace_ and not doc[k].whitespace_
            and k + 1 < len(doc) and doc[k + 1].text[:1].isupper() and doc[k + 1].is_alpha)


_SITE_WORDS = frozenset({"airport", "airbase", "airfield", "port", "air", "naval",
                         "international"})
#: a word between a base's name and its noun ("Benina International Airport")
_BASE_ADJECTIVES = frozenset({"international", "military"})


@lru_cache(maxsize=4096)
def _lookup(name: str, context: tuple[str, ...], kinds: tuple[str, ...],
            want: str | None = None) -> Place | None:
    """Return the place of one of ``kinds`` a name resolves to clearly, else None.

    Looked up in the world tables (:func:`geo.resolve.resolve`) with the
    report's countries as context; ``want`` is resolve's hard kind filter.
    """
    try:
        from geo.resolve import resolve
    except ImportError:  # pragma: no cover - world tables not installed
        return None
    r = resolve([name], kind=want, context=list(context), suggest=False)[0]
    if r.status != "ok" or r.kind not in kinds:
        return None
    kind = {"airfield": "airbase"}.get(r.kind, r.kind)
    return Place(r.id, r.name, kind, r.country, float(r.lat), float(r.lon),
                 r.precision or ("site" if kind in ("port", "airbase") else "city"),
                 curated=False)


def _world_lookup(phrase: str, context: tuple[str, ...]) -> Place | None:
    """Return a base or port ("al-Khadim air base", "Gao airport"), if it resolves clearly."""
    return _lookup(phrase, context, ("airfield", "port"))


#: capitalised words some town is also called ("Africa" was Mahdia's name, "August")
_NOT_TOWNS = frozenset({m.lower() for m in calendar.month_name[1:]}
                       | {d.lower() for d in calendar.day_name}
                       | {"africa", "europe", "asia", "america", "americas", "oceania",
                          "antarctica", "eurasia", "sahel", "maghreb", "levant", "gulf"})
#: "in southern Russia": a direction before an area's name
_DIRECTIONS = frozenset({"southern", "northern", "eastern", "western", "central",
                         "south", "north", "east", "west", "northeastern", "northwestern",
                         "southeastern", "southwestern"})
#: words before a stop whose name may be in no town list ("collected at Najin")
_ROLE_WORDS = frozenset({"at", "to", "from", "near", "via"})


def _town_lookup(name: str, context: tuple[str, ...]) -> Place | None:
    """Return the port, airfield or town a capitalised name resolves to, if clearly."""
    return _lookup(name, context, ("port", "airfield", "city", "town"))


#: nouns after which "of" introduces a port's name
_PORT_NOUNS = frozenset({"port", "ports", "harbour", "harbours", "harbor", "harbors"})


def _port_lookup(name: str, context: tuple[str, ...]) -> Place | None:
    """Return the port (else the town) a name after "port of" stands for, if clear."""
    return _lookup(name, context, ("port",), "port") or _lookup(name, context, ("city", "town"))


@cache
def build_pipeline(gazetteer: str | None = None, patterns: str | None = None) -> Pipeline:
    """Return the (cached) pipeline for a gazetteer path and pattern folder."""
    return Pipeline(load_lexicon(patterns), load_places(gazetteer))
