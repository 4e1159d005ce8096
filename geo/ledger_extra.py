"""The ledger's optional columns and derived fields (issue 11).

Called by :func:`geo.ledger.check_ledger` in the same single pass as every
other check, so all problems still come out at once:

- ``actor`` -> ``ACTOR_GROUP`` through the optional ``actors.csv``
  (:mod:`geo.actors`);
- ``from``/``to`` alternatives ``A | B`` (:mod:`geo.waypoints`);
- ``via`` places (:mod:`geo.waypoints`);
- ``carrier_id``: one identifier (registration, callsign, ship name, IMO);
- ``track``: an observed track file (:mod:`geo.tracks`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import process

from geo import settings
from geo._errors import Problem
from geo.actors import actor_groups, read_actors
from geo.columns import (
    ACTOR_GROUP,
    ACTOR_GROUP_RANK,
    CARRIER_ID,
    CATEGORIES,
    CATEGORY,
    CATEGORY_LIST,
    CATEGORY_SEP,
    FROM_ALT_NAMES,
    FROM_ALT_POINTS,
    FROM_ALTERNATIVES,
    FROM_UNKNOWN,
    SOURCE_LINE,
    TO_ALT_NAMES,
    TO_ALT_POINTS,
    TO_ALTERNATIVES,
    TO_UNKNOWN,
    TRACK_FILE,
    TRACK_LINE,
    VIA_IDS,
    VIA_NAMES,
    VIA_POINTS,
)
from geo.geocode import PlaceIndex
from geo.waypoints import complete_alternatives, resolve_via, split_alternatives

__all__ = [
    "EXTRA_LEG_COLUMNS",
    "check_extra",
    "split_alternatives",
    "with_alternatives",
]

#: Derived leg columns added by this module, in order.
EXTRA_LEG_COLUMNS: tuple[str, ...] = (
    CATEGORY_LIST,
    ACTOR_GROUP,
    ACTOR_GROUP_RANK,
    FROM_ALTERNATIVES,
    FROM_ALT_NAMES,
    FROM_ALT_POINTS,
    TO_ALTERNATIVES,
    TO_ALT_NAMES,
    TO_ALT_POINTS,
    VIA_IDS,
    VIA_NAMES,
    VIA_POINTS,
    TRACK_FILE,
    TRACK_LINE,
)
_CARRIER_MAX = 80
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def with_alternatives(legs: pd.DataFrame, alternatives: pd.DataFrame) -> pd.DataFrame:
    """Join the alternative columns; chain keys of an ``A | B`` end become the set."""
    alternatives = complete_alternatives(alternatives, legs)
    legs = legs.copy(deep=False)  # copy-on-write: the caller's frame is left as it was
    for c in alternatives.columns:
        legs[c] = alternatives[c]
    for alt, unk in ((FROM_ALTERNATIVES, FROM_UNKNOWN), (TO_ALTERNATIVES, TO_UNKNOWN)):
        key = f"_{unk}_key"
        values = legs[alt].to_numpy(dtype=object)
        has = pd.Series(
            np.fromiter(map(len, values), dtype=np.int64, count=len(values)) > 0,
            index=legs.index,
        )
        if not has.any():  # the usual case: no end has alternatives
            continue
        complete = legs.loc[has, alt].map(lambda t: all(x is not None for x in t))
        ok = has & complete.reindex(legs.index, fill_value=False)
        legs.loc[has, key] = None
        legs.loc[ok, key] = legs.loc[ok, alt].map(lambda t: "|".join(sorted(t)))
    return legs


def check_extra(
    legs: pd.DataFrame,
    transfers_path: Path,
    *,
    file: str,
    index: PlaceIndex,
    problems: list[Problem],
) -> pd.DataFrame:
    """Check the optional columns; return ``legs`` with the derived ones.

    Parameters
    ----------
    legs
        The leg table built by the ledger checks (text cells, SOURCE_LINE).
    transfers_path
        transfers.csv; ``actors.csv`` and track paths are read beside it.
    file
        transfers.csv as the user would type it.
    index
        The gazetteer index (via places).
    problems
        Where every problem is appended.

    Returns
    -------
    pandas.DataFrame

    """
    legs = legs.copy(deep=False)  # copy-on-write: the caller's frame is left as it was
    legs[CATEGORY_LIST] = check_categories(legs, file=file, problems=problems)
    folder = transfers_path.parent
    actors_path = folder / settings.ACTORS_FILE
    groups, actor_problems = read_actors(
        actors_path, file=str(Path(file).parent / settings.ACTORS_FILE)
    )
    problems.extend(actor_problems)
    legs[ACTOR_GROUP] = actor_groups(legs, groups, file=file, problems=problems)
    legs[ACTOR_GROUP_RANK] = group_ranks(legs[ACTOR_GROUP])

    via = resolve_via(legs, file=file, index=index, problems=problems)
    for c in via.columns:
        legs[c] = via[c]

    _check_carrier_ids(legs, file, problems)

    from geo.tracks import check_tracks

    files, lines = check_tracks(legs, folder, file=file, problems=problems)
    legs[TRACK_FILE] = files
    legs[TRACK_LINE] = lines
    return legs


def group_ranks(groups: pd.Series) -> pd.Series:
    """Rank each leg's group over the whole ledger: most legs first, ties by name.

    Maps colour groups by this rank, so a group keeps its colour on every
    map, image and export however the legs are filtered.
    """
    codes, distinct = pd.factorize(groups.to_numpy(dtype=object))
    if (codes < 0).any():  # a missing group: as text ("None", "nan"), the slow way
        counts = groups.astype(str).value_counts()
        order = sorted(counts.index, key=lambda g: (-int(counts[g]), g))
        rank = {g: i for i, g in enumerate(order)}
        return groups.astype(str).map(rank).astype("int64")
    # Per distinct group, then spread (two values may read the same as text).
    names = [str(g) for g in distinct.tolist()]
    per_name: dict[str, int] = {}
    for name, n in zip(names, np.bincount(codes, minlength=len(names)).tolist(), strict=True):
        per_name[name] = per_name.get(name, 0) + n
    order = sorted(per_name, key=lambda g: (-per_name[g], g))
    rank = {g: i for i, g in enumerate(order)}
    ranks = np.array([rank[name] for name in names], dtype="int64")
    return pd.Series(ranks[codes], index=groups.index, dtype="int64")


_KNOWN = frozenset(CATEGORIES)


def check_categories(legs: pd.DataFrame, *, file: str, problems: list[Problem]) -> pd.Series:
    """Split category cells on CATEGORY_SEP, check each value; return tuples.

    An unknown value is reported with a "did you mean"; an empty one in a
    list (``armour;;uav``) too. An empty cell is the ledger's own check.
    """
    # Each distinct cell is split and checked once; rows take their cell's answer.
    codes, cells = pd.factorize(legs[CATEGORY].to_numpy(dtype=object))
    if (codes < 0).any() or not all(type(c) is str for c in cells.tolist()):
        codes, cells = pd.factorize(legs[CATEGORY].astype(str).to_numpy(dtype=object))
    listed = np.empty(len(cells), dtype=object)
    failing: dict[int, list[str]] = {}  # cell -> its failing parts, in order
    for k, cell in enumerate(cells.tolist()):
        parts = [p.strip() for p in cell.split(CATEGORY_SEP)]
        listed[k] = tuple(p for p in parts if p != "")
        bad = [p for p in parts if (p == "" and len(parts) > 1) or (p != "" and p not in _KNOWN)]
        if bad:
            failing[k] = bad
    line = legs[SOURCE_LINE].to_numpy()
    allowed = list(CATEGORIES)
    hints: dict[str, str] = {}
    # Only the failing rows are looked at one by one, in file order.
    for i in np.flatnonzero(np.isin(codes, list(failing))).tolist():
        for value in failing[int(codes[i])]:
            if value == "":
                problems.append(
                    Problem(
                        file,
                        int(line[i]),
                        CATEGORY,
                        value,
                        "empty category in the list",
                        f"separate categories with a single {CATEGORY_SEP!r}, "
                        "e.g. 'artillery;armour'",
                    )
                )
                continue
            if value not in hints:
                near = process.extractOne(value.lower(), allowed, score_cutoff=60)
                hints[value] = (f"did you mean {near[0]!r}? " if near else "") + (
                    "allowed: " + ", ".join(allowed)
                )
            problems.append(
                Problem(file, int(line[i]), CATEGORY, value, "unknown category", hints[value])
            )
    return pd.Series(listed[codes], index=legs.index, dtype=object)


def carrier_key(values: pd.Series) -> pd.Series:
    """Return the matching key of carrier ids: upper case, no spaces, hyphens or dots."""
    return values.astype(str).str.upper().str.replace(r"[\s\-._]", "", regex=True)


def _check_carrier_ids(legs: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    codes, distinct = pd.factorize(legs[CARRIER_ID].to_numpy(dtype=object))
    values = distinct.tolist()
    if (codes < 0).any() or not all(type(v) is str for v in values):
        ids = legs[CARRIER_ID].astype(str)  # a missing id reads as its text
        codes, distinct = pd.factorize(ids.to_numpy(dtype=object))
        values = distinct.tolist()
    ids = pd.Series(distinct.take(codes) if len(values) else [], index=legs.index, dtype=object)
    lines = legs[SOURCE_LINE].to_numpy()
    # Each distinct id is looked at once; only failing rows one by one.
    bad = np.array([len(v) > _CARRIER_MAX or _CONTROL.search(v) is not None for v in values],
                   dtype=bool)
    keys = carrier_key(pd.Series(values, dtype=object)).tolist()
    spelled: dict[str, set[str]] = {}
    for v, key in zip(values, keys, strict=True):
        if v != "":
            spelled.setdefault(key, set()).add(v)
    for i in np.flatnonzero(bad[codes]):
        problems.append(
            Problem(
                file,
                int(lines[i]),
                CARRIER_ID,
                ids.iloc[i],
                "carrier_id is not one identifier",
                "write one registration, callsign, ship name or IMO number "
                f"(at most {_CARRIER_MAX} characters)",
            )
        )
    if all(len(v) < 2 for v in spelled.values()):  # the usual case: one spelling per id
        return
    given = ids != ""
    frame = pd.DataFrame(
        {"id": ids[given], "key": carrier_key(ids[given]), "line": lines[given.to_numpy()]}
    )
    for _key, grp in frame.groupby("key", sort=True):
        spellings = sorted(set(grp["id"]))
        if len(spellings) > 1:
            first = grp.sort_values("line").iloc[0]
            for _, row in grp[grp["id"] != first["id"]].iterrows():
                problems.append(
                    Problem(
                        file,
                        int(row["line"]),
                        CARRIER_ID,
                        row["id"],
                        "carrier id written differently from line "
                        f"{int(first['line'])} ({first['id']!r})",
                        f"write {first['id']!r} everywhere so the legs are linked",
                        "warning",
                    )
                )
