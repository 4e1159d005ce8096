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
