"""Run the Dalarna batch on a local Dask distributed cluster and compare it with the local pool.

Starts ``dask scheduler`` and ``--workers`` ``dask worker --nthreads 1`` processes on
127.0.0.1 (what a region's cluster would run, on one machine), runs
``python -m helpers.reports --params params/dalarna.yaml --scheduler tcp://127.0.0.1:PORT``
and, unless ``--no-local``, the same run on the local warm-kernel pool, then
compares every facts file byte for byte and prints both wall and CPU times.

Usage::

    .venv/bin/python benchmarks/dask_dalarna.py [--workers 2] [--no-local] [--keep DIR]
"""

from __future__ import annotations

import argparse
import filecmp
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(extra: list[str], out: Path) -> tuple[float, float, str]:
    cmd = [sys.executable, "-m", "helpers.run.runner", "--params", "params/dalarna.yaml"]
    cmd += ["--out", str(out), "--no-progress", "--no-ipynb", *extra]
    cpu0, start = _cpu(), time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    return time.perf_counter() - start, _cpu() - cpu0, (done.stdout + done.stderr).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-local", action="store_true", help="skip the local-pool run")
    parser.add_argument("--keep", help="keep the outputs in this folder")
    args = parser.parse_args()
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="dask-dalarna-"))
    tmp.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = (tmp / "cluster.log").open("w")
    cpu0 = _cpu()
    procs = [
        subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port)]
            + ["--dashboard-address", ":0"],
            stdout=logs,
            stderr=subprocess.STDOUT,
        )
    ]
    try:
        time.sleep(3)
        for _ in range(args.workers):
            procs.append(
                subprocess.Popen(
                    [str(BIN / "dask"), "worker", address, "--nthreads", "1"]
                    + ["--host", "127.0.0.1", "--no-dashboard"],
                    cwd=REPO,
                    stdout=logs,
                    stderr=subprocess.STDOUT,
                )
            )
        time.sleep(5)
        wall, _, text = _run(["--scheduler", address], tmp / "dask")
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        logs.close()
    cpu = _cpu() - cpu0  # runner, scheduler, workers and their kernels
    print(f"Dask ({args.workers} workers on {address}): wall {wall:.1f} s, CPU {cpu:.1f} s")
    print(f"  (CPU: runner, scheduler, workers and kernels, start-up included)\n  {text}")
    try:
        if not args.no_local:
            wall, cpu, text = _run(["--workers", str(args.workers)], tmp / "local")
            print(f"local pool ({args.workers} workers): wall {wall:.1f} s, CPU {cpu:.1f} s")
            print(f"  {text}")
            csvs = sorted(p.name for p in (tmp / "local").glob("*.csv"))
            same = [n for n in csvs if filecmp.cmp(tmp / "local" / n, tmp / "dask" / n, False)]
            print(f"facts files identical (byte for byte): {len(same)} of {len(csvs)}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
