"""Graded sizes and per-product figures: choosing sizes and quantities, yield and cost."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import hide_100, hide_job, rect, sol, square_piece

from leathernest.cli.main import main
from leathernest.errors import InputError
from leathernest.model import Outline, Piece, Placement, Rotations
from leathernest.report.metrics import compute_metrics
from leathernest.report.products import select_sizes, sizes_of


def piece(pid: str, side: float, **kw) -> Piece:
    return Piece(pid, Outline.of(rect(side, side)), rotations=Rotations(angles_deg=(0.0,)), **kw)


def graded_job(**kw):
    pieces = [piece("front-M", 20.0, product="wallet", size="M", demand=1),
              piece("front-L", 24.0, product="wallet", size="L", demand=1),
              piece("back-M", 18.0, product="wallet", size="M", demand=2),
              piece("back-L", 22.0, product="wallet", size="L", demand=2),
              piece("lining", 10.0, product="wallet", demand=1),  # every size
              piece("tag", 8.0, product="key fob", demand=1)]
    return hide_job(pieces, **kw)


def demands(job):
    return {p.id: p.demand for p in job.pieces}


def test_sizes_are_listed_and_chosen_with_a_quantity_each():
    job = graded_job()
    assert sizes_of(job.pieces) == ["M", "L"]
    m_only = select_sizes(job, ["M"], 3)
    assert demands(m_only) == {"front-M": 3, "back-M": 6, "lining": 3, "tag": 3}
    both = select_sizes(job, None, {"M": 10, "L": 5})
    assert demands(both) == {"front-M": 10, "front-L": 5, "back-M": 20, "back-L": 10,
                             "lining": 15, "tag": 15}
    assert demands(select_sizes(job, ["L"], {"M": 2})) == {
        "front-M": 2, "front-L": 1, "back-M": 4, "back-L": 2, "lining": 3, "tag": 3}
    assert demands(select_sizes(job, None, 2))["back-L"] == 4  # no sizes: every piece x 2
    assert select_sizes(job) is job


def test_unknown_sizes_and_sizeless_jobs_are_input_errors():
    with pytest.raises(InputError, match=r"no size XL.*sizes in the job: M, L"):
        select_sizes(graded_job(), ["XL"])
    with pytest.raises(InputError, match="name no sizes"):
        select_sizes(hide_job([square_piece("a")]), ["M"])
    with pytest.raises(InputError, match="at least 1"):
        select_sizes(graded_job(), None, {"M": 0})


def test_per_product_figures_share_the_hides_by_the_area_cut():
    hides = [hide_100(hid="A", price_per_m2=50.0), hide_100(hid="B", cost=2.0)]
    job = graded_job(hides=hides)
    places = [Placement("front-M", 0, "A", 0.0, False, 5.0, 5.0),  # 400 mm²
              Placement("tag", 0, "A", 0.0, False, 40.0, 5.0),  # 64 mm²
              Placement("back-L", 0, "B", 0.0, False, 5.0, 5.0),  # 484 mm²
              Placement("back-L", 1, "B", 0.0, False, 40.0, 5.0),
              Placement("lining", 0, "B", 0.0, False, 70.0, 5.0)]  # 100 mm², no size
    m = compute_metrics(job, sol(job, places))
    rows = {(r["product"], r["size"]): r for r in m["per_product"]}
    assert set(rows) == {("wallet", "M"), ("wallet", "L"), ("wallet", None), ("key fob", None)}
    usable = {h["hide_id"]: h["usable_area_mm2"] for h in m["per_hide"]}
    cost = {h["hide_id"]: h["cost"] for h in m["per_hide"]}
    front = rows[("wallet", "M")]
    assert front["area_mm2"] == pytest.approx(400.0)
    assert front["hide_area_mm2"] == pytest.approx(usable["A"] * 400 / 464)
    assert front["cost"] == pytest.approx(cost["A"] * 400 / 464)
    assert front["yield"] == pytest.approx(464 / usable["A"])  # the utilisation of hide A
    backs = rows[("wallet", "L")]
    assert backs["copies"] == 2
    assert backs["cost"] == pytest.approx(2.0 * 968 / 1068)
    assert sum(r["hide_area_mm2"] for r in rows.values()) == pytest.approx(sum(usable.values()))
    assert sum(r["cost"] for r in rows.values()) == pytest.approx(m["total_cost"])
    assert sum(r["hide_share"] for r in rows.values()) == pytest.approx(1.0)
    served = {h["hide_id"]: {(p["product"], p["size"]): p["copies"] for p in h["products"]}
              for h in m["per_hide"]}
    assert served == {"A": {("wallet", "M"): 1, ("key fob", None): 1},
                      "B": {("wallet", "L"): 2, ("wallet", None): 1}}


def test_cost_is_none_when_a_hide_has_no_price():
    job = graded_job(hides=[hide_100(hid="A")])
    m = compute_metrics(job, sol(job, [Placement("tag", 0, "A", 0.0, False, 5.0, 5.0)]))
    (row,) = m["per_product"]
    assert row["cost"] is None
    assert row["yield"] == pytest.approx(64 / m["per_hide"][0]["usable_area_mm2"])


def test_nest_cuts_the_chosen_sizes_and_reports_each_product(tmp_path):
    job = graded_job()
    data = {"format": "leathernest-job", "version": 1, "name": "graded", "gap_mm": 1,
            "margin_mm": 1,
            "pieces": [{"id": p.id, "outline": rect(*p.outline.bbox[2:]), "demand": p.demand,
                        "product": p.product, "size": p.size} for p in job.pieces],
            "hides": [{"id": "calf", "outline": rect(300, 200), "price_per_m2": 40}]}
    path = tmp_path / "graded.json"
    path.write_text(json.dumps(data))
    r = CliRunner().invoke(main, ["nest", str(path), "--sizes", "M", "--products", "M=2",
                                  "--effort", "10", "--out", str(tmp_path / "o"), "--json", "-q"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["metrics"]["pieces_demanded"] == 2 + 4 + 2 + 2
    sizes = {(p["product"], p["size"]) for p in out["metrics"]["per_product"]}
    assert sizes == {("wallet", "M"), ("wallet", None), ("key fob", None)}
    report = (tmp_path / "o" / "report.html").read_text()
    assert "<h2>Products</h2>" in report
    assert "wallet M" in report
    bad = CliRunner().invoke(main, ["nest", str(path), "--sizes", "XL", "--effort", "10",
                                    "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2
    assert "no size XL" in bad.output
    usage = CliRunner().invoke(main, ["nest", str(path), "--products", "M=x"])
    assert usage.exit_code == 2


def test_price_per_m2_prices_hides_without_a_price(tmp_path):
    data = {"format": "leathernest-job", "version": 1, "name": "p", "gap_mm": 1,
            "pieces": [{"id": "a", "outline": rect(50, 50)}],
            "hides": [{"id": "h", "outline": rect(200, 100)},
                      {"id": "g", "outline": rect(200, 100), "cost": 9.0}]}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    r = CliRunner().invoke(main, ["nest", str(path), "--price-per-m2", "50", "--effort", "10",
                                  "--out", str(tmp_path / "o"), "--json", "-q"])
    assert r.exit_code == 0, r.output
    hides = {h["id"]: h for h in json.loads((tmp_path / "o" / "job.json").read_text())["hides"]}
    assert hides["h"]["price_per_m2"] == 50.0
    assert "price_per_m2" not in hides["g"]
    assert json.loads(r.stdout)["metrics"]["total_cost"] is not None
