"""The survey section of the kommun report: figures, a table and Swedish sentences for one kommun.

:func:`survey_section` is what ``notebooks/templates/kommunprofil.ipynb`` calls.
It checks the data source against the registry and the indicator catalogue
(:func:`helpers.sources.survey_data.check_survey_source`: only sources whose
catalogue recipe is a ``survey_variable`` can serve it; any other source gives
a section that says so in Swedish), reads the survey microdata
(:func:`helpers.sources.survey_data.survey_microdata`), estimates each requested
yes/no variable for every kommun of the county, the county and Sweden
(:mod:`helpers.report.survey_analysis`) and returns, for one kommun, a
:class:`helpers.report.section.Section` with

* ``figures`` (:mod:`helpers.plots.survey`): the county's kommuner with the
  kommun highlighted, the kommun by sex and education, the change between the
  two latest periods and a map – weak estimates marked, suppressed ones blank
  with the reason;
* ``tables["enkät"]``: value with CI, n, flag and reason for the kommun, the
  county and Sweden (:func:`helpers.report.survey_tables.display_table`);
* ``sentences`` (:mod:`helpers.text.survey`): the kommun against county and
  Sweden with the rank colour, the change in the kommun and in the county with
  the number of yes-answers behind it, and the note on rank colours versus
  significance;
* ``facts``: the indicator-table rows behind every number shown, after
  disclosure control, with the catalogue's indicator id; a suppressed row
  carries no value, interval, numerator or n.

The sampling design (strata, PSUs, fpc) comes from the variable map
(:attr:`helpers.sources.survey_data.SurveyData.design`) and is passed whole to
the estimates and comparisons, so a cluster sample gets its wider intervals.

A question that no respondent answered (every answer missing, in the whole
extract or in the kommun) is no crash: its sentence says so in Swedish ("för
få svar"), the other questions are shown, and when no question has an answer
the section is ``available=False``.

Indicator names and directions come from the catalogue (``params/indicators.yaml``);
the variable map's labels are used only for the extract's own questions.
Everything shown passes disclosure control (``min_n``) in
:mod:`helpers.report.survey_analysis` and again in the tables and figures.

Speed: the estimates for the whole county are memoized
(:class:`helpers.core.memo.Memo`) per extract, variable, threshold and pooling,
so after the first kommun a section only slices tables and draws its figures.
Figures are plain :class:`matplotlib.figure.Figure` objects (not through
``pyplot``), so a batch of reports does not accumulate open figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers.config import sources as source_registry
from helpers.config import survey_input
from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.core.memo import Memo
from helpers.plots import survey as plots_survey
from helpers.report import survey_analysis as survey_report
from helpers.report.section import Section
from helpers.report.survey_tables import display_table
from helpers.sources import survey_data as data_survey
from helpers.sources import survey_hlv
from helpers.text import survey as survey_text

#: Name of the section's display table in ``Section.tables``.
TABLE = "enkät"
#: Columns of a fact that a suppressed row must not carry.
_HIDDEN_NUMBERS = ("value", "ci_lower", "ci_upper", "ci_level", "numerator", "denominator", "n")


@dataclass(frozen=True)
class Analysis:
    """County-wide results for one variable (memoized, shared by all kommuner).

    Attributes
    ----------
    variable, label : str
        Variable name and the indicator's Swedish name (catalogue, else the map's label).
    indicator_id : str
        Catalogue id (the variable name for questions the catalogue does not know).
    table : pandas.DataFrame
        Indicator table with the national reference rows (disclosure-controlled).
    comparison : pandas.DataFrame
        :func:`helpers.report.survey_analysis.kommun_comparison` for the latest period.
    changes : pandas.DataFrame or None
        :func:`helpers.report.survey_analysis.change_table` for the two latest
        non-overlapping periods (``None`` when there are none).
    county_answer : helpers.text.survey.ChangeAnswer or None
        The "has it fallen?" answer for the county.
    direction : str or None
        Which end of the scale is good (from the catalogue).
    """

    variable: str
    label: str
    indicator_id: str
    table: pd.DataFrame
    comparison: pd.DataFrame
    changes: pd.DataFrame | None
    county_answer: survey_text.ChangeAnswer | None
    direction: str | None


_ANALYSES = Memo("enkat_analyser")


def _make_analysis(
    data: data_survey.SurveyData, variable: str, min_n: int, pool_years: int
) -> Analysis:
    micro = data.microdata
    est = survey_report.estimate_variable(
        micro,
        variable,
        source=data.source,
        min_n=min_n,
        pool_years=pool_years,
        design=data.design,
    )
    riket = data_survey.riket_reference(data, [variable])
    direction = data_survey.direction(variable)
    comparison = survey_report.kommun_comparison(
        micro,
        est,
        variable,
        min_n=min_n,
        direction=direction,
        riket=riket,
        pool_years=pool_years,
        design=data.design,
    )
    label = data.label(variable)
    periods = survey_report.pick_periods(est.design)
    changes = answer = None
    if periods is not None:
        changes = survey_report.change_table(est, *periods, min_n=min_n)
        region = changes.loc[changes["area_type"] == "region", "area_code"]
        if len(region) == 1:
            answer = survey_text.change_answer(
                changes, str(region.iloc[0]), label=label, variable=variable
            )
    ind = data.indicator(variable)
    return Analysis(
        variable=variable,
        label=label,
        indicator_id=ind.id if ind is not None else variable,
        table=survey_report.with_reference(est.table, riket, min_n),
        comparison=comparison,
        changes=changes,
        county_answer=answer,
        direction=direction,
    )


def _analysis(data: data_survey.SurveyData, variable: str, min_n: int, pool_years: int) -> Analysis:
    key = (data.key, variable, int(min_n), int(pool_years))
    return _ANALYSES.get(key, lambda: _make_analysis(data, variable, min_n, pool_years))


def clear_memo() -> None:
    """Forget memoized analyses (e.g. after changing an extract in place)."""
    _ANALYSES.clear()


def _figure(height: float, width: float = 7.6) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _facts(rows: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """Indicator-table rows as facts: catalogue id, and no numbers on hidden rows."""
    facts = rows.assign(indicator=indicator_id).copy()
    hidden = ~indicators.usable(facts).to_numpy()
    for col in _HIDDEN_NUMBERS:
        if col in facts.columns:
            facts[col] = facts[col].astype("float64")
            facts.loc[hidden, col] = np.nan
    return facts


def _unavailable(title: str, sentence: str | list[str], source: str = "") -> Section:
    sentences = [sentence] if isinstance(sentence, str) else list(sentence)
    return Section(title=title, sentences=sentences, source=source, available=False)


def _pooled_years(a: Analysis) -> int:
    """Calendar years per estimate of an analysis (from its latest period label)."""
    label = str(a.table["period_label"][a.table["period"] == a.table["period"].max()].iloc[0])
    first, _, last = label.partition("–")
    return int(last) - int(first) + 1 if last else 1


def _respondents(micro: pd.DataFrame, kommun: str, period: int, pool_years: int) -> int:
    """Respondents of ``kommun`` in the survey years of the period ending in ``period``."""
    first = int(period) - max(int(pool_years), 1) + 1
    return int(((micro["kommun"] == kommun) & micro["year"].between(first, int(period))).sum())


def pool_window(micro: pd.DataFrame) -> int:
    """Calendar years that cover the two latest survey rounds (0 with fewer than two rounds).

    With rounds in 2020 and 2024 this is 5 (the window 2020–2024 of
    :func:`helpers.stats.survey.prevalence`'s ``pool_years``).
    """
    years = sorted(int(y) for y in pd.unique(micro["year"].dropna()))
    return years[-1] - years[-2] + 1 if len(years) >= 2 else 0


def _own_total(a: Analysis, kommun: str) -> pd.DataFrame:
    """Return the kommun's row for all respondents in the latest period."""
    t = a.table
    return t[
        (t["period"] == t["period"].max())
        & (t["area_code"] == kommun)
        & (t["sex"] == "totalt")
        & (t["group"] == indicators.ALL_GROUPS)
    ]


def _pooled_if_weak(
    data: data_survey.SurveyData, a: Analysis, kommun: str, min_n: int
) -> tuple[Analysis, str]:
    """Return the pooled analysis and its note when the kommun's single-year figure is not shown."""
    own = _own_total(a, kommun)
    window = pool_window(data.microdata)
    if window <= 1 or (len(own) and indicators.usable(own).all()):
        return a, ""
    pooled = _analysis(data, a.variable, min_n, window)
    p_own = _own_total(pooled, kommun)
    if p_own.empty:
        return a, ""
    last = int(p_own["period"].iloc[0])
    years = sorted(
        int(y) for y in pd.unique(data.microdata["year"]) if last - window < int(y) <= last
    )
    reason = str(own["flag_reason"].iloc[0]) if len(own) else "inga svar"
    pooled_ok = bool(indicators.usable(p_own).all())
    note = survey_text.pooled_note(
        a.label,
        lookup.area_name(kommun),
        str(a.table["period_label"][a.table["period"] == a.table["period"].max()].iloc[0]),
        reason if reason != "<NA>" else "",
        str(p_own["period_label"].iloc[0]),
        years,
        None if pooled_ok else str(p_own["flag_reason"].iloc[0] or ""),
    )
    return pooled, note


def _shown(
    a: Analysis,
    own: pd.DataFrame,
    others: pd.DataFrame,
    kommun: str,
    region_code: str,
    lan_code: str,
    min_n: int,
    figures: bool,
) -> tuple[pd.DataFrame, list[pd.DataFrame], set[str], dict[str, Figure]]:
    """Return what one analysis shows: display table, fact rows, period labels and figures.

    The fact rows include the kommun's and the county's earlier period when a
    change is shown (its starting values are numbers the reader sees).
    """
    shown = pd.concat([own, others], ignore_index=True)
    table = display_table(
        shown, min_n=min_n, columns=("area_name", "sex", "group", "period_label")
    ).assign(Indikator=a.label)
    facts = [_facts(shown, a.indicator_id)]
    if a.changes is not None:
        before = a.table[
            a.table["area_code"].isin([kommun, region_code])
            & (a.table["period_label"].isin(a.changes["period_label_before"].unique()))
            & (a.table["sex"] == "totalt")
            & (a.table["group"] == indicators.ALL_GROUPS)
        ]
        facts.append(_facts(before, a.indicator_id))
    figs = _figures(a, kommun, lan_code, min_n, with_kommun=not own.empty) if figures else {}
    return table, facts, set(shown["period_label"].astype(str)), figs


def survey_section(
    kommun: str,
    data_source: str = "demo",
    variables: Sequence[str] = ("daily_smoking",),
    min_n: int = 5,
    *,
    variable_map: str | Path | None = None,
    extract_path: str | Path | None = None,
    pool_years: int = 0,
    figures: bool = True,
    survey: dict | None = None,
    pool_when_weak: bool = True,
) -> Section:
    """Build the survey section for one kommun.

    Parameters
    ----------
    kommun : str
        Four-digit kommun code (an ``int`` such as ``2080`` is zero-padded).
    data_source : str
        A source of the registry whose catalogue recipe is a ``survey_variable``
        (``"demo"``, ``"extrakt"`` with ``extract_path``) or the path of an
        extract; any other source (e.g. ``"kolada"``) gives a section with
        ``available=False`` whose sentence says why.
    variables : sequence of str
        Yes/no answer variables of the variable map.
    min_n : int
        Disclosure threshold (``disclosure.min_n``).
    variable_map : str or Path, optional
        Variable map (default the demo's).
    extract_path : str or Path, optional
        The extract when ``data_source="extrakt"``.
    pool_years : int
        0 for one estimate per survey year, else pool this many calendar years.
    figures : bool
        Draw the figures (False gives table and sentences only, e.g. for tests).
    survey : dict, optional
        The run's survey input (:mod:`helpers.config.survey_input`), e.g.
        ``{"kind": "hlv_aggregated", "reference": ..., "map": ...}``; when
        given (non-empty) it replaces ``data_source`` for this section
        (:func:`aggregated_section`).
    pool_when_weak : bool
        With ``pool_years=0``: when the kommun's single-year figure for all
        respondents cannot be shown (suppressed by the reliability rules or the
        disclosure threshold), show the whole variable pooled over the two
        latest survey rounds instead (:func:`pool_window`), with the rule and the
        years in a sentence (:func:`helpers.text.survey.pooled_note`); if the pooled
        figure is too weak as well, the sentence says so.

    Returns
    -------
    helpers.report.section.Section
        ``tables["enkät"]`` is the display table; ``facts`` the indicator rows behind it.

    Raises
    ------
    DataError
        Unknown kommun, source or variable, missing files, or problems in the extract.
    """
    if isinstance(kommun, int):
        kommun = lookup.pad_kommun(kommun)
    if survey:
        return aggregated_section(kommun, survey, variables, min_n=min_n, figures=figures)
    kommun_name = lookup.area_name(kommun)
    title = f"Levnadsvanor i {kommun_name} (enkät)"
    if isinstance(data_source, str) and data_source in source_registry.SOURCES:
        try:
            data_survey.check_survey_source(data_source, variables)
        except DataError as exc:
            return _unavailable(title, str(exc))
    data = data_survey.survey_microdata(
        data_source, variable_map, extract_path=extract_path or None
    )
    variables = data_survey.check_variables(data, variables)
    if kommun not in set(data.microdata["kommun"].astype(str)):
        return _unavailable(
            title,
            survey_text.not_in_extract(kommun_name, data.origin.get("name", "")),
            data.source,
        )
    lan_code = lookup.lan_code_of(kommun)
    region_code = lookup.region_code(lan_code)
    figs: dict[str, Figure] = {}
    sentences: list[str] = []
    tables, facts, periods = [], [], set()
    used: list[Analysis] = []
    area = data.origin.get("name", "") or "extraktet"
    unanswered = [v for v in variables if data.answered(v) == 0]
    sentences += [
        survey_text.no_answers(data.label(v), area, len(data.microdata)) for v in unanswered
    ]
    variables = [v for v in variables if v not in unanswered]
    if not variables:
        return _unavailable(title, sentences, data.source)
    for variable in variables:
        a = _analysis(data, variable, min_n, pool_years)
        if pool_when_weak and not pool_years:
            a, note = _pooled_if_weak(data, a, kommun, min_n)
            if note:
                sentences.append(note)
        latest = int(a.table["period"].max())
        t = a.table[a.table["period"] == latest]
        own = t[t["area_code"] == kommun]
        own = own[(own["group"] == indicators.ALL_GROUPS) | (own["sex"] == "totalt")]
        others = t[
            t["area_code"].isin([region_code, lookup.RIKET_CODE])
            & (t["sex"] == "totalt")
            & (t["group"] == indicators.ALL_GROUPS)
        ]
        comparison = a.comparison
        if own.empty:  # the kommun is in the extract, but nobody there answered in this period
            sentences.append(
                survey_text.no_answers(
                    a.label,
                    kommun_name,
                    _respondents(data.microdata, kommun, latest, _pooled_years(a)),
                    str(t["period_label"].iloc[0]),
                )
            )
            comparison = comparison.iloc[:0]  # nothing to compare; the county is still described
        sentences += survey_text.kommun_sentences(
            comparison,
            a.changes,
            a.county_answer,
            kommun,
            label=a.label,
            variable=a.variable,
        )
        table, shown_facts, shown_periods, shown_figs = _shown(
            a, own, others, kommun, region_code, lan_code, min_n, figures
        )
        tables.append(table)
        facts += shown_facts
        periods.update(shown_periods)
        figs.update(shown_figs)
        used.append(a)
    if any((a.comparison["colour"] != "").any() for a in used):
        sentences.append(survey_text.SECTION_COLOUR_NOTE)
    return _assembled(title, sentences, tables, facts, periods, figs, data.source)


def _assembled(
    title: str,
    sentences: list[str],
    tables: list[pd.DataFrame],
    facts: list[pd.DataFrame],
    periods: set[str],
    figs: dict[str, Figure],
    source: str,
) -> Section:
    """Return the survey section from its variables' parts (microdata and HLV paths alike)."""
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    if "Indikator" in table.columns:
        table = table[["Indikator", *[c for c in table.columns if c != "Indikator"]]]
    return Section(
        title=title,
        sentences=sentences,
        figures=figs,
        tables={TABLE: table.reset_index(drop=True)},
        source=source,
        period_label=next(iter(periods)) if len(periods) == 1 else "",
        facts=indicators.concat(facts) if facts else indicators.empty(),
    )


#: Sheets of an aggregated HLV workbook the report uses (everyone, and by education).
HLV_SHEETS: tuple[str, ...] = ("Kommunjämförelse", "Utbildning")


def _make_aggregated_analysis(
    workbook: str, map_path: str, variable: str, lan_code: str
) -> Analysis:
    hlv_map = survey_hlv.read_map(map_path)
    sheets = [s for s in HLV_SHEETS if s in hlv_map.sheets] or list(hlv_map.sheets)[:1]
    table = survey_hlv.read_hlv(workbook, hlv_map, sheets=sheets, variables=[variable])
    direction = data_survey.direction(variable)
    ind = data_survey.indicator_for(variable)
    label = ind.name if ind is not None else hlv_map.label(variable)
    comparison = survey_report.aggregated_comparison(table, variable, lan_code, direction=direction)
    periods = survey_report.aggregated_periods(table, variable)
    changes = answer = None
    if periods is not None:
        codes = [
            *lookup.kommuner_in(lan_code)["kommun_code"],
            lookup.region_code(lan_code),
            lookup.RIKET_CODE,
        ]
        changes = survey_report.aggregated_changes(table, variable, *periods, area_codes=codes)
        region = lookup.region_code(lan_code)
        if (changes["area_code"] == region).sum() == 1:
            answer = survey_text.change_answer(
                changes,
                region,
                label=label,
                variable=variable,
                counts_note=survey_text.NO_COUNTS_IN_SOURCE,
            )
    keep = table["area_code"].isin(
        [
            *lookup.kommuner_in(lan_code)["kommun_code"],
            lookup.region_code(lan_code),
            lookup.RIKET_CODE,
        ]
    )
    return Analysis(
        variable=variable,
        label=label,
        indicator_id=ind.id if ind is not None else variable,
        table=table[keep.to_numpy()].reset_index(drop=True),
        comparison=comparison,
        changes=changes,
        county_answer=answer,
        direction=direction,
    )


def aggregated_analyses(
    survey: dict, variables: Sequence[str], lan_code: str
) -> dict[str, Analysis]:
    """County-wide analyses of an aggregated survey table, one per variable (memoized).

    Parameters
    ----------
    survey : dict
        The survey input (:mod:`helpers.config.survey_input`).
    variables : sequence of str
        Variables of its map.
    lan_code : str
        Two-digit län code.

    Returns
    -------
    dict of str to Analysis
        ``table`` (kommuner, region, Riket; every year, sex and education
        group), ``comparison`` (latest year with kommun values), ``changes``
        and ``county_answer`` (the two latest such years).
    """
    kind, workbook, map_path = survey_input.resolve(survey)
    out = {}
    for variable in variables:
        key = ("aggregerad", kind, str(workbook), str(map_path), variable, lan_code)
        out[variable] = _ANALYSES.get(
            key,
            lambda v=variable: _make_aggregated_analysis(str(workbook), str(map_path), v, lan_code),
        )
    return out


def aggregated_section(
    kommun: str,
    survey: dict,
    variables: Sequence[str] = ("daily_smoking",),
    *,
    min_n: int = 5,
    figures: bool = True,
) -> Section:
    """Build the survey section for one kommun from an aggregated survey table (no microdata).

    The run's ``survey`` parameter (:mod:`helpers.config.survey_input`) names a
    region's HLV workbook and its variable map
    (:mod:`helpers.sources.survey_hlv`). The kommun is compared with its county
    and Riket, and the two latest survey years with kommun values with each
    other, from the published intervals alone
    (:func:`helpers.report.survey_analysis.aggregated_comparison`,
    :func:`~helpers.report.survey_analysis.aggregated_changes`). There are no
    respondent counts: disclosure control was done by the publisher, the
    table's n column is empty and the sentences say that the counts are not in
    the source.

    Parameters
    ----------
    kommun : str
        Four-digit kommun code.
    survey : dict
        ``{"kind": "hlv_aggregated", "file" or "reference": ..., "map": ...}``.
    variables : sequence of str
        Variables of the map.
    min_n : int
        Disclosure threshold passed to tables and figures; the table has no
        counts, so it hides nothing here (the publisher applied its own rules).
    figures : bool
        Draw the figures.

    Returns
    -------
    helpers.report.section.Section
    """
    _, workbook, _ = survey_input.resolve(survey)
    kommun_name = lookup.area_name(kommun)
    title = f"Levnadsvanor i {kommun_name} (enkät)"
    lan_code = lookup.lan_code_of(kommun)
    region_code = lookup.region_code(lan_code)
    sentences: list[str] = []
    tables, facts, periods = [], [], set()
    figs: dict[str, Figure] = {}
    source = ""
    analyses = aggregated_analyses(survey, variables, lan_code)
    for variable in variables:
        a = analyses[variable]
        source = str(a.table["source"].iloc[0]) if len(a.table) else source
        latest = (
            int(a.comparison["period"].iloc[0])
            if len(a.comparison)
            else int(a.table["period"].max())
        )
        t = a.table[a.table["period"] == latest]
        own = t[t["area_code"] == kommun]
        own = own[(own["group"] == indicators.ALL_GROUPS) | (own["sex"] == "totalt")]
        others = t[
            t["area_code"].isin([region_code, lookup.RIKET_CODE])
            & (t["sex"] == "totalt")
            & (t["group"] == indicators.ALL_GROUPS)
        ]
        if own.empty:
            sentences.append(survey_text.not_in_extract(kommun_name, Path(workbook).name))
        sentences += survey_text.kommun_sentences(
            a.comparison if not own.empty else a.comparison.iloc[:0],
            a.changes,
            a.county_answer,
            kommun,
            label=a.label,
            variable=a.variable,
            counts_note="",
        )
        table, shown_facts, shown_periods, shown_figs = _shown(
            a, own, others, kommun, region_code, lan_code, min_n, figures
        )
        tables.append(table)
        facts += shown_facts
        periods.update(shown_periods)
        figs.update(shown_figs)
    sentences = [x.strip() for x in sentences]
    sentences.append(survey_text.NO_COUNTS_IN_SOURCE)
    if any((a.comparison["colour"] != "").any() for a in analyses.values()):
        sentences.append(survey_text.SECTION_COLOUR_NOTE)
    return _assembled(title, sentences, tables, facts, periods, figs, source)


def _figures(
    a: Analysis, kommun: str, lan_code: str, min_n: int, *, with_kommun: bool = True
) -> dict[str, Figure]:
    """Draw the four figures of one variable for one kommun (no group figure without its estimates)."""
    figs: dict[str, Figure] = {}
    n_kom = int((a.comparison["area_type"] == "kommun").sum())
    fig, ax = _figure(0.34 * n_kom + 2.6)
    plots_survey.kommun_bars(
        a.table, ax, highlight=kommun, comparison=a.comparison, label=a.label, min_n=min_n
    )
    figs[f"{a.variable}_kommuner"] = fig
    if with_kommun:
        fig, ax = _figure(4.6)
        plots_survey.group_bars(a.table, kommun, ax, label=a.label, min_n=min_n)
        figs[f"{a.variable}_grupper"] = fig
    if a.changes is not None:
        fig, ax = _figure(0.34 * len(a.changes) + 2.9)
        plots_survey.change_points(a.changes, ax, highlight=kommun, label=a.label, min_n=min_n)
        figs[f"{a.variable}_forandring"] = fig
    fig, ax = _figure(6.6, 7.4)
    plots_survey.prevalence_map(a.table, lan_code, ax, highlight=kommun, label=a.label, min_n=min_n)
    figs[f"{a.variable}_karta"] = fig
    return figs


def check_section(section: Section, min_n: int) -> None:
    """Raise if a shown row of the section's table or facts rests on fewer than ``min_n`` respondents.

    Parameters
    ----------
    section : helpers.report.section.Section
        A built survey section.
    min_n : int
        Disclosure threshold.

    Raises
    ------
    DataError
        If any shown value has n below ``min_n``, or a suppressed fact carries a
        number (should never happen).
    """
    facts = section.facts
    if len(facts):
        hidden = ~indicators.usable(facts)
        leaks = hidden & facts[["value", "ci_lower", "ci_upper", "n"]].notna().any(axis=1)
        small = ~hidden & (facts["n"] < min_n)
        if leaks.any() or small.any():
            raise DataError(
                f"Röjandekontrollen har släppt igenom {int(leaks.sum() + small.sum())} fakta "
                f"med n < {min_n} eller dolda värden"
            )
    t = section.tables.get(TABLE, pd.DataFrame())
    if t.empty:
        return
    value_col = next(c for c in t.columns if c.startswith("Andel"))
    n = pd.to_numeric(
        t["Svarande (n)"].str.replace("\u00a0", "").str.replace(" ", ""), errors="coerce"
    )
    bad = (t[value_col] != "") & (n < min_n)
    if bad.any():
        raise DataError(
            f"Röjandekontrollen har släppt igenom {int(bad.sum())} rader med n < {min_n}"
        )
