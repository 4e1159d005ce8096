"""What every zone definition uses: the output grid, periods of control, shapes from anchors.

:class:`Period` is one faction's control of a zone geometry over a
closed or open interval; :func:`land_of` is a country's polygon plus its
coastal fringe; :func:`poly`, :func:`disc` and :func:`clip` draw and cut
shapes on the output grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import Polygon

from geo import settings
from geo.countries import country_shape, land

GRID = 10.0**-settings.COORDINATE_PRECISION
GEOD = Geod(ellps=settings.ELLPS)

# --- dates ------------------------------------------------------------------
LIBYA_START = "2019-03-01"  # after the LNA's early-2019 Fezzan campaign
SYRIA_START = "2020-03-06"  # Idlib ceasefire; lines broadly frozen until Nov 2024
HOST_START = "2014-03-18"  # Natural Earth's de facto RU polygon includes Crimea
SYRIA_END = "2025-12-31"  # SDF area shrank in Jan 2026: later maps not drawn


@dataclass(frozen=True)
class Period:
    """One period of control of a zone geometry."""

    faction: str
    valid_from: str
    valid_to: str | None
    sources: tuple[str, ...]
    as_of: str
    note: str = ""
    contested: bool = False


def _day_before(iso: str) -> str:
    return str(np.datetime64(iso) - np.timedelta64(1, "D"))


def land_of(iso: str) -> shapely.Geometry:
    """Country polygon plus its coastal fringe (sea within the margin)."""
    shape = country_shape(iso)
    fringe = shapely.difference(
        shapely.buffer(shape, settings.ZONE_COAST_MARGIN_DEG, quad_segs=4), land()
    )
    world = shapely.box(-180.0, -90.0, 180.0, 90.0)  # the fringe must not cross +-180
    return shapely.intersection(shapely.union(shape, fringe), world, grid_size=GRID)


def poly(*lonlat: tuple[float, float]) -> Polygon:
    """Polygon from (lon, lat) anchors."""
    return Polygon(lonlat)


def disc(lon: float, lat: float, radius_km: float, n: int = 32) -> Polygon:
    """Geodesic circle of ``radius_km`` around (lon, lat)."""
    az = np.linspace(0.0, 360.0, n, endpoint=False)
    x, y, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, radius_km * 1000.0))
    return Polygon(zip(x, y, strict=True))


def clip(shape: shapely.Geometry, *minus: shapely.Geometry) -> shapely.Geometry:
    """``shape`` minus ``minus``, on the output grid."""
    for m in minus:
        shape = shapely.difference(shape, m, grid_size=GRID)
    return shape


def periods(
    steps: list[tuple[str, str, str]], *, end: str | None = None, **kw: object
) -> list[Period]:
    """Periods from (faction, valid_from, note) steps; each ends the day before the next."""
    out = []
    for i, (faction, start, note) in enumerate(steps):
        stop = _day_before(steps[i + 1][1]) if i + 1 < len(steps) else end
        out.append(Period(faction, start, stop, note=note, **kw))  # type: ignore[arg-type]
    return out
