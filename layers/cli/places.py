"""``movemap places add``: promote a world place into the curated gazetteer."""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata

from geo import settings
from geo.world import KINDS
from layers.cli._common import add_data_argument

HELP = (
    "add a place from the offline world tables to gazetteer.csv, with its id, "
    "coordinates, precision and source (shown first; nothing is written on any doubt)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add this command's arguments."""
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser(
        "add",
        help="resolve NAME in the world tables and append it to gazetteer.csv",
        description="Resolve NAME (a name as written, a code such as HL59, or a world id "
        "such as ourairports:HL59) and append it to gazetteer.csv.",
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--country", metavar="CC", help="only places in this country (ISO alpha-2)")
    add.add_argument("--kind", choices=KINDS, help="only places of this kind")
    add.add_argument("--id", dest="place_id", metavar="ID", help="gazetteer id to use")
    add.add_argument(
        "--dry-run", action="store_true", help="show the row that would be added; write nothing"
    )
    add_data_argument(add)


def run(args: argparse.Namespace) -> int:
    """Show the place, then append it (atomically) to gazetteer.csv."""
    from geo._io import write_text
    from geo.gazview import read_view
    from geo.paths import data_dir
    from geo.resolve import resolve
    from geo.resolve.places import _place_by_id, gazetteer_kind
    from geo.world import world_tables

    path = data_dir(args.data) / settings.GAZETTEER_FILE
    view = read_view(path)
    if ":" in args.name and " " not in args.name:
        place = _place_by_id(args.name, index=None, world=world_tables())
        if place is None:
            return _fail(f"no world place has the id {args.name!r}")
    else:
        r = resolve([args.name], country=args.country, kind=args.kind, index=view)[0]
        if r.status == "unknown":
            hint = "; ".join(_where(c) for c in r.suggestions)
            return _fail(
                f"unknown place {args.name!r}" + (f"; did you mean {hint}?" if hint else "")
            )
        if r.status == "ambiguous":
            listed = "; ".join(_where(c) for c in r.candidates)
            return _fail(
                f"ambiguous place {args.name!r}: {listed}; narrow it with --country / --kind, "
                "or give one of those ids"
            )
        place = r.candidates[0]
    if place.table == "gazetteer":
        return _fail(f"{args.name!r} is already in {path.name} as {place.id!r}")
    for pid, row in view.rows.items():
        if row["coord_source"] == place.source:
            return _fail(f"{place.source} is already in {path.name} as {pid!r}")

    text = path.read_text(encoding="utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    pid = args.place_id or _unique_id(_slug(place.name), view.rows)
    if args.place_id and pid in view.rows:
        return _fail(f"id {pid!r} is already used in {path.name}")
    record = place.source.split(" ", 1)[1] if " " in place.source else ""
    wanted = [args.name, _bare(args.name), _bare(place.name), record]
    from geo.translit import fold

    keys = {fold(place.name)}
    aliases = []
    for a in wanted:
        if a and ":" not in a and fold(a) not in keys:
            keys.add(fold(a))
            aliases.append(a)
    values = {
        "id": pid,
        "name": place.name,
        "aliases": ";".join(aliases),
        "kind": gazetteer_kind(place.kind, place.detail),
        "country": place.country,
        "lat": f"{place.lat:.{settings.COORDINATE_PRECISION}f}",
        "lon": f"{place.lon:.{settings.COORDINATE_PRECISION}f}",
        "precision": place.precision,
        "coord_source": place.source,
        "note": f"added with 'movemap places add {args.name}'",
    }
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([values.get(c, "") for c in header])
    line = out.getvalue()
    print("\n".join(f"{k:>12}  {v}" for k, v in values.items()))
    if args.dry_run:
        print(f"(dry run: {path} not changed)")
        return 0
    new_text = text + ("" if text.endswith("\n") or not text else "\n") + line
    _check(new_text, path)  # raises GazetteerError naming every problem; nothing written
    write_text(path, new_text)
    print(f"added {pid!r} to {path}")
    return 0


def _check(text: str, path: object) -> None:
    """Validate the new gazetteer text in full before it replaces the file."""
    import tempfile
    from pathlib import Path

    from geo.gazetteer import read_gazetteer

    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / Path(str(path)).name
        trial.write_text(text, encoding="utf-8")
        try:
            read_gazetteer(trial)
        except Exception as exc:
            # name the real file in the message, not the trial copy
            raise type(exc)(  # type: ignore[call-arg]
                [_rename(p, trial, path) for p in getattr(exc, "problems", [])]
            ) from None


def _rename(problem: object, trial: object, path: object) -> object:
    from dataclasses import replace

    return replace(problem, file=str(path)) if str(problem.file) == str(trial) else problem  # type: ignore[attr-defined, type-var]


def _bare(text: str) -> str:
    """Drop descriptor words from a name as written ("Al Khadim Airport" -> "Al Khadim")."""
    from geo.translit import fold
    from geo.world import load_descriptors

    words = text.split()
    phrases = {(d.where, d.phrase) for d in load_descriptors() if d.kind}
    changed = True
    while changed and len(words) > 1:
        changed = False
        for k in range(min(4, len(words) - 1), 0, -1):
            if ("suffix", fold(" ".join(words[-k:]))) in phrases:
                words, changed = words[:-k], True
                break
            if ("prefix", fold(" ".join(words[:k]))) in phrases:
                words, changed = words[k:], True
                break
    return " ".join(words)


def _slug(name: str) -> str:
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9]+", "_", s).strip("_")
    return s if s and s[0].isalpha() else f"place_{s}"


def _unique_id(base: str, taken: dict[str, object]) -> str:
    pid, n = base, 2
    while pid in taken:
        pid, n = f"{base}_{n}", n + 1
    return pid


def _where(c: object) -> str:
    return (
        f"{c.id!r} ({c.name}, {c.kind}, {c.country or '-'}, "  # type: ignore[attr-defined]
        f"{c.lat:.5f}, {c.lon:.5f})"  # type: ignore[attr-defined]
    )


def _fail(msg: str) -> int:
    print(f"movemap places add: {msg}", file=sys.stderr)
    return 1
