"""Ship names in a sentence ("the cargo ship Amazon", "the Sparta and Sparta II cargo ships").

A ship's name is its carrier id, never a place or equipment: the sentence
reader drops places and equipment found inside these spans.
"""

from __future__ import annotations

import re

__all__ = ["ship_names"]

_SHIP_RES = (
    re.compile(r"\b(?:cargo ship|landing ship|ship|vessel|freighter|tanker|ro-ro|"
               r"roll-on/roll-off|MV|M/V|navire|cargo)s?\s+(?:named\s+|called\s+)?"
               "[\u201c\"'\u2018]?" r"((?:[A-Z][\w-]+)(?:\s+(?:[A-Z][\w-]+|[IVX]+|\d+))?)"),
    re.compile(r"\b(?:the\s+)?(?!(?:The|A|An|This|That|Its|Their|Russian|Turkish)\b)([A-Z][\w-]+(?:\s+[IVX]+)?)(?:\s+and\s+[A-Z][\w-]+(?:\s+[IVX]+)?)?"
               r"\s+(?:dry\s+)?(?:cargo|landing|container|ro-ro)\s+ships?\b"),
    # "The vessel, Mys Zhelaniya, was ...", "another Russian vessel, Sparta IV, sailed"
    re.compile(r"\b(?:ship|vessel|freighter|tanker|ro-ro)s?,\s+"
               r"((?:[A-Z][\w-]+)(?:\s+(?:[A-Z][\w-]+|[IVX]+|\d+))?),"),
)


#: "two Russian ships, the Adler and the Siyanie Severa": both names
_NAME = r"([A-Z][\w-]+(?:\s+(?:[A-Z][\w-]+|[IVX]+|\d+))?)"
_SHIP_PAIR = re.compile(r"\b(?:ships|vessels|freighters|tankers),\s+(?:the\s+)?" + _NAME +
                        r"\s+and\s+(?:the\s+)?" + _NAME + r"(?=[,.;)]|\s*$)")


def ship_names(sent) -> list[tuple[int, int, str]]:
    """(start_char, end_char, name) of ship names in a sentence ("the cargo ship Amazon")."""
    out = []
    for m in _SHIP_PAIR.finditer(sent.text):
        for g in (1, 2):
            out.append((sent.start_char + m.start(g), sent.start_char + m.end(g), m.group(g)))
    for rx in _SHIP_RES:
        for m in rx.finditer(sent.text):
            a = sent.start_char + m.start(1)
            whole = sent.start_char + m.start(), sent.start_char + m.end()
            if rx is _SHIP_RES[1]:  # "the Sparta and Sparta II cargo ships": both names
                names_end = whole[1] - len(m.group(0).split()[-1])
                out.append((a, names_end, sent.text[m.start(1):names_end - sent.start_char]
                            .strip()))
            else:
                out.append((a, sent.start_char + m.end(1), m.group(1)))
    return out
