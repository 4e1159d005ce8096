"""``movemap build``: write the overview map and one map per faction zone."""

from __future__ import annotations

import argparse
from pathlib import Path

from layers.cli._common import (
    add_data_argument,
    add_filter_arguments,
    keep_until_exit,
    leg_filter,
    print_warnings,
)

HELP = "write maps/index.html (overview) and one self-contained HTML map per faction zone"

#: Default output folder, inside the data folder.
DEFAULT_OUT = "maps"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this command's arguments."""
    add_data_argument(parser)
    parser.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help=f"folder to write the maps into (default: {DEFAULT_OUT}/ in the data folder); "
        "the whole set is written beside it first and swapped in at the end",
    )
    parser.add_argument(
        "--cdn",
        action="store_true",
        help="link Leaflet and jQuery from a CDN instead of inlining them "
        "(smaller files that need a network to open)",
    )
    parser.add_argument(
        "--webgl",
        choices=("auto", "on", "off"),
        default="auto",
        help="draw the legs with WebGL: auto (default) above 20,000 legs on a map, "
        "on or off for every map (see layers/webgl.py)",
    )
    parser.add_argument("--title", default=None, help="title of every map")
    add_filter_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Load the data, build every map, print the files written."""
    from geo.gcpause import paused_gc
    from layers.cli._common import ends_with_exit

    # A build allocates millions of objects that all live until it ends:
    # cyclic garbage collections would only scan them again and again
    # (about 2 of 14 CPU s at 100,000 legs; geo/gcpause.py).  In the
    # `movemap` executable the process ends right after (os._exit): the
    # collector stays off and the dataset is never freed (_build).
    with paused_gc(resume=not ends_with_exit()):
        return _build(args)


def _build(args: argparse.Namespace) -> int:
    # Imported here so other subcommands never load folium.
    from geo._io import check_out_dir
    from geo.paths import data_dir

    out = Path(args.out) if args.out else data_dir(args.data) / DEFAULT_OUT
    check_out_dir(out)  # as layers.maps.check_out, without importing folium yet
    _read_ahead(data_dir(args.data))  # before pandas and geopandas are imported
    from geo.dataset import load_dataset
    from geo.filters import filter_dataset

    _head_start(data_dir(args.data))
    full = load_dataset(args.data)
    from geo.forked import join_threads

    join_threads()  # the maps' imports (layers.maps is needed now) and any other head start
    from layers.maps import build_maps
    from layers.style import leg_colours

    print_warnings(full.warnings)
    legfilter = leg_filter(args)
    dataset = filter_dataset(full, legfilter)
    # Colours from the whole ledger: a filtered map keeps every actor's colour.
    written = build_maps(
        dataset,
        out,
        cdn=args.cdn,
        colours=leg_colours(full.legs),
        title=args.title,
        subset=legfilter.describe() or None,
        webgl=args.webgl,
    )
    for path in written:
        print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    # Left to the process's end in the executable (nothing to free: ~0.3 CPU s at 100k legs).
    keep_until_exit(full, dataset)
    return 0


#: A ledger file this large (~10,000 legs) is read for longer than the
#: lines' and zones' modules take to load beside it (geo.engine.preload).
_PRELOAD_BYTES = 1_000_000


def _read_ahead(folder: Path) -> None:
    """Read a large ledger's columns and compute the countries' tiles in threads, from the start.

    pyarrow's CSV reader and compute functions release the GIL: the
    thread's ~0.5 s at 100,000 legs overlap the imports of pandas and
    geopandas and the gazetteer's read.  The ledger reader takes the
    columns (:func:`geo._csv.read_columns`); the same cells either way.
    """
    from geo import settings

    ledger = folder / settings.TRANSFERS_FILE
    try:
        if ledger.stat().st_size < _PRELOAD_BYTES:
            return
    except OSError:  # missing (or transfers.parquet): the read says so
        return
    from geo._prefetch import start_columns

    start_columns(ledger)
    # The land mask and country tiles (~1 s of GEOS, which releases the GIL)
    # too: geo.dataset.load_dataset would start them only after its imports,
    # and the lines wait for them.  The same cached results either way.
    from geo.countries import warm_up

    warm_up()


def _head_start(folder: Path) -> None:
    """Load the modules the maps (and, for a large ledger, the lines and zones) need, in threads.

    Started before the inputs are read: the sea lanes
    (:func:`geo.engine.preload_lines`, ~0.2 CPU s), then the zone kernels
    (:func:`geo.engine.preload_zones`, numba, ~0.45 CPU s), then the imports
    of folium, branca and jinja2 (~0.3 CPU s), one after another (each
    thread starts the next as it ends), overlap the ledger read instead of
    following it.  Each is joined where its modules are first needed (the
    lines, the zones) and all before any fork (:func:`geo.forked.join_threads`);
    an error in one is dropped and met again, and reported, where the
    module is needed.
    """
    from geo._parquet import transfers_file
    from geo.forked import PRELOAD_THREAD, PRELOAD_ZONES_THREAD, start_thread

    try:
        big = transfers_file(folder).stat().st_size >= _PRELOAD_BYTES
    except OSError:  # missing: the read says so
        big = False

    def maps() -> None:
        import layers.maps  # noqa: F401  (folium, branca, jinja2)

    def zones() -> None:
        try:
            if _many_routes(transfers_file(folder)):
                from geo.engine import preload_zones

                preload_zones()
        finally:
            start_thread(maps, name="movemap-maps-imports")

    def lines() -> None:
        try:
            from geo.engine import preload_lines

            preload_lines()
        finally:
            start_thread(zones, name=PRELOAD_ZONES_THREAD)

    start_thread(lines if big else maps, name=PRELOAD_THREAD if big else "movemap-maps-imports")


def _many_routes(ledger: Path) -> bool:
    """Tell whether the ledger's zone split will run the compiled loops (numba).

    From its distinct (from, to) texts, counted where its columns are read
    ahead (:func:`_read_ahead`, :func:`geo._prefetch.route_count`): a ledger
    with :data:`geo.zones._compiled.COMPILED_ROUTES` of them makes calls
    large enough for numba to pay for its loading (~0.45 CPU s), which this
    thread then does beside the ledger read; a ledger repeating fewer
    routes runs their numpy twins (the same results, bit for bit).  True
    when the columns were not read ahead (a Parquet ledger, an unusual
    CSV): numba is loaded as before.
    """
    from geo._prefetch import route_count
    from geo.zones._compiled import COMPILED_ROUTES

    routes = route_count(ledger)
    return routes is None or routes >= COMPILED_ROUTES
