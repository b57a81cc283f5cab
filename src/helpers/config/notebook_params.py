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
* ``kommun`` and ``lan_code`` must be known codes (see :func:`normalize_code`:
  a code written as a number is accepted only with all its digits, ``kommun:
  2080``; ``kommun: 114`` is refused with a hint instead of being padded),
  ``data_source`` a source of the registry (:mod:`helpers.config.sources`) that
  can serve the notebook, ``year`` a four-digit year, a list value has no
  item twice;
* ``min_n`` (disclosure control, see :func:`min_n_problem`) is a whole number
  of at least 1 (not a bool, text or a float with decimals; ``10.0`` is 10);
  below :data:`MIN_N_WARN_BELOW` it is accepted with a warning in the log.

One threshold, one place: in a notebook's parameter file the threshold is the
notebook's own parameter ``min_n`` – a ``disclosure:`` section is refused there,
because ``papermill -f`` would pass it on as an unknown parameter and the
notebook would silently use its default. (In a run file it is the other way
round: ``disclosure: {min_n: ...}`` is the one place, see
:mod:`helpers.config.params`.)

All problems are collected and raised at once as a
:class:`helpers.core.errors.DataError` with Swedish messages.
:func:`validate_parameters` checks a parameter mapping (before
``papermill.execute_notebook``); :func:`load_notebook_parameters` reads and
checks a flat parameter file (usable as ``papermill -f``).
"""

from __future__ import annotations

import ast
import logging
import math
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
#: The disclosure-control parameter of the notebooks and the template.
MIN_N_PARAMETER = "min_n"
#: A disclosure threshold below this is accepted with a logged warning. It equals the
#: workbook's default :data:`helpers.stats.disclosure.DEFAULT_MIN_N` (a higher layer,
#: which this module may not import).
MIN_N_WARN_BELOW = 5
#: Years a ``year`` parameter may take (a two-digit ``year: 24`` is refused).
YEAR_RANGE = (1900, 2100)
logger = logging.getLogger(__name__)
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
    """Return a kommun/län code as a string of ``digits`` digits; never guess one.

    Parameters
    ----------
    value : object
        The code as written: ``"2080"``/``"0114"`` (the strict YAML reader keeps
        ``0114`` written without quotes as the text ``"0114"``), or an ``int``
        with all its digits such as ``2080`` (YAML gives an int when a code
        without a leading zero is written without quotes).
    digits : int
        4 for kommun codes, 2 for län codes.
    what : str
        ``"kommunkod"`` or ``"länskod"`` (for messages).
    where : str
        Location prefix for the warning (file and key).

    Returns
    -------
    str
        The code. An ``int`` with exactly ``digits`` digits is accepted with a
        :class:`ParamsWarning` (it is unambiguous).

    Raises
    ------
    DataError
        If the value is not a string of ``digits`` digits or an int with
        ``digits`` digits. An int with fewer digits (``114``, ``3``) is refused
        with the hint to write the code in quotes (``"0114"``) instead of being
        zero-padded: the number may be a mistyped or octal-read code.
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise DataError(
            f"{what} ska vara text med {digits} siffror inom citattecken, "
            f't.ex. "{_EXAMPLES[digits]}", inte {value!r}'
        )
    if isinstance(value, int):
        if 10 ** (digits - 1) <= value < 10**digits:
            code = str(value)
            warnings.warn(
                f"{where}{what} {value} skrevs utan citattecken och läses som '{code}' "
                f'(skriv gärna "{code}")',
                ParamsWarning,
                stacklevel=2,
            )
            return code
        if 0 <= value < 10 ** (digits - 1):
            padded = str(value).zfill(digits)
            n = len(str(value))
            name = _code_name(padded, digits)
            meant = f" om du menar {name}" if name else ""
            raise DataError(
                f"{what} {value} skrevs utan citattecken och har bara {n} "
                f"{'siffra' if n == 1 else 'siffror'} – en kod fylls inte ut med nollor "
                f'gissningsvis; skriv koden med citattecken, t.ex. "{padded}"{meant}'
            )
        raise DataError(f'{what} {value} ska ha {digits} siffror (t.ex. "{_EXAMPLES[digits]}")')
    if not re.fullmatch(rf"[0-9]{{{digits}}}", value):
        raise DataError(
            f"{what} '{value}' ska vara {digits} siffror (t.ex. \"{_EXAMPLES[digits]}\")"
        )
    return value


_EXAMPLES = {4: "2080", 2: "20"}


def _code_name(code: str, digits: int) -> str | None:
    """Name of the kommun (4 digits) or län (2 digits) ``code``, or None if unknown."""
    if digits == 4:
        table = lookup.kommuner().set_index("kommun_code")["kommun_name"]
    else:
        table = lookup.lan().set_index("lan_code")["lan_name"]
    return str(table[code]) if code in table.index else None


def min_n_value(value: object) -> int | None:
    """Return the disclosure threshold ``value`` as an int, or None if it is not one.

    The rule, for run files and notebook parameters alike (the same as
    :func:`helpers.stats.disclosure.check_min_n` applies at run time): a whole
    number of at least 1 – an ``int``, or a float without decimals (``10.0``
    is 10); ``bool``, ``2.5``, ``inf``, text and ``None`` are not thresholds.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and value >= 1:
        return value
    return None


def min_n_problem(value: object) -> str | None:
    """Return why ``value`` is not a disclosure threshold (``min_n``), or None if it is one.

    See :func:`min_n_value` for the rule.

    Parameters
    ----------
    value : object
        The threshold as read from YAML or passed as a parameter.

    Returns
    -------
    str or None
        A Swedish reason (starting with "ska vara ett heltal ≥ 1") or None.
    """
    if min_n_value(value) is not None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 1:
        return f"ska vara ett heltal ≥ 1, inte {value} (minsta antal svarande som får visas)"
    hint = ""
    if isinstance(value, str) and value.strip().isdigit():
        hint = f" – skriv {value.strip()} utan citattecken"
    elif isinstance(value, bool):
        hint = " – true/false är inget antal"
    elif isinstance(value, float):
        hint = " – ett antal svarande har inga decimaler"
    return f"ska vara ett heltal ≥ 1, inte {_plain(value)!r} ({_type_sv(_type_name(value))}){hint}"


def warn_small_min_n(value: int, where: str) -> None:
    """Log a Swedish warning when a valid threshold is below :data:`MIN_N_WARN_BELOW`."""
    if value < MIN_N_WARN_BELOW:
        logger.warning(
            "%smin_n = %d är lägre än arbetsbokens standard %d: celler med bara %d "
            "svarande visas. Kontrollera att dataleverantörens villkor tillåter det.",
            where,
            value,
            MIN_N_WARN_BELOW,
            value,
        )


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


def _first_repeat(items: list) -> object | None:
    """Return the first item of ``items`` that occurs earlier in the list, or None."""
    seen: list[object] = []
    for item in _plain(items):  # type: ignore[union-attr]
        if item in seen:
            return item
        seen.append(item)
    return None


def _type_problem(value: object, p: TemplateParameter, owner: str) -> str:
    """Swedish message for a value whose type differs from the cell's default."""
    assert p.type_name is not None
    hint = ""
    if p.type_name == "int" and isinstance(value, str) and value.strip().isdigit():
        hint = f" – skriv {value.strip()} utan citattecken"
    elif p.type_name == "int" and isinstance(value, float) and value.is_integer():
        hint = f" – skriv {int(value)}"
    elif (
        p.name == LAN_PARAMETER
        and isinstance(value, int)
        and not isinstance(value, bool)
        and 0 <= value < 10
    ):
        hint = f' – skriv koden med citattecken och två siffror, t.ex. "{value:02d}"'
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
        if key == MIN_N_PARAMETER:
            reason = min_n_problem(value)
            if reason:
                bad(reason)
                continue
            value = min_n_value(value)
            assert value is not None
            warn_small_min_n(value, f"{file}: " if file else "")
        elif key == KOMMUN_PARAMETER:
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
        if (
            key == "year"
            and isinstance(value, int)
            and not (YEAR_RANGE[0] <= value <= YEAR_RANGE[1])
        ):
            bad(f"{value} är inget årtal – skriv året med fyra siffror, t.ex. 2024")
            continue
        twice = _first_repeat(value) if isinstance(value, list) else None
        if twice is not None:
            bad(f"{twice!r} förekommer två gånger i listan – ta bort dubbletten")
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
    as ``papermill -f``). The disclosure threshold is the notebook's parameter
    ``min_n: 5``; a ``disclosure:`` section (the run files' form) is refused
    with a hint, because ``papermill -f`` would ignore it and the notebook would
    use its default threshold without a word.

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
    if "disclosure" in given and "disclosure" not in spec and MIN_N_PARAMETER in spec:
        section = given.pop("disclosure")
        value = section.get("min_n") if isinstance(section, Mapping) else None
        example = value if min_n_problem(value) is None else 5
        problems.append(
            Problem(
                f"disclosure: röjandekontrollens tröskel anges här på ett enda ställe, som "
                f"anteckningsbokens parameter 'min_n: {example}' – skriv så i stället för "
                "disclosure (papermill -f skulle annars hoppa över disclosure och tyst använda "
                "anteckningsbokens standardvärde)",
                file=shown,
                row=lines.get("disclosure"),
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
