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
    "validate": "validate",
    "transfers": "transfers",
    "zones": "zones",
    "build": "build",
    "export": "export",
    "brief": "brief",
    "date": "date",  # issue 11
}


def _parser() -> tuple[argparse.ArgumentParser, dict[str, object]]:
    parser = argparse.ArgumentParser(
        prog="movemap",
        description="Map reported military equipment transfers from a curated ledger.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    modules: dict[str, object] = {}
    for name, modname in COMMANDS.items():
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser, modules = _parser()
    args = parser.parse_args(argv)
    try:
        return int(modules[args.command].run(args))  # type: ignore[attr-defined]
    except MovemapError as exc:
        print(f"movemap {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
