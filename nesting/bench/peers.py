"""Where the peer tools are, and how one peer run is made: a subprocess of the peer's own Python.

Sparrow (through spyrrow) and PackingSolver live in their own virtual environments (their wheels
pin Python versions that need not match ours), so a peer run is ``PYTHON SCRIPT INSTANCE --time S
...`` with the scripts of the shared ``peers/`` folder, which print one JSON line and write the
placed polygons in the neutral layout format. Nothing here is required: a peer whose Python or
script is missing is "not installed" and its runs are skipped with that reason, never an error.

Defaults are only looked for, never demanded: ``.peers/venv-<peer>/bin/python`` under the current
folder or the source checkout, and ``../shared/peers`` beside the checkout. Options and the
environment variables ``LEATHERNEST_SPYRROW_PYTHON``, ``LEATHERNEST_PACKINGSOLVER_PYTHON`` and
``LEATHERNEST_PEERS_DIR`` override them.

Imports the standard library only.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

# peer engine name -> (script, kind of instance it solves, distribution name, env var, venv folder)
PEERS: dict[str, tuple[str, str, str, str, str]] = {
    "sparrow": ("spyrrow_strip.py", "strip", "spyrrow", "LEATHERNEST_SPYRROW_PYTHON",
                "venv-spyrrow"),
    "packingsolver": ("packingsolver_hides.py", "hides", "packingsolver",
                      "LEATHERNEST_PACKINGSOLVER_PYTHON", "venv-packingsolver"),
}
PEERS_DIR_ENV = "LEATHERNEST_PEERS_DIR"

# Seconds a peer may run beyond its time limit before the runner gives up on it: start-up of its
# interpreter and native library, plus PackingSolver's habit of finishing its current step.
PEER_GRACE_S = 60.0


@dataclass(frozen=True)
class Peer:
    """One peer engine as found on this machine: its Python and script, or why it is missing."""

    engine: str
    kind: str  # "strip" or "hides": the instances it solves
    python: Path | None
    script: Path | None
    version: str = ""
    missing: str = ""  # why it is not installed ("" when it is)

    @property
    def installed(self) -> bool:
        """Whether both the interpreter and the script exist."""
        return not self.missing


def source_root() -> Path | None:
    """The checkout this package runs from (editable install), or None for an installed wheel."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").exists() else None


def _roots() -> list[Path]:
    roots = [Path.cwd()]
    src = source_root()
    if src is not None and src not in roots:
        roots.append(src)
    return roots


def default_python(engine: str) -> Path | None:
    """``.peers/venv-<peer>/bin/python`` under the current folder or the checkout, if present."""
    venv = PEERS[engine][4]
    for root in _roots():
        p = root / ".peers" / venv / "bin" / "python"
        if p.exists():
            return p
    return None


def default_peers_dir() -> Path | None:
    """``../shared/peers`` beside the checkout (or the current folder), if present."""
    for root in _roots():
        p = root.parent / "shared" / "peers"
        if p.is_dir():
            return p
    return None


def peer_version(python: Path, dist: str) -> str:
    """The installed version of ``dist`` in the peer's interpreter ("" when it cannot say)."""
    code = f"from importlib.metadata import version; print(version({dist!r}))"
    try:
        out = subprocess.run([str(python), "-c", code], capture_output=True, text=True,
                             timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def find_peer(engine: str, python: str | Path | None = None,
              peers_dir: str | Path | None = None) -> Peer:
    """Locate a peer: explicit paths first, then the environment, then the defaults."""
    script_name, kind, dist, env_var, _venv = PEERS[engine]
    py = Path(python) if python else (Path(os.environ[env_var]) if os.environ.get(env_var)
                                      else default_python(engine))
    folder = Path(peers_dir) if peers_dir else (
        Path(os.environ[PEERS_DIR_ENV]) if os.environ.get(PEERS_DIR_ENV) else default_peers_dir())
    script = folder / script_name if folder is not None else None
    if py is None or not py.exists():
        why = f"no Python for {dist} (set --{dist}-python or {env_var})"
        return Peer(engine, kind, py, script, missing=why)
    if script is None or not script.exists():
        why = f"{script_name} not found (set --peers-dir or {PEERS_DIR_ENV})"
        return Peer(engine, kind, py, script, missing=why)
    version = peer_version(py, dist)
    if not version:
        return Peer(engine, kind, py, script, missing=f"{dist} is not importable by {py}")
    return Peer(engine, kind, py, script, version=version)


def peer_command(peer: Peer, instance: Path, time_limit_s: float, seed: int, workers: int,
                 layout: Path, extra: tuple[str, ...] = ()) -> list[str]:
    """The command line of one peer run (spyrrow takes whole seconds, at least one).

    extra: further options of the peer's script (e.g. PackingSolver's ``--objective``).
    """
    cmd = [str(peer.python), str(peer.script), str(instance)]
    if peer.engine == "sparrow":
        cmd += ["--time", str(max(1, round(time_limit_s))), "--seed", str(seed),
                "--workers", str(workers)]
    else:
        cmd += ["--time", f"{time_limit_s:g}"]
    return [*cmd, *extra, "--layout", str(layout)]


def run_peer(peer: Peer, instance: Path, time_limit_s: float, seed: int, workers: int,
             layout: Path, extra: tuple[str, ...] = ()) -> dict:
    """Run the peer once; its result line as a dict. Raises RuntimeError when it fails."""
    cmd = peer_command(peer, instance, time_limit_s, seed, workers, layout, extra)
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False,
                             timeout=time_limit_s + PEER_GRACE_S)
    except subprocess.TimeoutExpired:
        limit = time_limit_s + PEER_GRACE_S
        raise RuntimeError(f"{peer.engine} did not finish within {limit:g} s") from None
    lines = [ln for ln in out.stdout.splitlines() if ln.strip().startswith("{")]
    if out.returncode != 0 or not lines:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{peer.engine} exited with {out.returncode}: {tail}")
    return json.loads(lines[-1])
