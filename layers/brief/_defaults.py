"""Defaults shared by the briefing pack's modules."""

from layers.titles import BRIEF_TITLE

#: Title used when the analyst gives none.
DEFAULT_TITLE = BRIEF_TITLE
