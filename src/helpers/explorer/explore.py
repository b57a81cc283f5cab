"""Pure data preparation for the interactive explorer (:mod:`helpers.explorer.widgets`).

The explorer lets an analyst pick a county, a kommun, an indicator, a sex, a
period and a comparison (the county, Sweden or similar kommuner) and shows a
chart with confidence intervals, a map and a table with reliability flags.
Everything the explorer shows is prepared here by pure functions on
DataFrames – no files, no network, no widgets – so that it can be tested
without a browser and reused in notebooks:

* :data:`INDICATORS` – the indicators on offer (:class:`IndicatorSpec`), and
  :func:`available_indicators` for a data source;
* option lists for the controls (:func:`county_options`, :func:`kommun_options`,
  :func:`sex_options`, :func:`period_options`, :data:`COMPARISONS`);
* indicator tables from raw inputs: :func:`life_table_indicator` (life
  expectancy with confidence intervals from deaths and population, kommuner
  plus their county and Sweden) and :func:`survey_indicator` (survey
  prevalence with reliability flags and disclosure control) and
  :func:`survey_significance` (each kommun against its county);
* the views: :func:`comparison_frame` (the kommun and what it is compared with,
  all periods – the chart), :func:`chart_frame` (the same in the shape
  :func:`helpers.plots.common.timeseries` draws), :func:`map_frame` (the county's
  kommuner in one period – the map) and :func:`display_frame` (the table);
* output: :func:`table_html` (the HTML table with the flag and its reason),
  :func:`export_frame` (the table after disclosure control) and
  :func:`to_excel_csv` (Swedish Excel CSV: ``;``, decimal comma, UTF-8 with BOM);
* :func:`respondents_vs_population` – who answers a survey compared with who
  lives there (used in the workshop).

All user-facing text is Swedish with decimal comma (:mod:`helpers.core.fmt`).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.core.fmt import SEX_LABELS, SYNTHETIC_LABEL, ci, join_names, num
from helpers.stats import lifetable, survey
from helpers.stats.disclosure import suppress_small_cells

#: Indicator families: how the data of an indicator are obtained.
FAMILY_LIFE_EXPECTANCY = "medellivslangd"
FAMILY_LIFE_TABLE = "livstabell"
FAMILY_SURVEY = "enkat"
FAMILY_KOLADA = "kolada"

#: What kind of statistics an indicator is (shown to the user).
KIND_REGISTER = "Registerdata"
KIND_SURVEY = "Enkätdata"
KIND_KOLADA_SURVEY = "Enkätdata via Kolada"


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator the explorer can show.

    Attributes
    ----------
    key : str
        Identifier used by the controls (``"medellivslangd"``).
    label : str
        Swedish name shown in the menu and on the chart.
    family : str
        One of the ``FAMILY_*`` constants: which loader provides the table.
    unit : str
        ``"år"`` or ``"%"``.
    axis_label : str
        Label of the chart's value axis.
    kind : str
        ``KIND_REGISTER``, ``KIND_SURVEY`` or ``KIND_KOLADA_SURVEY``.
    about : str
        One or two Swedish sentences on what the number is and how sure it is.
    indicator_ids : tuple of str
        Ids in the indicator table's ``indicator`` column (several when the
        source has one id per sex, as Kolada's life expectancy).
    variable : str or None
        Survey answer variable (family ``FAMILY_SURVEY``).
    direction : str or None
        ``"higher_is_better"`` / ``"lower_is_better"`` (verdicts against the county).
    data_sources : tuple of str
        Data sources for which the indicator is offered (``"demo"``, ``"kolada"``,
        ``"extrakt"`` for a survey extract given by the user).
    decimals : int
        Decimals shown.
    """

    key: str
    label: str
    family: str
    unit: str
    axis_label: str
    kind: str
    about: str
    indicator_ids: tuple[str, ...] = ()
    variable: str | None = None
    direction: str | None = None
    data_sources: tuple[str, ...] = ("demo", "kolada")
    decimals: int = 1


_SURVEY_ABOUT = (
    "Skattning från ett urval med vikter: konfidensintervallet visar urvalsosäkerheten, och "
    "för osäkra skattningar visas inget värde (NCHS:s regler). Celler med färre än "
    "{min_n} svarande döljs (röjandekontroll)."
)

#: Every indicator the explorer knows, in menu order.
INDICATORS: dict[str, IndicatorSpec] = {
    spec.key: spec
    for spec in (
        IndicatorSpec(
            key="medellivslangd",
            label="Medellivslängd vid födelsen",
            family=FAMILY_LIFE_EXPECTANCY,
            unit="år",
            axis_label="Medellivslängd (år)",
            kind=KIND_REGISTER,
            about=(
                "Femårsmedelvärde (Kolada N00925 kvinnor, N00923 män). Registerdata om alla "
                "invånare, men källan anger inget konfidensintervall – i små kommuner kan "
                "några tiondelars skillnad vara slump."
            ),
            indicator_ids=("N00925", "N00923"),
            direction="higher_is_better",
        ),
        IndicatorSpec(
            key="medellivslangd_ki",
            label="Medellivslängd vid födelsen, med konfidensintervall (livstabell)",
            family=FAMILY_LIFE_TABLE,
            unit="år",
            axis_label="Medellivslängd (år)",
            kind=KIND_REGISTER,
            about=(
                "Egen beräkning från döda och folkmängd (livstabell enligt Chiang II, "
                "femårsperioder). Konfidensintervallet visar hur mycket slumpen i antalet "
                "dödsfall betyder – mest i små kommuner."
            ),
            indicator_ids=("e0",),
            direction="higher_is_better",
            data_sources=("demo",),
        ),
        IndicatorSpec(
            key="daglig_rokning",
            label="Röker dagligen",
            family=FAMILY_SURVEY,
            unit="%",
            axis_label="Andel som röker dagligen (%)",
            kind=KIND_SURVEY,
            about=_SURVEY_ABOUT,
            indicator_ids=("daglig_rokning",),
            variable="daily_smoking",
            direction="lower_is_better",
            data_sources=("demo", "extrakt"),
        ),
        IndicatorSpec(
            key="riskabla_alkoholvanor",
            label="Riskabla alkoholvanor (AUDIT-C)",
            family=FAMILY_SURVEY,
            unit="%",
            axis_label="Andel med riskabla alkoholvanor (%)",
            kind=KIND_SURVEY,
            about=_SURVEY_ABOUT,
            indicator_ids=("riskabla_alkoholvanor",),
            variable="risk_alcohol",
            direction="lower_is_better",
            data_sources=("demo", "extrakt"),
        ),
        IndicatorSpec(
            key="bra_halsa",
            label="Bra eller mycket bra självskattad hälsa",
            family=FAMILY_SURVEY,
            unit="%",
            axis_label="Andel med bra hälsa (%)",
            kind=KIND_SURVEY,
            about=_SURVEY_ABOUT,
            indicator_ids=("bra_halsa",),
            variable="good_health",
            direction="higher_is_better",
            data_sources=("demo", "extrakt"),
        ),
        IndicatorSpec(
            key="stillasittande",
            label="Stillasittande fritid",
            family=FAMILY_SURVEY,
            unit="%",
            axis_label="Andel med stillasittande fritid (%)",
            kind=KIND_SURVEY,
            about=_SURVEY_ABOUT,
            indicator_ids=("stillasittande",),
            variable="physical_inactivity",
            direction="lower_is_better",
            data_sources=("demo", "extrakt"),
        ),
        IndicatorSpec(
            key="kolada_U01405",
            label="Bra självskattad hälsa, 16–84 år (Kolada U01405)",
            family=FAMILY_KOLADA,
            unit="%",
            axis_label="Andel med bra självskattad hälsa (%)",
            kind=KIND_KOLADA_SURVEY,
            about=(
                "Nationella folkhälsoenkäten via Kolada, flera år sammanslagna. Intervallet är "
                "Koladas osäkerhetstal (± runt värdet); konfidensnivån anges inte av källan."
            ),
            indicator_ids=("U01405",),
            direction="higher_is_better",
        ),
        IndicatorSpec(
            key="kolada_N02797",
            label="Unga 16–24 år som varken arbetar eller studerar (Kolada N02797)",
            family=FAMILY_KOLADA,
            unit="%",
            axis_label="Andel unga som varken arbetar eller studerar (%)",
            kind=KIND_REGISTER,
            about="Registerdata via Kolada; källan anger ingen osäkerhet.",
            indicator_ids=("N02797",),
            direction="lower_is_better",
        ),
        IndicatorSpec(
            key="kolada_N66077",
            label="Barn 0–19 år med låg ekonomisk standard (Kolada N66077)",
            family=FAMILY_KOLADA,
            unit="%",
            axis_label="Andel barn med låg ekonomisk standard (%)",
            kind=KIND_REGISTER,
            about="Registerdata via Kolada; källan anger ingen osäkerhet.",
            indicator_ids=("N66077",),
            direction="lower_is_better",
        ),
    )
}

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

#: Short Swedish explanations of the flags, shown under the table.
FLAG_EXPLANATIONS: dict[str, str] = {
    indicators.FLAG_OK: "skattningen är tillräckligt säker för att användas",
    indicators.FLAG_UNCERTAIN: "visas men ska läsas med försiktighet",
    indicators.FLAG_SUPPRESSED: "för osäker eller för få svarande – värdet visas inte",
    indicators.FLAG_MISSING: "värde saknas i källan",
    indicators.FLAG_NOT_ASSESSED: "källan anger ingen osäkerhet, så säkerheten kan inte bedömas",
}

_SEX_ORDER = ("totalt", "kvinnor", "män")
#: Kolada-style survey indicator ids for the demo survey variables.
SURVEY_IDS: dict[str, str] = {
    s.variable: s.key for s in INDICATORS.values() if s.family == FAMILY_SURVEY and s.variable
}


# -- options ------------------------------------------------------------------------------------
def lower_first(text: str) -> str:
    """Lower-case the first letter only (keeps acronyms such as AUDIT-C): "Röker" -> "röker"."""
    return text[:1].lower() + text[1:]


def available_indicators(data_source: str, survey_extract: bool = False) -> list[IndicatorSpec]:
    """Return the indicators on offer for a data source, in menu order.

    Parameters
    ----------
    data_source : {"demo", "kolada"}
        The explorer's data source.
    survey_extract : bool
        Whether the user gave a survey extract of their own (then the survey
        indicators are offered also with ``"kolada"``).

    Returns
    -------
    list of IndicatorSpec
    """
    out = []
    for spec in INDICATORS.values():
        if data_source in spec.data_sources or (survey_extract and "extrakt" in spec.data_sources):
            out.append(spec)
    return out


def indicator_spec(key: str) -> IndicatorSpec:
    """Return the :class:`IndicatorSpec` of ``key``; :class:`DataError` in Swedish if unknown."""
    if key not in INDICATORS:
        raise DataError(f"Okänd indikator '{key}' – välj en av: {', '.join(INDICATORS)}")
    return INDICATORS[key]


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
    return sorted(set(k.str[:2]))


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


# -- building indicator tables ---------------------------------------------------------------------
def _with_aggregates(counts: pd.DataFrame, value: str) -> pd.DataFrame:
    """Add län (``"00"`` + code) and Riket (``"0000"``) rows as sums of the kommun rows."""
    k = counts.rename(columns={"kommunkod": "area_code"}).copy()
    k["area_code"] = k["area_code"].astype(str)
    keys = ["year", "sex", "age"]
    region = k.assign(area_code="00" + k["area_code"].str[:2])
    region = region.groupby(["area_code", *keys], as_index=False)[value].sum()
    riket = k.groupby(keys, as_index=False)[value].sum().assign(area_code=lookup.RIKET_CODE)
    cols = ["area_code", *keys, value]
    return pd.concat([k[cols], region[cols], riket[cols]], ignore_index=True)


def life_table_indicator(
    deaths: pd.DataFrame,
    population: pd.DataFrame,
    source: str,
    *,
    lan_codes: Iterable[str] | None = None,
    at_ages: Iterable[int] = (0,),
) -> pd.DataFrame:
    """Return life expectancy with confidence intervals for kommuner, their län and Riket.

    Deaths and year-end population by single age (SCB's shape, as
    :func:`helpers.sources.demo.mortality.deaths_and_population`) are summed to län and
    Riket, pooled into rolling five-year periods (:func:`helpers.stats.lifetable.pool_periods`),
    aggregated into abridged age bands and turned into Chiang II life tables
    (:func:`helpers.stats.lifetable.life_expectancy`).

    Parameters
    ----------
    deaths, population : pandas.DataFrame
        ``kommunkod, year, sex, age, deaths`` and ``kommunkod, year, sex, age,
        population`` (stock on 31 December).
    source : str
        Attribution written to ``source`` (for demo data include
        :data:`helpers.core.fmt.SYNTHETIC_LABEL`, so charts say so).
    lan_codes : iterable of str, optional
        Keep only these counties' kommuner (their län rows and Riket are always
        computed from all the kommuner in the input).
    at_ages : iterable of int
        Ages at which life expectancy is reported (0 = at birth, 30 …).

    Returns
    -------
    pandas.DataFrame
        Indicator table, indicators ``"e0"``, ``"e30"`` … (one per age), sex kvinnor/män.
    """
    d = _with_aggregates(deaths, "deaths")
    p = _with_aggregates(population, "population")
    if lan_codes is not None:
        keep = set(lan_codes)
        wanted = {"00" + c for c in keep} | {lookup.RIKET_CODE}
        for frame in (d, p):
            code = frame["area_code"]
            is_kommun = ~code.str.startswith("00")
            frame["_keep"] = (is_kommun & code.str[:2].isin(keep)) | code.isin(wanted)
        d = d[d.pop("_keep")]
        p = p[p.pop("_keep")]
    pooled = lifetable.pool_periods(d, p)
    names = lookup.areas().set_index("area_code")["area_name"]
    pooled["area_name"] = pooled["area_code"].map(names).fillna(pooled["area_code"])
    abridged = lifetable.to_abridged(pooled)
    return lifetable.life_expectancy(abridged, at_ages=tuple(at_ages), source=source)


def survey_indicator(
    microdata: pd.DataFrame,
    spec: IndicatorSpec,
    source: str,
    params: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Estimate a survey indicator for kommuner and län (and Riket for national extracts).

    Wraps :func:`helpers.stats.survey.estimate_indicator`: design-based prevalence with
    Korn–Graubard intervals, NCHS reliability flags and disclosure control
    (``params["disclosure"]["min_n"]``). Riket is only estimated when the
    extract covers more than one county – a county's own extract says nothing
    about Sweden.

    Parameters
    ----------
    microdata : pandas.DataFrame
        Respondent-level microdata (:func:`helpers.sources.survey_files.read_microdata`).
    spec : IndicatorSpec
        A survey indicator (``spec.variable`` is the answer column).
    source : str
        Attribution.
    params : mapping, optional
        Workbook parameters (``disclosure.min_n``).

    Returns
    -------
    pandas.DataFrame
        Indicator table in percent, by sex (totalt, kvinnor, män), group ``"alla"``.
    """
    if spec.family != FAMILY_SURVEY or not spec.variable:
        raise DataError(f"'{spec.label}' är ingen enkätindikator")
    if spec.variable not in microdata.columns:
        raise DataError(f"Enkätdata saknar variabeln '{spec.variable}' ({spec.label})")
    counties = microdata["kommun"].astype(str).str[:2].nunique()
    levels = ("kommun", "lan", "riket") if counties > 1 else ("kommun", "lan")
    est = survey.estimate_indicator(
        microdata,
        spec.variable,
        spec.indicator_ids[0],
        source,
        levels=levels,
        group=None,
        params=params,
    )
    return est.table


def survey_significance(microdata: pd.DataFrame, spec: IndicatorSpec) -> pd.DataFrame:
    """Compare every kommun with its county, for all sexes together and per sex.

    Uses :func:`helpers.stats.survey.compare_with_parent` (the covariance between a
    kommun and the county it belongs to is taken into account).

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``sex``, ``period``, ``diff_pp`` (kommun − län, percentage
        points) and ``verdict`` (Swedish: bättre/likartad/sämre or högre/likartad/lägre).
    """
    frames = []
    for by in ((), ("sex",)):
        c = survey.compare_with_parent(
            microdata, spec.variable, "lan", by=by, direction=spec.direction
        )
        c["sex"] = c["sex"].astype(str) if by else "totalt"
        frames.append(c)
    out = pd.concat(frames, ignore_index=True)
    out["area_code"] = out["kommun"].astype(str)
    return out[["area_code", "sex", "period", "diff_pp", "verdict"]].reset_index(drop=True)


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
            "ci_lower": np.nan,
            "ci_upper": np.nan,
            "ci_level": np.nan,
            "numerator": np.nan,
            "denominator": np.nan,
            "n": np.nan,
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
        codes["lan"] = "00" + kommun[:2]
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
        & (rows["area_code"].astype(str).str[:2] == lan_code)
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
        & (rows["area_code"].astype(str).str[:2] == kommun[:2])
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


# -- presentation -----------------------------------------------------------------------------------
def _ci_header(frame: pd.DataFrame) -> str:
    levels = frame["ci_level"].dropna().unique()
    if len(levels) == 1:
        return f"{num(float(levels[0]) * 100, 0)}\u00a0% konfidensintervall"
    if frame["ci_lower"].notna().any():
        return "Osäkerhetsintervall"
    return "Konfidensintervall"


def basis_text(row: Mapping[str, object], spec: IndicatorSpec) -> str:
    """Return what a value rests on, in Swedish ("151 svarande, 17 ja"; "219 dödsfall").

    Parameters
    ----------
    row : mapping
        One row of the indicator table.
    spec : IndicatorSpec
        Its indicator.
    """
    n, numerator = row.get("n"), row.get("numerator")
    n_ok = n is not None and not pd.isna(n)
    num_ok = numerator is not None and not pd.isna(numerator)
    if spec.family == FAMILY_SURVEY:
        if not n_ok:
            return "–"
        text = f"{num(float(n), 0)} svarande"
        return text + (f", {num(float(numerator), 0)} ja" if num_ok else "")
    if spec.family == FAMILY_LIFE_TABLE and num_ok:
        return f"{num(float(numerator), 0)} dödsfall"
    return "–"


def format_frame(frame: pd.DataFrame, spec: IndicatorSpec) -> pd.DataFrame:
    """Return the table as the user sees it: Swedish headers, decimal comma, flag and reason.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`display_frame`.
    spec : IndicatorSpec
        Its indicator.

    Returns
    -------
    pandas.DataFrame
        Columns Jämförelse, Område, Period, Värde (unit), the interval, Underlag,
        (Jämfört med länet,) Flagga, Skäl – all strings.
    """
    ok = indicators.usable(frame)
    value_header = f"Värde ({spec.unit})"
    out = pd.DataFrame(
        {
            "Jämförelse": frame["role_label"].astype(str),
            "Område": frame["area_name"].astype(str),
            "Period": frame["period_label"].astype(str),
            value_header: [
                num(float(v), spec.decimals) if o else "–"
                for v, o in zip(frame["value"], ok, strict=True)
            ],
            _ci_header(frame): [
                ci(float(lo), float(hi), spec.decimals) or "–"
                for lo, hi in zip(frame["ci_lower"], frame["ci_upper"], strict=True)
            ],
            "Underlag": [basis_text(r, spec) for r in frame.to_dict("records")],
        }
    )
    if spec.family == FAMILY_SURVEY:
        out["Jämfört med länet"] = [s or "–" for s in frame["vs_county"].astype(str)]
    out["Flagga"] = frame["flag"].astype(str).to_numpy()
    out["Skäl"] = [str(s) if str(s) else "–" for s in frame["flag_reason"].fillna("")]
    return out


_COLUMN_IDS = {
    "Jämförelse": "role",
    "Område": "area_name",
    "Period": "period_label",
    "Underlag": "basis",
    "Jämfört med länet": "vs_county",
    "Flagga": "flag",
    "Skäl": "flag_reason",
}


def table_html(frame: pd.DataFrame, spec: IndicatorSpec, caption: str = "") -> str:
    """Return the explorer's table as HTML, with the flag and its reason in their own columns.

    The table carries stable markers for tests and styling: ``class`` and
    ``data-testid`` ``"explorer-table"``, ``data-kommun`` (the selected kommun's
    code), ``data-indicator``, ``data-column`` on each header and ``data-role``
    and ``data-flag`` on each row.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`display_frame`.
    spec : IndicatorSpec
        Its indicator.
    caption : str
        Caption above the table (escaped).

    Returns
    -------
    str
        A self-contained HTML fragment (inline styles only).
    """
    shown = format_frame(frame, spec)
    kommun = frame.loc[frame["role"] == "kommun", "area_code"]
    kommun_code = str(kommun.iloc[0]) if len(kommun) else ""
    esc = html.escape
    head = "".join(
        f'<th data-column="{_COLUMN_IDS.get(c, "value" if c.startswith("Värde") else "ci")}" '
        f'style="text-align:left;padding:4px 8px;border-bottom:2px solid #595959">{esc(c)}</th>'
        for c in shown.columns
    )
    body = []
    styles = {
        indicators.FLAG_UNCERTAIN: "font-style:italic;",
        indicators.FLAG_SUPPRESSED: "color:#6B6B6B;",
        indicators.FLAG_MISSING: "color:#6B6B6B;",
    }
    for (_, row), role, flag in zip(shown.iterrows(), frame["role"], frame["flag"], strict=True):
        style = styles.get(str(flag), "")
        if role == "kommun":
            style += "font-weight:bold;background:#EAF2FA;"
        elif role in ("lan", "riket", "liknande"):
            style += "background:#F7F7F7;"
        cells = "".join(
            f'<td style="padding:3px 8px;border-bottom:1px solid #E5E5E5">{esc(str(v))}</td>'
            for v in row
        )
        body.append(
            f'<tr data-role="{esc(str(role))}" data-flag="{esc(str(flag))}" '
            f'style="{style}">{cells}</tr>'
        )
    flags = [f for f in FLAG_EXPLANATIONS if f in set(frame["flag"].astype(str))]
    legend = "; ".join(f"<i>{esc(f)}</i> – {esc(FLAG_EXPLANATIONS[f])}" for f in flags)
    cap = (
        f'<caption style="caption-side:top;text-align:left;font-weight:bold;padding:4px 0">'
        f"{esc(caption)}</caption>"
        if caption
        else ""
    )
    return (
        f'<table class="explorer-table" data-testid="explorer-table" '
        f'data-kommun="{esc(kommun_code)}" data-indicator="{esc(spec.key)}" '
        f'style="border-collapse:collapse;font-size:13px">{cap}'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f'<p class="explorer-flag-legend" style="font-size:12px;color:#4D4D4D">'
        f"<b>Flaggor:</b> {legend}.</p>"
    )


# -- export --------------------------------------------------------------------------------------------
#: Columns of the exported CSV, in order.
EXPORT_COLUMNS: tuple[str, ...] = (
    "role_label",
    *indicators.COLUMNS,
    "vs_county",
)


def export_frame(frame: pd.DataFrame, params: Mapping[str, object] | None = None) -> pd.DataFrame:
    """Return the table to export, after disclosure control.

    The rows come from tables that are already disclosure-controlled; the
    threshold is applied once more (:func:`helpers.stats.disclosure.suppress_small_cells`,
    ``params["disclosure"]["min_n"]``) so that no row resting on fewer
    respondents ever leaves the workbook, and the comparison with the county
    is blanked for any row whose value is hidden.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`display_frame`.
    params : mapping, optional
        Workbook parameters.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EXPORT_COLUMNS` (``role_label`` renamed ``jamforelse``,
        ``vs_county`` renamed ``jamfort_med_lanet``); counts as whole numbers.
    """
    out = suppress_small_cells(frame.reset_index(drop=True), params=params, complementary=False)
    hidden = ~indicators.usable(out)
    out.loc[hidden, "vs_county"] = ""
    out = out[list(EXPORT_COLUMNS)].copy()
    for col in ("numerator", "denominator", "n"):
        out[col] = out[col].round().astype("Int64")
    return out.rename(columns={"role_label": "jamforelse", "vs_county": "jamfort_med_lanet"})


def to_excel_csv(df: pd.DataFrame, decimals: int = 4) -> bytes:
    """Write a table as CSV for Swedish Excel: ``;``, decimal comma, CRLF, UTF-8 with BOM.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    decimals : int
        Decimals of float columns.

    Returns
    -------
    bytes
        The file's content.
    """
    text = df.to_csv(
        sep=";",
        decimal=",",
        index=False,
        lineterminator="\r\n",
        float_format=f"%.{decimals}f",
    )
    return text.encode("utf-8-sig")


def export_stem(spec: IndicatorSpec, kommun: str, sex: str, period: int) -> str:
    """Return the base file name of an export, e.g. ``"medellivslangd_2080_falun_kvinnor_2024"``."""
    sex_slug = lookup.slug(sex)
    return f"{spec.key}_{kommun}_{lookup.slug(lookup.area_name(kommun))}_{sex_slug}_{int(period)}"


def title_text(spec: IndicatorSpec, kommun: str, sex: str, period_label: str) -> str:
    """Return the explorer's heading, e.g. "Röker dagligen – Falun, totalt, 2024"."""
    return (
        f"{spec.label} – {lookup.area_name(kommun)}, "
        f"{SEX_LABELS.get(sex, sex).lower()}, {period_label}"
    )


def is_synthetic(table: pd.DataFrame) -> bool:
    """Whether any row of ``table`` comes from the synthetic demo data."""
    return bool(table["source"].astype(str).str.contains(SYNTHETIC_LABEL, regex=False).any())


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
