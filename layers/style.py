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
    "FACTION_COLOURS",
    "OTHER_COLOUR",
    "STATUS_STYLE",
    "UNCERTAIN_STYLE",
    "ZONE_FILL_OPACITY",
    "ZONE_FOCUS_FILL_OPACITY",
    "ZONE_PALETTE",
    "actor_colours",
    "colour_keys",
    "faction_colours",
    "leg_colours",
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

#: Zone fill colour per documented faction (geo.columns.FACTIONS), fixed so a
#: faction has the same colour on every map, brief and KML whatever else is
#: shown.  Hues after Paul Tol's colour-blind-safe schemes; factions that
#: face each other (settings.OPPOSING_FACTIONS) differ in hue *and*
#: lightness (blue Tripoli governments against the orange LNA; in Syria
#: purple, dark green, yellow and cyan).  Checked by
#: tests/test_maps.py: every pair of opposing factions stays distinct, and
#: every fill stands out from the land, also under simulated deuteranopia,
#: protanopia and tritanopia (CAM02-UCS distance, colorspacious).
FACTION_COLOURS: Final[Mapping[str, str]] = {
    "LNA": "#EE7733",  # orange
    "GNA": "#3366AA",  # blue
    "GNU": "#3388CC",  # blue (successor of the GNA in Tripoli)
    "Assad government": "#AA3377",  # purple
    "Syrian transitional government": "#117755",  # teal green
    "HTS": "#1B5E20",  # dark green
    "SDF": "#DDAA33",  # yellow
    "Turkey/SNA": "#55BBEE",  # cyan
    "Russia": "#882255",  # wine
    "Belarus": "#BB5566",  # rose
    "UAE": "#997700",  # ochre
    "Turkey": "#33BBEE",  # cyan
    "Mali": "#888822",  # olive
    "Germany": "#666666",  # grey
}
#: Fill opacity of a zone on the HTML maps (the zone a map is about: FOCUS).
ZONE_FILL_OPACITY: Final = 0.28
ZONE_FOCUS_FILL_OPACITY: Final = 0.4

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


def colour_keys(legs: pd.DataFrame) -> pd.Series:
    """Return what each leg is coloured by: its actor group, else its actor.

    Parameters
    ----------
    legs
        Legs with :data:`geo.columns.ACTOR` and, when the ledger has actor
        groups (issue 11), :data:`geo.columns.ACTOR_GROUP`.

    Returns
    -------
    pandas.Series
        One string per leg, aligned with ``legs``: the non-empty actor
        group, otherwise the actor.

    """
    actor = legs[col.ACTOR].fillna("").astype(str) if col.ACTOR in legs else pd.Series(
        "", index=legs.index, dtype=object
    )
    if col.ACTOR_GROUP not in legs:
        return actor
    group = legs[col.ACTOR_GROUP].fillna("").astype(str).str.strip()
    return group.where(group != "", actor)


def leg_colours(legs: pd.DataFrame) -> dict[str, str]:
    """Return the one colour assignment every output uses (maps, brief, slide, KML).

    Parameters
    ----------
    legs
        The legs of the *whole* dataset: colours are ranked on it, so a
        filtered map or a zone brief keeps each actor group's colour.

    Returns
    -------
    dict
        Colour key (:func:`colour_keys`) -> hex colour, see
        :func:`actor_colours`.

    """
    keys = colour_keys(legs)
    if col.ACTOR_GROUP_RANK in legs and len(legs):
        # The group's rank over the whole ledger (geo.ledger_extra.group_ranks):
        # any subset of the legs gets the same colours as the whole.
        ranks = pd.Series(legs[col.ACTOR_GROUP_RANK].to_numpy(), index=keys.to_numpy())
        ranks = ranks[~ranks.index.duplicated()].sort_values(kind="stable")
        return {
            str(k): ACTOR_PALETTE[int(r)] if int(r) < len(ACTOR_PALETTE) else OTHER_COLOUR
            for k, r in sorted(ranks.items(), key=lambda kv: (int(kv[1]), str(kv[0])))
        }
    return actor_colours(keys)


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


def faction_colours(factions: Iterable[object]) -> dict[str, str]:
    """Zone fill colour per faction: :data:`FACTION_COLOURS`, then the palette.

    A faction not documented in :data:`FACTION_COLOURS` takes the next
    :data:`ZONE_PALETTE` colour no documented faction uses, in sorted order.
    """
    names = sorted({str(f) for f in factions})
    used = {v.upper() for v in FACTION_COLOURS.values()}
    spare = [c for c in ZONE_PALETTE if c.upper() not in used]
    out: dict[str, str] = {}
    k = 0
    for name in names:
        if name in FACTION_COLOURS:
            out[name] = FACTION_COLOURS[name]
        else:
            out[name] = spare[k % len(spare)]
            k += 1
    return out
