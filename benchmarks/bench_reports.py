"""Benchmark: the per-kommun report runner against a loop of papermill command-line calls.

Runs the 15 Dalarna reports twice, in one go:

1. ``python -m helpers.reports --params params/dalarna.yaml`` (warm kernels,
   ``min(2, cpu)`` worker processes; also writes HTML and ``index.html``), and
2. a plain loop of ``.venv/bin/papermill TEMPLATE OUT -r kommun CODE ...`` calls,
   one new process and kernel per kommun (notebooks only, no HTML),

and prints both wall times and their ratio. With ``--all`` it also times all
290 kommuner with the runner. The real template
``notebooks/templates/kommunprofil.ipynb`` is used if it exists, otherwise the
small test template ``tests/data/mini_template.ipynb`` (the output says which).
The demo data are built before timing, so neither side pays for that.

Usage::

    .venv/bin/python benchmarks/bench_reports.py [--all] [--workers N] [--fresh-kernel]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REAL_TEMPLATE = REPO / "notebooks" / "templates" / "kommunprofil.ipynb"
MINI_TEMPLATE = REPO / "tests" / "data" / "mini_template.ipynb"


def run_file(tmp: Path, name: str, lan: str, template: Path) -> Path:
    """Write a run file for ``lan`` with ``template`` (same parameters as params/dalarna.yaml)."""
    path = tmp / f"{name}.yaml"
    path.write_text(
        f'run: {name}\ntemplate: {template}\nlan: "{lan}"\n'
        "parameters:\n  data_source: demo\n  year: 2024\n",
        encoding="utf-8",
    )
    return path


def time_runner(params: Path, out: Path, workers: int | None, fresh: bool) -> float:
    """Wall time of one ``python -m helpers.reports`` command (exit code checked)."""
    cmd = [sys.executable, "-m", "helpers.run.runner", "--params", str(params)]
    cmd += ["--out", str(out), "--no-progress"]
    if workers:
        cmd += ["--workers", str(workers)]
    if fresh:
        cmd += ["--fresh-kernel"]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode == 2:
        sys.exit(f"the run file was refused:\n{done.stderr}")
    if done.returncode != 0:  # some reports failed: still a timing, but say so
        failed = [ln for ln in done.stdout.splitlines() if "Misslyckades:" in ln]
        print(f"  NOTE: {len(failed)} report(s) failed in this run:", *failed, sep="\n  ")
    return seconds


def time_papermill_loop(template: Path, codes: list[str], out: Path) -> float:
    """Wall time of one ``papermill`` command per kommun, one after the other."""
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for code in codes:
        cmd = [str(BIN / "papermill"), str(template), str(out / f"{code}.ipynb")]
        cmd += ["-r", "kommun", code, "-r", "data_source", "demo", "-p", "year", "2024"]
        cmd += ["--cwd", str(template.parent), "--no-progress-bar", "--log-level", "WARNING"]
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"papermill failed for {code}:\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="also time all 290 kommuner")
    parser.add_argument("--workers", type=int, help="worker processes for the runner")
    parser.add_argument("--fresh-kernel", action="store_true", help="runner without warm kernels")
    args = parser.parse_args()

    from helpers.core import lookup
    from helpers.sources.demo import build as demo

    template = REAL_TEMPLATE if REAL_TEMPLATE.exists() else MINI_TEMPLATE
    which = "the real template" if template == REAL_TEMPLATE else "the MINI test template"
    codes = lookup.kommuner_in("20")["kommun_code"].tolist()
    demo.build_all()
    print(f"Template: {template.relative_to(REPO)} ({which})")
    print(f"Machine: {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")

    results: dict[str, float | int | str] = {"template": str(template.relative_to(REPO))}
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp_name:
        tmp = Path(tmp_name)
        dalarna = run_file(tmp, "bench-dalarna", "20", template)
        runner = time_runner(dalarna, tmp / "runner", args.workers, args.fresh_kernel)
        print(f"runner, {len(codes)} Dalarna reports (+HTML, index): {runner:7.1f} s")
        loop = time_papermill_loop(template, codes, tmp / "papermill")
        print(f"papermill CLI loop, {len(codes)} notebooks (no HTML):   {loop:7.1f} s")
        print(
            f"ratio papermill loop / runner: {loop / runner:.1f}x "
            f"({loop / len(codes):.2f} s vs {runner / len(codes):.2f} s per kommun)"
        )
        results.update(dalarna_runner_s=runner, dalarna_papermill_s=loop, n=len(codes))
        if args.all:
            sverige = tmp / "bench-sverige.yaml"
            sverige.write_text(
                dalarna.read_text(encoding="utf-8")
                .replace('lan: "20"', "lan: alla")
                .replace("bench-dalarna", "bench-sverige"),
                encoding="utf-8",
            )
            everything = time_runner(sverige, tmp / "all", args.workers, args.fresh_kernel)
            print(
                f"runner, all 290 kommuner: {everything:7.1f} s "
                f"({everything / 290:.2f} s per kommun)"
            )
            results["all_runner_s"] = everything
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_reports.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
