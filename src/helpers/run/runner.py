"""Run a papermill report template once per kommun, fast and robustly.

Usage::

    python -m helpers.reports --params params/dalarna.yaml
    python -m helpers.reports --params params/dalarna.yaml --only 2080 2085
    python -m helpers.reports --params params/sverige.yaml --dry-run
    python -m helpers.reports --params params/dalarna.yaml --workers 2 --out /tmp/rapporter
    python -m helpers.reports --params params/dalarna.yaml --fresh-kernel
    python -m helpers.reports --params params/sverige.yaml --no-ipynb
    python -m helpers.reports --params params/sverige.yaml --scheduler tcp://host:8786

or from Python: :func:`run_reports`.

What happens
------------
1. The run file is validated completely (:func:`helpers.config.params.load_run`):
   unknown keys, kommun codes, parameter names and types against the
   template's ``parameters`` cell. Nothing runs if anything is wrong.
2. Before the kommun batch, :func:`offline_check`: if the run needs downloads
   that are not in the raw cache and the source cannot be reached (one
   connection check), the run stops at once with a Swedish message naming the
   missing data and ``make fetch PARAMS=…`` – no kommun retries the network.
   If the data source is ``demo``, the demo data are built once in the parent
   process (:func:`helpers.sources.demo.build.build_all`), so parallel workers never race to
   write them.
3. Each kommun's notebook is made by ``papermill.execute_notebook`` (so it is
   parameterized by :func:`papermill.parameterize.parameterize_notebook`, has the
   ``injected-parameters`` cell, papermill's metadata and, on failure, papermill's
   error markers) and converted to HTML with nbconvert's ``HTMLExporter``
   with the code hidden (``exclude_input=True``). Outputs in ``reports/<run>/``:
   ``<kod>_<slug>.ipynb`` and ``<kod>_<slug>.html`` (e.g. ``2080_falun.html``),
   ``index.html`` (Swedish overview with status and error per kommun) and
   ``status.json`` (the status of every kommun, merged across ``--only`` runs).
4. A failing kommun is recorded (its notebook, with the error, is still saved)
   while the others finish; the exit code is 1 if any kommun failed.

Speed: warm kernels, and the isolation trade-off
------------------------------------------------
Starting a kernel and importing pandas, matplotlib and ``helpers`` takes
seconds; executing the template on a warm kernel takes much less. So by
default ``workers`` processes (default ``min(2, cpu)``; the run file's
``workers`` or ``--workers`` override it) each keep **one warm kernel** (a
``jupyter_client`` kernel manager whose kernel client is reused by papermill's
nbclient-based client, via the papermill engine ``folkhalsa-warm`` registered
here) and run many kommuner on it, taking the next kommun as soon as they are
free. The workers are plain ``python -m helpers.reports`` subprocesses fed
with JSON lines (not ``multiprocessing``), so the runner behaves the same
from the command line, a notebook, a script without a ``__main__`` guard or
pytest (no re-import of the caller's ``__main__``), and a worker that dies costs only the kommun it was
running (a new worker takes the next one). Workers start, boot their kernel
and import the modules the template imports (:func:`template_imports`) while
the parent builds the demo data. Their output and their kernels' output go to
``reports/<run>/.logs/``. With one worker everything runs in this process.
Between two notebooks the kernel is reset:

* the user namespace is cleared and the execution count restarts at 1
  (``get_ipython().reset(new_session=True)``, i.e. ``%reset -f`` plus a new
  history session, so ``In [1]`` is the first cell as with a new kernel);
* open matplotlib figures are closed and ``matplotlib.rcParams`` restored to
  the kernel's start values; pandas options are reset;
* the working directory, ``os.environ`` and ``sys.path`` are restored;
* the warnings "once" registries are cleared so each report shows its warnings;
* what survives the reset (imported modules, the county work in memos) is frozen
  for the garbage collector (``gc.freeze``) so that later collections do not walk
  it again; every 16th reset collects everything (``kernels.FULL_COLLECT_EVERY``).

What is *not* reset: imported modules stay imported. That is the speed-up
(the template's modules are even imported when the kernel starts, before the
first notebook runs), and it is also why module-level caches such as
:mod:`helpers.sources.life_expectancy`'s in-memory table are shared, and why changes a template
makes to module state (monkey patches, ``warnings.filterwarnings``,
``logging`` configuration, the global random state, ``numpy.seterr``) carry
over to the next kommun. Every notebook of a run comes from the same
template, so such settings are normally re-applied identically; a template
that depends on a pristine interpreter should be run with ``--fresh-kernel``,
which calls ``papermill.execute_notebook`` with a new kernel per kommun
(papermill-identical isolation, seconds more per kommun). After any failure
or timeout (``--timeout``, seconds per cell, default 600) the warm kernel is
shut down and a new one started, so a broken state never reaches the next
kommun.

Kernels run in the template's folder (as in JupyterLab), in both modes.

National runs: ``--no-ipynb`` and Dask
--------------------------------------
``--no-ipynb`` (run-file key ``ipynb: false``) writes only the HTML and the
data file of a report that succeeded; a failed kommun keeps its notebook with
the error. ``--scheduler tcp://host:port`` (run-file key ``scheduler:``) runs
the same jobs as tasks on a Dask distributed cluster instead of local worker
processes (:mod:`helpers.run.dask_executor`); the progress bar, failure
isolation, ``status.json`` and the index are the same.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from helpers.config import notebook_params, params, yamlfile
from helpers.config.params import Job, RunSpec
from helpers.core import fmt, lookup
from helpers.core.errors import DataError, Problem
from helpers.run.execute import (
    USAGE_LOG,
    Config,
    ReportExecutor,
    WorkerDied,
    short_error,
    template_kernel_name,
    write_error_notebook,
)
from helpers.run.index import (
    STATUS_FAILED,
    ReportResult,
    merged_status,
    write_index,
    write_status,
)
from helpers.run.kernels import ANSI

#: Seconds one cell may run before the kernel is stopped and the kommun marked failed.
DEFAULT_CELL_TIMEOUT = 600.0


@dataclass
class RunResult:
    """Outcome of :func:`run_reports`.

    Attributes
    ----------
    spec : RunSpec
        The validated run file.
    out_dir : Path
        Where the reports are.
    jobs : list of Job
        What was (or, for a dry run, would be) run.
    results : list of ReportResult
        One per job, ordered by kommun code (empty for a dry run).
    index : Path or None
        The ``index.html`` written (None for a dry run).
    workers : int
        Number of worker processes used.
    fresh_kernel : bool
        Whether each kommun got a new kernel.
    dry_run : bool
        Whether nothing was executed.
    seconds : float
        Total wall time.
    scheduler : str or None
        The Dask scheduler the jobs ran on (None: local workers).
    """

    spec: RunSpec
    out_dir: Path
    jobs: list[Job]
    results: list[ReportResult] = field(default_factory=list)
    index: Path | None = None
    workers: int = 1
    fresh_kernel: bool = False
    dry_run: bool = False
    seconds: float = 0.0
    scheduler: str | None = None

    @property
    def failed(self) -> list[ReportResult]:
        """The reports that failed."""
        return [r for r in self.results if not r.ok]

    @property
    def succeeded(self) -> list[ReportResult]:
        """The reports that were made."""
        return [r for r in self.results if r.ok]

    @property
    def exit_code(self) -> int:
        """0 if every report was made, 1 otherwise."""
        return 1 if self.failed else 0


# -- worker processes -------------------------------------------------------------------

_WORKER_FLAG = "--_worker"
LOG_DIR = ".logs"


def _tail(path: Path, lines: int = 6) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    rows = [r for r in ANSI.sub("", text).splitlines() if r.strip()]
    return " | ".join(rows[-lines:])


class _WorkerProcess:
    """A ``python -m helpers.reports --_worker`` subprocess that runs jobs sent as JSON lines.

    Plain subprocesses (not ``multiprocessing``) work the same from a script, a
    notebook, pytest or Windows, never re-import the caller's ``__main__``, and a
    crash of one worker costs only the job it was running.
    """

    def __init__(self, config: Config, number: int):
        self.log = Path(config.out_dir) / LOG_DIR / f"worker-{number}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("a", encoding="utf-8") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "helpers.run.runner", _WORKER_FLAG],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
        self._send(asdict(config))

    def _send(self, obj: dict) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise self._died() from exc

    def _died(self) -> WorkerDied:
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        detail = _tail(self.log)
        return WorkerDied(
            f"Arbetsprocessen avslutades oväntat (kod {code})" + (f": {detail}" if detail else "")
        )

    def run(self, job: Job) -> ReportResult:
        """Send one job and wait for its result; raise WorkerDied if the process ends."""
        self._send(asdict(job))
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise self._died()
        return ReportResult(**json.loads(line))

    def close(self, timeout: float = 30.0) -> None:
        """Ask the worker to finish (end of input) and wait; kill it if it does not."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _worker_main() -> int:
    """Body of a worker process: read a config line, then jobs; answer with results."""
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # stray prints go to the log, never into the protocol
    line = sys.stdin.readline()
    if not line:
        return 0
    executor = ReportExecutor(Config(**json.loads(line)), eager=True)
    try:
        while line := sys.stdin.readline():
            job = Job(**json.loads(line))
            result = executor.safe_run(job)
            protocol.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")
    finally:
        executor.close()
    return 0


# -- the run ----------------------------------------------------------------------------


def default_workers() -> int:
    """Return the default number of worker processes: ``min(2, cpu count)``."""
    return max(1, min(2, os.cpu_count() or 1))


def _select(spec: RunSpec, only: Sequence[str | int] | None) -> list[Job]:
    """Return the jobs of ``spec``, restricted to the codes in ``only`` (validated)."""
    if not only:
        return spec.jobs()
    problems: list[Problem] = []
    codes: list[str] = []
    for item in only:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", notebook_params.ParamsWarning)
                code = notebook_params.normalize_code(item, 4, "kommunkod")
        except DataError as exc:
            problems.append(Problem(f"--only: {exc}"))
            continue
        if code not in spec.kommuner:
            reason = notebook_params.kommun_problem(code) or (
                f"kommunen '{code}' ({lookup.area_name(code)}) ingår inte i körningen "
                f"'{spec.run}' ({spec.name})"
            )
            problems.append(Problem(f"--only: {reason}"))
        elif code not in codes:
            codes.append(code)
    if problems:
        raise DataError(problems)
    return spec.jobs(codes)


def _data_source(spec: RunSpec) -> str | None:
    if "data_source" in spec.parameters:
        return str(spec.parameters["data_source"])
    p = notebook_params.template_parameters(spec.template).get("data_source")
    return str(p.default) if p is not None and p.default is not None else None


def offline_check(spec: RunSpec, data_source: str | None, params_path: str | Path) -> None:
    """Once per run, before the kommun batch: refuse at once if data are missing and offline.

    :func:`helpers.sources.needs.check_offline_ready`: the run's downloads are
    tried against the raw cache only; if something is missing, one connection
    check per source, and if that fails a Swedish :class:`DataError` names what
    is missing and the fetch command (nothing has run then). Demo runs need no
    download and skip this.
    """
    from helpers.sources import needs

    needs.check_offline_ready(needs.run_needs(spec, data_source, params_path=params_path))


def run_reports(
    params_path: str | Path,
    only: Sequence[str | int] | None = None,
    dry_run: bool = False,
    workers: int | None = None,
    fresh_kernel: bool = False,
    *,
    out: str | Path | None = None,
    timeout: float | None = DEFAULT_CELL_TIMEOUT,
    template: str | Path | None = None,
    progress: bool = False,
    ipynb: bool | None = None,
    scheduler: str | None = None,
    dask_client: object | None = None,
) -> RunResult:
    """Run the template of a run file once per kommun.

    Parameters
    ----------
    params_path : str or Path
        The run file (``params/*.yaml``), validated before anything runs.
    only : sequence of str, optional
        Run only these kommun codes (they must belong to the run).
    dry_run : bool
        Validate and return the jobs without executing or writing anything.
    workers : int, optional
        Worker processes; default the file's ``workers``, else ``min(2, cpu)``.
    fresh_kernel : bool
        A new kernel per kommun (``papermill.execute_notebook``) instead of warm kernels.
    out : str or Path, optional
        Output folder instead of ``reports/<run>/``.
    timeout : float or None
        Seconds one cell may run (None: no limit).
    template : str or Path, optional
        Use this template instead of the file's (previews, tests).
    progress : bool
        Show a tqdm progress bar on stderr.
    ipynb : bool, optional
        Keep the executed notebooks (default: the run file's ``ipynb``, else True);
        False keeps only the notebooks of failed kommuner.
    scheduler : str, optional
        Dask distributed scheduler address (default: the run file's ``scheduler``);
        the jobs run there instead of in local worker processes.
    dask_client : distributed.Client, optional
        An already connected client to use instead of ``scheduler`` (tests, notebooks).

    Returns
    -------
    RunResult
        Per-kommun results; ``exit_code`` is 1 if any kommun failed.

    Raises
    ------
    DataError
        If the run file or ``only`` is invalid (nothing has run then).
    """
    started = time.perf_counter()
    spec = params.load_run(params_path, template=template)
    jobs = _select(spec, only)
    out_dir = Path(out) if out is not None else spec.output_dir()
    if workers is not None and (isinstance(workers, bool) or int(workers) < 1):
        raise DataError(f"--workers ska vara ett heltal ≥ 1, inte {workers!r}")
    n_workers = int(workers or spec.workers or default_workers())
    n_workers = max(1, min(n_workers, len(jobs)))
    scheduler = scheduler or spec.scheduler
    result = RunResult(spec, out_dir, jobs, workers=n_workers, fresh_kernel=fresh_kernel)
    result.scheduler = "klient" if dask_client is not None else scheduler
    if dry_run:
        result.dry_run = True
        result.seconds = time.perf_counter() - started
        return result

    data_source = _data_source(spec)
    offline_check(spec, data_source, params_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / LOG_DIR / USAGE_LOG).unlink(missing_ok=True)  # usage of this run only
    config = Config(
        template=str(spec.template),
        out_dir=str(out_dir),
        fresh_kernel=fresh_kernel,
        timeout=timeout,
        kernel_name=template_kernel_name(spec.template),
        ipynb=spec.ipynb if ipynb is None else bool(ipynb),
    )
    client = dask_client
    own_client = client is None and scheduler is not None
    if own_client:
        from helpers.run import dask_executor

        client = dask_executor.connect(str(scheduler))
    if client is not None:
        try:
            return _run_on_dask(result, jobs, config, client, data_source, progress, started)
        finally:
            if own_client:
                client.close()
    # Workers start (import, boot their kernels) while the demo data are built here;
    # they get their first job only after that, so they never race to build them.
    # With one worker the kernel boots in this process's executor, just as early.
    pool = [_WorkerProcess(config, i + 1) for i in range(n_workers)] if n_workers > 1 else []
    local = (
        ReportExecutor(config, out_dir / LOG_DIR / "kernel.log", eager=True)
        if n_workers == 1
        else None
    )
    try:
        _prepare_data(data_source)
    except BaseException:
        for worker in pool:
            worker.close(timeout=5)
        if local is not None:
            local.close()
        raise
    results = _execute(jobs, config, n_workers, progress, pool, local)
    return _finish(result, results, data_source, started)


def _prepare_data(data_source: str | None) -> None:
    if data_source == "demo":
        from helpers.sources.demo import build as demo_build

        demo_build.build_all()


def _finish(
    result: RunResult, results: list[ReportResult], data_source: str | None, started: float
) -> RunResult:
    result.results = sorted(results, key=lambda r: r.kommun)
    statuses = merged_status(result.spec, result.out_dir, result.results)
    write_status(result.spec, result.out_dir, statuses)
    result.index = write_index(result.spec, result.out_dir, statuses, data_source)
    result.seconds = time.perf_counter() - started
    return result


def _run_on_dask(
    result: RunResult,
    jobs: list[Job],
    config: Config,
    client: object,
    data_source: str | None,
    progress: bool,
    started: float,
) -> RunResult:
    """Run the jobs as Dask tasks (:mod:`helpers.run.dask_executor`), then status and index."""
    from helpers.run import dask_executor

    _prepare_data(data_source)
    results: list[ReportResult] = []
    with _progress(len(jobs), progress) as collect:

        def keep(r: ReportResult) -> None:
            results.append(r)
            collect(r)

        dask_executor.execute(jobs, config, client, keep, _failed)
    return _finish(result, results, data_source, started)


class _progress:  # noqa: N801 - used as a context manager like a function
    """A tqdm bar (disabled unless ``show``) with the runner's failure messages."""

    def __init__(self, total: int, show: bool):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, desc="Kommunrapporter", unit="kommun", disable=not show)
        self.failures = 0

    def __call__(self, r: ReportResult) -> None:
        if not r.ok:
            self.failures += 1
            self.bar.write(f"Misslyckades: {r.kommun} {r.name} – {r.error}", file=sys.stderr)
        self.bar.set_postfix_str(f"{self.failures} fel", refresh=False)
        self.bar.update()

    def __enter__(self) -> _progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()


def _failed(job: Job, config: Config, error: str) -> ReportResult:
    """Record a job whose worker died; save an error notebook for it."""
    path = Path(config.out_dir) / f"{job.stem}.ipynb"
    if not path.exists():
        try:
            write_error_notebook(Path(config.template), job, path, error)
        except Exception as exc:  # never lose the result because of the error notebook
            error += f" (felnotebooken kunde inte sparas: {short_error(exc)})"
    return ReportResult(
        job.kommun,
        job.name,
        job.lan_code,
        STATUS_FAILED,
        error=error,
        notebook=path.name if path.exists() else "",
        finished=datetime.now().isoformat(timespec="seconds"),
    )


def _execute(
    jobs: list[Job],
    config: Config,
    n_workers: int,
    progress: bool,
    started: Sequence[_WorkerProcess] = (),
    local: ReportExecutor | None = None,
) -> list[ReportResult]:
    """Run the jobs on ``local`` in this process, or else in ``n_workers`` worker processes.

    ``local`` is the executor :func:`run_reports` starts in this process when
    there is one worker. ``started`` are worker processes already started for
    this run (one per worker); a worker that dies is replaced by a new process
    for the next job.
    """
    bar = _progress(len(jobs), progress)
    results: list[ReportResult] = []

    def collect(r: ReportResult) -> None:
        results.append(r)
        bar(r)

    try:
        if local is not None:
            try:
                for job in jobs:
                    collect(local.safe_run(job))
            finally:
                local.close()
            return results

        todo: queue.Queue[Job] = queue.Queue()
        for job in jobs:
            todo.put(job)
        done: queue.Queue[ReportResult] = queue.Queue()
        stop = threading.Event()

        live: list[_WorkerProcess] = list(started)

        def drive(number: int) -> None:
            worker = started[number - 1] if number <= len(started) else None
            try:
                while not stop.is_set():
                    try:
                        job = todo.get_nowait()
                    except queue.Empty:
                        break
                    try:
                        if worker is None:
                            worker = _WorkerProcess(config, number)
                            live.append(worker)
                        done.put(worker.run(job))
                    except Exception as exc:
                        done.put(_failed(job, config, short_error(exc)))
                        if worker is not None:
                            worker.close(timeout=5)
                            worker = None  # a new process for the next kommun
            finally:
                if worker is not None:
                    worker.close()

        threads = [
            threading.Thread(target=drive, args=(i + 1,), daemon=True, name=f"rapport-{i + 1}")
            for i in range(n_workers)
        ]
        for t in threads:
            t.start()
        try:
            while len(results) < len(jobs):
                try:
                    collect(done.get(timeout=0.5))
                except queue.Empty:
                    if not any(t.is_alive() for t in threads) and done.empty():
                        break
            for t in threads:
                t.join()
        except BaseException:
            stop.set()
            for w in live:
                w.proc.kill()
            raise
        missing = {j.kommun for j in jobs} - {r.kommun for r in results}
        for job in jobs:
            if job.kommun in missing:
                collect(_failed(job, config, "kördes inte (arbetsprocesserna avslutades)"))
        return results
    finally:
        bar.__exit__()


# -- command line -----------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m helpers.reports",
        description="Kör rapportmallen en gång per kommun enligt en körfil i params/.",
    )
    p.add_argument("--params", required=True, help="körfil, t.ex. params/dalarna.yaml")
    p.add_argument("--only", nargs="+", metavar="KOD", help="kör bara dessa kommunkoder")
    p.add_argument(
        "--dry-run", action="store_true", help="kontrollera och visa vad som skulle köras"
    )
    p.add_argument("--workers", type=int, help="antal parallella processer (standard min(2, cpu))")
    p.add_argument("--out", help="utmapp i stället för reports/<run>/")
    p.add_argument(
        "--fresh-kernel",
        action="store_true",
        help="ny kärna per kommun (papermill.execute_notebook): full isolering, långsammare",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_CELL_TIMEOUT,
        help=f"sekunder en cell får köra (standard {DEFAULT_CELL_TIMEOUT:.0f}; 0 = ingen gräns)",
    )
    p.add_argument("--no-progress", action="store_true", help="ingen förloppsindikator")
    p.add_argument(
        "--no-ipynb",
        action="store_true",
        help="spara inte de körda notebookfilerna (bara HTML och datafil; fel sparas ändå)",
    )
    p.add_argument(
        "--scheduler",
        metavar="tcp://VÄRD:PORT",
        help="kör rapporterna på ett Dask distributed-kluster i stället för lokala processer",
    )
    return p


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (0 ok, 1 failed reports, 2 bad input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == [_WORKER_FLAG]:
        return _worker_main()
    args = _parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", notebook_params.ParamsWarning)
            shown = warnings.showwarning

            def show(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001
                if issubclass(category, notebook_params.ParamsWarning):
                    print(f"Varning: {message}", file=sys.stderr, flush=True)
                else:
                    shown(message, category, filename, lineno, file, line)

            warnings.showwarning = show
            result = run_reports(
                args.params,
                only=args.only,
                dry_run=args.dry_run,
                workers=args.workers,
                fresh_kernel=args.fresh_kernel,
                out=args.out,
                timeout=args.timeout or None,
                progress=not args.no_progress and not args.dry_run,
                ipynb=False if args.no_ipynb else None,
                scheduler=args.scheduler,
            )
    except DataError as exc:
        print(f"Fel i körningen – inget har körts.\n{exc}", file=sys.stderr)
        return 2
    spec = result.spec
    mode = "ny kärna per kommun" if result.fresh_kernel else "varma kärnor"
    where = (
        f"Dask-klustret {result.scheduler}" if result.scheduler else f"{result.workers} process(er)"
    )
    if result.dry_run:
        print(
            f"Torrkörning av {spec.name}: {len(result.jobs)} rapporter med mallen "
            f"{yamlfile.display_path(spec.template)}, {where}, {mode}."
        )
        print(f"Parametrar: {spec.parameters or 'mallens standardvärden'}")
        threshold = (spec.disclosure or {}).get("min_n")
        print(
            "Röjandekontroll: "
            + (f"min_n = {threshold} (disclosure i körfilen)" if threshold else "mallens min_n")
        )
        for job in result.jobs:
            print(f"  {job.kommun} {job.name:<20} -> {_shown(result.out_dir / job.stem)}.html")
        print("Inget kördes (--dry-run).")
        return 0
    n_ok, n_failed = len(result.succeeded), len(result.failed)
    print(
        f"{n_ok} av {len(result.results)} rapporter klara, {n_failed} misslyckades "
        f"på {fmt.num(result.seconds, 1, 's')} ({where}, {mode})."
    )
    for r in result.failed:
        print(f"  Misslyckades: {r.kommun} {r.name} – {r.error}")
    assert result.index is not None
    print(f"Rapporterna finns i {_shown(result.out_dir)}/ – öppna {_shown(result.index)}")
    return result.exit_code


__all__ = [
    "DEFAULT_CELL_TIMEOUT",
    "LOG_DIR",
    "RunResult",
    "default_workers",
    "main",
    "run_reports",
]


if __name__ == "__main__":
    sys.exit(main())
