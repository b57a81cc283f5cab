"""Follow-up of SKR's *Strategi för hälsa*: 22 goals per kommun, against county, Sweden and peers.

SKR's Strategi för hälsa (adopted December 2017) set 22 shared goals to 2022,
each followed with a Kolada indicator. The goals and targets live in
``params/strategi_for_halsa.yaml`` and the indicators in the catalogue
``params/indicators.yaml``; :func:`helpers.config.goals.load_goals` turns both
into a *goal table* (one row per goal and KPI). Everything here is a pure
function on the tidy indicator table (:mod:`helpers.core.indicators`) and the
goal table: preparing the table, the status per goal, and the counts per
målområde. Comparisons with the county, Sweden and similar kommuner, rank
colours and deviations are in :mod:`helpers.stats.strategi_compare`; the
sentences in :mod:`helpers.text.strategi`; getting the data in
:mod:`helpers.sources.strategi`. The ``messages`` and ``notes`` columns of the
status are *remarks* – ``(code, details)`` pairs, codes in :data:`REMARKS` –
about the input (a KPI missing from the data, a baseline without a value, a
series break); :func:`helpers.text.strategi.with_status_texts` writes them as
Swedish ``message`` and ``note`` texts, like the rest of the narrative.

Status rules (per area, KPI and sex), in this order
---------------------------------------------------
1. No KPI for the goal (``mapping: missing``), a KPI id Kolada does not know,
   or a KPI absent from the data → ``"data saknas"`` (with a ``messages`` remark).
2. A target in a unit the KPI is not measured in (e.g. a target in
   procentenheter for a KPI that is not a share), or a target whose sign
   contradicts the direction → ``"ej bedömd"`` (with a ``messages`` remark).
3. ``comparable_over_time: false`` (SKR 2023: the pupil survey changed) →
   ``"ej jämförbar över tid"``. With a ``series_break`` between baseline and
   latest year, the latest year *before* the break is used instead; if there is
   none, the status is ``"ej jämförbar över tid"``.
4. No value in the baseline year, or none after it → ``"data saknas"``
   (a missing baseline also gives a ``messages`` remark).
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
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from helpers.config.goals import AREAS, DIRECTIONS, TARGET_FACTORS, TARGET_UNITS
from helpers.core import fmt, indicators, lookup
from helpers.core.errors import DataError
from helpers.stats.strategi_kolada import (
    catalog_index,
    find_uncertainty_kpi,
    norm_title,
    unit_from_title,
)

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


RANK_GREEN, RANK_YELLOW, RANK_RED, RANK_MISSING = "grön", "gul", "röd", "saknas"
#: Symbol and Swedish description per rank colour.
RANK_LABELS: dict[str, tuple[str, str]] = {
    RANK_GREEN: ("▲", "bästa tredjedelen"),
    RANK_YELLOW: ("●", "mittersta tredjedelen"),
    RANK_RED: ("▼", "sämsta tredjedelen"),
    RANK_MISSING: ("–", "ingen rangordning"),
}
_EPS = 1e-9


#: A remark about a goal, area or KPI: a code of :data:`REMARKS` and its details.
Remark = tuple[str, dict[str, Any]]
#: Every remark code of :func:`goal_problems` and :func:`goal_status` (texts in
#: :mod:`helpers.text.strategi`).
REMARKS: tuple[str, ...] = (
    "kpi_not_in_catalogue",
    "unit_differs",
    "target_in_pp_not_share",
    "target_unit_mismatch",
    "target_wrong_direction",
    "title_differs",
    "divided_by_sex",
    "region_only",
    "kommun_only",
    "uncertainty_not_in_catalogue",
    "not_an_uncertainty",
    "uncertainty_mismatch",
    "uncertainty_mapping",
    "uncertainty_available",
    "no_kpi",
    "candidates",
    "kpi_not_in_data",
    "region_level",
    "break_before",
    "break_no_value",
    "not_comparable",
    "baseline_missing",
    "no_value_after_baseline",
    "uncertainty_missing",
    "survey_without_uncertainty",
)


def goal_problems(goals: pd.DataFrame, catalog: Any = None) -> pd.DataFrame:
    """Return the per-goal problems of a goal table as remarks (:data:`REMARKS`).

    Checks that each target's unit fits the KPI's unit and that its sign fits
    the direction; with a ``catalog`` (Kolada's KPI list) also that every KPI
    and *Osäkerhetstal* id exists, that the title, unit, sex split and level
    agree with the catalogue, and that the uncertainty KPI is the one whose
    title matches (:func:`helpers.stats.strategi_kolada.find_uncertainty_kpi`).

    Parameters
    ----------
    goals : pandas.DataFrame
        Goal table from :func:`helpers.config.goals.load_goals`.
    catalog : list of dict or pandas.DataFrame or dict, optional
        Kolada v3 KPI records (``id``, ``title``, ``is_divided_by_gender``,
        ``municipality_type`` …).

    Returns
    -------
    pandas.DataFrame
        Columns ``goal``, ``label``, ``kpi``, ``code``, ``details`` (empty when all
        is well); :func:`helpers.text.strategi.with_problem_texts` adds the Swedish
        ``message``.
    """
    cat = catalog_index(catalog) if catalog is not None else None
    rows = []
    for g in goals.itertuples(index=False):
        if not isinstance(g.kpi, str):
            continue
        for code, details in _config_problems(g, cat, full=True):
            rows.append(
                {"goal": g.goal, "label": g.label, "kpi": g.kpi, "code": code, "details": details}
            )
    return pd.DataFrame(rows, columns=["goal", "label", "kpi", "code", "details"])


def _config_problems(g: Any, cat: dict | None, full: bool = False) -> list[Remark]:
    """Problems that make a goal impossible to assess (and, with ``full``, the others)."""
    msgs: list[Remark] = []
    rec = None
    if cat is not None:
        rec = cat.get(g.kpi)
        if rec is None:
            return [("kpi_not_in_catalogue", {"kpi": g.kpi})]
    unit = g.unit
    if rec is not None:
        title_unit = unit_from_title(rec.get("title") or "")
        if title_unit is not None and title_unit != g.unit:
            if full:
                msgs.append(
                    ("unit_differs", {"kpi": g.kpi, "catalogue_unit": title_unit, "unit": g.unit})
                )
            unit = title_unit
    if (g.target_unit, unit) not in TARGET_FACTORS:
        code = "target_in_pp_not_share" if g.target_unit == "pp" else "target_unit_mismatch"
        msgs.append((code, {"kpi": g.kpi, "target_unit": g.target_unit, "unit": unit}))
    target = g.target_change
    if target is not None and not (isinstance(target, float) and math.isnan(target)):
        if target * DIRECTIONS[g.direction] < 0:
            msgs.append(
                (
                    "target_wrong_direction",
                    {"kpi": g.kpi, "target": target, "direction": g.direction},
                )
            )
    if not full or rec is None:
        return msgs
    if norm_title(rec.get("title") or "") != norm_title(g.title or ""):
        msgs.append(("title_differs", {"title": rec.get("title")}))
    divided = bool(rec.get("is_divided_by_gender"))
    if divided != bool(g.divided_by_sex) and not (g.sex and not divided):
        msgs.append(("divided_by_sex", {"divided": divided}))
    mtype = rec.get("municipality_type")
    if g.level == "kommun" and mtype == "L":
        msgs.append(("region_only", {"kpi": g.kpi}))
    if g.level == "region" and mtype == "K":
        msgs.append(("kommun_only", {"kpi": g.kpi}))
    pair = find_uncertainty_kpi(g.kpi, cat)
    if isinstance(g.uncertainty_kpi, str):
        urec = cat.get(g.uncertainty_kpi)
        if urec is None:
            msgs.append(("uncertainty_not_in_catalogue", {"uncertainty_kpi": g.uncertainty_kpi}))
        elif not (urec.get("title") or "").casefold().startswith("osäkerhetstal"):
            msgs.append(
                (
                    "not_an_uncertainty",
                    {"uncertainty_kpi": g.uncertainty_kpi, "title": urec.get("title")},
                )
            )
        elif pair is None or pair["id"] != g.uncertainty_kpi:
            msgs.append(
                (
                    "uncertainty_mismatch",
                    {
                        "kpi": g.kpi,
                        "found_id": pair["id"] if pair else None,
                        "found_title": pair["title"] if pair else None,
                        "uncertainty_kpi": g.uncertainty_kpi,
                    },
                )
            )
        elif g.uncertainty_mapping not in (None, pair["quality"]):
            msgs.append(("uncertainty_mapping", {"quality": pair["quality"]}))
    elif pair is not None:
        msgs.append(
            (
                "uncertainty_available",
                {"kpi": g.kpi, "found_id": pair["id"], "found_title": pair["title"]},
            )
        )
    return msgs


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


#: Values derived from one indicator table object (see :func:`per_table`).
_DERIVED: dict[tuple, tuple[weakref.ref, Any]] = {}


def per_table(table: pd.DataFrame, name: str, make: Callable[[], Any], *extra: Hashable) -> Any:
    """Return ``make()`` computed once per indicator-table object (and ``extra`` key).

    A report batch passes the same prepared national table (from
    :func:`helpers.report.strategi.prepared`) for every kommun; what is derived
    from the whole table – the lookup of series, the sexes per KPI, the SD across
    kommuner – is the same for all of them and is computed once. Entries are keyed
    by the object's identity and dropped with it (weak reference), so a new or
    filtered table is computed afresh. Tables are treated as immutable: a table
    changed in place after a call is not noticed (no code in the workbook does that).
    """
    key = (id(table), name, *extra)
    hit = _DERIVED.get(key)
    if hit is not None and hit[0]() is table:
        return hit[1]
    value = make()
    for k in [k for k, (ref, _) in _DERIVED.items() if ref() is None]:
        del _DERIVED[k]
    _DERIVED[key] = (weakref.ref(table), value)
    return value


def series_of(table: pd.DataFrame) -> _Series:
    """Return the :class:`_Series` lookup of a whole (prepared) table, built once per table."""
    return per_table(table, "series", lambda: _Series(table))


def _area_info() -> pd.DataFrame:
    a = lookup.areas().set_index("area_code")
    a["region_code"] = np.where(
        a["area_type"] == "kommun", lookup.region_code_of(a.index.to_series()), ""
    )
    return a


def sexes_in_data(table: pd.DataFrame) -> dict[str, frozenset[str]]:
    """Return, per indicator, the sexes that have at least one usable value in ``table``."""

    def make() -> dict[str, frozenset[str]]:
        t = table[indicators.usable(table)]
        return {
            str(k): frozenset(str(x) for x in v)
            for k, v in t.groupby(t["indicator"].astype(str))["sex"].unique().items()
        }

    return per_table(table, "sexes", make)


def _sexes(g: Any, present: dict[str, frozenset[str]] | None = None) -> tuple[str, ...]:
    """Return the sexes a goal is followed for.

    The catalogue's sexes, but only the total when the data
    (``present``, from :func:`sexes_in_data`) hold values of the KPI for neither women nor
    men in any area – Kolada publishes some KPIs the catalogue lists by sex as totals only,
    and a goal row per sex would then only say "no baseline" (found on real Kolada values).
    """
    if isinstance(g.sex, str) and g.sex:
        return (g.sex,)
    if not g.divided_by_sex:
        return ("totalt",)
    have = present.get(g.kpi) if present is not None and isinstance(g.kpi, str) else None
    if have is not None and not have & {"kvinnor", "män"}:
        return ("totalt",)
    return indicators.SEXES


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
        One of :data:`helpers.config.goals.TARGET_UNITS`.
    unit : str
        KPI unit, one of :data:`helpers.config.goals.UNITS`.

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
    "notes",
    "messages",
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
        that contradict the catalogue give a ``messages`` remark.

    Returns
    -------
    pandas.DataFrame
        :data:`STATUS_COLUMNS`. ``target`` is in the KPI's unit, ``margin`` is
        ``sqrt(u_baseline² + u_latest²)``; ``notes`` explain, ``messages`` report
        bad input, both as lists of remarks (:data:`REMARKS`; the Swedish texts
        from :func:`helpers.text.strategi.with_status_texts`). One bad goal never
        stops the others.
    """
    codes = [area_codes] if isinstance(area_codes, str) else list(area_codes)
    info = _area_info()
    unknown = [c for c in codes if c not in info.index]
    if unknown:
        raise DataError(f"Okända områdeskoder: {', '.join(unknown)}")
    table = prepare(table, goals)
    series = series_of(table)
    present = sexes_in_data(table)
    cat = catalog_index(catalog) if catalog is not None else None
    rows = []
    for g in goals.itertuples(index=False):
        for code in codes:
            for sex in _sexes(g, present):
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
        "notes": [],
        "messages": [],
    }
    notes: list[Remark] = row["notes"]
    if not isinstance(g.kpi, str):
        row["messages"] = [("no_kpi", {})]
        if g.candidates:
            notes.append(("candidates", {"candidates": g.candidates}))
        return row
    row["target"] = target_in_kpi_unit(g.target_change, g.target_unit, g.unit)
    row["target_text"] = target_text(g.target_change, g.target_unit)
    problems = _config_problems(g, cat)
    if problems:
        row["messages"] = problems
        unknown = problems[0][0] == "kpi_not_in_catalogue"
        row["status"] = STATUS_NO_DATA if unknown else STATUS_NOT_ASSESSED
        return row
    if g.kpi not in series.indicators:
        row["messages"] = [("kpi_not_in_data", {"kpi": g.kpi})]
        return row
    varea = _value_area(g, code, info)
    row["value_area_code"] = varea
    row["value_area_name"] = str(info.loc[varea, "area_name"])
    if varea != code:
        notes.append(("region_level", {"area_name": row["value_area_name"]}))
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
                notes.append(("break_before", {"break": brk, "year": latest_year}))
            else:
                row["status"] = STATUS_NOT_COMPARABLE
                notes.append(("break_no_value", {"break": brk}))
                latest_year = int(after.index.max())
                row["latest_year"], row["latest"] = latest_year, float(s.loc[latest_year, "value"])
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
        notes.append(("not_comparable", {}))
        return row
    if _nan(row["baseline"]):
        details = {
            "year": base_year,
            "area_name": row["value_area_name"],
            "kpi": g.kpi,
            "sex": sex,
            "first_year": int(s.index.min()) if len(s) else None,
        }
        row["messages"] = [("baseline_missing", details)]
        return row
    if latest_year is None:
        notes.append(("no_value_after_baseline", {}))
        return row
    row["change"] = row["latest"] - row["baseline"]
    ub, ul = row["u_baseline"], row["u_latest"]
    if not (_nan(ub) or _nan(ul)):
        row["margin"] = math.hypot(ub, ul)
    elif isinstance(g.uncertainty_kpi, str) or g.survey:
        if not (_nan(ub) and _nan(ul)) or isinstance(g.uncertainty_kpi, str):
            notes.append(("uncertainty_missing", {}))
        else:
            notes.append(("survey_without_uncertainty", {}))
    row["status"] = classify_change(row["change"], row["target"], g.direction, row["margin"])
    return row


def status_counts(status: pd.DataFrame, sex: str = "totalt") -> pd.DataFrame:
    """Count statuses per målområde for one sex (rows: areas, columns: :data:`STATUSES`)."""
    s = status[status["sex"].isin([sex]) | status["kpi"].isin(single_sex_kpis(status))]
    counts = pd.crosstab(s["goal_area"], s["status"]).reindex(
        index=list(AREAS), columns=list(STATUSES)
    )
    return counts.fillna(0).astype(int)


def single_sex_kpis(status: pd.DataFrame) -> list[str]:
    """Return the KPIs of a status table that are followed for one sex only (life expectancy)."""
    per = status.groupby("kpi")["sex"].agg(lambda x: set(x))
    return [k for k, v in per.items() if k and "totalt" not in v]
