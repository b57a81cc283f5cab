"""Run a papermill report template once per kommun, fast and robustly.

Usage::

    python -m helpers.reports --params params/dalarna.yaml
    python -m helpers.reports --params params/dalarna.yaml --only 2080 2085
    python -m helpers.reports --params params/sverige.yaml --dry-run
    python -m helpers.reports --params params/dalarna.yaml --workers 2 --out /tmp/rapporter
    python -m helpers.reports --params params/dalarna.yaml --fresh-kernel

or from Python: :func:`run_reports`.

What happens
------------
1. The run file is validated completely (:func:`helpers.config.params.load_run`):
   unknown keys, kommun codes, parameter names and types against the
   template's ``parameters`` cell. Nothing runs if anything is wrong.
2. If the data source is ``demo``, the demo data are built once in the parent
   process (:func:`helpers.sources.demo.base.build_all`), so parallel workers never race to
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
* the warnings "once" registries are cleared so each report shows its warnings.

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
"""

from __future__ import annotations

import argparse
import html
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from helpers.config import params
from helpers.config.params import Job, RunSpec
from helpers.core import fmt, lookup
from helpers.core.errors import DataError, Problem

#: Seconds one cell may run before the kernel is stopped and the kommun marked failed.
DEFAULT_CELL_TIMEOUT = 600.0
#: Name under which the warm-kernel engine is registered with papermill.
WARM_ENGINE = "folkhalsa-warm"
STATUS_OK = "ok"
STATUS_FAILED = "failed"
STATUS_NOT_RUN = "not_run"
STATUS_LABELS = {STATUS_OK: "OK", STATUS_FAILED: "Misslyckades", STATUS_NOT_RUN: "Ej körd"}
STATUS_FILE = "status.json"
INDEX_FILE = "index.html"
ERROR_MARKER_TAG = "papermill-error-cell-tag"  # papermill removes these cells on a re-run

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class ReportResult:
    """Outcome of one kommun's report.

    Attributes
    ----------
    kommun, name, lan_code : str
        The kommun.
    status : str
        :data:`STATUS_OK` or :data:`STATUS_FAILED` (:data:`STATUS_NOT_RUN` in the index only).
    error : str
        Short Swedish/Python error message ("" when ok).
    notebook, html : str
        File names (relative to the output folder) of the executed notebook and its HTML.
    seconds : float
        Wall time for executing and converting this report.
    finished : str
        Local time the report finished (ISO 8601).
    """

    kommun: str
    name: str
    lan_code: str
    status: str
    error: str = ""
    notebook: str = ""
    html: str = ""
    seconds: float = 0.0
    finished: str = ""

    @property
    def ok(self) -> bool:
        """True if the report was made without error."""
        return self.status == STATUS_OK


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


# -- papermill engines ------------------------------------------------------------------


def _register_engines() -> None:
    """Register the warm-kernel and recording engines with papermill (idempotent)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import remove_args

    if WARM_ENGINE in papermill_engines._engines:
        return

    class RecordingEngine(NBClientEngine):
        """papermill's own nbclient engine that remembers the notebook being executed."""

        last = None

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):  # noqa: D102
            RecordingEngine.last = nb_man
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    class WarmEngine(NBClientEngine):
        """Execute on an already running kernel (``km``/``kc``) and leave it running."""

        @classmethod
        def execute_managed_notebook(  # noqa: D102
            cls,
            nb_man,
            kernel_name,
            km=None,
            kc=None,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):
            RecordingEngine.last = nb_man
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            client = PapermillNotebookClient(
                nb_man,
                km=km,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                **kwargs,
            )
            client.kc = kc
            return client.execute(cleanup_kc=False)

    papermill_engines.register(f"{WARM_ENGINE}-recording", RecordingEngine)
    papermill_engines.register(WARM_ENGINE, WarmEngine)


def _forget_last_notebook() -> None:
    from papermill.engines import papermill_engines

    papermill_engines.get_engine(f"{WARM_ENGINE}-recording").last = None


def _last_notebook():
    """Return the notebook most recently handed to one of our engines (or None)."""
    from papermill.engines import papermill_engines

    nb_man = papermill_engines.get_engine(f"{WARM_ENGINE}-recording").last
    return nb_man.nb if nb_man is not None else None


# -- the warm kernel --------------------------------------------------------------------

# Runs once in a new kernel: snapshot what the reset restores, then clear the namespace.
_KERNEL_SETUP = r"""
def _folkhalsa_setup():
    import os
    import sys
    import types
    import warnings

    state = types.ModuleType("_folkhalsa_kernel_state")
    state.rc = None
    try:
        import matplotlib
        import matplotlib.pyplot

        state.rc = matplotlib.rcParams.copy()
    except ImportError:
        pass
    state.cwd = os.getcwd()
    state.environ = dict(os.environ)
    state.sys_path = list(sys.path)

    def reset():
        if "matplotlib.pyplot" in sys.modules:
            import matplotlib
            import matplotlib.pyplot as plt

            plt.close("all")
            if state.rc is not None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    matplotlib.rcParams.update(state.rc)
        if "pandas" in sys.modules:
            import pandas as pd

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pd.reset_option("all")
        os.chdir(state.cwd)
        os.environ.clear()
        os.environ.update(state.environ)
        sys.path[:] = state.sys_path
        kept = list(warnings.filters)
        warnings.resetwarnings()  # invalidates the "once" registries
        warnings.filters[:] = kept
        get_ipython().reset(new_session=True)

    state.reset = reset
    sys.modules[state.__name__] = state


_folkhalsa_setup()
for _folkhalsa_module in __FOLKHALSA_PRELOAD__:
    try:
        __import__("importlib").import_module(_folkhalsa_module)
    except Exception:
        pass  # the notebook itself will report a failing import
get_ipython().reset(new_session=True)
"""
_KERNEL_RESET = 'import sys\nsys.modules["_folkhalsa_kernel_state"].reset()'


class WarmKernel:
    """One IPython kernel kept running to execute many notebooks.

    Parameters
    ----------
    kernel_name : str
        Kernel spec name (from the template's metadata, usually ``"python3"``).
    cwd : Path
        Working directory of the kernel.
    startup_timeout : float
        Seconds to wait for the kernel to answer after start.
    log : Path, optional
        File that receives the kernel process's own output (start-up warnings,
        crash messages); default: inherited from this process.
    preload : sequence of str
        Modules imported when the kernel starts (see :func:`template_imports`),
        so that the first notebook does not wait for them.
    """

    def __init__(
        self,
        kernel_name: str,
        cwd: Path,
        startup_timeout: float = 60.0,
        log: Path | None = None,
        preload: Sequence[str] = (),
    ):
        self.kernel_name = kernel_name
        self.cwd = Path(cwd)
        self.startup_timeout = startup_timeout
        self.log = log
        self.preload = list(preload)
        self._setup_msg: str | None = None
        self.km: Any = None
        self.kc: Any = None
        self.used = False

    @property
    def running(self) -> bool:
        """True if a kernel has been started and not shut down."""
        return self.km is not None

    def start(self, wait: bool = True) -> None:
        """Start the kernel, connect a client and snapshot the state to restore.

        Parameters
        ----------
        wait : bool
            Wait for the set-up code (snapshot, preloaded imports). With False it
            runs in the kernel while the caller does other work; :meth:`prepare`
            waits for it.
        """
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.km = AsyncKernelManager(kernel_name=self.kernel_name)
        output: dict[str, Any] = {}
        if self.log is not None:
            self.log.parent.mkdir(parents=True, exist_ok=True)
            with self.log.open("a", encoding="utf-8") as fh:
                output = {"stdout": fh, "stderr": fh}
                run_sync(self.km.start_kernel)(
                    extra_arguments=["--HistoryManager.hist_file=:memory:"],
                    cwd=str(self.cwd),
                    **output,
                )
        else:
            run_sync(self.km.start_kernel)(
                extra_arguments=["--HistoryManager.hist_file=:memory:"], cwd=str(self.cwd)
            )
        try:
            self.kc = self.km.client()
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)
            self.kc.allow_stdin = False
            code = _KERNEL_SETUP.replace("__FOLKHALSA_PRELOAD__", repr(self.preload))
            self._setup_msg = self.kc.execute(code, silent=True, store_history=False)
            if wait:
                self._await_setup()
        except BaseException:
            self.shutdown(now=True)
            raise
        self.used = False

    def _await_setup(self, timeout: float = 300.0) -> None:
        """Wait for the reply to the set-up code; raise RuntimeError if it failed."""
        from jupyter_core.utils import run_sync

        deadline = time.monotonic() + timeout
        while self._setup_msg is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError("kärnan blev inte klar i tid")
            reply = run_sync(self.kc.get_shell_msg)(timeout=remaining)
            if reply["parent_header"].get("msg_id") == self._setup_msg:
                self._setup_msg = None
                if reply["content"]["status"] != "ok":
                    content = reply["content"]
                    raise RuntimeError(
                        f"kärnan kunde inte förberedas: {content.get('ename')}: "
                        f"{content.get('evalue')}"
                    )

    def _run(self, code: str, timeout: float = 120.0) -> None:
        """Execute ``code`` silently; raise RuntimeError if it fails."""
        from jupyter_core.utils import run_sync

        errors: list[str] = []

        def hook(msg: dict) -> None:
            if msg["msg_type"] == "error":
                errors.append("\n".join(msg["content"].get("traceback", [])))

        reply = run_sync(self.kc.execute_interactive)(
            code, silent=True, store_history=False, timeout=timeout, output_hook=hook
        )
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            detail = errors[0] if errors else f"{content.get('ename')}: {content.get('evalue')}"
            raise RuntimeError(f"kärnan kunde inte återställas: {_ANSI.sub('', detail)}")

    def prepare(self) -> None:
        """Make the kernel ready for the next notebook: start it, or reset it if used."""
        if not self.running:
            self.start()
        elif self._setup_msg is not None:
            try:
                self._await_setup()
            except Exception:
                self.restart()
        elif self.used:
            try:
                self._run(_KERNEL_RESET)
            except Exception:
                self.restart()
        self.used = True

    def restart(self) -> None:
        """Shut the kernel down (immediately) and start a new one."""
        self.shutdown(now=True)
        self.start()

    def shutdown(self, now: bool = False) -> None:
        """Stop the kernel and its client; safe to call more than once."""
        from jupyter_core.utils import run_sync

        km, kc = self.km, self.kc
        self.km = self.kc = None
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception:  # pragma: no cover - best effort cleanup
                pass
        if km is not None:
            try:
                run_sync(km.shutdown_kernel)(now=now)
            except Exception:  # pragma: no cover - best effort cleanup
                pass


# -- executing one report ---------------------------------------------------------------


@dataclass(frozen=True)
class _Config:
    """What a worker needs to know (picklable)."""

    template: str
    out_dir: str
    fresh_kernel: bool
    timeout: float | None
    kernel_name: str


def _kernel_name(template: Path) -> str:
    import nbformat

    nb = nbformat.read(template, as_version=4)
    return str(nb.metadata.get("kernelspec", {}).get("name") or "python3")


def _short_error(exc: BaseException) -> str:
    """Return a one-line description of an execution failure."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, _WorkerDied):
        return str(exc)
    if isinstance(exc, PapermillExecutionError):
        text = f"{exc.ename}: {exc.evalue}" if exc.evalue else exc.ename
        return f"{_ANSI.sub('', text)} (i cell [{exc.exec_count}])"
    if isinstance(exc, CellTimeoutError):
        return f"Tidsgränsen överskreds: en cell körde för länge ({_ANSI.sub('', str(exc))[:200]})"
    if isinstance(exc, DeadKernelError):
        return "Kärnan dog under körningen (minnesbrist eller krasch i en cell?)"
    return f"{type(exc).__name__}: {_ANSI.sub('', str(exc))}".strip()


def template_imports(template: Path) -> list[str]:
    """Return the modules a template imports (``import x``, ``from x import y``).

    Warm kernels import them at start, while other work goes on, instead of in
    the first notebook. Cells that are not plain Python (magics) are read
    without their ``%``/``!`` lines; relative and ``__future__`` imports are skipped.
    For ``from x import y`` both ``x`` and ``x.y`` are listed (``y`` may be a submodule).
    """
    import ast

    import nbformat

    try:
        nb = nbformat.read(template, as_version=4)
    except Exception:
        return []
    modules: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        lines = [ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                modules += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                if node.module != "__future__":
                    modules.append(node.module)
                    modules += [f"{node.module}.{a.name}" for a in node.names if a.name != "*"]
    return list(dict.fromkeys(modules))


class ReportExecutor:
    """Execute jobs one at a time: with a warm kernel, or a fresh one per job.

    Parameters
    ----------
    config : _Config
        Template, output folder, isolation mode and cell timeout.
    """

    def __init__(self, config: _Config, kernel_log: Path | None = None, eager: bool = False):
        self.config = config
        self.template = Path(config.template)
        self.out_dir = Path(config.out_dir)
        self.kernel = None
        if not config.fresh_kernel:
            self.kernel = WarmKernel(
                config.kernel_name,
                self.template.parent,
                log=kernel_log,
                preload=template_imports(self.template),
            )
            if eager:  # the kernel boots and imports while papermill is imported here
                try:
                    self.kernel.start(wait=False)
                except Exception:
                    self.kernel.shutdown(now=True)  # prepare() tries again and reports
        self._exporter = None
        _register_engines()

    def close(self) -> None:
        """Stop the warm kernel (at once: every notebook on it has been saved)."""
        if self.kernel is not None:
            self.kernel.shutdown(now=True)

    def run(self, job: Job) -> ReportResult:
        """Execute one job and convert it to HTML; never raises for a notebook error.

        Parameters
        ----------
        job : Job
            The kommun and its parameters.

        Returns
        -------
        ReportResult
            Status ``ok`` or ``failed`` with the error message.
        """
        import papermill

        start = time.perf_counter()
        nb_path = self.out_dir / f"{job.stem}.ipynb"
        html_path = self.out_dir / f"{job.stem}.html"
        for stale in (nb_path, html_path):
            stale.unlink(missing_ok=True)
        common: dict[str, Any] = {
            "parameters": job.parameters,
            "progress_bar": False,
            "request_save_on_cell_execute": False,
            "execution_timeout": self.config.timeout,
        }
        error = ""
        engine_failed = False
        _forget_last_notebook()
        try:
            if self.kernel is None:
                papermill.execute_notebook(
                    str(self.template),
                    str(nb_path),
                    engine_name=f"{WARM_ENGINE}-recording",
                    resources={"metadata": {"path": str(self.template.parent)}},
                    **common,
                )
            else:
                self.kernel.prepare()
                papermill.execute_notebook(
                    str(self.template),
                    str(nb_path),
                    engine_name=WARM_ENGINE,
                    km=self.kernel.km,
                    kc=self.kernel.kc,
                    **common,
                )
        except Exception as exc:
            error = _short_error(exc)
            engine_failed = True
        if engine_failed and self.kernel is not None:
            self.kernel.shutdown(now=True)  # a new kernel for the next kommun
        if error and not nb_path.exists():
            try:
                write_error_notebook(self.template, job, nb_path, error, _last_notebook())
            except Exception as exc:
                error += f" (felnotebooken kunde inte sparas: {_short_error(exc)})"
        try:
            self._write_html(nb_path, html_path, job)
        except Exception as exc:
            error = error or f"HTML kunde inte skapas: {_short_error(exc)}"
        return ReportResult(
            kommun=job.kommun,
            name=job.name,
            lan_code=job.lan_code,
            status=STATUS_FAILED if error else STATUS_OK,
            error=error,
            notebook=nb_path.name if nb_path.exists() else "",
            html=html_path.name if html_path.exists() else "",
            seconds=time.perf_counter() - start,
            finished=datetime.now().isoformat(timespec="seconds"),
        )

    def safe_run(self, job: Job) -> ReportResult:
        """Like :meth:`run`, but an unexpected error becomes a failed result too."""
        try:
            return self.run(job)
        except Exception as exc:  # a bug here must not cost the other kommuner
            if self.kernel is not None:
                self.kernel.shutdown(now=True)
            return ReportResult(
                job.kommun,
                job.name,
                job.lan_code,
                STATUS_FAILED,
                error=_short_error(exc),
                finished=datetime.now().isoformat(timespec="seconds"),
            )

    def _write_html(self, nb_path: Path, html_path: Path, job: Job) -> None:
        import nbformat

        if self._exporter is None:
            from nbconvert import HTMLExporter

            self._exporter = HTMLExporter(
                exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
            )
        nb = nbformat.read(nb_path, as_version=4)
        body, _ = self._exporter.from_notebook_node(
            nb, resources={"metadata": {"name": f"{job.name} ({job.kommun})"}}
        )
        _write_text(html_path, body)


def write_error_notebook(template: Path, job: Job, path: Path, error: str, nb: Any = None) -> None:
    """Save a notebook explaining why a kommun failed when papermill saved none.

    Parameters
    ----------
    template : Path
        The template (parameterized with papermill if ``nb`` is None).
    job : Job
        The kommun.
    path : Path
        Where to write the notebook.
    error : str
        The error, shown in a markdown cell at the top.
    nb : NotebookNode, optional
        The partly executed notebook, if there is one.
    """
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    if nb is None or nb.metadata.get("papermill", {}).get("parameters") != job.parameters:
        nb = parameterize_notebook(load_notebook_node(str(template)), job.parameters)
    nb = nbformat.from_dict(json.loads(nbformat.writes(nb)))  # a copy
    cell = nbformat.v4.new_markdown_cell(
        f"**Rapporten för {job.name} ({job.kommun}) kunde inte göras klart.**\n\nFel: `{error}`"
    )
    cell.metadata["tags"] = [ERROR_MARKER_TAG]
    nb.cells.insert(0, cell)
    _write_text(path, nbformat.writes(nb))


def _write_text(path: Path, text: str) -> None:
    """Write ``text`` atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# -- worker processes -------------------------------------------------------------------

_WORKER_FLAG = "--_worker"
LOG_DIR = ".logs"


class _WorkerDied(RuntimeError):
    """A worker process ended while (or before) running a job."""


def _tail(path: Path, lines: int = 6) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    rows = [r for r in _ANSI.sub("", text).splitlines() if r.strip()]
    return " | ".join(rows[-lines:])


class _WorkerProcess:
    """A ``python -m helpers.reports --_worker`` subprocess that runs jobs sent as JSON lines.

    Plain subprocesses (not ``multiprocessing``) work the same from a script, a
    notebook, pytest or Windows, never re-import the caller's ``__main__``, and a
    crash of one worker costs only the job it was running.
    """

    def __init__(self, config: _Config, number: int):
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

    def _died(self) -> _WorkerDied:
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        detail = _tail(self.log)
        return _WorkerDied(
            f"Arbetsprocessen avslutades oväntat (kod {code})" + (f": {detail}" if detail else "")
        )

    def run(self, job: Job) -> ReportResult:
        """Send one job and wait for its result; raise _WorkerDied if the process ends."""
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
    executor = ReportExecutor(_Config(**json.loads(line)), eager=True)
    try:
        while line := sys.stdin.readline():
            job = Job(**json.loads(line))
            result = executor.safe_run(job)
            protocol.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")
    finally:
        executor.close()
    return 0


# -- status and index -------------------------------------------------------------------


def _load_status(out_dir: Path) -> dict[str, dict]:
    try:
        doc = json.loads((out_dir / STATUS_FILE).read_text(encoding="utf-8"))
        return {str(k): dict(v) for k, v in doc.get("kommuner", {}).items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def _merged_status(spec: RunSpec, out_dir: Path, results: list[ReportResult]) -> list[ReportResult]:
    """Statuses of every kommun of the run: this run's results over earlier ones."""
    earlier = _load_status(out_dir)
    now = {r.kommun: r for r in results}
    merged = []
    for job in spec.jobs():
        if job.kommun in now:
            merged.append(now[job.kommun])
            continue
        old = earlier.get(job.kommun)
        if old and old.get("status") in (STATUS_OK, STATUS_FAILED):
            known = {k: old[k] for k in ReportResult.__dataclass_fields__ if k in old}
            merged.append(ReportResult(**{**known, "kommun": job.kommun}))
        else:
            merged.append(ReportResult(job.kommun, job.name, job.lan_code, STATUS_NOT_RUN))
    return merged


def write_status(spec: RunSpec, out_dir: Path, statuses: list[ReportResult]) -> Path:
    """Write ``status.json`` with the status of every kommun of the run."""
    doc = {
        "run": spec.run,
        "params": spec.name,
        "template": params.display_path(spec.template),
        "parameters": spec.parameters,
        "updated": datetime.now().isoformat(timespec="seconds"),
        "kommuner": {r.kommun: asdict(r) for r in statuses},
    }
    path = out_dir / STATUS_FILE
    _write_text(path, json.dumps(doc, ensure_ascii=False, indent=1, default=str))
    return path


_INDEX_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1rem;color:#1a1a1a}
h1{margin-bottom:.2rem}.meta{color:#555;margin-top:0}
.demo{background:#fff4d6;border:1px solid #e0b84a;padding:.5rem .8rem;border-radius:4px}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;white-space:nowrap}
.ok{color:#11632b;font-weight:600}.failed{color:#a4161a;font-weight:600}
.not_run{color:#777}.err{font-family:ui-monospace,monospace;font-size:.85em;color:#a4161a}
"""


def write_index(
    spec: RunSpec, out_dir: Path, statuses: list[ReportResult], data_source: str | None = None
) -> Path:
    """Write ``index.html``: a Swedish overview linking every kommun's report.

    Parameters
    ----------
    spec : RunSpec
        The run.
    out_dir : Path
        The output folder.
    statuses : list of ReportResult
        One per kommun of the run (see :func:`_merged_status`).
    data_source : str, optional
        Shown in the header; ``"demo"`` adds the synthetic-data notice.

    Returns
    -------
    Path
        The file written.
    """
    esc = html.escape
    n_ok = sum(r.status == STATUS_OK for r in statuses)
    n_failed = sum(r.status == STATUS_FAILED for r in statuses)
    n_not_run = sum(r.status == STATUS_NOT_RUN for r in statuses)
    lan_names = lookup.lan().set_index("lan_code")["lan_name"]
    area = "Alla län" if spec.lan == params.ALL_LAN else str(lan_names.get(spec.lan, spec.lan))
    param_text = (
        ", ".join(f"{k} = {v}" for k, v in spec.parameters.items()) or "mallens standardvärden"
    )
    summary = f"{n_ok} av {len(statuses)} rapporter klara"
    if n_failed:
        summary += f", {n_failed} misslyckades"
    if n_not_run:
        summary += f", {n_not_run} ej körda"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="sv"><head><meta charset="utf-8">',
        f"<title>Kommunprofiler – {esc(area)} ({esc(spec.run)})</title>",
        f"<style>{_INDEX_CSS}</style></head><body>",
        f"<h1>Kommunprofiler – {esc(area)}</h1>",
        f'<p class="meta">Körning <b>{esc(spec.run)}</b> ({esc(spec.name)}), mall '
        f"<code>{esc(params.display_path(spec.template))}</code>, {esc(param_text)}. "
        f"Uppdaterad {esc(datetime.now().strftime('%Y-%m-%d %H:%M'))}.</p>",
    ]
    if data_source == "demo":
        parts.append(f'<p class="demo">{esc(fmt.SYNTHETIC_LABEL)}.</p>')
    parts.append(f"<p><b>{esc(summary)}.</b></p>")
    groups: dict[str, list[ReportResult]] = {}
    for r in statuses:
        groups.setdefault(r.lan_code, []).append(r)
    for lan_code, rows in sorted(groups.items()):
        if len(groups) > 1:
            parts.append(
                f"<h2>{esc(str(lan_names.get(lan_code, lan_code)))} ({esc(lan_code)})</h2>"
            )
        parts.append(
            "<table><thead><tr><th>Kod</th><th>Kommun</th><th>Status</th><th>Tid</th>"
            "<th>Notebook</th><th>Fel</th></tr></thead><tbody>"
        )
        for r in sorted(rows, key=lambda r: r.kommun):
            name = esc(r.name)
            link = f'<a href="{esc(r.html)}">{name}</a>' if r.html else name
            nb_link = f'<a href="{esc(r.notebook)}">{esc(r.notebook)}</a>' if r.notebook else ""
            seconds = fmt.num(r.seconds, 1, "s") if r.status != STATUS_NOT_RUN else ""
            parts.append(
                f"<tr><td>{esc(r.kommun)}</td><td>{link}</td>"
                f'<td class="{esc(r.status)}">{esc(STATUS_LABELS.get(r.status, r.status))}</td>'
                f'<td class="num">{esc(seconds)}</td><td>{nb_link}</td>'
                f'<td class="err">{esc(r.error)}</td></tr>'
            )
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    path = out_dir / INDEX_FILE
    _write_text(path, "\n".join(parts) + "\n")
    return path


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
        if isinstance(item, str) and item.isdigit() and len(item) < 4:
            item = int(item)  # "180" on the command line means "0180"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", params.ParamsWarning)
                code = params.normalize_code(item, 4, "kommunkod")
        except DataError as exc:
            problems.append(Problem(f"--only: {exc}"))
            continue
        if code not in spec.kommuner:
            reason = params._kommun_problem(code) or (
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
    p = params.template_parameters(spec.template).get("data_source")
    return str(p.default) if p is not None and p.default is not None else None


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
    result = RunResult(spec, out_dir, jobs, workers=n_workers, fresh_kernel=fresh_kernel)
    if dry_run:
        result.dry_run = True
        result.seconds = time.perf_counter() - started
        return result

    data_source = _data_source(spec)
    out_dir.mkdir(parents=True, exist_ok=True)
    config = _Config(
        template=str(spec.template),
        out_dir=str(out_dir),
        fresh_kernel=fresh_kernel,
        timeout=timeout,
        kernel_name=_kernel_name(spec.template),
    )
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
        if data_source == "demo":
            from helpers.sources.demo import base as demo

            demo.build_all()
    except BaseException:
        for worker in pool:
            worker.close(timeout=5)
        if local is not None:
            local.close()
        raise
    results = _execute(jobs, config, n_workers, progress, pool, local)
    result.results = sorted(results, key=lambda r: r.kommun)
    statuses = _merged_status(spec, out_dir, result.results)
    write_status(spec, out_dir, statuses)
    result.index = write_index(spec, out_dir, statuses, data_source)
    result.seconds = time.perf_counter() - started
    return result


def _failed(job: Job, config: _Config, error: str) -> ReportResult:
    """Record a job whose worker died; save an error notebook for it."""
    path = Path(config.out_dir) / f"{job.stem}.ipynb"
    if not path.exists():
        try:
            write_error_notebook(Path(config.template), job, path, error)
        except Exception as exc:  # never lose the result because of the error notebook
            error += f" (felnotebooken kunde inte sparas: {_short_error(exc)})"
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
    config: _Config,
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
    from tqdm.auto import tqdm

    bar = tqdm(total=len(jobs), desc="Kommunrapporter", unit="kommun", disable=not progress)
    results: list[ReportResult] = []

    def collect(r: ReportResult) -> None:
        results.append(r)
        if not r.ok:
            bar.write(f"Misslyckades: {r.kommun} {r.name} – {r.error}", file=sys.stderr)
        bar.set_postfix_str(f"{sum(not x.ok for x in results)} fel", refresh=False)
        bar.update()

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
                        done.put(_failed(job, config, _short_error(exc)))
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
        bar.close()


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
            warnings.simplefilter("always", params.ParamsWarning)
            shown = warnings.showwarning

            def show(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001
                if issubclass(category, params.ParamsWarning):
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
            )
    except DataError as exc:
        print(f"Fel i körningen – inget har körts.\n{exc}", file=sys.stderr)
        return 2
    spec = result.spec
    mode = "ny kärna per kommun" if result.fresh_kernel else "varma kärnor"
    if result.dry_run:
        print(
            f"Torrkörning av {spec.name}: {len(result.jobs)} rapporter med mallen "
            f"{params.display_path(spec.template)}, {result.workers} process(er), {mode}."
        )
        print(f"Parametrar: {spec.parameters or 'mallens standardvärden'}")
        for job in result.jobs:
            print(f"  {job.kommun} {job.name:<20} -> {_shown(result.out_dir / job.stem)}.html")
        print("Inget kördes (--dry-run).")
        return 0
    n_ok, n_failed = len(result.succeeded), len(result.failed)
    print(
        f"{n_ok} av {len(result.results)} rapporter klara, {n_failed} misslyckades "
        f"på {fmt.num(result.seconds, 1, 's')} ({result.workers} process(er), {mode})."
    )
    for r in result.failed:
        print(f"  Misslyckades: {r.kommun} {r.name} – {r.error}")
    assert result.index is not None
    print(f"Rapporterna finns i {_shown(result.out_dir)}/ – öppna {_shown(result.index)}")
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
