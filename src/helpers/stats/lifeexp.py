"""Life expectancy between the kommuner of a county: pure analysis functions.

Every function takes the tidy indicator table (:mod:`helpers.core.indicators`) –
typically ``helpers.sources.life_expectancy.life_expectancy(data_source, lan_code=...)`` – and
returns a new DataFrame. Nothing here reads files, touches the network or
prints.

Missing values are never treated as zero: a kommun whose value is missing or
suppressed (see :func:`helpers.core.indicators.usable`) is left out of ranges and
ranks, and the number of kommuner left out is returned next to the result
(``n_missing``). Flags travel with the rows that are kept (``flag``,
``flag_reason``; ``min_flag``/``max_flag`` for the kommuner at the ends of a
range; ``region_flag``/``riket_flag`` in comparisons).

All differences are computed from unrounded values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.core.fmt import join_names

#: Columns that identify one series of the indicator table (besides the area).
SERIES_KEYS: list[str] = ["indicator", "sex", "group"]
#: Columns that identify one cross-section (one value per kommun).
SLICE_KEYS: list[str] = [*SERIES_KEYS, "period"]

RANGE_COLUMNS: list[str] = [
    *SLICE_KEYS,
    "period_label",
    "n_kommuner",
    "n_missing",
    "missing_kommuner",
    "min_value",
    "min_kommun",
    "min_code",
    "min_flag",
    "max_value",
    "max_kommun",
    "max_code",
    "max_flag",
    "range",
    "n_uncertain",
    "n_not_assessed",
    "source",
]


# -- selection ---------------------------------------------------------------------------------
def periods(table: pd.DataFrame) -> list[int]:
    """Return the sorted periods present in ``table``."""
    return sorted(int(p) for p in table["period"].dropna().unique())


def check_period(table: pd.DataFrame, period: int) -> int:
    """Return ``period`` as ``int`` if the table has it; raise :class:`DataError` otherwise.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table.
    period : int
        Year (the last year of a multi-year period).

    Returns
    -------
    int
        The period.

    Raises
    ------
    DataError
        Swedish message listing the available periods.
    """
    available = periods(table)
    try:
        period = int(period)
    except (TypeError, ValueError):
        raise DataError(f"Året ska vara ett heltal, t.ex. 2024 (fick '{period}')") from None
    if period not in available:
        span = f"{available[0]}–{available[-1]}" if available else "inga år"
        raise DataError(f"Året {period} finns inte i data (tillgängliga år: {span})")
    return period


def select(
    table: pd.DataFrame,
    period: int | None = None,
    sex: str | None = None,
    area_type: str | None = None,
) -> pd.DataFrame:
    """Return the rows of one period and/or sex and/or area type (all columns kept).

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table.
    period : int, optional
        Keep this period only.
    sex : str, optional
        ``"kvinnor"``, ``"män"`` or ``"totalt"``.
    area_type : str, optional
        ``"kommun"``, ``"region"`` or ``"riket"``.
    """
    mask = pd.Series(True, index=table.index)
    if period is not None:
        mask &= table["period"] == int(period)
    if sex is not None:
        mask &= table["sex"] == sex
    if area_type is not None:
        mask &= table["area_type"] == area_type
    return table[mask].reset_index(drop=True)


def _kommun_rows(table: pd.DataFrame, lan_code: str | None) -> pd.DataFrame:
    """Return the kommun rows (optionally of one county) on a complete kommun × slice grid.

    Kommuner that appear somewhere in the table but lack a row for a slice get a
    row with NaN value and flag ``"saknas"``, so they are counted as missing.
    """
    k = table[table["area_type"] == "kommun"]
    if lan_code is not None:
        k = k[lookup.lan_code_of(k["area_code"]) == lan_code]
    k = k.copy()
    if k.empty:
        return k
    names = k.drop_duplicates("area_code").set_index("area_code")["area_name"]
    slices = k[[*SLICE_KEYS, "period_label", "source"]].drop_duplicates(SLICE_KEYS)
    grid = slices.merge(pd.DataFrame({"area_code": names.index}), how="cross")
    if len(grid) == len(k):  # complete already (keys are unique in a valid table)
        absent = grid.iloc[:0]
    else:
        present = set(zip(*(k[c] for c in ["area_code", *SLICE_KEYS]), strict=True))
        keys = zip(*(grid[c] for c in ["area_code", *SLICE_KEYS]), strict=True)
        absent = grid[[key not in present for key in keys]]
    if not absent.empty:
        absent = absent.assign(
            area_name=absent["area_code"].map(names),
            area_type="kommun",
            value=np.nan,
            flag=indicators.FLAG_MISSING,
            flag_reason="Rad saknas i data",
        )
        k = pd.concat([k, absent], ignore_index=True)
    k["_usable"] = indicators.usable(k).to_numpy()
    return k


def _names_by_slice(rows: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """Join names, codes and flags of ``rows`` per slice (names sorted, ties joined)."""
    collected: dict[tuple, tuple[list, list, list]] = {}
    rows = rows.sort_values("area_name")
    keys = zip(*(rows[c] for c in SLICE_KEYS), strict=True)
    for key, name, code, flag in zip(
        keys, rows["area_name"], rows["area_code"], rows["flag"], strict=True
    ):
        names, codes, flags = collected.setdefault(key, ([], [], []))
        names.append(str(name))
        codes.append(str(code))
        if flag not in flags:
            flags.append(str(flag))
    index = pd.MultiIndex.from_tuples(list(collected), names=SLICE_KEYS)
    if not collected:
        index = pd.MultiIndex.from_arrays([[]] * len(SLICE_KEYS), names=SLICE_KEYS)
    return pd.DataFrame(
        {
            f"{prefix}kommun": [join_names(v[0]) for v in collected.values()],
            f"{prefix}code": [",".join(v[1]) for v in collected.values()],
            f"{prefix}flag": [", ".join(v[2]) for v in collected.values()],
        },
        index=index,
    )


# -- county range --------------------------------------------------------------------------------
def county_range(table: pd.DataFrame, lan_code: str | None = None) -> pd.DataFrame:
    """Return the range (max − min) between the county's kommuner per sex and period.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table; only rows with ``area_type == "kommun"`` are used.
    lan_code : str, optional
        Two-digit län code; restricts to that county's kommuner. Without it every
        kommun in ``table`` is used.

    Returns
    -------
    pandas.DataFrame
        One row per indicator, sex, group and period (sorted), columns
        :data:`RANGE_COLUMNS`:

        - ``n_kommuner``: kommuner with a usable value (those in the range);
        - ``n_missing``: kommuner without a usable value (missing, suppressed or
          no row), left out of the range; ``missing_kommuner`` names them;
        - ``min_value``/``min_kommun``/``min_code``/``min_flag``: the shortest-lived
          kommun (tied kommuner are all named, joined with "och");
        - ``max_value``/``max_kommun``/``max_code``/``max_flag``: the longest-lived;
        - ``range``: ``max_value − min_value``, NaN when fewer than two kommuner
          have a value;
        - ``n_uncertain``/``n_not_assessed``: how many of the values in the range
          are flagged ``"osäker"``/``"ej bedömd"``.
    """
    k = _kommun_rows(table, lan_code)
    if k.empty:
        return pd.DataFrame(columns=RANGE_COLUMNS)
    usable_value = k["value"].where(k["_usable"])
    grouped = usable_value.groupby([k[c] for c in SLICE_KEYS], sort=True)
    k["_max"] = grouped.transform("max")
    k["_min"] = grouped.transform("min")

    base = (
        k.assign(
            _n=k["_usable"].astype(int),
            _miss=(~k["_usable"]).astype(int),
            _unc=(k["_usable"] & (k["flag"] == indicators.FLAG_UNCERTAIN)).astype(int),
            _na=(k["_usable"] & (k["flag"] == indicators.FLAG_NOT_ASSESSED)).astype(int),
        )
        .groupby(SLICE_KEYS, sort=True)
        .agg(
            period_label=("period_label", "first"),
            n_kommuner=("_n", "sum"),
            n_missing=("_miss", "sum"),
            n_uncertain=("_unc", "sum"),
            n_not_assessed=("_na", "sum"),
            min_value=("_min", "first"),
            max_value=("_max", "first"),
            source=("source", "first"),
        )
    )
    missing = _names_by_slice(k[~k["_usable"]], "missing_")["missing_kommun"]
    at_min = k[k["_usable"] & np.isclose(k["value"], k["_min"])]
    at_max = k[k["_usable"] & np.isclose(k["value"], k["_max"])]
    lo = _names_by_slice(at_min, "min_")
    hi = _names_by_slice(at_max, "max_")
    out = base.join(missing.rename("missing_kommuner")).join(lo).join(hi).reset_index()
    out["missing_kommuner"] = out["missing_kommuner"].astype("string").fillna("")
    out["range"] = (out["max_value"] - out["min_value"]).where(out["n_kommuner"] >= 2)
    for col in ("n_kommuner", "n_missing", "n_uncertain", "n_not_assessed"):
        out[col] = out[col].astype(int)
    out["period"] = out["period"].astype(int)
    return out[RANGE_COLUMNS].sort_values(SLICE_KEYS).reset_index(drop=True)


# -- ranks ----------------------------------------------------------------------------------------
def county_ranks(table: pd.DataFrame, lan_code: str | None = None) -> pd.DataFrame:
    """Return every kommun row with its rank in the county (1 = longest life expectancy).

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table.
    lan_code : str, optional
        Restrict to one county's kommuner.

    Returns
    -------
    pandas.DataFrame
        The kommun rows (all indicator-table columns, flags kept) plus

        - ``rank`` (``Int64``): 1 = longest; tied values share the best rank;
          ``<NA>`` for a kommun without a usable value;
        - ``n_kommuner``: kommuner ranked in that slice;
        - ``n_missing``: kommuner left out for lack of a usable value.

        Sorted by slice and rank (kommuner without a value last).
    """
    k = _kommun_rows(table, lan_code)
    if k.empty:
        return k.assign(rank=pd.Series(dtype="Int64"), n_kommuner=0, n_missing=0)
    usable_value = k["value"].where(k["_usable"])
    by = [k[c] for c in SLICE_KEYS]
    k["rank"] = usable_value.groupby(by).rank(method="min", ascending=False).astype("Int64")
    k["n_kommuner"] = k["_usable"].groupby(by).transform("sum").astype(int)
    k["n_missing"] = (~k["_usable"]).groupby(by).transform("sum").astype(int)
    k["_sort"] = k["rank"].astype("float").fillna(np.inf)
    out = k.sort_values([*SLICE_KEYS, "_sort", "area_name"]).drop(columns=["_sort", "_usable"])
    return out.reset_index(drop=True)


def kommun_rank(table: pd.DataFrame, kommun: str, lan_code: str | None = None) -> pd.DataFrame:
    """Return one kommun's rank in its county per sex and period.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table with the county's kommuner.
    kommun : str
        Four-digit kommun code, e.g. ``"2080"``.
    lan_code : str, optional
        County; defaults to the kommun's (the first two digits of its code).

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator, sex, group, period, period_label, area_code, area_name,
        value, rank, n_kommuner, n_missing, flag, flag_reason, source``.
    """
    _check_kommun(table, kommun)
    ranks = county_ranks(table, lan_code or lookup.lan_code_of(kommun))
    cols = [
        *SLICE_KEYS,
        "period_label",
        "area_code",
        "area_name",
        "value",
        "rank",
        "n_kommuner",
        "n_missing",
        "flag",
        "flag_reason",
        "source",
    ]
    out = ranks.loc[ranks["area_code"] == kommun, cols]
    return out.sort_values(SLICE_KEYS).reset_index(drop=True)


# -- comparison -----------------------------------------------------------------------------------
def _check_kommun(table: pd.DataFrame, kommun: str) -> None:
    codes = set(table.loc[table["area_type"] == "kommun", "area_code"])
    if kommun not in codes:
        raise DataError(f"Kommunen '{kommun}' finns inte i data (ange en kommunkod, t.ex. '2080')")


def compare_areas(table: pd.DataFrame, kommun: str) -> pd.DataFrame:
    """Return the kommun's value against its county (region) and Riket per sex and period.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table holding the kommun, its region (``"00"`` + län code) and
        Riket (``"0000"``).
    kommun : str
        Four-digit kommun code.

    Returns
    -------
    pandas.DataFrame
        One row per indicator, sex, group and period with ``area_code``,
        ``area_name``, ``value``, ``flag``, ``flag_reason``, ``region_code``,
        ``region_name``, ``region_value``, ``region_flag``, ``riket_value``,
        ``riket_flag``, ``diff_region`` (kommun − region), ``diff_riket``
        (kommun − Riket) and ``source``. A difference is NaN when either value
        is missing, suppressed or absent.
    """
    _check_kommun(table, kommun)
    region = lookup.region_code_of(kommun)
    ok = indicators.usable(table)
    t = table.assign(value=table["value"].where(ok))
    keep = [*SLICE_KEYS, "period_label", "area_name", "value", "flag", "flag_reason", "source"]
    kom = t.loc[t["area_code"] == kommun, keep].assign(area_code=kommun)
    reg = t.loc[t["area_code"] == region, [*SLICE_KEYS, "area_name", "value", "flag"]].rename(
        columns={"area_name": "region_name", "value": "region_value", "flag": "region_flag"}
    )
    rik = t.loc[t["area_code"] == "0000", [*SLICE_KEYS, "value", "flag"]].rename(
        columns={"value": "riket_value", "flag": "riket_flag"}
    )
    out = kom.merge(reg, on=SLICE_KEYS, how="left").merge(rik, on=SLICE_KEYS, how="left")
    out["region_code"] = region
    out["region_flag"] = out["region_flag"].fillna(indicators.FLAG_MISSING)
    out["riket_flag"] = out["riket_flag"].fillna(indicators.FLAG_MISSING)
    out["diff_region"] = out["value"] - out["region_value"]
    out["diff_riket"] = out["value"] - out["riket_value"]
    cols = [
        *SLICE_KEYS,
        "period_label",
        "area_code",
        "area_name",
        "value",
        "flag",
        "flag_reason",
        "region_code",
        "region_name",
        "region_value",
        "region_flag",
        "riket_value",
        "riket_flag",
        "diff_region",
        "diff_riket",
        "source",
    ]
    return out[cols].sort_values(SLICE_KEYS).reset_index(drop=True)


# -- change -------------------------------------------------------------------------------------
def change(table: pd.DataFrame, start: int | None = None, end: int | None = None) -> pd.DataFrame:
    """Return the change in value between two periods for every area and sex.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table.
    start, end : int, optional
        First and last period; default the earliest and latest in ``table``.

    Returns
    -------
    pandas.DataFrame
        One row per area, indicator, sex and group with ``start_period``,
        ``start_label``, ``start_value``, ``start_flag``, ``end_period``,
        ``end_label``, ``end_value``, ``end_flag`` and ``change``
        (end − start; NaN when either value is missing or suppressed).

    Raises
    ------
    DataError
        If ``start`` or ``end`` is not in the table, or ``start >= end``.
    """
    all_periods = periods(table)
    if not all_periods:
        raise DataError("Tabellen är tom – ingen förändring kan beräknas")
    start = check_period(table, all_periods[0] if start is None else start)
    end = check_period(table, all_periods[-1] if end is None else end)
    if start >= end:
        raise DataError(f"Startåret ({start}) måste vara före slutåret ({end})")
    ok = indicators.usable(table)
    t = table.assign(value=table["value"].where(ok))
    area = ["area_code", "area_name", "area_type", *SERIES_KEYS]
    cols = [*area, "period", "period_label", "value", "flag"]

    def _at(period: int, prefix: str) -> pd.DataFrame:
        rows = t.loc[t["period"] == period, cols].drop(columns="period")
        rows = rows.rename(
            columns={
                "period_label": f"{prefix}_label",
                "value": f"{prefix}_value",
                "flag": f"{prefix}_flag",
            }
        )
        return rows.assign(**{f"{prefix}_period": period})

    a, b = _at(start, "start"), _at(end, "end")
    out = a.merge(b, on=area, how="outer")
    for prefix, period in (("start", start), ("end", end)):
        out[f"{prefix}_period"] = period
        out[f"{prefix}_flag"] = out[f"{prefix}_flag"].fillna(indicators.FLAG_MISSING)
        label = t.loc[t["period"] == period, "period_label"].iloc[0]
        out[f"{prefix}_label"] = out[f"{prefix}_label"].fillna(label)
    out["change"] = out["end_value"] - out["start_value"]
    sources = table.drop_duplicates("area_code").set_index("area_code")["source"]
    out["source"] = out["area_code"].map(sources)
    order = {"kommun": 0, "region": 1, "riket": 2}
    out["_o"] = out["area_type"].map(order)
    out = out.sort_values(["_o", "area_code", *SERIES_KEYS]).drop(columns="_o")
    result_cols = [
        *area,
        "start_period",
        "start_label",
        "start_value",
        "start_flag",
        "end_period",
        "end_label",
        "end_value",
        "end_flag",
        "change",
        "source",
    ]
    return out[result_cols].reset_index(drop=True)
