"""The county overview of a run: kommun × indicator ("tartan rug") from the reports' own data files.

The overview shows exactly the numbers the reports show: it reads each
kommun's data file (``<code>_<name>.csv``, written by
:func:`helpers.run.execute.write_facts`) and takes, for each indicator of the
catalogue and sex, the kommun's value in the latest period any report shows,
together with the county's and Riket's value of the same fact. Each kommun
value is classified against the county with :func:`helpers.stats.benchmark.classify`
(confidence interval against the county's value, the catalogue's direction of
better). A fact a report shows in several sections has one value ("one fact,
one value", checked by the report); the row that carries a confidence interval
is preferred.

:func:`read_facts` reads a data file, :func:`cells` builds the overview table
(one row per kommun and column), :func:`columns` describes the columns.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers.config import catalogue
from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.report import facts as report_facts
from helpers.stats import benchmark

#: Section name of the overview's rows in its data file.
SECTION = "Länsöversikt"
_TEXT_COLUMNS = ("section", "area_code", "area_name", "area_type", "period_label", "sex", "group")


def read_facts(path: str | Path) -> pd.DataFrame:
    """Read a report's data file (Swedish Excel dialect) back into facts columns.

    Raises
    ------
    DataError
        When the file lacks the facts columns.
    """
    path = Path(path)
    frame = pd.read_csv(
        path,
        sep=";",
        decimal=",",
        encoding="utf-8-sig",
        dtype={c: "string" for c in (*_TEXT_COLUMNS, "indicator", "flag", "flag_reason")},
        keep_default_na=False,
        na_values=[""],
    )
    missing = [c for c in report_facts.COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(
            f"Datafilen {path.name} saknar kolumnerna {', '.join(missing)}: kör rapporten igen"
        )
    for c in ("flag_reason", "group", "sex"):
        frame[c] = frame[c].fillna("")
    frame["period"] = frame["period"].astype("Int64")
    return frame


def _pick(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per fact: the one with a confidence interval when there is one."""
    if rows.empty:
        return rows
    ranked = rows.assign(_has_ci=rows["ci_lower"].notna() & rows["ci_upper"].notna())
    ranked = ranked.sort_values("_has_ci", ascending=False, kind="stable")
    return ranked.drop_duplicates(report_facts.FACT_KEYS).drop(columns="_has_ci")


def _by_column(facts: pd.DataFrame) -> dict[tuple, pd.DataFrame]:
    """Split facts by (indicator, sex, period), rows in their original order."""
    return {
        (str(ind), str(sex), int(period)): part
        for (ind, sex, period), part in facts.groupby(
            ["indicator", "sex", "period"], sort=False, dropna=True
        )
    }


def columns(all_facts: pd.DataFrame) -> pd.DataFrame:
    """Return the overview's columns: catalogue indicators and sexes shown for kommuner, latest period.

    Returns
    -------
    pandas.DataFrame
        ``indicator``, ``sex``, ``period``, ``period_label``, ``name``, ``unit``,
        ``decimals``, ``better`` in catalogue order.
    """
    cat = catalogue.load()
    k = all_facts[
        (all_facts["area_type"] == "kommun")
        & (all_facts["group"] == indicators.ALL_GROUPS)
        & all_facts["indicator"].isin([i.id for i in cat])
    ]
    rows = []
    order = {ind.id: i for i, ind in enumerate(cat)}
    for (ind_id, sex), g in k.groupby(["indicator", "sex"], sort=False):
        if sex != "totalt" and (k[(k["indicator"] == ind_id) & (k["sex"] == "totalt")]).shape[0]:
            continue  # the total is shown; sexes are in the reports
        latest = int(g["period"].max())
        labels = g.loc[g["period"] == latest, "period_label"].dropna().value_counts().index
        ind = cat.get(str(ind_id))
        rows.append(
            {
                "indicator": ind_id,
                "sex": sex,
                "period": latest,
                "period_label": str(labels[0]) if len(labels) else str(latest),
                "name": ind.short_name,
                "unit": ind.unit,
                "decimals": ind.decimals,
                "better": ind.better,
                "_order": (order[str(ind_id)], ["totalt", "kvinnor", "män"].index(sex)),
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def cells(report_facts_by_kommun: dict[str, pd.DataFrame], region_code: str) -> pd.DataFrame:
    """Build the overview: one row per kommun (and county, Riket) and column, with its category.

    Parameters
    ----------
    report_facts_by_kommun : dict of str to DataFrame
        Each kommun's own data file (:func:`read_facts`), by kommun code.
    region_code : str
        The county's area code (benchmark).

    Returns
    -------
    pandas.DataFrame
        Facts columns (:data:`helpers.report.facts.COLUMNS`, ``section`` set to
        :data:`SECTION`) plus ``column`` (the overview column's number) and
        ``comparison`` (a :mod:`helpers.stats.benchmark` category against the
        county; empty for the county and Riket rows).
    """
    own = []
    for code, f in report_facts_by_kommun.items():
        own.append(f[f["area_code"] == code])
    refs = [f[f["area_type"].isin(["region", "riket"])] for f in report_facts_by_kommun.values()]
    all_facts = pd.concat([*own, *refs], ignore_index=True) if own else pd.DataFrame()
    if all_facts.empty:
        return pd.DataFrame(columns=[*report_facts.COLUMNS, "column", "comparison"])
    cols = columns(all_facts)
    # Each kommun's facts split once by (indicator, sex, period), one row per fact
    # (_pick; filtering on key columns commutes with its drop_duplicates): the kommun's
    # own rows and the county rows of its file, looked up per column below.
    wanted = set(cols["indicator"]) if len(cols) else set()
    keys = {(str(c.indicator), str(c.sex), int(c.period)) for c in cols.itertuples(index=False)}
    own_parts: dict[str, dict[tuple, pd.DataFrame]] = {}
    county_parts: dict[str, dict[tuple, pd.DataFrame]] = {}
    for code, f in report_facts_by_kommun.items():
        f = f[(f["group"] == indicators.ALL_GROUPS) & f["indicator"].isin(wanted)]
        in_column = [
            (str(i), str(s), int(p)) in keys if not pd.isna(p) else False
            for i, s, p in zip(f["indicator"], f["sex"], f["period"], strict=True)
        ]
        f = _pick(f[in_column])
        own_parts[code] = _by_column(f[f["area_code"] == code])
        county_parts[code] = _by_column(f[f["area_code"] == region_code])
    out = []
    for i, c in enumerate(cols.itertuples(index=False)):
        key = (str(c.indicator), str(c.sex), int(c.period))
        rows, refs = [], []
        for code in report_facts_by_kommun:
            row = own_parts[code].get(key)
            if row is None:
                continue
            row = row.iloc[:1]
            county = county_parts[code].get(key)
            if county is not None:  # the county's value in the same period as the kommun's
                county = county.loc[county["period_label"] == row["period_label"].iloc[0], "value"]
            rows.append(row)
            refs.append(float(county.iloc[0]) if county is not None and len(county) else np.nan)
        if rows:
            kommuner = pd.concat(rows, ignore_index=True)
            comp = benchmark.classify_frame(kommuner, pd.Series(refs, dtype="float64"), c.better)
            comp = comp.where(indicators.usable(kommuner), "")
            out.append(kommuner.assign(column=i, comparison=comp))
        refs_c = _pick(
            all_facts[
                (all_facts["area_type"] != "kommun")
                & (all_facts["group"] == indicators.ALL_GROUPS)
                & (all_facts["indicator"] == c.indicator)
                & (all_facts["sex"] == c.sex)
                & (all_facts["period"] == c.period)
                & (all_facts["period_label"] == c.period_label)
                & (all_facts["area_code"].isin([region_code, lookup.RIKET_CODE]))
            ]
        )
        out.append(refs_c.assign(column=i, comparison=""))
    result = pd.concat(out, ignore_index=True)
    result["section"] = SECTION
    extra = ["column", "comparison"]
    return result[[*report_facts.COLUMNS, *extra]]
