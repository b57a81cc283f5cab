"""Benchmark: the per-kommun report runner against a plain loop of papermill + nbconvert calls.

Both sides make the same outputs for the same kommuner on the same machine in
one run: an executed notebook and an HTML report (code hidden) per kommun.

1. **runner**: ``python -m helpers.reports --params <run file>`` (warm kernels,
   ``min(2, cpu)`` worker processes). It also writes the data file per report,
   ``index.html`` and ``status.json`` – more work than the other side.
2. **papermill loop**: per kommun ``papermill TEMPLATE OUT.ipynb -p kommun CODE ...``
   then ``jupyter nbconvert --to html --no-input OUT.ipynb``, one after the other
   (a new process and kernel per kommun: what a plain papermill set-up does).

Printed: wall and CPU seconds of both sides (CPU = user + system of every
process either side started, kernels included), the ratio, per-kommun wall and
CPU (runner: from ``.logs/usage.jsonl``; loop: per pair of commands), the peak
resident memory of a report worker and of a kernel, and the output size. The
demo data are built before timing, so neither side pays for that, and the
shared county work in ``data/processed`` is removed first unless ``--warm-cache``
(so the runner's first reports pay for it, as in a fresh clone).

``--sverige`` (``make bench-sverige``) instead times all 290 kommuner with the
runner as a national run (``--no-ipynb``: HTML, data files, index); the loop
is not run then (it would take about half an hour; compare with its Dalarna
seconds per kommun).

Usage::

    .venv/bin/python benchmarks/bench_reports.py [--workers N] [--sverige] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TEMPLATE = REPO / "notebooks" / "templates" / "kommunprofil.ipynb"


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_file(tmp: Path, name: str, lan: str) -> Path:
    """Write a run file for ``lan`` (same parameters as params/dalarna.yaml)."""
    path = tmp / f"{name}.yaml"
    path.write_text(
        f'run: {name}\ntemplate: {TEMPLATE}\nlan: "{lan}"\n'
        "parameters:\n  data_source: demo\n  year: 2024\n",
        encoding="utf-8",
    )
    return path


def _size(out: Path, suffixes: tuple[str, ...]) -> dict[str, int]:
    sizes = {s: 0 for s in suffixes}
    for p in out.iterdir():
        if p.suffix in sizes:
            sizes[p.suffix] += p.stat().st_size
    return sizes


def time_runner(params: Path, out: Path, workers: int | None, extra: list[str]) -> dict:
    """Run ``python -m helpers.reports`` once; return wall, CPU, per-kommun usage and sizes."""
    cmd = [sys.executable, "-m", "helpers.run.runner", "--params", str(params)]
    cmd += ["--out", str(out), "--no-progress", *extra]
    if workers:
        cmd += ["--workers", str(workers)]
    cpu0, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - start, _children_cpu() - cpu0
    if done.returncode == 2:
        sys.exit(f"the run file was refused:\n{done.stderr}")
    failed = [ln for ln in done.stdout.splitlines() if "Misslyckades:" in ln]
    if failed:  # still a timing, but say so
        print(f"  NOTE: {len(failed)} report(s) failed in this run:", *failed, sep="\n  ")
    usage = [
        json.loads(line)
        for line in (out / ".logs" / "usage.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "per_kommun_wall_s": [u["wall_s"] for u in usage],
        "per_kommun_cpu_s": [u["cpu_kernel_s"] + u["cpu_worker_s"] for u in usage],
        "peak_kernel_mb": max(u["peak_kernel_mb"] or 0 for u in usage),
        "peak_worker_mb": max(u["peak_worker_mb"] or 0 for u in usage),
        "bytes": _size(out, (".html", ".ipynb", ".csv")),
        "n": len(usage),
        "failed": len(failed),
    }


def time_papermill_loop(codes: list[str], out: Path) -> dict:
    """One ``papermill`` and one ``jupyter nbconvert --to html --no-input`` per kommun."""
    out.mkdir(parents=True, exist_ok=True)
    walls, cpus = [], []
    cpu0, start = _children_cpu(), time.perf_counter()
    for code in codes:
        nb = out / f"{code}.ipynb"
        k_cpu, k_start = _children_cpu(), time.perf_counter()
        cmd = [str(BIN / "papermill"), str(TEMPLATE), str(nb)]
        cmd += ["-p", "kommun", code, "-p", "data_source", "demo", "-p", "year", "2024"]
        cmd += ["--cwd", str(TEMPLATE.parent), "--no-progress-bar", "--log-level", "WARNING"]
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"papermill failed for {code}:\n{done.stderr[-2000:]}")
        cmd = [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb)]
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"nbconvert failed for {code}:\n{done.stderr[-2000:]}")
        walls.append(time.perf_counter() - k_start)
        cpus.append(_children_cpu() - k_cpu)
    return {
        "wall_s": time.perf_counter() - start,
        "cpu_s": _children_cpu() - cpu0,
        "per_kommun_wall_s": walls,
        "per_kommun_cpu_s": cpus,
        "peak_process_mb": _children_peak_mb(),
        "bytes": _size(out, (".html", ".ipynb")),
        "n": len(codes),
    }


def _spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})"
    )


def _mb(sizes: dict[str, int], n: int) -> str:
    parts = [f"{k[1:]} {v / 1e6:.1f} MB ({v / n / 1e6:.2f} MB/report)" for k, v in sizes.items()]
    return ", ".join(parts)


def report(name: str, r: dict) -> None:
    """Print one side's numbers."""
    print(f"{name}: {r['n']} reports, wall {r['wall_s']:.1f} s, CPU {r['cpu_s']:.1f} s")
    print(f"  per kommun wall: {_spread(r['per_kommun_wall_s'])}")
    print(f"  per kommun CPU:  {_spread(r['per_kommun_cpu_s'])}")
    if "peak_kernel_mb" in r:
        print(
            f"  peak memory: kernel {r['peak_kernel_mb']:.0f} MB + worker process "
            f"{r['peak_worker_mb']:.0f} MB per worker"
        )
    else:
        print(f"  peak memory: largest single process {r['peak_process_mb']:.0f} MB")
    print(f"  output: {_mb(r['bytes'], r['n'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, help="worker processes for the runner")
    parser.add_argument("--sverige", action="store_true", help="all 290 kommuner, runner only")
    parser.add_argument("--warm-cache", action="store_true", help="keep data/processed/*.pkl")
    parser.add_argument("--keep", help="keep the outputs in this folder")
    args = parser.parse_args()

    from helpers.core import lookup, paths
    from helpers.sources.demo import build as demo

    demo.build_all()
    if not args.warm_cache:
        for stored in paths.processed_dir().glob("*.pkl"):
            stored.unlink()
    print(f"Template: {TEMPLATE.relative_to(REPO)}")
    print(
        f"Machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; "
        f"Python {sys.version.split()[0]}"
    )
    print("Wall times are noisy on a shared machine; CPU seconds are the steadier measure.")
    results: dict[str, object] = {"template": str(TEMPLATE.relative_to(REPO))}
    tmp_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-reports-"))
    tmp_dir.mkdir(parents=True, exist_ok=True)
    try:
        if args.sverige:
            sverige = run_file(tmp_dir, "bench-sverige", "alla")
            sverige.write_text(
                sverige.read_text(encoding="utf-8").replace('lan: "alla"', "lan: alla")
            )
            r = time_runner(sverige, tmp_dir / "sverige", args.workers, ["--no-ipynb"])
            report("runner, all kommuner (--no-ipynb: HTML, data files, index)", r)
            results["sverige_runner"] = r
        else:
            codes = lookup.kommuner_in("20")["kommun_code"].tolist()
            dalarna = run_file(tmp_dir, "bench-dalarna", "20")
            runner = time_runner(dalarna, tmp_dir / "runner", args.workers, [])
            report("runner (notebook + HTML, also data files and index)", runner)
            loop = time_papermill_loop(codes, tmp_dir / "papermill")
            report("papermill + nbconvert loop (notebook + HTML)", loop)
            print(
                f"ratio papermill loop / runner: wall {loop['wall_s'] / runner['wall_s']:.1f}x, "
                f"CPU {loop['cpu_s'] / runner['cpu_s']:.1f}x "
                f"({loop['wall_s']:.1f} s vs {runner['wall_s']:.1f} s for {len(codes)} reports)"
            )
            results.update(dalarna_runner=runner, dalarna_papermill=loop)
    finally:
        if not args.keep:
            shutil.rmtree(tmp_dir, ignore_errors=True)
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    name = "bench_sverige.json" if args.sverige else "bench_reports.json"
    (out / name).write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
