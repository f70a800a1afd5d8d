"""DXF import: ``read_pattern_dxf`` on the largest bundled pattern, the largest test file, and a
large generated file (many pieces with true arcs and punches), in one group ``dxf.import``.

The generated file stands in for a production marker file: ``N_GENERATED`` closed LWPOLYLINE
outlines with bulged corners, each with two punch circles, in one layer, written once per session
with ezdxf. extra_info carries the file size and the pieces found, so a comparison shows a change in
what is imported as well as in how fast.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
N_GENERATED = 400  # pieces in the generated file: ~0.2 MB, the size of a full bag's marker


def _largest(folder: Path) -> Path:
    return max(folder.glob("*.dxf"), key=lambda p: p.stat().st_size)


@pytest.fixture(scope="session")
def generated_dxf(tmp_path_factory) -> Path:
    import ezdxf

    doc = ezdxf.new("R2010", units=4)  # millimetres
    msp = doc.modelspace()
    for k in range(N_GENERATED):
        x0, y0 = (k % 20) * 120.0, (k // 20) * 90.0
        w, h, r = 80.0 + (k % 7) * 3.0, 60.0, 8.0
        bulge = 0.41421356237  # tan(90deg / 4): a quarter-circle corner
        pts = [(x0 + r, y0, 0, 0, 0), (x0 + w - r, y0, 0, 0, bulge),
               (x0 + w, y0 + r, 0, 0, 0), (x0 + w, y0 + h - r, 0, 0, bulge),
               (x0 + w - r, y0 + h, 0, 0, 0), (x0 + r, y0 + h, 0, 0, bulge),
               (x0, y0 + h - r, 0, 0, 0), (x0, y0 + r, 0, 0, bulge)]
        msp.add_lwpolyline(pts, format="xyseb", close=True, dxfattribs={"layer": "1"})
        msp.add_circle((x0 + 15.0, y0 + h / 2), 2.0, dxfattribs={"layer": "1"})
        msp.add_circle((x0 + w - 15.0, y0 + h / 2), 2.0, dxfattribs={"layer": "1"})
    path = tmp_path_factory.mktemp("dxf") / f"generated_{N_GENERATED}.dxf"
    doc.saveas(path)
    return path


FILES = {
    "pattern_library_largest": lambda: _largest(ROOT / "datasets" / "patterns"),
    "tests_data_largest": lambda: _largest(ROOT / "tests" / "data" / "dxf"),
}


@pytest.mark.benchmark(group="dxf.import")
@pytest.mark.parametrize("which", [*FILES, "generated"])
def test_read_pattern_dxf(benchmark, which, generated_dxf):
    from leathernest.io.dxf_in import read_pattern_dxf

    path = generated_dxf if which == "generated" else FILES[which]()
    found = benchmark.pedantic(read_pattern_dxf, args=(path,), rounds=3, warmup_rounds=1)
    assert found.pieces
    benchmark.extra_info.update(file=path.name, bytes=path.stat().st_size,
                                pieces=len(found.pieces), issues=len(found.report.issues))
