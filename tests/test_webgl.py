"""When a map draws its legs with WebGL, and what such a page carries."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from layers.legs import _line_codes
from layers.webgl import WEBGL_MIN_LEGS, use_webgl


def test_auto_switches_above_the_threshold() -> None:
    assert use_webgl(WEBGL_MIN_LEGS) is False
    assert use_webgl(WEBGL_MIN_LEGS + 1) is True
    assert use_webgl(5, mode="on") is True
    assert use_webgl(10**6, mode="off") is False
    with pytest.raises(ValueError, match="auto, on, off"):
        use_webgl(5, mode="yes")


def test_cli_build_takes_webgl_option_and_states_the_threshold() -> None:
    import argparse

    from layers.cli import build

    parser = argparse.ArgumentParser()
    build.add_arguments(parser)
    assert parser.parse_args(["--webgl", "on"]).webgl == "on"
    assert parser.parse_args([]).webgl == "auto"
    with pytest.raises(SystemExit):
        parser.parse_args(["--webgl", "maybe"])
    assert f"{WEBGL_MIN_LEGS:,}" in parser.format_help()


def test_identical_lines_share_one_entry() -> None:
    a = shapely.linestrings([[0, 0], [1, 1], [2, 1]])
    a2 = shapely.linestrings([[0, 0], [1, 1], [2, 1]])
    rev = shapely.reverse(a)  # same key but the other way: not shared
    multi = shapely.multilinestrings([[[0, 0], [1, 1]], [[2, 2], [3, 3]]])
    codes, lines = _line_codes(np.array([a, None, a2, rev, multi, a], dtype=object))
    assert codes.tolist() == [0, -1, 0, 1, 2, 0]
    assert [shapely.equals_exact(x, y, 0) for x, y in zip(lines, [a, rev, multi], strict=True)]


def test_webgl_page_carries_its_script_and_shared_lines(tmp_path) -> None:
    from layers.maps import render_map
    from layers.synthetic import synthetic_dataset

    dataset = synthetic_dataset(tmp_path / "d", n_legs=60, seed=5)
    gl = render_map(dataset, webgl="on")
    canvas = render_map(dataset, webgl="off")
    assert render_map(dataset) == canvas  # 60 legs: auto is the canvas path
    marker = "window.movemapWebgl = {"  # the WebGL script itself
    assert marker in gl and marker not in canvas
    assert '"geom_u"' in gl and '"geom_c"' in gl and '"webgl":true' in gl
    assert '"geom_u"' not in canvas
    assert render_map(dataset, webgl="on") == gl  # reproducible
