"""Shared test configuration.

Under ``CI=true`` a skipped browser test is a failure: CI installs
Chromium, so a skip there means the browser tests silently did not run.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if (
        os.environ.get("CI") == "true"
        and report.skipped
        and item.get_closest_marker("browser") is not None
    ):
        report.outcome = "failed"
        report.longrepr = f"browser test skipped under CI=true: {report.longrepr}"


#: Places the bundled gazetteer curates that the world tables also hold (added
#: for the issue-11 ledger columns). The world-table tests resolve against the
#: gazetteer without them, so they test what the world tables answer: with the
#: rows, the curated gazetteer answers first, as it should.
WORLD_COVERED_IDS = frozenset(
    {
        "khadim_ab",
        "bamako",
        "ouagadougou",
        "mersin",
        "samsun",
        "port_said",
        "crete",
        "bosphorus",
        "mediterranean_sea",
    }
)


@pytest.fixture(scope="session")
def seed_gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path to the bundled gazetteer without :data:`WORLD_COVERED_IDS`."""
    from geo.paths import REPO_ROOT

    lines = (REPO_ROOT / "gazetteer.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [ln for ln in lines if ln.split(",", 1)[0] not in WORLD_COVERED_IDS]
    path = tmp_path_factory.mktemp("seed") / "gazetteer.csv"
    path.write_text("".join(kept), encoding="utf-8")
    return path
