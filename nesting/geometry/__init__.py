"""Geometry shared by the search, the report and the writers.

The placement transform, the backbone's direction, allowed orientations and shapely helpers.
"""
