"""The trainer's page in a real headless Chromium against a real ``leathernest train`` server.

Playwright drives Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run``; Playwright
never downloads a browser here). The server is the command itself, on a free port, with the engine
running in its background thread. Skipped, with the reason, only when Chromium or Playwright is
missing.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("LEATHERNEST_CHROMIUM") or shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (install Debian's chromium, as "
                                                ".ci/run does, or set LEATHERNEST_CHROMIUM)"),
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed"),
]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        "--disable-extensions"]
START_TIMEOUT_S = 120  # the server imports the library and binds; nothing else before the line


@pytest.fixture(scope="module")
def server(train_job_file):
    cmd = [sys.executable, "-m", "leathernest.cli", "train", str(train_job_file), "--port", "0",
           "--no-browser", "--time", "2"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    url = None
    deadline = time.monotonic() + START_TIMEOUT_S
    while url is None and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        url = m.group(1) if m else None
    if url is None:
        proc.kill()
        pytest.fail(f"the server did not start: {proc.stderr.read()}")
    yield url
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    assert proc.returncode in (0, -signal.SIGINT), proc.returncode


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, has_touch=True)
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.goto(server)
    pg.wait_for_selector("#world")
    pg.wait_for_function("document.getElementById('check-status').textContent.startsWith('all')")
    yield pg
    context.close()
    assert errors == []


def screen(page, x, y):
    p = page.evaluate(f"trainer.toScreen({x}, {y})")
    return p["x"], p["y"]


def drag(page, start, end):
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=12)
    page.mouse.up()


def tray_item(page, piece, mirrored=False):
    settled(page)
    box = page.locator(f".tray-item[data-piece='{piece}'][data-mirrored='{str(mirrored).lower()}']"
                       ).bounding_box()
    return box["x"] + 28, box["y"] + box["height"] / 2


def settled(page):
    page.wait_for_function("!trainer.busy()")


def status(page):
    settled(page)
    return page.text_content("#check-status")


def test_drag_onto_a_defect_move_rotate_and_submit(page, tmp_path):
    # Onto the defect (x 150..170, y 90..110): the server's check names the rule on the piece.
    drag(page, tray_item(page, "front"), screen(page, 160, 100))
    piece = page.locator(".piece[data-key='front#0']")
    piece.wait_for()
    page.wait_for_selector(".piece[data-key='front#0'][data-violation='defect']")
    assert status(page).startswith("1 broken")
    assert "defect: on or within 3 mm of a defect" in page.text_content("#world")
    assert "front#0" in page.text_content("#violations")
    # Off it, to a free place: every rule kept.
    drag(page, screen(page, 160, 100), screen(page, 60, 60))
    page.wait_for_function(
        "!document.querySelector(\".piece[data-key='front#0']\").hasAttribute('data-violation')")
    assert status(page).startswith("all kept")
    # Rotate it: only the allowed quarter turns; undo and redo.
    assert piece.get_attribute("data-rot") == "0.000"
    page.keyboard.press("r")
    assert page.locator(".piece[data-key='front#0']").get_attribute("data-rot") == "90.000"
    page.keyboard.press("Control+z")
    assert page.locator(".piece[data-key='front#0']").get_attribute("data-rot") == "0.000"
    page.keyboard.press("Control+y")
    assert page.locator(".piece[data-key='front#0']").get_attribute("data-rot") == "90.000"
    page.keyboard.press("m")  # mirroring is not allowed for this piece: said, not done
    assert "may not be mirrored" in page.text_content("#message")
    assert status(page).startswith("all kept")
    # The rest of the order: a second front, the pair of tabs (each hand from the tray).
    drag(page, tray_item(page, "front"), screen(page, 200, 150))
    drag(page, tray_item(page, "tab"), screen(page, 230, 40))
    drag(page, tray_item(page, "tab", mirrored=True), screen(page, 270, 40))
    page.wait_for_selector(".piece[data-key='tab#1'][data-mirrored='true']")
    assert status(page).startswith("all kept")
    assert page.text_content("#fig-placed") == "4 / 4"
    # Submit: the score against the engine's layout, computed meanwhile by the server.
    page.fill("#trainee", "Ana")
    page.click("#btn-submit")
    page.wait_for_selector("#points", timeout=120_000)
    points = float(page.text_content("#points").split()[0])
    assert points > 0
    assert page.text_content("#verdict").startswith("Valid")
    table = page.text_content("#score-table")
    for row in ("leather consumed", "first waste", "second waste", "remnant kept",
                "best leather on lower-grade pieces"):
        assert row in table
    assert page.locator("#sides svg").count() == 2  # your layout and the engine's, side by side
    page.screenshot(path=str(tmp_path / "score.png"))


def test_touch_drag_and_toolbar(page):
    """A tablet: a finger drags a piece from the tray, the toolbar turns it and takes it back."""
    cdp = page.context.new_cdp_session(page)
    (x0, y0), (x1, y1) = tray_item(page, "tab"), screen(page, 100, 60)

    def touch(kind, x, y):
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", x0, y0)
    for k in range(1, 11):
        touch("touchMove", x0 + (x1 - x0) * k / 10, y0 + (y1 - y0) * k / 10)
    touch("touchEnd", x1, y1)
    page.wait_for_selector(".piece[data-key='tab#0']")
    assert status(page).startswith("all kept")

    def tap(selector):  # a finger's tap, through the same touch channel as the drag
        box = page.locator(selector).bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        touch("touchStart", x, y)
        touch("touchEnd", x, y)

    tap("#btn-rot-right")  # a grain piece: only turns that keep the grain on the backbone
    page.wait_for_selector(".piece[data-key='tab#0'][data-rot='180.000']")
    tap("#btn-back")
    page.wait_for_function("!document.querySelector(\".piece[data-key='tab#0']\")")
    assert page.text_content("#fig-placed") == "0 / 4"


def test_a_dropped_piece_snaps_to_the_gap_from_its_neighbour(page):
    drag(page, tray_item(page, "front"), screen(page, 60, 60))  # x 30..90
    page.wait_for_selector(".piece[data-key='front#0']")
    drag(page, tray_item(page, "front"), screen(page, 124, 60))  # 4 mm from it, 2 mm needed
    page.wait_for_selector(".piece[data-key='front#1']")
    assert "snapped to front#0" in page.text_content("#message")
    x0 = page.evaluate("trainer.state.placed.get('front#0').x")
    x1 = page.evaluate("trainer.state.placed.get('front#1').x")
    assert x1 - (x0 + 60) == pytest.approx(2.01, abs=1e-6)  # the gap, and 0.01 mm to spare
    assert status(page).startswith("all kept")
    page.keyboard.press("s")
    assert "snapping off" in page.text_content("#message")
