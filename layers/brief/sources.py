"""The briefing's sources: each leg and the reports behind it, and a per-transfer summary.

Report text is escaped for Markdown (and URLs kept to ``http(s)``) so a
hostile string is shown as text.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from geo import columns as col
from geo.ledger_checks import source_id_list
from layers.brief._defaults import DEFAULT_TITLE

__all__ = ["sources_markdown", "sources_table", "transfer_summary"]


def sources_table(dataset: Any) -> pd.DataFrame:
    """One row per (leg, report behind it).

    Parameters
    ----------
    dataset
        A :class:`geo.dataset.Dataset`.

    Returns
    -------
    pandas.DataFrame
        Columns TRANSFER_ID, LEG, FROM_NAME, TO_NAME, DATE, EQUIPMENT,
        QUANTITY, ACTOR, STATUS, SOURCE_ID, SOURCE_OUTLET, SOURCE_DATE,
        SOURCE_TITLE, SOURCE_URL, SOURCE_RELAYS, sorted by transfer, leg
        and the order the ledger lists the sources in. A leg citing an id
        missing from sources.csv keeps its row with empty report fields.

    """
    legs = pd.DataFrame(dataset.legs.drop(columns=dataset.legs.geometry.name))
    leg_cols = [
        col.TRANSFER_ID,
        col.LEG,
        col.FROM_NAME,
        col.TO_NAME,
        col.DATE,
        col.EQUIPMENT,
        col.QUANTITY,
        col.ACTOR,
        col.STATUS,
    ]
    src_cols = [
        col.SOURCE_OUTLET,
        col.SOURCE_DATE,
        col.SOURCE_TITLE,
        col.SOURCE_URL,
        col.SOURCE_RELAYS,
    ]
    long = legs[[*leg_cols, col.SOURCE_IDS]].copy()
    long[col.SOURCE_IDS] = long[col.SOURCE_IDS].map(source_id_list)
    long = long.explode(col.SOURCE_IDS).rename(columns={col.SOURCE_IDS: col.SOURCE_ID})
    sources = pd.DataFrame(dataset.sources)[[col.SOURCE_ID, *src_cols]]
    out = long.merge(sources, on=col.SOURCE_ID, how="left", sort=False)
    out = out.sort_values([col.TRANSFER_ID, col.LEG], kind="stable").reset_index(drop=True)
    return out[[*leg_cols, col.SOURCE_ID, *src_cols]].astype(object).where(out.notna(), None)


def transfer_summary(dataset: Any) -> pd.DataFrame:
    """One row per transfer, short enough for a slide.

    Parameters
    ----------
    dataset
        A :class:`geo.dataset.Dataset`.

    Returns
    -------
    pandas.DataFrame
        Columns ``Transfer``, ``Equipment``, ``Route``, ``When``,
        ``Status``; most recent first.

    """
    legs = dataset.legs.sort_values([col.TRANSFER_ID, col.LEG], kind="stable")
    g = legs.groupby(col.TRANSFER_ID, sort=False)
    first, last = g.first(), g.last()
    n = g.size()
    qty = first[col.QUANTITY].fillna("").astype(str)
    equipment = first[col.EQUIPMENT].astype(str).map(_short) + qty.map(
        lambda q: f" (x{q})" if q else ""
    )
    route = first[col.FROM_NAME].astype(str) + " \u2192 " + last[col.TO_NAME].astype(str)
    route = route + n.map(lambda k: f" ({k} legs)" if k > 1 else "")
    statuses = g[col.STATUS].agg(lambda s: "/".join(dict.fromkeys(map(str, s))))
    start = pd.to_datetime(g[col.DATE_START].min())
    end = pd.to_datetime(g[col.DATE_END].max())
    when = [_when(a, b) for a, b in zip(start, end, strict=True)]
    out = pd.DataFrame(
        {
            "Transfer": first.index.astype(str),
            "Equipment": equipment.to_numpy(),
            "Route": route.to_numpy(),
            "When": when,
            "Status": statuses.to_numpy(),
            "_start": start.to_numpy(),
        }
    )
    out = out.sort_values(["_start", "Transfer"], ascending=[False, True], kind="stable")
    return out.drop(columns="_start").reset_index(drop=True)


# CommonMark punctuation that can start markup, plus "$" (GitHub math).
def _when(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """Compact date span: "13 Dec 2024", "8-18 Dec 2024", "May-Jun 2020", "2000-2020"."""
    if pd.isna(start) or pd.isna(end):
        return "undated"
    if start == end:
        return f"{start.day} {start:%b %Y}"
    if (start.year, start.month) == (end.year, end.month):
        first, last = start == start.replace(day=1), end == end + pd.offsets.MonthEnd(0)
        return f"{start:%b %Y}" if first and last else f"{start.day}\u2013{end.day} {end:%b %Y}"
    if start.year == end.year:
        return f"{start:%b}\u2013{end:%b %Y}"
    return f"{start.year}\u2013{end.year}"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&$])")


def _md(value: Any) -> str:
    """Escape text for a Markdown table cell or list item."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = " ".join(str(value).split())  # no line breaks inside a cell
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_url(url: Any) -> str:
    if isinstance(url, str) and re.fullmatch(r"https?://[^\s<>]+", url):
        return f"<{url}>"
    return _md(url)


def sources_markdown(dataset: Any, *, title: str = DEFAULT_TITLE) -> str:
    """Render the sources table as Markdown: one section per transfer.

    Parameters
    ----------
    dataset
        A :class:`geo.dataset.Dataset`.
    title
        Document heading.

    Returns
    -------
    str
        Markdown with every value escaped; only ``http(s)`` URLs become links.

    """
    table = sources_table(dataset)
    lines = [f"# Sources: {_md(title)}", ""]
    lines.append(
        "Each transfer's legs and the reports behind them. Reports are paraphrased in "
        "the ledger; open the links for the original wording."
    )
    for tid, rows in table.groupby(col.TRANSFER_ID, sort=False):
        lines += ["", f"## {_md(tid)}", ""]
        lines.append("| Leg | From | To | Date | Equipment | Qty | Actor | Status |")
        lines.append("|---:|---|---|---|---|---|---|---|")
        legs = rows.drop_duplicates(col.LEG)
        for d in legs.to_dict("records"):
            cells = [
                d[col.LEG],
                d[col.FROM_NAME],
                d[col.TO_NAME],
                d[col.DATE],
                d[col.EQUIPMENT],
                d[col.QUANTITY],
                d[col.ACTOR],
                d[col.STATUS],
            ]
            lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
        lines += ["", "Reports:", ""]
        reports = rows.drop_duplicates(col.SOURCE_ID)
        for d in reports.to_dict("records"):
            if d[col.SOURCE_ID] is None:
                continue
            cited = ", ".join(
                str(v) for v in rows[rows[col.SOURCE_ID] == d[col.SOURCE_ID]][col.LEG]
            )
            parts = [f"**{_md(d[col.SOURCE_ID])}**"]
            parts.append(_md(d[col.SOURCE_OUTLET]) or "(not in sources.csv)")
            if d[col.SOURCE_DATE]:
                parts.append(_md(d[col.SOURCE_DATE]))
            if d[col.SOURCE_TITLE]:
                parts.append(f"*{_md(d[col.SOURCE_TITLE])}*")
            if d[col.SOURCE_RELAYS]:
                parts.append(f"relaying {_md(d[col.SOURCE_RELAYS])}")
            if d[col.SOURCE_URL]:
                parts.append(_md_url(d[col.SOURCE_URL]))
            lines.append(f"- {', '.join(parts)} (leg {_md(cited)})")
    return "\n".join(lines) + "\n"
