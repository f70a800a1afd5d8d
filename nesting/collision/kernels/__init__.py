"""@njit kernels only: they import numpy, numba, math and :mod:`leathernest.collision.jit`."""
