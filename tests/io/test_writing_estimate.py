"""The writing estimate a time limit is planned with grows with copies, vertices and hides."""

import pytest
from helpers import hide_job, rect, square_piece, strip_job

from leathernest.io.outputs import writing_estimate_s
from leathernest.model import Hide, Outline, Piece


def _ring(n: int) -> list[list[float]]:
    import math

    return [[10 * math.cos(2 * math.pi * i / n), 10 * math.sin(2 * math.pi * i / n)]
            for i in range(n)]


def test_the_estimate_grows_with_copies_vertices_and_hides():
    square = strip_job([square_piece("a", demand=100)], height=100.0)
    twice = strip_job([square_piece("a", demand=200)], height=100.0)
    round_ = strip_job([Piece("r", Outline.of(_ring(40)), demand=100)], height=100.0)
    hides = hide_job([square_piece("a", demand=100)],
                     [Hide("H", Outline.of(rect(500, 500)))])
    assert writing_estimate_s(twice) == pytest.approx(2 * writing_estimate_s(square))
    assert writing_estimate_s(round_) > 2 * writing_estimate_s(square)
    assert writing_estimate_s(hides) > writing_estimate_s(square)
