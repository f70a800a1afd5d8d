"""leathernest: nesting and cutting optimisation for leather goods.

The package imports nothing heavy at import time (no numba, shapely, ortools or ezdxf), so that the
command line starts instantly; import the modules you need, for example :mod:`leathernest.model`.
"""

from leathernest._version import __version__

__all__ = ["__version__"]
