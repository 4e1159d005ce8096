"""Zone attribution of leg ends written as alternatives ``A | B`` (issue 11).

Each candidate is located as of the leg's dates like any end. The end's
zone and faction are kept only when every candidate gives the same answer
(else None: it is not known which applied), and the control note says
"one of: Benina International Airport (LNA, ly-east-2021-03-15), ...".
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from geo import columns as C  # noqa: N812


def alternative_ends(
    out: pd.DataFrame,
    start: np.ndarray,
    stop: np.ndarray,
    locate: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], pd.DataFrame],
) -> None:
    """Rewrite the zone columns of ends with alternatives, in place.

    Parameters
    ----------
    out
        Legs with FROM_/TO_ ZONE and FACTION and CONTROL_NOTE, positional
        order as ``start``/``stop``.
    start, stop
        Each leg's day bounds.
    locate
        ``(x, y, start, stop) -> answers`` (ZONE_ID, FACTION), positional.

    """
    ends = (
        (C.FROM_ALT_POINTS, C.FROM_ALT_NAMES, C.FROM_ZONE, C.FROM_FACTION, "from"),
        (C.TO_ALT_POINTS, C.TO_ALT_NAMES, C.TO_ZONE, C.TO_FACTION, "to"),
    )
    rows, xs, ys, which = [], [], [], []
    for k, (pts_col, *_rest) in enumerate(ends):
        if pts_col not in out.columns:
            continue
        for i, pts in enumerate(out[pts_col].tolist()):
            if isinstance(pts, tuple) and pts:
                for x, y in pts:
                    rows.append(i)
                    xs.append(x)
                    ys.append(y)
                    which.append(k)
    if not rows:
        return
    r = np.asarray(rows)
    w = np.asarray(which)
    loc = locate(np.asarray(xs, float), np.asarray(ys, float), start[r], stop[r])
    zone = loc[C.ZONE_ID].to_numpy(object)
    faction = loc[C.FACTION].to_numpy(object)
    notes = out[C.CONTROL_NOTE].astype(object).to_numpy().copy()
    for k, (_pts, names_col, zone_col, faction_col, label) in enumerate(ends):
        zcol = out[zone_col].to_numpy(object).copy()
        fcol = out[faction_col].to_numpy(object).copy()
        for i in np.unique(r[w == k]):
            sel = np.flatnonzero((r == i) & (w == k))
            names = out[names_col].iloc[i]
            zs, fs = list(zone[sel]), list(faction[sel])
            same = len(set(map(str, fs))) == 1 and len(set(map(str, zs))) == 1
            zcol[i] = zs[0] if same else None
            fcol[i] = fs[0] if same else None
            parts = [
                f"{n} ({f or 'unknown'}{', ' + z if z else ''})"
                for n, f, z in zip(names, fs, zs, strict=True)
            ]
            text = f"{label}: one of: " + ", ".join(parts)
            notes[i] = text if not notes[i] else f"{notes[i]}; {text}"
        out[zone_col] = zcol
        out[faction_col] = fcol
    out[C.CONTROL_NOTE] = notes
