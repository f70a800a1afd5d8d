"""The HTML pages in a real browser: headless Chromium loads the run report (``nest``) and the
trainee's comparison page (``score``) with no console message, and takes a screenshot of each.

Chromium is driven through its own command line (no Playwright, no browser download): one run
takes the screenshot with ``--enable-logging=stderr``, which prints every console message as an
``INFO:CONSOLE`` line; a second run prints the DOM after loading (``--dump-dom``), which proves the
page was parsed and rendered. The pages have no scripts, so any console message at all (a failed
resource, a parse complaint) is a fault. Skipped, with the reason, only when no Chromium is found.
"""

import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import rect

from leathernest.cli.main import main

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--hide-scrollbars"]
WINDOW = (1200, 900)


def find_chromium() -> str | None:
    override = os.environ.get("LEATHERNEST_CHROMIUM")
    if override:
        return override
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium found (install Debian's `chromium` package, as .ci/run "
                             "does, or set LEATHERNEST_CHROMIUM)")

JOB = {
    "format": "leathernest-job", "version": 1, "name": "browser", "gap_mm": 1, "margin_mm": 1,
    "pieces": [{"id": "front", "outline": rect(40, 25), "demand": 3},
               {"id": "tab", "outline": [[0, 0], [30, 0], [30, 5], [12, 18], [0, 9]],
                "min_grade": 1, "mirror": "allowed", "demand": 2}],
    "hides": [{"id": "calf", "outline": [[0, 0], [160, 0], [170, 60], [150, 110], [0, 100]],
               "price_per_m2": 45.0,
               "zones": [{"grade": 0, "outline": rect(8, 8, 110, 40)},
                         {"grade": 1, "outline": rect(50, 25, 0, 75)}]}],
}


def run_chromium(tmp_path: Path, page: Path, *extra: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def check_page(tmp_path: Path, page: Path, must_contain: str) -> Path:
    """Load the page: no console message, a rendered DOM, a real screenshot; returns the PNG."""
    text = page.read_text()
    external = re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text)
    assert external is None, f"page is not self-contained: {external}"
    shot = tmp_path / f"{page.stem}.png"
    r = run_chromium(tmp_path, page, "--enable-logging=stderr", "--v=0",
                     f"--screenshot={shot}", f"--window-size={WINDOW[0]},{WINDOW[1]}")
    console = [line for line in r.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], console
    assert shot.exists(), r.stderr[-2000:]
    assert png_size(shot) == WINDOW
    assert shot.stat().st_size > 10_000  # a blank 1200 x 900 PNG is about 5 kB
    dom = run_chromium(tmp_path, page, "--dump-dom").stdout
    assert "<svg" in dom
    assert must_contain in dom
    return shot


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pages")
    job = tmp / "job.json"
    job.write_text(json.dumps(JOB))
    runner = CliRunner()
    r = runner.invoke(main, ["nest", str(job), "--effort", "10", "--out", str(tmp / "nest")])
    assert r.exit_code == 0, r.output
    sol = json.loads((tmp / "nest" / "solution.json").read_text())
    hand = {"placements": [{"polygon": p["polygon"]} for p in sol["placements"]]}
    hand["placements"][0]["polygon"] = [[x + 3, y + 2] for x, y in hand["placements"][0]["polygon"]]
    (tmp / "hand.json").write_text(json.dumps(hand))
    r = runner.invoke(main, ["score", str(job), str(tmp / "hand.json"), "--effort", "10",
                             "--out", str(tmp / "score")])
    assert r.exit_code in (0, 1), r.output
    return tmp


def test_nest_report_loads_without_console_errors(pages, tmp_path):
    shot = check_page(tmp_path, pages / "nest" / "report.html", "utilisation")
    assert shot.stat().st_size > 0


def test_compare_page_loads_without_console_errors(pages, tmp_path):
    shot = check_page(tmp_path, pages / "score" / "compare.html", "hand layout against leathernest")
    assert shot.stat().st_size > 0


def test_console_errors_would_be_caught(tmp_path):
    # The check itself must be able to fail: a page with a script error shows up as CONSOLE.
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><script>undefinedFn();</script></body></html>")
    r = run_chromium(tmp_path, page, "--enable-logging=stderr", "--v=0", "--dump-dom")
    assert any(":CONSOLE" in line and "undefinedFn" in line for line in r.stderr.splitlines())
