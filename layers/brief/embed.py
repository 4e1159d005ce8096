"""The iframe snippet that embeds a briefing's ``map.html`` at any width."""

from __future__ import annotations

import html

from layers.brief._defaults import DEFAULT_TITLE

__all__ = ["embed_snippet"]


def embed_snippet(
    *, src: str = "map.html", title: str = DEFAULT_TITLE, ratio: float = 0.625
) -> str:
    """HTML that embeds the map in another page, responsive at any width.

    Parameters
    ----------
    src
        URL of the map page, relative to the page embedding it.
    title
        Accessible title of the frame.
    ratio
        Height / width (0.625 = 16:10); kept with the padding-top
        technique, which every browser supports.

    Returns
    -------
    str
        A fragment: a wrapper ``div`` and the ``iframe``.

    """
    t, s = html.escape(title, quote=True), html.escape(src, quote=True)
    return (
        "<!-- movemap: paste where the map should appear. It fills the column width,\n"
        f"     keeps a {ratio:.3f} height/width ratio, and never shrinks below 320 px tall. -->\n"
        '<div class="movemap-embed" style="position:relative;width:100%;height:0;'
        f"padding-top:{ratio * 100:.2f}%;padding-top:max({ratio * 100:.2f}%, 320px);"
        'overflow:hidden;">\n'
        f'  <iframe src="{s}" title="{t}" loading="lazy" allowfullscreen\n'
        '          style="position:absolute;top:0;left:0;width:100%;height:100%;border:0;">'
        "</iframe>\n"
        "</div>\n"
    )
