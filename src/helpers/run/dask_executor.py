"""Run the per-kommun report jobs on a Dask distributed cluster.

``python -m helpers.reports --params params/sverige.yaml --scheduler tcp://host:8786``
(or ``scheduler: tcp://host:8786`` in the run file) sends the same jobs the local
worker processes would run to an existing Dask scheduler: one task per kommun,
each run by :meth:`helpers.run.execute.ReportExecutor.safe_run` on a warm
kernel that the Dask worker keeps between tasks (one kernel per worker thread;
start workers with ``--nthreads 1``). What the runner does around the jobs –
the demo data built first, the progress bar, ``status.json`` and the index –
is the same as with local workers, and so is failure isolation: a failing
notebook is a failed result, and a task whose worker died (Dask retries it on
another worker, then raises ``KilledWorker``) becomes a failed result with an
error notebook, never a stopped run.

Requirements on the cluster: every worker has this project installed (same
version) and sees the output folder and ``data/`` at the same paths as the
machine that starts the run (a shared file system), because the reports are
written where the run file says.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from helpers.config.params import Job
from helpers.core.errors import DataError
from helpers.run.execute import Config, ReportExecutor
from helpers.run.index import ReportResult

#: Seconds to wait for at least one Dask worker before the run is refused.
WAIT_FOR_WORKERS = 60.0
_LOCK = threading.Lock()
#: Warm executors in this (worker) process, one per thread and run configuration.
_EXECUTORS: dict[tuple[int, Config], ReportExecutor] = {}
#: One context (for context variables) per worker thread, see :func:`run_job`.
_CONTEXTS: dict[int, contextvars.Context] = {}


def _executor(config: Config) -> ReportExecutor:
    key = (threading.get_ident(), config)
    with _LOCK:
        executor = _EXECUTORS.get(key)
    if executor is None:
        log = Path(config.out_dir) / ".logs" / f"dask-{os.getpid()}-{threading.get_ident()}.log"
        executor = ReportExecutor(config, log)
        with _LOCK:
            _EXECUTORS[key] = executor
    return executor


def _thread_context() -> contextvars.Context:
    with _LOCK:
        return _CONTEXTS.setdefault(threading.get_ident(), contextvars.Context())


def run_job(config: dict[str, Any], job: dict[str, Any]) -> dict[str, Any]:
    """Dask task: run one kommun's report on this worker thread's warm kernel.

    Takes and returns plain dicts (``Config``, ``Job`` and ``ReportResult`` as
    :func:`dataclasses.asdict`), so nothing but this module has to be importable
    by name on the worker.

    The work runs in a context of its own per worker thread: Dask runs tasks in a
    copy of another thread's context variables, and ``jupyter_client`` keeps its
    event loop in one, so two threads would otherwise share (and both try to run)
    the same event loop.
    """

    def run() -> dict[str, Any]:
        return asdict(_executor(Config(**config)).safe_run(Job(**job)))

    return _thread_context().run(run)


def close_executors() -> int:
    """Shut down every warm kernel this process keeps for Dask tasks; return how many."""
    with _LOCK:
        executors = list(_EXECUTORS.items())
        _EXECUTORS.clear()
    for (thread, _), executor in executors:
        context = _CONTEXTS.get(thread)
        if context is not None:
            context.run(executor.close)  # the kernel's event loop lives in that context
        else:  # pragma: no cover
            executor.close()
    return len(executors)


def connect(address: str) -> Any:
    """Return a ``distributed.Client`` for ``address`` (Swedish DataError if it cannot connect)."""
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - dask[distributed] is a dependency
        raise DataError(
            "--scheduler kräver paketet dask[distributed]: installera projektets beroenden "
            "(make install)"
        ) from exc
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise DataError(
            f"Kunde inte ansluta till Dask-schemaläggaren {address}: {exc}. Kontrollera "
            "adressen (tcp://värd:port) och att schemaläggaren är igång."
        ) from exc
    try:
        client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise DataError(
            f"Dask-schemaläggaren {address} har inga arbetare (väntade {WAIT_FOR_WORKERS:.0f} s). "
            f"Starta minst en: dask worker {address} --nthreads 1"
        ) from exc
    return client


def execute(
    jobs: list[Job],
    config: Config,
    client: Any,
    collect: Callable[[ReportResult], None],
    failed: Callable[[Job, Config, str], ReportResult],
) -> None:
    """Submit one task per job to ``client`` and pass each result to ``collect`` as it comes.

    Parameters
    ----------
    jobs : list of Job
        The kommuner.
    config : Config
        Template, output folder and mode (the same as for local workers).
    client : distributed.Client
        Connected to the cluster.
    collect : callable
        Called once per job with its result (progress bar, failure messages).
    failed : callable
        Makes the failed result (and error notebook) of a job whose task raised.
    """
    from distributed import as_completed

    from helpers.run.execute import short_error

    conf = asdict(config)
    futures = {
        client.submit(
            run_job,
            conf,
            asdict(job),
            key=f"kommunrapport-{job.kommun}-{os.getpid()}-{id(jobs)}",
            pure=False,
        ): job
        for job in jobs
    }
    try:
        for future in as_completed(futures):
            job = futures[future]
            try:
                result = ReportResult(**future.result())
            except Exception as exc:  # the worker died (KilledWorker) or the task could not run
                result = failed(job, config, f"Dask: {short_error(exc)}")
            collect(result)
    except BaseException:
        client.cancel(list(futures))
        raise
    finally:
        try:
            client.run(close_executors)
        except Exception:  # pragma: no cover - best effort: the kernels end with their worker
            pass
