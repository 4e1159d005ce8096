"""The ``movemap`` command line.

Each subcommand lives in its own module in this package, exposing
``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.
Modules are imported lazily so ``movemap geocode`` never loads folium.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from collections.abc import Sequence

from geo._errors import InputError, MovemapError, OutputError

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


#: Exit codes (documented in the README).
EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_OUTPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
#: Set to 1 to see the traceback of an unexpected error.
DEBUG_ENV = "MOVEMAP_DEBUG"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code.

    Never ends in a traceback: bad input exits 1 naming every problem,
    an output that cannot be written exits 3 naming the path, an
    interruption (Ctrl-C, SIGTERM) exits 130 after removing partial
    output, and an unexpected error exits 4 with a one-line message
    (``MOVEMAP_DEBUG=1`` shows the traceback).
    """
    parser, modules = _parser(argv)
    args = parser.parse_args(argv)
    name = f"movemap {args.command}"
    previous = _on_sigterm()
    try:
        if hasattr(args, "data"):
            from geo.paths import data_origin

            folder, origin = data_origin(args.data)
            print(f"data: {folder} ({origin})", file=sys.stderr)
            args.data = str(folder)
        return int(modules[args.command].run(args))  # type: ignore[attr-defined]
    except InputError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OutputError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return EXIT_OUTPUT
    except MovemapError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print(f"{name}: interrupted; nothing half-written was left", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        where = f" {exc.filename}" if exc.filename else ""
        print(f"{name}: cannot access{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_OUTPUT
    except Exception as exc:
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        print(
            f"{name}: internal error: {type(exc).__name__}: {exc}\n"
            f"This is a bug in movemap. Rerun with {DEBUG_ENV}=1 for the traceback and report it.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    finally:
        _restore_sigterm(previous)


def _on_sigterm() -> object:
    """Turn SIGTERM into KeyboardInterrupt so partial output is cleaned up."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        return None


def _restore_sigterm(previous: object) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)  # type: ignore[arg-type]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
