"""Parameters of a notebook's tagged ``parameters`` cell, and the one validator for them.

Run files (:mod:`helpers.config.params`) and the parameter files of the
chapter notebooks (``params/referens_scb.yaml`` for notebook 02,
``params/survey_egen_extrakt_exempel.yaml`` for notebook 03) are validated by
the same rules, against the notebook's ``parameters`` cell as read by
``papermill.inspect_notebook``:

* every key must be a parameter of the cell (an unknown key is an error
  naming the file, the line and the key – papermill itself only warns);
* every value must have the type of the cell's default (``int`` for
  ``year = 2024``; an ``int`` is accepted where the default is a ``float``);
* ``kommun`` and ``lan_code`` must be known codes, ``data_source`` a source of
  the registry (:mod:`helpers.config.sources`) that can serve the notebook,
  ``min_n`` (disclosure control) at least 1.

All problems are collected and raised at once as a
:class:`helpers.core.errors.DataError` with Swedish messages.
:func:`validate_parameters` checks a parameter mapping (before
``papermill.execute_notebook``); :func:`load_notebook_parameters` reads and
checks a flat parameter file (usable as ``papermill -f``).
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from helpers.config import sources as data_sources
from helpers.config.yamlfile import display_path, read_yaml
from helpers.core import lookup, paths
from helpers.core.errors import DataError, Problem
from helpers.core.fast_imports import skip_iri_format_checker

ALL_LAN = "alla"
KOMMUN_PARAMETER = "kommun"
LAN_PARAMETER = "lan_code"
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
        code = lookup.pad_kommun(value) if digits == 4 else lookup.pad_lan(value)
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


def kommun_problem(code: str, lan_code: str | None = None) -> str | None:
    """Return why ``code`` is not a kommun (of län ``lan_code``), or None if it is."""
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


def _type_problem(value: object, p: TemplateParameter, owner: str) -> str:
    """Swedish message for a value whose type differs from the cell's default."""
    assert p.type_name is not None
    hint = ""
    if p.type_name == "int" and isinstance(value, str) and value.strip().isdigit():
        hint = f" – skriv {value.strip()} utan citattecken"
    elif p.type_name == "str" and isinstance(value, int | float) and not isinstance(value, bool):
        hint = f' – skriv "{value}" med citattecken'
    elif p.type_name in ("list", "tuple") and isinstance(value, str):
        hint = f" – skriv en lista: ['{value}']"
    return (
        f"{_plain(value)!r} har fel typ – det är {_type_sv(_type_name(value))}, men "
        f"{owner}s standardvärde {p.source} är {_type_sv(p.type_name)}{hint}"
    )


def _parameter_problems(
    spec: Mapping[str, TemplateParameter],
    params: Mapping[str, object],
    *,
    template_name: str,
    file: str | None = None,
    lines: Mapping[str, int] | None = None,
    prefix: str = "",
    lan_code: str | None = None,
    owner: str = "mallen",
    allowed_sources: Iterable[str] | None = None,
    what: str = "en rapport",
) -> tuple[dict[str, object], list[Problem]]:
    """Check ``params`` against a notebook's parameters; return normalized params and problems.

    ``owner`` is the Swedish noun for the notebook in messages (``"mallen"``,
    ``"anteckningsboken"``); ``allowed_sources`` the sources that can serve it
    (default :data:`helpers.config.sources.RUN_SOURCES`), ``what`` what they serve.
    """
    problems: list[Problem] = []
    out: dict[str, object] = {}
    lines = lines or {}
    known = ", ".join(spec) or "(inga)"
    allowed = tuple(data_sources.RUN_SOURCES if allowed_sources is None else allowed_sources)
    for key, value in params.items():
        where = f"{prefix}{key}"
        row = lines.get(key)

        def bad(message: str, where: str = where, row: int | None = row) -> None:
            problems.append(Problem(f"{where}: {message}", file=file, row=row))

        if not isinstance(key, str) or key not in spec:
            problems.append(
                Problem(
                    f"okänd nyckel '{where}' – {owner} {template_name} har ingen parameter "
                    f"'{key}' ({owner}s parametrar: {known})",
                    file=file,
                    row=row,
                )
            )
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
            reason = kommun_problem(str(value), lan_code)
            if reason:
                bad(reason)
                continue
        elif not _type_ok(value, p.type_name):
            bad(_type_problem(value, p, owner))
            continue
        if key == LAN_PARAMETER and isinstance(value, str):
            if value not in set(lookup.lan()["lan_code"]):
                bad(f"okänd länskod '{value}' (två siffror, t.ex. \"20\" för Dalarna)")
                continue
        if key == "data_source":
            try:
                data_sources.check_source(value, allowed=allowed, what=what)
            except DataError as exc:
                bad(str(exc))
                continue
        if key == "min_n" and isinstance(value, int) and value < 1:
            bad(f"röjandekontrollen (min_n) måste vara minst 1, inte {value}")
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
        template's default), unknown kommun or län code, unknown data source.
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


#: A notebook-specific check: gets the checked parameters, returns (key, message) pairs.
ExtraCheck = Callable[[dict[str, object]], Iterable[tuple[str, str]]]


def resolve_notebook(notebook: str | Path) -> Path:
    """Return a notebook path; relative paths from the project root, else the workbook checkout."""
    return paths.project_file(notebook)


def load_notebook_parameters(
    path: str | Path,
    notebook: str | Path,
    *,
    allowed_sources: Iterable[str] | None = None,
    what: str = "anteckningsboken",
    extra: ExtraCheck | None = None,
) -> dict[str, object]:
    """Read and validate a notebook's parameter file against its ``parameters`` cell.

    The file holds the notebook's parameters as top-level keys (so it also works
    as ``papermill -f``). The disclosure threshold may be written ``min_n: 5``
    or, as in run files, ``disclosure: {min_n: 5}`` when the notebook has a
    ``min_n`` parameter.

    Parameters
    ----------
    path : str or Path
        The YAML file (relative paths from the project root).
    notebook : str or Path
        The notebook whose tagged ``parameters`` cell defines the allowed keys
        and their types (relative paths from the project root).
    allowed_sources : iterable of str, optional
        Sources of :mod:`helpers.config.sources` that can serve the notebook
        (default: every source).
    what : str
        Swedish description of what the sources must serve (for messages).
    extra : callable, optional
        Notebook-specific checks on the type-checked parameters; each returned
        ``(key, message)`` becomes a problem on that key's line.

    Returns
    -------
    dict
        Parameter name -> value, ready for ``papermill.execute_notebook(parameters=...)``.

    Raises
    ------
    DataError
        Listing every problem, each naming the file, line and key.
    """
    p = Path(path)
    if not p.is_absolute():
        p = paths.project_root() / p
    shown = display_path(p)
    doc = read_yaml(p)
    lines: dict[str, int] = dict(getattr(doc, "lines", {}) or {})
    nb_path = resolve_notebook(notebook)
    spec = template_parameters(nb_path)
    problems: list[Problem] = []
    given = dict(doc)
    if "disclosure" in given and "disclosure" not in spec and "min_n" in spec:
        section = given.pop("disclosure")
        row = lines.get("disclosure")
        if isinstance(section, Mapping) and set(section) == {"min_n"} and "min_n" not in given:
            given["min_n"] = section["min_n"]
            if row is not None:
                lines["min_n"] = row
        else:
            problems.append(
                Problem(
                    "disclosure: ska vara {min_n: heltal} (och min_n anges bara en gång)",
                    file=shown,
                    row=row,
                )
            )
    out, found = _parameter_problems(
        spec,
        given,
        template_name=f"'{display_path(nb_path)}'",
        file=shown,
        lines=lines,
        owner="anteckningsboken",
        allowed_sources=data_sources.names() if allowed_sources is None else allowed_sources,
        what=what,
    )
    problems.extend(found)
    if extra is not None:
        for key, message in extra(out):
            problems.append(Problem(f"{key}: {message}", file=shown, row=lines.get(key)))
    if problems:
        raise DataError(problems)
    return out
