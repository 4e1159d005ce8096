"""Defaults shared by the briefing pack's modules."""

#: Title used when the analyst gives none.
DEFAULT_TITLE = "Reported military equipment transfers"
