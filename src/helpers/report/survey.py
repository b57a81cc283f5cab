"""The survey section of the kommun report: figures, a table and Swedish sentences for one kommun.

:func:`survey_section` is what ``notebooks/templates/kommunprofil.ipynb`` calls.
It reads the survey microdata (:func:`helpers.sources.survey_data.survey_microdata`),
estimates each requested yes/no variable for every kommun of the county, the
county and Sweden (:mod:`helpers.report.survey_analysis`) and returns, for one kommun:

* figures (:mod:`helpers.plots.survey`): the county's kommuner with the kommun
  highlighted, the kommun by sex and education, the change between the two
  latest periods and a map – weak estimates marked, suppressed ones blank with
  the reason;
* a display table (value with CI, n, flag and reason) for the kommun, the
  county and Sweden;
* sentences: the kommun against county and Sweden with the rank colour, the
  change in the kommun and in the county with the number of yes-answers behind
  it, and the note on rank colours versus significance.

Everything shown passes disclosure control (``min_n``) in
:mod:`helpers.report.survey_analysis` and again in :mod:`helpers.plots.survey`.

Speed: the estimates for the whole county are memoized per extract, variable,
threshold and pooling, so after the first kommun a section only slices tables
and draws its figures. Figures are made as plain :class:`matplotlib.figure.Figure`
objects (not through ``pyplot``), so a batch of reports does not accumulate
open figures; show them with ``IPython.display.display(fig)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.core.fmt import num, signed
from helpers.plots import survey as plots_survey
from helpers.report import survey_analysis as survey_report
from helpers.sources import survey_data as data_survey
from helpers.stats import survey
from helpers.text import narrative

#: Data sources without survey microdata (the section then only explains why it is empty).
NO_MICRODATA_SOURCES: tuple[str, ...] = ("kolada",)


@dataclass(frozen=True)
class Analysis:
    """County-wide results for one variable (memoized, shared by all kommuner).

    Attributes
    ----------
    variable, label : str
        Variable name and its Swedish label.
    table : pandas.DataFrame
        Indicator table with the national reference rows (disclosure-controlled).
    comparison : pandas.DataFrame
        :func:`helpers.report.survey_analysis.kommun_comparison` for the latest period.
    changes : pandas.DataFrame or None
        :func:`helpers.report.survey_analysis.change_table` for the two latest
        non-overlapping periods (``None`` when there are none).
    county_answer : helpers.report.survey_analysis.ChangeAnswer or None
        The "has it fallen?" answer for the county.
    direction : str or None
        Which end of the scale is good.
    """

    variable: str
    label: str
    table: pd.DataFrame
    comparison: pd.DataFrame
    changes: pd.DataFrame | None
    county_answer: survey_report.ChangeAnswer | None
    direction: str | None


@dataclass
class SurveySection:
    """The survey section of one kommun's report.

    Attributes
    ----------
    kommun, kommun_name : str
        The kommun.
    available : bool
        False when there are no survey data for the kommun (then only
        ``sentences`` explain why).
    figures : dict of str to matplotlib.figure.Figure
        Named figures, e.g. ``"daily_smoking_kommuner"``.
    table : pandas.DataFrame
        Display table (Swedish text columns).
    sentences : list of str
        Swedish sentences, in reading order.
    source : str
        Source line (the synthetic-data label for the demo).
    """

    kommun: str
    kommun_name: str
    available: bool
    figures: dict[str, Figure] = field(default_factory=dict)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    sentences: list[str] = field(default_factory=list)
    source: str = ""

    @property
    def markdown(self) -> str:
        """Sentences as a Markdown bullet list, followed by the source line."""
        text = narrative.as_markdown(self.sentences)
        if self.source:
            text += f"\n\n*{self.source}.*"
        return text


_ANALYSES: dict[tuple, Analysis] = {}


def _analysis(data: data_survey.SurveyData, variable: str, min_n: int, pool_years: int) -> Analysis:
    key = (data.key, variable, int(min_n), int(pool_years))
    if key in _ANALYSES:
        return _ANALYSES[key]
    micro = data.microdata
    est = survey_report.estimate_variable(
        micro, variable, source=data.source, min_n=min_n, pool_years=pool_years
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
    )
    periods = survey_report.pick_periods(est.design)
    changes = answer = None
    if periods is not None:
        changes = survey_report.change_table(est, *periods, min_n=min_n)
        region = changes.loc[changes["area_type"] == "region", "area_code"]
        if len(region) == 1:
            answer = survey_report.change_answer(
                changes, str(region.iloc[0]), label=data.label(variable), variable=variable
            )
    result = Analysis(
        variable=variable,
        label=data.label(variable),
        table=survey_report.with_reference(est.table, riket, min_n),
        comparison=comparison,
        changes=changes,
        county_answer=answer,
        direction=direction,
    )
    _ANALYSES[key] = result
    return result


def clear_memo() -> None:
    """Forget memoized analyses (e.g. after changing an extract in place)."""
    _ANALYSES.clear()


def _figure(height: float, width: float = 7.6) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _kommun_sentences(a: Analysis, kommun: str) -> list[str]:
    out = [
        s
        for s in survey_report.comparison_sentences(a.comparison, kommun, label=a.label)
        if s != survey.RANK_VS_SIGNIFICANCE_NOTE
    ]
    if a.changes is not None:
        sentence = survey_report.change_sentence(
            a.changes, kommun, label=a.label, variable=a.variable
        )
        if sentence:
            out.append(sentence)
    if a.county_answer is not None:
        r = a.county_answer.row
        if a.county_answer.verdict:
            out.append(
                f"I {r['area_name']} som helhet: {signed(float(r['diff_pp']), 1, 'procentenheter')} mellan "
                f"{r['period_label_before']} och {r['period_label']} – {a.county_answer.verdict} "
                f"({num(float(r['yes_after']), 0)} ja-svar av {num(float(r['n_after']), 0)} "
                f"svarande {r['period_label']})."
            )
    return out


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
) -> SurveySection:
    """Build the survey section for one kommun.

    Parameters
    ----------
    kommun : str
        Four-digit kommun code (an ``int`` such as ``2080`` is zero-padded).
    data_source : str
        ``"demo"``, ``"extrakt"`` (with ``extract_path``) or the path of an
        extract; ``"kolada"`` gives a section that says survey microdata are needed.
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

    Returns
    -------
    SurveySection

    Raises
    ------
    DataError
        Unknown kommun or variable, missing files, or problems in the extract.
    """
    if isinstance(kommun, int):
        kommun = f"{kommun:04d}"
    kommun_name = lookup.area_name(kommun)
    if data_source in NO_MICRODATA_SOURCES:
        return SurveySection(
            kommun=kommun,
            kommun_name=kommun_name,
            available=False,
            sentences=[
                "Enkätavsnittet kräver mikrodata från en enkät (demo eller ett eget extrakt); "
                f"datakällan '{data_source}' har bara färdiga nyckeltal."
            ],
        )
    data = data_survey.survey_microdata(
        data_source, variable_map, extract_path=extract_path or None
    )
    variables = data_survey.check_variables(data, variables)
    if kommun not in set(data.microdata["kommun"].astype(str)):
        return SurveySection(
            kommun=kommun,
            kommun_name=kommun_name,
            available=False,
            sentences=[
                f"{kommun_name} finns inte i enkätextraktet ({data.origin.get('name', '')})."
            ],
            source=data.source,
        )
    lan_code = kommun[:2]
    region_code = lookup.region_code(lan_code)
    figs: dict[str, Figure] = {}
    sentences: list[str] = []
    tables = []
    for variable in variables:
        a = _analysis(data, variable, min_n, pool_years)
        sentences += _kommun_sentences(a, kommun)
        latest = int(a.table["period"].max())
        t = a.table[a.table["period"] == latest]
        own = t[t["area_code"] == kommun]
        own = own[(own["group"] == indicators.ALL_GROUPS) | (own["sex"] == "totalt")]
        others = t[
            t["area_code"].isin([region_code, lookup.RIKET_CODE])
            & (t["sex"] == "totalt")
            & (t["group"] == indicators.ALL_GROUPS)
        ]
        tables.append(
            survey_report.display_table(
                pd.concat([own, others], ignore_index=True),
                min_n=min_n,
                columns=("area_name", "sex", "group", "period_label"),
            ).assign(Indikator=a.label)
        )
        if figures:
            n_kom = int((a.comparison["area_type"] == "kommun").sum())
            fig, ax = _figure(0.34 * n_kom + 2.6)
            plots_survey.kommun_bars(
                a.table,
                ax,
                highlight=kommun,
                comparison=a.comparison,
                label=a.label,
                min_n=min_n,
            )
            figs[f"{variable}_kommuner"] = fig
            fig, ax = _figure(4.6)
            plots_survey.group_bars(a.table, kommun, ax, label=a.label, min_n=min_n)
            figs[f"{variable}_grupper"] = fig
            if a.changes is not None:
                fig, ax = _figure(0.34 * len(a.changes) + 2.9)
                plots_survey.change_points(
                    a.changes, ax, highlight=kommun, label=a.label, min_n=min_n
                )
                figs[f"{variable}_forandring"] = fig
            fig, ax = _figure(6.6, 7.4)
            plots_survey.prevalence_map(
                a.table, lan_code, ax, highlight=kommun, label=a.label, min_n=min_n
            )
            figs[f"{variable}_karta"] = fig
    if any(
        (_analysis(data, v, min_n, pool_years).comparison["colour"] != "").any() for v in variables
    ):
        sentences.append(
            "Kolada-färgerna rangordnar länets kommuner med redovisad skattning (Kolada "
            "rangordnar alla kommuner i landet). " + survey.RANK_VS_SIGNIFICANCE_NOTE
        )
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    if "Indikator" in table.columns:
        table = table[["Indikator", *[c for c in table.columns if c != "Indikator"]]]
    return SurveySection(
        kommun=kommun,
        kommun_name=kommun_name,
        available=True,
        figures=figs,
        table=table.reset_index(drop=True),
        sentences=sentences,
        source=data.source,
    )


def check_section(section: SurveySection, min_n: int) -> None:
    """Raise if a shown row of the section's table rests on fewer than ``min_n`` respondents.

    Parameters
    ----------
    section : SurveySection
        A built section.
    min_n : int
        Disclosure threshold.

    Raises
    ------
    DataError
        If any shown value has n below ``min_n`` (should never happen).
    """
    t = section.table
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
