"""Observed tracks: GPX, KML, GeoJSON or CSV files named in the ``track`` column.

A flight- or ship-tracking service exports a track; the ledger names the
file (a path relative to the data folder) and the leg is drawn along it
instead of a computed line (``LINE_METHOD`` = ``observed``). Files are
read with pyogrio (GDAL): the line layers are used when there are any
(GPX ``tracks``, then ``routes``), else the points in file order (GPX
``track_points``, a CSV with ``lon``/``lat`` or ``longitude``/``latitude``
columns). Every file is checked in the ledger's single pass.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from geo._errors import Problem
from geo.columns import FROM_LAT, FROM_LON, SOURCE_LINE, TO_LAT, TO_LON, TRACK

__all__ = ["TRACK_SUFFIXES", "check_tracks", "read_track"]

#: File types a track may have.
TRACK_SUFFIXES = (".gpx", ".kml", ".geojson", ".json", ".csv")
#: A track whose end lies farther than this from the leg's place is reported.
TRACK_END_TOLERANCE_KM = 50.0
_GPX_ORDER = ("tracks", "routes", "track_points", "route_points", "waypoints")
_CSV_OPTIONS = {
    "X_POSSIBLE_NAMES": "lon,longitude,lng,x",
    "Y_POSSIBLE_NAMES": "lat,latitude,y",
    "KEEP_GEOM_COLUMNS": "NO",
}


class TrackError(ValueError):
    """A track file that cannot be used (the message says why)."""


def read_track(path: str | Path) -> shapely.LineString:
    """Read one track file into a LineString (lon, lat).

    Parameters
    ----------
    path
        A ``.gpx``, ``.kml``, ``.geojson``/``.json`` or ``.csv`` file.

    Returns
    -------
    shapely.LineString
        Line parts joined in file order, or the points in file order.

    Raises
    ------
    TrackError
        Unreadable file, no usable geometry, fewer than two points.

    """
    import pyogrio

    path = Path(path)
    try:
        layers = [str(x) for x in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:
        raise TrackError(f"cannot read the file: {exc}") from None
    if path.suffix.lower() == ".gpx":
        layers = [x for x in _GPX_ORDER if x in layers]
    options = _CSV_OPTIONS if path.suffix.lower() == ".csv" else {}
    lines: list[np.ndarray] = []
    points: list[np.ndarray] = []
    for layer in layers:
        try:
            frame = pyogrio.read_dataframe(path, layer=layer, **options)
        except Exception as exc:
            raise TrackError(f"cannot read layer {layer!r}: {exc}") from None
        if (
            frame.crs is not None
            and not frame.crs.equals("EPSG:4326")
            and frame.crs.to_epsg() != 4326
        ):
            frame = frame.to_crs("EPSG:4326")
        geoms = shapely.get_parts(frame.geometry.dropna().to_numpy())
        kinds = shapely.get_type_id(geoms)
        for g in geoms[kinds == 1]:
            lines.append(shapely.get_coordinates(g))
        pts = geoms[kinds == 0]
        if len(pts):
            points.append(shapely.get_coordinates(pts))
        if lines:
            break  # the first layer with lines is the track
    xy = (
        np.concatenate(lines) if lines else (np.concatenate(points) if points else np.empty((0, 2)))
    )
    if len(xy) < 2:
        raise TrackError("the file has no line and fewer than two points")
    if not (
        np.isfinite(xy).all() and (np.abs(xy[:, 0]) <= 360).all() and (np.abs(xy[:, 1]) <= 90).all()
    ):
        raise TrackError("coordinates are not longitude/latitude degrees")
    keep = np.r_[True, (np.diff(xy, axis=0) != 0).any(axis=1)]
    return shapely.linestrings(xy[keep])


def check_tracks(
    legs: pd.DataFrame, folder: Path, *, file: str, problems: list[Problem]
) -> tuple[pd.Series, pd.Series]:
    """Read every leg's track file; report every one that cannot be used.

    Returns
    -------
    files, lines
        Aligned with ``legs``: the resolved path (``""`` without a track)
        and the LineString (``None`` without a usable track).

    """
    import pyproj

    from geo import settings

    cells = legs[TRACK].astype(str)
    files = pd.Series("", index=legs.index, dtype=object)
    lines = pd.Series(None, index=legs.index, dtype=object)
    line_no = legs[SOURCE_LINE].to_numpy()
    geod = pyproj.Geod(ellps=settings.ELLPS)
    cache: dict[Path, shapely.LineString | str] = {}
    for i in np.flatnonzero((cells != "").to_numpy()):
        cell = cells.iloc[i]
        path = folder / cell
        where = (file, int(line_no[i]), TRACK, cell)
        if path.suffix.lower() not in TRACK_SUFFIXES:
            problems.append(
                Problem(
                    *where,
                    "track file type not supported",
                    "export the track as " + ", ".join(TRACK_SUFFIXES),
                )
            )
            continue
        if not path.is_file():
            problems.append(
                Problem(
                    *where,
                    "track file not found",
                    f"give the path relative to the data folder ({folder})",
                )
            )
            continue
        if path not in cache:
            try:
                cache[path] = read_track(path)
            except TrackError as exc:
                cache[path] = str(exc)
        got = cache[path]
        if isinstance(got, str):
            problems.append(
                Problem(
                    *where,
                    f"track file unusable: {got}",
                    "export the track again as GPX, KML, GeoJSON or a lon/lat CSV",
                )
            )
            continue
        files.iloc[i] = str(path)
        lines.iloc[i] = got
        xy = shapely.get_coordinates(got)
        row = legs.iloc[i]
        for end, lon, lat, name in (
            (xy[0], row[FROM_LON], row[FROM_LAT], "starts"),
            (xy[-1], row[TO_LON], row[TO_LAT], "ends"),
        ):
            if np.isfinite(lon) and np.isfinite(lat):
                _, _, d = geod.inv(end[0], end[1], lon, lat)
                if d / 1000 > TRACK_END_TOLERANCE_KM:
                    problems.append(
                        Problem(
                            *where,
                            f"track {name} {d / 1000:.0f} km from the leg's "
                            f"{'origin' if name == 'starts' else 'destination'}",
                            "check that the track belongs to this leg and runs from 'from' to 'to'",
                            "warning",
                        )
                    )
    return files, lines
