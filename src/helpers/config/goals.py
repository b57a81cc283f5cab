"""The goal file of SKR's *Strategi för hälsa*: read, validate and link to the indicator catalogue.

``params/strategi_for_halsa.yaml`` keeps only what belongs to a goal: its
number, målområde, name and text, the target (change from the baseline year,
with its unit), the baseline and target years, how well the indicator matches
the goal (``mapping`` ``exact`` / ``closest`` / ``missing``, with a comment),
the level the goal is followed at, and the id of the indicator in the
catalogue (:mod:`helpers.config.catalogue`, ``params/indicators.yaml``).
Everything about the indicator itself – name, short name, unit, direction,
decimals, sex split, pooled years, the Kolada KPI and its *Osäkerhetstal* – is
read from the catalogue, so one KPI has one description in the whole workbook.

:func:`load_goals` returns the *goal table* (:data:`GOAL_COLUMNS`, one row per
goal and KPI; a catalogue entry with one KPI per sex, such as ``e0``, gives one
row per sex). Every structural problem is reported at once as a
:class:`helpers.core.errors.DataError` naming the file, line and key, in
Swedish (for example a catalogue id that does not exist).

Schema of one goal indicator (``goals[].indicators[]``)
--------------------------------------------------------
``indicator`` : str
    Catalogue id (``kariesfria_3ar``, ``e0`` …); its ``sources.kolada`` recipe
    gives the KPI id(s) and the uncertainty KPI.
``level`` : ``kommun`` | ``region``
    Level the goal is followed at (a kommun gets its region's value for ``region``).
``target_change`` : number or null
    Target change from the baseline year, signed, in ``target_unit`` (null: "ska öka").
``target_unit`` : ``pp`` | ``per 1000`` | ``år`` | ``index``
``mapping`` : ``exact`` | ``closest`` | ``missing``
``baseline_year`` : int, ``comparable_over_time`` : bool, ``series_break`` : int or null,
``uncertainty_mapping`` : ``exact`` | ``closest`` | null
    Optional; defaults from the file's ``defaults``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers.config import catalogue as catalogue_mod
from helpers.config.yamlfile import display_path, read_yaml
from helpers.core import paths
from helpers.core.errors import DataError, Problem

PARAMS_FILE = "strategi_for_halsa.yaml"

#: SKR's three målområden.
AREAS: tuple[str, ...] = ("God och jämlik hälsa", "God kvalitet", "Hållbart och uthålligt")
DIRECTIONS: dict[str, int] = {"higher": 1, "lower": -1}
LEVELS: tuple[str, ...] = ("kommun", "region")
MAPPINGS: tuple[str, ...] = ("exact", "closest", "missing")
#: KPI unit -> (unit shown after a value, unit of a difference).
UNITS: dict[str, tuple[str, str]] = {
    "procent": ("%", "procentenheter"),
    "per 1000": ("per 1 000 inv.", "per 1 000 inv."),
    "per 100 000": ("per 100 000 inv.", "per 100 000 inv."),
    "år": ("år", "år"),
    "index": ("", "indexenheter"),
}
#: Catalogue unit (``params/indicators.yaml``) -> KPI unit of the goal table.
CATALOGUE_UNITS: dict[str, str] = {
    "%": "procent",
    "per 1 000 invånare": "per 1000",
    "per 100 000 invånare": "per 100 000",
    "år": "år",
    "index": "index",
}
#: Target unit -> Swedish name.
TARGET_UNITS: dict[str, str] = {
    "pp": "procentenheter",
    "per 1000": "per 1 000 invånare",
    "år": "år",
    "index": "indexenheter",
}
#: (target unit, KPI unit) -> factor turning a target into the KPI's unit.
TARGET_FACTORS: dict[tuple[str, str], float] = {
    ("pp", "procent"): 1.0,
    ("per 1000", "per 1000"): 1.0,
    ("per 1000", "per 100 000"): 100.0,
    ("år", "år"): 1.0,
    ("index", "index"): 1.0,
}
#: Catalogue reliability rules and CI methods that mark a sample survey.
SURVEY_RELIABILITY: tuple[str, ...] = ("nchs_2017", "nchs_without_n", "survey_no_ci")
SURVEY_CI: tuple[str, ...] = ("korn_graubard", "kolada_uncertainty", "wilson")

#: Keys of one goal indicator and their types (None allowed where listed in _NULLABLE).
_INDICATOR_KEYS: dict[str, type | tuple[type, ...]] = {
    "indicator": str,
    "level": str,
    "target_change": (int, float, type(None)),
    "target_unit": str,
    "mapping": str,
    "baseline_year": int,
    "comparable_over_time": bool,
    "series_break": (int, type(None)),
    "uncertainty_mapping": (str, type(None)),
}
_REQUIRED_INDICATOR_KEYS = ("indicator", "target_change", "target_unit", "mapping")
_NULLABLE_KEYS = {"target_change", "series_break", "uncertainty_mapping"}
_GOAL_KEYS = {
    "number",
    "area",
    "subarea",
    "name",
    "goal_text",
    "mapping",
    "candidates",
    "indicators",
}
_TOP_KEYS = {"version", "strategy", "adopted", "target_year", "defaults", "areas", "goals"}

#: Columns of the goal table returned by :func:`load_goals`.
GOAL_COLUMNS: tuple[str, ...] = (
    "goal",
    "label",
    "goal_area",
    "subarea",
    "goal_name",
    "goal_text",
    "indicator",
    "kpi",
    "title",
    "short_name",
    "level",
    "unit",
    "direction",
    "target_change",
    "target_unit",
    "baseline_year",
    "target_year",
    "divided_by_sex",
    "sex",
    "survey",
    "uncertainty_kpi",
    "uncertainty_mapping",
    "comparable_over_time",
    "series_break",
    "pooled_years",
    "decimals",
    "mapping",
    "candidates",
)


def default_goals_path() -> Path:
    """Return ``params/strategi_for_halsa.yaml`` under the project root.

    When the root is overridden (``FOLKHALSA_ROOT``, e.g. in tests) and holds no
    goal file, the file shipped next to the package is used.
    """
    return paths.project_file(Path("params") / PARAMS_FILE)


def load_goals(
    path: str | Path | None = None, catalogue: catalogue_mod.Catalogue | None = None
) -> pd.DataFrame:
    """Read and validate the goal file with the strict YAML reader.

    Parameters
    ----------
    path : str or Path, optional
        YAML file; default :func:`default_goals_path`.
    catalogue : helpers.config.catalogue.Catalogue, optional
        The indicator catalogue; default ``params/indicators.yaml``.

    Returns
    -------
    pandas.DataFrame
        The goal table (:data:`GOAL_COLUMNS`): one row per goal and KPI, and one
        row with an empty ``kpi`` for a goal without a KPI.

    Raises
    ------
    DataError
        If the file is missing, not YAML, or breaks the schema (all problems
        listed with file, line and key).
    """
    path = Path(path) if path is not None else default_goals_path()
    return goals_from_dict(read_yaml(path), file=display_path(path), catalogue=catalogue)


def _check_type(value: Any, types: type | tuple[type, ...]) -> bool:
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        return False  # YAML booleans are ints in Python; do not accept them as numbers
    return isinstance(value, types)


def _line(container: Any, key: Any) -> int | None:
    """Line of ``key`` in a mapping (or of item ``key`` in a list) read by ``read_yaml``."""
    lines = getattr(container, "lines", None)
    if isinstance(lines, dict):
        return lines.get(key)
    if isinstance(lines, list) and isinstance(key, int) and 0 <= key < len(lines):
        return lines[key]
    return None


def goals_from_dict(
    raw: Any,
    file: str = PARAMS_FILE,
    catalogue: catalogue_mod.Catalogue | None = None,
) -> pd.DataFrame:
    """Validate a parsed goal file, link it to the catalogue and return the goal table.

    Only the *structure* is checked here (required keys, types, allowed values,
    unique goal numbers, known areas, catalogue ids that exist and have a Kolada
    KPI); whether a target fits its KPI is reported per goal by
    :func:`helpers.stats.strategi.goal_problems` and in the ``message`` column of
    :func:`helpers.stats.strategi.goal_status`.

    Parameters
    ----------
    raw : dict
        The parsed YAML (from :func:`helpers.config.yamlfile.read_yaml`, whose
        line numbers are used in messages; a plain dict works without lines).
    file : str
        File name used in error messages.
    catalogue : helpers.config.catalogue.Catalogue, optional
        The indicator catalogue; default ``params/indicators.yaml``.

    Returns
    -------
    pandas.DataFrame
        The goal table.

    Raises
    ------
    DataError
        Listing every structural problem found.
    """
    cat = catalogue if catalogue is not None else catalogue_mod.load()
    problems: list[Problem] = []

    def bad(message: str, key: str | None = None, line: int | None = None) -> None:
        problems.append(Problem(message, file=file, row=line, column=key))

    if not isinstance(raw, Mapping):
        raise DataError(
            Problem("filen ska innehålla en mappning med nycklarna areas och goals", file)
        )
    for key in raw:
        if key not in _TOP_KEYS:
            bad(
                f"okänd nyckel '{key}' (tillåtna: {', '.join(sorted(_TOP_KEYS))})",
                key,
                _line(raw, key),
            )
    areas = raw.get("areas")
    if list(areas or []) != list(AREAS):
        bad(
            f"areas ska vara SKR:s tre målområden: {', '.join(AREAS)}", "areas", _line(raw, "areas")
        )
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        bad("defaults ska vara en mappning", "defaults", _line(raw, "defaults"))
        defaults = {}
    for key in defaults:
        if key not in _INDICATOR_KEYS or key in _REQUIRED_INDICATOR_KEYS:
            bad(f"okänd nyckel '{key}' i defaults", key, _line(defaults, key))
    target_year = raw.get("target_year", 2022)
    if not _check_type(target_year, int):
        bad("target_year ska vara ett årtal", "target_year", _line(raw, "target_year"))
        target_year = 2022
    goals = raw.get("goals")
    if not isinstance(goals, list) or not goals:
        bad("goals ska vara en lista med mål", "goals", _line(raw, "goals"))
        goals = []
    rows: list[dict[str, Any]] = []
    seen: set[int] = set()
    for i, goal in enumerate(goals):
        where = f"mål nr {i + 1} i listan"
        gline = _line(goals, i)
        if not isinstance(goal, Mapping):
            bad(f"{where}: ska vara en mappning", "goals", gline)
            continue
        number = goal.get("number")
        if not _check_type(number, int) or number < 1:
            bad(
                f"{where}: number ska vara ett positivt heltal",
                "number",
                _line(goal, "number") or gline,
            )
            continue
        where = f"mål {number}"
        if number in seen:
            bad(f"{where}: målnumret förekommer flera gånger", "number", _line(goal, "number"))
        seen.add(number)
        for key in goal:
            if key not in _GOAL_KEYS:
                bad(f"{where}: okänd nyckel '{key}'", key, _line(goal, key))
        if goal.get("area") not in AREAS:
            bad(
                f"{where}: area ska vara ett av {', '.join(AREAS)}",
                "area",
                _line(goal, "area") or gline,
            )
        for key in ("name", "goal_text"):
            if not isinstance(goal.get(key), str) or not goal.get(key).strip():
                bad(f"{where}: {key} saknas", key, _line(goal, key) or gline)
        inds = goal.get("indicators") or []
        if not isinstance(inds, list):
            bad(f"{where}: indicators ska vara en lista", "indicators", _line(goal, "indicators"))
            inds = []
        base = {
            "goal": number,
            "goal_area": goal.get("area"),
            "subarea": goal.get("subarea") or "",
            "goal_name": goal.get("name"),
            "goal_text": goal.get("goal_text"),
            "target_year": target_year,
            "candidates": ", ".join(goal.get("candidates") or []),
        }
        if not inds:
            if goal.get("mapping") != "missing":
                bad(
                    f"{where}: ett mål utan indikatorer ska ha mapping: missing",
                    "mapping",
                    _line(goal, "mapping") or gline,
                )
            rows.append(
                {**_empty_row(defaults), **base, "label": str(number), "mapping": "missing"}
            )
            continue
        found: list[dict[str, Any]] = []
        for j, ind in enumerate(inds):
            found += _indicator_rows(
                ind, defaults, cat, f"{where}, indikator {j + 1}", bad, _line(inds, j)
            )
        letters = "abcdefghijklmnopqrstuvwxyz"
        for j, row in enumerate(found):
            label = f"{number}{letters[j]}" if len(found) > 1 else str(number)
            rows.append({**row, **base, "label": label})
    if problems:
        raise DataError(problems)
    table = pd.DataFrame(rows, columns=list(GOAL_COLUMNS))
    return table.sort_values(["goal", "label"]).reset_index(drop=True)


def _empty_row(defaults: Mapping[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(GOAL_COLUMNS)
    row.update({k: v for k, v in defaults.items() if k in _INDICATOR_KEYS})
    row.update(
        {
            "indicator": None,
            "kpi": None,
            "title": "",
            "short_name": "",
            "target_change": np.nan,
            "level": None,
            "divided_by_sex": False,
            "survey": False,
            "pooled_years": 1,
            "decimals": 1,
        }
    )
    return row


def _indicator_rows(
    ind: Any,
    defaults: Mapping[str, Any],
    cat: catalogue_mod.Catalogue,
    where: str,
    bad: Any,
    line: int | None,
) -> list[dict[str, Any]]:
    """Validate one goal indicator; return its rows (one per KPI, i.e. per sex for e0)."""
    if not isinstance(ind, Mapping):
        bad(f"{where}: ska vara en mappning med nyckeln indicator", "indicators", line)
        return []
    ok = True
    for key in ind:
        if key not in _INDICATOR_KEYS:
            bad(
                f"{where}: okänd nyckel '{key}' (namn, enhet, riktning och Kolada-id hämtas från "
                f"indikatorkatalogen; tillåtna här: {', '.join(_INDICATOR_KEYS)})",
                key,
                _line(ind, key),
            )
            ok = False
    for key in _REQUIRED_INDICATOR_KEYS:
        if key not in ind:
            bad(f"{where}: nyckeln '{key}' saknas", key, line)
            ok = False
    row: dict[str, Any] = dict.fromkeys(_INDICATOR_KEYS)
    row.update({"level": "kommun", "baseline_year": 2017, "comparable_over_time": True})
    row.update({k: v for k, v in defaults.items() if k in _INDICATOR_KEYS})
    row.update(ind)
    for key, types in _INDICATOR_KEYS.items():
        value = row.get(key)
        if value is None:
            if key not in _NULLABLE_KEYS:
                if key in ind or key not in _REQUIRED_INDICATOR_KEYS:
                    bad(f"{where}: '{key}' saknas (varken här eller i defaults)", key, line)
                ok = False
            continue
        if not _check_type(value, types):
            bad(f"{where}: '{key}' har fel typ ({value!r})", key, _line(ind, key) or line)
            ok = False
    checks = (
        ("level", LEVELS),
        ("target_unit", tuple(TARGET_UNITS)),
        ("mapping", MAPPINGS),
        ("uncertainty_mapping", (None, "exact", "closest")),
    )
    for key, allowed in checks:
        if row.get(key) not in allowed:
            shown = ", ".join(a for a in allowed if a)
            bad(
                f"{where}: {key} '{row.get(key)}' är inte tillåtet (tillåtna: {shown})",
                key,
                _line(ind, key) or line,
            )
            ok = False
    ind_id = row.get("indicator")
    if not isinstance(ind_id, str):
        return []
    iline = _line(ind, "indicator") or line
    if ind_id not in cat:
        bad(
            f"{where}: indikatorn '{ind_id}' finns inte i indikatorkatalogen "
            f"{display_path(cat.path)} – lägg till den där eller rätta id:t",
            "indicator",
            iline,
        )
        return []
    entry = cat.get(ind_id)
    recipe = entry.sources.get("kolada")
    kpis = entry.kpis("kolada") if recipe is not None else {}
    if not kpis:
        bad(
            f"{where}: indikatorn '{ind_id}' har inget Kolada-id i katalogen (sources.kolada.kpi); "
            "Strategi för hälsa följs med Kolada-nyckeltal",
            "indicator",
            iline,
        )
        return []
    unit = CATALOGUE_UNITS.get(entry.unit)
    if unit is None:
        bad(
            f"{where}: katalogens enhet '{entry.unit}' för '{ind_id}' kan inte följas som mål "
            f"(möjliga: {', '.join(CATALOGUE_UNITS)})",
            "indicator",
            iline,
        )
        ok = False
    if entry.better not in DIRECTIONS:
        bad(
            f"{where}: indikatorn '{ind_id}' har ingen riktning (better: {entry.better}) i "
            "katalogen; ett mål behöver higher eller lower",
            "indicator",
            iline,
        )
        ok = False
    ukpi = recipe.get("uncertainty_kpi")
    if row.get("uncertainty_mapping") is not None and ukpi is None:
        bad(
            f"{where}: uncertainty_mapping anges men katalogen har inget osäkerhetstal "
            f"(uncertainty_kpi) för '{ind_id}'",
            "uncertainty_mapping",
            _line(ind, "uncertainty_mapping") or line,
        )
        ok = False
    if not ok:
        return []
    titles = recipe.get("title")
    per_sex = set(kpis) != {"totalt"}
    common = {
        **row,
        "short_name": entry.short_name,
        "unit": unit,
        "direction": entry.better,
        "survey": entry.reliability in SURVEY_RELIABILITY or entry.ci_method in SURVEY_CI,
        "uncertainty_kpi": ukpi,
        "pooled_years": entry.pooled_years,
        "decimals": entry.decimals,
        "target_change": np.nan if row["target_change"] is None else float(row["target_change"]),
    }
    out = []
    for sex, kpi in kpis.items():
        title = titles.get(sex) if isinstance(titles, Mapping) else titles
        out.append(
            {
                **common,
                "kpi": kpi,
                "title": title or entry.name,
                "sex": sex if per_sex else None,
                "divided_by_sex": (not per_sex) and {"kvinnor", "män"} <= set(entry.sexes),
            }
        )
    return out
