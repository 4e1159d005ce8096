"""geo.gcpause: the collector is off inside the block and restored after it."""

import gc

import pytest

from geo.gcpause import paused_gc


@pytest.fixture
def gc_state():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_off_inside_and_back_on_after(gc_state):
    gc.enable()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():  # nested: still off, and the outer one restores
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_when_the_block_raises(gc_state):
    gc.enable()
    with pytest.raises(KeyError), paused_gc():
        raise KeyError("x")
    assert gc.isenabled()


def test_left_off_when_it_was_off(gc_state):
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()


def test_build_runs_with_the_collector_off(monkeypatch, tmp_path, gc_state):
    """`movemap build` loads and renders inside the pause, and restores the collector."""
    import layers.cli.build as build

    seen = []
    monkeypatch.setattr(build, "_build", lambda args: seen.append(gc.isenabled()) or 0)
    gc.enable()
    assert build.run(None) == 0
    assert seen == [False]
    assert gc.isenabled()
