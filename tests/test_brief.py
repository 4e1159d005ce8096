"""Tests for layers.brief and the ``movemap brief`` / ``movemap export`` commands."""

from __future__ import annotations

import csv
import dataclasses
import html.parser
import io
import json
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from _helpers import copy_inputs
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from test_export import HOSTILE, synthetic_dataset, write_test_inputs

import layers.maps
from geo import columns as col
from geo._errors import MovemapError
from geo.dataset import load_dataset
from layers.brief import (
    embed_snippet,
    filter_dataset,
    parse_as_of,
    sources_markdown,
    sources_table,
    write_brief,
)
from layers.brief.sources import _when
from layers.cli import main

PACK = [
    "map.png",
    "map.svg",
    "map.html",
    "map.geojson",
    "sources.csv",
    "sources.md",
    "embed.html",
    "slide.pptx",
]


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pack")
    write_brief(synthetic_dataset(), out, title="Brief <b>test</b>")
    return out


def test_pack_has_every_file(pack: Path) -> None:
    assert sorted(p.name for p in pack.iterdir()) == sorted(PACK)  # and no temp files


def test_slide_opens_with_picture_and_table(pack: Path) -> None:
    prs = Presentation(str(pack / "slide.pptx"))
    assert len(prs.slides) == 1
    shapes = list(prs.slides[0].shapes)
    pictures = [s for s in shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    tables = [s for s in shapes if s.has_table]
    assert len(pictures) == 1 and len(tables) == 1
    assert pictures[0].image.blob.startswith(b"\x89PNG")
    table = tables[0].table
    assert [c.text for c in table.rows[0].cells] == [
        "Transfer",
        "Equipment",
        "Route",
        "When",
        "Status",
    ]
    body = sorted(row.cells[0].text for row in list(table.rows)[1:])
    assert body == ["T01", "T02", "T03", "T04"]
    t01 = next(r for r in list(table.rows)[1:] if r.cells[0].text == "T01")
    assert t01.cells[2].text == "Ramstein Air Base \u2192 Tripoli (2 legs)"
    margin = int(0.3 * 914400)  # 0.3 in: a projector or a pasted slide crops the edges
    for s in shapes:  # nothing hangs off the slide or touches its edges
        assert s.left >= margin and s.left + s.width <= prs.slide_width - margin
        assert s.top >= 0 and s.top + s.height <= prs.slide_height
    assert any("Brief <b>test</b>" in s.text_frame.text for s in shapes if s.has_text_frame)


def test_geojson_in_pack(pack: Path) -> None:
    doc = json.loads((pack / "map.geojson").read_text(encoding="utf-8"))
    layers_seen = {f["properties"][col.LAYER] for f in doc["features"]}
    assert layers_seen == {"legs", "places", "zones"}
    assert len(pyogrio.read_dataframe(pack / "map.geojson")) == len(doc["features"])


def test_sources_table_lists_every_leg_and_report(pack: Path) -> None:
    ds = synthetic_dataset()
    back = pd.read_csv(pack / "sources.csv", keep_default_na=False, dtype=str)
    assert len(back) == sum(len(ids) for ids in ds.legs[col.SOURCE_IDS])
    assert set(zip(back[col.TRANSFER_ID], back[col.LEG].astype(int), strict=True)) == set(
        zip(ds.legs[col.TRANSFER_ID], ds.legs[col.LEG], strict=True)
    )
    row = back[(back[col.TRANSFER_ID] == "T01") & (back[col.SOURCE_ID] == "S1")].iloc[0]
    assert row[col.SOURCE_OUTLET] == "Outlet One"
    assert row[col.SOURCE_URL] == "https://one.example/a?b=1&c=2"
    assert row[col.SOURCE_DATE] == "2020-05-19"


def test_sources_markdown_escapes(pack: Path) -> None:
    md = (pack / "sources.md").read_text(encoding="utf-8")
    assert "<script>" not in md and "\\<script\\>" in md
    assert "<https://one.example/a?b=1&c=2>" in md  # a real link stays a link
    assert "<javascript:" not in md and "javascript:alert\\(1\\)" in md
    assert md.count("## T0") == 4
    # Every table row has the header's number of cells despite "|" in data.
    ds = synthetic_dataset()
    ds.legs.loc[0, col.NOTE] = "a | b"
    ds.legs.loc[0, col.EQUIPMENT] = "x | y\nz"
    for line in sources_markdown(ds).splitlines():
        if line.startswith("| ") or line.startswith("|-"):
            assert line.replace("\\|", "").count("|") == 9


def test_embed_snippet_is_safe_and_responsive() -> None:
    text = embed_snippet(title=HOSTILE)

    class Collect(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[tuple[str, dict[str, str | None]]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append((tag, dict(attrs)))

    p = Collect()
    p.feed(text)
    assert [t for t, _ in p.tags] == ["div", "iframe"]
    frame = p.tags[1][1]
    assert frame["src"] == "map.html" and frame["title"] == HOSTILE
    assert "width:100%" in (frame["style"] or "") and "padding-top" in (p.tags[0][1]["style"] or "")


@pytest.mark.parametrize(
    ("as_of", "zone", "kept"),
    [
        (None, None, ["T01/1", "T01/2", "T02/1", "T03/1", "T04/1"]),
        ("2020-05-31", None, ["T01/1", "T01/2", "T02/1"]),
        ("2020-05", None, ["T01/1", "T01/2", "T02/1"]),
        ("2020-05-19", None, ["T01/1", "T01/2"]),  # a May leg could have started on 1 May
        (None, "ly_east_2020", ["T02/1", "T04/1"]),
        (None, "GNA-held west " + HOSTILE, ["T01/1", "T01/2"]),  # by exact label
        ("2020-05-31", "ly_east_2020", ["T02/1"]),
    ],
)
def test_filter(as_of: str | None, zone: str | None, kept: list[str]) -> None:
    ds = filter_dataset(synthetic_dataset(), as_of=parse_as_of(as_of), zone=zone)
    ids = list(ds.legs[col.TRANSFER_ID] + "/" + ds.legs[col.LEG].astype(str))
    assert ids == kept
    used = set(ds.legs[col.FROM_ID].dropna()) | set(ds.legs[col.TO_ID].dropna())
    assert set(ds.places[col.PLACE_ID]) == used
    assert set(zip(ds.segments[col.TRANSFER_ID], ds.segments[col.LEG], strict=True)) <= set(
        zip(ds.legs[col.TRANSFER_ID], ds.legs[col.LEG], strict=True)
    )


def test_bad_choices_are_clear(tmp_path: Path) -> None:
    with pytest.raises(MovemapError, match=r"no zone 'nowhere'.*ly_east_2020, ly_west_2020"):
        write_brief(synthetic_dataset(), tmp_path, zone="nowhere")
    with pytest.raises(MovemapError, match="cannot read '31/05/2020'"):
        write_brief(synthetic_dataset(), tmp_path, as_of="31/05/2020")
    with pytest.raises(MovemapError, match="no legs started by 2019-01-01"):
        write_brief(synthetic_dataset(), tmp_path, as_of="2019-01-01")
    assert list(tmp_path.iterdir()) == []


def test_same_input_same_pack(pack: Path, tmp_path: Path) -> None:
    write_brief(synthetic_dataset(), tmp_path, title="Brief <b>test</b>")
    differ = [n for n in PACK if (pack / n).read_bytes() != (tmp_path / n).read_bytes()]
    assert differ == []


def test_failure_mid_pack_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> str:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(layers.maps, "render_map", boom)
    with pytest.raises(RuntimeError):
        write_brief(synthetic_dataset(), tmp_path)
    # What was finished is complete; nothing half-written or temporary remains.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png", "map.svg"]


def test_sources_table_keeps_legs_citing_unknown_sources() -> None:
    ds = synthetic_dataset()
    ds.legs.at[0, col.SOURCE_IDS] = ("S1", "S404")
    table = sources_table(ds)
    missing = table[table[col.SOURCE_ID] == "S404"]
    assert len(missing) == 1 and missing[col.SOURCE_OUTLET].iloc[0] is None
    assert "(not in sources.csv)" in sources_markdown(ds)


# --------------------------------------------------------------------------
# the commands, through the real loading pipeline


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The bundled inputs plus a hostile-text transfer and an antimeridian leg.
    return write_test_inputs(tmp_path_factory.mktemp("data"))


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("geojson", "x.geojson"), ("kml", "x.kml"), ("gpkg", "x.gpkg"), ("csv", "x.csv")],
)
def test_cli_export(
    data_dir: Path, tmp_path: Path, fmt: str, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo.dataset import load_dataset

    out = tmp_path / name
    assert main(["export", "--format", fmt, "--out", str(out), "--data", str(data_dir)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    n_legs = len(load_dataset(data_dir).legs)
    if fmt == "gpkg":
        assert len(pyogrio.read_dataframe(out, layer="legs")) == n_legs
    elif fmt == "csv":
        assert len(pyogrio.read_dataframe(out)) == n_legs
    elif fmt == "geojson":
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert sum(f["properties"][col.LAYER] == "legs" for f in doc["features"]) == n_legs
    else:
        total = sum(len(pyogrio.read_dataframe(out, layer=n)) for n, _ in pyogrio.list_layers(out))
        assert total >= n_legs


def test_cli_brief(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["brief", "--out", str(tmp_path), "--title", "CLI brief", "--data", str(data_dir)])
    assert rc == 0
    printed = capsys.readouterr().out.split()
    assert sorted(Path(p).name for p in printed) == sorted(PACK)
    prs = Presentation(str(tmp_path / "slide.pptx"))
    for shape in prs.slides[0].shapes:  # real, long names still fit the slide
        assert shape.left + shape.width <= prs.slide_width
        assert shape.top + shape.height <= prs.slide_height
    md = (tmp_path / "sources.md").read_text(encoding="utf-8")
    assert "## zz-hostile" in md and "<script>" not in md and "\\$x\\$" in md
    # --as-of and --zone narrow the pack
    narrow = tmp_path / "narrow"
    args = ["brief", "--out", str(narrow), "--as-of", "2020-06", "--data", str(data_dir)]
    assert main(args) == 0
    back = pd.read_csv(narrow / "sources.csv", dtype=str)
    assert "zz-hostile" not in set(back[col.TRANSFER_ID])
    starts = load_dataset(data_dir).legs.set_index([col.TRANSFER_ID, col.LEG])[col.DATE_START]
    kept = {(t, int(leg)) for t, leg in zip(back[col.TRANSFER_ID], back[col.LEG], strict=True)}
    assert kept == {k for k, v in starts.items() if v <= pd.Timestamp("2020-06-30")}


def test_cli_brief_says_which_emoji_the_static_map_writes_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The map's font (DejaVu Sans) has no 🚀 or flags: they were boxes or '?' with no word.
    data = copy_inputs(tmp_path / "data")
    rows = (data / "transfers.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    first = next(csv.reader([rows[1]]))
    first[header.index("actor")] = "Russia 🇷🇺 rocket forces 🚀"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(first)
    rows[1] = buf.getvalue().rstrip("\n")
    (data / "transfers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    rc = main(["brief", "--out", str(tmp_path / "out"), "--title", "Brief ✈️", "--data", str(data)])
    assert rc == 0
    err = capsys.readouterr().err
    assert "🚀 as [rocket]" in err and "🇷🇺 as [Russia]" in err
    assert "✈" not in err  # the font has ✈: drawn, not named


def test_cli_reports_bad_zone(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["brief", "--out", str(tmp_path), "--zone", "nowhere", "--data", str(data_dir)])
    assert rc == 1
    assert "no zone 'nowhere'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        ("2024-12-13", "2024-12-13", "13 Dec 2024"),
        ("2024-12-08", "2024-12-18", "8\u201318 Dec 2024"),
        ("2020-06-01", "2020-06-30", "Jun 2020"),
        ("2020-05-18", "2020-06-30", "May\u2013Jun 2020"),
        ("2000-01-01", "2020-05-18", "2000\u20132020"),
    ],
)
def test_when(start: str, end: str, text: str) -> None:
    assert _when(pd.Timestamp(start), pd.Timestamp(end)) == text


# ------------------------------------------------------------------ issue 13


@pytest.fixture(scope="module")
def zone_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("zone-pack")
    code = main(
        ["brief", "--out", str(out), "--zone", "ly-west-2019-03-01", "--title", "Western Libya"]
    )
    assert code == 0
    return out


def _figure_texts(svg: Path) -> str:
    import re

    return " ".join(re.findall(r"<!-- (.*?) -->", svg.read_text(encoding="utf-8")))


def test_zone_brief_is_framed_on_the_zone_and_cuts_legs_at_the_edge(zone_pack: Path) -> None:
    import shapely

    from layers.static_map.frame import _focus_extent

    ds = load_dataset()
    zone = ds.zones.loc[ds.zones[col.ZONE_ID] == "ly-west-2019-03-01", col.GEOMETRY].iloc[0]
    x0, x1, y0, y1 = _focus_extent(zone)
    # The frame is the zone's, not the legs' (Ramstein, Syria are far outside).
    assert x1 - x0 < 12 and y1 - y0 < 10
    assert not shapely.box(x0, y0, x1, y1).contains(shapely.Point(7.6, 49.4))  # Ramstein
    import matplotlib as mpl

    from layers.static_map import draw_static_map

    picked = filter_dataset(ds, zone="ly-west-2019-03-01")
    fig = draw_static_map(picked, title="t", focus=zone)
    ax = fig.axes[0]
    got = ax.get_xlim(), ax.get_ylim()
    assert got[0][0] <= x0 + 1e-6 and got[0][1] >= x1 - 1e-6  # the zone is whole
    assert got[0][1] - got[0][0] < 15  # and fills the frame (aspect padding only)
    texts = [t.get_text() for t in fig.findobj(mpl.text.Text)]
    assert "to Ramstein Air Base" in texts
    assert "from Syria" in texts


def test_brief_footer_wraps_inside_the_picture_and_as_of_is_one_date(zone_pack: Path) -> None:
    import numpy as np
    from PIL import Image

    text = _figure_texts(zone_pack / "map.svg")
    assert "(descriptions up to 20" in text
    assert "(as of 20" not in text
    px = np.asarray(Image.open(zone_pack / "map.png").convert("L"))
    h, w = px.shape
    # Nothing is drawn in the last 0.5% of the width (text cut at the edge would be).
    assert (px[int(h * 0.9) :, int(w * 0.995) :] > 250).all()


def test_brief_filters_change_what_is_drawn_and_said(tmp_path: Path) -> None:
    out = tmp_path / "b"
    code = main(
        ["brief", "--out", str(out), "--title", "Russian air defences to Libya",
         "--category", "air_defence", "--actor", "Russia / Wagner Group"]
    )
    assert code == 0
    rows = pd.read_csv(out / "sources.csv")
    assert set(rows["transfer_id"]) == {"ru-sa22-2020"}
    text = _figure_texts(out / "map.svg")
    assert "1 transfer, 1 leg" in text
    assert "actor: Russia / Wagner Group; equipment category: air_defence" in text
    prs = Presentation(str(out / "slide.pptx"))
    slide_text = " ".join(
        s.text_frame.text for s in prs.slides[0].shapes if s.has_text_frame
    )
    assert "1 transfer, 1 leg" in slide_text


def test_brief_colours_match_the_html_maps(zone_pack: Path) -> None:
    from layers.style import leg_colours

    colours = leg_colours(load_dataset().legs)
    svg = (zone_pack / "map.svg").read_text(encoding="utf-8").lower()
    html = (zone_pack / "map.html").read_text(encoding="utf-8").lower()
    for actor in ("Turkey", "GNA"):  # actor groups (actors.csv): GNA government forces -> GNA
        assert colours[actor].lower() in svg, actor
        assert f'"{actor.lower()}":"{colours[actor].lower()}"' in html


def test_slide_map_labels_are_legible_at_the_size_the_slide_shows_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # map.png is drawn for an 11-inch page; shrunk onto the slide's 7.5-inch picture its
    # place labels were 4.6 pt, illegible on a projector. The slide's picture is now drawn
    # at its own size: its text is measured in points as the slide shows it.
    import io

    from PIL import Image

    import layers.static_map

    figures = []
    draw = layers.static_map.draw_static_map

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        figures.append(draw(*args, **kwargs))
        return figures[-1]

    monkeypatch.setattr(layers.static_map, "draw_static_map", spy)
    write_brief(load_dataset(), tmp_path, title="Transfers")
    prs = Presentation(str(tmp_path / "slide.pptx"))
    picture = next(
        s for s in prs.slides[0].shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE
    )
    with Image.open(io.BytesIO(picture.image.blob)) as im:
        size_px = im.size
    fig = next(
        f for f in figures if tuple(round(v) for v in f.get_size_inches() * f.dpi) == size_px
    )
    shown = picture.width / 914400 / fig.get_size_inches()[0]  # slide inches per figure inch
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_zorder() == 8]
    assert len(labels) >= 10
    assert min(t.get_fontsize() * shown for t in labels) >= 9.0
    renderer = fig.canvas.get_renderer()
    legend = fig.axes[1].get_legend()
    assert min(t.get_fontsize() * shown for t in legend.get_texts()) >= 7.0
    box, page = legend.get_window_extent(renderer), fig.bbox
    assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1
    # The figure's own title and footer are left to the slide's text (not said twice).
    assert not fig.texts
    assert fig.get_size_inches()[1] * shown * 914400 == pytest.approx(picture.height, rel=0.01)


def test_legend_wraps_long_actor_names_inside_its_panel() -> None:
    # A long actor group name ran past the figure's right edge (cut) on map.png.
    from layers.static_map import draw_static_map

    data = synthetic_dataset()
    long_name = "Joint Expeditionary Logistics Command of the Northern Federation"
    legs = data.legs.copy()
    legs[col.ACTOR_GROUP] = long_name
    fig = draw_static_map(dataclasses.replace(data, legs=legs), title="T")
    legend = fig.axes[1].get_legend()
    fig.canvas.draw()
    box = legend.get_window_extent(fig.canvas.get_renderer())
    assert box.x1 <= fig.bbox.x1 and box.y0 >= fig.bbox.y0
    texts = [t.get_text() for t in legend.get_texts()]
    assert any("Northern" in t and "\n" in t for t in texts)  # wrapped, not dropped


@pytest.mark.slow
def test_slide_renders_in_libreoffice_with_picture_and_table(tmp_path: Path) -> None:
    import shutil
    import subprocess

    import numpy as np
    from PIL import Image

    soffice = shutil.which("soffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        pytest.skip("LibreOffice (soffice) or poppler (pdftoppm) is not installed")
    out = tmp_path / "pack"
    write_brief(load_dataset(), out, title="Transfers")
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(out / "slide.pptx")],
        check=True, capture_output=True, timeout=180,
    )
    pdf = tmp_path / "slide.pdf"
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    img = np.asarray(Image.open(pages[0]).convert("RGB")).astype(int)
    h, w, _ = img.shape
    assert abs(w / h - 16 / 9) < 0.02
    ink = (img < 235).any(axis=-1)
    painted = (img < 250).any(axis=-1)
    # The picture: the left ~57% below the title is a map (land and sea, no white).
    picture = painted[int(h * 0.25) : int(h * 0.7), int(w * 0.05) : int(w * 0.42)]
    assert picture.mean() > 0.9
    sea = (np.abs(img - img[int(h * 0.45), int(w * 0.3)]) < 8).all(axis=-1)
    assert 0.05 < sea[int(h * 0.25) : int(h * 0.7), int(w * 0.05) : int(w * 0.42)].mean() < 0.95
    # The table: right of the picture, with its header row and text.
    table = ink[int(h * 0.17) : int(h * 0.6), int(w * 0.59) : int(w * 0.995)]
    assert table.mean() > 0.1
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    from layers.brief import transfer_summary

    first = str(transfer_summary(load_dataset())["Transfer"].iloc[0])
    # A long id wraps inside its cell (pdftotext drops the hyphen at the break).
    flat = "".join(text.split()).replace("-", "")
    for word in ("Transfer", "Equipment", "Route", "When", "Status", first):
        assert word.replace("-", "") in flat
    # Nothing runs off the page: the right and bottom edges are blank.
    assert not ink[:, int(w * 0.997) :].any()
    assert not ink[int(h * 0.99) :, :].any()


def test_latest_date_is_one_rule_for_the_brief_the_static_map_and_the_gpkg() -> None:
    # One function answers "as of when" everywhere; its edge cases, each once.
    from geo.columns import DATE_END
    from geo.dates import latest_date

    assert latest_date(pd.DataFrame()) is None  # no column at all (the brief raised KeyError)
    assert latest_date(pd.DataFrame({DATE_END: pd.Series([], dtype="datetime64[ns]")})) is None
    assert latest_date(pd.DataFrame({DATE_END: [pd.NaT, None]})) is None
    stamps = pd.to_datetime(["2020-05-18", None, "2024-12-18", "2021-01-01"])
    assert latest_date(pd.DataFrame({DATE_END: stamps})) == pd.Timestamp("2024-12-18")


def test_an_undated_selection_still_briefs(tmp_path: Path) -> None:
    # Legs with no date end: the brief says "Undated" instead of failing.
    from layers.brief import write_brief

    dataset = load_dataset(copy_inputs(tmp_path / "data"))
    legs = dataset.legs.copy()
    legs[col.DATE_END] = pd.NaT
    undated = dataclasses.replace(dataset, legs=legs)
    files = write_brief(undated, tmp_path / "brief", title="Undated")
    assert (tmp_path / "brief" / "slide.pptx") in files
