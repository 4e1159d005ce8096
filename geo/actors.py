"""Actor groups: which actors of the ledger belong together (``actors.csv``).

``actors.csv`` is optional and sits beside ``transfers.csv``. One row per
actor as the ledger writes it, with the group it belongs to and other
spellings::

    actor,group,aliases
    Russian Navy,Russia,Russian navy;Russian Federation Navy

Legs are coloured by group (so one state's legs share one colour), and the
exact actor stays in popups and exports. When the file exists, every
ledger actor must be listed (by name or alias, matched ignoring case and
spacing); an unknown actor is reported with the closest known ones. Without
the file, each actor is its own group.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import process

from geo._csv import empty_file_problem, header_problems, read_records, wrong_width_problem
from geo._errors import Problem
from geo.columns import ACTOR, ACTOR_ALIASES, ACTOR_GROUP_NAME, ACTOR_NAME, SOURCE_LINE

__all__ = ["ACTORS_COLUMNS", "ActorGroups", "actor_groups", "read_actors"]

#: Columns of actors.csv, in the bundled file's order.
ACTORS_COLUMNS: tuple[str, ...] = (ACTOR_NAME, ACTOR_GROUP_NAME, ACTOR_ALIASES)
_ALIAS_SEP = ";"


def _key(text: str) -> str:
    """Return the matching key: case and runs of white space ignored."""
    return " ".join(str(text).casefold().split())


class ActorGroups:
    """Lookup from an actor (name or alias) to its group.

    Parameters
    ----------
    table
        actors.csv rows (:data:`ACTORS_COLUMNS`, aliases as ``;`` text).

    """

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        self._group: dict[str, str] = {}
        self._names: list[str] = []
        for name, group, aliases in zip(
            table[ACTOR_NAME], table[ACTOR_GROUP_NAME], table[ACTOR_ALIASES], strict=True
        ):
            spellings = [name, *(a.strip() for a in str(aliases).split(_ALIAS_SEP))]
            for s in spellings:
                if s:
                    self._group.setdefault(_key(s), group)
                    self._names.append(s)

    @property
    def groups(self) -> tuple[str, ...]:
        """Distinct groups, sorted."""
        return tuple(sorted(set(self.table[ACTOR_GROUP_NAME])))

    def group_of(self, actors: pd.Series) -> pd.Series:
        """Group of each actor; NaN where the actor is not listed."""
        keys = actors.astype(str).map(_key)
        return keys.map(self._group)

    def suggest(self, actor: str, *, limit: int = 3) -> list[str]:
        """Closest listed names and aliases (rapidfuzz WRatio)."""
        found = process.extract(actor, self._names, limit=limit, score_cutoff=50)
        return [m[0] for m in found]


def read_actors(
    path: str | Path, *, file: str | None = None
) -> tuple[ActorGroups | None, list[Problem]]:
    """Read and check ``actors.csv``.

    Parameters
    ----------
    path
        The file; a missing file is not a problem (the file is optional).
    file
        Path as shown in problems (default: ``str(path)``).

    Returns
    -------
    groups, problems
        ``None`` when the file is absent or its header is unusable; every
        problem (missing columns, rows of the wrong width, empty actor or
        group, an actor or alias listed twice).

    """
    path = Path(path)
    file = file or str(path)
    problems: list[Problem] = []
    if not path.exists():
        return None, problems
    header, lines, rows = read_records(path, file, problems)
    if header is None:
        if not problems:
            problems.append(
                empty_file_problem(file, "add the header row: " + ",".join(ACTORS_COLUMNS))
            )
        return None, problems
    problems.extend(
        header_problems(header, ACTORS_COLUMNS[:2], optional=ACTORS_COLUMNS[2:], file=file)
    )
    if any(c not in header for c in ACTORS_COLUMNS[:2]):
        return None, problems
    pos = {c: header.index(c) for c in ACTORS_COLUMNS if c in header}
    records = []
    seen: dict[str, int] = {}
    for line, row in zip(lines, rows, strict=True):
        if len(row) != len(header):
            problems.append(wrong_width_problem(file, line, row, len(header)))
            continue
        rec = {c: row[i].strip() for c, i in pos.items()}
        rec.setdefault(ACTOR_ALIASES, "")
        bad = False
        for c, hint in (
            (ACTOR_NAME, "write the actor as transfers.csv writes it"),
            (ACTOR_GROUP_NAME, "name the group the actor belongs to, e.g. 'Russia'"),
        ):
            if not rec[c]:
                problems.append(Problem(file, line, c, "", f"empty {c}", hint))
                bad = True
        spellings = [rec[ACTOR_NAME]] + [a.strip() for a in rec[ACTOR_ALIASES].split(_ALIAS_SEP)]
        for s in filter(None, spellings):
            k = _key(s)
            if k in seen and seen[k] != line:
                problems.append(
                    Problem(
                        file,
                        line,
                        ACTOR_ALIASES if s != rec[ACTOR_NAME] else ACTOR_NAME,
                        s,
                        f"actor {s!r} already listed (line {seen[k]})",
                        "list each actor and alias once",
                    )
                )
                bad = True
            seen.setdefault(k, line)
        if not bad:
            records.append({**rec, SOURCE_LINE: line})
    table = pd.DataFrame(records, columns=[*ACTORS_COLUMNS, SOURCE_LINE])
    return ActorGroups(table), problems


def actor_groups(
    legs: pd.DataFrame, groups: ActorGroups | None, *, file: str, problems: list[Problem]
) -> pd.Series:
    """Group of every leg's actor; report actors ``actors.csv`` does not list.

    Parameters
    ----------
    legs
        Ledger rows with ``ACTOR`` and ``SOURCE_LINE``.
    groups
        From :func:`read_actors`; ``None``: each actor is its own group.
    file
        transfers.csv as the user would type it.
    problems
        Where unknown actors are appended (one per row, with suggestions).

    Returns
    -------
    pandas.Series
        Aligned with ``legs``; the actor itself where it is not listed.

    """
    actors = legs[ACTOR].astype(str)
    if groups is None:
        return actors.copy()
    found = groups.group_of(actors)
    unknown = found.isna() & (actors != "")
    hints = {
        a: ("did you mean " + " or ".join(map(repr, s)) + "? " if (s := groups.suggest(a)) else "")
        + "add the actor (or an alias) to actors.csv"
        for a in actors[unknown].unique()
    }
    lines = legs[SOURCE_LINE].to_numpy()
    for i in np.flatnonzero(unknown.to_numpy()):
        a = actors.iloc[i]
        problems.append(
            Problem(file, int(lines[i]), ACTOR, a, "actor is not in actors.csv", hints[a])
        )
    return found.where(found.notna(), actors)
