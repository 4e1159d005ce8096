"""The ``movemap`` command line.

Each subcommand lives in its own module in this package, exposing
``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.
Modules are imported lazily so ``movemap geocode`` never loads folium.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from geo._errors import MovemapError

#: subcommand name -> module in this package
COMMANDS: dict[str, str] = {
    "geocode": "geocode",
    "places": "places",
    "validate": "validate",
    "transfers": "transfers",
    "zones": "zones",
    "build": "build",
    "export": "export",
    "brief": "brief",
    "date": "date",  # issue 11
    "extract": "extract",  # issue 12
    "add": "add",  # issue 12
}


def _parser(
    argv: Sequence[str] | None = None,
) -> tuple[argparse.ArgumentParser, dict[str, object]]:
    """Build the parser; only the chosen subcommand's module is imported.

    The other subcommands are listed with their ``HELP`` read from their
    source (no import), so ``movemap --help`` and ``movemap geocode`` do not
    load geopandas, matplotlib or folium.
    """
    parser = argparse.ArgumentParser(
        prog="movemap",
        description="Map reported military equipment transfers from a curated ledger.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    args = list(sys.argv[1:] if argv is None else argv)
    chosen = next((a for a in args if not a.startswith("-")), None)
    modules: dict[str, object] = {}
    for name, modname in COMMANDS.items():
        if name != chosen:
            help_ = _help_of(modname)
            if help_ is not None:
                sub.add_parser(name, help=help_, description=help_)
                continue
        try:
            mod = importlib.import_module(f"layers.cli.{modname}")
        except ModuleNotFoundError as exc:
            if exc.name != f"layers.cli.{modname}":
                raise
            continue  # command not built yet
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        modules[name] = mod
    return parser, modules


def _help_of(modname: str) -> str | None:
    """Read a subcommand module's ``HELP`` string from its source, or None."""
    import ast
    from pathlib import Path

    path = Path(__file__).with_name(f"{modname}.py")
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "HELP" for t in node.targets
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return None
            return value if isinstance(value, str) else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser, modules = _parser(argv)
    args = parser.parse_args(argv)
    try:
        return int(modules[args.command].run(args))  # type: ignore[attr-defined]
    except MovemapError as exc:
        print(f"movemap {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
