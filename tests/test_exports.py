"""The public API is curated: ``__all__`` lists exactly what is exported (as httpx does)."""

from __future__ import annotations

import importlib
import types

import pytest

import geo

GEO_MODULES = [
    "geo.countries",
    "geo.dataset",
    "geo.dates",
    "geo.engine",
    "geo.export",
    "geo.export.geojson",
    "geo.export.gpkg",
    "geo.export.kml",
    "geo.export.parquet",
    "geo.export.spreadsheet",
    "geo.export.tables",
    "geo.gazetteer",
    "geo.geocode",
    "geo.gazview",
    "geo.ledger_places",
    "geo.ledger_checks",
    "geo.ledger_problems",
    "geo.ledger_read",
    "geo.ledger_sources",
    "geo.ledger_stops",
    "geo.geoparquet",
    "geo.pipeline",
    "geo.resolve",
    "geo.resolve.answers",
    "geo.resolve.places",
    "geo.resolve.score",
    "geo.translit",
    "geo.world",
    "geo.ledger",
    "geo.lines",
    "geo.paths",
    "geo.zones",
    "geo.zones.attribute",
    "geo.zones.read",
    "geo.zones.split",
    "geo._csv",
    "geo._errors",
    "geo._parquet",
    "geo._io",
]


def test_geo_all_matches_public_names() -> None:
    # geo loads its public names lazily (PEP 562): load them all first.
    for name in geo.__all__:
        getattr(geo, name)
    public = {
        name
        for name, value in vars(geo).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(geo.__all__) == public
    assert geo.__all__ == sorted(geo.__all__)


@pytest.mark.parametrize("modname", GEO_MODULES)
def test_module_all_names_exist(modname: str) -> None:
    mod = importlib.import_module(modname)
    assert mod.__all__, modname
    missing = [n for n in mod.__all__ if not hasattr(mod, n)]
    assert missing == []
    assert len(set(mod.__all__)) == len(mod.__all__)


def test_geo_never_imports_folium() -> None:
    import subprocess
    import sys

    drawn = "('folium', 'branca', 'layers', 'matplotlib')"
    code = (
        "import sys, geo; geo.load_dataset(); "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {drawn}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
