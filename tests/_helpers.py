"""Helpers shared by test modules (``from _helpers import copy_inputs``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from geo import settings
from geo.paths import REPO_ROOT

#: The four input files of a data folder.
INPUT_FILES = (
    settings.GAZETTEER_FILE,
    settings.TRANSFERS_FILE,
    settings.SOURCES_FILE,
    settings.ZONES_FILE,
)


def copy_inputs(folder: Path, names: Iterable[str] = INPUT_FILES) -> Path:
    """Copy the bundled input files ``names`` into ``folder`` (made if missing); return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(REPO_ROOT / name, folder / name)
    return folder


def leg_ends(text: str, published: str) -> list[tuple[str, str]]:
    """(from, to) of each candidate ``movemap extract`` proposes for ``text``.

    Each end is its place's id when resolved, else how the ledger would write it.
    """
    from geo.extract import extract_text

    return [(c.frm.place.id if c.frm.place else c.frm.ledger(),
             c.to.place.id if c.to.place else c.to.ledger())
            for c in extract_text(text, published=published)]


def pattern_folder(folder: Path, append: dict[str, str] | None = None) -> Path:
    """Copy the bundled extraction patterns into ``folder``, append text to some files.

    ``append`` maps a file name (``"cues.csv"``) to the text added at its end, as an
    analyst would extend it; returns ``folder`` for ``load_lexicon``/``--patterns``.
    """
    from geo.extract.lexicon import _folder

    shutil.copytree(_folder(), folder, dirs_exist_ok=True)
    for name, text in (append or {}).items():
        with open(folder / name, "a", encoding="utf-8") as fh:
            fh.write(text)
    return folder


def on_two_threads_then_here(look) -> None:
    """Call ``look(0)`` and ``look(1)`` on two threads at once, then ``look("here")``."""
    import threading

    threads = [threading.Thread(target=look, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    look("here")
