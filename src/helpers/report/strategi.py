"""The Strategi för hälsa section of the kommun report (``kommunprofil``).

Assembles, for one kommun, the goal status table (with Kolada-style rank
colours beside it), the small multiples per goal and the "focus on
deviations" sentences from :mod:`helpers.stats.strategi`. The county- and
Sweden-wide pieces (the prepared table, the groups and the rank colours) are
memoized per data source, so that a warm kernel running one report per kommun
computes them once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure

from helpers.core import lookup
from helpers.plots import strategi as plots_strategi
from helpers.sources import life_expectancy as data
from helpers.sources.demo import strategi as demo_strategi
from helpers.stats import strategi

_MEMO: dict[str, tuple[pd.DataFrame, pd.DataFrame, list, pd.DataFrame]] = {}


@dataclass
class StrategiSection:
    """The Strategi för hälsa section of one kommun's report.

    Attributes
    ----------
    kommun, kommun_name : str
        The kommun.
    status : pandas.DataFrame
        Raw goal status (one row per goal KPI and sex), from :func:`strategi.goal_status`.
    table : pandas.DataFrame
        Formatted Swedish display table.
    figure : matplotlib.figure.Figure or None
        Small multiples (kommun, county, Sweden, similar kommuner) for the goals
        in focus; ``None`` when no goal deviates.
    sentences : list of str
        "Focus on deviations" sentences, most deviating first.
    messages : pandas.DataFrame
        Per-goal problems (unknown KPI, missing baseline, …) in Swedish.
    """

    kommun: str
    kommun_name: str
    status: pd.DataFrame
    table: pd.DataFrame
    figure: Figure | None
    sentences: list[str] = field(default_factory=list)
    messages: pd.DataFrame = field(default_factory=pd.DataFrame)


def _prepared(data_source: str) -> tuple[pd.DataFrame, pd.DataFrame, list, pd.DataFrame]:
    if data_source not in _MEMO:
        goals = strategi.load_goals()
        raw, groups = demo_strategi.load(data_source, goals=goals)
        table = strategi.prepare(raw, goals)
        ranks = strategi.rank_colours(table, goals)
        _MEMO[data_source] = (goals, table, groups, ranks)
    return _MEMO[data_source]


def strategi_section(
    kommun: str, data_source: str = "demo", *, top: int = 6, with_figure: bool = True
) -> StrategiSection:
    """Build the Strategi för hälsa section for one kommun.

    Parameters
    ----------
    kommun : str
        Four-digit kommun code.
    data_source : {"demo", "kolada"}
        Where the KPI values come from.
    top : int
        Number of "focus on deviations" sentences.
    with_figure : bool
        Draw small multiples for the goals in focus (the ``top`` deviations).

    Returns
    -------
    StrategiSection
    """
    data.check_source(data_source)
    goals, table, groups, ranks = _prepared(data_source)
    status = strategi.add_rank_colours(strategi.goal_status(table, goals, kommun), ranks)
    comparison = strategi.comparisons(table, goals, kommun, groups)
    focus = strategi.deviations(comparison, status, top=top, area_code=kommun)
    figure = None
    name = lookup.area_name(kommun)
    if with_figure and len(focus):
        # Small multiples for the goals in focus only: the report stays short and
        # fast; notebook 04 shows all 22 goals.
        in_focus = goals[goals["goal"].isin(set(focus["goal"]))]
        in_table = table[table["indicator"].isin(set(in_focus["kpi"].dropna()))]
        trends = strategi.trend_data(in_table, in_focus, kommun, groups)
        figure = plots_strategi.goal_trends(
            trends,
            status,
            source=data.source_label(data_source),
            title=f"{name}: Strategi för hälsa",
        )
    messages = pd.concat(
        [
            status.loc[status["message"] != "", ["label", "kpi", "sex", "message"]],
            comparison.loc[
                comparison["message"].fillna("") != "", ["label", "kpi", "sex", "message"]
            ],
        ]
    ).drop_duplicates(["label", "message"])
    return StrategiSection(
        kommun=kommun,
        kommun_name=name,
        status=status,
        table=strategi.status_display(status),
        figure=figure,
        sentences=focus["sentence"].tolist(),
        messages=messages.reset_index(drop=True),
    )
