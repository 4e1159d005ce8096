import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo import countries
from geo.countries import countries_at, country_shape, land, load_countries


@pytest.fixture(scope="module")
def world() -> gpd.GeoDataFrame:
    return load_countries()


def test_columns_crs_and_validity(world):
    assert list(world.columns) == ["iso_a2", "name", "geometry"]
    assert world.crs.to_epsg() == 4326
    assert len(world) > 200
    assert world.geometry.is_valid.all()
    assert set(world.geom_type) <= {"Polygon", "MultiPolygon"}


def test_exterior_rings_are_counter_clockwise(world):
    polys = shapely.get_parts(world.geometry.values)
    assert shapely.is_ccw(shapely.get_exterior_ring(polys)).all()


def test_codes_unique_except_known_groups(world):
    coded = world[world["iso_a2"] != ""]
    dup = coded[coded["iso_a2"].duplicated(keep=False)]
    # Ashmore and Cartier Is. share Australia's numeric id in world-atlas.
    assert set(dup["iso_a2"]) <= {"AU"}
    assert set(world.loc[world["iso_a2"] == "", "name"]) == {
        "Indian Ocean Ter.",
        "N. Cyprus",
        "Siachen Glacier",
        "Somaliland",
    }
    assert world.loc[world["name"] == "Kosovo", "iso_a2"].item() == "XK"


@pytest.mark.parametrize(
    ("name", "lon", "lat", "iso"),
    [
        ("Ramstein Air Base", 7.6003, 49.4369, "DE"),
        ("Tripoli", 13.1913, 32.8872, "LY"),
        ("Khmeimim Air Base", 35.9487, 35.4011, "SY"),
        ("Minsk", 27.5667, 53.9, "BY"),
        ("Bamako", -8.0029, 12.6392, "ML"),
        ("Abu Dhabi", 54.3773, 24.4539, "AE"),
    ],
)
def test_inland_points_fall_inside_their_country(world, name, lon, lat, iso):
    hits = world[world.contains(shapely.Point(lon, lat))]
    assert hits["iso_a2"].tolist() == [iso], name


@pytest.mark.parametrize(
    ("name", "lon", "lat", "iso"),
    [
        # Coastal points in the sea at 1:50m: found within the tolerance only.
        ("Latakia", 35.791, 35.531, "SY"),
        ("Tartus", 35.887, 34.889, "SY"),
        ("Ramstein Air Base", 7.6003, 49.4369, "DE"),
        ("Tripoli", 13.1913, 32.8872, "LY"),
    ],
)
def test_countries_at_known_points(name, lon, lat, iso):
    got = countries_at(gpd.GeoSeries([shapely.Point(lon, lat)], index=[7]))
    assert got.to_dict() == {7: iso}, name


def test_countries_at_tolerance_and_missing():
    latakia = shapely.Point(35.791, 35.531)
    mid_atlantic = shapely.Point(-30.0, 0.0)
    got = countries_at(np.array([latakia, mid_atlantic, None], dtype=object), tolerance_km=0)
    assert got.tolist() == ["", "", ""]
    got = countries_at(np.array([latakia, mid_atlantic, None], dtype=object))
    assert got.tolist() == ["SY", "", ""]


def test_countries_at_shared_border_is_deterministic():
    # A vertex of the Libya polygon that is also on a neighbour's border.
    ly = country_shape("LY")
    eg = country_shape("EG")
    shared = shapely.intersection(ly.boundary, eg.boundary)
    pt = shapely.get_point(shapely.get_parts(shared)[0], 0)
    assert countries_at(np.array([pt], dtype=object)).tolist() == ["EG"]


def test_country_shape_and_land():
    ly = country_shape("ly")
    assert ly.bounds == pytest.approx((9.31, 19.5, 25.15, 33.18), abs=0.05)
    assert land().contains(shapely.Point(13.1913, 32.8872))
    assert not land().contains(shapely.Point(15.0, 34.0))  # central Mediterranean
    with pytest.raises(KeyError, match="ZZ"):
        country_shape("ZZ")
    with pytest.raises(KeyError):
        country_shape("")


def test_load_countries_returns_independent_copies():
    a = load_countries()
    a.loc[0, "name"] = "changed"
    assert load_countries().loc[0, "name"] != "changed"
    assert countries._countries() is countries._countries()


# Parts that genuinely span more than 150 degrees of longitude: Antarctica
# (all the way round the pole) and mainland Russia (Kaliningrad is separate;
# the mainland runs from the Baltic to the antimeridian, Chukotka's eastern
# tip being cut off there).  Anything else that wide is an antimeridian band.
WIDE_PARTS = {"Antarctica": (-180.0, 180.0), "Russia": (27.3, 180.0)}


def test_no_antimeridian_bands(world):
    parts, owner = shapely.get_parts(world.geometry.values, return_index=True)
    b = shapely.bounds(parts)
    wide = np.flatnonzero(b[:, 2] - b[:, 0] > 150.0)
    got = {world["name"].iloc[owner[i]]: (b[i, 0], b[i, 2]) for i in wide}
    assert got.keys() == WIDE_PARTS.keys()
    for name, (west, east) in WIDE_PARTS.items():
        assert got[name] == pytest.approx((west, east), abs=0.1), name


@pytest.mark.parametrize(
    ("lon", "lat", "iso"),
    [
        (177.0, 65.0, "RU"),  # Chukotka, west of the antimeridian
        (-175.0, 66.0, "RU"),  # Chukotka, east of it
        (-179.5, 68.9, "RU"),  # Chukotka coast just east of 180
        (100.0, 68.0, "RU"),  # Krasnoyarsk Krai
        (0.0, 67.0, ""),  # Norwegian Sea (was inside a Russia band)
        (40.0, 72.0, ""),  # Barents Sea
        (-170.0, 67.0, ""),  # Chukchi Sea (was inside a Russia band)
        (179.99, -16.5, ""),  # Pacific at Fiji's latitude, beside Taveuni
        (-179.95, -16.47, "FJ"),  # Fiji, east of the antimeridian
        (179.0, -16.8, "FJ"),  # Vanua Levu
        (-150.0, -16.5, ""),  # Pacific (was inside a Fiji band)
        (0.0, -89.99, "AQ"),  # the South Pole plateau
        (170.0, -85.0, "AQ"),
        (-170.0, -85.0, "AQ"),
        (0.0, -60.0, ""),  # Southern Ocean
    ],
)
def test_points_around_the_antimeridian(world, lon, lat, iso):
    hits = world[world.contains(shapely.Point(lon, lat))]
    assert hits["iso_a2"].tolist() == ([iso] if iso else []), (lon, lat)


def test_warm_up_computes_the_land_mask_once_for_every_thread() -> None:
    # Issue 15: the build computes the land mask and tiles in a thread while
    # the ledger is read; a caller meanwhile waits for that result.
    import threading

    from geo import countries

    thread = countries.warm_up()
    seen: list[object] = []
    readers = [threading.Thread(target=lambda: seen.append(countries._land())) for _ in range(3)]
    for r in readers:
        r.start()
    for r in [thread, *readers]:
        r.join()
    assert len(seen) == 3 and all(s is seen[0] for s in seen)
    assert countries._shared_tiles() is countries._shared_tiles()
    tiles, owner = countries._shared_tiles()
    assert len(tiles) == len(owner) > len(countries.load_countries())


def test_bundled_land_and_tiles_are_current() -> None:
    # Issue 15: a run reads the land mask and tiles from countries-derived.parquet
    # (scripts/derive_countries.py --derived) instead of spending ~1.3 CPU s of
    # GEOS on them. It must hold what a fresh derivation gives, geometry by
    # geometry and in the same order (countries_at breaks ties by tile index).
    from importlib import resources

    import pyarrow.parquet as pq

    path = resources.files("geo") / "data" / countries.DERIVED_FILE
    meta = pq.read_schema(path).metadata
    assert meta[countries.SOURCE_HASH_KEY].decode() == countries._source_hash(), (
        "countries.geojson changed: run python scripts/derive_countries.py --derived"
    )
    land_file, tiles_file, owner_file = countries._derived()
    land_new, tiles_new, owner_new = countries.derive_land_and_tiles(load_countries())
    assert shapely.to_wkb(land_file) == shapely.to_wkb(land_new)
    assert list(shapely.to_wkb(tiles_file)) == list(shapely.to_wkb(tiles_new))
    assert owner_file.tolist() == owner_new.tolist()


def test_stale_derived_file_is_computed_instead(monkeypatch) -> None:
    # When the polygons no longer match the file's hash, the mask and tiles
    # are derived from the polygons (never stale shapes read from the file).
    calls: list[int] = []
    real = countries.derive_land_and_tiles

    def spy(frame):
        calls.append(len(frame))
        return real(frame)

    monkeypatch.setattr(countries, "derive_land_and_tiles", spy)
    monkeypatch.setattr(countries, "_source_hash", lambda: "0" * 64)
    fresh = countries._derived.__wrapped__()
    assert calls == [len(load_countries())]
    assert shapely.to_wkb(fresh[0]) == shapely.to_wkb(countries._land())
