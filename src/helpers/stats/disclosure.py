"""Disclosure control for survey tables: the one rule for cells with too few respondents.

Reliability (:mod:`helpers.stats.reliability`) asks "is this number precise enough to
use?"; disclosure control asks "could this cell reveal something about
identifiable people?". They are different rules and both are applied:
reliability first, then :func:`suppress_small_cells`. Every path that shows a
survey or indicator number – report tables, figures and maps, sentences (they
are written from controlled tables), the facts the runner writes as CSV, the
explorer's table, widgets and CSV export, the demo's Strategi KPIs – calls
:func:`suppress_small_cells` on its rows *before* showing them. The function is
idempotent: running it again on its own output changes nothing.

Threshold
---------
The default is **5 unweighted respondents** (:data:`DEFAULT_MIN_N`).
Minimum-frequency ("threshold") rules of 3–5 units per cell are the standard
first line of tabular disclosure control (Hundepool A, et al. *Statistical
Disclosure Control*, Wiley 2012, ch. 5; the ESSnet/Eurostat SDC handbook), and
CDC/NCHS's own table package ``surveytable`` marks counts 1–4 (threshold 5) as
restricted. Five is the cautious end of that range, chosen because kommun ×
sex × education cells in a regional survey are small and respondents may be
recognisable locally. The threshold belongs to the data owner's delivery terms,
so it is set in **one place**, the run file's ``disclosure: {min_n: 5}`` (as a
workbook parameter: nested ``{"disclosure": {"min_n": 5}}``, the flat key
``"disclosure.min_n"``, or the notebooks' ``min_n``). It is read by
:func:`min_n_from_params` and validated by :func:`check_min_n`: a whole number
of at least 1 (``True``, ``2.5``, ``"5"`` and ``None`` are refused with a
Swedish :class:`~helpers.core.errors.DataError`; ``10.0`` is read as 10), a
threshold given twice with different values is refused, and a threshold below 5
is accepted with a Swedish warning in the run log.

The rule
--------
For every controlled row with a known ``n`` (unweighted respondents):

1. **Too few respondents** – ``n < min_n``: the row is suppressed entirely.
   ``value``, ``ci_lower``, ``ci_upper``, ``numerator``, ``denominator``, ``n``
   and every other numeric column (e.g. ``se``, ``yes``, ``weighted_n`` of a
   design frame) become NaN, except identifiers and ``ci_level``
   (:data:`KEEP_COLUMNS`); the flag becomes ``undertryckt`` and the reason
   ``"färre än {min_n} svarande (röjandekontroll)"``.
2. **Too few yes- or no-answers** – ``n >= min_n`` but the yes-count
   (``numerator``) or the no-count ``n − numerator`` is between 1 and
   ``min_n − 1``: the counts must not be shown, since "118 svarande, 3 ja"
   tells the reader about 3 people. ``numerator``, ``denominator``, ``n`` and
   the other count columns (:data:`COUNT_COLUMNS`) become NaN and the reason
   says so (``"antalen visas inte: färre än {min_n} ja- eller nej-svar
   (röjandekontroll av antal)"``, added to any reliability reason). The share
   and its interval stay **when they do not give the count**: a weighted
   (calibrated) share differs from the raw ratio ``numerator / n``, and its
   Korn–Graubard interval rests on the effective sample size, not on ``n``.
   When the share *does* give the count – ``|share × n − numerator| < 0,5``,
   which always holds for an **unweighted** estimate (share = count / n) and
   can hold by chance for a weighted one – the row is suppressed entirely
   (flag ``undertryckt``, reason ``"färre än {min_n} ja- eller nej-svar, och
   andelen skulle visa antalet (röjandekontroll)"``). The test is made on the
   numbers themselves rather than on a "weighted" label, because it is exactly
   the recomputation a reader could do: ``n`` is often published elsewhere
   (the response-pattern table, the kommun comparison), so a share that
   rounds back to the count must go with it.
3. **Zero is not small.** A yes-count of 0 (or a no-count of 0, everyone
   answered yes) is shown. It identifies nobody: respondents of a sample
   survey are not publicly known, and threshold rules (``surveytable``: counts
   1–4; Hundepool et al.: cells with 1 … k−1 contributors) count contributors,
   of which an empty cell has none. Hiding it would also protect nothing,
   because a weighted share of 0 % or 100 % already says that the count is 0;
   such shares are flagged for review by the reliability rules instead. So a
   shown ``numerator`` is 0, ``n`` or between ``min_n`` and ``n − min_n``, and
   a shown ``n`` is at least ``min_n``.

Rows with unknown ``n`` (Kolada, register sources) are left as they are.

Complementary suppression
-------------------------
A hidden cell must not be recomputable from a total and its siblings. Counts
add up exactly (``n`` of kvinnor + män = totalt, of the education levels =
alla, of the kommuner of a county = the county); shares add up through the
weighted population sizes, which for calibrated weights are public population
counts. So within each partition – ``sex`` (total ``"totalt"``), ``group``
(total ``"alla"``) and ``area`` (a county's kommuner with the county as total,
the counties with Riket as total; kommun and county codes tell which) – of the
same period and indicator, two layers are checked until nothing changes:

* **values**: if the total's value is shown and exactly one subgroup's value
  is hidden, and that one is hidden *for disclosure* (rules 1–2 or an earlier
  complement), the smallest subgroup (by ``n``) whose value is shown is
  suppressed entirely, reason ``"dold för att skydda en cell med färre än
  {min_n} svarande (röjandekontroll)"``;
* **counts**: if the total's ``n`` is shown and exactly one subgroup's ``n`` is
  hidden, and that one is hidden for disclosure, the counts of the smallest
  subgroup whose counts are shown are blanked too (its share may stay),
  reason ``"antalen visas inte: skyddar en annan cell (röjandekontroll av
  antal)"`` – unless its share gives its own count (share × n = count, as in
  rule 2: with ``n`` known from elsewhere the subtraction would work again),
  in which case it is suppressed entirely.

When the protected subgroup has no shown sibling at all (the other sex or
education levels have no respondents), the total *is* that subgroup, so the
total is hidden instead (for ``sex`` and ``group``; in the ``area`` partition a
county with a single kommun in the table is normally a slice of a table that
was controlled whole, and a one-kommun county carries the kommun's own
numbers, which get the same decisions).

A subgroup hidden for another reason (a reliability-suppressed share, an
unknown count) is unknown to the reader as well, so two hidden subgroups
already need no complement. Rows hidden for disclosure are recognised by their
reason texts, so the control also holds for tables put together from
controlled pieces. This covers the one-dimensional cases a report or export
shows (kvinnor/män vs totalt, education levels vs alla, kommuner vs county,
counties vs Riket) and their cascades; it is not a full linked-table
(hypercube) protection and does not protect against differencing between
overlapping pooled periods. A national reference from another source is not
the sum of the counties in the table, so the county-vs-Riket step is cautious
there.

Which indicators
----------------
Whether an indicator is disclosure-controlled is the catalogue's
``disclosure`` flag (:mod:`helpers.config.catalogue`). Rows whose ``indicator``
is a catalogue id, the ``survey_variable`` or a Kolada KPI of an entry with
``disclosure: false`` are left as they are (:func:`exempt`). Without an explicit
``catalogue=`` the project's catalogue is used; an indicator it does not know
is controlled – the cautious default. Pass ``catalogue=()`` to control every
row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from helpers.core.errors import DataError
from helpers.core.indicators import FLAG_MISSING, FLAG_SUPPRESSED
from helpers.core.lookup import RIKET_CODE

if TYPE_CHECKING:
    from helpers.config.catalogue import Indicator

log = logging.getLogger(__name__)

#: Default minimum number of unweighted respondents per shown cell.
DEFAULT_MIN_N = 5
#: Thresholds below this are accepted with a warning.
RECOMMENDED_MIN_N = 5
#: Parameter key holding the threshold.
PARAM_KEY = "disclosure.min_n"
#: Value of each dimension that is the total of its subgroups.
TOTALS: dict[str, str] = {"sex": "totalt", "group": "alla"}
#: Pseudo-dimension of the area hierarchy (kommun → county → Riket), see the module docstring.
AREA = "area"
#: Dimensions checked for complementary suppression by default.
DIMS: tuple[str, ...] = ("sex", "group", AREA)
#: Identifying columns never blanked.
KEEP_COLUMNS: tuple[str, ...] = ("period", "ci_level", "first_year", "year")
#: Count columns blanked when a row's counts must not be shown (rule 2 and count complements).
COUNT_COLUMNS: tuple[str, ...] = (
    "numerator",
    "denominator",
    "n",
    "yes",
    "n_eff",
    "weighted_n",
    "yes_before",
    "n_before",
    "yes_after",
    "n_after",
)
#: (yes-count, respondents, share, scale of the share) checked by rule 2.
COUNT_PAIRS: tuple[tuple[str, str, str, float], ...] = (
    ("numerator", "n", "value", 100.0),
    ("yes", "n", "p", 1.0),
    ("yes_before", "n_before", "value_before", 100.0),
    ("yes_after", "n_after", "value_after", 100.0),
)
#: Marks a reason of a row hidden entirely for disclosure.
MARK = "(röjandekontroll)"
#: Marks a reason of a row whose counts are hidden for disclosure.
MARK_COUNTS = "(röjandekontroll av antal)"
_KEYS: tuple[str, ...] = ("area_code", "period", "indicator", "sex", "group")
_PARTITION_KEYS: tuple[str, ...] = ("period", "indicator", "sex", "group")
_WARNED: set[int] = set()


# ---------------------------------------------------------------------------
# the threshold
# ---------------------------------------------------------------------------
def _shown(value: object) -> str:
    if isinstance(value, str):
        return f"texten '{value}'"
    if isinstance(value, bool | np.bool_):
        return f"{value} (ett sant/falskt-värde)"
    return "inget värde" if value is None else f"'{value}'"


def check_min_n(value: object, *, where: str = PARAM_KEY, warn: bool = True) -> int:
    """Validate a disclosure threshold and return it as an int.

    Parameters
    ----------
    value : object
        The threshold as given.
    where : str
        Its name in messages (e.g. ``"disclosure.min_n"`` or ``"min_n"``).
    warn : bool
        Log a Swedish warning when the threshold is below :data:`RECOMMENDED_MIN_N`.

    Returns
    -------
    int
        The threshold.

    Raises
    ------
    DataError
        If it is not a whole number of at least 1 (bools, non-integral or
        non-finite floats, strings and ``None`` are refused; ``10.0`` is 10).
    """
    number: int | None = None
    if isinstance(value, bool | np.bool_):
        number = None
    elif isinstance(value, int | np.integer):
        number = int(value)
    elif (
        isinstance(value, float | np.floating) and np.isfinite(value) and float(value).is_integer()
    ):
        number = int(value)
    if number is None or number < 1:
        raise DataError(
            f"{where} (minsta antal svarande per cell i röjandekontrollen) måste vara ett "
            f"heltal som är minst 1, inte {_shown(value)} – skriv t.ex. 'disclosure: {{min_n: 5}}' "
            "i körfilen"
        )
    if warn and number < RECOMMENDED_MIN_N:
        log.warning(
            "Tröskeln för röjandekontroll (%s) är %d, lägre än de %d svarande som rekommenderas: "
            "celler med så få svarande kan röja enskilda personer. Kontrollera att dataägarens "
            "villkor tillåter det.",
            where,
            number,
            RECOMMENDED_MIN_N,
        )
    return number


def min_n_from_params(params: Mapping[str, object] | None) -> int:
    """Read and validate the disclosure threshold from workbook parameters.

    Parameters
    ----------
    params : mapping or None
        ``{"disclosure": {"min_n": 5}}``, ``{"disclosure.min_n": 5}``, the
        disclosure section itself or notebook parameters, ``{"min_n": 5}`` (as
        :mod:`helpers.config.params` loads it from a run file); ``None`` or a
        mapping without the key gives :data:`DEFAULT_MIN_N`.

    Returns
    -------
    int
        The threshold (see :func:`check_min_n`; a value below 5 is logged as a warning).

    Raises
    ------
    DataError
        If the value is not a whole number of at least 1, the ``disclosure``
        entry is not a mapping, or the threshold is given twice with different values.
    """
    found: dict[str, int] = {}
    if params:
        if PARAM_KEY in params:
            found[PARAM_KEY] = check_min_n(params[PARAM_KEY], warn=False)
        if "min_n" in params:  # the disclosure section itself, or notebook parameters
            found["min_n"] = check_min_n(params["min_n"], where="min_n", warn=False)
        section = params.get("disclosure")
        if isinstance(section, Mapping):
            if "min_n" in section:
                found["disclosure: {min_n}"] = check_min_n(section["min_n"], warn=False)
        elif section is not None:
            raise DataError(
                f"disclosure ska vara en mappning, t.ex. 'disclosure: {{min_n: 5}}', inte {_shown(section)}"
            )
    values = set(found.values())
    if len(values) > 1:
        given = ", ".join(f"{k} = {v}" for k, v in found.items())
        raise DataError(
            f"Tröskeln för röjandekontroll ({PARAM_KEY}) anges flera gånger med olika värden "
            f"({given}) – ange den en gång, i körfilens 'disclosure: {{min_n: …}}'"
        )
    return check_min_n(values.pop()) if values else DEFAULT_MIN_N


def _threshold(min_n: object | None, params: Mapping[str, object] | None) -> int:
    if min_n is None:
        return min_n_from_params(params)
    threshold = check_min_n(min_n, where="min_n", warn=False)
    if threshold < RECOMMENDED_MIN_N and threshold not in _WARNED:
        _WARNED.add(threshold)
        check_min_n(threshold, where="min_n")
    return threshold


# ---------------------------------------------------------------------------
# which indicators
# ---------------------------------------------------------------------------
def exempt(catalogue: Iterable[Indicator]) -> frozenset[str]:
    """Return the indicator names that the catalogue exempts from disclosure control.

    Parameters
    ----------
    catalogue : iterable of Indicator
        Catalogue entries (a :class:`helpers.config.catalogue.Catalogue` iterates over them).

    Returns
    -------
    frozenset of str
        The ids, the ``survey_variable`` of each recipe and the Kolada KPI ids
        of the entries with ``disclosure: false`` (a table may name its
        indicator any of these ways).
    """
    names: set[str] = set()
    for ind in catalogue:
        if ind.disclosure:
            continue
        names.add(ind.id)
        for recipe in ind.sources.values():
            if "survey_variable" in recipe:
                names.add(str(recipe["survey_variable"]))
            kpi = recipe.get("kpi")
            if isinstance(kpi, Mapping):
                names.update(str(k) for k in kpi.values())
            elif kpi is not None:
                names.add(str(kpi))
    return frozenset(names)


def _exempt_names(catalogue: Iterable[Indicator] | None) -> frozenset[str]:
    if catalogue is None:
        from helpers.config import catalogue as project_catalogue

        catalogue = project_catalogue.load()
    return exempt(catalogue)


# ---------------------------------------------------------------------------
# the rule
# ---------------------------------------------------------------------------
def suppress_small_cells(
    table: pd.DataFrame,
    min_n: int | None = None,
    *,
    params: Mapping[str, object] | None = None,
    complementary: bool = True,
    dims: Sequence[str] = DIMS,
    catalogue: Iterable[Indicator] | None = None,
) -> pd.DataFrame:
    """Apply the disclosure rule (module docstring) to a table before it is shown.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table (or a frame with the same keys and an ``n`` column of
        unweighted respondents). Rows with unknown ``n`` are left as they are.
    min_n : int, optional
        Threshold; overrides ``params``.
    params : mapping, optional
        Workbook parameters holding ``disclosure.min_n`` (see :func:`min_n_from_params`).
    complementary : bool
        Also apply complementary suppression over ``dims``.
    dims : sequence of str
        Dimensions with a total row: keys of :data:`TOTALS` and :data:`AREA`.
    catalogue : iterable of Indicator, optional
        Indicator catalogue whose ``disclosure: false`` entries are not controlled
        (:func:`exempt`); default the project's catalogue, ``()`` for none.

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with suppressed rows and counts blanked.

    Raises
    ------
    DataError
        The table has no ``n`` column, or the threshold is invalid.
    """
    if "n" not in table.columns:
        raise DataError(
            "Tabellen saknar kolumnen 'n' (antal svarande) som röjandekontrollen behöver"
        )
    threshold = _threshold(min_n, params)
    out = table.copy()
    if out.empty:
        return out
    n = pd.to_numeric(out["n"], errors="coerce").to_numpy(dtype=float)
    controlled = ~np.isnan(n)
    if "indicator" in out.columns:
        controlled &= ~out["indicator"].astype(str).isin(_exempt_names(catalogue)).to_numpy()
    primary = controlled & (n < threshold)
    _blank(out, primary, f"färre än {threshold} svarande {MARK}")
    small, gives_count = _small_counts(out, threshold)
    small &= controlled & ~primary
    full = small & gives_count
    _blank(
        out,
        full,
        f"färre än {threshold} ja- eller nej-svar, och andelen skulle visa antalet {MARK}",
    )
    _blank_counts(
        out, small & ~full, f"antalen visas inte: färre än {threshold} ja- eller nej-svar"
    )
    if complementary:
        _complementary(out, threshold, [d for d in dims if d in TOTALS or d == AREA])
    return out


def _values(out: pd.DataFrame, column: str) -> np.ndarray:
    if column not in out.columns:
        return np.full(len(out), np.nan)
    return pd.to_numeric(out[column], errors="coerce").to_numpy(dtype=float)


def _small_counts(
    out: pd.DataFrame, threshold: int, *, any_count: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Rows with a yes- or no-count in 1 … threshold − 1, and those whose share gives the count.

    With ``any_count`` the second mask covers every row whose share gives its
    count, small or not (used for count complements).
    """
    small = np.zeros(len(out), dtype=bool)
    gives = np.zeros(len(out), dtype=bool)
    for yes_col, n_col, share_col, scale in COUNT_PAIRS:
        if yes_col not in out.columns or n_col not in out.columns:
            continue
        yes, n = _values(out, yes_col), _values(out, n_col)
        with np.errstate(invalid="ignore"):
            pair = ((yes >= 1) & (yes < threshold)) | ((n - yes >= 1) & (n - yes < threshold))
            share = _values(out, share_col) / scale
            gives |= (pair | any_count) & (np.abs(share * n - yes) < 0.5)
        small |= pair
    return small, gives


def _numeric_columns(out: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    cols = [
        c
        for c in columns
        if c in out.columns
        and pd.api.types.is_numeric_dtype(out[c])
        and not pd.api.types.is_bool_dtype(out[c])
    ]
    for c in cols:
        if not pd.api.types.is_float_dtype(out[c]) or str(out[c].dtype) != "float64":
            out[c] = out[c].astype("float64")
    return cols


def _blank(out: pd.DataFrame, mask: np.ndarray, reason: str) -> None:
    """Suppress rows entirely: every number except identifiers, flag and reason replaced."""
    if not mask.any():
        return
    numeric = _numeric_columns(out, [c for c in out.columns if c not in KEEP_COLUMNS])
    out.loc[mask, numeric] = np.nan
    if "flag" in out.columns:
        out.loc[mask, "flag"] = FLAG_SUPPRESSED
    if "flag_reason" in out.columns:
        out.loc[mask, "flag_reason"] = reason


def _blank_counts(out: pd.DataFrame, mask: np.ndarray, reason: str) -> None:
    """Blank the count columns of rows whose share stays; add the reason to theirs."""
    if not mask.any():
        return
    out.loc[mask, _numeric_columns(out, COUNT_COLUMNS)] = np.nan
    if "flag_reason" in out.columns:
        text = f"{reason} {MARK_COUNTS}"
        old = _reasons(out).to_numpy()
        new = [
            text if not r.strip() else (r if MARK_COUNTS in r or MARK in r else f"{r}; {text}")
            for r in old[mask]
        ]
        out.loc[mask, "flag_reason"] = pd.Series(new, index=out.index[mask], dtype=object).astype(
            out["flag_reason"].dtype
        )


# ---------------------------------------------------------------------------
# complementary suppression
# ---------------------------------------------------------------------------
def _reasons(out: pd.DataFrame) -> pd.Series:
    if "flag_reason" not in out.columns:
        return pd.Series([""] * len(out), index=out.index)
    return out["flag_reason"].astype(object).where(out["flag_reason"].notna(), "").astype(str)


def _value_hidden(out: pd.DataFrame) -> np.ndarray:
    hidden = np.zeros(len(out), dtype=bool)
    if "flag" in out.columns:
        hidden |= out["flag"].isin([FLAG_SUPPRESSED, FLAG_MISSING]).to_numpy()
    if "value" in out.columns:
        hidden |= np.isnan(_values(out, "value"))
    return hidden


def _partitions(
    out: pd.DataFrame, dim: str
) -> list[tuple[pd.DataFrame, np.ndarray, np.ndarray, bool]]:
    """``(keys, is_total, is_sub, total_if_alone)`` of each partition kind of ``dim`` in ``out``.

    ``total_if_alone``: when the protected subgroup has no shown sibling, the
    total *is* that subgroup and is hidden instead (sex and group; a table with
    one kommun of a county is usually a slice of a controlled table, and a
    one-kommun county has the kommun's own numbers, which get the same decisions).
    """
    if dim in TOTALS:
        if dim not in out.columns:
            return []
        is_total = (out[dim].astype(str) == TOTALS[dim]).to_numpy()
        keys = out[[k for k in _KEYS if k in out.columns and k != dim]].astype(str)
        return [(keys, is_total, ~is_total, True)]
    if "area_code" not in out.columns:
        return []
    code = out["area_code"].astype(str)
    if "area_type" in out.columns:
        kind = out["area_type"].astype(str).to_numpy()
    else:
        kind = np.where(
            code == RIKET_CODE,
            "riket",
            np.where(code.str.startswith("00"), "region", "kommun"),
        )
    digits = code.str.fullmatch(r"\d{4}").to_numpy()
    is_kommun = (kind == "kommun") & digits
    is_region = (kind == "region") & digits
    is_riket = kind == "riket"
    keys = out[[k for k in _PARTITION_KEYS if k in out.columns]].astype(str)
    county = keys.assign(_parent=np.where(is_region, code, "00" + code.str[:2]))
    national = keys.assign(_parent="riket")
    return [(county, is_region, is_kommun, False), (national, is_riket, is_region, False)]


def _complements(
    keys: pd.DataFrame,
    is_total: np.ndarray,
    is_sub: np.ndarray,
    hidden: np.ndarray,
    protected: np.ndarray,
    size: np.ndarray,
    total_if_alone: bool,
) -> np.ndarray:
    """Rows to hide so that no protected subgroup can be derived from its total.

    The smallest shown sibling; without one, the total itself if ``total_if_alone``.
    """
    frame = keys.reset_index(drop=True).copy()
    cols = list(frame.columns)
    frame["_pos"] = np.arange(len(frame))
    frame["_total_visible"] = is_total & ~hidden
    frame["_hidden"] = is_sub & hidden
    frame["_protected"] = is_sub & hidden & protected
    frame["_size"] = np.where(np.isnan(size), np.inf, size)
    frame = frame[is_total | is_sub]
    result = np.zeros(len(keys), dtype=bool)
    if frame.empty or not cols:
        return result
    grp = frame.groupby(cols, dropna=False, sort=False)
    at_risk = (
        grp["_total_visible"].transform("any").to_numpy()
        & (grp["_hidden"].transform("sum").to_numpy() == 1)
        & (grp["_protected"].transform("sum").to_numpy() == 1)
    )
    sub = is_sub[frame["_pos"].to_numpy()]
    frame["_candidate"] = at_risk & sub & ~frame["_hidden"].to_numpy()
    if total_if_alone:
        alone = at_risk & ~grp["_candidate"].transform("any").to_numpy()
        result[frame.loc[alone & frame["_total_visible"].to_numpy(), "_pos"].to_numpy()] = True
    candidates = frame[frame["_candidate"].to_numpy()]
    if candidates.empty:
        return result
    smallest = (
        candidates.sort_values(["_size", "_pos"])
        .groupby(cols, dropna=False, sort=False)["_pos"]
        .first()
    )
    result[smallest.to_numpy()] = True
    return result


def _complementary(out: pd.DataFrame, threshold: int, dims: Sequence[str]) -> None:
    """Hide complements until no protected value or count can be derived from a total."""
    reasons = _reasons(out)
    value_protected = reasons.str.contains(MARK, regex=False).to_numpy() & _value_hidden(out)
    counts_protected = (
        reasons.str.contains(MARK, regex=False) | reasons.str.contains(MARK_COUNTS, regex=False)
    ).to_numpy() & np.isnan(_values(out, "n"))
    if not (value_protected.any() or counts_protected.any()):
        return
    parts = [p for d in dims for p in _partitions(out, d)]
    full_reason = f"dold för att skydda en cell med färre än {threshold} svarande {MARK}"
    for _ in range(50):
        changed = False
        for keys, is_total, is_sub, alone in parts:
            size = _values(out, "n")
            hidden = _value_hidden(out)
            extra = _complements(keys, is_total, is_sub, hidden, value_protected, size, alone)
            if extra.any():
                _blank(out, extra, full_reason)
                value_protected |= extra
                counts_protected |= extra
                changed = True
            size = _values(out, "n")
            extra = _complements(
                keys, is_total, is_sub, np.isnan(size), counts_protected, size, alone
            )
            if extra.any():
                # A complement whose share gives its own count (n may be known from elsewhere)
                # would give the protected count back by subtraction: hide it entirely.
                full = extra & _small_counts(out, threshold, any_count=True)[1]
                _blank(out, full, full_reason)
                _blank_counts(out, extra & ~full, "antalen visas inte: skyddar en annan cell")
                value_protected |= full
                counts_protected |= extra
                changed = True
        if not changed:
            return
