"""Resolve place names to gazetteer ids.

Names are compared after :func:`normalize`, which ignores case,
diacritics, hyphens, punctuation, apostrophes and the Arabic article, so
"al-Watiya", "Al Watiya" and "Watiya" are one key. A key that belongs to
two places is reported as ambiguous, never resolved silently; a name
that matches nothing is reported with the closest known names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, overload

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from geo import settings
from geo._errors import AmbiguousPlaceError, UnknownPlaceError
from geo.columns import (
    PLACE_ALIASES,
    PLACE_ID,
    PLACE_NAME,
    RESOLVE_CANDIDATES,
    RESOLVE_PLACE_ID,
    RESOLVE_QUERY,
    RESOLVE_STATUS,
    RESOLVE_STATUSES,
    RESOLVE_SUGGESTIONS,
)
from geo.translit import ARTICLES, fold

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "AMBIGUOUS",
    "ARTICLES",
    "CANDIDATES",
    "OK",
    "PLACE_ID_COL",
    "QUERY",
    "STATUS",
    "SUGGESTIONS",
    "UNKNOWN",
    "PlaceIndex",
    "normalize",
]

# Columns of PlaceIndex.resolve() and the values of its status column
# (short aliases of the geo.columns constants).
QUERY = RESOLVE_QUERY
PLACE_ID_COL = RESOLVE_PLACE_ID
STATUS = RESOLVE_STATUS
CANDIDATES = RESOLVE_CANDIDATES
SUGGESTIONS = RESOLVE_SUGGESTIONS
OK, UNKNOWN, AMBIGUOUS = RESOLVE_STATUSES

_SPACES = re.compile(r"\s+")
#: Unknown names scored per rapidfuzz call, and the lowest score suggested.
_CHUNK = 4096
_CUTOFF = 60


@overload
def normalize(names: str) -> str: ...  # type: ignore[overload-overlap]
@overload
def normalize(names: Iterable[str] | pd.Series) -> pd.Series: ...
def normalize(names: str | Iterable[str] | pd.Series) -> str | pd.Series:
    """Return the matching key of each name.

    Lower-cases (casefold), strips diacritics (NFKD, then drops combining
    marks), drops apostrophes and dots, turns hyphens, underscores and other
    punctuation into spaces, drops a leading or inner Arabic article
    (al-, el-, ad-, ar-, as-, ash-, at-, az-, ... see :data:`ARTICLES`) that
    precedes another word, and collapses whitespace.

    Parameters
    ----------
    names
        One name, or an iterable/Series of names (each distinct name is
        normalized once).

    Returns
    -------
    str or pandas.Series
        The key, or a Series of keys aligned with ``names``.

    Examples
    --------
    >>> normalize("al-Watiya") == normalize("Al Watiya") == normalize("Watiya")
    True
    >>> normalize("Ṭarābulus")
    'tarabulus'

    """
    if isinstance(names, str):
        return _key(names)
    s = names if isinstance(names, pd.Series) else pd.Series(list(names), dtype=object)
    # Each distinct name is normalized once, then mapped back.
    codes, uniques = pd.factorize(s.to_numpy(dtype=object), use_na_sentinel=False)
    keys = np.array([_key(str(u)) for u in uniques], dtype=object)
    return pd.Series(keys[codes], index=s.index, dtype=object)


def _key(name: str) -> str:
    return fold(name)


class PlaceIndex:
    """Lookup of gazetteer places by id, name or alias.

    Built once from a gazetteer; every id, name and alias is normalized
    into a key that maps to the place ids claiming it.

    Parameters
    ----------
    places
        The gazetteer, as returned by :func:`geo.gazetteer.read_gazetteer`.
    n_suggestions
        How many names to suggest for an unknown name.

    Notes
    -----
    An exact place id (as written, e.g. ``"tripoli"``) always resolves to
    that place, even where the same text as a name is ambiguous ("Tripoli"
    is both the Libyan and the Lebanese city).

    """

    def __init__(
        self, places: gpd.GeoDataFrame, *, n_suggestions: int = settings.N_SUGGESTIONS
    ) -> None:
        self.places = places
        self.n_suggestions = n_suggestions
        ids = places[PLACE_ID].astype(str)
        self._ids = pd.Index(ids.to_numpy(), dtype=object)
        names = places[PLACE_NAME].astype(str).to_numpy()
        self._name_of = dict(zip(ids, names, strict=True))
        variants = pd.DataFrame(
            {
                "id": np.concatenate([ids.to_numpy(), ids.to_numpy(), ids.to_numpy()]),
                "text": np.concatenate([ids.to_numpy(), names, places[PLACE_ALIASES].to_numpy()]),
            }
        ).explode("text")
        variants = variants.dropna(subset=["text"])
        variants["key"] = normalize(variants["text"].astype(str)).to_numpy()
        variants = variants[variants["key"] != ""].drop_duplicates(["key", "id"])
        grouped = variants.sort_values(["key", "id"]).groupby("key", sort=True)["id"]
        #: normalized key -> tuple of place ids (sorted), one entry per key
        self.keys: pd.Series = grouped.agg(tuple)
        self._choices: list[str] = self.keys.index.tolist()
        self._choice_ids: list[tuple[str, ...]] = self.keys.tolist()

    def __len__(self) -> int:
        return len(self._ids)

    def resolve(self, names: Iterable[object] | pd.Series) -> pd.DataFrame:
        """Resolve many names at once.

        Each distinct name is resolved once and the answers are mapped back,
        so a million names drawn from a few thousand distinct ones is fast.

        Parameters
        ----------
        names
            Place ids, names or aliases, in any spelling :func:`normalize`
            folds together. Missing values count as unknown.

        Returns
        -------
        pandas.DataFrame
            One row per input name, in order, with columns ``query`` (the
            input), ``place_id`` (str, or None unless status is 'ok'),
            ``status`` ('ok' | 'unknown' | 'ambiguous'), ``candidates``
            (tuple of place ids, non-empty when ambiguous) and
            ``suggestions`` (tuple of place names, for unknown names).
            Never raises for unknown or ambiguous names.

        """
        queries = names if isinstance(names, pd.Series) else pd.Series(list(names), dtype=object)
        codes, uniques = pd.factorize(queries.to_numpy(dtype=object), use_na_sentinel=True)
        u = pd.Series(uniques, dtype=object).astype(str).str.strip()
        n = len(u)
        place = np.full(n + 1, None, dtype=object)  # slot n: missing input
        status = np.full(n + 1, UNKNOWN, dtype=object)
        candidates = np.empty(n + 1, dtype=object)
        suggestions = np.empty(n + 1, dtype=object)
        candidates.fill(())
        suggestions.fill(())
        if n:
            exact = u.isin(self._ids).to_numpy()
            keys = normalize(u)
            hits = keys.map(self.keys)
            found = hits.notna().to_numpy()
            width = hits.map(len, na_action="ignore").fillna(0).to_numpy()
            single = ~exact & found & (width == 1)
            multi = ~exact & found & (width > 1)
            place[:n][exact] = u[exact].to_numpy()
            place[:n][single] = [h[0] for h in hits[single]]
            status[:n][exact | single] = OK
            status[:n][multi] = AMBIGUOUS
            for i in np.flatnonzero(multi):
                candidates[i] = hits.iloc[i]
            missing = np.flatnonzero(~exact & ~found)
            for i, names_ in zip(
                missing, self._suggest(keys.iloc[missing].astype(str).tolist()), strict=True
            ):
                suggestions[i] = names_
        take = np.where(codes < 0, n, codes)
        # Object columns throughout, so a missing place id is None (not NaN).
        columns = {
            QUERY: queries.to_numpy(dtype=object),
            PLACE_ID_COL: place[take],
            STATUS: status[take],
            CANDIDATES: candidates[take],
            SUGGESTIONS: suggestions[take],
        }
        return pd.DataFrame(
            {k: pd.Series(v, index=queries.index, dtype=object) for k, v in columns.items()}
        )

    def lookup(self, name: str) -> pd.Series:
        """Return the gazetteer row of one place.

        Parameters
        ----------
        name
            A place id, name or alias.

        Raises
        ------
        UnknownPlaceError
            With the closest names as suggestions.
        AmbiguousPlaceError
            With the candidate place ids.

        """
        row = self.resolve([name]).iloc[0]
        if row[STATUS] == AMBIGUOUS:
            raise AmbiguousPlaceError(name, row[CANDIDATES])
        if row[STATUS] == UNKNOWN:
            raise UnknownPlaceError(name, row[SUGGESTIONS])
        return self.places.loc[row[PLACE_ID_COL]]

    def _suggest(self, keys: list[str]) -> list[tuple[str, ...]]:
        """Names of the places whose keys are closest to each of ``keys``.

        Scores every key against every known key at once (rapidfuzz ``cdist``,
        Levenshtein ratio, cut off below 60), in chunks to bound memory.
        """
        out: list[tuple[str, ...]] = []
        if not self._choices:
            return [()] * len(keys)
        top = min(4 * self.n_suggestions, len(self._choices))
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            scores = process.cdist(
                chunk,
                self._choices,
                scorer=fuzz.ratio,
                score_cutoff=_CUTOFF,
                dtype=np.uint8,
                workers=-1,
            )
            # Best first; ties in the (sorted) order of the known keys.
            order = np.argsort(-scores.astype(np.int16), axis=1, kind="stable")[:, :top]
            for r, key in enumerate(chunk):
                names: list[str] = []
                for j in order[r]:
                    if not key or scores[r, j] == 0:
                        break
                    for pid in self._choice_ids[j]:
                        name = self._name_of[pid]
                        if name not in names:
                            names.append(name)
                out.append(tuple(names[: self.n_suggestions]))
        return out
