"""How things look: colour palettes and line styles, in one place.

Actors are coloured with the Okabe-Ito palette (Okabe & Ito 2008, "Color
Universal Design"), distinguishable under the common colour-vision
deficiencies.  Zone fills use Paul Tol's "light" and "muted" schemes
(each colour-blind safe; with more than nine factions no palette keeps
every pair apart, so zones are also labelled on the map and in the
layer control).  Status is
carried by the dash pattern, not by colour, so it survives greyscale
printing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import pandas as pd

from geo import columns as col

__all__ = [
    "ACTOR_PALETTE",
    "OTHER_COLOUR",
    "STATUS_STYLE",
    "UNCERTAIN_STYLE",
    "ZONE_PALETTE",
    "actor_colours",
    "colour_key",
    "faction_colours",
    "group_colours",
]

#: Okabe-Ito, yellow (#F0E442) left out: it vanishes on a light basemap.
ACTOR_PALETTE: Final = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
)
#: Colour of every actor beyond the palette (grouped as "other actors").
OTHER_COLOUR: Final = "#7F7F7F"

#: Paul Tol's "light" then "muted" qualitative schemes, for zone fills
#: (light first: pale enough to sit under the legs).
ZONE_PALETTE: Final = (
    "#77AADD",
    "#EE8866",
    "#44BB99",
    "#EEDD88",
    "#FFAABB",
    "#99DDFF",
    "#BBCC33",
    "#AAAA00",
    "#DDDDDD",
    "#CC6677",
    "#332288",
    "#DDCC77",
    "#117733",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
)

#: Leaflet path options per status: the dash pattern says how sure we are.
STATUS_STYLE: Final[Mapping[str, Mapping[str, object]]] = {
    "confirmed": {"dashArray": None, "weight": 3.5, "label": "confirmed (solid)"},
    "reported": {"dashArray": "10 6", "weight": 3.0, "label": "reported (dashed)"},
    "alleged": {"dashArray": "2 6", "weight": 3.0, "label": "alleged (dotted)"},
    "assessed": {"dashArray": "12 5 2 5", "weight": 3.0, "label": "assessed (dash-dot)"},
    "planned": {"dashArray": "1 10", "weight": 2.0, "label": "planned (sparse dots)"},
}
assert set(STATUS_STYLE) == set(col.STATUSES)

#: Extra options for legs touching an unknown stop or a coarse point.
UNCERTAIN_STYLE: Final[Mapping[str, object]] = {"opacity": 0.45}


def actor_colours(actors: Iterable[object]) -> dict[str, str]:
    """Assign palette colours to actors, most frequent first.

    Parameters
    ----------
    actors
        One value per leg (repeats count towards frequency).

    Returns
    -------
    dict
        Actor name -> hex colour; ties broken by name so the result
        depends only on the input values.  Actors beyond the palette get
        :data:`OTHER_COLOUR`.

    """
    counts = pd.Series([str(a) for a in actors], dtype=object).value_counts()
    ranked = sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
    return {
        name: ACTOR_PALETTE[i] if i < len(ACTOR_PALETTE) else OTHER_COLOUR
        for i, (name, _) in enumerate(ranked)
    }


def colour_key(legs: pd.DataFrame) -> pd.Series:
    """Return what a leg's colour follows: its actor group (actors.csv), else its actor."""
    key = col.ACTOR_GROUP if col.ACTOR_GROUP in legs.columns else col.ACTOR
    return legs[key].astype(str)


def group_colours(legs: pd.DataFrame) -> dict[str, str]:
    """Colour of every actor group of ``legs``, the same on every map.

    Parameters
    ----------
    legs
        Dataset legs. With ``ACTOR_GROUP_RANK`` (the group's rank over the
        whole ledger, see :func:`geo.ledger_extra.group_ranks`) a group gets
        the palette colour of its rank whatever subset ``legs`` is; ranks
        beyond the palette share :data:`OTHER_COLOUR`, so a legend has at
        most ``len(ACTOR_PALETTE) + 1`` colours. Without it, as
        :func:`actor_colours` of :func:`colour_key`.

    Returns
    -------
    dict
        Group -> hex colour.

    """
    if col.ACTOR_GROUP_RANK not in legs.columns or col.ACTOR_GROUP not in legs.columns:
        return actor_colours(colour_key(legs))
    pairs = legs[[col.ACTOR_GROUP, col.ACTOR_GROUP_RANK]].drop_duplicates()
    pairs = pairs.sort_values([col.ACTOR_GROUP_RANK, col.ACTOR_GROUP])
    return {
        str(g): ACTOR_PALETTE[int(r)] if int(r) < len(ACTOR_PALETTE) else OTHER_COLOUR
        for g, r in zip(pairs[col.ACTOR_GROUP], pairs[col.ACTOR_GROUP_RANK], strict=True)
    }


def faction_colours(factions: Iterable[object]) -> dict[str, str]:
    """Assign zone fill colours to factions in sorted order."""
    names = sorted({str(f) for f in factions})
    return {name: ZONE_PALETTE[i % len(ZONE_PALETTE)] for i, name in enumerate(names)}
