"""Follow-up of SKR's *Strategi för hälsa*: 22 goals per kommun, against county, Sweden and peers.

SKR's Strategi för hälsa (adopted December 2017) set 22 shared goals to 2022,
each followed with a Kolada indicator. The goals, their Kolada KPIs and targets
live in ``params/strategi_for_halsa.yaml``; :func:`load_goals` reads and
validates that file into a *goal table* (one row per goal and KPI). Everything
else here is a pure function on the tidy indicator table
(:mod:`helpers.core.indicators`) and the goal table.

Status rules (per area, KPI and sex), in this order
---------------------------------------------------
1. No KPI for the goal (``mapping: missing``), a KPI id Kolada does not know,
   or a KPI absent from the data → ``"data saknas"`` (with a ``message``).
2. A target in a unit the KPI is not measured in (e.g. a target in
   procentenheter for a KPI that is not a share), or a target whose sign
   contradicts the direction → ``"ej bedömd"`` (with a ``message``).
3. ``comparable_over_time: false`` (SKR 2023: the pupil survey changed) →
   ``"ej jämförbar över tid"``. With a ``series_break`` between baseline and
   latest year, the latest year *before* the break is used instead; if there is
   none, the status is ``"ej jämförbar över tid"``.
4. No value in the baseline year, or none after it → ``"data saknas"``
   (a missing baseline also gives a ``message``).
5. Survey KPIs with an uncertainty (Kolada's *Osäkerhetstal*, attached as a
   symmetric interval ``value ± u`` by :func:`attach_uncertainty`, or any CI):
   with ``u_b`` and ``u_l`` the half-widths in the baseline and latest year, the
   change is *not larger than the uncertainty* when
   ``|change| <= sqrt(u_b² + u_l²)`` and the status is ``"inom felmarginalen"``.
   The rule treats the two estimates as independent; Kolada's pooled
   four-year HLV values overlap when the years are less than four apart, which
   makes the rule conservative (fewer changes called real).
6. Otherwise, with ``d`` = change in the better direction and ``T`` = the
   target in the KPI's unit: ``d >= T`` → ``"Målet är nått eller överträffat"``,
   ``0 <= d < T`` → ``"Närmare målet eller oförändrat"``, ``d < 0`` →
   ``"Försämring"`` (SKR's three categories). A goal without a number
   ("ska öka") counts any improvement as reached.

Comparisons use the latest year with a value: the kommun against its county
(region), Sweden (Riket) and the unweighted mean of its "Liknande kommuner
socioekonomi" group (the newest edition by the year in its title; the kommun
itself is never counted). Differences are standardised by the standard
deviation across all kommuner (regions for region-level KPIs), and flagged as
uncertain when they are within ``sqrt(u_area² + u_reference²)``.
Rank colours follow Kolada: all kommuner ranked per KPI, sex and year with our
direction table, best third green, middle third yellow, worst third red.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from helpers.core import fmt, indicators, lookup, paths
from helpers.core.errors import DataError, Problem

PARAMS_FILE = "strategi_for_halsa.yaml"

STATUS_REACHED = "Målet är nått eller överträffat"
STATUS_CLOSER = "Närmare målet eller oförändrat"
STATUS_WORSE = "Försämring"
STATUS_WITHIN_MARGIN = "inom felmarginalen"
STATUS_NOT_COMPARABLE = "ej jämförbar över tid"
STATUS_NO_DATA = "data saknas"
STATUS_NOT_ASSESSED = "ej bedömd"
#: Every status, in display order (SKR's three categories first).
STATUSES: tuple[str, ...] = (
    STATUS_REACHED,
    STATUS_CLOSER,
    STATUS_WORSE,
    STATUS_WITHIN_MARGIN,
    STATUS_NOT_COMPARABLE,
    STATUS_NO_DATA,
    STATUS_NOT_ASSESSED,
)

#: A symbol per status, so tables and charts read in greyscale too.
STATUS_SYMBOLS: dict[str, str] = {
    STATUS_REACHED: "✓",
    STATUS_CLOSER: "↗",
    STATUS_WORSE: "✗",
    STATUS_WITHIN_MARGIN: "≈",
    STATUS_NOT_COMPARABLE: "≠",
    STATUS_NO_DATA: "–",
    STATUS_NOT_ASSESSED: "?",
}

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
_UNIT_NAMES: dict[str, str] = {
    "procent": "procent (en andel)",
    "per 1000": "antal per 1 000 invånare",
    "per 100 000": "antal per 100 000 invånare",
    "år": "år",
    "index": "ett index",
    "antal": "antal",
    "kronor": "kronor",
}

RANK_GREEN, RANK_YELLOW, RANK_RED, RANK_MISSING = "grön", "gul", "röd", "saknas"
#: Symbol and Swedish description per rank colour.
RANK_LABELS: dict[str, tuple[str, str]] = {
    RANK_GREEN: ("▲", "bästa tredjedelen"),
    RANK_YELLOW: ("●", "mittersta tredjedelen"),
    RANK_RED: ("▼", "sämsta tredjedelen"),
    RANK_MISSING: ("–", "ingen rangordning"),
}
#: Why a target status and a rank colour can disagree (shown beside them).
WHY_DIFFER = (
    "Målstatusen mäter förändringen sedan basåret, medan färgen jämför nivån med alla "
    "kommuner samma år – en kommun kan förbättra sig mer än målet och ändå ligga bland de "
    "sämsta, eller tvärtom."
)
SIMILAR_KOMMUNER = "Liknande kommuner socioekonomi"
SIMILAR_REGIONER = "Liknande regioner socioekonomi"
COMPARISONS: tuple[str, ...] = ("län", "riket", "liknande")
_EPS = 1e-9

_INDICATOR_KEYS: dict[str, type | tuple[type, ...]] = {
    "kpi": str,
    "title": str,
    "short_name": str,
    "level": str,
    "unit": str,
    "direction": str,
    "target_change": (int, float, type(None)),
    "target_unit": str,
    "baseline_year": int,
    "divided_by_sex": bool,
    "sex": (str, type(None)),
    "survey": bool,
    "uncertainty_kpi": (str, type(None)),
    "uncertainty_mapping": (str, type(None)),
    "comparable_over_time": bool,
    "series_break": (int, type(None)),
    "pooled_years": int,
    "decimals": int,
    "mapping": str,
}
_REQUIRED_INDICATOR_KEYS = (
    "kpi",
    "short_name",
    "level",
    "unit",
    "direction",
    "target_change",
    "target_unit",
    "mapping",
)
_NULLABLE_KEYS = {
    "title",
    "target_change",
    "sex",
    "uncertainty_kpi",
    "uncertainty_mapping",
    "series_break",
}
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

#: Columns of the goal table returned by :func:`load_goals`.
GOAL_COLUMNS: tuple[str, ...] = (
    "goal",
    "label",
    "goal_area",
    "subarea",
    "goal_name",
    "goal_text",
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


# --------------------------------------------------------------------------- goal file
def default_goals_path() -> Path:
    """Return ``params/strategi_for_halsa.yaml`` under the project root.

    When the root is overridden (``FOLKHALSA_ROOT``, e.g. in tests) and holds no
    goal file, the file shipped next to the package is used.
    """
    path = paths.params_dir() / PARAMS_FILE
    if path.exists():
        return path
    return paths.PACKAGE_DIR.parent.parent / "params" / PARAMS_FILE


def load_goals(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the goal file.

    Parameters
    ----------
    path : str or Path, optional
        YAML file; default :func:`default_goals_path`.

    Returns
    -------
    pandas.DataFrame
        The goal table (:data:`GOAL_COLUMNS`): one row per goal and KPI, and one
        row with an empty ``kpi`` for a goal without a KPI.

    Raises
    ------
    DataError
        If the file is missing, not YAML, or breaks the schema (all problems listed).
    """
    path = Path(path) if path is not None else default_goals_path()
    if not path.exists():
        raise DataError(Problem("filen finns inte", file=str(path)))
    try:
        # libyaml's loader when built in: ten times faster than the pure-Python one.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise DataError(Problem(f"filen är inte giltig YAML: {exc}", file=path.name)) from exc
    return goals_from_dict(raw, file=path.name)


def _check_type(value: Any, types: type | tuple[type, ...]) -> bool:
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        return False  # YAML booleans are ints in Python; do not accept them as numbers
    return isinstance(value, types)


def goals_from_dict(raw: Any, file: str = PARAMS_FILE) -> pd.DataFrame:
    """Validate a parsed goal file and return the goal table.

    Only the *structure* is checked here (required keys, types, allowed values,
    unique goal numbers, known areas); whether a target fits its KPI, or a KPI
    exists in Kolada, is reported per goal by :func:`goal_problems` and in the
    ``message`` column of :func:`goal_status`.

    Parameters
    ----------
    raw : dict
        The parsed YAML.
    file : str
        File name used in error messages.

    Returns
    -------
    pandas.DataFrame
        The goal table.

    Raises
    ------
    DataError
        Listing every structural problem found.
    """
    problems: list[Problem] = []

    def bad(message: str, column: str | None = None) -> None:
        problems.append(Problem(message, file=file, column=column))

    if not isinstance(raw, Mapping):
        raise DataError(
            Problem("filen ska innehålla en mappning med nycklarna areas och goals", file)
        )
    areas = raw.get("areas")
    if list(areas or []) != list(AREAS):
        bad(f"areas ska vara SKR:s tre målområden: {', '.join(AREAS)}", "areas")
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        bad("defaults ska vara en mappning", "defaults")
        defaults = {}
    for key in defaults:
        if key not in _INDICATOR_KEYS:
            bad(f"okänd nyckel '{key}' i defaults", "defaults")
    target_year = raw.get("target_year", 2022)
    if not _check_type(target_year, int):
        bad("target_year ska vara ett årtal", "target_year")
        target_year = 2022
    goals = raw.get("goals")
    if not isinstance(goals, list) or not goals:
        bad("goals ska vara en lista med mål", "goals")
        goals = []
    rows: list[dict[str, Any]] = []
    seen: set[int] = set()
    for i, goal in enumerate(goals, start=1):
        where = f"mål nr {i} i listan"
        if not isinstance(goal, Mapping):
            bad(f"{where}: ska vara en mappning", "goals")
            continue
        number = goal.get("number")
        if not _check_type(number, int) or number < 1:
            bad(f"{where}: number ska vara ett positivt heltal", "number")
            continue
        where = f"mål {number}"
        if number in seen:
            bad(f"{where}: målnumret förekommer flera gånger", "number")
        seen.add(number)
        for key in goal:
            if key not in _GOAL_KEYS:
                bad(f"{where}: okänd nyckel '{key}'", key)
        if goal.get("area") not in AREAS:
            bad(f"{where}: area ska vara ett av {', '.join(AREAS)}", "area")
        for key in ("name", "goal_text"):
            if not isinstance(goal.get(key), str) or not goal.get(key).strip():
                bad(f"{where}: {key} saknas", key)
        inds = goal.get("indicators") or []
        if not isinstance(inds, list):
            bad(f"{where}: indicators ska vara en lista", "indicators")
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
                bad(f"{where}: ett mål utan indikatorer ska ha mapping: missing", "mapping")
            rows.append(
                {**_empty_indicator(defaults), **base, "label": str(number), "mapping": "missing"}
            )
            continue
        letters = "abcdefghijklmnopqrstuvwxyz"
        for j, ind in enumerate(inds):
            label = f"{number}{letters[j]}" if len(inds) > 1 else str(number)
            row = _indicator_row(ind, defaults, f"{where}, indikator {j + 1}", bad)
            if row is not None:
                rows.append({**row, **base, "label": label})
    if problems:
        raise DataError(problems)
    table = pd.DataFrame(rows, columns=list(GOAL_COLUMNS))
    return table.sort_values(["goal", "label"]).reset_index(drop=True)


def _empty_indicator(defaults: Mapping[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {k: None for k in _INDICATOR_KEYS}
    row.update({k: v for k, v in defaults.items() if k in _INDICATOR_KEYS})
    row.update({"kpi": None, "title": "", "short_name": "", "target_change": np.nan})
    return row


def _indicator_row(ind: Any, defaults: Mapping[str, Any], where: str, bad: Any) -> dict | None:
    if not isinstance(ind, Mapping):
        bad(f"{where}: ska vara en mappning", "indicators")
        return None
    ok = True
    for key in ind:
        if key not in _INDICATOR_KEYS:
            bad(f"{where}: okänd nyckel '{key}'", key)
            ok = False
    for key in _REQUIRED_INDICATOR_KEYS:
        if key not in ind:
            bad(f"{where}: nyckeln '{key}' saknas", key)
            ok = False
    row = {k: None for k in _INDICATOR_KEYS}
    row.update({k: v for k, v in defaults.items() if k in _INDICATOR_KEYS})
    row.update(ind)
    for key, types in _INDICATOR_KEYS.items():
        value = row.get(key)
        if value is None:
            if key not in _NULLABLE_KEYS:
                bad(f"{where}: '{key}' saknas (varken i indikatorn eller i defaults)", key)
                ok = False
            continue
        if not _check_type(value, types):
            bad(f"{where}: '{key}' har fel typ ({value!r})", key)
            ok = False
    if row.get("title") is None:
        row["title"] = ""
    checks = (
        ("level", LEVELS),
        ("unit", tuple(UNITS)),
        ("direction", tuple(DIRECTIONS)),
        ("target_unit", tuple(TARGET_UNITS)),
        ("mapping", MAPPINGS),
    )
    for key, allowed in checks:
        if row.get(key) is not None and row.get(key) not in allowed:
            bad(
                f"{where}: {key} '{row.get(key)}' är inte tillåtet (tillåtna: {', '.join(allowed)})",
                key,
            )
            ok = False
    for key in ("kpi", "uncertainty_kpi"):
        value = row.get(key)
        if isinstance(value, str) and not re.fullmatch(r"[A-Z]\d{5}", value):
            bad(f"{where}: '{value}' ser inte ut som ett Kolada-id (t.ex. N80401)", key)
            ok = False
    if row.get("sex") not in (None, "kvinnor", "män"):
        bad(f"{where}: sex ska vara kvinnor, män eller tomt", "sex")
        ok = False
    if row.get("uncertainty_mapping") not in (None, "exact", "closest"):
        bad(f"{where}: uncertainty_mapping ska vara exact eller closest", "uncertainty_mapping")
        ok = False
    if not ok:
        return None
    row["target_change"] = np.nan if row["target_change"] is None else float(row["target_change"])
    return row


def goal_problems(goals: pd.DataFrame, catalog: Any = None) -> pd.DataFrame:
    """Return the per-goal problems of a goal table, in Swedish.

    Checks that each target's unit fits the KPI's unit and that its sign fits
    the direction; with a ``catalog`` (Kolada's KPI list) also that every KPI
    and *Osäkerhetstal* id exists, that the title, unit, sex split and level
    agree with the catalogue, and that the uncertainty KPI is the one whose
    title matches (:func:`find_uncertainty_kpi`).

    Parameters
    ----------
    goals : pandas.DataFrame
        Goal table from :func:`load_goals`.
    catalog : list of dict or pandas.DataFrame or dict, optional
        Kolada v3 KPI records (``id``, ``title``, ``is_divided_by_gender``,
        ``municipality_type`` …).

    Returns
    -------
    pandas.DataFrame
        Columns ``goal``, ``label``, ``kpi``, ``message`` (empty when all is well).
    """
    cat = _catalog_map(catalog) if catalog is not None else None
    rows = []
    for g in goals.itertuples(index=False):
        if not isinstance(g.kpi, str):
            continue
        for msg in _config_messages(g, cat, full=True):
            rows.append({"goal": g.goal, "label": g.label, "kpi": g.kpi, "message": msg})
    return pd.DataFrame(rows, columns=["goal", "label", "kpi", "message"])


def _config_messages(g: Any, cat: dict | None, full: bool = False) -> list[str]:
    """Problems that make a goal impossible to assess (and, with ``full``, the others)."""
    msgs: list[str] = []
    rec = None
    if cat is not None:
        rec = cat.get(g.kpi)
        if rec is None:
            return [f"KPI {g.kpi} finns inte i Koladas katalog – kontrollera id:t i {PARAMS_FILE}."]
    unit = g.unit
    if rec is not None:
        title_unit = unit_from_title(rec.get("title") or "")
        if title_unit is not None and title_unit != g.unit:
            if full:
                msgs.append(
                    f"KPI {g.kpi} mäts enligt katalogen i {_UNIT_NAMES.get(title_unit, title_unit)}, "
                    f"inte i {_UNIT_NAMES.get(g.unit, g.unit)} som i {PARAMS_FILE}."
                )
            unit = title_unit
    if (g.target_unit, unit) not in TARGET_FACTORS:
        if g.target_unit == "pp":
            msgs.append(
                f"Målet anges i procentenheter men KPI {g.kpi} är inte en andel "
                f"(den mäts i {_UNIT_NAMES.get(unit, unit)}); förändringen kan inte jämföras med målet."
            )
        else:
            msgs.append(
                f"Målet anges i {TARGET_UNITS[g.target_unit]} men KPI {g.kpi} mäts i "
                f"{_UNIT_NAMES.get(unit, unit)}; förändringen kan inte jämföras med målet."
            )
    target = g.target_change
    if target is not None and not (isinstance(target, float) and math.isnan(target)):
        if target * DIRECTIONS[g.direction] < 0:
            better = "högre" if g.direction == "higher" else "lägre"
            msgs.append(
                f"Målet {fmt.signed(target, 0)} går åt fel håll: för KPI {g.kpi} är {better} bättre."
            )
    if not full or rec is None:
        return msgs
    if _norm_title(rec.get("title") or "") != _norm_title(g.title or ""):
        msgs.append(f"Titeln skiljer sig från katalogens: '{rec.get('title')}'.")
    divided = bool(rec.get("is_divided_by_gender"))
    if divided != bool(g.divided_by_sex) and not (g.sex and not divided):
        msgs.append(f"divided_by_sex ska vara {str(divided).lower()} enligt katalogen.")
    mtype = rec.get("municipality_type")
    if g.level == "kommun" and mtype == "L":
        msgs.append(f"KPI {g.kpi} finns bara för regioner (typ L); ange level: region.")
    if g.level == "region" and mtype == "K":
        msgs.append(f"KPI {g.kpi} finns bara för kommuner (typ K); ange level: kommun.")
    pair = find_uncertainty_kpi(g.kpi, cat)
    if isinstance(g.uncertainty_kpi, str):
        urec = cat.get(g.uncertainty_kpi)
        if urec is None:
            msgs.append(f"Osäkerhetstalet {g.uncertainty_kpi} finns inte i Koladas katalog.")
        elif not (urec.get("title") or "").casefold().startswith("osäkerhetstal"):
            msgs.append(f"{g.uncertainty_kpi} är inget osäkerhetstal: '{urec.get('title')}'.")
        elif pair is None or pair["id"] != g.uncertainty_kpi:
            found = f"{pair['id']} ('{pair['title']}')" if pair else "inget"
            msgs.append(
                f"Osäkerhetstalet vars titel matchar KPI {g.kpi} är {found}, inte {g.uncertainty_kpi}."
            )
        elif g.uncertainty_mapping not in (None, pair["quality"]):
            msgs.append(f"uncertainty_mapping ska vara {pair['quality']} (titlarna jämförda).")
    elif pair is not None:
        msgs.append(
            f"Katalogen har ett osäkerhetstal för KPI {g.kpi}: {pair['id']} ('{pair['title']}')."
        )
    return msgs


# --------------------------------------------------------------------------- catalogue
class Catalog(dict):
    """Kolada's KPI catalogue as ``{id: record}``, with title words cached for matching."""

    _tokens: dict[str, tuple[str, ...]] | None = None

    def tokens(self) -> dict[str, tuple[str, ...]]:
        """Return the normalised title words of every KPI (computed once)."""
        if self._tokens is None:
            self._tokens = {cid: _title_tokens(r.get("title") or "") for cid, r in self.items()}
        return self._tokens


def catalog_index(catalog: Any) -> Catalog:
    """Index Kolada's KPI catalogue by id.

    Parameters
    ----------
    catalog : list of dict, dict, pandas.DataFrame or Catalog
        KPI records (``/v3/kpi``), an envelope ``{"values": [...]}``, a mapping
        ``{id: record}`` or a DataFrame with an ``id`` column.

    Returns
    -------
    Catalog
        The same object if it already is one.
    """
    if isinstance(catalog, Catalog):
        return catalog
    if isinstance(catalog, pd.DataFrame):
        frame = catalog if "id" in catalog.columns else catalog.reset_index()
        records = frame.to_dict("records")
    elif isinstance(catalog, Mapping):
        if isinstance(catalog.get("values"), list):
            records = catalog["values"]
        else:
            return Catalog({str(k): dict(v) for k, v in catalog.items()})
    else:
        records = list(catalog)
    return Catalog({str(r["id"]): r for r in records})


_catalog_map = catalog_index


def unit_from_title(title: str) -> str | None:
    """Guess a KPI's unit from its Kolada title.

    Parameters
    ----------
    title : str
        Kolada KPI title, e.g. ``"Fallskador bland personer 80+, 3-årsm, antal
        slutenvårdstillfällen/100 000 inv"``.

    Returns
    -------
    str or None
        ``"per 100 000"``, ``"per 1000"``, ``"procent"``, ``"index"``, ``"år"``,
        ``"kronor"``, ``"antal"``, or ``None`` when the title does not say (for
        example a ``medelvärde``).
    """
    t = re.sub(r"\(-\s*\d{4}\)\s*$", "", title.casefold()).strip()
    if re.search(r"(/|per )\s*100[\s\u00a0]?000", t):
        return "per 100 000"
    if re.search(r"(/|per )\s*1[\s\u00a0]?000\b", t):
        return "per 1000"
    if re.search(r"\(%\)|andel|procent", t):
        return "procent"
    if re.search(r"\bindex\b", t):
        return "index"
    if re.search(r",\s*år$", t):
        return "år"
    if re.search(r"\bkr\b|kronor|kr/", t):
        return "kronor"
    if re.search(r",\s*antal$", t):
        return "antal"
    return None


def _norm_title(title: str) -> str:
    return re.sub(r"\s+", " ", str(title)).strip().casefold()


def _title_tokens(title: str) -> tuple[str, ...]:
    t = _norm_title(title)
    t = re.sub(r"^osäkerhetstal\s*-\s*", "", t)
    t = re.sub(r"\(-\s*\d{4}\)", "", t)
    t = t.replace("andel (%)", " ").replace("(%)", " ")
    t = re.sub(r"^\s*andel\s+", "", t)
    tokens = re.findall(r"[0-9a-zåäöéü+]+(?:-[0-9a-zåäöéü+]+)*", t)
    return tuple(tok for tok in tokens if tok != "andel")


def _is_uncertainty(title: str) -> bool:
    return title.casefold().startswith("osäkerhetstal")


def _numbers(words: set[str]) -> set[str]:
    return {w for w in words if any(ch.isdigit() for ch in w)}


def _match_score(words: set[str], other: set[str]) -> float:
    """Jaccard similarity of two word sets; 0 unless every number in ``words`` is in ``other``."""
    if not _numbers(words) <= _numbers(other):
        return 0.0  # "7 timmar" is not "10 timmar"
    union = words | other
    return len(words & other) / len(union) if union else 0.0


def find_uncertainty_kpi(kpi: str, catalog: Any, min_score: float = 0.6) -> dict | None:
    """Find the *Osäkerhetstal* KPI whose title matches a KPI's title.

    Kolada's uncertainty KPIs are titled ``"Osäkerhetstal - <title>"``, but the
    titles are not always identical (``"Andel invånare 16-84 år med …"`` for
    ``"Invånare med …"``). Titles are normalised (prefix, ``andel``, ``(%)``
    removed) and compared as word sets (Jaccard similarity); every number in
    the KPI's title (ages, hours) must also be in the candidate's title. The
    match must be mutual: the KPI must also be the uncertainty KPI's best match
    among all ordinary KPIs (so ``"alltid eller oftast bra bemötande"`` does not
    take the uncertainty of ``"alltid bra bemötande"``).

    Parameters
    ----------
    kpi : str
        KPI id, e.g. ``"U01405"``.
    catalog : list of dict or pandas.DataFrame or dict
        Kolada v3 KPI records.
    min_score : float
        Smallest similarity accepted; the best match must also beat the
        second-best by 0,1.

    Returns
    -------
    dict or None
        ``{"id", "title", "score", "quality"}`` with quality ``"exact"`` (same
        normalised words in the same order) or ``"closest"``; ``None`` when no
        uncertainty KPI matches clearly.
    """
    cat = _catalog_map(catalog)
    rec = cat.get(kpi)
    if rec is None or _is_uncertainty(rec.get("title") or ""):
        return None
    tokens = cat.tokens()
    uncertain = [cid for cid, r in cat.items() if _is_uncertainty(r.get("title") or "")]
    words = set(tokens[kpi])
    scored = sorted(
        ((_match_score(words, set(tokens[cid])), cid) for cid in uncertain),
        key=lambda x: (-x[0], x[1]),
    )
    if not scored or scored[0][0] < min_score:
        return None
    best_score, best = scored[0]
    if len(scored) > 1 and best_score - scored[1][0] < 0.1:
        return None
    best_words = set(tokens[best])
    rivals = [
        _match_score(set(tokens[cid]), best_words)
        for cid in cat
        if cid != kpi and cid not in uncertain
    ]
    if rivals and max(rivals) >= best_score:
        return None  # another KPI fits this uncertainty KPI at least as well
    return {
        "id": best,
        "title": cat[best].get("title"),
        "score": round(best_score, 3),
        "quality": "exact" if tokens[best] == tokens[kpi] else "closest",
    }


def _records(result: Any) -> list[dict]:
    if result is None:
        return []
    if isinstance(result, pd.DataFrame):
        return result.to_dict("records")
    if isinstance(result, Mapping):
        return list(result.get("values") or [])
    return list(result)


def compare_with_kolada_group(
    client: Any, goals: pd.DataFrame | None = None, only_differences: bool = True
) -> pd.DataFrame:
    """Compare the goal file with Kolada's KPI group "Strategi för hälsa".

    Calls ``client.kpi_groups(title="strategi")`` (Kolada v3 ``/kpi_groups``),
    keeps the groups whose title contains "Strategi för hälsa" and lists the
    KPIs that are only in Kolada's group, only in the goal file, or in both
    with different titles.

    Parameters
    ----------
    client : object
        Anything with a ``kpi_groups(title=...)`` method returning v3 KPI groups:
        a list of ``{id, title, members: [{member_id, member_title}]}`` (or an
        envelope with ``values``, or a DataFrame of such records).
    goals : pandas.DataFrame, optional
        Goal table; default :func:`load_goals`.
    only_differences : bool
        Drop the KPIs found in both with the same title.

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi``, ``goal``, ``label``, ``yaml_title``, ``kolada_title``,
        ``group_id``, ``group_title``, ``difference``, ``message`` (Swedish).
    """
    goals = load_goals() if goals is None else goals
    columns = [
        "kpi",
        "goal",
        "label",
        "yaml_title",
        "kolada_title",
        "group_id",
        "group_title",
        "difference",
        "message",
    ]
    groups = [
        g
        for g in _records(client.kpi_groups(title="strategi"))
        if "strategi för hälsa" in _norm_title(g.get("title", ""))
    ]
    if not groups:
        msg = "Ingen KPI-grupp med 'Strategi för hälsa' i titeln hittades i Kolada."
        return pd.DataFrame([dict.fromkeys(columns, "") | {"message": msg}], columns=columns)
    members: dict[str, tuple[str, str, str]] = {}
    for grp in groups:
        for m in grp.get("members") or []:
            members.setdefault(
                str(m.get("member_id")), (str(m.get("member_title") or ""), grp["id"], grp["title"])
            )
    ours = goals.dropna(subset=["kpi"])
    ours = {r.kpi: r for r in ours.itertuples(index=False)}
    rows = []
    for kpi in sorted(set(members) | set(ours)):
        mine, theirs = ours.get(kpi), members.get(kpi)
        row = {
            "kpi": kpi,
            "goal": mine.goal if mine is not None else pd.NA,
            "label": mine.label if mine is not None else "",
            "yaml_title": mine.title if mine is not None else "",
            "kolada_title": theirs[0] if theirs else "",
            "group_id": theirs[1] if theirs else "",
            "group_title": theirs[2] if theirs else "",
        }
        if mine is None:
            row["difference"] = "bara i Kolada"
            row["message"] = (
                f"KPI {kpi} ('{theirs[0]}') finns i Koladas grupp men inte i {PARAMS_FILE}."
            )
        elif theirs is None:
            row["difference"] = "bara i yaml"
            row["message"] = (
                f"KPI {kpi} (mål {mine.label}) finns i {PARAMS_FILE} men inte i Koladas grupp "
                f"'{groups[0]['title']}'."
            )
        elif theirs[0] and _norm_title(theirs[0]) != _norm_title(mine.title):
            row["difference"] = "olika titel"
            row["message"] = f"KPI {kpi}: titeln i Kolada är '{theirs[0]}'."
        else:
            row["difference"] = ""
            row["message"] = ""
        rows.append(row)
    out = pd.DataFrame(rows, columns=columns)
    if only_differences:
        out = out[out["difference"] != ""]
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- table prep
def attach_uncertainty(table: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame:
    """Turn Kolada's *Osäkerhetstal* rows into intervals on the KPI they belong to.

    For each KPI with an ``uncertainty_kpi`` in the goal table, the
    uncertainty ``u`` (same area, period, sex and group) becomes
    ``ci_lower = value − u`` and ``ci_upper = value + u`` (shares clipped to
    0–100); ``ci_level`` stays NaN because Kolada does not state the level. The
    uncertainty rows themselves are removed. Flags are kept.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table holding both the KPIs and their uncertainty KPIs.
    goals : pandas.DataFrame
        Goal table.

    Returns
    -------
    pandas.DataFrame
        A validated indicator table.
    """
    pairs = goals.dropna(subset=["kpi", "uncertainty_kpi"])
    pairs = pairs[["kpi", "uncertainty_kpi", "unit"]].drop_duplicates()
    u_ids = set(pairs["uncertainty_kpi"])
    if not u_ids or not table["indicator"].isin(u_ids).any():
        return table
    out = table.copy()
    key = ["area_code", "period", "sex", "group"]
    for kpi, ukpi, unit in pairs.itertuples(index=False):
        usable = (out["indicator"] == ukpi) & out["value"].notna()
        u = out.loc[usable, [*key, "value"]].rename(columns={"value": "_u"})
        main = out.index[(out["indicator"] == kpi).to_numpy()]
        if len(main) == 0 or u.empty:
            continue
        merged = out.loc[main, key].merge(u, on=key, how="left")
        uvals = merged["_u"].to_numpy(dtype=float)
        vals = out.loc[main, "value"].to_numpy(dtype=float)
        has = ~np.isnan(uvals) & ~np.isnan(vals)
        idx = main[has]
        lo, hi = vals[has] - uvals[has], vals[has] + uvals[has]
        if unit == "procent":
            lo, hi = np.maximum(lo, 0.0), np.minimum(hi, 100.0)
        out.loc[idx, "ci_lower"] = lo
        out.loc[idx, "ci_upper"] = hi
        out.loc[idx, "flag_reason"] = [
            f"Osäkerhetstal ±{fmt.num(x, 1)} ({ukpi})" for x in uvals[has]
        ]
    out = out[~out["indicator"].isin(u_ids)].reset_index(drop=True)
    return indicators.validate(out)


def prepare(table: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame:
    """Keep the goal KPIs, label single-sex KPIs and attach the uncertainty.

    Kolada delivers sex-specific KPIs (life expectancy of women, N00925) with
    gender ``T``; they get the sex given in the goal file. Idempotent: a table
    this function returned (or a row subset of one) carries a marker in
    ``DataFrame.attrs`` for these goals and is returned as it is.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table.
    goals : pandas.DataFrame
        Goal table.

    Returns
    -------
    pandas.DataFrame
        The prepared indicator table.
    """
    kpis = set(goals["kpi"].dropna()) | set(goals["uncertainty_kpi"].dropna())
    marker = _prepared_marker(goals)
    if table.attrs.get(_PREPARED) == marker:
        return table
    out = table[table["indicator"].isin(kpis)].copy()
    for g in goals.dropna(subset=["kpi", "sex"]).itertuples(index=False):
        rows = out["indicator"] == g.kpi
        if rows.any() and not (rows & (out["sex"] == g.sex)).any():
            out.loc[rows & (out["sex"] == "totalt"), "sex"] = g.sex
    out = attach_uncertainty(out.reset_index(drop=True), goals)  # never ``table`` itself
    out.attrs[_PREPARED] = marker
    return out


_PREPARED = "helpers.stats.strategi.prepared"


def _prepared_marker(goals: pd.DataFrame) -> str:
    """Return what :func:`prepare` depends on in the goal table, as one string."""
    cols = [c for c in ("kpi", "sex", "uncertainty_kpi", "unit") if c in goals.columns]
    rows = sorted({"|".join(map(str, r)) for r in goals[cols].itertuples(index=False)})
    return ";".join(rows)


def _half_width(df: pd.DataFrame) -> np.ndarray:
    v = df["value"].to_numpy(dtype=float)
    lo = df["ci_lower"].to_numpy(dtype=float)
    hi = df["ci_upper"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        return np.fmax(v - lo, hi - v)


class _Series:
    """Fast lookup of (indicator, area, sex) -> period-indexed value and half-width."""

    def __init__(self, table: pd.DataFrame, areas: Iterable[str] | None = None):
        t = table[indicators.usable(table) & (table["group"] == indicators.ALL_GROUPS)]
        if areas is not None:
            t = t[t["area_code"].isin(set(areas))]
        df = pd.DataFrame(
            {
                "indicator": t["indicator"].astype(str).to_numpy(),
                "area_code": t["area_code"].astype(str).to_numpy(),
                "sex": t["sex"].astype(str).to_numpy(),
                "period": t["period"].astype(int).to_numpy(),
                "value": t["value"].to_numpy(dtype=float),
                "u": _half_width(t),
            }
        )
        # Sort once and remember each key's slice; build the small period-indexed
        # frame only when asked for (a report asks for a few hundred of thousands).
        order = np.lexsort(
            (df["period"].to_numpy(), df["sex"].to_numpy(dtype=object),
             df["area_code"].to_numpy(dtype=object), df["indicator"].to_numpy(dtype=object))
        )  # fmt: skip
        ind = df["indicator"].to_numpy(dtype=object)[order]
        area = df["area_code"].to_numpy(dtype=object)[order]
        sex = df["sex"].to_numpy(dtype=object)[order]
        self._period = df["period"].to_numpy()[order]
        self._value = df["value"].to_numpy()[order]
        self._u = df["u"].to_numpy()[order]
        n = len(order)
        change = np.ones(n, dtype=bool)
        if n:
            change[1:] = (ind[1:] != ind[:-1]) | (area[1:] != area[:-1]) | (sex[1:] != sex[:-1])
        starts = np.flatnonzero(change)
        ends = np.append(starts[1:], n)
        self._slices: dict[tuple[str, str, str], tuple[int, int]] = {
            (ind[a], area[a], sex[a]): (int(a), int(b)) for a, b in zip(starts, ends, strict=True)
        }
        self._cache: dict[tuple[str, str, str], pd.DataFrame] = {}
        self.indicators = set(ind) | {str(x) for x in table["indicator"].unique()}

    def get(self, kpi: str, area: str, sex: str) -> pd.DataFrame:
        key = (kpi, area, sex)
        if key not in self._slices:
            return _EMPTY_SERIES
        if key not in self._cache:
            a, b = self._slices[key]
            self._cache[key] = pd.DataFrame(
                {"value": self._value[a:b], "u": self._u[a:b]},
                index=pd.Index(self._period[a:b], name="period"),
            )
        return self._cache[key]

    def at(self, kpi: str, area: str, sex: str, year: int) -> tuple[float, float]:
        """Value and half-width in ``year`` (NaN, NaN when there is none)."""
        key = (kpi, area, sex)
        if key not in self._slices:
            return float("nan"), float("nan")
        a, b = self._slices[key]
        i = a + int(np.searchsorted(self._period[a:b], year))
        if i < b and self._period[i] == year:
            return float(self._value[i]), float(self._u[i])
        return float("nan"), float("nan")


_EMPTY_SERIES = pd.DataFrame({"value": pd.Series(dtype=float), "u": pd.Series(dtype=float)})


def _area_info() -> pd.DataFrame:
    a = lookup.areas().set_index("area_code")
    a["region_code"] = np.where(a["area_type"] == "kommun", "00" + a["lan_code"], "")
    return a


def _sexes(g: Any) -> tuple[str, ...]:
    if isinstance(g.sex, str) and g.sex:
        return (g.sex,)
    return indicators.SEXES if g.divided_by_sex else ("totalt",)


def _value_area(g: Any, area_code: str, info: pd.DataFrame) -> str:
    if g.level == "region" and info.loc[area_code, "area_type"] == "kommun":
        return str(info.loc[area_code, "region_code"])
    return area_code


def _nan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def target_in_kpi_unit(target_change: float | None, target_unit: str, unit: str) -> float:
    """Return a target change expressed in the KPI's unit (NaN when none or not convertible).

    Parameters
    ----------
    target_change : float or None
        Target change in ``target_unit`` (e.g. ``-10`` per 1 000).
    target_unit : str
        One of :data:`TARGET_UNITS`.
    unit : str
        KPI unit, one of :data:`UNITS`.

    Returns
    -------
    float
        For example ``target_in_kpi_unit(-10, "per 1000", "per 100 000") == -1000``.
    """
    if _nan(target_change) or (target_unit, unit) not in TARGET_FACTORS:
        return float("nan")
    return float(target_change) * TARGET_FACTORS[(target_unit, unit)]


def target_text(target_change: float | None, target_unit: str) -> str:
    """Describe a target in Swedish: ``"+2 procentenheter"``, ``"−10 per 1 000 invånare"``, ``"ökning"``."""
    if _nan(target_change):
        return "ökning"
    decimals = 0 if float(target_change).is_integer() else 1
    return (
        f"{fmt.signed(float(target_change), decimals)} {TARGET_UNITS.get(target_unit, target_unit)}"
    )


def classify_change(
    change: float, target: float | None, direction: str, margin: float | None = None
) -> str:
    """Classify a change from baseline into SKR's categories (see the module docstring).

    Parameters
    ----------
    change : float
        Latest minus baseline value, in the KPI's unit.
    target : float or None
        Target change in the KPI's unit (its sign is ignored; the direction
        decides); NaN/None = any improvement reaches the goal.
    direction : {"higher", "lower"}
        Which way is better.
    margin : float, optional
        ``sqrt(u_b² + u_l²)``; a change not larger than this is
        :data:`STATUS_WITHIN_MARGIN`.

    Returns
    -------
    str
        One of :data:`STATUSES`.
    """
    if _nan(change):
        return STATUS_NO_DATA
    if not _nan(margin) and abs(change) <= margin + _EPS:
        return STATUS_WITHIN_MARGIN
    d = change * DIRECTIONS[direction]
    if d < -_EPS:
        return STATUS_WORSE
    if _nan(target):
        return STATUS_REACHED if d > _EPS else STATUS_CLOSER
    return STATUS_REACHED if d >= abs(target) - _EPS else STATUS_CLOSER


STATUS_COLUMNS: tuple[str, ...] = (
    "goal",
    "label",
    "goal_area",
    "goal_name",
    "kpi",
    "short_name",
    "mapping",
    "area_code",
    "area_name",
    "value_area_code",
    "value_area_name",
    "sex",
    "unit",
    "direction",
    "baseline_year",
    "baseline",
    "latest_year",
    "latest",
    "change",
    "target",
    "target_text",
    "u_baseline",
    "u_latest",
    "margin",
    "survey",
    "status",
    "note",
    "message",
)


def goal_status(
    table: pd.DataFrame,
    goals: pd.DataFrame,
    area_codes: str | Sequence[str],
    *,
    until_year: int | None = None,
    catalog: Any = None,
) -> pd.DataFrame:
    """Baseline, latest value, change, target and status per goal, area and sex.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table (from the demo or Kolada loader); it is passed through
        :func:`prepare` first.
    goals : pandas.DataFrame
        Goal table.
    area_codes : str or sequence of str
        Kommun (or region) ids to assess.
    until_year : int, optional
        Latest year to use (default: the latest with a value).
    catalog : optional
        Kolada KPI catalogue; when given, KPI ids unknown to Kolada and units
        that contradict the catalogue give a ``message``.

    Returns
    -------
    pandas.DataFrame
        :data:`STATUS_COLUMNS`. ``target`` is in the KPI's unit, ``margin`` is
        ``sqrt(u_baseline² + u_latest²)``; ``note`` explains, ``message`` reports
        bad input in Swedish. One bad goal never stops the others.
    """
    codes = [area_codes] if isinstance(area_codes, str) else list(area_codes)
    info = _area_info()
    unknown = [c for c in codes if c not in info.index]
    if unknown:
        raise DataError(f"Okända områdeskoder: {', '.join(unknown)}")
    table = prepare(table, goals)
    needed = set(codes) | {str(info.loc[c, "region_code"]) for c in codes} - {""}
    series = _Series(table, needed)
    cat = _catalog_map(catalog) if catalog is not None else None
    rows = []
    for g in goals.itertuples(index=False):
        for code in codes:
            for sex in _sexes(g):
                rows.append(_status_one(g, code, sex, series, info, cat, until_year))
    out = pd.DataFrame(rows, columns=list(STATUS_COLUMNS))
    return out


def _status_one(
    g: Any,
    code: str,
    sex: str,
    series: _Series,
    info: pd.DataFrame,
    cat: dict | None,
    until_year: int | None,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "goal": g.goal,
        "label": g.label,
        "goal_area": g.goal_area,
        "goal_name": g.goal_name,
        "kpi": g.kpi if isinstance(g.kpi, str) else "",
        "short_name": g.short_name or g.goal_name,
        "mapping": g.mapping,
        "area_code": code,
        "area_name": str(info.loc[code, "area_name"]),
        "value_area_code": code,
        "value_area_name": str(info.loc[code, "area_name"]),
        "sex": sex,
        "unit": g.unit or "",
        "direction": g.direction or "",
        "baseline_year": g.baseline_year,
        "baseline": np.nan,
        "latest_year": pd.NA,
        "latest": np.nan,
        "change": np.nan,
        "target": np.nan,
        "target_text": "",
        "u_baseline": np.nan,
        "u_latest": np.nan,
        "margin": np.nan,
        "survey": bool(g.survey) or isinstance(g.uncertainty_kpi, str),
        "status": STATUS_NO_DATA,
        "note": "",
        "message": "",
    }
    notes: list[str] = []
    if not isinstance(g.kpi, str):
        row["message"] = "Ingen KPI i Kolada motsvarar målet (mapping: missing)."
        if g.candidates:
            row["note"] = f"Närliggande men inte använda: {g.candidates}."
        return row
    row["target"] = target_in_kpi_unit(g.target_change, g.target_unit, g.unit)
    row["target_text"] = target_text(g.target_change, g.target_unit)
    problems = _config_messages(g, cat)
    if problems:
        row["message"] = " ".join(problems)
        unknown = problems[0].startswith(f"KPI {g.kpi} finns inte")
        row["status"] = STATUS_NO_DATA if unknown else STATUS_NOT_ASSESSED
        return row
    if g.kpi not in series.indicators:
        row["message"] = (
            f"Data saknar helt KPI {g.kpi} – okänt id i Kolada eller inte hämtad; "
            f"kontrollera {PARAMS_FILE}."
        )
        return row
    varea = _value_area(g, code, info)
    row["value_area_code"] = varea
    row["value_area_name"] = str(info.loc[varea, "area_name"])
    if varea != code:
        notes.append(f"Följs på regionnivå: värdet avser {row['value_area_name']}.")
    s = series.get(g.kpi, varea, sex)
    if until_year is not None:
        s = s[s.index <= until_year]
    base_year = int(g.baseline_year)
    after = s[s.index > base_year]
    latest_year = int(after.index.max()) if len(after) else None
    if latest_year is not None and not _nan(g.series_break):
        brk = int(g.series_break)
        if base_year < brk <= latest_year:
            before = after[after.index < brk]
            if len(before):
                latest_year = int(before.index.max())
                notes.append(
                    f"Tidsseriebrott {brk}: jämförelsen görs med {latest_year}, sista året före brottet."
                )
            else:
                row["status"] = STATUS_NOT_COMPARABLE
                notes.append(f"Tidsseriebrott {brk}: inget värde mellan basåret och brottet.")
                latest_year = int(after.index.max())
                row["latest_year"], row["latest"] = latest_year, float(s.loc[latest_year, "value"])
                row["note"] = " ".join(notes)
                return row
    if base_year in s.index:
        row["baseline"] = float(s.loc[base_year, "value"])
        row["u_baseline"] = float(s.loc[base_year, "u"])
    if latest_year is not None:
        row["latest_year"] = latest_year
        row["latest"] = float(s.loc[latest_year, "value"])
        row["u_latest"] = float(s.loc[latest_year, "u"])
    elif len(s):
        row["latest_year"] = int(s.index.max())
        row["latest"] = float(s["value"].iloc[-1])
    if not g.comparable_over_time:
        row["status"] = STATUS_NOT_COMPARABLE
        notes.append("Mätningen har ändrats – ingen jämförelse över tid (SKR 2023).")
        row["note"] = " ".join(notes)
        return row
    if _nan(row["baseline"]):
        first = f"; första år med värde är {int(s.index.min())}" if len(s) else ""
        row["message"] = (
            f"Basåret {base_year} saknar värde för {row['value_area_name']} "
            f"(KPI {g.kpi}, {sex}){first}."
        )
        row["note"] = " ".join(notes)
        return row
    if latest_year is None:
        notes.append("Inget värde efter basåret.")
        row["note"] = " ".join(notes)
        return row
    row["change"] = row["latest"] - row["baseline"]
    ub, ul = row["u_baseline"], row["u_latest"]
    if not (_nan(ub) or _nan(ul)):
        row["margin"] = math.hypot(ub, ul)
    elif isinstance(g.uncertainty_kpi, str) or g.survey:
        if not (_nan(ub) and _nan(ul)) or isinstance(g.uncertainty_kpi, str):
            notes.append(
                "Osäkerhet saknas för basåret eller senaste året: ej prövad mot felmarginalen."
            )
        else:
            notes.append(
                "Urvalsundersökning utan osäkerhetsmått: förändringen kan vara slumpmässig."
            )
    row["status"] = classify_change(row["change"], row["target"], g.direction, row["margin"])
    row["note"] = " ".join(notes)
    return row


# --------------------------------------------------------------------------- groups
def _group_year(title: str) -> int | None:
    m = re.search(r",\s*(\d{4})\s*$", title)
    return int(m.group(1)) if m else None


def _group_base(title: str) -> str:
    return _norm_title(re.sub(r",\s*\d{4}\s*$", "", title))


def find_group(groups: Iterable[Mapping], title: str) -> tuple[dict | None, str]:
    """Find one municipality group by (part of) its title; newest edition wins.

    Matching ignores case and repeated spaces. An exact title wins over
    titles that merely contain ``title``. When all matches are editions of
    the same group (titles equal up to a trailing ``", <year>"``), the newest
    year is chosen.

    Parameters
    ----------
    groups : iterable of dict
        Kolada v3 municipality groups ``{id, title, members: [{member_id, member_title}]}``.
    title : str
        Title or part of it, e.g. ``"Liknande kommuner socioekonomi, Falun,"``.

    Returns
    -------
    (dict or None, str)
        The group and ``""``, or ``None`` and a Swedish message (no match, or
        several different groups).
    """
    want = _norm_title(title)
    groups = list(groups)
    cands = [g for g in groups if want in _norm_title(g.get("title", ""))]
    exact = [g for g in cands if _norm_title(g.get("title", "")) == want]
    if exact:
        cands = exact
    if not cands:
        return (
            None,
            f"Ingen kommungrupp i Kolada har en titel som innehåller '{title.strip(', ')}'.",
        )
    bases = sorted({_group_base(g["title"]) for g in cands})
    if len(bases) > 1:
        names = "; ".join(f"{g['id']} '{g['title']}'" for g in cands[:5])
        more = f" (och {len(cands) - 5} till)" if len(cands) > 5 else ""
        return None, (
            f"Titeln '{title.strip(', ')}' matchar flera kommungrupper: {names}{more}. "
            "Ange hela titeln."
        )
    years = [_group_year(g["title"]) or 0 for g in cands]
    newest = max(years)
    best = [g for g, y in zip(cands, years, strict=True) if y == newest]
    if len(best) > 1:
        names = "; ".join(f"{g['id']} '{g['title']}'" for g in best)
        return None, f"Titeln '{title.strip(', ')}' matchar flera grupper från samma år: {names}."
    return dict(best[0]), ""


def similar_group(
    groups: Iterable[Mapping], area_code: str, title: str | None = None
) -> tuple[dict | None, str]:
    """Return the "Liknande kommuner/regioner socioekonomi" group of a kommun or region.

    Parameters
    ----------
    groups : iterable of dict
        Kolada v3 municipality groups.
    area_code : str
        Kommun id (``"2080"``) or region id (``"0020"``).
    title : str, optional
        Another group title to use instead (matched by :func:`find_group`).

    Returns
    -------
    (dict or None, str)
        The group (members exclude ``area_code``, whatever the source says) and
        ``""``, or ``None`` and a Swedish message.
    """
    info = _area_info()
    if area_code not in info.index or info.loc[area_code, "area_type"] == "riket":
        return None, f"Liknande områden finns bara för kommuner och regioner, inte '{area_code}'."
    name = str(info.loc[area_code, "area_name"])
    if title is None:
        prefix = (
            SIMILAR_KOMMUNER if info.loc[area_code, "area_type"] == "kommun" else SIMILAR_REGIONER
        )
        title = f"{prefix}, {name},"
    group, msg = find_group(groups, title)
    if group is None:
        return None, msg
    members = [m for m in group.get("members") or [] if str(m.get("member_id")) != area_code]
    group["members"] = members
    if not members:
        return None, f"Gruppen '{group['title']}' har inga andra medlemmar än {name}."
    return group, ""


def _member_ids(group: Mapping | None, exclude: str) -> list[str]:
    if not group:
        return []
    return [
        str(m["member_id"]) for m in group.get("members") or [] if str(m["member_id"]) != exclude
    ]


def peer_mean(values: pd.Series, members: Sequence[str], exclude: str) -> tuple[float, int]:
    """Unweighted mean of the members' values, never counting ``exclude``.

    Parameters
    ----------
    values : pandas.Series
        Values indexed by area code (NaN = no value).
    members : sequence of str
        Member area codes.
    exclude : str
        The focal area, left out even if listed among the members.

    Returns
    -------
    (float, int)
        Mean and the number of members with a value (NaN and 0 when none).
    """
    ids = [m for m in members if m != exclude]
    v = values.reindex(ids).dropna()
    return (float(v.mean()) if len(v) else float("nan")), int(len(v))


# --------------------------------------------------------------------------- comparisons
def _peer_stats(table: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame:
    """SD across kommuner (region-level KPIs: across regions) per KPI, sex and period."""
    info = lookup.areas().set_index("area_code")["area_type"]
    t = table[indicators.usable(table) & (table["group"] == indicators.ALL_GROUPS)]
    level = goals.dropna(subset=["kpi"]).drop_duplicates("kpi").set_index("kpi")["level"]
    peer_type = t["indicator"].map(level).map({"kommun": "kommun", "region": "region"})
    t = t[t["area_code"].map(info).to_numpy() == peer_type.to_numpy()]
    return (
        t.groupby(["indicator", "sex", "period"])["value"]
        .agg(sd="std", n="count")
        .reset_index()
        .rename(columns={"indicator": "kpi"})
    )


COMPARISON_COLUMNS: tuple[str, ...] = (
    "goal",
    "label",
    "kpi",
    "short_name",
    "sex",
    "area_code",
    "area_name",
    "period",
    "value",
    "u",
    "comparison",
    "ref_code",
    "ref_name",
    "ref_value",
    "ref_u",
    "n_ref",
    "diff",
    "sd",
    "z",
    "better",
    "margin",
    "uncertain",
    "unit",
    "direction",
    "decimals",
    "message",
)


def comparisons(
    table: pd.DataFrame,
    goals: pd.DataFrame,
    area_code: str,
    groups: Iterable[Mapping],
    *,
    until_year: int | None = None,
    group_title: str | None = None,
) -> pd.DataFrame:
    """Compare a kommun with its county, Sweden and similar kommuner in the latest year.

    Region-level KPIs are compared for the kommun's region (against Sweden and
    the "Liknande regioner socioekonomi" group).

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table.
    goals : pandas.DataFrame
        Goal table.
    area_code : str
        Kommun id (or region id).
    groups : iterable of dict
        Kolada v3 municipality groups.
    until_year : int, optional
        Latest year to use.
    group_title : str, optional
        Title of another peer group (default: the socioeconomic one).

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARISON_COLUMNS`, one row per KPI, sex and comparison
        (``"län"``, ``"riket"``, ``"liknande"``). ``diff`` = area − reference;
        ``z`` = diff / SD across kommuner (or regions); ``better`` in the KPI's
        direction; ``uncertain`` when ``|diff| <= sqrt(u² + u_ref²)``.
    """
    info = _area_info()
    if area_code not in info.index:
        raise DataError(f"Okänd områdeskod '{area_code}'")
    groups = list(groups)
    table = prepare(table, goals)
    if until_year is not None:
        table = table[table["period"] <= until_year]
    stats = _peer_stats(table, goals).set_index(["kpi", "sex", "period"])
    focal_areas = {area_code, _value_area(_Level("region"), area_code, info)}
    peer_groups: dict[str, tuple[dict | None, str]] = {}
    members: set[str] = set()
    for a in focal_areas:
        peer_groups[a] = similar_group(groups, a, group_title if a == area_code else None)
        members |= set(_member_ids(peer_groups[a][0], a))
    needed = focal_areas | members | {lookup.RIKET_CODE} | {str(info.loc[area_code, "region_code"])}
    series = _Series(table, needed - {""})
    rows = []
    for g in goals.dropna(subset=["kpi"]).itertuples(index=False):
        focal = _value_area(g, area_code, info)
        group, gmsg = peer_groups[focal]
        is_kommun = info.loc[focal, "area_type"] == "kommun"
        for sex in _sexes(g):
            s = series.get(g.kpi, focal, sex)
            base = {
                "goal": g.goal,
                "label": g.label,
                "kpi": g.kpi,
                "short_name": g.short_name,
                "sex": sex,
                "area_code": focal,
                "area_name": str(info.loc[focal, "area_name"]),
                "unit": g.unit,
                "direction": g.direction,
                "decimals": g.decimals,
            }
            if s.empty:
                for comp in COMPARISONS:
                    rows.append(base | {"comparison": comp, "message": "data saknas för området"})
                continue
            year = int(s.index.max())
            value, u = float(s.loc[year, "value"]), float(s.loc[year, "u"])
            sd = stats["sd"].get((g.kpi, sex, year), np.nan)
            refs: list[tuple[str, str, str, float, float, int, str]] = []
            if is_kommun:
                reg = str(info.loc[focal, "region_code"])
                at = series.at(g.kpi, reg, sex, year)
                refs.append(("län", reg, str(info.loc[reg, "area_name"]), *at, 1, ""))
            at = series.at(g.kpi, lookup.RIKET_CODE, sex, year)
            refs.append(("riket", lookup.RIKET_CODE, lookup.RIKET_NAME, *at, 1, ""))
            if group is None:
                refs.append(("liknande", "", "", np.nan, np.nan, 0, gmsg))
            else:
                ids = _member_ids(group, focal)
                pairs = np.array([series.at(g.kpi, m, sex, year) for m in ids], dtype=float)
                pairs = pairs.reshape(-1, 2)
                vals = pd.Series(pairs[:, 0], index=ids, dtype=float)
                mean, n = peer_mean(vals, ids, focal)
                have = ~np.isnan(pairs[:, 0])
                us = pairs[have, 1]
                ref_u = (
                    float(np.sqrt((us**2).sum()) / have.sum())
                    if have.any() and not np.isnan(us).any()
                    else np.nan
                )
                kind = "liknande kommuner" if is_kommun else "liknande regioner"
                msg = "" if n else f"ingen av de {len(ids)} {kind} har värde {year}"
                refs.append(("liknande", group["id"], group["title"], mean, ref_u, n, msg))
            for comp, rcode, rname, rvalue, ru, n, msg in refs:
                diff = value - rvalue
                if _nan(u) and _nan(ru):
                    margin = np.nan
                else:
                    margin = math.hypot(0.0 if _nan(u) else u, 0.0 if _nan(ru) else ru)
                rows.append(
                    base
                    | {
                        "period": year,
                        "value": value,
                        "u": u,
                        "comparison": comp,
                        "ref_code": rcode,
                        "ref_name": rname,
                        "ref_value": rvalue,
                        "ref_u": ru,
                        "n_ref": n,
                        "diff": diff,
                        "sd": sd,
                        "z": diff / sd if sd and not _nan(sd) else np.nan,
                        "better": (diff * DIRECTIONS[g.direction] > 0) if not _nan(diff) else pd.NA,
                        "margin": margin,
                        "uncertain": bool(abs(diff) <= margin + _EPS)
                        if not (_nan(diff) or _nan(margin))
                        else False,
                        "message": msg,
                    }
                )
    out = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    missing_ref = out["ref_value"].isna() & (out["message"].fillna("") == "") & out["value"].notna()
    out.loc[missing_ref, "message"] = "referensen saknar värde samma år"
    return out


class _Level:
    """Tiny stand-in for a goal row when only the level matters."""

    def __init__(self, level: str):
        self.level = level


# --------------------------------------------------------------------------- rank colours
def rank_colours(table: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame:
    """Kolada-style colours: rank all kommuner (or regions) per KPI, sex and year.

    The best third (in the goal file's direction) is green, the middle third
    yellow, the worst third red: with rank ``r`` (1 = best, ties share the best
    rank) among ``n`` areas with a value, ``(r − 1)/n < 1/3`` is green and
    ``(r − 1)/n >= 2/3`` red. Kommun-level KPIs rank the 290 kommuner,
    region-level KPIs the 21 regions.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table.
    goals : pandas.DataFrame
        Goal table (KPI levels and directions).

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi``, ``sex``, ``period``, ``area_code``, ``value``, ``rank``,
        ``n`` and ``colour`` (``"grön"``, ``"gul"``, ``"röd"``).
    """
    table = prepare(table, goals)
    info = lookup.areas().set_index("area_code")["area_type"]
    meta = goals.dropna(subset=["kpi"]).drop_duplicates("kpi").set_index("kpi")
    t = table[indicators.usable(table) & (table["group"] == indicators.ALL_GROUPS)]
    t = t[t["indicator"].isin(meta.index)]
    peer = t["indicator"].map(meta["level"])
    t = t[t["area_code"].map(info).to_numpy() == peer.to_numpy()]
    score = t["value"] * t["indicator"].map(meta["direction"].map(DIRECTIONS))
    df = pd.DataFrame(
        {
            "kpi": t["indicator"].astype(str),
            "sex": t["sex"].astype(str),
            "period": t["period"].astype(int),
            "area_code": t["area_code"].astype(str),
            "value": t["value"].astype(float),
            "_score": score.astype(float),
        }
    )
    grp = df.groupby(["kpi", "sex", "period"])["_score"]
    df["rank"] = grp.rank(ascending=False, method="min").astype(int)
    df["n"] = grp.transform("count").astype(int)
    q = (df["rank"] - 1) / df["n"]
    df["colour"] = np.select(
        [q < 1 / 3 - _EPS, q >= 2 / 3 - _EPS], [RANK_GREEN, RANK_RED], RANK_YELLOW
    )
    return df.drop(columns="_score").reset_index(drop=True)


def add_rank_colours(status: pd.DataFrame, ranks: pd.DataFrame) -> pd.DataFrame:
    """Put the rank colour of the latest year beside each target status.

    Parameters
    ----------
    status : pandas.DataFrame
        From :func:`goal_status`.
    ranks : pandas.DataFrame
        From :func:`rank_colours`.

    Returns
    -------
    pandas.DataFrame
        ``status`` with ``rank``, ``n_ranked``, ``colour`` (``"saknas"`` when no
        colour) and ``why`` (:data:`WHY_DIFFER` where a good status meets red or
        a worsening meets green, else empty).
    """
    r = ranks.rename(
        columns={"area_code": "value_area_code", "period": "latest_year", "n": "n_ranked"}
    )
    r = r[["kpi", "sex", "latest_year", "value_area_code", "rank", "n_ranked", "colour"]]
    out = status.copy()
    out["_year"] = pd.to_numeric(out["latest_year"], errors="coerce")
    r = r.rename(columns={"latest_year": "_year"})
    out = out.merge(r, on=["kpi", "sex", "_year", "value_area_code"], how="left").drop(
        columns="_year"
    )
    out["colour"] = out["colour"].fillna(RANK_MISSING)
    good = out["status"].isin([STATUS_REACHED, STATUS_CLOSER]) & (out["colour"] == RANK_RED)
    bad = (out["status"] == STATUS_WORSE) & (out["colour"] == RANK_GREEN)
    out["why"] = np.where(good | bad, WHY_DIFFER, "")
    return out


# --------------------------------------------------------------------------- deviations
def _unit_labels(unit: str) -> tuple[str, str]:
    return UNITS.get(unit, ("", ""))


def _sex_suffix(sex: str, name: str) -> str:
    if sex == "totalt" or sex in name.casefold():
        return ""
    return f" ({sex})"


def _ref_text(comp: str, ref_name: str, n: int, value_text: str) -> str:
    """``"länet, Region Dalarna (90,9 %)"``, ``"riket (6,6 %)"``, ``"liknande kommuner (25,8 %, medel av 7)"``."""
    if comp == "län":
        return f"länet, {ref_name} ({value_text})"
    if comp == "riket":
        return f"riket ({value_text})"
    kind = (
        "liknande regioner"
        if ref_name.casefold().startswith("liknande regioner")
        else "liknande kommuner"
    )
    return f"{kind} ({value_text}, medel av {n})"


def deviation_sentence(row: Mapping[str, Any]) -> str:
    """One Swedish sentence about a deviation from a comparison (see :func:`deviations`)."""
    dec = int(row["decimals"])
    vunit, dunit = _unit_labels(row["unit"])
    name = row["short_name"] + _sex_suffix(row["sex"], row["short_name"])
    direction = "högre" if row["diff"] > 0 else "lägre"
    verdict = "bättre" if row["better"] else "sämre"
    ref = _ref_text(
        row["comparison"], row["ref_name"], int(row["n_ref"]), fmt.num(row["ref_value"], dec, vunit)
    )
    text = (
        f"{name}: {row['area_name']} {fmt.num(row['value'], dec, vunit)} ({int(row['period'])}) är "
        f"{fmt.num(abs(row['diff']), dec)} {dunit} {direction} än {ref} – {verdict}, "
        f"{fmt.num(abs(row['z']), 1)} standardavvikelser"
    )
    if row.get("uncertain"):
        text += "; osäkert: skillnaden ryms inom felmarginalen"
    return text + "."


def worsening_sentence(row: Mapping[str, Any]) -> str:
    """One Swedish sentence about a move away from the target (see :func:`deviations`)."""
    dec = int(row["decimals"])
    vunit, dunit = _unit_labels(row["unit"])
    name = row["short_name"] + _sex_suffix(row["sex"], row["short_name"])
    text = (
        f"{name}: {row['value_area_name']} har gått från {fmt.num(row['baseline'], dec, vunit)} "
        f"({int(row['baseline_year'])}) till {fmt.num(row['latest'], dec, vunit)} ({int(row['latest_year'])}), "
        f"en försämring med {fmt.num(abs(row['change']), dec)} {dunit}; målet var {row['target_text']}"
    )
    if row.get("uncertain"):
        text += "; osäkert: osäkerheten är okänd"
    return text + "."


def deviations(
    comparison: pd.DataFrame,
    status: pd.DataFrame | None = None,
    top: int | None = 10,
    sexes: Sequence[str] = indicators.SEXES,
    area_code: str | None = None,
    per_sex: bool = False,
) -> pd.DataFrame:
    """Rank where an area deviates most from its references or moves away from its target.

    Scores: a comparison scores ``|z|`` (difference in standard deviations
    across kommuner, or regions); a worsening status scores
    ``|change| / SD`` with the same SD. For each KPI (and kind) only the
    largest score is kept, so one KPI does not fill the list.

    Parameters
    ----------
    comparison : pandas.DataFrame
        From :func:`comparisons`.
    status : pandas.DataFrame, optional
        From :func:`goal_status` for the same area.
    top : int or None
        Number of rows to keep (None = all).
    sexes : sequence of str
        Sexes to include.
    area_code : str, optional
        Keep only rows about this area (e.g. the kommun, leaving out the
        region-level KPIs that :func:`comparisons` reports for its region).
    per_sex : bool
        Keep the largest score per KPI *and sex* instead of per KPI.

    Returns
    -------
    pandas.DataFrame
        Columns ``rank``, ``goal``, ``label``, ``kpi``, ``sex``, ``kind``
        (``"avvikelse"`` or ``"bort från målet"``), ``score``, ``uncertain`` and
        ``sentence`` (Swedish, decimal comma).
    """
    cols = ["rank", "goal", "label", "kpi", "sex", "kind", "score", "uncertain", "sentence"]
    keys = ["kpi", "sex"] if per_sex else ["kpi"]
    c = comparison[comparison["z"].notna() & comparison["sex"].isin(sexes)].copy()
    if area_code is not None:
        c = c[c["area_code"] == area_code]
    c["score"] = c["z"].abs()
    c = c.sort_values("score", ascending=False, kind="stable").drop_duplicates(keys)
    rows = [
        {
            "goal": r["goal"],
            "label": r["label"],
            "kpi": r["kpi"],
            "sex": r["sex"],
            "kind": "avvikelse",
            "score": r["score"],
            "uncertain": bool(r["uncertain"]),
            "sentence": deviation_sentence(r),
        }
        for r in c.to_dict("records")
    ]
    if status is not None and len(status):
        sd = (
            comparison.dropna(subset=["sd"])
            .drop_duplicates(["kpi", "sex"])
            .set_index(["kpi", "sex"])[["sd", "decimals"]]
        )
        worse = status[(status["status"] == STATUS_WORSE) & status["sex"].isin(sexes)]
        if area_code is not None:
            worse = worse[worse["value_area_code"] == area_code]
        for r in worse.to_dict("records"):
            key = (r["kpi"], r["sex"])
            if key not in sd.index:
                continue
            r["decimals"] = sd.loc[key, "decimals"]
            r["uncertain"] = bool(r.get("survey")) and _nan(r["margin"])
            rows.append(
                {
                    "goal": r["goal"],
                    "label": r["label"],
                    "kpi": r["kpi"],
                    "sex": r["sex"],
                    "kind": "bort från målet",
                    "score": abs(r["change"]) / sd.loc[key, "sd"],
                    "uncertain": bool(r["uncertain"]),
                    "sentence": worsening_sentence(r),
                }
            )
    out = pd.DataFrame(rows, columns=cols[1:])
    out = out.sort_values(["score", "goal"], ascending=[False, True], kind="stable")
    out = out.drop_duplicates([*keys, "kind"]).reset_index(drop=True)
    if top is not None:
        out = out.head(top)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


# --------------------------------------------------------------------------- trends
TREND_SERIES: tuple[str, ...] = ("område", "län", "riket", "liknande")


def trend_data(
    table: pd.DataFrame,
    goals: pd.DataFrame,
    area_code: str,
    groups: Iterable[Mapping],
    *,
    group_title: str | None = None,
) -> pd.DataFrame:
    """Time series per goal KPI for an area, its county, Sweden and its similar peers.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table.
    goals : pandas.DataFrame
        Goal table.
    area_code : str
        Kommun id (region-level KPIs use its region).
    groups : iterable of dict
        Kolada v3 municipality groups.
    group_title : str, optional
        Title of another peer group.

    Returns
    -------
    pandas.DataFrame
        Columns ``goal``, ``label``, ``kpi``, ``short_name``, ``unit``, ``sex``,
        ``period``, ``series`` (:data:`TREND_SERIES`), ``series_name``, ``value``,
        ``ci_lower``, ``ci_upper`` and ``n`` (peers with a value).
    """
    info = _area_info()
    groups = list(groups)
    table = prepare(table, goals)
    rows = [
        (g, _value_area(g, area_code, info))
        for g in goals.dropna(subset=["kpi"]).itertuples(index=False)
    ]
    peer_groups = {
        focal: similar_group(groups, focal, group_title if focal == area_code else None)[0]
        for focal in dict.fromkeys(focal for _, focal in rows)
    }
    # Only the areas drawn: the focal areas, their region, Riket and the peers.
    needed = {lookup.RIKET_CODE}
    for focal, group in peer_groups.items():
        needed |= {focal, str(info.loc[focal, "region_code"]), *_member_ids(group, focal)}
    t = table[table["area_code"].isin(needed)]
    t = t[indicators.usable(t) & (t["group"] == indicators.ALL_GROUPS)]
    by_kpi = {str(kpi): part for kpi, part in t.groupby("indicator", observed=True)}

    def frame(g: Any, d: pd.DataFrame, series: str, name: str, **cols: Any) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "goal": g.goal,
                "label": g.label,
                "kpi": g.kpi,
                "short_name": g.short_name,
                "unit": g.unit,
                "sex": d["sex"].astype(str).to_numpy(),
                "period": d["period"].astype(int).to_numpy(),
                "series": series,
                "series_name": name,
                **cols,
            }
        )

    frames = []
    for g, focal in rows:
        group = peer_groups[focal]
        k = by_kpi.get(str(g.kpi), t.iloc[0:0])
        k = k[k["sex"].isin(_sexes(g))]
        parts = [("område", focal, str(info.loc[focal, "area_name"]))]
        if info.loc[focal, "area_type"] == "kommun":
            reg = str(info.loc[focal, "region_code"])
            parts.append(("län", reg, str(info.loc[reg, "area_name"])))
        parts.append(("riket", lookup.RIKET_CODE, lookup.RIKET_NAME))
        for series, code, name in parts:
            s = k[k["area_code"] == code]
            frames.append(
                frame(
                    g,
                    s,
                    series,
                    name,
                    value=s["value"].to_numpy(dtype=float),
                    ci_lower=s["ci_lower"].to_numpy(dtype=float),
                    ci_upper=s["ci_upper"].to_numpy(dtype=float),
                    n=1,
                )
            )
        ids = _member_ids(group, focal)
        if ids:
            m = k[k["area_code"].isin(ids)]
            agg = m.groupby(["sex", "period"])["value"].agg(["mean", "count"]).reset_index()
            kind = (
                "Liknande kommuner"
                if info.loc[focal, "area_type"] == "kommun"
                else "Liknande regioner"
            )
            frames.append(
                frame(
                    g,
                    agg,
                    "liknande",
                    f"{kind} (medel)",
                    value=agg["mean"].to_numpy(dtype=float),
                    ci_lower=np.nan,
                    ci_upper=np.nan,
                    n=agg["count"].to_numpy(dtype=int),
                )
            )
    if not frames:
        return pd.DataFrame(
            columns=[
                "goal", "label", "kpi", "short_name", "unit", "sex", "period", "series",
                "series_name", "value", "ci_lower", "ci_upper", "n",
            ]
        )  # fmt: skip
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["goal", "label", "series", "sex", "period"]).reset_index(drop=True)


# --------------------------------------------------------------------------- summaries
def status_counts(status: pd.DataFrame, sex: str = "totalt") -> pd.DataFrame:
    """Count statuses per målområde for one sex (rows: areas, columns: :data:`STATUSES`)."""
    s = status[status["sex"].isin([sex]) | status["kpi"].isin(_single_sex_kpis(status))]
    counts = pd.crosstab(s["goal_area"], s["status"]).reindex(
        index=list(AREAS), columns=list(STATUSES)
    )
    return counts.fillna(0).astype(int)


def _single_sex_kpis(status: pd.DataFrame) -> list[str]:
    per = status.groupby("kpi")["sex"].agg(lambda x: set(x))
    return [k for k, v in per.items() if k and "totalt" not in v]


def goals_overview(goals: pd.DataFrame) -> pd.DataFrame:
    """Return a Swedish overview of the goal table for display (one row per goal and KPI)."""
    out = pd.DataFrame(
        {
            "Mål": goals["label"],
            "Målområde": goals["goal_area"],
            "Mål (kort)": goals["goal_name"],
            "KPI": goals["kpi"].fillna("–"),
            "Indikator": goals["short_name"].replace("", "–"),
            "Nivå": goals["level"].fillna("–"),
            "Bättre": goals["direction"].map({"higher": "högre", "lower": "lägre"}).fillna("–"),
            "Mål till 2022": [
                target_text(t, u) if isinstance(k, str) else "–"
                for t, u, k in zip(
                    goals["target_change"], goals["target_unit"], goals["kpi"], strict=True
                )
            ],
            "Basår": goals["baseline_year"],
            "Könsuppdelad": goals["divided_by_sex"].map({True: "ja", False: "nej"}).fillna("–"),
            "Osäkerhetstal": goals["uncertainty_kpi"].fillna("–"),
            "Matchning": goals["mapping"].map(
                {"exact": "exakt", "closest": "närmast", "missing": "saknas"}
            ),
        }
    )
    return out


def status_display(status: pd.DataFrame, sexes: Sequence[str] = ("totalt",)) -> pd.DataFrame:
    """Return a Swedish, formatted status table for display (numbers as text with decimal comma).

    Parameters
    ----------
    status : pandas.DataFrame
        From :func:`goal_status`, optionally with :func:`add_rank_colours`.
    sexes : sequence of str
        Sexes to show; KPIs for one sex only (life expectancy) are always shown.

    Returns
    -------
    pandas.DataFrame
        One row per goal KPI and sex with Swedish column names.
    """
    keep = status["sex"].isin(sexes) | status["kpi"].isin(_single_sex_kpis(status))
    s = status[keep]
    rows = []
    for r in s.to_dict("records"):
        unit = r["unit"] or ""
        vunit, dunit = _unit_labels(unit)
        dec = 0 if unit == "per 100 000" else (2 if unit == "år" else 1)
        colour = r.get("colour", RANK_MISSING)
        if not isinstance(colour, str):
            colour = RANK_MISSING
        symbol, desc = RANK_LABELS[colour]
        rows.append(
            {
                "Mål": r["label"],
                "Indikator": r["short_name"] + _sex_suffix(r["sex"], r["short_name"]),
                "KPI": r["kpi"] or "–",
                "Område": r["value_area_name"],
                "Basår": r["baseline_year"],
                "Basvärde": fmt.num(r["baseline"], dec, vunit),
                "Senaste år": "–" if _nan(r["latest_year"]) else str(int(r["latest_year"])),
                "Senaste värde": fmt.num(r["latest"], dec, vunit),
                "Förändring": fmt.signed(r["change"], dec, dunit if not _nan(r["change"]) else ""),
                "Mål till 2022": r["target_text"] or "–",
                "Status": f"{STATUS_SYMBOLS[r['status']]} {r['status']}",
                "Kolada-färg": f"{symbol} {colour}" if colour != RANK_MISSING else "–",
                "Kommentar": " ".join(x for x in (r["message"], r["note"], r.get("why", "")) if x),
            }
        )
    return pd.DataFrame(rows)
