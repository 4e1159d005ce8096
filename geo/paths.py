"""Where the input files live."""

from __future__ import annotations

from pathlib import Path

from geo import settings
from geo._errors import DataDirError

__all__ = ["REPO_ROOT", "data_dir"]

#: The repository root: bundled inputs sit here beside ``pyproject.toml``.
REPO_ROOT = Path(__file__).resolve().parent.parent


def data_dir(path: str | Path | None = None) -> Path:
    """Return the folder holding the input files.

    Parameters
    ----------
    path
        Folder given by the user (``--data``). ``None`` means the bundled
        inputs at the repository root, or else the current directory.

    Raises
    ------
    DataDirError
        If the folder does not exist or holds no gazetteer.

    """
    candidates = [REPO_ROOT, Path.cwd()] if path is None else [Path(path)]
    for folder in candidates:
        if (folder / settings.GAZETTEER_FILE).is_file():
            return folder
    where = ", ".join(str(c) for c in candidates)
    msg = (
        f"no {settings.GAZETTEER_FILE} in {where}; "
        "pass --data DIR naming the folder with the input files"
    )
    raise DataDirError(msg)
