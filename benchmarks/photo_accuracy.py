"""Accuracy and speed of ``import PHOTO --hide`` on synthetic photos with known truth.

Usage::

    .venv/bin/python benchmarks/photo_accuracy.py            # the table and the timing
    .venv/bin/python benchmarks/photo_accuracy.py --quick    # one hide per kind, no timing
    .venv/bin/python benchmarks/photo_accuracy.py --timing   # the 4000 x 3000 timing only

Every photo is drawn from a generated hide (``leathernest.capture.synth``) at 1 px per mm, with
chalk rings or tape round every defect (red: grade 0, blue: lower grades) and a green backbone
line on full skins (a side's backbone is its straight cut edge, left unmarked). Scenes:

- ``plain``: even light, grey table, PNG;
- ``light+noise+blur+jpeg``: light falling off 30 % across the picture, 30 % vignetting, sensor
  noise σ 5, lens blur σ 1 px, JPEG quality 80;
- ``mat (photo-like)``: a green cutting mat with its 10 mm grid, 20 % light fall-off, noise σ 3,
  blur σ 0.7 px, JPEG 85;
- ``perspective+card``: the table's corners moved by up to 1.5 % of the picture, scale and
  perspective from a reference card (A4, or a 600 x 400 mm board), noise σ 3, JPEG 90.

Figures per photo: area error (captured area against the true area, in mm², the money figure),
IoU of the outlines, marked regions found with IoU >= 0.8 (defects and zones), the smallest IoU,
regions invented, the backbone's angle and mean offset from the truth. The capture runs with a
safety margin of 0 so that the marked regions compare like for like.

Timing: one 4000 x 3000 JPEG (a calf on the mat, light, noise, blur), read and captured 5 times;
min and median of the wall time; the load average is printed beside it (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from leathernest.capture.capture import CaptureOptions, capture_hide
from leathernest.capture.synth import Scene, render, score
from leathernest.generators import hides as hidegen
from leathernest.io.photo import read_image

BASE = {"px_per_mm": 1.0, "margin_mm": 100.0}


def scenes(side: bool, board: tuple[float, float]) -> dict[str, Scene]:
    mark = {"mark_backbone": not side}
    return {
        "plain": Scene(**BASE, **mark),
        "light+noise+blur+jpeg": Scene(**BASE, **mark, light=0.3, vignette=0.3, noise=5.0,
                                       blur_px=1.0, jpeg_quality=80, seed=1),
        "mat (photo-like)": Scene(**BASE, **mark, table="mat", light=0.2, noise=3.0,
                                  blur_px=0.7, jpeg_quality=85, seed=2),
        f"perspective+card {board[0]:g}x{board[1]:g}": Scene(
            **BASE, **mark, perspective=0.015, reference_mm=board, noise=3.0, blur_px=0.6,
            jpeg_quality=90, seed=3),
    }


HIDES = [("goat", 3, "typical"), ("goat", 8, "poor"), ("calf", 4, "typical"),
         ("calf", 6, "poor"), ("cow_side", 2, "typical"), ("cow_side", 5, "poor")]


def accuracy(quick: bool) -> list[dict]:
    rows = []
    hides = HIDES[::2] if quick else HIDES
    for kind, seed, quality in hides:
        g = hidegen.generate(kind, seed, quality=quality)
        side = kind == "cow_side"
        boards = [(297.0, 210.0)] + ([(600.0, 400.0)] if side else [])
        cases = {}
        for board in boards:
            cases.update(scenes(side, board))
        for name, scene in cases.items():
            photo = render(g, scene)
            opts = CaptureOptions(mm_per_px=None if scene.reference_mm else photo.mm_per_px,
                                  reference_mm=scene.reference_mm, defect_margin_mm=0.0)
            t = time.perf_counter()
            cap = capture_hide(photo.rgb, opts)
            dt = time.perf_counter() - t
            s = score(cap, photo)
            found, total = s.found(0.8)
            ious = s.defect_ious + s.zone_ious
            rows.append({
                "hide": f"{kind} {seed} {quality}", "scene": name,
                "pixels": f"{photo.rgb.shape[1]}x{photo.rgb.shape[0]}",
                "area": s.area_error, "iou": s.iou, "found": found, "total": total,
                "min_iou": min(ious) if ious else float("nan"),
                "invented": s.defects_invented + s.zones_invented,
                "bb_deg": s.backbone_angle_deg, "bb_mm": s.backbone_offset_mm,
                "bb": cap.backbone_source, "s": dt,
            })
            print(_row(rows[-1]), flush=True)
    return rows


def _row(r: dict) -> str:
    return (f"| {r['hide']} | {r['scene']} | {r['pixels']} | {100 * r['area']:+.2f} % | "
            f"{r['iou']:.4f} | {r['found']}/{r['total']} | {r['min_iou']:.2f} | {r['invented']} | "
            f"{r['bb_deg']:.2f}° / {r['bb_mm']:.1f} mm ({r['bb'].replace('_', ' ')}) |")


def timing(runs: int = 5) -> None:
    g = hidegen.generate("calf", 7)
    photo = render(g, Scene(size_px=(4000, 3000), table="mat", light=0.3, vignette=0.3,
                            noise=4.0, blur_px=1.2, jpeg_quality=90, seed=5))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "calf_4000x3000.jpg"
        path.write_bytes(photo.encoded)
        size_kib = path.stat().st_size // 1024
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            cap = capture_hide(read_image(path), CaptureOptions(mm_per_px=photo.mm_per_px))
            times.append(time.perf_counter() - t)
    s = score(cap, photo)
    print(f"\n4000 x 3000 JPEG ({size_kib} KiB; {photo.mm_per_px:.3f} mm/px, working factor "
          f"{cap.working_factor}), default options: read + capture min {min(times):.2f} s, "
          f"median {statistics.median(times):.2f} s over {runs} runs; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; area {100 * s.area_error:+.2f} %, "
          f"IoU {s.iou:.4f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="three hides, no timing")
    ap.add_argument("--timing", action="store_true", help="the 4000 x 3000 timing only")
    args = ap.parse_args()
    if args.timing:
        timing()
        return 0
    print("| hide | scene | pixels | area error | IoU | marks found (IoU >= 0.8) | min IoU | "
          "invented | backbone angle / offset |")
    print("|---|---|---|---|---|---|---|---|---|")
    rows = accuracy(args.quick)
    worst = max(rows, key=lambda r: abs(r["area"]))
    found = sum(r["found"] for r in rows)
    total = sum(r["total"] for r in rows)
    print(f"\n{len(rows)} photos: worst area error {100 * worst['area']:+.2f} % "
          f"({worst['hide']}, {worst['scene']}), lowest IoU {min(r['iou'] for r in rows):.4f}, "
          f"marks found {found}/{total} ({100 * found / total:.1f} %), invented "
          f"{sum(r['invented'] for r in rows)}")
    if not args.quick:
        timing()
    return 0


if __name__ == "__main__":
    sys.exit(main())
