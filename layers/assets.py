"""The JavaScript and CSS a map page needs, inline or linked.

Leaflet and jQuery come from the XStatic packages on PyPI so a page works
with no network; movemap's own controls live in ``layers/static``.  With
``cdn=True`` the two libraries are linked from a CDN instead (lighter
file, needs a network).
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import xstatic.pkg.jquery as xs_jquery
import xstatic.pkg.leaflet as xs_leaflet
from branca.element import MacroElement
from folium.template import Template

__all__ = [
    "CDN_CSS",
    "CDN_JS",
    "LEAFLET_VERSION",
    "PageAssets",
    "asset_text",
    "jquery_js",
    "leaflet_css",
    "leaflet_js",
    "movemap_css",
    "movemap_js",
]

#: Leaflet version shipped by XStatic-Leaflet (the CDN links use the same).
LEAFLET_VERSION: str = xs_leaflet.VERSION
_JQUERY_VERSION: str = xs_jquery.VERSION

#: CDN links used with ``cdn=True`` (same versions as the inlined files).
CDN_JS: tuple[str, ...] = (
    f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.js",
    f"https://cdn.jsdelivr.net/npm/jquery@{_JQUERY_VERSION}/dist/jquery.min.js",
)
CDN_CSS: tuple[str, ...] = (
    f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.css",
)

_SOURCE_MAP = re.compile(r"^\s*//[#@] sourceMappingURL=.*$", re.MULTILINE)
_CSS_IMAGE = re.compile(r"url\((?:['\"])?images/([\w.-]+\.png)(?:['\"])?\)")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _strip_source_map(text: str) -> str:
    # A sourceMappingURL comment makes devtools fetch a .map file.
    return _SOURCE_MAP.sub("", text)


@cache
def leaflet_js() -> str:
    """Return Leaflet's minified JavaScript."""
    return _strip_source_map(_read(Path(xs_leaflet.BASE_DIR) / "leaflet.js"))


@cache
def jquery_js() -> str:
    """Return jQuery's minified JavaScript."""
    return _strip_source_map(_read(Path(xs_jquery.BASE_DIR) / "jquery.min.js"))


@cache
def leaflet_css() -> str:
    """Return Leaflet's CSS with its images inlined as data URIs.

    The stylesheet refers to ``images/*.png`` relative to itself; inline
    in a page that would be a request for a missing file.
    """
    images = Path(xs_leaflet.BASE_DIR) / "images"

    def data_uri(match: re.Match[str]) -> str:
        png = (images / match.group(1)).read_bytes()
        return "url(data:image/png;base64," + base64.b64encode(png).decode("ascii") + ")"

    return _CSS_IMAGE.sub(data_uri, _read(Path(xs_leaflet.BASE_DIR) / "leaflet.css"))


@cache
def asset_text(name: str) -> str:
    """Return the text of ``layers/static/<name>``."""
    return (resources.files("layers") / "static" / name).read_text(encoding="utf-8")


def movemap_js() -> str:
    """Return movemap's own map runtime (controls, filters, popups)."""
    return asset_text("movemap.js")


def movemap_css() -> str:
    """Return movemap's own stylesheet."""
    return asset_text("movemap.css")


class PageAssets(MacroElement):
    """Header element carrying Leaflet, jQuery and movemap's JS/CSS.

    Parameters
    ----------
    cdn
        Link Leaflet and jQuery from a CDN instead of inlining them
        (movemap's own code is always inline).

    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <meta name="generator" content="movemap" />
        {%- if this.cdn %}
        {%- for url in this.cdn_css %}
        <link rel="stylesheet" href="{{ url }}" />
        {%- endfor %}
        {%- for url in this.cdn_js %}
        <script src="{{ url }}"></script>
        {%- endfor %}
        {%- else %}
        <style>{{ this.leaflet_css }}</style>
        <script>{{ this.leaflet_js }}</script>
        <script>{{ this.jquery_js }}</script>
        {%- endif %}
        <style>{{ this.movemap_css }}</style>
        <script>{{ this.movemap_js }}</script>
        {% endmacro %}
        """
    )

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        """Render the header once, without re-templating the inline code."""
        from layers._element import render_macros_raw

        render_macros_raw(self, **kwargs)

    def __init__(self, *, cdn: bool = False) -> None:
        super().__init__()
        self._name = "PageAssets"
        self.cdn = cdn
        self.cdn_js = CDN_JS
        self.cdn_css = CDN_CSS
        if not cdn:
            self.leaflet_css = _checked(leaflet_css())
            self.leaflet_js = _checked(leaflet_js())
            self.jquery_js = _checked(jquery_js())
        self.movemap_css = _checked(movemap_css())
        self.movemap_js = _checked(movemap_js())


def _checked(text: str) -> str:
    # Inline code must not contain "</script" or "</style": it would end
    # the element early.  Vendored files are checked, not trusted.
    lowered = text.lower()
    if "</script" in lowered or "</style" in lowered:
        msg = "inline asset contains a closing </script> or </style> tag"
        raise ValueError(msg)
    return text
