"""GeoNames (CC BY 4.0) is credited where a map or briefing draws places taken from it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pptx import Presentation
from test_export import synthetic_dataset

from geo import columns as col
from geo.dataset import Dataset
from geo.paths import REPO_ROOT
from layers.brief import write_brief
from layers.credits import GEONAMES_CREDIT, drawn_coord_sources, geonames_credit
from layers.maps import render_map
from layers.static_map.furniture import _source_line


def with_geonames_place(dataset: Dataset) -> Dataset:
    """The dataset with one place its legs use cited as from GeoNames."""
    used = sorted(set(dataset.legs[col.FROM_ID].dropna().astype(str)))
    places = dataset.places.copy()
    places.loc[places.index.astype(str) == used[0], col.COORD_SOURCE] = (
        "GeoNames 2210247 (world tables)"
    )
    return dataclasses.replace(dataset, places=places)


@pytest.fixture(scope="module")
def plain() -> Dataset:
    return synthetic_dataset()


def test_credit_only_for_sources_citing_geonames():
    assert geonames_credit(["test", None, float("nan")]) is None
    assert geonames_credit([]) is None
    assert geonames_credit(["x", "zones_of_control.md reference anchor (GeoNames) 'Sirte'"]) == (
        "Places: GeoNames (CC BY 4.0)"
    )


def test_bundled_gazetteer_cites_geonames_and_world_tables_derive_from_it():
    # What the credit is for: curated rows anchored on GeoNames, and the
    # world tables' towns (their README names GeoNames and its licence).
    text = (REPO_ROOT / "gazetteer.csv").read_text(encoding="utf-8")
    assert text.count("(GeoNames)") >= 7
    readme = (REPO_ROOT / "geo" / "data" / "world" / "README.md").read_text(encoding="utf-8")
    assert "GeoNames" in readme


def test_interactive_map_credits_geonames_when_it_draws_its_places(plain):
    without = render_map(plain)
    assert "GeoNames" not in without
    html = render_map(with_geonames_place(plain))
    assert html.count(GEONAMES_CREDIT) == 1
    assert ".attributionControl.addAttribution(" in html


def test_static_map_source_line_credits_geonames(plain):
    assert drawn_coord_sources(plain) and "GeoNames" not in _source_line(plain)
    assert _source_line(with_geonames_place(plain)).endswith(f" {GEONAMES_CREDIT}.")


def test_briefing_slide_footer_credits_geonames(plain, tmp_path: Path):
    write_brief(with_geonames_place(plain), tmp_path)
    prs = Presentation(str(tmp_path / "slide.pptx"))
    texts = [s.text_frame.text for s in prs.slides[0].shapes if s.has_text_frame]
    assert any(GEONAMES_CREDIT in t for t in texts)
