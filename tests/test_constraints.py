"""constraints.txt pins every dependency, at the versions installed here."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from geo.paths import REPO_ROOT


def _pins() -> dict[str, str]:
    lines = (REPO_ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pairs = [line.split("==") for line in lines if line and not line.startswith("#")]
    return {canonicalize_name(name): version for name, version in pairs}


def test_every_dependency_and_test_extra_is_pinned() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    pins = _pins()
    missing = [r for r in wanted if canonicalize_name(Requirement(r).name) not in pins]
    assert missing == [], "run python scripts/refresh_constraints.py"
    # Every pin satisfies what pyproject.toml asks for.
    for r in map(Requirement, wanted):
        assert r.specifier.contains(pins[canonicalize_name(r.name)], prereleases=True), r


def test_constraints_match_this_environment() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "refresh_constraints.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_readme_and_ci_install_with_the_constraints() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -c constraints.txt -e . && movemap build" in readme
    assert "pip install -c constraints.txt -e '.[test]' && pytest" in readme
    assert "pip install -q -c constraints.txt -e '.[test]' && pytest" in ci
