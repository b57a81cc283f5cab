"""Life expectancy at birth as Kolada's five-year series (N00923 men, N00925 women).

Notebooks and reports call :func:`life_expectancy` with the ``data_source``
parameter; it returns the tidy indicator table (:mod:`helpers.core.indicators`)
whichever source is used, so an analysis written on the demo data runs
unchanged on real data.

Which sources can serve the series is decided by the indicator catalogue
(entry ``e0``) and the source registry (:mod:`helpers.config.sources`): Kolada
through its KPI recipe, and the synthetic demo, whose Kolada-shaped files are
computed from the demo's deaths and population with the workbook's life table
(:mod:`helpers.sources.demo.life_expectancy`) – so the demo's series agrees,
to the decimal shown, with the life-table section of the report.

``referens`` (the Dalarna reproduction on ``../shared/reference``) serves the
series from SCB's real deaths and population with the same SCB-style life
table (:func:`helpers.sources.mortality_counts.kommun_life_expectancy`,
periods 2011–2015 … 2015–2019 with their 95 % CIs): one computation, so the
first screen and the life-table section show the same e0.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from helpers.config import catalogue
from helpers.config import sources as registry
from helpers.core import indicators, lookup
from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.core.memo import Memo
from helpers.sources import kolada, kolada_client, kolada_tables, mortality_counts
from helpers.sources.demo import life_expectancy as demo_le

#: Catalogue entry of the series.
INDICATOR = "e0"
#: Sources that serve the series from counts through the life table (not in Kolada's shape).
LIFE_TABLE_SOURCES: tuple[str, ...] = ("referens",)
#: Attribution of the series computed from SCB's reference counts.
REFERENCE_LABEL = (
    "Källa: SCB, antal döda och folkmängd (referensdata); medellivslängd beräknad av arbetsboken "
    "med SCB:s metod"
)
#: Years asked of Kolada by default (Kolada's series starts with 1996–2000).
FIRST_YEAR, LAST_YEAR = 2000, 2024

_MEMO = Memo("medellivslangd_demo")


def kpis() -> dict[str, str]:
    """Return ``{kpi: sex}`` of the series from the catalogue (N00923 män, N00925 kvinnor)."""
    return {kpi: sex for sex, kpi in catalogue.get(INDICATOR).kpis("kolada").items()}


def sources() -> tuple[str, ...]:
    """Return the sources that can serve the series in Kolada's shape (catalogue order).

    A source serves it when its catalogue recipe for ``e0`` is a Kolada KPI (or
    demo values in Kolada's shape), or when it is the synthetic demo, whose
    Kolada-shaped files are computed from its counts.
    """
    ind = catalogue.get(INDICATOR)
    return tuple(
        name
        for name, recipe in ind.sources.items()
        if "kpi" in recipe
        or "kolada_shape" in recipe
        or registry.is_synthetic(name)
        or (name in LIFE_TABLE_SOURCES and "life_table" in recipe)
    )


def check_source(data_source: object) -> str:
    """Return ``data_source`` if it can serve the series; raise a Swedish :class:`DataError`."""
    return registry.check_source(
        data_source,
        allowed=sources(),
        what="medellivslängd som Koladas femårsmedelvärden (N00923/N00925)",
    )


def source_label(data_source: str) -> str:
    """Return the attribution for a data source (the synthetic one says so)."""
    source = check_source(data_source)
    if source in LIFE_TABLE_SOURCES:
        return REFERENCE_LABEL
    return SYNTHETIC_LABEL if registry.is_synthetic(source) else kolada_client.SOURCE


def _area_codes_for(lan_code: str | None) -> list[str]:
    if lan_code is None:
        return lookup.areas()["area_code"].tolist()
    k = lookup.kommuner_in(lan_code)["kommun_code"].tolist()
    return [*k, lookup.region_code(lan_code), lookup.RIKET_CODE]


def _label_sex(table: pd.DataFrame) -> pd.DataFrame:
    """Set ``sex`` from the KPI for sex-specific KPIs (N00923 men, N00925 women)."""
    out = table.copy()
    for kpi, sex in kpis().items():
        out.loc[out["indicator"] == kpi, "sex"] = sex
    return out


def demo_entries() -> list:
    """Return the raw-cache entries of the demo's Kolada-shaped files (built if missing)."""
    return demo_le.write_life_expectancy()


def _demo_life_expectancy() -> pd.DataFrame:
    """Parse the demo KPI files once; memoized in memory and in ``data/processed``.

    The key is the raw files' sha256, so the parsed table is rebuilt whenever
    the raw files change and can always be deleted.
    """
    entries = demo_entries()
    key = hashlib.sha256("".join(e.sha256 for e in entries).encode()).hexdigest()[:16]

    def make() -> pd.DataFrame:
        objs = demo_le.read_envelopes(entries)
        table = kolada_tables.to_indicator_table(objs, source=SYNTHETIC_LABEL)
        table["source"] = SYNTHETIC_LABEL
        return table

    table = _MEMO.frame(key, make, persist=True)
    return indicators.validate(table.astype(indicators.COLUMNS)).copy()


def _life_table_series(data_source: str, lan_code: str | None) -> pd.DataFrame:
    """e0 from the counts with the SCB-style life table, labelled with Kolada's KPI ids by sex."""
    le = mortality_counts.kommun_life_expectancy(data_source, lan_code=lan_code, ages=(0,))
    le = le[le["indicator"] == INDICATOR].copy()
    by_sex = {sex: kpi for kpi, sex in kpis().items()}
    le["indicator"] = le["sex"].astype(str).map(by_sex)
    le["source"] = REFERENCE_LABEL
    return indicators.validate(le.astype(indicators.COLUMNS).reset_index(drop=True))


def life_expectancy(
    data_source: str = "demo",
    lan_code: str | None = None,
    years: range | list[int] | None = None,
) -> pd.DataFrame:
    """Return life expectancy at birth (five-year averages) per kommun, region and Riket.

    Parameters
    ----------
    data_source : {"demo", "kolada", "referens"}
        ``"referens"`` computes the series from SCB's reference counts
        (:data:`LIFE_TABLE_SOURCES`, with CIs);
        ``"demo"`` reads (and if needed builds) the synthetic demo series,
        computed from the demo's deaths and population (periods 2010–2014 …
        2020–2024); ``"kolada"`` fetches N00923/N00925 from Kolada (cached in
        ``data/raw/kolada``). Other sources are refused in Swedish.
    lan_code : str, optional
        Two-digit län code: keep that county's kommuner, its region and Riket.
    years : iterable of int, optional
        Years (last year of each period) to keep (default 2000–2024).

    Returns
    -------
    pandas.DataFrame
        Indicator table with ``sex`` set to ``"kvinnor"`` (N00925) or ``"män"`` (N00923).
    """
    check_source(data_source)
    years = list(years) if years is not None else list(range(FIRST_YEAR, LAST_YEAR + 1))
    codes = _area_codes_for(lan_code)
    if registry.is_synthetic(data_source):
        table = _demo_life_expectancy()
    elif data_source in LIFE_TABLE_SOURCES:
        table = _life_table_series(data_source, lan_code)
    else:
        table = kolada.load_kpis(list(kpis()), codes, years)
    table = table[table["area_code"].isin(codes) & table["period"].isin(years)]
    return indicators.validate(_label_sex(table).reset_index(drop=True))


__all__ = [
    "FIRST_YEAR",
    "INDICATOR",
    "LAST_YEAR",
    "check_source",
    "demo_entries",
    "kpis",
    "life_expectancy",
    "source_label",
    "sources",
]
