"""Page set-up and the controls: title, as-of date, layers, legend, dates.

The controls themselves are small Leaflet controls in
``layers/static/movemap.js`` (folium's plugin versions load their code
from CDNs and would leave an offline page without them).  Here are the
elements that hand them their data.
"""

from __future__ import annotations

from folium.template import Template

from layers._element import MovemapElement

__all__ = ["MapControls", "MapSetup"]


class MapSetup(MovemapElement):
    """First element on a map: page metadata, zone list, sources, styles.

    Parameters
    ----------
    data
        Metadata dict built by :func:`layers.maps.map_meta`.

    """

    _name = "MapSetup"
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        movemap.setup({{ this._parent.get_name() }}, {{ this.json() }});
        {% endmacro %}
        """
    )


class MapControls(MovemapElement):
    """Last element on a map: title, as-of box, layers, legend, dates.

    Applies the filters and fits the view once every layer is in place.
    """

    _name = "MapControls"
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        movemap.finish({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )
