"""Default titles, importable without the modules that use them (``movemap ... --help``)."""

__all__ = ["BRIEF_TITLE"]

#: Title of a briefing pack when the analyst gives none (:data:`layers.brief.DEFAULT_TITLE`).
BRIEF_TITLE = "Reported military equipment transfers"
