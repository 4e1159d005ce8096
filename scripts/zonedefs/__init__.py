"""Zone definitions for scripts/build_zones.py: sources, shapes and periods per theatre."""
