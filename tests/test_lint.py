"""The code and its tests stay clean under the project's ruff rules (pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

from geo.paths import REPO_ROOT

#: Everything ruff checks: the package, its tests, benchmarks and scripts.
CHECKED = ("geo", "layers", "tests", "bench", "scripts")


def test_ruff_finds_nothing() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", *CHECKED],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
