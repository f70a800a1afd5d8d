"""Load test of the class server: a class of simulated trainees moving pieces on a large order.

Usage::

    .venv/bin/python benchmarks/classroom_load.py [--trainees 30] [--seconds 120] [--interval 1]
                                                  [--pieces 250] [--engine-time 30] [--workers N]

Starts ``leathernest classroom`` on 127.0.0.1 (a free port, a fresh SQLite file), creates a
class and an exercise of a generated order (``benchmarks/make_order.py``: 250+ pieces on 8 calf
skins) and waits for the server's engine layout of it. Each simulated trainee joins, starts from
that layout (every piece placed: the largest bodies a check can get) and, every ``--interval``
seconds for ``--seconds`` seconds, moves one random piece by up to 8 mm and asks for its check
(``POST /api/exercises/{id}/check`` with the moved piece), as the page does; then submits. Each
trainee keeps one HTTP connection, as a browser does; their starts are spread over the first
interval.

Prints the check latency as the trainees saw it (request sent to answer read: p50, p95, p99,
max), the server's own time per check, errors (any answer but 200/201/202, or none), the
submits, and the attempts and drafts the server then holds; ``--json`` writes the figures.
Bounded: at most 100 trainees and 600 s, 127.0.0.1 only; the server is stopped at the end.
Machine speed matters here, so this is a script, not a test.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_order import make_order  # noqa: E402

from leathernest.generators.hides import write_job_json  # noqa: E402

KEY = "load-test-trainer-key"
HOST = "127.0.0.1"
MAX_TRAINEES = 100
MAX_SECONDS = 600.0
MOVE_MM = 8.0
SCORE_WAIT_MAX_S = 300.0


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of the values."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100.0 * len(s) + 0.5) - 1))] if s else float("nan")


class Client:
    """One keep-alive HTTP connection to the server, as one browser tab holds."""

    def __init__(self, port: int, token: str | None = None, trainer: bool = False) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["X-Trainee-Token"] = token
        if trainer:
            self.headers["X-Trainer-Key"] = KEY

    def call(self, method: str, path: str, body: object = None) -> tuple[int, object]:
        data = None if body is None else json.dumps(body, separators=(",", ":"))
        self.conn.request(method, path, body=data, headers=self.headers)
        r = self.conn.getresponse()
        raw = r.read()
        return r.status, json.loads(raw) if raw else None


def start_server(db: Path, workers: int | None) -> tuple[subprocess.Popen, int]:
    cmd = [sys.executable, "-m", "leathernest.cli", "classroom", "--db", str(db), "--host", HOST,
           "--port", "0", "--no-browser", "--trainer-key", KEY]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        m = re.search(r"trainees open http://127\.0\.0\.1:(\d+)/", line)
        if m:
            threading.Thread(target=lambda: proc.stderr.read(), daemon=True).start()
            return proc, int(m.group(1))
    raise SystemExit("the class server did not start")


class Trainee(threading.Thread):
    """One simulated trainee: join, move a piece every interval, submit."""

    def __init__(self, k: int, port: int, code: str, eid: int, layout: list[dict],
                 start_at: float, end_at: float, interval: float) -> None:
        super().__init__(name=f"trainee-{k}", daemon=True)
        self.k, self.port, self.code, self.eid = k, port, code, eid
        self.layout = [dict(p) for p in layout]
        self.start_at, self.end_at, self.interval = start_at, end_at, interval
        self.latency_ms: list[float] = []
        self.server_ms: list[float] = []
        self.submit_ms: list[float] = []
        self.errors: list[str] = []
        self.when: list[float] = []
        self.rng = random.Random(k)

    def run(self) -> None:
        try:
            status, joined = Client(self.port).call(
                "POST", "/api/join", {"code": self.code, "name": f"trainee {self.k}"})
            if status != 201:
                self.errors.append(f"join {status}")
                return
            client = Client(self.port, joined["token"])
            url = f"/api/exercises/{self.eid}"
            next_at = self.start_at
            while True:
                now = time.monotonic()
                if next_at >= self.end_at:
                    break
                if next_at > now:
                    time.sleep(next_at - now)
                self.move(client, url)
                next_at = max(next_at + self.interval, time.monotonic())
            t0 = time.perf_counter()
            status, out = client.call("POST", f"{url}/attempts", {"placements": self.layout})
            self.submit_ms.append((time.perf_counter() - t0) * 1e3)
            if status not in (201, 202):
                self.errors.append(f"submit {status}: {out}")
        except Exception as exc:  # counted, never hidden
            self.errors.append(f"{type(exc).__name__}: {exc}")

    def move(self, client: Client, url: str) -> None:
        i = self.rng.randrange(len(self.layout))
        p = self.layout[i]
        p["translation"] = [p["translation"][0] + self.rng.uniform(-MOVE_MM, MOVE_MM),
                            p["translation"][1] + self.rng.uniform(-MOVE_MM, MOVE_MM)]
        body = {"placements": self.layout, "moved": [f"{p['item_id']}#{p['copy']}"],
                "lang": "pt", "broken": 0}
        t0 = time.perf_counter()
        try:
            status, out = client.call("POST", f"{url}/check", body)
        except Exception as exc:
            self.errors.append(f"check: {type(exc).__name__}: {exc}")
            return
        self.latency_ms.append((time.perf_counter() - t0) * 1e3)
        self.when.append(time.monotonic() - self.start_at)
        if status != 200:
            self.errors.append(f"check {status}: {out}")
        else:
            self.server_ms.append(out["check_ms"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trainees", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--interval", type=float, default=1.0,
                    help="seconds between a trainee's moves")
    ap.add_argument("--pieces", type=int, default=250)
    ap.add_argument("--engine-time", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=None, help="server's check workers")
    ap.add_argument("--json", default=None, help="write the figures here")
    args = ap.parse_args(argv)
    if not 1 <= args.trainees <= MAX_TRAINEES or not 1 <= args.seconds <= MAX_SECONDS:
        raise SystemExit(f"at most {MAX_TRAINEES} trainees and {MAX_SECONDS:g} s")
    tmp = Path(tempfile.mkdtemp(prefix="leathernest-load-"))
    job, generated, _ = make_order(seed=0, pieces=args.pieces, time_limit_s=args.engine_time)
    job_file = write_job_json(tmp / "order.json", job, generated)
    proc, port = start_server(tmp / "class.sqlite", args.workers)
    try:
        trainer = Client(port, trainer=True)
        _, cls = trainer.call("POST", "/api/trainer/classes", {"name": "load test"})
        status, ex = trainer.call("POST", f"/api/trainer/classes/{cls['id']}/exercises",
                                  {"job": json.loads(job_file.read_text()),
                                   "engine_time_s": args.engine_time})
        assert status == 201, ex
        eid = ex["id"]
        trainer.call("POST", f"/api/trainer/exercises/{eid}", {"state": "open",
                                                                "show_engine": True})
        t0 = time.monotonic()
        while ex["engine_state"] not in ("ready", "failed"):
            time.sleep(1.0)
            _, ex = trainer.call("GET", f"/api/trainer/exercises/{eid}")
        if ex["engine_state"] != "ready":
            raise SystemExit(f"the engine failed: {ex['engine_error']}")
        _, sol = trainer.call("GET", f"/api/trainer/exercises/{eid}/engine")
        layout = [{k: p[k] for k in ("item_id", "copy", "bin_id", "hide_copy", "rotation_deg",
                                     "mirrored", "translation")} for p in sol["placements"]]
        print(f"order: {len(layout)} pieces placed by the engine in {time.monotonic() - t0:.0f} s"
              f" ({job.name}); {args.trainees} trainees, a move each {args.interval:g} s for "
              f"{args.seconds:g} s", file=sys.stderr)
        load0 = os.getloadavg()
        begin = time.monotonic() + 2.0
        people = [Trainee(k, port, cls["code"], eid, layout,
                          begin + args.interval * k / args.trainees, begin + args.seconds,
                          args.interval) for k in range(args.trainees)]
        for p in people:
            p.start()
        for p in people:
            p.join(args.seconds + 300)
        load1 = os.getloadavg()
        trainer = Client(port, trainer=True)  # the first one idled past the keep-alive time
        done_at = time.monotonic()
        scored_after = None
        while time.monotonic() - done_at < SCORE_WAIT_MAX_S:  # every submit's score, made after
            _, live = trainer.call("GET", f"/api/trainer/classes/{cls['id']}/live")
            last = [t["attempts"].get(str(eid), {}).get("last") for t in live["trainees"]]
            if all(a is not None and a["points"] is not None for a in last):
                scored_after = time.monotonic() - done_at
                break
            time.sleep(1.0)
        lat = [x for p in people for x in p.latency_ms]
        srv = [x for p in people for x in p.server_ms]
        subs = [x for p in people for x in p.submit_ms]
        errors = [e for p in people for e in p.errors]
        drafts = sum(len(t["drafts"]) for t in live["trainees"])
        figures = {
            "trainees": args.trainees, "seconds": args.seconds, "interval_s": args.interval,
            "pieces": len(layout), "checks": len(lat),
            "check_ms": {"p50": pct(lat, 50), "p95": pct(lat, 95), "p99": pct(lat, 99),
                         "max": max(lat, default=float("nan")),
                         "mean": statistics.fmean(lat) if lat else float("nan")},
            "server_check_ms": {"p50": pct(srv, 50), "p95": pct(srv, 95), "p99": pct(srv, 99)},
            "submit_ms": {"p50": pct(subs, 50), "max": max(subs, default=float("nan"))},
            "errors": len(errors), "error_samples": errors[:5],
            "submits": len(subs), "attempts_stored": live["attempts"], "drafts_stored": drafts,
            "all_scored_after_s": scored_after,
            "load_before": load0, "load_after": load1, "cpus": os.cpu_count(),
        }
        c = figures["check_ms"]
        print(f"checks {len(lat)}: p50 {c['p50']:.1f} ms, p95 {c['p95']:.1f} ms, p99 "
              f"{c['p99']:.1f} ms, max {c['max']:.1f} ms (server's own p50 "
              f"{figures['server_check_ms']['p50']:.1f} ms, p95 "
              f"{figures['server_check_ms']['p95']:.1f} ms)")
        print(f"errors {len(errors)}; submits {len(subs)} (p50 {figures['submit_ms']['p50']:.0f} "
              f"ms, max {figures['submit_ms']['max']:.0f} ms); attempts stored "
              f"{live['attempts']}, all scored {scored_after and round(scored_after)} s after the "
              f"last answer; drafts stored {drafts}; load average {load0[0]:.2f} -> "
              f"{load1[0]:.2f} on {os.cpu_count()} cores")
        for e in errors[:5]:
            print(f"  error: {e}")
        if os.environ.get("LOAD_TIMELINE"):
            for second in range(int(args.seconds) + 1):
                xs = [x for p in people for x, w in zip(p.latency_ms, p.when, strict=True)
                      if second <= w < second + 1]
                if xs:
                    print(f"  t={second:3d}s n={len(xs):3d} p50 {pct(xs, 50):7.1f} max "
                          f"{max(xs):7.1f}", file=sys.stderr)
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=1) + "\n")
        ok = not errors and live["attempts"] == args.trainees and c["p95"] <= 150.0
        return 0 if ok else 1
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    sys.exit(main())
