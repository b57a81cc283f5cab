"""Execute one report: papermill on a warm (or fresh) kernel, then HTML with nbconvert.

:class:`ReportExecutor` runs jobs one at a time and never raises for a
notebook error: a failing kommun becomes a :class:`~helpers.run.index.ReportResult`
with status ``failed``, and when papermill saved no notebook
:func:`write_error_notebook` saves one that explains the error.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from helpers.config.params import Job
from helpers.run.html_css import prune_css
from helpers.run.index import STATUS_FAILED, STATUS_OK, ReportResult, write_text
from helpers.run.kernels import (
    ANSI,
    WARM_ENGINE,
    WarmKernel,
    _forget_last_notebook,
    _last_notebook,
    _register_engines,
    template_imports,
)

ERROR_MARKER_TAG = "papermill-error-cell-tag"  # papermill removes these cells on a re-run


class WorkerDied(RuntimeError):
    """A worker process ended while (or before) running a job."""


@dataclass(frozen=True)
class Config:
    """What a worker needs to know (picklable)."""

    template: str
    out_dir: str
    fresh_kernel: bool
    timeout: float | None
    kernel_name: str
    #: Keep the executed notebook beside the HTML (``--no-ipynb``: only a failed one is kept).
    ipynb: bool = True


def template_kernel_name(template: Path) -> str:
    """Return the kernel spec name in a template's metadata (default ``"python3"``)."""
    import nbformat

    nb = nbformat.read(template, as_version=4)
    return str(nb.metadata.get("kernelspec", {}).get("name") or "python3")


def short_error(exc: BaseException) -> str:
    """Return a one-line description of an execution failure."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, WorkerDied):
        return str(exc)
    if isinstance(exc, PapermillExecutionError):
        text = f"{exc.ename}: {exc.evalue}" if exc.evalue else exc.ename
        return f"{ANSI.sub('', text)} (i cell [{exc.exec_count}])"
    if isinstance(exc, CellTimeoutError):
        return f"Tidsgränsen överskreds: en cell körde för länge ({ANSI.sub('', str(exc))[:200]})"
    if isinstance(exc, DeadKernelError):
        return "Kärnan dog under körningen (minnesbrist eller krasch i en cell?)"
    return f"{type(exc).__name__}: {ANSI.sub('', str(exc))}".strip()


class ReportExecutor:
    """Execute jobs one at a time: with a warm kernel, or a fresh one per job.

    Parameters
    ----------
    config : Config
        Template, output folder, isolation mode and cell timeout.
    """

    def __init__(self, config: Config, kernel_log: Path | None = None, eager: bool = False):
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
        import nbformat
        import papermill

        start = time.perf_counter()
        nb_path = self.out_dir / f"{job.stem}.ipynb"
        html_path = self.out_dir / f"{job.stem}.html"
        data_path = self.out_dir / f"{job.stem}.csv"
        xlsx_path = data_path.with_suffix(".xlsx")
        for stale in (nb_path, html_path, data_path, xlsx_path):
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
        usage = _Usage(self.kernel)
        out_path = str(nb_path) if self.config.ipynb else None  # None: papermill writes nothing
        executed = None
        try:
            if self.kernel is None:
                executed = papermill.execute_notebook(
                    str(self.template),
                    out_path,
                    engine_name=f"{WARM_ENGINE}-recording",
                    resources={"metadata": {"path": str(self.template.parent)}},
                    **common,
                )
            else:
                self.kernel.prepare()
                usage = _Usage(self.kernel)
                executed = papermill.execute_notebook(
                    str(self.template),
                    out_path,
                    engine_name=WARM_ENGINE,
                    km=self.kernel.km,
                    kc=self.kernel.kc,
                    **common,
                )
        except Exception as exc:
            error = short_error(exc)
            engine_failed = True
            executed = None
        measured = usage.done()  # before a failed kernel is shut down (its peak memory)
        if engine_failed and self.kernel is not None:
            self.kernel.shutdown(now=True)  # a new kernel for the next kommun
        if error and not nb_path.exists():
            try:
                write_error_notebook(self.template, job, nb_path, error, _last_notebook())
            except Exception as exc:
                error += f" (felnotebooken kunde inte sparas: {short_error(exc)})"
        try:
            if executed is None or error:
                executed = nbformat.read(nb_path, as_version=4)
            self._write_html(executed, html_path, job)
        except Exception as exc:
            error = error or f"HTML kunde inte skapas: {short_error(exc)}"
        if not error:
            try:
                write_facts(executed, data_path, job.parameters.get("min_n"))
            except Exception as exc:
                error = f"datafilen kunde inte skapas: {short_error(exc)}"
        # The worker's share includes writing the HTML and the data files.
        measured["cpu_worker_s"] = usage.worker_seconds()
        seconds = time.perf_counter() - start
        _log_usage(self.out_dir, job, seconds, measured, (nb_path, html_path, data_path))
        return ReportResult(
            kommun=job.kommun,
            name=job.name,
            lan_code=job.lan_code,
            status=STATUS_FAILED if error else STATUS_OK,
            error=error,
            notebook=nb_path.name if nb_path.exists() else "",
            html=html_path.name if html_path.exists() else "",
            seconds=seconds,
            data=data_path.name if data_path.exists() else "",
            data_xlsx=xlsx_path.name if xlsx_path.exists() else "",
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
                error=short_error(exc),
                finished=datetime.now().isoformat(timespec="seconds"),
            )

    def _write_html(self, nb: Any, html_path: Path, job: Job) -> None:
        if self._exporter is None:
            from nbconvert import HTMLExporter

            self._exporter = HTMLExporter(
                exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
            )
        body, _ = self._exporter.from_notebook_node(
            nb, resources={"metadata": {"name": f"{job.name} ({job.kommun})"}}
        )
        write_text(html_path, prune_css(drop_icon_css(body)))


_ICON_CSS = re.compile(
    r"\n[ \t]*--jp-icon-[\w-]+: url\(data:image/svg\+xml;base64,[A-Za-z0-9+/=]+\);"
)


def drop_icon_css(html: str) -> str:
    """Remove JupyterLab's toolbar icons (CSS variables with inline SVG) from an HTML report.

    nbconvert's lab template embeds about 90 kB of icons for JupyterLab's own
    buttons; a static report with the code hidden shows none of them.
    """
    return _ICON_CSS.sub("", html)


#: File in ``<out>/.logs/`` with one JSON line per report: wall and CPU seconds, peak memory.
USAGE_LOG = "usage.jsonl"


class _Usage:
    """CPU seconds of this process and of the kernel process while one report runs."""

    def __init__(self, kernel: WarmKernel | None):
        import resource

        self._resource = resource
        self._kernel = _kernel_process(kernel)
        self._self0 = time.process_time()
        self._children0 = self._children_cpu()
        self._kernel0 = self._kernel_cpu()

    def _children_cpu(self) -> float:
        ru = self._resource.getrusage(self._resource.RUSAGE_CHILDREN)
        return ru.ru_utime + ru.ru_stime

    def _kernel_cpu(self) -> float | None:
        if self._kernel is None:
            return None
        try:
            t = self._kernel.cpu_times()
            return t.user + t.system
        except Exception:
            return None

    def worker_seconds(self) -> float:
        """Return the CPU seconds this process used since the start."""
        return time.process_time() - self._self0

    def done(self) -> dict[str, float | None]:
        """Return the CPU seconds used since the start, and peak memory in MB."""
        kernel_cpu = self._kernel_cpu()
        if self._kernel0 is not None and kernel_cpu is not None:
            kernel = kernel_cpu - self._kernel0
        else:  # a fresh kernel per report: it has ended and been waited for
            kernel = self._children_cpu() - self._children0
        peak = None
        try:
            if self._kernel is not None:  # VmHWM: the kernel's peak resident memory
                for line in Path(f"/proc/{self._kernel.pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = int(line.split()[1]) / 1024
        except OSError:
            pass
        own = self._resource.getrusage(self._resource.RUSAGE_SELF).ru_maxrss / 1024
        return {
            "cpu_worker_s": self.worker_seconds(),
            "cpu_kernel_s": kernel,
            "peak_kernel_mb": peak,
            "peak_worker_mb": own,
        }


def _kernel_process(kernel: WarmKernel | None) -> Any:
    try:
        import psutil

        provisioner = kernel.km.provisioner if kernel is not None and kernel.km else None
        pid = getattr(getattr(provisioner, "process", None), "pid", None)
        return psutil.Process(pid) if pid else None
    except Exception:
        return None


def _log_usage(
    out_dir: Path, job: Job, seconds: float, usage: dict, files: tuple[Path, ...]
) -> None:
    """Append one line to ``<out>/.logs/usage.jsonl`` (best effort: never fails a report)."""
    row = {"kommun": job.kommun, "wall_s": seconds, **usage}
    row["bytes"] = {p.suffix[1:]: p.stat().st_size for p in files if p.exists()}
    try:
        log = out_dir / ".logs" / USAGE_LOG
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as fh:  # one short line: appends do not interleave
            fh.write(json.dumps(row) + "\n")
    except OSError:
        pass


def write_facts(nb: Any, data_path: Path, min_n: Any = None) -> bool:
    """Write the facts a report handed over (:data:`helpers.report.facts.MIMETYPE`).

    The template displays its facts under a mime type that HTML does not show;
    this reads them from the executed notebook (a notebook node) and writes them as CSV in the
    Swedish Excel dialect (:func:`helpers.report.facts.to_csv`) and, beside it, the same
    rows as an Excel workbook (``.xlsx``, :func:`helpers.report.facts.to_xlsx`). A template that
    hands over no facts gets no data file. ``min_n`` is the run's disclosure
    threshold (the job's ``min_n`` parameter; ``None``: the template's default,
    :data:`helpers.stats.disclosure.DEFAULT_MIN_N`), so the data file hides exactly
    what the report hides.

    Returns
    -------
    bool
        True if a data file was written.
    """
    from helpers.report import facts

    records = [
        output["data"][facts.MIMETYPE]
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if facts.MIMETYPE in output.get("data", {})
    ]
    if not records:
        return False
    rows = facts.from_records(records[-1])
    facts.to_csv(rows, data_path, min_n=min_n)
    facts.to_xlsx(rows, Path(data_path).with_suffix(".xlsx"), min_n=min_n)
    return True


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
    write_text(path, nbformat.writes(nb))
