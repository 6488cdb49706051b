"""Load test: ``riskmap serve`` on loopback in its own process, many concurrent clients.

``python -m benchmarks.load`` builds the demo workspace in a temporary folder (or uses
``--workspace``), starts the server as a real subprocess, and drives ``--clients`` concurrent
clients (asyncio + httpx2, each one request at a time, keep-alive) for ``--seconds`` or
``--max-requests`` requests in all, whichever comes first, against a province's scores
(``/scores?province=...``), the whole workspace's scores (``/scores``) and commune details
(``/communes/{code}``). Requests per second, p50/p95/p99 latency per endpoint and the error
count are printed.

``--scale S`` serves a national workspace at that scale instead (``--scale 1``, ``make load
SCALE=full``: about 10,600 communes; generated and scored under a temporary folder, never
committed; ``--structure 2025`` for the 3,321 communes since July 2025): the clients ask for
the largest province's scores (``/scores?province=...``) and commune details
(``/communes/{code}``). Only ``--scale 1`` records the figures in ``benchmarks/results.json``
(``load``, ``load_p95_ms``, ``load_errors``); other runs write only where ``--out`` says.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import uvloop

from benchmarks.record import RESULTS, update_results

TARGET_P95_MS = 150.0


@dataclass
class Tally:
    """Latencies (ms) and errors of one endpoint."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def summary(self, seconds: float) -> dict[str, float | int]:
        """Requests, requests/s, p50/p95/p99 and max latency (ms), errors."""
        ms = np.asarray(self.latencies) if self.latencies else np.zeros(1)
        p50, p95, p99 = np.percentile(ms, [50, 95, 99])
        return {
            "requests": len(self.latencies),
            "rps": round(len(self.latencies) / seconds, 1),
            "p50_ms": round(float(p50), 1),
            "p95_ms": round(float(p95), 1),
            "p99_ms": round(float(p99), 1),
            "max_ms": round(float(ms.max()), 1),
            "errors": self.errors,
        }


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def riskmap_bin() -> str:
    """The ``riskmap`` console script of this interpreter's environment."""
    return str(Path(sys.executable).with_name("riskmap"))


@contextmanager
def serving(workspace: Path, *, port: int | None = None, timeout: float = 120) -> Iterator[str]:
    """Run ``riskmap serve`` on loopback for the block; yield its base URL."""
    import httpx2

    port = port or free_port()
    # the load test measures the service, not its per-client throttle (all clients share one
    # address here): lift the rate limit for this server only
    env = {**os.environ, "RISKMAP_RATE_LIMIT_PER_MINUTE": "100000000"}
    proc = subprocess.Popen(
        [riskmap_bin(), "serve", "--workspace", str(workspace), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"riskmap serve exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                if httpx2.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"riskmap serve did not answer on {base} in {timeout:.0f} s")
            time.sleep(0.2)
        yield base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def build_demo_workspace(folder: Path) -> Path:
    """``riskmap demo --no-serve`` into ``folder/demo``; return the workspace."""
    root = folder / "demo"
    subprocess.run(
        [riskmap_bin(), "-q", "demo", "--no-serve", "--workspace", str(root)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return root


#: Endpoints of the demo run, and of the national one (the whole country's GeoJSON is left out).
ENDPOINTS = ("scores_province", "scores_all", "commune")
NATIONAL_ENDPOINTS = ("scores_province", "commune")


def targets(
    base: str, province: str, codes: list[str], endpoints: tuple[str, ...] = ENDPOINTS
) -> Iterator[tuple[str, str]]:
    """Endless round robin of (endpoint name, URL) over ``endpoints``."""
    communes = itertools.cycle(codes)
    province_q = urllib.parse.quote(province)
    for _ in itertools.count():
        for name in endpoints:
            if name == "scores_province":
                yield name, f"{base}/scores?province={province_q}"
            elif name == "scores_all":
                yield name, f"{base}/scores"
            else:
                yield name, f"{base}/communes/{next(communes)}"


async def _client(client, plan, stop_at: float, budget: list[int], tallies) -> None:
    import httpx2

    while time.monotonic() < stop_at and budget[0] > 0:
        budget[0] -= 1
        name, url = next(plan)
        start = time.perf_counter()
        try:  # time to the last byte as sent (gzip): the clients share the server's 2 cores,
            async with client.stream("GET", url) as response:  # so they do not inflate it
                async for _ in response.aiter_raw():
                    pass
            status = response.status_code
        except httpx2.HTTPError:
            status = 0
        tally = tallies[name]
        tally.latencies.append((time.perf_counter() - start) * 1000)
        tally.statuses[status] = tally.statuses.get(status, 0) + 1
        tally.errors += status != 200


async def drive(
    base: str,
    province: str,
    codes: list[str],
    *,
    clients: int,
    seconds: float,
    max_requests: int,
    endpoints: tuple[str, ...] = ENDPOINTS,
) -> tuple[dict[str, Tally], float]:
    """Run ``clients`` concurrent clients; return the tallies and the seconds taken."""
    import httpx2

    tallies = {name: Tally() for name in endpoints}
    limits = httpx2.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx2.AsyncClient(limits=limits, timeout=60) as client:
        plans = [targets(base, province, codes[i:] + codes[:i], endpoints) for i in range(clients)]
        for k, plan in enumerate(plans):  # stagger so clients do not all ask the same thing
            for _ in range(k % len(endpoints)):
                next(plan)
        start = time.monotonic()
        budget = [max_requests]
        await asyncio.gather(
            *(_client(client, plan, start + seconds, budget, tallies) for plan in plans)
        )
        return tallies, time.monotonic() - start


def national_facts(workspace: Path) -> tuple[str, list[str]]:
    """The province with the most communes, and every commune code, read from the workspace."""
    from geo.workspace import Workspace

    communes = Workspace.open(workspace).read_layer("communes")
    province = str(communes["province_name"].value_counts().idxmax())
    return province, [str(code) for code in communes["commune_code"]]


def workspace_facts(base: str) -> tuple[str, list[str]]:
    """The first province of the served workspace and every commune code."""
    import httpx2

    body = httpx2.get(f"{base}/scores", timeout=120).json()
    props = [f["properties"] for f in body["features"]]
    provinces = sorted({str(p["province_name"]) for p in props})
    return provinces[0], [str(p["commune_code"]) for p in props]


def run(
    workspace: Path,
    *,
    clients: int,
    seconds: float,
    max_requests: int,
    out: Path | None = None,
    national: bool = False,
) -> dict:
    """Serve ``workspace``, load it, and return the figures (recorded in ``out`` unless None).

    ``national``: the largest province and commune details only (:data:`NATIONAL_ENDPOINTS`).
    """
    endpoints = NATIONAL_ENDPOINTS if national else ENDPOINTS
    with serving(workspace) as base:
        province, codes = national_facts(workspace) if national else workspace_facts(base)
        plan = {"endpoints": endpoints, "max_requests": max_requests}
        uvloop.run(
            drive(base, province, codes, clients=2, seconds=2, **plan | {"max_requests": 30})
        )
        tallies, took = uvloop.run(  # the clients share the machine: keep them cheap
            drive(base, province, codes, clients=clients, seconds=seconds, **plan)
        )
    figures = {"clients": clients, "communes": len(codes), "province": province}
    figures |= _figures(tallies, took)
    if out is not None:
        rows = {"load_p95_ms": figures["p95_ms"], "load_errors": figures["errors"]}
        update_results({"load": figures, **rows}, out)
    return figures


def _figures(tallies: dict[str, Tally], took: float) -> dict:
    """Totals, per-endpoint summaries and whether the target was met."""
    per = {name: t.summary(took) for name, t in tallies.items()}
    total = sum(t["requests"] for t in per.values())
    errors = sum(t["errors"] for t in per.values())
    p95 = max(per[name]["p95_ms"] for name in NATIONAL_ENDPOINTS)
    return {
        "seconds": round(took, 1),
        "requests": total,
        "rps": round(total / took, 1),
        "errors": errors,
        "p95_ms": p95,
        "statuses": _statuses(tallies),
        "endpoints": per,
        "target_p95_ms": TARGET_P95_MS,
        "target_met": p95 < TARGET_P95_MS and errors == 0,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "note": "the server and the clients share one machine (see machine, load_average_1m)",
    }


def _statuses(tallies: dict[str, Tally]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for tally in tallies.values():
        for status, n in tally.statuses.items():
            merged[str(status)] = merged.get(str(status), 0) + n
    return merged


def build_national_workspace(folder: Path, *, scale: float, structure: str, seed: int) -> Path:
    """Generate national data at ``scale``, ingest and score it into ``folder/workspace``."""
    from benchmarks import stages
    from geo.workspace import Workspace
    from risk.pipeline import score_workspace
    from risk.profiles import load_profile

    _, files = stages.generate(folder / "input", scale=scale, seed=seed, structure=structure)
    root = folder / "workspace"
    stages.ingest(root, files)
    score_workspace(Workspace.open(root), load_profile(stages.PROFILE), actor="bench")
    return root


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, help="Workspace to serve (default: new demo)")
    parser.add_argument("--scale", type=float, help="Serve a national workspace at this scale")
    parser.add_argument("--structure", choices=("2009", "2025"), default="2009")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--out", type=Path, help="Results file to update (national: the committed)")
    parser.add_argument("--no-record", action="store_true", help="Do not write results")
    args = parser.parse_args(argv)
    if args.scale is not None and not 0 < args.scale <= 1:
        parser.error("--scale must be in (0, 1]")
    committed = args.out is not None and args.out.resolve() == RESULTS.resolve()
    if committed and args.scale != 1:
        parser.error(f"{RESULTS} holds the national figures: only --scale 1 writes it")
    return args


def _out(args: argparse.Namespace) -> Path | None:
    """Where the figures go: nowhere, ``--out``, or the committed file at national scale."""
    if args.no_record:
        return None
    return args.out or (RESULTS if args.scale == 1 else None)


def main(argv: list[str] | None = None) -> int:
    """Command line: build or take a workspace, load it, print and record the figures."""
    args = parse_args(argv)
    national = args.scale is not None
    with tempfile.TemporaryDirectory(prefix="riskmap-load-") as tmp:
        workspace = args.workspace
        if workspace is None and national:
            workspace = build_national_workspace(
                Path(tmp), scale=args.scale, structure=args.structure, seed=args.seed
            )
        workspace = workspace or build_demo_workspace(Path(tmp))
        figures = run(
            workspace,
            clients=args.clients,
            seconds=args.seconds,
            max_requests=args.max_requests,
            out=_out(args),
            national=national,
        )
    _print(figures)
    return 0 if figures["errors"] == 0 else 1


def _print(figures: dict) -> None:
    out = sys.stdout
    out.write(
        f"{figures['clients']} clients, {figures['seconds']} s, {figures['requests']} requests, "
        f"{figures['rps']} req/s, {figures['errors']} errors ({figures['communes']} communes)\n"
    )
    for name, t in figures["endpoints"].items():
        out.write(
            f"  {name:<16} {t['requests']:>6} req {t['rps']:>7} req/s  p50 {t['p50_ms']:>7} ms  "
            f"p95 {t['p95_ms']:>7} ms  p99 {t['p99_ms']:>7} ms  errors {t['errors']}\n"
        )
    met = "met" if figures["target_met"] else "NOT met"
    out.write(
        f"target (0 errors, p95 of province scores and commune details < {TARGET_P95_MS:.0f} ms):"
        f" {met} (p95 {figures['p95_ms']} ms, load average {figures['load_average_1m']})\n"
    )


if __name__ == "__main__":
    sys.exit(main())
