"""The first screen of a kommun report: key messages and the spine chart over the catalogue.

:func:`overview_section` takes the report's other sections (their facts are
the report's numbers) and the Strategi för hälsa table (which has every
kommun, the county and Riket for the catalogue's Kolada indicators), builds
one pool of facts – a fact already shown in a section keeps exactly that row,
so the first screen and the sections cannot disagree (checked again by
:func:`helpers.report.profile.check`) – and returns a
:class:`~helpers.report.section.Section` with the key messages
(:mod:`helpers.text.overview`), the spine chart (:mod:`helpers.plots.spine`),
the overview table and the facts behind it.

Indicators of the catalogue without a value for the kommun (region-level
indicators, indicators the data source cannot serve) are named in a note.
"""

from __future__ import annotations

import pandas as pd

from helpers.config import catalogue, theme
from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.core.fmt import num
from helpers.plots import spine
from helpers.report import facts as report_facts
from helpers.report import strategi as sections_strategi
from helpers.report.section import Section
from helpers.stats import benchmark as bm
from helpers.text import overview as text

TITLE = "Översikt"
#: Sections whose facts come first in the pool (they carry confidence intervals).
_FIRST = ("dodlighet",)


def _strategi_rows(data_source: str, areas: set[str]) -> pd.DataFrame:
    """Return the Strategi table's rows for the given areas (empty when the source has none)."""
    try:
        _, table, _, _ = sections_strategi.prepared(data_source)
    except DataError:
        return indicators.empty()
    return table[table["area_code"].isin(areas)]


def pool(sections: dict[str, Section], extra: pd.DataFrame) -> pd.DataFrame:
    """One row per fact: sections' facts first (life-table rows with CIs before others), then ``extra``."""
    order = [k for k in _FIRST if k in sections] + [k for k in sections if k not in _FIRST]
    parts = [(sections[k].title, sections[k].facts) for k in order]
    parts.append((TITLE, extra))
    combined = report_facts.combine(parts)
    combined = combined[combined["group"] == indicators.ALL_GROUPS]
    return combined.drop_duplicates(report_facts.FACT_KEYS).reset_index(drop=True)


def _display_rows(ov: pd.DataFrame, benchmark: str) -> pd.DataFrame:
    cat = catalogue.load()
    pos = bm.spine_position(ov)
    other = "x_riket" if benchmark == "län" else "x_county"
    out = pd.DataFrame(
        {
            "label": [
                cat.get(i).short_name
                + ("" if s == "totalt" else f", {s}")
                + (f" ({cat.get(i).unit})" if cat.get(i).unit else "")
                for i, s in zip(ov["indicator"], ov["sex"], strict=True)
            ],
            "period_label": ov["period_label"],
            "value_text": [
                "visas ej" if f == "undertryckt" else num(v, d)
                for v, d, f in zip(ov["value"], ov["decimals"], ov["flag"], strict=True)
            ],
            "county_text": [
                num(v, d) for v, d in zip(ov["county_value"], ov["decimals"], strict=True)
            ],
            "riket_text": [
                num(v, d) for v, d in zip(ov["riket_value"], ov["decimals"], strict=True)
            ],
            "trend_text": [
                text.trend_words(t, b) for t, b in zip(ov["trend"], ov["better"], strict=True)
            ],
            "significance": ov["significance"],
            "flag": ov["flag"],
            "x_value": pos["x_value"],
            "x_min": pos["x_min"],
            "x_max": pos["x_max"],
            "x_other": pos[other],
        }
    )
    return out


def overview_section(
    kommun: str,
    sections: dict[str, Section],
    data_source: str = "demo",
    benchmark: str = "län",
    palette: str = theme.DEFAULT_PALETTE,
) -> Section:
    """Build the first screen of a kommun report.

    Parameters
    ----------
    kommun : str
        Four-digit kommun code.
    sections : dict of str to Section
        The report's other sections (their facts are reused, never recomputed).
    data_source : str
        The run's data source (for the Strategi table of all kommuner).
    benchmark : {"län", "riket"}
        What the kommun is compared with (stated in the chart and the messages).
    palette : str
        A palette of :data:`helpers.config.theme.PALETTES` (default colour-blind-safe).

    Returns
    -------
    Section
        ``sentences`` the key messages, ``figures["spine"]`` the chart,
        ``tables["översikt"]`` the overview table (raw numbers, for the tables
        renderer), ``facts`` the rows behind it, ``notes`` what is left out.
    """
    colours = theme.palette(palette)
    lan = lookup.lan_of(kommun)
    region = lookup.region_code(lan)
    kommuner = lookup.kommuner_in(lan)["kommun_code"].tolist()
    areas = {kommun, region, lookup.RIKET_CODE, *kommuner}
    facts_pool = pool(sections, _strategi_rows(data_source, areas))
    cat = catalogue.load()
    meta = {
        ind.id: {
            "better": ind.better,
            "decimals": ind.decimals,
            "unit": ind.unit,
            "pooled_years": ind.pooled_years,
        }
        for ind in cat
    }
    ov = bm.overview(facts_pool, kommun, region, kommuner, meta, benchmark=benchmark)
    kommun_name = lookup.area_name(kommun)
    names = {ind.id: ind.short_name for ind in cat}
    shown = set(ov["indicator"])
    left_out = [ind.short_name for ind in cat if ind.id not in shown]
    notes = []
    if left_out:
        notes.append(
            "Utan värde för kommunen i den här rapporten (gäller bara regionen, eller "
            f"datakällan har dem inte): {', '.join(left_out)}."
        )
    bench = text.benchmark_name(benchmark)
    words = {c: text.significance_words(c, benchmark).capitalize() for c in bm.CATEGORIES}
    words["benchmark"] = f"{bench.capitalize()} (mittlinjen)"
    source = "; ".join(dict.fromkeys(str(s) for s in facts_pool["source"].dropna().unique()))
    figures = {}
    if len(ov):
        figures["spine"] = spine.spine_chart(
            _display_rows(ov, benchmark),
            words,
            title=f"{kommun_name} jämfört med {bench}: alla indikatorer",
            other_ref_label="Riket" if benchmark == "län" else "Länet",
            palette=colours,
            sources=[s for s in facts_pool["source"].dropna().unique()][:3],
            notes=[
                "Symbolens form och färg: kommunens värde jämfört med "
                f"{bench} (säkert skilt när {bench}s värde ligger utanför kommunens "
                "95-procentiga konfidensintervall). Bättre åt höger. Utveckling: rak linje över "
                "upp till fem perioder som inte överlappar, säker när p < 0,05."
            ],
        )
    keys = []
    for r in ov.itertuples(index=False):
        for code in {kommun, region, lookup.RIKET_CODE, r.min_code, r.max_code} - {""}:
            keys.append((r.indicator, code, r.sex, r.period))
    key_frame = pd.DataFrame(keys, columns=["indicator", "area_code", "sex", "period"])
    shown_facts = facts_pool.merge(
        key_frame.astype({"period": facts_pool["period"].dtype}),
        on=["indicator", "area_code", "sex", "period"],
    )
    out_facts = shown_facts[list(indicators.COLUMNS)].reset_index(drop=True)
    return Section(
        title=TITLE,
        sentences=text.key_messages(ov, kommun_name, names),
        figures=figures,
        tables={"översikt": ov},
        notes=notes,
        source=source,
        facts=out_facts,
    )


def definitions(section: Section) -> list[dict[str, str]]:
    """Reader's definitions of the indicators on the first screen, from the catalogue.

    Returns
    -------
    list of dict
        ``name``, ``definition``, ``unit``, ``period``, ``source`` and ``flag``
        (what the reliability flag means for the indicator) per indicator, in
        the order of the spine chart; for :func:`helpers.text.overview.definition_html`.
    """
    cat = catalogue.load()
    ov = section.tables.get("översikt", pd.DataFrame(columns=["indicator"]))
    f = section.facts
    out = []
    for ind_id in dict.fromkeys(ov["indicator"]):
        ind = cat.get(ind_id)
        src = f.loc[f["indicator"] == ind_id, "source"].dropna().unique()
        period = ind.period_text
        if ind.pooled_years > 1 and ind.period_type != "five_year":
            period += f" ({ind.pooled_years} år)"
        out.append(
            {
                "name": ind.name,
                "definition": ind.definition,
                "unit": ind.unit,
                "period": period,
                "source": "; ".join(str(s) for s in src) or "–",
                "flag": ind.reliability_text,
            }
        )
    return out
