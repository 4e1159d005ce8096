"""The briefing slide: one 16:9 PowerPoint slide with the map and a short transfer table.

The PPTX is re-zipped with fixed timestamps so the same inputs give the
same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from geo._io import write_bytes

__all__ = [
    "SLIDE_MAP_DPI",
    "SLIDE_MAP_SCALE",
    "SLIDE_MAP_SIZE_IN",
    "SLIDE_MAX_ROWS",
    "write_slide",
]


#: Rows in the slide's transfer table; the rest are counted in a note.
SLIDE_MAX_ROWS = 10
#: (width, height), inches, of the map picture on the slide: the figure is drawn at
#: this size so its point sizes are those seen on the slide.
SLIDE_MAP_SIZE_IN = (7.5, 5.4)
#: Resolution of the slide's map picture (1500 px wide: sharp on a 1920-px projector).
SLIDE_MAP_DPI = 200
#: Text scale of the slide's map (:func:`layers.static_map.draw_static_map` ``scale``):
#: place labels 6.8 pt x 1.5 = 10.2 pt (off-map ones 9.3 pt) on the slide, legible
#: from the back of a room (map.png at 11 in shrunk onto the slide had 4.6-pt labels).
SLIDE_MAP_SCALE = 1.5
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def write_slide(
    path: str | Path,
    *,
    image: str | Path | bytes,
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
        The map PNG (a path, or its bytes), drawn at :data:`SLIDE_MAP_SIZE_IN`
        so that it is shown at its own size.
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

    pic_w = Inches(SLIDE_MAP_SIZE_IN[0])
    from PIL import Image

    data = image if isinstance(image, bytes) else Path(image).read_bytes()
    with Image.open(io.BytesIO(data)) as im:
        w_px, h_px = im.size
    pic_h = Emu(int(pic_w * h_px / w_px))
    slide.shapes.add_picture(
        io.BytesIO(data), Inches(0.3), Inches(1.3), width=pic_w, height=pic_h
    )

    shown = table.head(SLIDE_MAX_ROWS)
    cols = ["Transfer", "Equipment", "Route", "When", "Status"]
    # 5.0 in from 7.9 in: the table ends where the title and footer do (0.43 in from the
    # edge), not against the slide's edge
    widths = [1.0, 1.35, 1.35, 0.7, 0.6]
    left, top = Inches(7.9), Inches(1.3)
    shape = slide.shapes.add_table(
        len(shown) + 1, len(cols), left, top, Inches(sum(widths)), Inches(0.3 * (len(shown) + 1))
    )
    tbl = shape.table
    for j, (name, w) in enumerate(zip(cols, widths, strict=True)):
        tbl.columns[j].width = Inches(w)
        _cell(tbl.cell(0, j), name, Pt(9), bold=True)
    for i, row in enumerate(shown.itertuples(index=False), start=1):
        for j, name in enumerate(cols):
            _cell(tbl.cell(i, j), str(getattr(row, name)), Pt(8))
    notes = footer
    if len(table) > len(shown):
        notes = f"{len(table) - len(shown)} more transfers in sources.md. " + notes
    _textbox(slide, Inches(0.4), Inches(6.8), Inches(12.5), Inches(0.4), notes, Pt(9))

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
