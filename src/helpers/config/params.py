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
    one of :data:`helpers.config.sources.RUN_SOURCES`. ``kommun`` may not be given here.
``workers`` : int >= 1, optional
    Number of parallel worker processes (default ``min(2, cpu)``).
``disclosure`` : mapping, optional
    Disclosure control for survey sections: ``{min_n: int >= 1}``.

Any other top-level key is an error (a typo such as ``paramters`` would
otherwise be silently ignored).

Codes written without quotes
----------------------------
YAML reads ``lan: 20`` and ``- 2080`` as integers. Analysts write them that
way, so integers are accepted for kommun and län codes and zero-padded to four
and two digits (``180`` -> ``"0180"``), with a :class:`ParamsWarning`. The
YAML loader used here does not read numbers with a leading zero as octal
(YAML 1.1 reads ``0114`` as 76); ``0114`` stays the string ``"0114"``.
Duplicate keys in a mapping are an error.
"""

from __future__ import annotations

import ast
import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from helpers.config import sources as data_sources
from helpers.config.yamlfile import StrictLoader, display_path, read_yaml
from helpers.core import lookup, paths
from helpers.core.errors import DataError, Problem
from helpers.core.fast_imports import skip_iri_format_checker

DEFAULT_TEMPLATE = "notebooks/templates/kommunprofil.ipynb"
ALL_LAN = "alla"
KOMMUN_PARAMETER = "kommun"
TOP_LEVEL_KEYS: tuple[str, ...] = (
    "run",
    "template",
    "lan",
    "kommuner",
    "parameters",
    "workers",
    "disclosure",
)
DISCLOSURE_KEYS: tuple[str, ...] = ("min_n",)
_RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_TYPE_NAMES_SV = {
    "str": "text (str)",
    "int": "heltal (int)",
    "float": "decimaltal (float)",
    "bool": "sant/falskt (bool)",
    "list": "lista (list)",
    "dict": "mappning (dict)",
    "NoneType": "tomt värde (None)",
}

# nbformat in 0.7 s instead of 3 s here and in helpers.run.runner (which imports this module)
skip_iri_format_checker()


class ParamsWarning(UserWarning):
    """A run file was accepted but written in a discouraged way (e.g. unquoted codes)."""


# -- codes ------------------------------------------------------------------------


def normalize_code(value: object, digits: int, what: str, where: str = "") -> str:
    """Return a kommun/län code as a zero-padded string.

    Parameters
    ----------
    value : object
        The code as written: ``"2080"``, or an ``int`` such as ``2080`` or ``180``
        (YAML gives an int when the code is written without quotes).
    digits : int
        4 for kommun codes, 2 for län codes.
    what : str
        ``"kommunkod"`` or ``"länskod"`` (for messages).
    where : str
        Location prefix for the warning (file and key).

    Returns
    -------
    str
        The code with ``digits`` digits. An ``int`` is zero-padded with a
        :class:`ParamsWarning`.

    Raises
    ------
    DataError
        If the value is neither a string of ``digits`` digits nor a fitting int.
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise DataError(f"{what} ska vara text med {digits} siffror, inte {value!r}")
    if isinstance(value, int):
        if not 0 <= value < 10**digits:
            raise DataError(f"{what} {value} har fler än {digits} siffror")
        code = f"{value:0{digits}d}"
        warnings.warn(
            f"{where}{what} {value} skrevs utan citattecken och tolkas som '{code}' "
            f'(skriv gärna "{code}")',
            ParamsWarning,
            stacklevel=2,
        )
        return code
    if not re.fullmatch(rf"\d{{{digits}}}", value):
        raise DataError(f"{what} '{value}' ska vara {digits} siffror")
    return value


def _kommun_problem(code: str, lan_code: str | None = None) -> str | None:
    known = lookup.kommuner().set_index("kommun_code")["lan_code"]
    if code not in known.index:
        return f"okänd kommunkod '{code}' (det finns ingen kommun med den koden)"
    if lan_code not in (None, ALL_LAN) and known[code] != lan_code:
        name = lookup.area_name(code)
        lan_name = _lan_name(lan_code)
        return (
            f"kommunen '{code}' ({name}) ligger inte i län '{lan_code}' ({lan_name}) "
            f"utan i län '{known[code]}'"
        )
    return None


def _lan_name(lan_code: str) -> str:
    table = lookup.lan().set_index("lan_code")["lan_name"]
    return str(table.get(lan_code, lan_code))


# -- template parameters ----------------------------------------------------------


@dataclass(frozen=True)
class TemplateParameter:
    """One parameter of a template's ``parameters`` cell.

    Attributes
    ----------
    name : str
        Variable name.
    default : object
        The default as a Python value, or ``None`` when it is not a literal.
    type_name : str or None
        ``type(default).__name__`` (or the annotation), ``None`` when unknown.
    source : str
        The default as written in the cell.
    """

    name: str
    default: object
    type_name: str | None
    source: str


@cache
def _inspect_cached(path: str, mtime_ns: int) -> dict[str, TemplateParameter]:
    import nbformat
    import papermill

    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not tagged:
        raise DataError(
            Problem("mallen saknar en kodcell med taggen 'parameters'", file=display_path(path))
        )
    if not nb.metadata.get("kernelspec", {}).get("name"):
        raise DataError(
            Problem(
                "mallen anger ingen kärna (metadata.kernelspec) – öppna och spara den i JupyterLab",
                file=display_path(path),
            )
        )
    out = {}
    for name, info in papermill.inspect_notebook(path).items():
        source = str(info.get("default", ""))
        try:
            default = ast.literal_eval(source)
            type_name: str | None = type(default).__name__
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            default, type_name = None, None
        annotation = info.get("inferred_type_name")
        if (
            annotation
            and annotation not in ("None", "NoneType")
            and type_name in (None, "NoneType")
        ):
            type_name = annotation
        if type_name == "NoneType":
            type_name = None
        out[name] = TemplateParameter(name, default, type_name, source)
    return out


def template_parameters(template: str | Path) -> dict[str, TemplateParameter]:
    """Return the parameters of a template, read with ``papermill.inspect_notebook``.

    Parameters
    ----------
    template : str or Path
        The template notebook (absolute, or relative to the project root).

    Returns
    -------
    dict of str to TemplateParameter
        In the order of the ``parameters`` cell.

    Raises
    ------
    DataError
        If the template does not exist or has no cell tagged ``parameters``.
    """
    path = resolve_template(template)
    if not path.is_file():
        raise DataError(Problem("mallen finns inte", file=display_path(path)))
    return _inspect_cached(str(path), path.stat().st_mtime_ns)


def resolve_template(template: str | Path) -> Path:
    """Return the absolute path of a template given relative to the project root."""
    path = Path(template)
    return path if path.is_absolute() else paths.project_root() / path


def _type_ok(value: object, type_name: str | None) -> bool:
    if type_name is None:
        return True
    if type_name == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_name == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    expected = {"str": str, "bool": bool, "list": list, "dict": dict, "tuple": list | tuple}.get(
        type_name
    )
    return expected is None or isinstance(value, expected)


def _type_sv(type_name: str) -> str:
    return _TYPE_NAMES_SV.get(type_name, type_name)


def _type_name(value: object) -> str:
    for base in (bool, int, float, str, list, dict):
        if isinstance(value, base):
            return base.__name__
    return type(value).__name__


def _plain(value: object) -> object:
    """Return ``value`` with the loader's line-recording containers turned into dict/list."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _parameter_problems(
    spec: Mapping[str, TemplateParameter],
    params: Mapping[str, object],
    *,
    template_name: str,
    file: str | None = None,
    lines: Mapping[str, int] | None = None,
    prefix: str = "",
    lan_code: str | None = None,
) -> tuple[dict[str, object], list[Problem]]:
    """Check ``params`` against a template's parameters; return normalized params and problems."""
    problems: list[Problem] = []
    out: dict[str, object] = {}
    lines = lines or {}
    known = ", ".join(spec) or "(inga)"
    for key, value in params.items():
        where = f"{prefix}{key}"
        row = lines.get(key)

        def bad(message: str, where: str = where, row: int | None = row) -> None:
            problems.append(Problem(f"{where}: {message}", file=file, row=row))

        if not isinstance(key, str) or key not in spec:
            bad(f"mallen {template_name} har ingen parameter '{key}' (mallens parametrar: {known})")
            continue
        p = spec[key]
        if key == KOMMUN_PARAMETER:
            try:
                value = normalize_code(
                    value, 4, "kommunkod", where=f"{file}: {where}: " if file else f"{where}: "
                )
            except DataError as exc:
                bad(str(exc))
                continue
            reason = _kommun_problem(str(value), lan_code)
            if reason:
                bad(reason)
                continue
        elif not _type_ok(value, p.type_name):
            assert p.type_name is not None
            hint = ""
            if p.type_name == "int" and isinstance(value, str) and value.strip().isdigit():
                hint = f" – skriv {value.strip()} utan citattecken"
            elif p.type_name == "str" and isinstance(value, int | float):
                hint = f' – skriv "{value}" med citattecken'
            bad(
                f"värdet {_plain(value)!r} är {_type_sv(_type_name(value))}, men mallens "
                f"standardvärde {p.source} är {_type_sv(p.type_name)}{hint}"
            )
            continue
        if key == "data_source":
            try:
                data_sources.check_source(
                    value, allowed=data_sources.RUN_SOURCES, what="en rapport"
                )
            except DataError as exc:
                bad(str(exc))
                continue
        out[key] = _plain(value)
    return out, problems


def validate_parameters(
    template: str | Path, params: Mapping[str, object], *, source: str | None = None
) -> dict[str, object]:
    """Validate parameters for one papermill run of ``template``.

    Usable before any ``papermill.execute_notebook`` call (notebooks, tests).

    Parameters
    ----------
    template : str or Path
        The template (absolute, or relative to the project root).
    params : mapping
        Parameter name -> value, as they would be passed to papermill.
    source : str, optional
        Where the parameters come from (file name for messages).

    Returns
    -------
    dict
        The parameters, with ``kommun`` zero-padded if it was given as an int.

    Raises
    ------
    DataError
        Listing every problem: unknown parameter, wrong type (compared with the
        template's default), unknown kommun code, unknown data source.
    """
    spec = template_parameters(template)
    out, problems = _parameter_problems(
        spec,
        params,
        template_name=f"'{display_path(resolve_template(template))}'",
        file=source,
    )
    if problems:
        raise DataError(problems)
    return out


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
    """

    path: Path
    run: str
    template: Path
    lan: str
    kommuner: tuple[str, ...]
    parameters: dict[str, object] = field(default_factory=dict)
    workers: int | None = None
    disclosure: dict[str, int] | None = None

    def jobs(self, only: list[str] | None = None) -> list[Job]:
        """Return one :class:`Job` per kommun (optionally only the given codes)."""
        k = lookup.kommuner().set_index("kommun_code")
        codes = [c for c in self.kommuner if only is None or c in only]
        # The disclosure threshold reaches a template that has a ``min_n`` parameter,
        # unless the run file sets ``parameters.min_n`` explicitly.
        extra: dict[str, object] = {}
        if self.disclosure and "min_n" in template_parameters(self.template):
            extra["min_n"] = self.disclosure["min_n"]
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
        if isinstance(raw, str | int) and not isinstance(raw, bool):
            raw = [raw]
        if not isinstance(raw, list):
            bad("kommuner", 'ska vara en lista av kommunkoder, t.ex. ["2080", "2085"]')
        elif not raw:
            bad("kommuner", "listan är tom – ta bort nyckeln för att köra alla kommuner i länet")
        else:
            for i, item in enumerate(raw):
                row = k_lines[i] if i < len(k_lines) else lines.get("kommuner")
                try:
                    code = normalize_code(item, 4, "kommunkod", where=f"{shown}: kommuner: ")
                except DataError as exc:
                    bad("kommuner", str(exc), row)
                    continue
                reason = _kommun_problem(code, lan_code)
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
    elif KOMMUN_PARAMETER in raw_params:
        bad(
            f"parameters.{KOMMUN_PARAMETER}",
            "sätts av körningen för varje kommun – ange kommunerna under 'kommuner' i stället",
            getattr(raw_params, "lines", {}).get(KOMMUN_PARAMETER),
        )
    if isinstance(raw_params, dict) and spec is not None:
        given = {k: v for k, v in raw_params.items() if k != KOMMUN_PARAMETER}
        parameters, p_problems = _parameter_problems(
            spec,
            given,
            template_name=f"'{display_path(template_path)}'",
            file=shown,
            lines=getattr(raw_params, "lines", {}),
            prefix="parameters.",
        )
        problems.extend(p_problems)

    # workers
    workers = doc.get("workers")
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        bad("workers", f"ska vara ett heltal ≥ 1, inte {workers!r}")
        workers = None

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
            if "min_n" not in disclosure:
                bad("disclosure.min_n", "saknas (minsta antal svarande som får visas)")
            elif isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1:
                bad(
                    "disclosure.min_n",
                    f"ska vara ett heltal ≥ 1, inte {min_n!r}",
                    d_lines.get("min_n"),
                )
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
    )


def is_run_file(path: str | Path) -> bool:
    """Return True if ``path`` is a run file: a YAML mapping with a top-level ``run`` key.

    ``params/`` also holds other YAML files (goal lists, survey variable maps)
    that other modules read and validate; they have no ``run`` key.
    """
    try:
        doc = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=StrictLoader)
    except (OSError, yaml.YAMLError):
        return Path(path).suffix in (".yaml", ".yml") and "\nrun:" in "\n" + _safe_text(path)
    return isinstance(doc, dict) and "run" in doc


def _safe_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def run_files(directory: str | Path | None = None) -> list[Path]:
    """Return the run files (see :func:`is_run_file`) in ``params/`` or ``directory``, sorted."""
    base = Path(directory) if directory is not None else paths.params_dir()
    return sorted(p for p in [*base.glob("*.yaml"), *base.glob("*.yml")] if is_run_file(p))


def load_all(directory: str | Path | None = None) -> list[RunSpec]:
    """Load and validate every run file; raise one :class:`DataError` listing all problems."""
    specs, problems = [], []
    for path in run_files(directory):
        try:
            specs.append(load_run(path))
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(problems)
    return specs
