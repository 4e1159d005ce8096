"""``python -m layers.cli``: the ``movemap`` command without the console script."""

from layers.cli.console import console

console()
