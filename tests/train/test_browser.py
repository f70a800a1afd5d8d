"""The class's pages in a real headless Chromium against a real ``leathernest classroom`` server.

Playwright drives Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run``; Playwright
never downloads a browser here). The server is the command itself on a free port, with a check
worker and the engine in their own processes. Skipped, with the reason, only when Chromium or
Playwright is missing. No test waits on the clock: each waits for what the page shows.

With ``LEATHERNEST_DOCS_SHOTS=1`` the screenshots of the README's "Running a class" are written to
``docs/`` (the trainer's view, a trainee's tablet page in Portuguese).
"""

import os
import shutil
from pathlib import Path

import pytest
from conftest import DEFECT, Server, class_with_exercise  # noqa: F401

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
DOCS = Path(__file__).resolve().parents[2] / "docs"
SHOTS = os.environ.get("LEATHERNEST_DOCS_SHOTS") == "1"
LAPTOP = {"width": 1366, "height": 768}
TABLET_PORTRAIT = {"width": 768, "height": 1024}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("class") / "class.sqlite")
    cls, eid = class_with_exercise(s)
    # A larger order for the tablet: a level-4 exercise (pairs, grain, two calf skins).
    _, big = s.call("POST", f"/api/trainer/classes/{cls['id']}/exercises",
                    {"level": 4, "seed": 1, "engine_time_s": 2})
    s.call("POST", f"/api/trainer/exercises/{big['id']}", {"state": "open"})
    s.cls, s.eid, s.big = cls, eid, big["id"]
    assert s.wait_engine(eid)["engine_state"] == "ready"
    yield s
    assert s.stop() in (0, -2)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Trainee:
    """A trainee's browser context and page, joined to the class."""

    def __init__(self, browser, server, name, viewport=LAPTOP, touch=False, locale="en-GB"):
        self.context = browser.new_context(viewport=viewport, has_touch=touch, locale=locale,
                                           is_mobile=touch)
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console",
                     lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.goto(f"{server.url}?code={server.cls['code']}")
        self.page.fill("#join-name", name)
        self.page.click("#btn-join")

    def enter(self, eid):
        """Into the exercise: from the list (or straight in, when it is the only one open)."""
        self.page.wait_for_selector(f"button[data-exercise='{eid}'], #world")
        if self.page.locator("#world").count() == 0:
            self.page.click(f"button[data-exercise='{eid}']")
        self.page.wait_for_selector("#world")
        self.settled()

    def settled(self):
        self.page.wait_for_function("!nest.busy()")

    def status(self):
        self.settled()
        return self.page.get_attribute("#check-status", "data-state")

    def screen(self, x, y):
        p = self.page.evaluate(f"nest.toScreen({x}, {y})")
        return p["x"], p["y"]

    def tray_item(self, piece, mirrored=False):
        box = self.page.locator(f".tray-item[data-piece='{piece}']"
                                f"[data-mirrored='{str(mirrored).lower()}']").bounding_box()
        return box["x"] + 28, box["y"] + box["height"] / 2

    def drag(self, start, end):
        self.page.mouse.move(*start)
        self.page.mouse.down()
        self.page.mouse.move(*end, steps=12)
        self.page.mouse.up()
        self.settled()

    def close(self):
        self.context.close()
        assert self.errors == []


def lay_out_the_order(tr):
    """The whole test order, every rule kept: two fronts, the pair of tabs."""
    tr.drag(tr.tray_item("front"), tr.screen(60, 60))
    tr.drag(tr.tray_item("front"), tr.screen(200, 150))
    tr.drag(tr.tray_item("tab"), tr.screen(230, 40))
    tr.drag(tr.tray_item("tab", mirrored=True), tr.screen(270, 40))
    tr.page.wait_for_selector(".piece[data-key='tab#1'][data-mirrored='true']")


def test_the_trainer_and_two_trainees_join_nest_submit_and_the_trainer_sees_it(browser, server):
    ctx = browser.new_context(viewport=LAPTOP)
    trainer = ctx.new_page()
    trainer.goto(f"{server.url}trainer#key=test-trainer-key")
    trainer.wait_for_selector("#live-table")
    assert server.cls["code"] in trainer.text_content("#class-code")

    ana = Trainee(browser, server, "Ana")
    ana.enter(server.eid)
    assert ana.status() == "empty"  # nothing placed: not "all kept"
    lay_out_the_order(ana)
    assert ana.status() == "kept"
    assert ana.page.text_content("#fig-placed") == "4 of 4"

    ben = Trainee(browser, server, "Ben")
    ben.enter(server.eid)
    ben.drag(ben.tray_item("front"), ben.screen(160, 100))  # onto the fault
    ben.page.wait_for_selector(".piece[data-key='front#0'][data-violation='defect']")
    assert ben.status() == "broken"
    label = ben.page.text_content("#world")
    assert "on a fault: front 1 is 20 mm onto a fault" in label

    # The trainer's live view: both at work, Ben with a broken rule.
    trainer.wait_for_selector("tr[data-trainee='Ben'] td.bad-text")
    trainer.wait_for_function(
        "document.querySelector(\"tr[data-trainee='Ana']\").textContent.includes('4 / 4')")

    ana.page.click("#btn-submit")
    ana.page.wait_for_selector("#points")
    assert ana.page.text_content("#score-placed") == "4 of 4 pieces placed"
    assert ana.page.text_content("#verdict").startswith("Valid")
    assert ana.page.locator("#sides svg").count() == 2  # her layout and the engine's

    ben.page.on("dialog", lambda d: d.accept())  # "breaks 1 rule(s) ... submit anyway?"
    ben.page.click("#btn-submit")
    ben.page.wait_for_selector("#points")
    assert ben.page.text_content("#score-placed") == "1 of 4 pieces placed"  # said first
    assert ben.page.text_content("#points") == "0.0 points"

    trainer.wait_for_selector("tr[data-trainee='Ana'] td.best:not(:has-text('-'))")
    trainer.wait_for_selector("tr[data-trainee='Ben'] td.attempts:has-text('1')")
    trainer.wait_for_selector("li.mistake[data-key='defect']")
    assert "faults not avoided" in trainer.text_content("#mistakes")
    # Any trainee's layout beside the engine's.
    trainer.click("tr[data-trainee='Ana'] button:has-text('attempt and engine')")
    trainer.wait_for_selector("#viewer-sides svg >> nth=1")
    if SHOTS:
        trainer.click("#btn-close-viewer")
        trainer.screenshot(path=str(DOCS / "classroom-trainer.png"))
    for t in (ana, ben):
        t.close()
    ctx.close()


def test_a_reload_restores_the_layout_and_leaving_asks_first(browser, server):
    cleo = Trainee(browser, server, "Cleo")
    cleo.enter(server.eid)
    cleo.drag(cleo.tray_item("front"), cleo.screen(60, 60))
    cleo.drag(cleo.tray_item("tab"), cleo.screen(230, 40))
    before = cleo.page.evaluate("JSON.stringify([...nest.state.placed.values()])")
    asked = []
    cleo.page.on("dialog", lambda d: (asked.append(d.type), d.accept()))
    cleo.page.reload()
    cleo.page.wait_for_selector("#world")
    cleo.settled()
    assert asked == ["beforeunload"]  # unsaved work: the browser asked before leaving
    assert cleo.page.evaluate("JSON.stringify([...nest.state.placed.values()])") == before
    assert cleo.page.text_content("#fig-placed") == "2 of 4"
    assert cleo.status() == "kept"
    cleo.close()


def touch(cdp, kind, points):
    cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [
        {"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)]})


def test_a_tablet_swipes_the_tray_drags_by_touch_and_pinches(browser, server):
    dan = Trainee(browser, server, "Dan", viewport=TABLET_PORTRAIT, touch=True)
    dan.enter(server.big)
    page = dan.page
    cdp = page.context.new_cdp_session(page)
    # Swipe up on a tray piece: the tray scrolls, nothing is picked up.
    first = page.locator(".tray-item").nth(2).bounding_box()
    x, y = first["x"] + first["width"] / 2, first["y"] + first["height"] / 2
    touch(cdp, "touchStart", [(x, y)])
    for k in range(1, 11):
        touch(cdp, "touchMove", [(x, y - 25 * k)])
    touch(cdp, "touchEnd", [])
    page.wait_for_function("document.getElementById('tray').scrollTop > 50")
    assert page.evaluate("nest.state.placed.size") == 0
    page.evaluate("document.getElementById('tray').scrollTop = 0")
    # Drag by touch: a sideways slide from the tray onto the hide.
    item = page.locator(".tray-item:not(.empty)").nth(0)
    key = item.get_attribute("data-piece")
    b = item.bounding_box()
    x0, y0 = b["x"] + 30, b["y"] + b["height"] / 2
    view = page.locator("#view").bounding_box()
    x1, y1 = view["x"] + view["width"] / 2, view["y"] + view["height"] / 2
    touch(cdp, "touchStart", [(x0, y0)])
    for k in range(1, 16):
        touch(cdp, "touchMove", [(x0 + (x1 - x0) * k / 15, y0 + (y1 - y0) * k / 15)])
    touch(cdp, "touchEnd", [])
    page.wait_for_selector(f".piece[data-key^='{key}#']")
    dan.settled()
    # Pinch: two fingers apart zoom in (the view box shrinks), not pan.
    w0 = page.evaluate("nest.state.view[2]")
    cx, cy = view["x"] + view["width"] / 2, view["y"] + 80
    touch(cdp, "touchStart", [(cx - 30, cy), (cx + 30, cy)])
    for k in range(1, 11):
        touch(cdp, "touchMove", [(cx - 30 - 10 * k, cy), (cx + 30 + 10 * k, cy)])
    touch(cdp, "touchEnd", [])
    assert page.evaluate("nest.state.view[2]") < 0.5 * w0
    # Touch targets: every toolbar button at least 44 px high; the rules stay reachable.
    heights = page.evaluate("[...document.querySelectorAll('#toolbar button')]"
                            ".filter((b) => b.offsetParent).map((b) => b.offsetHeight)")
    assert min(heights) >= 44
    page.locator("#btn-rules").tap()
    page.wait_for_function("document.getElementById('side').getBoundingClientRect().left < 768")
    dan.close()


def test_the_page_in_portuguese(browser, server):
    eva = Trainee(browser, server, "Eva", viewport={"width": 1024, "height": 768}, touch=True,
                  locale="pt-PT")
    page = eva.page
    eva.enter(server.eid)
    assert page.text_content("#btn-submit") == "entregar"
    assert eva.status() == "empty"
    assert page.text_content("#check-status") == "nenhuma peça colocada"
    assert "Bandeja" in page.text_content("#tray h2")
    page.evaluate("nest.load([{item_id: 'front', copy: 0, bin_id: 'calf', hide_copy: 0, "
                  "rotation_deg: 0, mirrored: false, translation: [140, 80]}, "
                  "{item_id: 'tab', copy: 0, bin_id: 'calf', hide_copy: 0, rotation_deg: 0, "
                  "mirrored: false, translation: [40, 20]}])")
    page.wait_for_selector(".piece[data-key='front#0'][data-violation='defect']")
    assert "sobre um defeito: front 1 entra 20 mm num defeito" in page.text_content("#world")
    assert "num defeito" in page.text_content("#violations")
    legend = page.text_content("#legend")
    assert "pele de primeira" in legend
    assert "defeito ou buraco" in legend
    if SHOTS:
        page.screenshot(path=str(DOCS / "classroom-tablet-pt.png"))
    eva.close()
