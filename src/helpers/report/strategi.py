"""The Strategi för hälsa section of the kommun report (``kommunprofil``).

Assembles, for one kommun, the goal status table (with Kolada-style rank
colours beside it), the small multiples per goal in focus and the "focus on
deviations" sentences, and returns them as the one
:class:`helpers.report.section.Section`. The numbers come from
:mod:`helpers.stats.strategi` and :mod:`helpers.stats.strategi_compare`, the
words from :mod:`helpers.text.strategi`, the data from
:mod:`helpers.sources.strategi`. ``facts`` holds the indicator-table rows
behind the shown values (baseline and latest value per goal KPI, the kommun's
value and the county's and Sweden's values in the deviation sentences).

The county- and Sweden-wide pieces (the goal table, the prepared table, the
groups and the rank colours) are memoized per data source
(:class:`helpers.core.memo.Memo`), so that a warm kernel running one report per
kommun computes them once.
"""

from __future__ import annotations

import pandas as pd

from helpers.config import goals as goal_file
from helpers.core import indicators, lookup
from helpers.core.memo import Memo
from helpers.plots import strategi as plots_strategi
from helpers.report.section import Section
from helpers.sources import strategi as data_strategi
from helpers.stats import strategi, strategi_compare
from helpers.text import strategi as text_strategi

TITLE = "Strategi för hälsa"
_MEMO = Memo("strategi_section")
_FACT_KEYS = ["indicator", "area_code", "sex", "period"]


def prepared(data_source: str) -> tuple[pd.DataFrame, pd.DataFrame, list, pd.DataFrame]:
    """Return the goal table, prepared indicator table, groups and rank colours (memoized).

    Parameters
    ----------
    data_source : str
        A source that can serve every goal indicator (validated by
        :func:`helpers.sources.strategi.load`).
    """

    def make() -> tuple[pd.DataFrame, pd.DataFrame, list, pd.DataFrame]:
        goals = goal_file.load_goals()
        raw, groups = data_strategi.load(data_source, goals=goals)
        table = strategi.prepare(raw, goals)
        ranks = strategi_compare.rank_colours(table, goals)
        return goals, table, groups, ranks

    return _MEMO.get(data_source, make)


def _facts(
    table: pd.DataFrame, status: pd.DataFrame, focus: pd.DataFrame, comparison: pd.DataFrame
) -> pd.DataFrame:
    """Indicator-table rows behind the status table and the deviation sentences."""
    keys = []
    shown = status[
        status["sex"].eq("totalt") | status["kpi"].isin(strategi.single_sex_kpis(status))
    ]
    if len(focus):  # a worsening of women or men is shown in a sentence
        worse = focus.loc[focus["kind"] == strategi_compare.KIND_WORSENING, ["kpi", "sex"]]
        shown = pd.concat([shown, status.merge(worse, on=["kpi", "sex"])])
    shown = shown[shown["kpi"] != ""]
    for year_col in ("baseline_year", "latest_year"):
        part = shown[["kpi", "value_area_code", "sex", year_col]].dropna()
        part.columns = _FACT_KEYS
        keys.append(part)
    if len(focus):
        dev = focus[focus["kind"] == strategi_compare.KIND_DEVIATION]
        cmp = comparison.merge(dev[["kpi", "sex", "comparison"]], on=["kpi", "sex", "comparison"])
        own = cmp[["kpi", "area_code", "sex", "period"]]
        own.columns = _FACT_KEYS
        refs = cmp[cmp["comparison"].isin(["län", "riket"])][["kpi", "ref_code", "sex", "period"]]
        refs.columns = _FACT_KEYS
        keys += [own, refs]
    wanted = pd.concat(keys, ignore_index=True).dropna().drop_duplicates()
    if wanted.empty:
        return indicators.empty()
    wanted["period"] = wanted["period"].astype(int)
    rows = table[table["group"] == indicators.ALL_GROUPS]
    out = rows.merge(wanted.astype({"period": rows["period"].dtype}), on=_FACT_KEYS)
    return out[list(indicators.COLUMNS)].reset_index(drop=True)


def _messages(status: pd.DataFrame, comparison: pd.DataFrame) -> list[str]:
    """Per-goal problems in Swedish, one line per goal and message."""
    cols = ["label", "kpi", "sex", "message"]
    found = pd.concat(
        [
            status.loc[status["message"] != "", cols],
            comparison.loc[comparison["message"].fillna("") != "", cols],
        ]
    ).drop_duplicates(["label", "message"])
    return [
        f"Mål {r.label}" + (f" ({r.kpi}, {r.sex})" if r.kpi else "") + f": {r.message}"
        for r in found.itertuples(index=False)
    ]


def strategi_section(
    kommun: str,
    data_source: str = "demo",
    *,
    top: int = 6,
    with_figure: bool = True,
    benchmark: str = "län",
    report_year: int | None = None,
) -> Section:
    """Build the Strategi för hälsa section for one kommun.

    Parameters
    ----------
    kommun : str
        Four-digit kommun code.
    data_source : str
        Where the KPI values come from (``"demo"``, ``"kolada"`` or ``"referens"``; any other
        source is refused in Swedish by :func:`helpers.sources.strategi.load`).
    top : int
        Number of "focus on deviations" sentences.
    with_figure : bool
        Draw small multiples for the goals in focus (the ``top`` deviations).
    benchmark : {"län", "riket", "liknande"}
        The one comparison the deviation sentences use (the county by default).
    report_year : int, optional
        The report's year: values from earlier years are said to be older.

    Returns
    -------
    helpers.report.section.Section
        ``tables["status"]`` is the Swedish status table, ``figures["mål"]`` the
        small multiples (absent without deviations or ``with_figure``),
        ``sentences`` the deviations, ``messages`` the per-goal problems.
    """
    if data_source == "referens" and not data_strategi.reference_available():
        # Without ../shared/reference the Dalarna reproduction has no Strategi values:
        # say so plainly in the report instead of stopping the run.
        return Section(
            title=TITLE,
            sentences=[
                f"Datakällan '{data_source}' saknar referensfilerna för Strategi för hälsas "
                "nyckeltal på den här datorn, så avsnittet visas inte för den här körningen. "
                "Kör med data_source: kolada för Koladas värden."
            ],
            tables={"status": pd.DataFrame()},
            available=False,
        )
    goals, table, groups, ranks = prepared(data_source)
    source = data_strategi.source_label(data_source)
    status = text_strategi.with_status_texts(
        strategi_compare.add_rank_colours(strategi.goal_status(table, goals, kommun), ranks)
    )
    targets = goals.dropna(subset=["kpi"]).drop_duplicates("label")
    status = status.merge(
        targets[["label", "target_unit", "target_year"]], on="label", how="left", validate="m:1"
    )
    comparison = strategi_compare.comparisons(table, goals, kommun, groups)
    # One benchmark at a time: the sentences never pick whichever comparison differs most.
    chosen = comparison[comparison["comparison"] == benchmark]
    focus = strategi_compare.deviations(chosen, status, top=top, area_code=kommun)
    focus["report_year"] = report_year
    focus = text_strategi.with_sentences(focus)
    name = lookup.area_name(kommun)
    figures = {}
    if with_figure and len(focus):
        # Small multiples for the goals in focus only: the report stays short and
        # fast; notebook 04 shows all 22 goals.
        in_focus = goals[goals["goal"].isin(set(focus["goal"]))]
        in_table = table[table["indicator"].isin(set(in_focus["kpi"].dropna()))]
        trends = strategi_compare.trend_data(in_table, in_focus, kommun, groups)
        figures["mål"] = plots_strategi.goal_trends(
            trends, status, source=source, title=f"{name}: {TITLE}"
        )
    return Section(
        title=TITLE,
        sentences=focus["sentence"].tolist(),
        figures=figures,
        tables={"status": text_strategi.status_display(status, report_year=report_year)},
        notes=[text_strategi.WHY_DIFFER],
        source=source,
        facts=_facts(table, status, focus, comparison),
        messages=_messages(status, comparison),
    )
