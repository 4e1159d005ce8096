"""``python -m layers.cli``: the ``movemap`` command without the console script."""

import sys

from layers.cli import main

sys.exit(main())
