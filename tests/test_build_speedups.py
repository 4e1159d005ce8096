"""Issue 15: the faster build gives the same results as the code it replaced.

- :func:`layers.legs.leg_zone_sets` joins segments to legs on integer keys
  (numpy) instead of pandas merges; it is checked against the merge-based
  version it replaced, on random tables with every awkward case (missing
  zones and dates, zones the table lacks, a zone id listed twice with two
  validity windows, legs sharing a key, segments of no leg);
- ``movemap`` (:mod:`layers.cli.console`) ends with ``os._exit`` after the
  exit handlers and a flush: output, exit codes and handlers are kept.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from geo import columns as col
from layers.legs import leg_zone_sets


def _merged_zone_sets(legs: pd.DataFrame, segments: pd.DataFrame,
                      zones: pd.DataFrame) -> list[tuple[str, ...]]:
    """leg_zone_sets as it was (pandas merges), the reference."""
    known = set(zones[col.ZONE_ID].astype(str))
    keys = legs[[col.TRANSFER_ID, col.LEG]].reset_index(drop=True)
    keys["_row"] = np.arange(len(keys))
    parts = [
        pd.DataFrame({"_row": keys["_row"], col.ZONE_ID: legs[c].to_numpy()})
        for c in (col.FROM_ZONE, col.TO_ZONE)
    ]
    seg = segments[[col.TRANSFER_ID, col.LEG, col.ZONE_ID]].merge(
        keys, on=[col.TRANSFER_ID, col.LEG], how="inner"
    )
    when = pd.DataFrame({
        "_row": keys["_row"],
        "_start": pd.to_datetime(legs[col.DATE_START].to_numpy(), errors="coerce"),
        "_end": pd.to_datetime(legs[col.DATE_END].to_numpy(), errors="coerce"),
    })
    validity = pd.DataFrame({
        col.ZONE_ID: zones[col.ZONE_ID].astype(str).to_numpy(),
        "_vf": pd.to_datetime(zones[col.VALID_FROM].to_numpy(), errors="coerce"),
        "_vt": pd.to_datetime(zones[col.VALID_TO].to_numpy(), errors="coerce"),
    })
    seg = seg.astype({col.ZONE_ID: object}).merge(when, on="_row")
    seg[col.ZONE_ID] = seg[col.ZONE_ID].where(seg[col.ZONE_ID].notna(), None)
    seg = seg.merge(validity, on=col.ZONE_ID, how="left")
    overlaps = (seg["_vf"].isna() | (seg["_vf"] <= seg["_end"])) & (
        seg["_vt"].isna() | (seg["_vt"] >= seg["_start"])
    )
    parts.append(seg.loc[overlaps, ["_row", col.ZONE_ID]])
    long = pd.concat(parts, ignore_index=True)
    zone = long[col.ZONE_ID].astype("string")
    long[col.ZONE_ID] = zone.where(zone.isin(known), col.OUTSIDE_ZONES).astype(str)
    long = long.drop_duplicates().sort_values(["_row", col.ZONE_ID])
    out = [(col.OUTSIDE_ZONES,)] * len(keys)
    for row, group in long.groupby("_row"):
        out[row] = tuple(group[col.ZONE_ID])
    return out


def _tables(seed: int, *, shared_keys: bool) -> tuple[pd.DataFrame, ...]:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    zone_values = np.array(["west", "east", "mid", "gone", None, np.nan, col.OUTSIDE_ZONES],
                           dtype=object)
    days = pd.to_datetime(["2017-03-01", "2018-05-01", "2019-07-01", "2020-01-01", None])
    transfer = rng.choice(["t1", "t2", "t3", "t10", "b"], n)
    leg = rng.integers(1, 4, n) if shared_keys else np.arange(1, n + 1)
    start = days[rng.integers(0, len(days), n)]
    legs = pd.DataFrame({
        col.TRANSFER_ID: transfer,
        col.LEG: leg,
        col.FROM_ZONE: zone_values[rng.integers(0, len(zone_values), n)],
        col.TO_ZONE: zone_values[rng.integers(0, len(zone_values), n)],
        col.DATE_START: start,
        col.DATE_END: start + pd.Timedelta(days=int(rng.integers(0, 400))),
    }, index=pd.RangeIndex(100, 100 + n))
    m = int(rng.integers(0, 3 * n + 1))
    segments = pd.DataFrame({
        col.TRANSFER_ID: rng.choice([*transfer.tolist(), "nobody"], m),
        col.LEG: rng.integers(1, max(4, n + 1), m),
        col.ZONE_ID: zone_values[rng.integers(0, len(zone_values), m)],
    })
    zones = pd.DataFrame({
        col.ZONE_ID: ["west", "east", "mid", "mid"],  # "mid": two windows
        col.VALID_FROM: ["2018-01-01", None, "2017-01-01", "2020-01-01"],
        col.VALID_TO: [None, "2019-12-31", "2018-01-01", None],
    })
    return legs, segments, zones


@pytest.mark.parametrize("shared_keys", [False, True])
@pytest.mark.parametrize("seed", range(40))
def test_leg_zone_sets_as_the_merges_gave(seed: int, shared_keys: bool) -> None:
    legs, segments, zones = _tables(seed, shared_keys=shared_keys)
    out = leg_zone_sets(legs, segments, zones)
    assert out.index.equals(legs.index)
    assert out.tolist() == _merged_zone_sets(legs, segments, zones)


def test_leg_zone_sets_without_segments() -> None:
    legs, _segments, zones = _tables(3, shared_keys=False)
    empty = pd.DataFrame({c: [] for c in (col.TRANSFER_ID, col.LEG, col.ZONE_ID)})
    assert leg_zone_sets(legs, empty, zones).tolist() == [
        tuple(sorted({z if z in {"west", "east", "mid"} else col.OUTSIDE_ZONES
                      for z in (a, b)}))
        for a, b in zip(legs[col.FROM_ZONE], legs[col.TO_ZONE], strict=True)
    ]


def _console(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)


def test_console_keeps_output_exit_code_and_exit_handlers() -> None:
    run = ("import atexit, sys; atexit.register(lambda: print('handler ran')); "
           "sys.argv = ['movemap', 'geocode', {names}]; "
           "from layers.cli.console import console; console()")
    ok = _console(run.format(names="'Hmeimim', 'Benina'"))
    assert ok.returncode == 0, ok.stderr
    assert "khmeimim_ab" in ok.stdout and "benina" in ok.stdout.lower()
    assert ok.stdout.rstrip().endswith("handler ran")
    bad = _console(run.format(names="'Nowhereville'"))
    assert bad.returncode == 1
    assert "unknown place 'Nowhereville'" in bad.stderr
    assert "handler ran" in bad.stdout


def test_python_m_layers_cli_is_the_console() -> None:
    done = subprocess.run([sys.executable, "-m", "layers.cli", "geocode", "Hmeimim"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "khmeimim_ab" in done.stdout


def test_many_small_maps_are_rendered_on_every_core(tmp_path, monkeypatch) -> None:
    """The bundled ledger's ~50 zone maps (~1 s in one process) are shared out; one
    small map is not (a fork would cost more than it saves). Same files either way."""
    from geo import forked
    from geo.dataset import load_dataset
    from layers import maps

    monkeypatch.setattr(forked, "available_cores", lambda: 2)
    seen: list[int] = []
    real = forked.run_forked

    def spy(tasks, fn, *, weights=None, workers=1):
        seen.append(workers)
        return real(tasks, fn, weights=weights, workers=workers)

    monkeypatch.setattr(forked, "run_forked", spy)
    full = load_dataset(None)
    maps.build_maps(full, tmp_path / "all")
    assert len(maps.map_files(full)) > 20 and seen[-1] == 2
    one = maps.build_maps(full, tmp_path / "serial", workers=1)
    assert all((tmp_path / "all" / p.name).read_bytes() == p.read_bytes() for p in one)
    from layers.synthetic import write_inputs

    small = load_dataset(write_inputs(tmp_path / "data", n_legs=50, seed=0))
    maps.build_maps(small, tmp_path / "small")
    assert len(maps.map_files(small)) <= 6 and seen[-1] == 1
