"""movemap's data and geometry: gazetteer, ledger, geodesic lines, zones.

Never imports folium; everything drawn lives in :mod:`layers`.
"""
