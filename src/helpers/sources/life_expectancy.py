"""Load indicator tables from the chosen data source (``demo`` or ``kolada``).

Notebooks and reports call these functions with the ``data_source`` parameter;
they return the tidy indicator table (:mod:`helpers.core.indicators`) whichever
source is used, so an analysis written on the demo data runs unchanged on
real data.
"""

from __future__ import annotations

import json
import os

import pandas as pd

from helpers.core import indicators, lookup, paths
from helpers.core.errors import DataError
from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.sources import kolada
from helpers.sources.demo import base as demo

DATA_SOURCES: tuple[str, ...] = ("demo", "kolada")
LE_KPIS: dict[str, str] = demo.LE_KPIS


def source_label(data_source: str) -> str:
    """Return the attribution for a data source (the demo one says synthetic)."""
    check_source(data_source)
    return SYNTHETIC_LABEL if data_source == "demo" else "Källa: Kolada"


def check_source(data_source: str) -> None:
    """Raise :class:`DataError` unless ``data_source`` is known."""
    if data_source not in DATA_SOURCES:
        raise DataError(f"Okänd datakälla '{data_source}' – välj en av: {', '.join(DATA_SOURCES)}")


def _area_codes_for(lan_code: str | None) -> list[str]:
    if lan_code is None:
        return lookup.areas()["area_code"].tolist()
    k = lookup.kommuner_in(lan_code)["kommun_code"].tolist()
    return [*k, lookup.region_code(lan_code), lookup.RIKET_CODE]


def _label_sex(table: pd.DataFrame) -> pd.DataFrame:
    """Set ``sex`` from the KPI for sex-specific KPIs (N00923 men, N00925 women)."""
    out = table.copy()
    for kpi, sex in LE_KPIS.items():
        out.loc[out["indicator"] == kpi, "sex"] = sex
    return out


_MEMO: dict[str, pd.DataFrame] = {}


def _demo_life_expectancy() -> pd.DataFrame:
    """Parse the demo KPI files once; memoize in memory and in ``data/processed``.

    The processed file is named after the raw files' sha256, so it is rebuilt
    whenever the raw data change and can always be deleted.
    """
    entries = demo.write_life_expectancy()
    key = "-".join(e.sha256[:12] for e in entries)
    if key in _MEMO:
        return _MEMO[key].copy()
    processed = paths.processed_dir() / f"medellivslangd_demo_{key}.parquet"
    if processed.exists():
        table = indicators.validate(pd.read_parquet(processed).astype(indicators.COLUMNS))
    else:
        cache = demo.demo_cache()
        frames = []
        for entry in entries:
            envelope = json.loads(cache.path(entry).read_bytes())
            frames.append(kolada.to_indicator_table(envelope["values"], source=SYNTHETIC_LABEL))
        table = pd.concat(frames, ignore_index=True)
        table["source"] = SYNTHETIC_LABEL
        processed.parent.mkdir(parents=True, exist_ok=True)
        tmp = processed.with_suffix(f".tmp{os.getpid()}")
        table.to_parquet(tmp, index=False)
        os.replace(tmp, processed)
    _MEMO[key] = table
    return table.copy()


def life_expectancy(
    data_source: str = "demo",
    lan_code: str | None = None,
    years: range | list[int] | None = None,
) -> pd.DataFrame:
    """Return life expectancy at birth (five-year averages) per kommun, region and Riket.

    Parameters
    ----------
    data_source : {"demo", "kolada"}
        ``"demo"`` reads (and if needed builds) the synthetic demo data;
        ``"kolada"`` fetches N00923/N00925 from Kolada (cached in ``data/raw/kolada``).
    lan_code : str, optional
        Two-digit län code: keep that county's kommuner, its region and Riket.
    years : iterable of int, optional
        Years to keep (default 2000–2024).

    Returns
    -------
    pandas.DataFrame
        Indicator table with ``sex`` set to ``"kvinnor"`` (N00925) or ``"män"`` (N00923).
    """
    check_source(data_source)
    years = list(years) if years is not None else list(range(demo.FIRST_YEAR, demo.LAST_YEAR + 1))
    codes = _area_codes_for(lan_code)
    if data_source == "demo":
        table = _demo_life_expectancy()
    else:
        table = kolada.load_kpis(list(LE_KPIS), codes, years)
    table = table[table["area_code"].isin(codes) & table["period"].isin(years)]
    return indicators.validate(_label_sex(table).reset_index(drop=True))
