"""A light, pandas-free view of the curated gazetteer for name resolution.

:class:`GazetteerView` holds what :mod:`geo.resolve` needs from
``gazetteer.csv`` (rows by id, folded key -> ids) in plain dicts, built
either from a validated :class:`~geo.geocode.PlaceIndex` or straight from
the CSV with the standard library. :func:`read_view` reads the CSV quickly
when the same bytes already passed full validation (their SHA-256 is kept
in a small cache file), and otherwise runs
:func:`geo.gazetteer.read_gazetteer` (every check, country polygons
included) first. So ``movemap geocode`` imports neither geopandas nor
pandas on a gazetteer it has seen before, yet never resolves against a file
that fails validation.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from geo.translit import fold

if TYPE_CHECKING:
    from geo.geocode import PlaceIndex

__all__ = ["CACHE_ENV", "GazetteerView", "read_view", "view_of"]

#: Environment variable naming the folder of movemap's cache files.
CACHE_ENV = "MOVEMAP_CACHE_DIR"
_CACHE_FILE = "validated-gazetteers.json"
# Bump when validation rules change, so old digests no longer count.
_RULES_VERSION = "1"


@dataclass(frozen=True)
class GazetteerView:
    """Gazetteer rows and their matching keys, in plain dicts.

    Attributes
    ----------
    rows
        id -> {name, kind, country, lat, lon, precision, coord_source}.
    keys
        folded id/name/alias -> the ids claiming it (sorted).

    """

    rows: dict[str, dict[str, object]]
    keys: dict[str, tuple[str, ...]]

    def ids_for(self, text: str) -> tuple[str, ...]:
        """Ids a name means: its own id if it is one, else every id claiming its key."""
        t = text.strip()
        if t in self.rows:
            return (t,)
        return self.keys.get(fold(t), ())


def view_of(index: PlaceIndex) -> GazetteerView:
    """Return the view of a validated :class:`~geo.geocode.PlaceIndex` (cached on it)."""
    cached = getattr(index, "_view", None)
    if isinstance(cached, GazetteerView):
        return cached
    from geo.columns import (
        COORD_SOURCE,
        LAT,
        LON,
        PLACE_COUNTRY,
        PLACE_KIND,
        PLACE_NAME,
        PLACE_PRECISION,
    )

    p = index.places
    rows = {
        str(pid): {
            "name": str(name),
            "kind": str(kind),
            "country": str(cc),
            "lat": float(lat),
            "lon": float(lon),
            "precision": str(prec),
            "coord_source": str(src),
        }
        for pid, name, kind, cc, lat, lon, prec, src in zip(
            p.index,
            p[PLACE_NAME],
            p[PLACE_KIND],
            p[PLACE_COUNTRY],
            p[LAT],
            p[LON],
            p[PLACE_PRECISION],
            p[COORD_SOURCE],
            strict=True,
        )
    }
    view = GazetteerView(rows, {str(k): tuple(v) for k, v in index.keys.items()})
    index._view = view  # type: ignore[attr-defined]
    return view


def read_view(path: str | Path) -> GazetteerView:
    """Read ``gazetteer.csv`` into a view, validating it unless already validated.

    Parameters
    ----------
    path
        The gazetteer file.

    Raises
    ------
    GazetteerError
        With every problem, when the file fails validation.

    """
    path = Path(path)
    data = path.read_bytes()
    digest = hashlib.sha256(data + _RULES_VERSION.encode() + _countries_stamp()).hexdigest()
    cache = _cache_path()
    seen = _load(cache)
    if seen.get(str(path.resolve())) == digest:
        return _parse(data.decode("utf-8-sig"))
    from geo.gazetteer import read_gazetteer
    from geo.geocode import PlaceIndex

    places = read_gazetteer(path)  # raises GazetteerError with every problem
    view = view_of(PlaceIndex(places))
    seen[str(path.resolve())] = digest
    _store(cache, seen)
    return view


def _parse(text: str) -> GazetteerView:
    """Rows and keys of an already validated gazetteer (no checks)."""
    reader = csv.DictReader(text.splitlines())
    rows: dict[str, dict[str, object]] = {}
    claims: dict[str, set[str]] = {}
    for r in reader:
        pid = (r.get("id") or "").strip()
        if not pid:
            continue
        rows[pid] = {
            "name": r["name"].strip(),
            "kind": r["kind"].strip(),
            "country": r["country"].strip(),
            "lat": float(r["lat"]),
            "lon": float(r["lon"]),
            "precision": r["precision"].strip(),
            "coord_source": r["coord_source"].strip(),
        }
        aliases = [a.strip() for a in (r.get("aliases") or "").split(";") if a.strip()]
        for text_ in (pid, r["name"], *aliases):
            key = fold(text_)
            if key:
                claims.setdefault(key, set()).add(pid)
    keys = {k: tuple(sorted(v)) for k, v in claims.items()}
    return GazetteerView(rows, keys)


def _countries_stamp() -> bytes:
    countries = Path(__file__).resolve().parent / "data" / "countries.geojson"
    try:
        st = countries.stat()
    except OSError:
        return b""
    return f"{st.st_size}:{st.st_mtime_ns}".encode()


def _cache_path() -> Path:
    root = os.environ.get(CACHE_ENV) or os.environ.get("XDG_CACHE_HOME")
    base = Path(root) if root else Path.home() / ".cache"
    return (base if os.environ.get(CACHE_ENV) else base / "movemap") / _CACHE_FILE


def _load(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _store(path: Path, seen: dict[str, str]) -> None:
    try:
        from geo._io import write_text

        write_text(path, json.dumps(seen, indent=1, sort_keys=True))
    except OSError:
        pass  # a read-only home only costs speed
