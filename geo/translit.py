"""Name folding: matching keys and consonant skeletons for place names.

:func:`fold` is the exact matching key used by the curated gazetteer
(:func:`geo.geocode.normalize` is the same function): case, diacritics,
apostrophes, punctuation and the Arabic article are ignored.
:func:`skeleton` is a looser key for names transliterated from Arabic (and
French renderings of them): q/g/gh fold together, vowels, doubled letters,
a final -h and spaces are dropped, so "Qardabiya" and "Ghardabiya",
"Misurata" and "Misrata", "al-Khadem" and "Al Khadim", "Bnina" and
"Beninah" share one skeleton. A skeleton match is weaker evidence than a
key match and is scored as such by :mod:`geo.resolve`.

Pure standard library, so the command line can fold names without numpy
or pandas.
"""

from __future__ import annotations

import re
import string
import unicodedata

__all__ = ["ARTICLES", "fold", "skeleton", "skeletons", "slavic"]

#: Transliterations of the Arabic article (incl. sun-letter assimilations),
#: dropped wherever they stand as a word before another word.
ARTICLES: tuple[str, ...] = (
    "al",
    "el",
    "il",
    "ul",
    "ad",
    "adh",
    "an",
    "ar",
    "as",
    "ash",
    "at",
    "ath",
    "az",
    "ed",
    "ez",
)


def _translation() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # Combining marks left by NFKD (Latin accents, Arabic harakat, ...).
    for lo, hi in (
        (0x0300, 0x036F),
        (0x1AB0, 0x1AFF),
        (0x1DC0, 0x1DFF),
        (0x20D0, 0x20FF),
        (0xFE20, 0xFE2F),
        (0x0610, 0x061A),
        (0x064B, 0x065F),
        (0x0670, 0x0670),
        (0x06D6, 0x06ED),
    ):
        for cp in range(lo, hi + 1):
            table[cp] = None
    # Apostrophes, ayn/hamza signs and dots vanish: "Hay'at" == "Hayat", "U.A.E." == "UAE".
    for ch in "'`\u00b4\u2018\u2019\u201b\u02b9\u02bb\u02bc\u02bd\u02be\u02bf\u02c8.":
        table[ord(ch)] = None
    # Every other separator becomes a space: "Ramstein-Miesenbach" == "Ramstein Miesenbach".
    for ch in string.punctuation + "\u2010\u2011\u2012\u2013\u2014\u2015\u2212«»“”„‟•·،؛؟":
        table.setdefault(ord(ch), " ")
    # Letters NFKD does not decompose.
    for src, dst in {
        "\u0131": "i",  # dotless i (Turkish)
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "þ": "th",
        "ð": "d",
    }.items():
        table[ord(src)] = dst
    return table


_TABLE = _translation()
_SPACES = re.compile(r"\s+")
_ARTICLE_RE = re.compile(r"(^| )(?:" + "|".join(ARTICLES) + r") (?=\S)")
# Glued article: "alKhadim", "AlWatiya" (only before a consonant cluster we
# know is a name start: al + at least four letters).
_GLUED_RE = re.compile(r"^(?:al|el)(?=[bcdfghjklmnpqrstvwxz][a-z]{3,})")


def fold(name: str) -> str:
    """Return the matching key of one name.

    Lower-cases (casefold), strips diacritics (NFKD, then drops combining
    marks), drops apostrophes and dots, turns hyphens and other punctuation
    into spaces, drops an Arabic article (al-, el-, ad-, ash-, ... see
    :data:`ARTICLES`) that precedes another word, and collapses whitespace.

    Examples
    --------
    >>> fold("al-Watiya") == fold("Al Watiya") == fold("Watiya")
    True
    >>> fold("Ṭarābulus")
    'tarabulus'

    """
    s = unicodedata.normalize("NFKD", name).translate(_TABLE).casefold()
    s = _SPACES.sub(" ", s).strip()
    # Twice, so adjacent articles ("al ash-Sham") both go.
    s = _ARTICLE_RE.sub(r"\1", s)
    return _ARTICLE_RE.sub(r"\1", s).strip()


# Ordered rewrites applied to a folded key before vowels are dropped.
_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("tch", "ch"),
    ("dj", "j"),
    ("kh", "x"),
    ("gh", "g"),
    ("q", "g"),
    ("sh", "$"),
    ("ch", "$"),
    ("ck", "k"),
    ("c", "k"),
    ("th", "t"),
    ("dh", "d"),
    ("ph", "f"),
    ("ou", "u"),
)
_VOWELS = re.compile(r"[aeiouy]")
_FINAL_H = re.compile(r"(?<=[aeiouy])h\b")
_DOUBLE = re.compile(r"([a-z$])\1+")


def skeleton(key: str) -> str:
    """Return the consonant skeleton of a folded key (see :func:`fold`).

    A glued article ("alkhadim") is dropped, a final -h after a vowel
    ("Zuwarah") is dropped, doubled letters are single, q/g/gh are one
    letter, kh is one letter, sh and French ch are one letter, then vowels
    (and y) and spaces go. Keys whose skeleton has fewer than three
    letters return ``""``: too short to tell names apart.

    Examples
    --------
    >>> skeleton(fold("Qardabiya")) == skeleton(fold("Ghardabiya"))
    True
    >>> skeleton(fold("al-Baraq")) == skeleton(fold("Al Abraq"))
    True
    >>> skeleton(fold("Brak")) == skeleton(fold("al-Baraq"))
    False

    """
    s = _GLUED_RE.sub("", key.replace(" ", "")) if " " not in key else key
    s = _FINAL_H.sub("", s)
    s = _DOUBLE.sub(r"\1", s)
    for src, dst in _DIGRAPHS:
        s = s.replace(src, dst)
    s = _VOWELS.sub("", s).replace(" ", "")
    s = re.sub(r"[^a-z$]", "", s)
    return s if len(s) >= 3 else ""


def skeletons(key: str) -> set[str]:
    """Skeletons of a query key, reading an ambiguous "ch" both ways.

    "ch" is "sh" in French renderings (Chahat) and "kh" in German and
    Polish ones (Al-Chadim = al-Khadim): a query gets both skeletons.
    """
    out = {skeleton(key)}
    if "ch" in key:
        out.add(skeleton(key.replace("tch", "ch").replace("ch", "kh")))
    return out - {""}


_SLAVIC = re.compile(r"(sk|ck|tsk|dsk)(?:iy|ii|ij|yi|yy|y|i)\b")


def slavic(key: str) -> str:
    """Fold Russian adjective endings of a key: -skiy, -skii, -skij, -sky -> -sky.

    Examples
    --------
    >>> slavic("chkalovskiy") == slavic("chkalovsky") == "chkalovsky"
    True

    """
    return _SLAVIC.sub(r"\1y", key)
