"""Build the HTML maps: an overview and one map per faction zone.

A map is a :class:`folium.Map` holding movemap's own elements (see
``layers/legs.py``, ``places.py``, ``zones.py``, ``basemap.py``,
``controls.py``).  Pages are self-contained by default: Leaflet, jQuery,
movemap's code and the country outlines are inlined, so a file opens with
no network.  Element ids are numbered, not random, so identical inputs
give byte-identical files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure

from geo import columns as col
from geo._io import check_out_dir, staged_folder
from layers.assets import PageAssets
from layers.basemap import CountryOutlines, Credit, TileBase, tile_options
from layers.controls import MapControls, MapSetup
from layers.credits import geonames_credit
from layers.escape import html_text
from layers.legcols import LegColumns, encode_legs, leg_line_groups
from layers.legs import LegsLayer, leg_zone_sets, with_stubs
from layers.meta import TITLE, _beside, _bounds, _legs_for_zone, _rounded, map_meta
from layers.payload import unwrap_antimeridian
from layers.places import PlacesLayer, _line_ends, place_ends, places_payload
from layers.style import leg_colours
from layers.webgl import WebglScript, use_webgl
from layers.zones import ZonesLayer, ordered_zones, zone_records, zone_slugs

if TYPE_CHECKING:
    from geo.dataset import Dataset

__all__ = [
    "INDEX_FILE",
    "PARALLEL_MIN_LEGS",
    "TITLE",
    "BuildContext",
    "MovemapMap",
    "build_context",
    "build_map",
    "build_maps",
    "map_files",
    "map_meta",
    "map_theatre",
    "render_map",
]

#: Overview map file name.
INDEX_FILE = "index.html"
#: Place names are drawn as permanent labels for at most this many places, the
#: busiest (most legs) first; the others are named on hover.
MAX_PLACE_LABELS = 120
#: :func:`build_maps` renders in parallel processes from this many legs over all maps,
#: each map counting :data:`_MAP_OVERHEAD_LEGS` more (below it, forking costs more than
#: it saves).
PARALLEL_MIN_LEGS = 20_000
#: A map's fixed rendering cost, in legs' worth (to balance maps between processes).
_MAP_OVERHEAD_LEGS = 2_000
#: Marker written in every page so stale maps can be told from other files.
GENERATOR = '<meta name="generator" content="movemap" />'


class MovemapMap(folium.Map):
    """A folium Map that links no CDN files (movemap inlines its own)."""

    default_js: list[tuple[str, str]] = []  # noqa: RUF012 - folium's API
    default_css: list[tuple[str, str]] = []  # noqa: RUF012

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        """Render as folium does, after numbering every element's id."""
        _number_ids(self.get_root())
        super().render(**kwargs)


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)
    if isinstance(element, Figure):
        for part in (element.header, element.html, element.script):
            yield from _walk(part)


def _number_ids(root: Element) -> None:
    # branca draws ids from os.urandom; number them in tree order instead.
    for i, element in enumerate(_walk(root)):
        element._id = f"{i:04d}"


# --------------------------------------------------------------------- maps


@dataclass(frozen=True)
class BuildContext:
    """What every map of one build shares, computed once per build.

    Attributes
    ----------
    zones
        :func:`layers.zones.ordered_zones` of the dataset.
    zone_sets
        :func:`layers.legs.leg_zone_sets` of every leg.
    records
        :func:`layers.zones.zone_records` (no focus).
    colours
        Colour key -> colour (:func:`layers.style.leg_colours`).
    theatre
        Bounds of everything drawn: the 1:50m base map detail goes there.
    legs
        Every leg, one-end legs given their stub (:func:`layers.legs.with_stubs`).
    ends
        :func:`layers.places.place_ends` of ``legs`` (``_row`` = position).
    columns
        The legs layer's page columns of ``legs``, encoded once
        (:func:`layers.legcols.encode_legs`); each map slices its legs' out.

    """

    zones: pd.DataFrame
    zone_sets: pd.Series
    records: list[dict[str, Any]]
    colours: dict[str, str]
    theatre: tuple[float, float, float, float] | None
    legs: pd.DataFrame
    ends: pd.DataFrame
    columns: LegColumns


#: ``build_context(theatre=...)`` not given.
_UNSET: Any = object()


def map_theatre(dataset: Dataset) -> tuple[float, float, float, float] | None:
    """Bounds of every leg and every place a leg ends at, in whole degrees (outward).

    The box the base map draws in detail (:data:`BuildContext.theatre`).
    """
    legs = dataset.legs
    place_pts = shapely.points(
        np.column_stack([dataset.places[col.LON], dataset.places[col.LAT]])
    ) if len(dataset.places) else np.array([])
    ends = pd.concat([legs[col.FROM_ID], legs[col.TO_ID]]).dropna().astype(str)
    used = set(ends.unique())  # unique first: a set of 200k arrow strings is slow
    if len(place_pts):
        place_pts = place_pts[dataset.places.index.astype(str).isin(used)]
    return _rounded(_bounds(legs.geometry.to_numpy(), place_pts))


def build_context(
    dataset: Dataset,
    *,
    colours: dict[str, str] | None = None,
    theatre: tuple[float, float, float, float] | None = _UNSET,
    workers: int = 1,
    beside: Callable[[], object] | None = None,
) -> BuildContext:
    """Compute what every map of a build shares (see :class:`BuildContext`).

    Parameters
    ----------
    dataset
        Output of :func:`geo.dataset.load_dataset` (possibly filtered).
    colours
        Leg colours; default :func:`layers.style.leg_colours` of
        ``dataset.legs``.  Pass the colours of the *unfiltered* dataset so
        a filtered build keeps the same colours.
    theatre
        :func:`map_theatre` of ``dataset`` when the caller has it already.
    workers
        Processes (this one and a fork of it, :mod:`geo.forked`): with 2,
        a child encodes the legs' page columns while this process finds
        the legs' ends and groups their lines; the child's columns come
        back pickled.  The context is the same with any number.
    beside
        Called in this process once any fork is made (a caller starts a
        thread there: a fork must not copy a running thread).

    """
    from geo.forked import can_fork, run_forked

    zones = ordered_zones(dataset.zones)
    legs = dataset.legs
    zone_sets = leg_zone_sets(legs, dataset.segments, zones)
    if theatre is _UNSET:
        theatre = map_theatre(dataset)
    records = zone_records(zones)
    stubbed = with_stubs(legs.reset_index(drop=True), dataset.places)
    zone_keys = {r["key"]: i for i, r in enumerate(records)}
    here = os.getpid()
    parts: dict[str, Any] = {}
    workers = max(1, min(int(workers), 2)) if can_fork() else 1
    # A spool for the child's columns only when there is a child.
    with (
        tempfile.TemporaryDirectory(prefix="movemap-context-")
        if workers > 1
        else contextlib.nullcontext("")
    ) as tmp:
        spool = Path(tmp) / "columns.pickle"

        def part(name: str) -> None:
            if name == "columns":
                columns = encode_legs(stubbed, zone_sets, zone_keys, group_lines=False)
                if os.getpid() == here:
                    parts[name] = columns
                    return
                with open(spool, "wb") as fh:  # a forked child: hand them back
                    pickle.dump(columns, fh, protocol=pickle.HIGHEST_PROTOCOL)
                return
            if beside is not None:
                beside()
            line_ends = _line_ends(stubbed.geometry.to_numpy())  # once for both users
            parts["ends"] = place_ends(stubbed, set(zone_keys), line_ends=line_ends)
            parts["lines"] = leg_line_groups(stubbed, first_vertex=line_ends[0])

        # Equal weights: the first task ("ends") stays here, the columns go to a child.
        run_forked(["ends", "columns"], part, workers=workers)
        if "columns" not in parts:
            with open(spool, "rb") as fh:
                parts["columns"] = pickle.load(fh)  # our own child's file
    return BuildContext(
        zones=zones,
        zone_sets=zone_sets,
        records=records,
        colours=leg_colours(legs) if colours is None else colours,
        theatre=theatre,
        legs=stubbed,
        ends=parts["ends"],
        columns=dataclasses.replace(parts["columns"], line_group=parts["lines"]),
    )


def build_map(
    dataset: Dataset,
    *,
    zone: str | None = None,
    cdn: bool = False,
    context: BuildContext | None = None,
    title: str | None = None,
    subset: str | None = None,
    webgl: str = "auto",
) -> folium.Map:
    """Build the overview map, or the map of one zone.

    Parameters
    ----------
    dataset
        Output of :func:`geo.dataset.load_dataset`.
    zone
        A zone id: show that zone's places and the legs that start, end or
        pass through it (as of each leg's date), zoomed to the zone.
        ``None`` for the overview of every leg.
    cdn
        Link Leaflet and jQuery from a CDN instead of inlining them.
    context
        Shared per-build data (:func:`build_context`); computed if omitted.
    title
        Map title (default :data:`TITLE`).
    subset
        What a filter kept, in words (shown under the title).
    webgl
        Draw the legs with WebGL: ``"auto"`` (above
        :data:`layers.webgl.WEBGL_MIN_LEGS` legs), ``"on"`` or ``"off"``.

    Returns
    -------
    folium.Map

    Raises
    ------
    KeyError
        If ``zone`` is not a zone id of the dataset.

    """
    ctx = build_context(dataset) if context is None else context
    zones = ctx.zones
    zone_ids = zones[col.ZONE_ID].tolist()
    if zone is not None and zone not in zone_ids:
        msg = f"unknown zone {zone!r}; zones are {', '.join(map(repr, zone_ids))}"
        raise KeyError(msg)
    zone_sets = ctx.zone_sets
    keep = _legs_for_zone(zone_sets, zone)
    legs = ctx.legs[keep].reset_index(drop=True)
    # The build's leg ends, renumbered to this map's leg positions.
    new_pos = np.full(len(keep), -1)
    new_pos[keep] = np.arange(int(keep.sum()))
    ends = ctx.ends[keep[ctx.ends["_row"].to_numpy()]].copy()
    ends["_row"] = new_pos[ends["_row"].to_numpy()]
    recs = [dict(r, focus=zone is not None and r["key"] == zone) for r in ctx.records]
    zone_keys = {r["key"]: i for i, r in enumerate(recs)}
    colours = ctx.colours  # same colours on every map
    gl = use_webgl(len(legs), mode=webgl)
    legs_data = ctx.columns.payload(legs, keep, colours=colours, shared_geom=gl)
    if gl:
        legs_data["webgl"] = True
        n_undrawn = int(np.sum(np.asarray(legs_data["geom_c"], dtype=np.int64) < 0))
    else:
        n_undrawn = sum(g is None for g in legs_data["geom"])
    places = places_payload(dataset.places, legs, zone_keys, ends=ends)

    place_pts = shapely.points([[p["lon"], p["lat"]] for p in places]) if places else np.array([])
    if zone is not None:
        focus = np.array(
            [unwrap_antimeridian(g) for g in zones.loc[zones[col.ZONE_ID] == zone, col.GEOMETRY]],
            dtype=object,
        )
        bounds = _bounds(focus) or _bounds(place_pts)
        if bounds is not None and (bounds[2] - bounds[0] > 60 or bounds[3] - bounds[1] > 35):
            # A zone as large as Russia: frame on where its legs and places are.
            bounds = _bounds(_beside(place_pts, legs.geometry.to_numpy()),
                             legs.geometry.to_numpy()) or bounds
    else:
        # The overview shows every transfer, so it fits every place an
        # end of a leg is drawn at, country-level points included.
        bounds = (
            _bounds(_beside(place_pts, legs.geometry.to_numpy()))
            or _bounds(legs.geometry.to_numpy())
            or _bounds(zones.geometry.to_numpy())
        )
    meta = map_meta(
        dataset, legs, recs, zone=zone, bounds=bounds, colours=colours, n_undrawn=n_undrawn
    )
    if title is not None:
        meta["title"] = title
    meta["selection"] = subset
    centre = (
        [0.0, 0.0] if bounds is None else [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2]
    )
    fmap = MovemapMap(
        location=centre,
        zoom_start=5,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        world_copy_jump=False,
    )
    page_title = meta["title"] if zone is None else f"{meta['title']}: {meta['subtitle']}"
    root = fmap.get_root()
    assert isinstance(root, Figure)
    root.title = html_text(page_title)  # branca does not escape it
    fmap.add_child(PageAssets(cdn=cdn), name="assets")
    if gl:
        fmap.add_child(WebglScript(), name="webgl")
    fmap.add_child(MapSetup(meta), name="setup")
    fmap.add_child(CountryOutlines(ctx.theatre), name="outlines")
    fmap.add_child(TileBase(tile_options()), name="tiles")
    fmap.add_child(ZonesLayer(recs), name="zones")
    fmap.add_child(LegsLayer(legs_data), name="legs")
    fmap.add_child(
        PlacesLayer({"items": places, "labels": MAX_PLACE_LABELS}), name="places"
    )
    fmap.add_child(MapControls(), name="controls")
    credit = geonames_credit(p.get("coord_source") for p in places)
    if credit:
        fmap.add_child(Credit(credit), name="credit")
    return fmap


def render_map(
    dataset: Dataset,
    *,
    zone: str | None = None,
    cdn: bool = False,
    context: BuildContext | None = None,
    title: str | None = None,
    subset: str | None = None,
    webgl: str = "auto",
) -> str:
    """Return the HTML of :func:`build_map` as a string."""
    fmap = build_map(
        dataset, zone=zone, cdn=cdn, context=context, title=title, subset=subset, webgl=webgl
    )
    return fmap.get_root().render()


def map_files(dataset: Dataset) -> dict[str | None, str]:
    """File name of every map: ``None`` (overview) and each zone id."""
    ids = ordered_zones(dataset.zones)[col.ZONE_ID].tolist()
    slugs = zone_slugs(ids)
    return {None: INDEX_FILE, **{z: f"{slugs[z]}.html" for z in ids}}


def is_generated(path: Path) -> bool:
    """Tell whether ``path`` is a map movemap wrote (its generator tag)."""
    if path.suffix != ".html":
        return False
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return GENERATOR in fh.read(4096)
    except OSError:
        return False


def check_out(out_dir: str | Path) -> Path:
    """Check ``out_dir`` can take a build (see :func:`geo._io.check_out_dir`)."""
    return check_out_dir(out_dir, owned=is_generated)


def build_maps(
    dataset: Dataset,
    out_dir: str | Path,
    *,
    cdn: bool = False,
    colours: dict[str, str] | None = None,
    title: str | None = None,
    subset: str | None = None,
    webgl: str = "auto",
    workers: int | None = None,
) -> list[Path]:
    """Write the overview and every zone map into ``out_dir``, as one set.

    The whole set is written into a staging folder beside ``out_dir`` and
    swapped in at the end (:func:`geo._io.staged_folder`): a build that
    is interrupted or fails leaves the previous complete set (or none)
    and no temporary files. Maps of zones that no longer exist go with
    the old set.

    Parameters
    ----------
    dataset
        Output of :func:`geo.dataset.load_dataset`.
    out_dir
        Folder to write into (created if missing). It may hold only files
        an earlier build wrote.
    cdn
        Link Leaflet and jQuery from a CDN instead of inlining them.
    colours
        Leg colours (default: from ``dataset``); pass the unfiltered
        dataset's so a filtered build keeps every actor's colour.
    title
        Title of every map (default :data:`TITLE`).
    subset
        What a filter kept, in words (shown under every map's title).
    webgl
        ``"auto"``, ``"on"`` or ``"off"``: see :func:`build_map`.
    workers
        Processes rendering the maps (this one and forks of it, see
        :mod:`geo.forked`); default: one per core, up to one per map,
        when the maps hold at least :data:`PARALLEL_MIN_LEGS` legs (each map
        counting a fixed cost of ``_MAP_OVERHEAD_LEGS``), else 1.
        The files are the same bytes with any number.

    Returns
    -------
    list of pathlib.Path
        The files written, overview first.

    Raises
    ------
    geo._errors.OutputError
        If ``out_dir`` is a file, cannot be written, or holds other files.

    """
    from concurrent.futures import ThreadPoolExecutor

    from geo.forked import available_cores, run_forked
    from layers.basemap import countries_json

    out = Path(out_dir)
    names = map_files(dataset)
    theatre = map_theatre(dataset)
    if workers is None:
        context_workers = available_cores() if len(dataset.legs) >= PARALLEL_MIN_LEGS else 1
    else:
        context_workers = max(1, int(workers))
    # The base map's outlines (mostly GEOS, which releases the GIL) are
    # computed in a thread beside the context (pandas), started once the
    # context's fork is made; every map and every later fork finds them cached.
    with ThreadPoolExecutor(1, thread_name_prefix="movemap-outlines") as pool:
        outlines: list[Any] = []
        context = build_context(
            dataset,
            colours=colours,
            theatre=theatre,
            workers=context_workers,
            beside=lambda: outlines.append(pool.submit(countries_json, theatre)),
        )
        for future in outlines:
            future.result()
    # Legs per map: the overview has them all, a zone map those through its zone.
    counts = [
        len(context.legs) if zone is None else int(np.count_nonzero(_legs_for_zone(
            context.zone_sets, zone))) for zone in names
    ]
    weights = [n + _MAP_OVERHEAD_LEGS for n in counts]
    if workers is None:
        # Many small maps are worth a fork too (50 zone maps: ~1 s in one process).
        workers = available_cores() if sum(weights) >= PARALLEL_MIN_LEGS else 1
    workers = max(1, min(int(workers), len(names)))
    with staged_folder(out, owned=is_generated) as stage:

        def write(zone: str | None) -> None:
            html = render_map(
                dataset,
                zone=zone,
                cdn=cdn,
                context=context,
                title=title,
                subset=subset,
                webgl=webgl,
            )
            with open(stage / names[zone], "w", encoding="utf-8", newline="\n") as fh:
                fh.write(html)

        run_forked(list(names), write, weights=weights, workers=workers)
    return [out / name for name in names.values()]
