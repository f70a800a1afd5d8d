"""The benchmark matrix: instances x time limits x seeds x engines, minus the cells that cannot run.

A cell is skipped, with its reason, when the engine is a peer that is not installed, when a peer is
asked to solve the other kind of instance (Sparrow does strips, PackingSolver hides), or when the
instance is not a jagua-rs file the peer scripts can read (leathernest job files). Skips are data
for the report, not errors: a researcher without the peers still gets leathernest's figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from leathernest.bench.peers import Peer
from leathernest.bench.runs import ENGINES, NEST_ENGINE, RunSpec
from leathernest.errors import InputError
from leathernest.io.instance import load_job, resolve
from leathernest.io.jagua_json import is_jagua


@dataclass(frozen=True)
class Skip:
    """A cell of the matrix that was not run, and why."""

    instance: str
    engine: str
    reason: str


def instance_kind(instance: str) -> tuple[str, bool]:
    """``("strip" | "hides", is a jagua-rs file)`` of an instance; InputError when unreadable."""
    job = load_job(instance)
    path = resolve(instance)
    try:
        jagua = is_jagua(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        jagua = False
    return ("strip" if job.is_strip else "hides"), jagua


def build_matrix(instances: list[str], seeds: list[int], time_limits: list[float],
                 engines: list[str], peers: dict[str, Peer],
                 workers: int = 1) -> tuple[list[RunSpec], list[Skip]]:
    """Every runnable cell, in a stable order (instance, time, seed, engine), and the skips."""
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        raise InputError(f"unknown engine {unknown[0]!r}", hint=f"choose from {', '.join(ENGINES)}")
    specs: list[RunSpec] = []
    skips: list[Skip] = []
    for instance in instances:
        kind, jagua = instance_kind(instance)
        runnable = []
        for engine in engines:
            reason = _skip_reason(engine, kind, jagua, peers)
            if reason:
                skips.append(Skip(instance, engine, reason))
            else:
                runnable.append(engine)
        specs += [RunSpec(instance, kind, engine, seed, t, workers)
                  for t in time_limits for seed in seeds for engine in runnable]
    return specs, skips


def _skip_reason(engine: str, kind: str, jagua: bool, peers: dict[str, Peer]) -> str:
    if engine in NEST_ENGINE:
        return ""
    peer = peers.get(engine)
    if peer is None or not peer.installed:
        return f"not installed: {peer.missing if peer else 'unknown peer'}"
    if peer.kind != kind:
        return f"{engine} solves {peer.kind} instances only"
    if not jagua:
        return f"{engine} reads jagua-rs instances only"
    return ""
