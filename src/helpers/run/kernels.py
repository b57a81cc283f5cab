"""Warm IPython kernels for the runner, and the papermill engines that use them.

A :class:`WarmKernel` is started once and executes many notebooks; between two
notebooks it is reset (namespace, figures, rcParams, pandas options, working
directory, environment, ``sys.path``, warnings registries – see
:mod:`helpers.run.runner` for what is and is not reset). The papermill engine
``folkhalsa-warm`` (:data:`WARM_ENGINE`) executes a notebook on such a kernel
and leaves it running; ``folkhalsa-warm-recording`` is papermill's own engine
that remembers the notebook being executed (for the error notebook).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Name under which the warm-kernel engine is registered with papermill.
WARM_ENGINE = "folkhalsa-warm"

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


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

#: Every how many reports a warm kernel collects its frozen objects too (see the setup code).
FULL_COLLECT_EVERY = 16

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

    def reset_and_freeze():
        # The county work kept in memos is hundreds of thousands of live objects: every
        # full garbage collection (IPython's reset runs one, pandas triggers more) walks
        # them all. Freezing what survives a reset moves it out of the collector's sight
        # (gc.freeze), so the next reset and the next report's collections are cheap.
        # Every FULL_COLLECT_EVERY-th reset (kernels.py) unfreezes first, so that cyclic garbage among
        # frozen objects (an evicted memo entry) is still freed.
        import gc

        state.resets += 1
        if state.resets % __FOLKHALSA_FULL_COLLECT__ == 0:
            gc.unfreeze()
        reset()
        # IPython's reset collects *before* it clears the namespace: collect the report's
        # objects now (only the unfrozen ones are walked), then freeze what is left.
        gc.collect()
        gc.freeze()

    state.resets = 0
    state.reset = reset_and_freeze
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
            code = _KERNEL_SETUP.replace("__FOLKHALSA_PRELOAD__", repr(self.preload)).replace(
                "__FOLKHALSA_FULL_COLLECT__", str(FULL_COLLECT_EVERY)
            )
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
            raise RuntimeError(f"kärnan kunde inte återställas: {ANSI.sub('', detail)}")

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
