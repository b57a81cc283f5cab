"""Disclosure control for survey tables: hide cells with too few respondents.

Reliability (:mod:`helpers.stats.reliability`) asks "is this number precise enough to
use?"; disclosure control asks "could this cell reveal something about
identifiable people?". They are different rules and both are applied:
reliability first, then :func:`suppress_small_cells`.

Threshold
---------
The default is **5 unweighted respondents** (:data:`DEFAULT_MIN_N`): a cell
whose estimate rests on fewer than 5 answers is hidden, together with every
count behind it. Minimum-frequency ("threshold") rules of 3–5 units per cell
are the standard first line of tabular disclosure control (Hundepool A, et al.
*Statistical Disclosure Control*, Wiley 2012, ch. 5; the ESSnet/Eurostat SDC
handbook), and CDC/NCHS's own table package ``surveytable`` marks counts 1–4
(threshold 5) as restricted. Five is the cautious end of that range, chosen
because kommun × sex × education cells in a regional survey are small and
respondents may be recognisable locally. It is far below NCHS's reliability
threshold (effective n ≥ 30), so for well-flagged tables it mostly matters for
the *counts* that reliability keeps visible and for complementary suppression.
The threshold belongs to the data owner's delivery terms, so callers pass it in
the workbook parameters as ``disclosure.min_n`` (nested
``{"disclosure": {"min_n": 5}}``, the flat key ``"disclosure.min_n"`` or the
run file's ``disclosure`` section itself); see
:func:`min_n_from_params`.

What is blanked
---------------
For a suppressed cell: ``value``, ``ci_lower``, ``ci_upper``, ``numerator``,
``denominator``, ``n`` and any other numeric column (e.g. ``se``, ``yes``,
``weighted_n`` in a design frame), except identifiers and ``ci_level``; the flag
becomes ``FLAG_SUPPRESSED`` with a Swedish reason. Nothing downstream can
recompute the value from what is left.

Complementary suppression
-------------------------
If a total (``sex="totalt"`` or ``group="alla"``) and all but one of its
subgroups are shown, the hidden subgroup can be derived by subtraction (exactly
for the counts). :func:`suppress_small_cells` therefore also hides, within each
area × period × indicator (× the other dimension), the *smallest* visible
subgroup whenever exactly one subgroup is hidden for disclosure and all others
are visible; it repeats over ``sex`` and ``group`` until nothing changes. This
covers the simple one-dimensional cases (kvinnor/män vs totalt; education
levels vs alla). It is not a full linked-table (hypercube) protection and does
not protect against differencing between areas (kommun vs county) or
overlapping pooled periods; tables published at several geographic levels
from the same small sample need a manual check.

Which indicators
----------------
Whether an indicator is disclosure-controlled at all is the catalogue's
``disclosure`` flag (:mod:`helpers.config.catalogue`). A caller that knows its
indicators passes the catalogue (or the entries) as ``catalogue=``; rows whose
``indicator`` is a catalogue id, or the ``survey_variable`` of an entry, with
``disclosure: false`` are then left as they are (see :func:`exempt`). Without a
catalogue, or for an indicator the catalogue does not know, every row is
controlled – the cautious default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from helpers.core.errors import DataError
from helpers.core.indicators import FLAG_SUPPRESSED

if TYPE_CHECKING:
    from helpers.config.catalogue import Indicator

#: Default minimum number of unweighted respondents per shown cell.
DEFAULT_MIN_N = 5
#: Parameter key holding the threshold.
PARAM_KEY = "disclosure.min_n"
#: Value of each dimension that is the total of its subgroups.
TOTALS: dict[str, str] = {"sex": "totalt", "group": "alla"}
#: Identifying columns never blanked.
KEEP_COLUMNS: tuple[str, ...] = ("period", "ci_level", "first_year", "year")
_KEYS: tuple[str, ...] = ("area_code", "period", "indicator", "sex", "group")


def min_n_from_params(params: Mapping[str, object] | None) -> int:
    """Read the disclosure threshold from workbook parameters.

    Parameters
    ----------
    params : mapping or None
        ``{"disclosure": {"min_n": 5}}``, ``{"disclosure.min_n": 5}`` or the
        disclosure section itself, ``{"min_n": 5}`` (as ``helpers.config.params`` loads
        it from a run file); ``None`` or a mapping without the key gives
        :data:`DEFAULT_MIN_N`.

    Returns
    -------
    int
        The threshold.

    Raises
    ------
    DataError
        If the value is not a whole number of at least 1.
    """
    value: object = DEFAULT_MIN_N
    if params:
        if PARAM_KEY in params:
            value = params[PARAM_KEY]
        elif "min_n" in params:  # the disclosure section itself (``RunSpec.disclosure``)
            value = params["min_n"]
        else:
            section = params.get("disclosure")
            if isinstance(section, Mapping) and "min_n" in section:
                value = section["min_n"]
    ok = isinstance(value, int | np.integer) and not isinstance(value, bool) and int(value) >= 1
    if isinstance(value, float) and value.is_integer() and value >= 1:
        ok, value = True, int(value)
    if not ok:
        raise DataError(
            f"Parametern {PARAM_KEY} måste vara ett heltal som är minst 1, inte '{value}'"
        )
    return int(value)


def exempt(catalogue: Iterable[Indicator]) -> frozenset[str]:
    """Return the indicator names that the catalogue exempts from disclosure control.

    Parameters
    ----------
    catalogue : iterable of Indicator
        Catalogue entries (a :class:`helpers.config.catalogue.Catalogue` iterates over them).

    Returns
    -------
    frozenset of str
        The ids, and the ``survey_variable`` of each recipe, of the entries with
        ``disclosure: false`` (a survey table may name its indicator either way).
    """
    names: set[str] = set()
    for ind in catalogue:
        if ind.disclosure:
            continue
        names.add(ind.id)
        names.update(
            str(r["survey_variable"]) for r in ind.sources.values() if "survey_variable" in r
        )
    return frozenset(names)


def suppress_small_cells(
    table: pd.DataFrame,
    min_n: int | None = None,
    *,
    params: Mapping[str, object] | None = None,
    complementary: bool = True,
    dims: Sequence[str] = ("sex", "group"),
    catalogue: Iterable[Indicator] | None = None,
) -> pd.DataFrame:
    """Hide rows resting on fewer than ``min_n`` respondents, and their complements.

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
        Dimensions with a total row (keys of :data:`TOTALS`).
    catalogue : iterable of Indicator, optional
        The indicator catalogue: rows of an indicator it marks ``disclosure:
        false`` are not controlled (see :func:`exempt`). Without it every row is.

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with suppressed rows blanked (see module docstring).
    """
    if "n" not in table.columns:
        raise DataError(
            "Tabellen saknar kolumnen 'n' (antal svarande) som röjandekontrollen behöver"
        )
    threshold = int(min_n) if min_n is not None else min_n_from_params(params)
    if threshold < 1:
        raise DataError(f"Tröskeln för röjandekontroll måste vara minst 1, inte {threshold}")
    out = table.copy()
    primary = (out["n"].notna() & (out["n"] < threshold)).to_numpy()
    if catalogue is not None and "indicator" in out.columns:
        primary = primary & ~out["indicator"].isin(exempt(catalogue)).to_numpy()
    _blank(out, primary, f"färre än {threshold} svarande (röjandekontroll)")
    protected = primary.copy()
    if complementary:
        reason = f"dold för att skydda en cell med färre än {threshold} svarande (röjandekontroll)"
        for _ in range(20):
            extra = np.zeros(len(out), dtype=bool)
            for dim in dims:
                if dim in out.columns and dim in TOTALS:
                    extra |= _complements(out, protected, dim)
            extra &= ~protected
            if not extra.any():
                break
            _blank(out, extra, reason)
            protected |= extra
    return out


def _blank(out: pd.DataFrame, mask: np.ndarray, reason: str) -> None:
    if not mask.any():
        return
    numeric = [
        c for c in out.columns if pd.api.types.is_numeric_dtype(out[c]) and c not in KEEP_COLUMNS
    ]
    numeric = [c for c in numeric if not pd.api.types.is_bool_dtype(out[c])]
    for c in numeric:
        if not pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].astype("float64")
    out.loc[mask, numeric] = np.nan
    if "flag" in out.columns:
        out.loc[mask, "flag"] = FLAG_SUPPRESSED
    if "flag_reason" in out.columns:
        out.loc[mask, "flag_reason"] = reason


def _complements(out: pd.DataFrame, protected: np.ndarray, dim: str) -> np.ndarray:
    """Rows to hide so that no protected subgroup of ``dim`` can be derived from its total."""
    keys = [k for k in _KEYS if k in out.columns and k != dim]
    is_total = (out[dim] == TOTALS[dim]).to_numpy()
    frame = pd.DataFrame(
        {
            "_pos": np.arange(len(out)),
            "_sub": ~is_total,
            "_total_visible": is_total & out["n"].notna().to_numpy(),
            "_hidden": ~is_total & out["n"].isna().to_numpy(),
            "_protected": ~is_total & protected,
            "_n": np.where(is_total, np.nan, out["n"].to_numpy(dtype=float)),
        }
    )
    for k in keys:
        frame[k] = out[k].to_numpy()
    grp = frame.groupby(keys, dropna=False, sort=False)
    total_visible = grp["_total_visible"].transform("any").to_numpy()
    n_hidden = grp["_hidden"].transform("sum").to_numpy()
    n_protected = grp["_protected"].transform("sum").to_numpy()
    at_risk = total_visible & (n_hidden == 1) & (n_protected == 1)
    candidates = frame[at_risk & frame["_sub"].to_numpy() & ~frame["_hidden"].to_numpy()]
    result = np.zeros(len(out), dtype=bool)
    if candidates.empty:
        return result
    smallest = (
        candidates.sort_values(["_n", "_pos"])
        .groupby(keys, dropna=False, sort=False)["_pos"]
        .first()
    )
    result[smallest.to_numpy()] = True
    return result
