"""Read a report: plain text, or saved HTML with its markup stripped."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from geo._errors import MovemapError

__all__ = ["html_to_text", "load_text", "title_case"]

_HTML_RE = re.compile(r"^\s*(<!doctype html|<html|<head|<body|<div|<p[\s>]|<article)", re.I)
_BLOCK = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "article",
          "section", "blockquote", "figcaption", "header", "footer", "ul", "ol", "table")


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML page, one block a paragraph.

    Parsed with BeautifulSoup over lxml: ``script``, ``style``, ``template``,
    ``noscript``, ``iframe`` and ``svg`` elements are dropped whole, so
    their text never reaches a candidate; block elements become paragraphs.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "template", "noscript", "iframe", "svg", "head",
                     "nav", "form", "button"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCK):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    text = soup.get_text()
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def load_text(path: str | Path) -> str:
    """Read a report file as text; saved HTML is stripped with :func:`html_to_text`.

    Raises
    ------
    MovemapError
        If the file cannot be read or is not UTF-8 text.

    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        msg = f"cannot read report {str(path)!r}: {exc.strerror}; check the path"
        raise MovemapError(msg) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = (f"report {str(path)!r} is not UTF-8 text (byte {exc.start}); "
               "save it as UTF-8 plain text or HTML")
        raise MovemapError(msg) from None
    if path.suffix.lower() in (".html", ".htm") or _HTML_RE.match(text):
        text = html_to_text(text)
    return unicodedata.normalize("NFC", text)


def title_case(sent) -> bool:
    """Whether a sentence is a headline in Title Case ("N. Korea May Have Started ...").

    There a capitalised word after a place's name does not make the name part
    of a longer proper name.
    """
    words = [t for t in sent if t.is_alpha and len(t) > 3]
    return len(words) >= 4 and sum(t.text[:1].isupper() for t in words) >= 0.75 * len(words)
