"""The briefing pack: every file a briefing needs, from one dataset.

:func:`write_brief` writes, into one folder,

``map.png``, ``map.svg``
    the static map (:mod:`layers.static_map`);
``map.html``
    the self-contained interactive map (:func:`layers.maps.render_map`);
``map.geojson``
    legs, places and zones on the map, RFC 7946 (:mod:`geo.export`);
``sources.csv``, ``sources.md``
    each transfer's legs and the reports behind them;
``embed.html``
    an iframe snippet that embeds ``map.html`` at any width;
``slide.pptx``
    one 16:9 slide with the map and a short transfer table.

Every file is written atomically and the same inputs give the same bytes
(the PPTX is re-zipped with fixed timestamps).
"""

from __future__ import annotations

import dataclasses
import html
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from geo import columns as col
from geo import settings
from geo._errors import MovemapError
from geo._io import check_out_dir, write_bytes, write_text
from geo.export import spreadsheet_safe, to_geojson
from layers.credits import drawn_coord_sources, geonames_credit
from layers.static_map import save_figure, zones_at

__all__ = [
    "DEFAULT_TITLE",
    "embed_snippet",
    "filter_dataset",
    "sources_markdown",
    "sources_table",
    "transfer_summary",
    "write_brief",
    "write_slide",
]

#: Title used when the analyst gives none.
DEFAULT_TITLE = "Reported military equipment transfers"
#: Rows in the slide's transfer table; the rest are counted in a note.
SLIDE_MAX_ROWS = 10
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------
# selecting what the briefing shows


def parse_as_of(value: str | pd.Timestamp | None) -> pd.Timestamp | None:
    """Read an as-of date written like a ledger date; a month means its last day.

    Parameters
    ----------
    value
        ``"2020-06-30"``, ``"2020-06"``, ``"2020"``, a Timestamp, or None.

    Returns
    -------
    pandas.Timestamp or None
        The last day the value covers.

    Raises
    ------
    MovemapError
        If the value is not a date movemap reads.

    """
    if value is None or isinstance(value, pd.Timestamp):
        return value
    from geo.dates import parse_dates

    parsed = parse_dates([str(value)])
    end = parsed[col.DATE_END].iloc[0]
    if pd.isna(end):
        msg = f"--as-of: cannot read {value!r} as a date; write it like 2020-06-30 or 2020-06"
        raise MovemapError(msg)
    return pd.Timestamp(end)


def filter_dataset(
    dataset: Any, *, as_of: pd.Timestamp | None = None, zone: str | None = None
) -> Any:
    """Keep the legs a briefing is about.

    Parameters
    ----------
    dataset
        A :class:`geo.dataset.Dataset`.
    as_of
        Keep legs that could have started by this date
        (``DATE_START <= as_of``).
    zone
        Keep legs starting, ending or passing through this zone (zone id
        or exact label).

    Returns
    -------
    geo.dataset.Dataset
        A copy holding the kept legs, their segments and the places they
        touch. Zones are all kept, so every map of every pack gives a
        faction the same colour; maps pick the zones valid on their date.

    Raises
    ------
    MovemapError
        If ``zone`` names no zone (the message lists the ids).

    """
    legs, segments = dataset.legs, dataset.segments
    keep = pd.Series(True, index=legs.index)
    if as_of is not None:
        keep &= pd.to_datetime(legs[col.DATE_START]) <= as_of
    if zone is not None:
        zone_id = _zone_id(dataset.zones, zone)
        through = segments[segments[col.ZONE_ID] == zone_id]
        passing = pd.MultiIndex.from_arrays([through[col.TRANSFER_ID], through[col.LEG]])
        key = pd.MultiIndex.from_arrays([legs[col.TRANSFER_ID], legs[col.LEG]])
        touches = (legs[col.FROM_ZONE] == zone_id) | (legs[col.TO_ZONE] == zone_id)
        keep &= touches | pd.Series(key.isin(passing), index=legs.index)
    legs = legs[keep.to_numpy()]
    kept = pd.MultiIndex.from_arrays([legs[col.TRANSFER_ID], legs[col.LEG]])
    seg_key = pd.MultiIndex.from_arrays([segments[col.TRANSFER_ID], segments[col.LEG]])
    segments = segments[seg_key.isin(kept)]
    used = set(legs[col.FROM_ID].dropna()) | set(legs[col.TO_ID].dropna())
    places = dataset.places[dataset.places[col.PLACE_ID].isin(used)]
    return dataclasses.replace(dataset, legs=legs, segments=segments, places=places)


def _zone_id(zones: pd.DataFrame, zone: str) -> str:
    if (zones[col.ZONE_ID] == zone).any():
        return zone
    by_label = zones[zones[col.ZONE_LABEL] == zone]
    if len(by_label) == 1:
        return str(by_label[col.ZONE_ID].iloc[0])
    ids = ", ".join(sorted(map(str, zones[col.ZONE_ID])))
    msg = f"--zone: no zone {zone!r} in zones.geojson; use one of: {ids}"
    raise MovemapError(msg)


# --------------------------------------------------------------------------
# tables


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
    long[col.SOURCE_IDS] = long[col.SOURCE_IDS].map(_ids)
    long = long.explode(col.SOURCE_IDS).rename(columns={col.SOURCE_IDS: col.SOURCE_ID})
    sources = pd.DataFrame(dataset.sources)[[col.SOURCE_ID, *src_cols]]
    out = long.merge(sources, on=col.SOURCE_ID, how="left", sort=False)
    out = out.sort_values([col.TRANSFER_ID, col.LEG], kind="stable").reset_index(drop=True)
    return out[[*leg_cols, col.SOURCE_ID, *src_cols]].astype(object).where(out.notna(), None)


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [s for s in value.split(";") if s]
    if isinstance(value, tuple | list):
        return [str(s) for s in value]
    return []


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


def embed_snippet(
    *, src: str = "map.html", title: str = DEFAULT_TITLE, ratio: float = 0.625
) -> str:
    """HTML that embeds the map in another page, responsive at any width.

    Parameters
    ----------
    src
        URL of the map page, relative to the page embedding it.
    title
        Accessible title of the frame.
    ratio
        Height / width (0.625 = 16:10); kept with the padding-top
        technique, which every browser supports.

    Returns
    -------
    str
        A fragment: a wrapper ``div`` and the ``iframe``.

    """
    t, s = html.escape(title, quote=True), html.escape(src, quote=True)
    return (
        "<!-- movemap: paste where the map should appear. It fills the column width,\n"
        f"     keeps a {ratio:.3f} height/width ratio, and never shrinks below 320 px tall. -->\n"
        '<div class="movemap-embed" style="position:relative;width:100%;height:0;'
        f"padding-top:{ratio * 100:.2f}%;padding-top:max({ratio * 100:.2f}%, 320px);"
        'overflow:hidden;">\n'
        f'  <iframe src="{s}" title="{t}" loading="lazy" allowfullscreen\n'
        '          style="position:absolute;top:0;left:0;width:100%;height:100%;border:0;">'
        "</iframe>\n"
        "</div>\n"
    )


# --------------------------------------------------------------------------
# the slide


def write_slide(
    path: str | Path,
    *,
    image: str | Path,
    title: str,
    subtitle: str,
    table: pd.DataFrame,
    footer: str,
    when: pd.Timestamp | None = None,
) -> Path:
    """Write a one-slide 16:9 PowerPoint: title, map picture, transfer table.

    Parameters
    ----------
    path
        Output ``.pptx``.
    image
        The map PNG.
    title, subtitle, footer
        Text on the slide.
    table
        Rows for the table (see :func:`transfer_summary`); the first
        ``SLIDE_MAX_ROWS`` are shown, the rest counted.
    when
        Date stored as the file's created/modified time (reproducible).

    Returns
    -------
    pathlib.Path
        ``path``.

    """
    from pptx import Presentation
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    _textbox(slide, Inches(0.4), Inches(0.25), Inches(12.5), Inches(0.6), title, Pt(26), bold=True)
    _textbox(slide, Inches(0.4), Inches(0.8), Inches(12.5), Inches(0.4), subtitle, Pt(12))

    pic_w = Inches(7.5)
    from PIL import Image

    with Image.open(image) as im:
        w_px, h_px = im.size
    pic_h = Emu(int(pic_w * h_px / w_px))
    slide.shapes.add_picture(str(image), Inches(0.3), Inches(1.3), width=pic_w, height=pic_h)

    shown = table.head(SLIDE_MAX_ROWS)
    cols = ["Transfer", "Equipment", "Route", "When", "Status"]
    widths = [1.1, 1.45, 1.45, 0.75, 0.6]
    left, top = Inches(7.9), Inches(1.3)
    shape = slide.shapes.add_table(
        len(shown) + 1, len(cols), left, top, Inches(sum(widths)), Inches(0.3 * (len(shown) + 1))
    )
    tbl = shape.table
    for j, (name, w) in enumerate(zip(cols, widths, strict=True)):
        tbl.columns[j].width = Inches(w)
        _cell(tbl.cell(0, j), name, Pt(8), bold=True)
    for i, row in enumerate(shown.itertuples(index=False), start=1):
        for j, name in enumerate(cols):
            _cell(tbl.cell(i, j), str(getattr(row, name)), Pt(7))
    notes = footer
    if len(table) > len(shown):
        notes = f"{len(table) - len(shown)} more transfers in sources.md. " + notes
    _textbox(slide, Inches(0.4), Inches(6.95), Inches(12.5), Inches(0.4), notes, Pt(9))

    core = prs.core_properties
    stamp = (when or pd.Timestamp("2000-01-01")).to_pydatetime()
    core.title, core.author, core.last_modified_by = title, "movemap", "movemap"
    core.created = core.modified = core.last_printed = stamp
    core.revision = 1
    buf = io.BytesIO()
    prs.save(buf)
    return write_bytes(path, _stable_zip(buf.getvalue()))


def _textbox(
    slide: Any,
    left: Any,
    top: Any,
    width: Any,
    height: Any,
    text: str,
    size: Any,
    *,
    bold: bool = False,
) -> None:
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = _pptx_text(text)
    run.font.size = size
    run.font.bold = bold


def _cell(cell: Any, text: str, size: Any, *, bold: bool = False) -> None:
    from pptx.util import Inches

    cell.margin_left = cell.margin_right = Inches(0.04)
    cell.margin_top = cell.margin_bottom = Inches(0.02)
    frame = cell.text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = _pptx_text(text)
    run.font.size = size
    run.font.bold = bold


def _pptx_text(text: str) -> str:
    # XML 1.0 cannot hold most control characters; python-pptx would raise.
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)


def _stable_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------
# the pack


def write_brief(
    dataset: Any,
    out_dir: str | Path,
    *,
    title: str = DEFAULT_TITLE,
    as_of: str | pd.Timestamp | None = None,
    zone: str | None = None,
    size_px: tuple[int, int] = settings.BRIEF_MAP_SIZE_PX,
    raw_csv: bool = False,
    colours: dict[str, str] | None = None,
    selection: str | None = None,
) -> list[Path]:
    """Write the briefing pack for a dataset into ``out_dir``.

    Parameters
    ----------
    dataset
        A :class:`geo.dataset.Dataset`.
    out_dir
        Folder to write into (created if missing).
    title
        Headline of the map and slide.
    as_of
        Only legs that could have started by this date, and the zones
        valid on it (``"2020-06-30"``; ``"2020-06"`` means its last day).
    zone
        Only legs starting, ending or passing through this zone.
    size_px
        Pixel size of map.png (at ``settings.BRIEF_MAP_DPI``).
    raw_csv
        Write sources.csv with text exactly as read; by default text cells a
        spreadsheet would run as formulas are defused
        (:func:`geo.export.spreadsheet_safe`).
    colours
        Leg colours; pass :func:`layers.style.leg_colours` of the whole
        (unfiltered) dataset so the brief matches the HTML maps.  Default:
        from ``dataset``.
    selection
        What a leg filter kept, in words (said in the subtitles).

    Returns
    -------
    list of pathlib.Path
        Files written: map.png, map.svg, map.html, map.geojson, sources.csv,
        sources.md, embed.html, slide.pptx.

    Raises
    ------
    MovemapError
        On an unreadable ``as_of``, an unknown ``zone``, or when no leg is
        left to brief.

    """
    from layers.maps import render_map
    from layers.static_map import draw_static_map

    when = parse_as_of(as_of)
    picked = filter_dataset(dataset, as_of=when, zone=zone)
    if len(picked.legs) == 0:
        what = " and ".join(
            s
            for s in (
                f"started by {when:%Y-%m-%d}" if when is not None else "",
                f"in zone {zone!r}" if zone else "",
            )
            if s
        )
        msg = f"no legs {what}; nothing to brief"
        raise MovemapError(msg)
    out = check_out_dir(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    from layers.maps import build_context
    from layers.style import leg_colours

    if colours is None:
        colours = leg_colours(dataset.legs)
    focus = None
    if zone:
        zid = _zone_id(dataset.zones, zone)
        focus = dataset.zones.loc[dataset.zones[col.ZONE_ID] == zid, col.GEOMETRY].iloc[0]
    fig = draw_static_map(
        picked, title=title, as_of=when, size_px=size_px, colours=colours, focus=focus,
        subtitle=_figure_subtitle(picked, when, selection),
    )
    written.append(save_figure(fig, out / "map.png"))
    written.append(save_figure(fig, out / "map.svg"))
    context = build_context(picked, colours=colours)
    written.append(
        write_text(
            out / "map.html",
            render_map(
                picked, zone=zone and _zone_id(dataset.zones, zone), cdn=False, context=context,
                title=title, subset=selection,
            ),
        )
    )
    # The GeoJSON holds the zones the static map shows: those valid on its date.
    on_map = dataclasses.replace(picked, zones=zones_at(picked.zones, when or _latest(picked.legs)))
    written.append(to_geojson(on_map, out / "map.geojson", layer="all"))

    table = sources_table(picked)
    table = table if raw_csv else spreadsheet_safe(table)
    written.append(write_text(out / "sources.csv", table.to_csv(index=False, lineterminator="\n")))
    written.append(write_text(out / "sources.md", sources_markdown(picked, title=title)))
    written.append(write_text(out / "embed.html", embed_snippet(title=title)))

    summary = transfer_summary(picked)
    shown_when = when if when is not None else _latest(picked.legs)
    subtitle = _counted(len(summary), "transfer") + ", " + _counted(len(picked.legs), "leg")
    if shown_when is not None:
        subtitle = f"As of {shown_when:%d %B %Y}".replace(" 0", " ") + " \u00b7 " + subtitle
    if zone:
        subtitle += f" \u00b7 zone {zone}"
    if selection:
        subtitle += f" \u00b7 {selection}"
    credit = geonames_credit(drawn_coord_sources(picked))  # CC BY 4.0
    written.append(
        write_slide(
            out / "slide.pptx",
            image=out / "map.png",
            title=title,
            subtitle=subtitle,
            table=summary,
            footer="Sources: open-source reporting, listed in sources.md. "
            + (f"{credit}. " if credit else "")
            + "Zone boundaries are approximate.",
            when=shown_when,
        )
    )
    return written


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _figure_subtitle(
    picked: Any, when: pd.Timestamp | None, selection: str | None
) -> str:
    """Return the map's line under the title: date, what is drawn, the caveat on lines."""
    shown = when if when is not None else _latest(picked.legs)
    date = f"As of {shown:%d %B %Y}".replace(" 0", " ") if shown is not None else "Undated"
    n_transfers = picked.legs[col.TRANSFER_ID].nunique()
    parts = [date, _counted(n_transfers, "transfer") + ", " + _counted(len(picked.legs), "leg")]
    if selection:
        parts.append(selection)
    parts.append("lines join origin and destination; they are not flight paths")
    return " \u00b7 ".join(parts)


def _latest(legs: pd.DataFrame) -> pd.Timestamp | None:
    if len(legs) and legs[col.DATE_END].notna().any():
        return pd.Timestamp(pd.to_datetime(legs[col.DATE_END]).max())
    return None
