"""Where the input files live.

The rule is the same however movemap was installed (editable or not):

1. ``--data DIR`` when given;
2. else the folder named by the ``MOVEMAP_DATA`` environment variable;
3. else the current folder, if it holds ``gazetteer.csv``;
4. else an error naming this rule.

movemap never falls back to the files beside its own source code: a
command run from another folder would otherwise read a clone's bundled
inputs without saying so. Run from a clone's root, rule 3 finds the
bundled inputs, and :func:`data_origin` labels them ``bundled``.
"""

from __future__ import annotations

import os
from pathlib import Path

from geo import settings
from geo._errors import DataDirError

__all__ = ["DATA_ENV", "REPO_ROOT", "data_dir", "data_origin"]

#: The repository root: bundled inputs sit here beside ``pyproject.toml``.
REPO_ROOT = Path(__file__).resolve().parent.parent
#: Environment variable naming the data folder when ``--data`` is not given.
DATA_ENV = "MOVEMAP_DATA"


def data_origin(path: str | Path | None = None) -> tuple[Path, str]:
    """Return the folder holding the input files, and how it was chosen.

    Parameters
    ----------
    path
        Folder given by the user (``--data``); ``None`` applies the rule
        in this module's docstring.

    Returns
    -------
    folder, origin
        The folder (absolute), and ``"--data"``, ``"MOVEMAP_DATA"`` or
        ``"current folder"``, followed by ``", bundled"`` when it is the
        inputs bundled at the root of a movemap clone.

    Raises
    ------
    DataDirError
        If the folder does not exist, is not a folder, or holds no gazetteer.

    """
    env = os.environ.get(DATA_ENV, "")
    if path is not None:
        folder, origin = Path(path), "--data"
    elif env:
        folder, origin = Path(env), DATA_ENV
    else:
        folder, origin = Path.cwd(), "current folder"
        if not (folder / settings.GAZETTEER_FILE).is_file():
            msg = (
                f"no {settings.GAZETTEER_FILE} in the current folder {folder}; "
                "pass --data DIR naming the folder with the input files, set "
                f"{DATA_ENV}=DIR, or run from that folder"
            )
            raise DataDirError(msg)
    if not folder.exists():
        msg = f"data folder {folder} (from {origin}) does not exist; pass --data DIR"
        raise DataDirError(msg)
    if not folder.is_dir():
        msg = (
            f"data folder {folder} (from {origin}) is a file, not a folder; "
            "pass --data DIR naming the folder that holds the input files"
        )
        raise DataDirError(msg)
    if not (folder / settings.GAZETTEER_FILE).is_file():
        msg = (
            f"no {settings.GAZETTEER_FILE} in {folder} (from {origin}); "
            "pass --data DIR naming the folder with the input files"
        )
        raise DataDirError(msg)
    folder = folder.resolve()
    if folder == REPO_ROOT and (REPO_ROOT / "pyproject.toml").is_file():
        origin += ", bundled"
    return folder, origin


def data_dir(path: str | Path | None = None) -> Path:
    """Return the folder holding the input files (see :func:`data_origin`).

    Parameters
    ----------
    path
        Folder given by the user (``--data``), or ``None``.

    Raises
    ------
    DataDirError
        If the folder does not exist or holds no gazetteer.

    """
    return data_origin(path)[0]
