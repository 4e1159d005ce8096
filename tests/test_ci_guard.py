"""The CI guard in conftest.py turns a skipped browser test into a failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TEST = """
import pytest

@pytest.mark.browser
def test_needs_browser():
    pytest.skip("no chromium")
"""


def _run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    conftest = Path(__file__).with_name("conftest.py")
    (tmp_path / "conftest.py").write_text(conftest.read_text())
    (tmp_path / "test_x.py").write_text(TEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    browser: b\n")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    # Own --basetemp: a nested session must not take a numbered
    # /tmp/pytest-of-<user> dir, or pytest's keep-3 cleanup can delete the
    # outer session's temp dir while its tests still use it.
    basetemp = tmp_path / "basetemp"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--basetemp={basetemp}",
            str(tmp_path / "test_x.py"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )


def test_skip_is_failure_under_ci(tmp_path: Path) -> None:
    res = _run(tmp_path, "true")
    assert res.returncode == 1, res.stdout
    assert "1 failed" in res.stdout


def test_skip_is_skip_outside_ci(tmp_path: Path) -> None:
    res = _run(tmp_path, None)
    assert res.returncode == 0, res.stdout
    assert "1 skipped" in res.stdout
