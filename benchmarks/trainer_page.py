"""The trainer's page on the demo order: check response times, and the README's screenshots.

Usage::

    .venv/bin/python benchmarks/trainer_page.py [--engine-solution FILE] [--time 20] [--n 30]
                                                [--shots docs]

Starts ``leathernest train datasets/examples/demo_wallets.json`` on a free port (with the given
engine layout, else the engine's layout made first with ``--time`` seconds), then

1. joins the class ``train`` serves and posts the engine's full layout (66 pieces) to
   ``/api/exercises/1/check`` ``--n`` times over HTTP, once as a whole check and once as the
   check of one moved piece (what the page sends after a move), and prints the round trip's
   median and 90th percentile and the server's own time (``check_ms``);
2. in headless Chromium (Debian's ``/usr/bin/chromium`` through Playwright), joins, lays that
   layout out on the page, moves one piece onto a defect and back ``--n`` times and prints the
   page's check round trip as it shows it (from the move to the answer drawn);
3. with ``--shots DIR``, saves ``trainer.png`` (the page, a piece on a defect) and
   ``trainer-score.png`` (the score against the engine) into DIR.

Machine speed matters here, so this is a script, not a test.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "datasets" / "examples" / "demo_wallets.json"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def engine_layout(path: str | None, time_s: float, tmp: Path) -> Path:
    if path:
        return Path(path)
    out = tmp / "nest"
    subprocess.run([sys.executable, "-m", "leathernest.cli", "nest", str(DEMO), "--time",
                    str(time_s), "--out", str(out), "-q"], check=True)
    return out / "solution.json"


def start(engine: Path) -> tuple[subprocess.Popen, str, str]:
    proc = subprocess.Popen([sys.executable, "-m", "leathernest.cli", "train", str(DEMO),
                             "--port", "0", "--no-browser", "--engine-solution", str(engine)],
                            stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        m = re.search(r"(http://\S+/)\?code=(\w+)", line)
        if m:
            return proc, m.group(1), m.group(2)
    raise SystemExit("the trainer did not start")


def post(url: str, body: dict, token: str = "") -> dict:
    req = urllib.request.Request(url, json.dumps(body).encode(), {
        "Content-Type": "application/json", "X-Trainee-Token": token})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def quantiles(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=10)
    return f"median {statistics.median(ms):.0f} ms, p90 {q[8]:.0f} ms (n={len(ms)})"


def http_times(url: str, code: str, layout: dict, n: int) -> None:
    token = post(url + "api/join", {"code": code, "name": "timing"})["token"]
    placements = layout["placements"]
    first = f"{placements[0]['item_id']}#{placements[0]['copy']}"
    for what, body in (("whole layout", {"placements": placements}),
                       ("one moved piece", {"placements": placements, "moved": [first]})):
        post(url + "api/exercises/1/check", body, token)  # warm
        round_trip, server = [], []
        for _ in range(n):
            t0 = time.perf_counter()
            out = post(url + "api/exercises/1/check", body, token)
            round_trip.append((time.perf_counter() - t0) * 1e3)
            server.append(out["check_ms"])
        assert not out["violations"], out["violations"][:3]
        print(f"POST /api/exercises/1/check, 66 pieces, {what}, over HTTP: "
              f"{quantiles(round_trip)}; the server's check alone: median "
              f"{statistics.median(server):.1f} ms")


def page_times(url: str, code: str, layout: dict, n: int, shots: Path | None) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{url}?code={code}")
        page.fill("#join-name", "Ana")
        page.click("#btn-join")
        page.wait_for_selector("#world")
        page.evaluate("(list) => nest.load(list)", layout["placements"])
        page.wait_for_function("!nest.busy() && nest.state.placed.size === 66")
        key = "card_holder.front#2"
        pl = page.evaluate(f"nest.state.placed.get('{key}')")
        x, y = pl["x"], pl["y"]
        defect = (x + 212, y - 8)  # onto the small defect near (697, 343)
        shown = []
        for k in range(n):
            page.evaluate("(a) => nest.move(...a)", [key, *(defect if k % 2 == 0 else (x, y))])
            page.wait_for_function("!nest.busy()")
            shown.append(page.evaluate("nest.state.checkMs"))
        print(f"the page's check after a move (sent, validated, drawn), 66 pieces: "
              f"{quantiles(shown)}")
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            page.evaluate("(keys) => nest.remove(keys)",
                          ["card_holder.divider#5", "bifold_wallet.stiffener#3",
                           "card_holder.back#5", "bifold_wallet.card_pocket#20"])
            # A stiffener laid across the largest fault of the first hide (a fault a trainee
            # must chalk-mark first).
            stiff = "bifold_wallet.stiffener#2"
            back = page.evaluate(f"nest.state.placed.get('{stiff}')")
            fault = page.evaluate(
                "(() => { const z = nest.state.tabs[0].hide.zones.filter((z) => z.grade === 0)"
                ".sort((a, b) => Math.abs(ringArea(b.outer)) - Math.abs(ringArea(a.outer)))[0];"
                " return ringCentroid(z.outer); })()")
            page.evaluate("(a) => nest.centre(...a)", [stiff, *fault])
            page.wait_for_function("!nest.busy()")
            page.screenshot(path=str(shots / "trainer.png"))
            page.evaluate("(a) => nest.move(...a)", [stiff, back["x"], back["y"]])
            page.wait_for_function("!nest.busy()")
            page.on("dialog", lambda d: d.accept())  # four pieces are in the tray: fine
            page.click("#btn-submit")
            page.wait_for_selector("#points", timeout=120_000)
            page.screenshot(path=str(shots / "trainer-score.png"))
            print(f"wrote {shots / 'trainer.png'}, {shots / 'trainer-score.png'}")
        browser.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--engine-solution", default=None)
    ap.add_argument("--time", type=float, default=20.0)
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--shots", type=Path, default=None)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = engine_layout(a.engine_solution, a.time, Path(tmp))
        layout = json.loads(engine.read_text())
        proc, url, code = start(engine)
        try:
            http_times(url, code, layout, a.n)
            page_times(url, code, layout, a.n, a.shots)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
