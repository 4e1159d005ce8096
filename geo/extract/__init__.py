"""From a report's text to candidate legs with their evidence.

A pipeline of small rule-based steps over spaCy (``spacy.blank("en")``,
no model weights): :mod:`~geo.extract.text` reads plain text or saved HTML,
:mod:`~geo.extract.nlp` finds places, equipment, demonyms, actors and cue
words, :mod:`~geo.extract.mentions` gives each place its role in its
sentence, :mod:`~geo.extract.dates` reads dates, :mod:`~geo.extract.legs`
assembles candidate legs (:mod:`~geo.extract.events` reads each sentence's
movements, :mod:`~geo.extract.ends` infers unnamed ends,
:mod:`~geo.extract.describe` what moved, when and how surely, into
:mod:`~geo.extract.candidate` objects) and :mod:`~geo.extract.output` writes them. The
words live in data files under ``geo/extract/patterns/``.

Examples
--------
>>> from geo.extract import extract_text
>>> legs = extract_text("A cargo plane flew from Minsk to Benghazi on 13 December.",
...                     published="2024-12-19")
>>> legs[0].frm.ledger(), legs[0].to.ledger(), legs[0].date
('minsk', 'benghazi', '2024-12-13')

"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from geo.extract.dates import Published, parse_published
from geo.extract.legs import Candidate, Stop
from geo.extract.output import CSV_COLUMNS, to_json, to_rows, write_csv
from geo.extract.text import html_to_text, load_text

__all__ = [
    "CSV_COLUMNS",
    "Candidate",
    "Published",
    "Stop",
    "extract_file",
    "extract_text",
    "html_to_text",
    "load_text",
    "to_json",
    "to_rows",
    "write_csv",
]


def extract_text(
    text: str,
    *,
    published: str | dt.date | Published | None = None,
    gazetteer: str | Path | None = None,
    patterns: str | Path | None = None,
) -> list[Candidate]:
    """Propose candidate legs for one report's text.

    Parameters
    ----------
    text
        The report, as plain text.
    published
        Publication date as the report gives it: a day (``2024-06-12``), a
        month (``2024-06``) or a year (``2024``); anchors relative dates
        ("last year") and dates legs the report leaves undated (see
        :mod:`~geo.extract.context`).
    gazetteer
        Path of the curated gazetteer.csv; ``None`` for the bundled one.
    patterns
        Folder of pattern files (see :mod:`geo.extract.lexicon`); ``None``
        for the bundled ones.

    Returns
    -------
    list of Candidate
        In the order the report tells them; each has verbatim evidence.

    """
    from geo.extract.legs import assemble
    from geo.extract.nlp import build_pipeline

    pub = parse_published(published)
    pipe = build_pipeline(str(gazetteer) if gazetteer else None,
                          str(patterns) if patterns else None)
    return assemble(pipe, text, published=pub)


def extract_file(path: str | Path, **options) -> tuple[str, list[Candidate]]:
    """Read ``path`` (text or saved HTML) and return (text, candidates)."""
    text = load_text(path)
    return text, extract_text(text, **options)
