"""Pure data preparation for the interactive explorer (:mod:`helpers.explorer.widgets`).

The explorer lets an analyst pick a county, a kommun, an indicator, a sex, a
period and a comparison (the county, Sweden or similar kommuner) and shows a
chart with confidence intervals, a map and a table with reliability flags.
Everything the explorer shows is prepared here by pure functions on
DataFrames – no files, no network, no widgets – so that it can be tested
without a browser and reused in notebooks:

* :data:`INDICATORS` – the indicators on offer (:class:`IndicatorSpec`, built
  from the indicator catalogue in :mod:`helpers.explorer.specs`), and
  :func:`available_indicators` for a data source;
* option lists for the controls (:func:`county_options`, :func:`kommun_options`,
  :func:`sex_options`, :func:`period_options`, :data:`COMPARISONS`);
* indicator tables from raw inputs: :func:`life_table_indicator` (life
  expectancy with confidence intervals from deaths and population, kommuner
  plus their county and Sweden) and :func:`survey_indicator` (survey
  prevalence with reliability flags and disclosure control) and
  :func:`survey_significance` (each kommun against its county), in
  :mod:`helpers.explorer.indicator_tables`;
* the views: :func:`comparison_frame` (the kommun and what it is compared with,
  all periods – the chart), :func:`chart_frame` (the same in the shape
  :func:`helpers.plots.common.timeseries` draws), :func:`map_frame` (the county's
  kommuner in one period – the map) and :func:`display_frame` (the table);
* output: :func:`table_html` (the HTML table with the flag and its reason),
  :func:`export_frame` (the table after disclosure control, written by
  :func:`helpers.core.fmt.excel_csv`), in :mod:`helpers.explorer.tables`;
* :func:`respondents_vs_population` – who answers a survey compared with who
  lives there (used in the workshop).

This module holds the options and the views; import the other pieces from the
modules named above. All user-facing text is Swedish with decimal comma (:mod:`helpers.core.fmt`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.core.fmt import SEX_LABELS, join_names, num
from helpers.explorer.specs import (
    IndicatorSpec,
    lower_first,
)

#: Comparison choices: key -> Swedish label.
COMPARISONS: dict[str, str] = {
    "lan_riket": "Länet och riket",
    "lan": "Länet",
    "riket": "Riket",
    "liknande": "Liknande kommuner",
}

#: Roles of the rows in the explorer's table, with their Swedish labels (in table order).
ROLES: dict[str, str] = {
    "kommun": "Vald kommun",
    "lan": "Länet",
    "riket": "Riket",
    "liknande": "Liknande kommuner (medel)",
    "liknande_kommun": "Liknande kommun",
    "lanets_kommun": "Kommun i länet",
}

_SEX_ORDER = ("totalt", "kvinnor", "män")


# -- options ------------------------------------------------------------------------------------
def county_options() -> list[tuple[str, str]]:
    """Return ``(län name, län code)`` for the 21 län, ordered by code."""
    lan = lookup.lan().sort_values("lan_code")
    return list(zip(lan["lan_name"], lan["lan_code"], strict=True))


def kommun_options(lan_code: str) -> list[tuple[str, str]]:
    """Return ``(kommun name, kommun code)`` for the kommuner of a län, ordered by name."""
    k = lookup.kommuner_in(lan_code).sort_values("kommun_name", key=lambda s: s.str.lower())
    return list(zip(k["kommun_name"], k["kommun_code"], strict=True))


def sex_options(table: pd.DataFrame) -> list[tuple[str, str]]:
    """Return ``(Swedish label, sex)`` for the sexes in ``table`` (totalt, kvinnor, män order)."""
    present = set(table["sex"].dropna())
    return [(SEX_LABELS[s], s) for s in _SEX_ORDER if s in present]


def period_options(table: pd.DataFrame) -> list[tuple[str, int]]:
    """Return ``(period label, period)`` for the periods in ``table``, oldest first."""
    p = table.dropna(subset=["period"]).drop_duplicates("period").sort_values("period")
    return [(str(lab), int(per)) for lab, per in zip(p["period_label"], p["period"], strict=True)]


def coverage(table: pd.DataFrame) -> list[str]:
    """Return the län codes whose kommuner have at least one row in ``table``."""
    k = table.loc[table["area_type"] == "kommun", "area_code"].astype(str)
    return sorted(set(lookup.lan_code_of(k)))


def coverage_message(table: pd.DataFrame, spec: IndicatorSpec, lan_code: str) -> str:
    """Return a Swedish message when the county has no kommun data, else ``""``.

    Parameters
    ----------
    table : pandas.DataFrame
        The indicator's table.
    spec : IndicatorSpec
        The indicator.
    lan_code : str
        The selected county.
    """
    have = coverage(table)
    if lan_code in have:
        return ""
    names = lookup.lan().set_index("lan_code")["lan_name"]
    where = join_names([str(names.get(c, c)) for c in have]) or "inget län"
    return (
        f"Det finns inga kommunvärden för {lower_first(spec.label)} i {names.get(lan_code, lan_code)} "
        f"i den här datakällan. Värden finns för: {where}."
    )


# -- views ---------------------------------------------------------------------------------------
def _series(table: pd.DataFrame, spec: IndicatorSpec, sex: str) -> pd.DataFrame:
    """Rows of one indicator and sex, everyone (group ``"alla"``)."""
    rows = table[
        table["indicator"].isin(spec.indicator_ids)
        & (table["sex"] == sex)
        & (table["group"] == indicators.ALL_GROUPS)
    ]
    return rows.reset_index(drop=True)


def peer_mean(
    table: pd.DataFrame, spec: IndicatorSpec, sex: str, members: Sequence[str]
) -> pd.DataFrame:
    """Return the unweighted mean of similar kommuner per period, as indicator-table rows.

    Only usable values count (missing and suppressed values are left out, never
    treated as zero). The mean has no confidence interval, so it is flagged
    ``"ej bedömd"``; a period where no member has a value is ``"saknas"``.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table holding the members.
    spec : IndicatorSpec
        Indicator.
    sex : str
        Sex.
    members : sequence of str
        Kommun codes of the similar kommuner (not the kommun itself).

    Returns
    -------
    pandas.DataFrame
        One row per period of the indicator, ``area_code`` ``"liknande"``,
        ``area_name`` "Liknande kommuner (medel av N)", ``n_members`` (members
        with a value).
    """
    rows = _series(table, spec, sex)
    periods = rows.drop_duplicates("period").sort_values("period")[["period", "period_label"]]
    peers = rows[rows["area_code"].isin(list(members)) & indicators.usable(rows)]
    agg = peers.groupby("period")["value"].agg(["mean", "count"])
    out = periods.merge(agg, left_on="period", right_index=True, how="left")
    out["count"] = out["count"].fillna(0).astype(int)
    source = str(rows["source"].iloc[0]) if len(rows) else ""
    n_all = len(members)
    names = lookup.areas().set_index("area_code")["area_name"]
    member_names = join_names([str(names.get(m, m)) for m in members])
    has = out["count"] > 0
    return pd.DataFrame(
        {
            "area_code": "liknande",
            "area_name": f"Liknande kommuner (medel av {n_all})",
            "area_type": "kommun",
            "period": out["period"].to_numpy(),
            "period_label": out["period_label"].to_numpy(),
            "sex": sex,
            "group": indicators.ALL_GROUPS,
            "indicator": spec.indicator_ids[0],
            "value": out["mean"].to_numpy(dtype=float),
            **indicators.NO_UNCERTAINTY,
            "flag": np.where(has, indicators.FLAG_NOT_ASSESSED, indicators.FLAG_MISSING),
            "flag_reason": np.where(
                has,
                [
                    f"oviktat medelvärde av {c} av {n_all} liknande kommuner ({member_names}); "
                    "osäkerheten är inte beräknad"
                    for c in out["count"]
                ],
                "inga värden för de liknande kommunerna i data",
            ),
            "source": source,
            "n_members": out["count"].to_numpy(),
        }
    ).reset_index(drop=True)


def comparison_frame(
    table: pd.DataFrame,
    spec: IndicatorSpec,
    kommun: str,
    sex: str,
    comparison: str = "lan_riket",
    peers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return the kommun and what it is compared with, all periods (the chart's data).

    Parameters
    ----------
    table : pandas.DataFrame
        The indicator's table (all areas the source has).
    spec : IndicatorSpec
        Indicator.
    kommun : str
        Kommun code.
    sex : str
        Sex.
    comparison : str
        A key of :data:`COMPARISONS`.
    peers : sequence of str, optional
        Similar kommuner (for ``"liknande"``; without them only the kommun is returned).

    Returns
    -------
    pandas.DataFrame
        Indicator-table columns plus ``role`` (keys of :data:`ROLES`), sorted by
        role and period. Comparison areas absent from the data are simply not
        there (see :func:`missing_comparisons`).

    Raises
    ------
    DataError
        Unknown comparison, or the kommun has no rows for this indicator and sex.
    """
    if comparison not in COMPARISONS:
        raise DataError(
            f"Okänd jämförelse '{comparison}' – välj en av: {', '.join(COMPARISONS.values())}"
        )
    rows = _series(table, spec, sex)
    codes = {"kommun": kommun}
    if comparison in ("lan_riket", "lan"):
        codes["lan"] = lookup.region_code_of(kommun)
    if comparison in ("lan_riket", "riket"):
        codes["riket"] = lookup.RIKET_CODE
    frames = [rows[rows["area_code"] == code].assign(role=role) for role, code in codes.items()]
    if frames[0].empty:
        raise DataError(
            f"{lookup.area_name(kommun)} har inga värden för {lower_first(spec.label)} "
            f"({SEX_LABELS.get(sex, sex).lower()}) i den här datakällan"
        )
    if comparison == "liknande" and peers:
        frames.append(peer_mean(table, spec, sex, peers).assign(role="liknande"))
    order = {r: i for i, r in enumerate(ROLES)}
    out = pd.concat([f for f in frames if len(f)], ignore_index=True)
    out["_o"] = out["role"].map(order)
    return out.sort_values(["_o", "period"]).drop(columns="_o").reset_index(drop=True)


def missing_comparisons(frame: pd.DataFrame, comparison: str) -> list[str]:
    """Return the Swedish names of the comparisons asked for but absent from ``frame``."""
    wanted = {
        "lan_riket": ["lan", "riket"],
        "lan": ["lan"],
        "riket": ["riket"],
        "liknande": ["liknande"],
    }[comparison]
    have = set(frame.loc[indicators.usable(frame), "role"])
    return [ROLES[r].split(" (")[0] for r in wanted if r not in have]


def chart_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a :func:`comparison_frame` in the shape :func:`helpers.plots.common.timeseries` draws.

    ``timeseries`` draws the kommun, at most one county line (``"00"`` + län)
    and one national line (``"0000"``). The similar kommuner's mean is drawn in
    the national slot (dashed grey), under its own name, so the legend says
    "Liknande kommuner (medel av 7)". Only for drawing: never export this frame.
    """
    out = frame.copy()
    peer = out["role"] == "liknande"
    out.loc[peer, "area_code"] = lookup.RIKET_CODE
    out.loc[peer, "area_type"] = "riket"
    return out.drop(columns=[c for c in ("role", "n_members") if c in out.columns])


def map_frame(
    table: pd.DataFrame, spec: IndicatorSpec, lan_code: str, sex: str, period: int
) -> pd.DataFrame:
    """Return the county's kommun rows for one sex and period (one row per kommun).

    Pass the result to :func:`helpers.core.geo.join_kommuner` and
    :func:`helpers.plots.common.choropleth`.
    """
    rows = _series(table, spec, sex)
    rows = rows[
        (rows["area_type"] == "kommun")
        & (lookup.lan_code_of(rows["area_code"].astype(str)) == lan_code)
        & (rows["period"] == int(period))
    ]
    return rows.reset_index(drop=True)


def display_frame(
    table: pd.DataFrame,
    spec: IndicatorSpec,
    kommun: str,
    sex: str,
    period: int,
    comparison: str = "lan_riket",
    peers: Sequence[str] | None = None,
    significance: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the explorer's table: the kommun, its comparisons and the county's other kommuner.

    One period and sex. Rows, in order: the selected kommun; the comparison
    rows (county, Riket, the similar kommuner's mean and each similar kommun);
    then the county's other kommuner from the highest value to the lowest
    (kommuner without a usable value last). Flags and reasons are kept.

    Parameters
    ----------
    table : pandas.DataFrame
        The indicator's table.
    spec : IndicatorSpec
        Indicator.
    kommun : str
        Selected kommun.
    sex : str
        Sex.
    period : int
        Period (last year).
    comparison : str
        Key of :data:`COMPARISONS`.
    peers : sequence of str, optional
        Similar kommuner.
    significance : pandas.DataFrame, optional
        Output of :func:`survey_significance`; adds ``vs_county`` ("bättre
        (−2,1 procentenheter)") for kommun rows with a visible value.

    Returns
    -------
    pandas.DataFrame
        Indicator-table columns plus ``role``, ``role_label`` and ``vs_county``.
    """
    period = int(period)
    comp = comparison_frame(table, spec, kommun, sex, comparison, peers)
    comp = comp[comp["period"] == period]
    if comp[comp["role"] == "kommun"].empty:
        raise DataError(
            f"{lookup.area_name(kommun)} har inget värde för perioden {period} "
            f"({lower_first(spec.label)})"
        )
    rows = _series(table, spec, sex)
    rows = rows[rows["period"] == period]
    frames = [comp]
    if comparison == "liknande" and peers:
        members = rows[rows["area_code"].isin(list(peers))].assign(role="liknande_kommun")
        frames.append(members.sort_values("area_name"))
    others = rows[
        (rows["area_type"] == "kommun")
        & (lookup.lan_code_of(rows["area_code"].astype(str)) == lookup.lan_code_of(kommun))
        & (rows["area_code"] != kommun)
    ].assign(role="lanets_kommun")
    others = others.assign(_v=others["value"].where(indicators.usable(others)))
    others = others.sort_values(["_v", "area_name"], ascending=[False, True], na_position="last")
    frames.append(others.drop(columns="_v"))
    out = pd.concat(frames, ignore_index=True)
    out["role_label"] = out["role"].map(ROLES)
    out["vs_county"] = ""
    if significance is not None and len(significance):
        sig = significance[(significance["sex"] == sex) & (significance["period"] == period)]
        sig = sig.set_index("area_code")
        is_kommun = out["role"].isin(["kommun", "lanets_kommun"]) & indicators.usable(out)
        for i in np.flatnonzero(is_kommun.to_numpy()):
            code = out.at[i, "area_code"]
            if code in sig.index and str(sig.at[code, "verdict"]):
                diff = num(float(sig.at[code, "diff_pp"]), 1)
                sign = "+" if not diff.startswith("−") else ""
                out.at[i, "vs_county"] = f"{sig.at[code, 'verdict']} ({sign}{diff} procentenheter)"
    if "n_members" in out.columns:
        out = out.drop(columns="n_members")
    return out.reset_index(drop=True)


# -- who answers ------------------------------------------------------------------------------------
#: Swedish column headers for :func:`respondents_vs_population` (for display).
RESPONDENT_COLUMNS_SV: dict[str, str] = {
    "sex": "Kön",
    "education": "Utbildning",
    "age_group": "Ålder",
    "respondents": "Svarande",
    "share_respondents": "Andel av svarande (%)",
    "share_weighted": "Viktad andel (%)",
    "share_population": "Andel av befolkningen (%)",
    "representation": "Representation",
}


def respondents_vs_population(
    microdata: pd.DataFrame,
    population: pd.DataFrame,
    by: Sequence[str] = ("sex", "education"),
    year: int | None = None,
) -> pd.DataFrame:
    """Compare who answered a survey with who lives there.

    Parameters
    ----------
    microdata : pandas.DataFrame
        Respondent-level microdata with ``year``, ``weight`` and the ``by`` columns.
    population : pandas.DataFrame
        Population counts with ``year``, ``population`` and the ``by`` columns
        (:func:`helpers.sources.survey_files.read_population`).
    by : sequence of str
        Grouping, e.g. ``("sex", "education")`` or ``("age_group",)``.
    year : int, optional
        One survey year; default all years together.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``respondents`` (count), ``share_respondents``,
        ``share_weighted`` (respondents' weights), ``share_population`` (all in
        percent) and ``representation`` (share of respondents / share of the
        population: above 1 means the group answers more often than its size).
    """
    by = list(by)
    missing = [c for c in [*by, "year", "weight"] if c not in microdata.columns]
    missing += [f"{c} (befolkning)" for c in [*by, "year", "population"] if c not in population]
    if missing:
        raise DataError(f"Kolumner saknas: {', '.join(missing)}")
    m, p = microdata, population
    if year is not None:
        m, p = m[m["year"] == year], p[p["year"] == year]
        if m.empty or p.empty:
            raise DataError(f"Året {year} finns inte i både enkätdata och befolkning")
    resp = m.groupby(by, observed=True).agg(respondents=("weight", "size"), w=("weight", "sum"))
    pop = p.groupby(by, observed=True)["population"].sum()
    out = resp.join(pop, how="outer").fillna(0.0)
    out["share_respondents"] = out["respondents"] / out["respondents"].sum() * 100
    out["share_weighted"] = out["w"] / out["w"].sum() * 100
    out["share_population"] = out["population"] / out["population"].sum() * 100
    with np.errstate(divide="ignore", invalid="ignore"):
        out["representation"] = out["share_respondents"] / out["share_population"]
    out["respondents"] = out["respondents"].astype(int)
    cols = ["respondents", "share_respondents", "share_weighted", "share_population"]
    return out[[*cols, "representation"]].reset_index()


__all__ = [
    "COMPARISONS",
    "RESPONDENT_COLUMNS_SV",
    "ROLES",
    "chart_frame",
    "comparison_frame",
    "county_options",
    "coverage",
    "coverage_message",
    "display_frame",
    "kommun_options",
    "map_frame",
    "missing_comparisons",
    "peer_mean",
    "period_options",
    "respondents_vs_population",
    "sex_options",
]
