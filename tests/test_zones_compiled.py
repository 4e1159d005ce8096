"""The zone split's numpy twins give its compiled loops' answers bit for bit.

See geo/zones/_compiled.py.

A small ledger's build never loads numba (~0.45 CPU s): it runs the twins.
Whichever runs, the legs and segments must be the same, to the last bit.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from test_zones_fast import _lines, _random_lines, _random_stretch

from geo.zones import _compiled, _kernels
from geo.zones._common import _GEOD
from geo.zones._geodesic import geodesic_m_numpy
from geo.zones._stretches import Stretches, Vertices, _coords

ROOT = Path(__file__).resolve().parent.parent


def _pairs(n: int, seed: int):
    """Random pairs: near (most pieces a split measures) and far, poles, equal and antipodal."""
    rng = np.random.default_rng(seed)
    x1, y1 = rng.uniform(-180, 180, n), rng.uniform(-89.9, 89.9, n)
    far = rng.random(n) < 0.5
    x2 = np.where(far, rng.uniform(-180, 180, n), x1 + rng.normal(0, 0.2, n))
    y2 = np.where(far, rng.uniform(-90, 90, n), np.clip(y1 + rng.normal(0, 0.2, n), -90, 90))
    x2[:50], y2[:50] = x1[:50] + 179.9 + rng.uniform(0, 0.2, 50), -y1[:50]  # nearly antipodal
    y1[50:60], y2[60:70] = 90.0, -90.0
    x2[70:80], y2[70:80] = x1[70:80], y1[70:80]
    x2[80:90], y2[80:90] = x1[80:90] + 1e-9, y1[80:90]
    return x1, y1, x2, y2


@pytest.mark.parametrize("seed", [4, 9])
def test_geodesic_twin_is_the_kernel_bit_for_bit(seed):
    x1, y1, x2, y2 = _pairs(20_000, seed)
    want = np.empty(len(x1))
    _kernels.geodesic_m(x1, y1, x2, y2, _GEOD.a, _GEOD.f, want)
    got = geodesic_m_numpy(x1, y1, x2, y2, _GEOD.a, _GEOD.f)
    assert np.isnan(want).any()  # some nearly antipodal pairs do not converge (pyproj's)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    assert (got[ok].view(np.int64) == want[ok].view(np.int64)).all()


def test_gathered_coordinates_are_the_kernel_s(monkeypatch):
    lines = _lines([((-5.0, 36.0), (40.0, 55.0)), ((10.0, 10.0), (12.0, 11.0)),
                    ((30.0, 30.0), (31.0, 30.5))])  # fmt: skip
    parts = np.asarray(lines.geometry.values)
    nseg = shapely.get_num_coordinates(parts) - 1
    v = Vertices.of(parts, np.arange(3), nseg)
    rng = np.random.default_rng(7)
    rows = [_random_stretch(rng, v, p, (0.0,)) for p in range(3) for _ in range(60)]
    st = Stretches(*(np.array(c) for c in zip(*rows, strict=True)))
    got = {}
    for force in (True, False):
        monkeypatch.setattr(_compiled, "FORCE", force)
        coords, size = _coords(v, st)
        got[force] = (coords.tobytes(), size.tolist())
    assert got[True] == got[False]


def _both(legs, zones, monkeypatch):
    from geo.engine import lines_and_zones

    out = {}
    for force in (False, True):
        monkeypatch.setattr(_compiled, "FORCE", force)
        out[force] = lines_and_zones(legs, zones, workers=1)
    return out


def _assert_same(a, b):
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(
            x.drop(columns="geometry"), y.drop(columns="geometry"), check_exact=True
        )
        assert list(shapely.to_wkb(x.geometry.values)) == list(shapely.to_wkb(y.geometry.values))


def test_bundled_ledger_is_the_same_either_way(monkeypatch):
    from geo.dataset import read_inputs

    _, _, ledger, zones = read_inputs(ROOT)
    out = _both(ledger.legs, zones, monkeypatch)
    _assert_same(out[False], out[True])


@pytest.mark.parametrize("seed", [3, 11])
def test_random_legs_are_the_same_either_way(seed, monkeypatch):
    from geo.zones import read_zones

    zones = read_zones(ROOT / "zones.geojson")
    legs = _random_lines(1500, seed).drop(columns="geometry")
    legs = pd.DataFrame(legs)
    out = _both(legs, zones, monkeypatch)
    assert out[True][1]["zone_id"].notna().sum() > 300  # legs meet zones
    _assert_same(out[False], out[True])


def test_a_small_build_does_not_load_numba(tmp_path):
    args = ["build", "--data", str(ROOT), "--out", str(tmp_path / "maps")]
    code = (
        f"import sys; from layers.cli import main; assert main({args!r}) == 0; "
        "print('numba' in sys.modules, 'geo.zones._kernels' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=tmp_path)  # fmt: skip
    assert done.stdout.split()[-2:] == ["False", "False"]


def test_route_count_survives_the_columns_being_taken(tmp_path):
    from geo import _prefetch
    from layers.synthetic import write_inputs

    ledger = write_inputs(tmp_path / "data", n_legs=2000, seed=1) / "transfers.csv"
    assert _prefetch.route_count(ledger) is None  # not read ahead
    assert _prefetch.start_columns(ledger)
    taken, (header, columns) = _prefetch.take(ledger)
    pairs = set(zip(columns[header.index("from")], columns[header.index("to")], strict=True))
    assert taken and _prefetch.route_count(ledger) == len(pairs) > 10


@pytest.mark.parametrize(("routes_needed", "loaded"), [(None, False), (10, True)])
def test_a_large_build_loads_numba_only_for_many_routes(tmp_path, routes_needed, loaded):
    # A 1 MB ledger (10,000 legs) repeating a few hundred routes: its split runs the
    # numpy twins, numba is never loaded; with the bar lowered, the build's head start
    # loads it beside the ledger read. The maps are the same bytes.
    from layers.synthetic import write_inputs

    data = write_inputs(tmp_path / "data", n_legs=10_000, seed=0)
    assert (data / "transfers.csv").stat().st_size >= 1_000_000
    out = tmp_path / f"maps-{routes_needed}"
    setup = (f"import geo.zones._compiled as C; C.COMPILED_ROUTES = {routes_needed}; "
             if routes_needed else "")  # fmt: skip
    code = (
        f"import sys; {setup}from layers.cli import main; "
        f"assert main(['build', '--data', {str(data)!r}, '--out', {str(out)!r}]) == 0; "
        "print('numba' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=tmp_path)  # fmt: skip
    assert done.stdout.split()[-1] == str(loaded)
