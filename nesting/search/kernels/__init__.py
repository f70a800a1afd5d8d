"""Numba kernels of the search: sampling, refinement, construction and the separator loop.

Plain arrays in, plain arrays out (house style 2); the modules import numpy, numba, math and the
collision kernels they drive (search -> collision), nothing of the Python side of the search.
"""
