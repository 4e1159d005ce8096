"""Whole-country zones of host nations and other governments named in the reporting."""

from __future__ import annotations

import shapely

from zonedefs.common import HOST_START, Period, land_of
from zonedefs.sources import NATURAL_EARTH, RAMSTEIN

HOSTS = [
    ("DE", "Germany", "Germany (NATO host nation; US Air Force at Ramstein)", (RAMSTEIN,)),
    ("RU", "Russia", "Russia", ()),
    ("BY", "Belarus", "Belarus", ()),
    ("AE", "UAE", "United Arab Emirates", ()),
    ("TR", "Turkey", "Turkey", ()),
    ("ML", "Mali", "Mali (government; its hold on the north is not drawn)", ()),
]


def hosts() -> list[tuple[str, str, shapely.Geometry, list[Period]]]:
    """Whole-country zones of governments named in the reporting."""
    return [
        (
            f"{iso.lower()}-country",
            label,
            land_of(iso),
            [Period(faction, HOST_START, None, (NATURAL_EARTH, *extra), "2018-05")],
        )
        for iso, faction, label, extra in HOSTS
    ]
