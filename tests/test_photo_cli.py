"""``leathernest import PHOTO --hide`` on the command line: results, files, every error path."""

import io
import json
import struct
import zlib

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from shapely import affinity
from shapely.geometry import Polygon

from leathernest.capture.synth import Scene, render
from leathernest.cli.main import main
from leathernest.generators import hides as hidegen
from leathernest.generators.defects import NO_DEFECTS
from leathernest.io.dxf_in import read_hide_dxf
from leathernest.io.instance import load_job
from leathernest.model import Outline

SMALL = {"px_per_mm": 0.5, "margin_mm": 60.0}  # outline-only pictures: a few hundred pixels


def run(*args):
    return CliRunner().invoke(main, ["import", *[str(a) for a in args]])


@pytest.fixture(scope="module")
def photo_dir(tmp_path_factory):
    """The pictures of this module, rendered once."""
    d = tmp_path_factory.mktemp("photos")
    goat = hidegen.generate("goat", 3, quality="typical", area_m2=0.3)
    marked = render(goat, Scene(px_per_mm=1.0, margin_mm=80.0, jpeg_quality=90))
    (d / "goat.jpg").write_bytes(marked.encoded)
    small = render(goat, Scene(**SMALL))
    (d / "small.png").write_bytes(small.encoded)
    Image.fromarray(small.rgb[:, 40:]).save(d / "cut_left.png")  # the hide reaches the edge
    card = render(goat, Scene(**SMALL, reference_mm=(297.0, 210.0)))
    (d / "card.png").write_bytes(card.encoded)
    h, w = card.rgb.shape[:2]
    cut = round(20 * 0.5 + 0.06 * max(h, w) + 297 * 0.5 / 2)  # through the middle of the card
    Image.fromarray(card.rgb[:, : w - cut]).save(d / "card_cut.png")
    plain = hidegen.generate("goat", 3, quality=NO_DEFECTS, area_m2=0.3)
    same = render(plain, Scene(**SMALL, leather_rgb=(118, 121, 126), mark_backbone=False))
    (d / "same_colour.png").write_bytes(same.encoded)
    Image.fromarray(np.full((300, 400, 3), 120, np.uint8)).save(d / "empty.png")
    a = hidegen.generate("goat", 1, quality="clean", area_m2=0.3)
    two = np.hstack([render(a, Scene(**SMALL)).rgb, render(a, Scene(**SMALL, seed=1)).rgb])
    Image.fromarray(two).save(d / "two_hides.png")
    Image.fromarray(render(_touching(a), Scene(**SMALL)).rgb).save(d / "touching.png")
    return d


def _touching(g: hidegen.GeneratedHide) -> hidegen.GeneratedHide:
    """Two copies of a hide laid so that a leg of one lies on a leg of the other."""
    a = Polygon(g.hide.outline.outer)
    dx = a.bounds[2] - a.bounds[0]
    while a.intersection(b := affinity.translate(a, dx, 30.0)).area < 500.0:
        dx -= 2.0
    both = a.union(b)
    hide = hidegen.Hide(id="two", outline=Outline.of(np.asarray(both.exterior.coords)[:-1]),
                        backbone=g.hide.backbone)
    return hidegen.GeneratedHide(hide, (), g.spec, g.seed, g.quality)


# --- results ------------------------------------------------------------------------------------


def test_a_photo_becomes_a_job_and_a_hide_dxf_that_nest_like_any_other(photo_dir, tmp_path):
    job_path, dxf_path = tmp_path / "hide.json", tmp_path / "hide.dxf"
    r = run(photo_dir / "goat.jpg", "--hide", "--mm-per-px", 1.0, "--out", job_path,
            "--dxf", dxf_path, "--pieces", "tiny", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["kind"] == "photo"
    assert out["hide"]["defects"] >= 1
    assert out["hide"]["zones"] >= 1
    assert out["hide"]["backbone"] == "marked"
    assert out["hide"]["area"] == pytest.approx(0.3e6, rel=0.02)
    job = load_job(job_path)
    hide = job.hides[0]
    assert hide.id == "goat"
    assert {z.grade for z in hide.zones} == {0, 1}
    labels = {z["label"] for z in json.loads(job_path.read_text())["hides"][0]["zones"]}
    assert labels == {"marked_defect", "marked_zone"}
    again = read_hide_dxf(dxf_path).hide
    assert again.area == pytest.approx(hide.area, rel=1e-6)
    assert len(again.zones) == len(hide.zones)
    # the captured hide nests like any other: the tiny job's pieces on it, validated (the
    # baseline is a fill that ends by itself; the time limit only caps it)
    nest = CliRunner().invoke(main, ["nest", "tiny", "--hides", str(job_path), "--engine",
                                     "baseline", "--time", "600", "--out", str(tmp_path / "n"),
                                     "--json", "-q"])
    assert nest.exit_code == 0, nest.output
    result = json.loads(nest.stdout)
    assert not result["unplaced"]
    assert result["metrics"]["pieces_placed"] == sum(p.n_copies for p in load_job("tiny").pieces)


def test_the_summary_line_and_a_warning_when_the_picture_is_too_coarse(photo_dir):
    r = run(photo_dir / "small.png", "--hide", "--mm-per-px", 2.0)
    assert r.exit_code == 0, r.output
    assert "hide small, area" in r.stdout
    assert "too small for 1 mm accuracy" in r.stderr
    r = run(photo_dir / "small.png", "--hide", "--mm-per-px", 2.0, "--accuracy-mm", 3)
    assert r.exit_code == 0
    assert "too small" not in r.stderr


def test_a_reference_card_gives_the_scale(photo_dir):
    r = run(photo_dir / "card.png", "--hide", "--reference-mm", "297,210", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["hide"]["area"] == pytest.approx(0.3e6, rel=0.03)
    r = run(photo_dir / "card.png", "--hide", "--mm-per-px", 2.0)
    assert r.exit_code == 0
    assert "no --reference-mm was given" in r.stderr


# --- every error path: exit 2, one line that says what to do ----------------------------------


def _one_line_error(r, *words):
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("leathernest: error:")
    assert "Traceback" not in r.output
    for w in words:
        assert w in lines[0], lines[0]


def test_not_an_image(tmp_path):
    p = tmp_path / "notes.png"
    p.write_text("this is not a picture")
    _one_line_error(run(p, "--hide", "--mm-per-px", 1), "not a PNG or JPEG image", ".png or .jpg")


def test_another_image_format_and_a_damaged_jpeg(tmp_path, photo_dir):
    gif = tmp_path / "hide.png"
    Image.new("RGB", (50, 40), "white").save(gif, format="GIF")
    _one_line_error(run(gif, "--hide", "--mm-per-px", 1), "GIF", ".png or .jpg")
    data = (photo_dir / "goat.jpg").read_bytes()
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(data[: len(data) // 3])
    _one_line_error(run(broken, "--hide", "--mm-per-px", 1), "broken.jpg", "decode")


def test_a_picture_too_large_to_handle(tmp_path):
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    for w, h in ((9000, 8000), (30000, 20000)):  # over our 60 MP, and over Pillow's bomb limit
        huge = tmp_path / f"huge{w}.png"  # a header claiming w x h pixels, and no pixels
        huge.write_bytes(b"\x89PNG\r\n\x1a\n"
                         + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                         + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
        _one_line_error(run(huge, "--hide", "--mm-per-px", 1), "larger than 60 MP",
                        "scale the photo")


def test_no_hide_found(photo_dir):
    _one_line_error(run(photo_dir / "empty.png", "--hide", "--mm-per-px", 1), "no hide found",
                    "contrasting colour")
    _one_line_error(run(photo_dir / "same_colour.png", "--hide", "--mm-per-px", 2),
                    "no hide found", "contrasting colour")


def test_several_hides_and_hides_touching(photo_dir):
    _one_line_error(run(photo_dir / "two_hides.png", "--hide", "--mm-per-px", 2), "2 hides",
                    "one hide at a time")
    _one_line_error(run(photo_dir / "touching.png", "--hide", "--mm-per-px", 2),
                    "touching or overlapping", "lay the hides apart")


def test_a_hide_cut_by_the_pictures_edge(photo_dir):
    _one_line_error(run(photo_dir / "cut_left.png", "--hide", "--mm-per-px", 2),
                    "cut by the picture's left edge", "move the camera back")


def test_no_reference_card_or_one_cut_by_the_edge(photo_dir):
    _one_line_error(run(photo_dir / "small.png", "--hide", "--reference-mm", "297,210"),
                    "no reference rectangle", "297 x 210 mm card")
    _one_line_error(run(photo_dir / "card_cut.png", "--hide", "--reference-mm", "297,210"),
                    "no whole reference rectangle")


@pytest.mark.parametrize(("args", "words"), [
    ((), ("--mm-per-px", "--reference-mm")),
    (("--mm-per-px", 1, "--reference-mm", "297,210"), ("one of them",)),
])
def test_the_scale_must_be_given_once(photo_dir, args, words):
    _one_line_error(run(photo_dir / "small.png", "--hide", *args), *words)


def test_a_photo_is_read_as_a_hide_only(photo_dir):
    _one_line_error(run(photo_dir / "small.png", "--mm-per-px", 1), "add --hide")


def test_photo_options_are_refused_for_a_dxf():
    from leathernest.datasets import find

    _one_line_error(run(find("card_holder").path, "--mm-per-px", 1), "--mm-per-px is for photos")


def test_bad_option_values_are_usage_errors(photo_dir):
    for args in (("--reference-mm", "A4"), ("--reference-mm", "297,-1"), ("--mm-per-px", 0),
                 ("--zone-grade", 0), ("--defect-colour", "purple")):
        r = run(photo_dir / "small.png", "--hide", *args)
        assert r.exit_code == 2, (args, r.output)
        assert "Traceback" not in r.output
    _one_line_error(run(photo_dir / "small.png", "--hide", "--mm-per-px", 2, "--zone-colour",
                        "red"), "three different colours")


def test_the_image_is_turned_upright_by_its_exif_orientation(tmp_path):
    from leathernest.io.photo import read_image

    img = Image.fromarray(np.arange(6 * 4 * 3, dtype=np.uint8).reshape(4, 6, 3))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the camera was held upright
    buf = io.BytesIO()
    img.save(buf, format="PNG", exif=exif)
    p = tmp_path / "rot.png"
    p.write_bytes(buf.getvalue())
    assert read_image(p).shape == (6, 4, 3)
