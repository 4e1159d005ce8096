"""Base class of movemap's map elements (folium-plugin style)."""

from __future__ import annotations

from typing import Any

from branca.element import Element, Figure, MacroElement

from layers.escape import script_json

__all__ = ["MovemapElement", "RawHTML", "render_macros_raw"]


class RawHTML(Element):
    """Already-rendered HTML, inserted as is.

    branca's MacroElement wraps each rendered macro in ``Element(text)``,
    which compiles ``text`` as a *new Jinja template* and renders it again:
    a ``{{ ... }}`` inside data would be evaluated at build time and
    ``{# ... #}`` would swallow text.  This element skips that second pass
    (and the cost of compiling a 250 kB template).
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHTML"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """Return the text unchanged."""
        return self.text


def render_macros_raw(element: MacroElement, **kwargs: Any) -> None:
    """Render ``element``'s header/html/script macros once, without re-templating."""
    figure = element.get_root()
    if not isinstance(figure, Figure):
        msg = "cannot render an element that is not in a Figure"
        raise TypeError(msg)
    module = element._template.module.__dict__
    for part in ("header", "html", "script"):
        macro = module.get(part)
        if macro is not None:
            getattr(figure, part).add_child(
                RawHTML(macro(element, kwargs)), name=element.get_name()
            )
    for child in element._children.values():
        child.render(**kwargs)


class MovemapElement(MacroElement):
    """A MacroElement that hands one JSON payload to the page runtime.

    Subclasses set ``_name`` and a ``_template`` whose script macro calls
    ``movemap.<something>(map, {{ this.json() }})``.  The payload goes
    through :func:`layers.escape.script_json`, so no text in it can end
    the ``<script>`` element.

    Parameters
    ----------
    data
        JSON-serialisable payload.

    """

    _name = "MovemapElement"

    def __init__(self, data: Any = None) -> None:
        name = self._name
        super().__init__()
        self._name = name
        self.data = data

    def json(self) -> str:
        """Return the payload as script-safe JSON."""
        return script_json(self.data)

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        """Render the macros once (see :class:`RawHTML`)."""
        render_macros_raw(self, **kwargs)
