"""Faults around the inputs: killed and failing builds, unwritable outputs, the data folder
rule, and spreadsheet-safe CSV."""

from __future__ import annotations

import csv
import errno
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from _helpers import copy_inputs

from geo import settings
from geo.paths import REPO_ROOT
from layers.cli import main

INPUTS = (
    settings.GAZETTEER_FILE,
    settings.TRANSFERS_FILE,
    settings.SOURCES_FILE,
    settings.ZONES_FILE,
)
MOVEMAP = Path(sys.executable).with_name("movemap")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return copy_inputs(tmp_path / "data", INPUTS)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def debris(parent: Path) -> list[str]:
    """Staging/old folders beside an output, and temporary files in it."""
    names = [p.name for p in parent.iterdir() if ".staging-" in p.name or ".old-" in p.name]
    names += [p.name for p in parent.rglob("*.tmp*")]
    return names


# --------------------------------------------------------------------------- builds


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete build of the bundled data (the 'previous set')."""
    out = tmp_path_factory.mktemp("built") / "maps"
    assert main(["build", "--data", str(REPO_ROOT), "--out", str(out)]) == 0
    return out


def _copy_build(first_build: Path, tmp_path: Path) -> Path:
    out = tmp_path / "maps"
    shutil.copytree(first_build, out)
    return out


def _start_build(out: Path, *extra: str) -> subprocess.Popen[str]:
    cmd = [str(MOVEMAP)] if MOVEMAP.is_file() else [sys.executable, "-m", "layers.cli"]
    return subprocess.Popen(
        [*cmd, "build", "--data", str(REPO_ROOT), "--out", str(out), "--cdn", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_staging(out: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        stages = [p for p in out.parent.iterdir() if ".staging-" in p.name]
        if stages and any(stages[0].glob("*.html")):
            return
        if proc.poll() is not None:
            pytest.fail(f"build ended before it could be interrupted: {proc.stderr.read()}")  # type: ignore[union-attr]
        time.sleep(0.02)
    pytest.fail("no staging folder appeared")


def test_killed_build_leaves_the_previous_set_and_the_next_build_cleans_up(
    first_build: Path, tmp_path: Path
) -> None:
    out = _copy_build(first_build, tmp_path)
    before = snapshot(out)
    proc = _start_build(out)
    _wait_for_staging(out, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # The previous complete set, byte for byte: nothing of the half-done build.
    assert snapshot(out) == before
    assert debris(tmp_path)  # SIGKILL cannot clean up; the next run must
    assert main(["build", "--data", str(REPO_ROOT), "--out", str(out), "--cdn"]) == 0
    assert debris(tmp_path) == []
    assert snapshot(out) != before  # the --cdn set is in place


def test_terminated_build_cleans_up_at_once(first_build: Path, tmp_path: Path) -> None:
    out = _copy_build(first_build, tmp_path)
    before = snapshot(out)
    proc = _start_build(out)
    _wait_for_staging(out, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert snapshot(out) == before
    assert debris(tmp_path) == []


def test_stale_temporary_files_of_older_runs_are_removed(first_build: Path, tmp_path: Path) -> None:
    out = _copy_build(first_build, tmp_path)
    stale = [out / ".index.html.k3j2h1g0.tmp", out / ".ly-east-2019-03-01.html.a1b2c3d4.tmp"]
    for p in stale:
        p.write_bytes(b"")
    (tmp_path / ".maps.staging-999999999-abc").mkdir()  # a dead process's staging folder
    assert main(["build", "--data", str(REPO_ROOT), "--out", str(out)]) == 0
    assert not any(p.exists() for p in stale)
    assert debris(tmp_path) == []
    assert snapshot(out) == snapshot(first_build)


def test_user_files_in_the_output_folder_survive(first_build: Path, tmp_path: Path) -> None:
    out = _copy_build(first_build, tmp_path)
    (out / "notes.txt").write_text("mine")
    (out / "sub").mkdir()
    (out / "sub" / "a.txt").write_text("also mine")
    assert main(["build", "--data", str(REPO_ROOT), "--out", str(out)]) == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "sub" / "a.txt").read_text() == "also mine"


def test_disk_full_midway_leaves_the_previous_set(
    first_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import layers.maps

    out = _copy_build(first_build, tmp_path)
    before = snapshot(out)
    real = layers.maps.render_map
    calls = {"n": 0}

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(layers.maps, "render_map", failing)
    assert main(["build", "--data", str(REPO_ROOT), "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert "No space left on device" in err and "free space" in err and "Traceback" not in err
    assert snapshot(out) == before
    assert debris(tmp_path) == []


def test_permission_denied_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import geo._io

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError(errno.EACCES, "Permission denied", str(kwargs.get("dir")))

    monkeypatch.setattr(geo._io.tempfile, "mkdtemp", refuse)
    out = tmp_path / "ro" / "maps"
    assert main(["build", "--data", str(REPO_ROOT), "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert f"cannot write {tmp_path / 'ro'}: Permission denied" in err
    assert "choose a folder you can write to" in err and "Traceback" not in err


@pytest.mark.skipif(os.geteuid() != 0 and sys.platform == "win32", reason="posix permissions")
def test_read_only_folder_for_export_names_the_file(tmp_path: Path, capsys) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        code = main(
            ["export", "--format", "csv", "--out", str(ro / "legs.csv"), "--data", str(REPO_ROOT)]
        )
    finally:
        ro.chmod(0o755)
    assert code == 3
    assert "Permission denied" in capsys.readouterr().err


def test_a_set_lost_between_the_two_renames_is_restored(tmp_path: Path) -> None:
    from geo._io import staged_folder

    old = tmp_path / ".maps.old-999999999-xyz"
    old.mkdir()
    (old / "index.html").write_text("previous set")
    with pytest.raises(RuntimeError), staged_folder(tmp_path / "maps") as stage:
        (stage / "index.html").write_text("new, unfinished")
        raise RuntimeError("killed")
    assert (tmp_path / "maps" / "index.html").read_text() == "previous set"
    assert debris(tmp_path) == []


def test_unexpected_error_is_one_line_and_exit_4(
    monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path
) -> None:
    import layers.maps

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("need at least one array to concatenate")

    monkeypatch.setattr(layers.maps, "render_map", broken)
    monkeypatch.delenv("MOVEMAP_DEBUG", raising=False)
    assert main(["build", "--data", str(REPO_ROOT), "--out", str(tmp_path / "m")]) == 4
    err = capsys.readouterr().err
    assert "internal error: ValueError: need at least one array" in err
    assert "MOVEMAP_DEBUG=1" in err and "Traceback" not in err
    assert debris(tmp_path) == [] and not (tmp_path / "m").exists()


# --------------------------------------------------------------------------- data folder


@pytest.mark.parametrize(
    "argv",
    [
        ["geocode", "Khmeimim"],
        ["validate"],
        ["transfers"],
        ["zones", "--at", "2020-05-19"],
        ["export", "--format", "csv", "--out", "{tmp}/legs.csv"],
    ],
    ids=lambda a: a[0],
)
def test_every_command_names_the_data_folder(
    argv: list[str], data: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = [a.format(tmp=tmp_path) for a in argv]
    assert main([*argv, "--data", str(data)]) == 0
    assert capsys.readouterr().err.splitlines()[0] == f"data: {data} (--data)"
    monkeypatch.setenv("MOVEMAP_DATA", str(data))
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 0
    assert capsys.readouterr().err.splitlines()[0] == f"data: {data} (MOVEMAP_DATA)"
    monkeypatch.delenv("MOVEMAP_DATA")
    monkeypatch.chdir(data)
    assert main(argv) == 0
    assert capsys.readouterr().err.splitlines()[0] == f"data: {data} (current folder)"
    monkeypatch.chdir(REPO_ROOT)
    assert main(argv) == 0
    assert capsys.readouterr().err.splitlines()[0] == f"data: {REPO_ROOT} (current folder, bundled)"


def test_the_rule_does_not_depend_on_where_movemap_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import geo.paths

    monkeypatch.delenv("MOVEMAP_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    # Editable install (source tree = clone with inputs) and a normal one
    # (source tree in site-packages, no inputs): the same answer.
    for root in (REPO_ROOT, tmp_path / "site-packages"):
        monkeypatch.setattr(geo.paths, "REPO_ROOT", root)
        assert main(["validate"]) == 1
        err = capsys.readouterr().err
        assert f"no gazetteer.csv in the current folder {tmp_path}" in err
        assert "--data DIR" in err and "MOVEMAP_DATA" in err


def test_build_writes_into_the_data_folder_by_default(data: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(data)
    assert main(["build"]) == 0
    assert (data / "maps" / "index.html").is_file()


# --------------------------------------------------------------------------- spreadsheets


def test_spreadsheet_safe_defuses_text_not_numbers() -> None:
    from geo.export import spreadsheet_safe

    frame = pd.DataFrame(
        {
            "text": ["=1+1", "+x", "-x", "@SUM(A1)", "\tx", "\rx", "ok", "a=b", None, ""],
            "number": [-5.0, 1.0, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
            "count": range(-3, 7),
        }
    )
    safe = spreadsheet_safe(frame)
    assert safe["text"].iloc[:8].tolist() == [
        "'=1+1", "'+x", "'-x", "'@SUM(A1)", "'\tx", "'\rx", "ok", "a=b",
    ]  # fmt: skip
    assert pd.isna(safe["text"].iloc[8]) and safe["text"].iloc[9] == ""
    pd.testing.assert_series_equal(safe["number"], frame["number"])
    pd.testing.assert_series_equal(safe["count"], frame["count"])
    assert frame["text"].iloc[0] == "=1+1"  # the input is not changed


def _hostile_ledger(data: Path) -> None:
    path = data / settings.TRANSFERS_FILE
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    rows[1][head.index("note")] = '=HYPERLINK("http://evil.example","click")'
    rows[1][head.index("equipment")] = "@SUM(1+1)*cmd|' /C calc'!A0"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def test_export_csv_defuses_formulas_and_raw_keeps_them(data: Path, tmp_path: Path) -> None:
    _hostile_ledger(data)
    safe, raw = tmp_path / "safe.csv", tmp_path / "raw.csv"
    assert main(["export", "--format", "csv", "--out", str(safe), "--data", str(data)]) == 0
    assert (
        main(["export", "--format", "csv", "--out", str(raw), "--raw-csv", "--data", str(data)])
        == 0
    )
    s = pd.read_csv(safe, keep_default_na=False)
    r = pd.read_csv(raw, keep_default_na=False)
    assert len(s) == len(r)
    assert '=HYPERLINK("http://evil.example","click")' in r["note"].tolist()
    assert '\'=HYPERLINK("http://evil.example","click")' in s["note"].tolist()
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in s["equipment"].tolist()
    # No text cell starts a formula (numeric columns, read with blanks as NaN, may be negative).
    typed = pd.read_csv(safe)
    texts = typed[[c for c in typed.columns if not pd.api.types.is_numeric_dtype(typed[c])]]
    starts = texts.apply(lambda c: c.dropna().astype(str).str.match(r"^[=+\-@\t\r]").any())
    assert not starts.any(), starts[starts]
    # Numbers stay numbers.
    for name in s.columns:
        if pd.api.types.is_numeric_dtype(r[name]):
            pd.testing.assert_series_equal(s[name], r[name])


@pytest.mark.slow
def test_brief_sources_csv_defuses_formulas(data: Path, tmp_path: Path) -> None:
    path = data / settings.SOURCES_FILE
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[1][rows[0].index("title")] = "-2+3+cmd|' /C calc'!A0"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    assert main(["brief", "--out", str(tmp_path / "b"), "--data", str(data)]) == 0
    text = (tmp_path / "b" / "sources.csv").read_text(encoding="utf-8")
    assert "'-2+3+cmd|' /C calc'!A0" in text
    assert main(["brief", "--out", str(tmp_path / "r"), "--raw-csv", "--data", str(data)]) == 0
    raw = (tmp_path / "r" / "sources.csv").read_text(encoding="utf-8")
    assert "-2+3+cmd|' /C calc'!A0" in raw and "'-2+3" not in raw
