"""Work forked over processes (geo/forked.py): same results as one process, errors kept.

Issue 15: ``movemap build`` computes lines and zones, and renders its maps,
in this process and forks of it.  These tests check that the split changes
nothing in the results (same frames, same HTML bytes), that a failure in a
child comes back as that failure, and that no child is left behind.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

from geo import forked
from geo.forked import run_forked, split_by_weight

pytestmark = pytest.mark.skipif(not forked.can_fork(), reason="fork is Linux-only here")


def test_split_by_weight_balances_and_keeps_every_task() -> None:
    groups = split_by_weight([10, 1, 1, 1, 4, 4], groups=2)
    assert sorted(i for g in groups for i in g) == [0, 1, 2, 3, 4, 5]
    assert 0 in groups[0]  # the heaviest task stays in this process
    loads = [sum([10, 1, 1, 1, 4, 4][i] for i in g) for g in groups]
    assert loads == [11, 10]
    assert split_by_weight([1, 2], groups=5) == [[1], [0]]  # no empty groups
    assert split_by_weight([], groups=2) == []


def test_every_task_runs_once_in_some_process(tmp_path: Path) -> None:
    def run(i: int) -> None:
        (tmp_path / f"{i}.txt").write_text(f"{i} {os.getpid()}")

    run_forked(list(range(6)), run, weights=[3, 1, 1, 1, 1, 1], workers=3)
    texts = [(tmp_path / f"{i}.txt").read_text().split() for i in range(6)]
    assert [int(t[0]) for t in texts] == list(range(6))
    pids = {t[1] for t in texts}
    assert str(os.getpid()) in pids
    assert len(pids) == 3  # this process and two children


def test_a_childs_error_is_raised_here_with_its_type(tmp_path: Path) -> None:
    me = os.getpid()

    def run(i: int) -> None:
        if os.getpid() != me:
            raise OSError(28, "No space left on device", str(tmp_path / f"{i}.html"))

    with pytest.raises(OSError, match="No space left") as info:
        run_forked([0, 1], run, workers=2)
    assert info.value.errno == 28
    assert info.value.filename.endswith("1.html")


def test_a_child_that_dies_is_an_error_not_a_hang() -> None:
    me = os.getpid()

    def run(i: int) -> None:
        if os.getpid() != me:
            os._exit(9)

    with pytest.raises(RuntimeError, match="exit code 9"):
        run_forked([0, 1], run, workers=2)


def test_an_error_here_kills_the_children(tmp_path: Path) -> None:
    me = os.getpid()
    started = tmp_path / "child.pid"

    def run(i: int) -> None:
        if os.getpid() != me:
            started.write_text(str(os.getpid()))
            import time

            time.sleep(60)
            (tmp_path / "late").write_text("written after the parent gave up")
        else:
            import time

            for _ in range(200):  # wait for the child to start
                if started.exists() and started.read_text():
                    break
                time.sleep(0.05)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_forked([0, 1], run, workers=2)
    pid = int(started.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed and reaped
    assert not (tmp_path / "late").exists()


def test_threads_started_here_are_done_before_a_fork(tmp_path: Path) -> None:
    """A fork waits for start_thread's threads (a child must not inherit one mid-import)."""
    import threading
    import time

    from geo.forked import start_thread

    done = threading.Event()
    start_thread(lambda: (time.sleep(0.5), done.set()), name="slow-head-start")

    def run(i: int) -> None:
        (tmp_path / f"{i}.txt").write_text(str(done.is_set()))

    run_forked([0, 1], run, workers=2)
    assert (tmp_path / "1.txt").read_text() == "True"  # the child forked after the thread
    assert not [t for t in threading.enumerate() if t.name == "slow-head-start"]


def test_join_threads_by_name_waits_for_that_thread_and_its_successor() -> None:
    """The lines wait for their head start only; a head start may start the next one."""
    import threading

    from geo import forked
    from geo.forked import join_threads, start_thread

    release = threading.Event()
    order: list[str] = []

    def second() -> None:
        order.append("second")

    def first() -> None:
        order.append("first")
        start_thread(second, name="second-head-start")

    start_thread(lambda: release.wait(5), name="other-head-start")
    start_thread(first, name="first-head-start")
    join_threads(name="first-head-start")
    assert order[0] == "first"
    join_threads(name="second-head-start")
    assert order == ["first", "second"]
    # the other thread is still running and still registered: a fork would wait for it
    assert [t.name for t in forked._THREADS] == ["other-head-start"]
    release.set()
    join_threads()
    assert forked._THREADS == []


def test_a_head_start_that_fails_is_silent(capfd: pytest.CaptureFixture[str]) -> None:
    from geo.forked import join_threads, start_thread

    def broken() -> None:
        raise ImportError("No module named 'nothing_here'")

    start_thread(broken, name="broken-head-start")
    join_threads()
    assert capfd.readouterr().err == ""  # no thread traceback: the work is redone where needed


def test_one_worker_runs_everything_here() -> None:
    pids = []
    run_forked([0, 1, 2], lambda i: pids.append(os.getpid()), workers=1)
    assert pids == [os.getpid()] * 3


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from layers.synthetic import write_inputs

    return write_inputs(tmp_path_factory.mktemp("forked") / "data", n_legs=600, seed=4)


def test_lines_and_zones_forked_equal_one_process(folder: Path) -> None:
    from geo.dataset import read_inputs
    from geo.engine import lines_and_zones

    _, _, ledger, zones = read_inputs(folder)
    one_legs, one_segments = lines_and_zones(ledger.legs, zones, workers=1)
    two_legs, two_segments = lines_and_zones(ledger.legs, zones, workers=2)
    three_legs, _ = lines_and_zones(ledger.legs, zones, workers=3)
    pd.testing.assert_frame_equal(two_legs, one_legs)
    pd.testing.assert_frame_equal(two_segments, one_segments)
    pd.testing.assert_frame_equal(three_legs, one_legs)
    assert len(one_legs) == len(ledger.legs) and len(one_segments) >= len(one_legs)


def test_build_maps_forked_writes_the_same_bytes(folder: Path, tmp_path: Path) -> None:
    from geo.dataset import load_dataset
    from layers.maps import build_maps

    dataset = load_dataset(folder)

    def digests(out: Path) -> dict[str, str]:
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())
        }

    one = build_maps(dataset, tmp_path / "one", workers=1)
    two = build_maps(dataset, tmp_path / "two", workers=2)
    assert [p.name for p in one] == [p.name for p in two]
    assert len(one) >= 3  # the overview and the zone maps
    assert digests(tmp_path / "one") == digests(tmp_path / "two")


def test_build_maps_child_failure_leaves_the_old_set(folder: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import layers.maps as maps
    from geo._errors import OutputError
    from geo.dataset import load_dataset

    dataset = load_dataset(folder)
    out = tmp_path / "maps"
    first = maps.build_maps(dataset, out, workers=1)
    before = {p.name: p.read_bytes() for p in first}
    me = os.getpid()
    real = maps.render_map

    def failing(*args: object, **kwargs: object) -> str:
        if os.getpid() != me:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(maps, "render_map", failing)
    with pytest.raises(OutputError, match="No space left"):
        maps.build_maps(dataset, out, workers=2)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.suffix == ".html"} == before
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name]


def test_lines_and_zones_child_failure_is_raised_and_leaves_nothing(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child's error comes back as itself; the unpacking thread and the spool are gone."""
    import threading

    import geo.engine as engine
    from geo.dataset import read_inputs
    from geo.pipeline import _spool_dir

    _, _, ledger, zones = read_inputs(folder)

    def failing(*args: object, **kwargs: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(engine, "_partition", failing)
    before = set(Path(_spool_dir()).glob(f"{engine._SPOOL_PREFIX}*"))
    with pytest.raises(OSError, match="No space left"):
        engine.lines_and_zones(ledger.legs, zones, workers=2)
    assert not [t for t in threading.enumerate() if t.name == "movemap-unpack"]
    assert set(Path(_spool_dir()).glob(f"{engine._SPOOL_PREFIX}*")) == before


def test_a_child_done_is_not_waited_for_until_it_exits(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A child that finished its tasks lets this process go on before it exits.

    The child's exit is held until this process, back from run_forked,
    releases it: were run_forked waiting for the exit, it would never
    return (the child gives up after 60 s and says so).
    """
    import select

    release_r, release_w = os.pipe()
    held = os._exit

    def held_exit(code: int) -> None:
        ready, _, _ = select.select([release_r], [], [], 60)
        (tmp_path / "exit.txt").write_text("released" if ready else "timed out")
        held(code)

    monkeypatch.setattr(forked, "_exit", held_exit)
    monkeypatch.setattr(forked, "_PENDING", [])

    def run(i: int) -> None:
        (tmp_path / f"{i}.txt").write_text(str(os.getpid()))

    run_forked([0, 1], run, workers=2)
    os.close(release_r)
    assert (tmp_path / "0.txt").read_text() == str(os.getpid())
    child = int((tmp_path / "1.txt").read_text())  # written before run_forked returned
    assert [child] == forked._PENDING
    os.write(release_w, b"x")
    os.close(release_w)
    run_forked([], run)  # reaps it
    assert forked._PENDING == []
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)
    assert (tmp_path / "exit.txt").read_text() == "released"


def test_a_child_failing_after_its_tasks_is_still_an_error(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    """A child whose tasks fail reports the error and is waited for, as before."""
    monkeypatch.setattr(forked, "_PENDING", [])

    def run(i: int) -> None:
        if i == 1:
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        run_forked([0, 1], run, workers=2)
    assert forked._PENDING == []
