"""Faction-controlled zones over time, and which zone places and legs are in.

``zones.geojson`` holds one feature per (area, period of control): a polygon,
the faction holding it, and the inclusive day interval [valid_from,
valid_to] (``valid_to`` null = still valid).  The factions a file may name
are :data:`geo.columns.FACTIONS`; which of them face each other across a
front line is :data:`geo.settings.OPPOSING_FACTIONS`.

Rules used when attributing a point on a date (documented because analysts
brief from the answer):

- a point lies in a zone when it *intersects* it, so a point exactly on a
  boundary lies in both zones; the zone whose interior holds the point
  wins, then the smallest zone (a base inside a territory is the more
  specific answer), then the zone id.  When the zones sharing the point
  belong to different factions, ``control_note`` says
  "on boundary with <zone> (<faction>)";
- where zones overlap (allowed only when one is marked ``contested``) the
  smallest wins and the note says "contested; also <zone> (<faction>)";
- a point in no zone is :data:`geo.columns.OUTSIDE_ZONES`, not an error;
- for a date *interval* (a leg dated "2020-01"), the winner is evaluated at
  the start and at every change of the point's zones inside the interval;
  if the faction differs, the faction is left empty and the note says
  "changed during interval: <faction> to <date>, <faction> from <date>";
- points of precision ``country``/``region`` are never taken as exact:
  the note says so, and a country-level point in a country divided between
  factions on that date gets no faction at all.

Everything is vectorized: points are tested against each (prepared) zone
in one call per zone; legs are met with zone boundaries on their vertex
arrays (:mod:`geo.zones._crossings`, its inner loop compiled with numba,
imported only when legs are split; the few legs it cannot settle are cut
with zone tiles of ``settings.ZONE_TILE_DEG`` in GEOS), found once for
:func:`attribute_legs` and :func:`split_by_zone` on the same lines
(:mod:`geo.zones._shared`); dates, priorities and notes are pandas ops over
all pairs at once.  Batches of legs run side by side on
:func:`geo.threads.thread_count` threads, each thread on its own copy of
the zones (:mod:`geo.zones._parallel`), joined in order: the answer does
not depend on the number of threads.

The package holds one module per concept: :mod:`geo.zones.read` (reading
and checking the file, with :mod:`geo.zones.shape_checks` for its
geometries), :mod:`geo.zones.attribute` (places and legs' ends
as of a date) and :mod:`geo.zones.split` (legs cut at zone boundaries).
"""

from __future__ import annotations

from geo.zones._common import CHANGED
from geo.zones.attribute import attribute_legs, places_faction, zones_at
from geo.zones.read import read_zones
from geo.zones.split import split_by_zone

__all__ = [
    "CHANGED",
    "attribute_legs",
    "places_faction",
    "read_zones",
    "split_by_zone",
    "zones_at",
]
