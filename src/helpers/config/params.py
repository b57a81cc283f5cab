"""Load and validate run files (``params/*.yaml``) and papermill parameters.

A *run file* says which report template to run for which kommuner, and with
which parameters. It is validated completely *before* anything runs, and all
problems are reported at once as a :class:`helpers.core.errors.DataError` with
Swedish messages naming the file, the line and the key. Papermill itself only
*warns* about an unknown parameter and happily injects a string where the
template expects a number; this module makes both errors.

Schema of a run file
--------------------
``run`` : str, required
    Name of the run; the reports go to ``reports/<run>/``. Letters a–z, digits,
    ``-`` and ``_``.
``template`` : str, optional
    Path of the papermill template, relative to the project root (an absolute
    path is also accepted). Default ``notebooks/templates/kommunprofil.ipynb``.
    The template must have a code cell tagged ``parameters`` that defines
    ``kommun`` (the runner sets it for each kommun).
``lan`` : str, required
    Two-digit län code (``"20"`` for Dalarna) or ``"alla"`` for all 21 län.
``kommuner`` : list of str, optional
    Four-digit kommun codes to run; default all kommuner of ``lan``. Each must
    exist and belong to ``lan`` (unless ``lan`` is ``"alla"``).
``parameters`` : mapping, optional
    Template parameters applied to every kommun (e.g. ``data_source``,
    ``year``). Every key must be a parameter of the template's ``parameters``
    cell, every value must have the type of the template's default (``int``
    for ``year = 2024``, ``str`` for ``data_source = "demo"``; an ``int`` is
    accepted where the default is a ``float``), and ``data_source`` must be
    one of :data:`helpers.config.sources.RUN_SOURCES`. ``kommun`` may not be
    given here, nor ``min_n`` (see ``disclosure``). ``survey`` (a mapping)
    names the survey input of the survey section and is checked by
    :func:`helpers.config.survey_input.problems` (e.g.
    ``survey: {kind: hlv_aggregated, reference: ..., map: ...}``). The theme
    parameters ``palette``, ``logo`` and ``benchmark`` are checked by
    :func:`helpers.config.theme.problems`.
``workers`` : int >= 1, optional
    Number of parallel worker processes (default ``min(2, cpu)``).
``disclosure`` : mapping, optional
    Disclosure control for survey sections: ``{min_n: int >= 1}``.
``ipynb`` : bool, optional
    Keep each executed notebook beside its HTML (default ``true``; ``false``
    for national runs: only a failed kommun's notebook is kept).
``scheduler`` : str, optional
    Address of a Dask distributed scheduler (``tcp://host:port``) that runs
    the reports instead of the local worker processes.

Any other top-level key is an error (a typo such as ``paramters`` would
otherwise be silently ignored).

One disclosure threshold, one place
-----------------------------------
The threshold is set only as ``disclosure: {min_n: 10}``; the runner passes
it to the template's ``min_n`` parameter. ``parameters.min_n`` is refused with
a hint to move it (earlier it silently won over ``disclosure.min_n``), and so
is a ``disclosure`` section for a template without a ``min_n`` parameter (the
threshold would never reach the reports). ``min_n`` must be a whole number of
at least 1 (not a bool, text or a float with decimals; the rule is
:func:`helpers.config.notebook_params.min_n_value`); below 5 it is accepted
with a warning in the log. Without ``disclosure`` the template's default
applies.

Codes written without quotes
----------------------------
The strict YAML reader (:mod:`helpers.config.yamlfile`) keeps ``0114`` and
``03`` written without quotes as the text ``"0114"``/``"03"`` (YAML 1.1 would
read octal 76 and 3). A code YAML reads as an integer is accepted only when it
has all its digits (``lan: 20``, ``- 2080``; with a :class:`ParamsWarning`); a
shorter one (``kommun: 114``, ``lan: 3``) is refused with the hint to write it
in quotes (``"0114"``) – it is never zero-padded by guess.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from helpers.config import survey_input, theme
from helpers.config.notebook_params import (
    ALL_LAN,
    KOMMUN_PARAMETER,
    MIN_N_PARAMETER,
    TemplateParameter,
    _parameter_problems,
    kommun_problem,
    min_n_problem,
    min_n_value,
    normalize_code,
    resolve_template,
    template_parameters,
    warn_small_min_n,
)
from helpers.config.yamlfile import MAX_BYTES, display_path, read_yaml
from helpers.core import lookup, paths
from helpers.core.errors import DataError, Problem

DEFAULT_TEMPLATE = "notebooks/templates/kommunprofil.ipynb"
TOP_LEVEL_KEYS: tuple[str, ...] = (
    "run",
    "template",
    "lan",
    "kommuner",
    "parameters",
    "workers",
    "disclosure",
    "ipynb",
    "scheduler",
)
DISCLOSURE_KEYS: tuple[str, ...] = ("min_n",)
#: Template parameter naming the survey input (:mod:`helpers.config.survey_input`).
SURVEY_PARAMETER = "survey"
_SCHEDULER = re.compile(r"(tcp|tls|inproc|ws|wss)://[^\s/]+(:\d+)?/?")
_RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
#: Kept for callers of the old private name.
_kommun_problem = kommun_problem


# -- run files --------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One report to make: a kommun and the full parameter set for the template."""

    kommun: str
    name: str
    lan_code: str
    parameters: dict[str, object]

    @property
    def stem(self) -> str:
        """Deterministic file stem: ``"2080_falun"``."""
        return f"{self.kommun}_{lookup.slug(self.name)}"


@dataclass(frozen=True)
class RunSpec:
    """A validated run file.

    Attributes
    ----------
    path : Path
        The YAML file.
    run : str
        Run name (output folder ``reports/<run>/``).
    template : Path
        Absolute path of the template.
    lan : str
        Two-digit län code or ``"alla"``.
    kommuner : tuple of str
        The kommun codes to run, sorted.
    parameters : dict
        Template parameters applied to every kommun.
    workers : int or None
        Number of worker processes from the file.
    disclosure : dict or None
        Disclosure settings (``{"min_n": int}``).
    ipynb : bool
        Keep the executed notebooks (``ipynb: false`` keeps only failed ones).
    scheduler : str or None
        Dask distributed scheduler address (``tcp://host:port``), or None for local workers.
    """

    path: Path
    run: str
    template: Path
    lan: str
    kommuner: tuple[str, ...]
    parameters: dict[str, object] = field(default_factory=dict)
    workers: int | None = None
    disclosure: dict[str, int] | None = None
    ipynb: bool = True
    scheduler: str | None = None

    def jobs(self, only: list[str] | None = None) -> list[Job]:
        """Return one :class:`Job` per kommun (optionally only the given codes)."""
        k = lookup.kommuner().set_index("kommun_code")
        codes = [c for c in self.kommuner if only is None or c in only]
        # The disclosure threshold (only ever set under ``disclosure``) reaches the
        # template's ``min_n`` parameter; load_run refuses it for a template without one.
        extra: dict[str, object] = {}
        if self.disclosure and MIN_N_PARAMETER in template_parameters(self.template):
            extra[MIN_N_PARAMETER] = self.disclosure["min_n"]
        return [
            Job(
                kommun=c,
                name=str(k.loc[c, "kommun_name"]),
                lan_code=str(k.loc[c, "lan_code"]),
                parameters={KOMMUN_PARAMETER: c, **extra, **self.parameters},
            )
            for c in codes
        ]

    def output_dir(self) -> Path:
        """Return ``reports/<run>/``."""
        return paths.reports_dir() / self.run

    @property
    def name(self) -> str:
        """The file as shown in messages (relative to the project root)."""
        return display_path(self.path)


def load_run(path: str | Path, template: str | Path | None = None) -> RunSpec:
    """Load and validate a run file (see the module docstring for the schema).

    Parameters
    ----------
    path : str or Path
        The YAML file. A relative path that does not exist from the working
        directory is looked up relative to the project root.
    template : str or Path, optional
        Use this template instead of the file's ``template`` (tests, previews).

    Returns
    -------
    RunSpec
        The validated run.

    Raises
    ------
    DataError
        Listing every problem in the file, each naming the file, line and key.
    """
    path = Path(path)
    if not path.is_absolute() and not path.exists():
        candidate = paths.project_root() / path
        if candidate.exists():
            path = candidate
    shown = display_path(path)
    doc = read_yaml(path)
    lines: dict[str, int] = getattr(doc, "lines", {})
    problems: list[Problem] = []

    def bad(key: str, message: str, row: int | None = None) -> None:
        problems.append(Problem(f"{key}: {message}", file=shown, row=row or lines.get(key)))

    def problems_about(key: str) -> bool:
        return any(p.message.startswith(f"{key}:") for p in problems)

    for key in doc:
        if key not in TOP_LEVEL_KEYS:
            bad(str(key), f"okänd nyckel (tillåtna: {', '.join(TOP_LEVEL_KEYS)})")

    # run
    run = doc.get("run")
    if run is None:
        problems.append(Problem("nyckeln 'run' saknas (namnet på körningen)", file=shown))
    elif not isinstance(run, str) or not _RUN_NAME.fullmatch(run):
        suggestion = lookup.slug(str(run)) or "min-korning"
        bad("run", f"{run!r} ska vara ett namn av a–z, siffror, '-' och '_' (t.ex. '{suggestion}')")

    # template
    template_value = template if template is not None else doc.get("template", DEFAULT_TEMPLATE)
    spec: dict[str, TemplateParameter] | None = None
    template_path: Path | None = None
    if not isinstance(template_value, str | os.PathLike):
        bad("template", f"ska vara en sökväg till en notebook, inte {template_value!r}")
    else:
        template_path = resolve_template(template_value)
        if template_path.suffix != ".ipynb":
            bad("template", f"'{template_value}' är ingen notebook (.ipynb)")
        elif not template_path.is_file():
            bad("template", f"mallen '{template_value}' finns inte ({template_path})")
        else:
            try:
                spec = template_parameters(template_path)
            except DataError as exc:
                bad("template", "; ".join(p.message for p in exc.problems))
            except Exception as exc:  # unreadable notebook
                bad("template", f"mallen '{template_value}' kan inte läsas: {exc}")
            else:
                if KOMMUN_PARAMETER not in spec:
                    bad(
                        "template",
                        f"mallen '{template_value}' saknar parametern '{KOMMUN_PARAMETER}' "
                        "i sin parameters-cell",
                    )

    # lan
    lan_code: str | None = None
    if "lan" not in doc:
        problems.append(
            Problem(
                'nyckeln \'lan\' saknas (tvåsiffrig länskod, t.ex. "20", eller "alla")', file=shown
            )
        )
    else:
        raw_lan = doc["lan"]
        if raw_lan == ALL_LAN:
            lan_code = ALL_LAN
        else:
            try:
                lan_code = normalize_code(raw_lan, 2, "länskod", where=f"{shown}: lan: ")
            except DataError as exc:
                bad("lan", f'{exc} (eller "alla" för alla län)')
            else:
                if lan_code not in set(lookup.lan()["lan_code"]):
                    bad("lan", f"okänd länskod '{lan_code}' (t.ex. \"20\" för Dalarna)")
                    lan_code = None

    # kommuner
    kommuner: list[str] = []
    if "kommuner" in doc:
        raw = doc["kommuner"]
        k_lines = getattr(raw, "lines", None) or []
        if isinstance(raw, str) and re.search(r"[,;\s]", raw.strip()):
            bad("kommuner", f'ska vara en lista, t.ex. ["2080", "2085"], inte texten {raw!r}')
            raw = []
        elif isinstance(raw, str | int) and not isinstance(raw, bool):
            raw = [raw]
        if not isinstance(raw, list):
            bad("kommuner", 'ska vara en lista av kommunkoder, t.ex. ["2080", "2085"]')
        elif not raw and not problems_about("kommuner"):
            bad("kommuner", "listan är tom – ta bort nyckeln för att köra alla kommuner i länet")
        else:
            for i, item in enumerate(raw):
                row = k_lines[i] if i < len(k_lines) else lines.get("kommuner")
                try:
                    code = normalize_code(item, 4, "kommunkod", where=f"{shown}: kommuner: ")
                except DataError as exc:
                    bad("kommuner", str(exc), row)
                    continue
                reason = kommun_problem(code, lan_code)
                if reason:
                    bad("kommuner", reason, row)
                elif code in kommuner:
                    bad("kommuner", f"kommunkod '{code}' förekommer två gånger", row)
                else:
                    kommuner.append(code)
    elif lan_code == ALL_LAN:
        kommuner = lookup.kommuner()["kommun_code"].tolist()
    elif lan_code is not None:
        kommuner = lookup.kommuner_in(lan_code)["kommun_code"].tolist()

    # parameters
    parameters: dict[str, object] = {}
    raw_params = doc.get("parameters", {})
    if raw_params is None:
        raw_params = {}
    if not isinstance(raw_params, dict):
        bad("parameters", "ska vara nycklar och värden, t.ex. 'data_source: demo'")
    else:
        p_lines = getattr(raw_params, "lines", {})
        if KOMMUN_PARAMETER in raw_params:
            bad(
                f"parameters.{KOMMUN_PARAMETER}",
                "sätts av körningen för varje kommun – ange kommunerna under 'kommuner' i stället",
                p_lines.get(KOMMUN_PARAMETER),
            )
        if MIN_N_PARAMETER in raw_params:
            bad(
                f"parameters.{MIN_N_PARAMETER}", _min_n_moved(raw_params, doc), p_lines.get("min_n")
            )
    if isinstance(raw_params, dict) and spec is not None:
        given = {
            k: v for k, v in raw_params.items() if k not in (KOMMUN_PARAMETER, MIN_N_PARAMETER)
        }
        parameters, p_problems = _parameter_problems(
            spec,
            given,
            template_name=f"'{display_path(template_path)}'",
            file=shown,
            lines=getattr(raw_params, "lines", {}),
            prefix="parameters.",
        )
        problems.extend(p_problems)
        if SURVEY_PARAMETER in parameters:
            problems.extend(
                Problem(message, file=shown, row=getattr(raw_params, "lines", {}).get("survey"))
                for message in (
                    f"parameters.{m}" for m in survey_input.problems(parameters[SURVEY_PARAMETER])
                )
            )
        p_lines = getattr(raw_params, "lines", {})
        for key, message in theme.problems(parameters):
            bad(f"parameters.{key}", message, p_lines.get(key))

    # workers
    workers = doc.get("workers")
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        bad("workers", f"ska vara ett heltal ≥ 1, inte {workers!r}")
        workers = None

    ipynb = doc.get("ipynb", True)
    if not isinstance(ipynb, bool):
        bad("ipynb", f"ska vara true eller false, inte {ipynb!r}")
        ipynb = True
    scheduler = doc.get("scheduler")
    if scheduler is not None and (
        not isinstance(scheduler, str) or not _SCHEDULER.fullmatch(scheduler)
    ):
        bad("scheduler", f"ska vara en adress som 'tcp://värd:port', inte {scheduler!r}")
        scheduler = None

    # disclosure
    disclosure = doc.get("disclosure")
    if disclosure is not None:
        d_lines = getattr(disclosure, "lines", {})
        if not isinstance(disclosure, dict):
            bad("disclosure", "ska vara en mappning, t.ex. 'disclosure: {min_n: 5}'")
            disclosure = None
        else:
            for key in disclosure:
                if key not in DISCLOSURE_KEYS:
                    bad(
                        f"disclosure.{key}",
                        f"okänd nyckel (tillåtna: {', '.join(DISCLOSURE_KEYS)})",
                        d_lines.get(key),
                    )
            min_n = disclosure.get("min_n")
            reason = min_n_problem(min_n)
            if "min_n" not in disclosure:
                bad("disclosure.min_n", "saknas (minsta antal svarande som får visas)")
            elif reason:
                bad("disclosure.min_n", reason, d_lines.get("min_n"))
            elif spec is not None and MIN_N_PARAMETER not in spec:
                bad(
                    "disclosure",
                    f"mallen '{display_path(template_path)}' har ingen parameter "  # type: ignore[arg-type]
                    f"'{MIN_N_PARAMETER}', så tröskeln skulle aldrig nå rapporterna – ta bort "
                    f"disclosure eller lägg till '{MIN_N_PARAMETER} = 5' i mallens parameters-cell",
                )
            else:
                min_n = min_n_value(min_n)
                warn_small_min_n(min_n, f"{shown}: disclosure.")  # type: ignore[arg-type]
            disclosure = {"min_n": min_n}

    if problems:
        raise DataError(problems)
    assert template_path is not None and lan_code is not None and isinstance(run, str)
    return RunSpec(
        path=path,
        run=run,
        template=template_path,
        lan=lan_code,
        kommuner=tuple(sorted(kommuner)),
        parameters=parameters,
        workers=workers,
        disclosure=disclosure,
        ipynb=ipynb,
        scheduler=scheduler,
    )


def _min_n_moved(raw_params: dict, doc: dict) -> str:
    """Message for ``parameters.min_n``: the threshold belongs under ``disclosure``."""
    value = raw_params[MIN_N_PARAMETER]
    section = doc.get("disclosure")
    other = section.get("min_n") if isinstance(section, dict) else None
    text = (
        "röjandekontrollens tröskel anges på ett enda ställe i en körfil, "
        f"'disclosure: {{min_n: {value!r}}}' – flytta värdet dit"
    )
    if other is not None and other != value:
        text += (
            f" (filen anger nu två olika trösklar: parameters.min_n = {value!r} och "
            f"disclosure.min_n = {other!r}; välj den som dataleverantörens villkor kräver)"
        )
    elif other is not None:
        text = (
            "anges redan under disclosure – ta bort parameters.min_n (tröskeln anges på ett ställe)"
        )
    return text


def is_run_file(path: str | Path) -> bool:
    """Return True if ``path`` is a run file: a YAML mapping with a top-level ``run`` key.

    ``params/`` also holds other YAML files (goal lists, survey variable maps)
    that other modules read and validate; they have no ``run`` key. A file the
    strict reader refuses (bad YAML, encoding, size) counts as a run file when
    a line starts with ``run:``, so that :func:`load_all` reports its problem.
    """
    try:
        doc = read_yaml(path)
    except DataError:
        return Path(path).suffix in (".yaml", ".yml") and "\nrun:" in "\n" + _safe_text(path)
    return "run" in doc


def _safe_text(path: str | Path) -> str:
    try:
        with Path(path).open("rb") as fh:
            # NUL bytes dropped: a UTF-16 run file still shows its "run:" line
            return fh.read(MAX_BYTES).decode("utf-8", errors="replace").replace("\x00", "")
    except OSError:
        return ""


def run_files(directory: str | Path | None = None) -> list[Path]:
    """Return the run files (see :func:`is_run_file`) in ``params/`` or ``directory``, sorted."""
    base = Path(directory) if directory is not None else paths.params_dir()
    return sorted(p for p in [*base.glob("*.yaml"), *base.glob("*.yml")] if is_run_file(p))


def load_all(directory: str | Path | None = None) -> list[RunSpec]:
    """Load and validate every run file; raise one :class:`DataError` listing all problems."""
    specs: list[RunSpec] = []
    problems: list[Problem] = []
    for path in run_files(directory):
        try:
            spec = load_run(path)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        same = [s for s in specs if s.run == spec.run]
        if same:
            problems.append(
                Problem(
                    f"run: körningen '{spec.run}' finns också i {same[0].name} – båda skulle "
                    f"skriva till reports/{spec.run}/; ge körningarna olika namn",
                    file=spec.name,
                    row=getattr(read_yaml(path), "lines", {}).get("run"),
                )
            )
        specs.append(spec)
    if problems:
        raise DataError(problems)
    return specs


__all__ = [
    "DEFAULT_TEMPLATE",
    "Job",
    "RunSpec",
    "is_run_file",
    "load_all",
    "load_run",
    "run_files",
]
