"""Remaining life expectancy at 30 by education level (county and Sweden).

:func:`e30_by_education` returns the tidy indicator table
(:mod:`helpers.core.indicators`) for the catalogue indicator ``e30_utb``: demo
from :func:`helpers.sources.demo.mortality.e30_indicator_table`, ``"scb"`` from
TAB4879 (county × sex × education, five-year periods; the id pinned in
``params/scb_tables.lock.yaml``, read from the raw cache after
``python -m helpers.fetch``, so every county – Dalarna too, not only Riket –
has its own figure 1.1 and gap trend), ``"referens"`` from
SCB's published one-year points for Sweden (the only reference there is; no
county values). The sources that can serve it are those with an
``scb_table`` recipe for ``e30_utb`` in the catalogue
(:data:`E30_SOURCES`); any other source is refused in Swedish.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from helpers.config import catalogue
from helpers.config import sources as registry
from helpers.core import indicators, lookup
from helpers.core.cache import RawCache
from helpers.core.errors import SourceError
from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.core.memo import Memo
from helpers.sources import scb, scb_tables
from helpers.sources.demo import mortality as demo_mortality
from helpers.sources.mortality_counts import (
    _SEX_CODES,
    SourcesWith,
    _file_key,
    _find_dimension,
    _reference_file,
)
from helpers.stats import lifetable_chiang

#: Indicator id of e30 by education (as in :mod:`helpers.sources.demo.mortality`).
E30_INDICATOR = demo_mortality.E30_INDICATOR
#: Education levels, lowest first, as in the ``group`` column.
EDUCATION_LEVELS: tuple[str, ...] = ("förgymnasial", "gymnasial", "eftergymnasial")
#: What the e30 sources serve (used in the Swedish refusal of other sources).
E30_WHAT = "återstående medellivslängd vid 30 år efter utbildningsnivå"
_MEMO = Memo("e30_utbildning")


#: Sources that can serve e30 by education: those with an ``scb_table`` recipe for
#: ``e30_utb`` in the catalogue.
E30_SOURCES: Sequence[str] = SourcesWith(E30_INDICATOR, "scb_table")


def check_e30_source(data_source: object) -> str:
    """Return ``data_source`` if it can serve e30 by education; refuse in Swedish otherwise."""
    return registry.check_source(data_source, allowed=E30_SOURCES, what=E30_WHAT)


def e30_source_label(data_source: str) -> str:
    """Return the source line of e30 by education (published values, not computed here)."""
    source = check_e30_source(data_source)
    if registry.is_synthetic(source):
        return SYNTHETIC_LABEL
    if source == "referens":
        return "Källa: SCB (publicerade värden, referensdata)"
    return f"Källa: SCB ({catalogue.get(E30_INDICATOR).recipe(source)['scb_table']})"


def clear_memo() -> None:
    """Forget the memoized e30 tables."""
    _MEMO.clear()


def _education_label(text: str) -> str | None:
    t = text.casefold()
    if "eftergymn" in t:
        return "eftergymnasial"
    if "förgymn" in t or "forgymn" in t:
        return "förgymnasial"
    if "gymn" in t:
        return "gymnasial"
    if "total" in t or "samtliga" in t or "alla" in t:
        return indicators.ALL_GROUPS
    return None


def e30_from_scb_frame(frame: pd.DataFrame, dims: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Convert a TAB4879 answer (:meth:`helpers.sources.scb.ScbClient.data`) to the indicator table.

    Dimensions are recognised by their labels (region, utbildningsnivå, kön,
    period/år), education levels by their label text and periods by the first
    and last four-digit year in the period code or label.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :meth:`helpers.sources.scb.ScbClient.data` for TAB4879.
    dims : mapping
        Output of :meth:`helpers.sources.scb.ScbClient.dimensions` for the same table.

    Returns
    -------
    pandas.DataFrame
        Indicator table, indicator :data:`E30_INDICATOR`, flag ``ej bedömd``.
    """
    region = _find_dimension(dims, ("region",), "region")
    edu = _find_dimension(dims, ("utbildn",), "utbildningsnivå")
    sex = _find_dimension(dims, ("kon", "kön"), "kön")
    time = _find_dimension(dims, ("tid", "period", " år"), "period")
    code = frame[region].astype(str)
    label = frame[f"{region}_label"].astype(str)
    is_riket = (code == "00") | label.str.casefold().str.contains("riket|sverige")
    area = np.where(is_riket, lookup.RIKET_CODE, lookup.region_code_of(code.map(lookup.pad_lan)))
    years = (frame[time].astype(str) + " " + frame[f"{time}_label"].astype(str)).str.findall(
        r"(?:19|20)\d{2}"
    )
    first = years.str[0].astype(int)
    last = years.str[-1].astype(int)
    names = lookup.areas().set_index("area_code")["area_name"]
    out = pd.DataFrame(
        {
            "area_code": area,
            "area_type": np.where(is_riket, "riket", "region"),
            "period": last,
            "period_label": [
                lifetable_chiang.period_label(a, b) for a, b in zip(first, last, strict=True)
            ],
            "sex": frame[sex].astype(str).map(_SEX_CODES).map(demo_mortality.SEX_LABELS),
            "group": frame[f"{edu}_label"].astype(str).map(_education_label),
            "indicator": E30_INDICATOR,
            "value": frame["value"].astype(float),
            "flag": np.where(
                frame["value"].isna(), indicators.FLAG_MISSING, indicators.FLAG_NOT_ASSESSED
            ),
            "flag_reason": "osäkerhetsmått saknas",
        }
    )
    out["area_name"] = out["area_code"].map(names).fillna(out["area_code"])
    out = out.dropna(subset=["sex", "group"])
    return indicators.make(out, source=e30_source_label("scb"))


def e30_table_id() -> str:
    """Return the PxWebApi 2.0 id of e30 by education and county (lock file, else TAB4879)."""
    return scb_tables.table_id("e30_education_lan") or scb.TAB_E30_EDUCATION_LAN


def e30_selection(dims: Mapping[str, Mapping[str, Any]]) -> dict[str, list[str]]:
    """Return the selection of TAB4879 the workbook uses: every county and Riket, both sexes.

    Every region (Riket and the 21 counties), education level and period; sex
    ``1``/``2``; of the table contents only the remaining life expectancy (a
    content whose label says *medellivslängd*, or the only content) – never
    several contents mixed in one value column.

    Raises
    ------
    SourceError
        The table has several contents and none is the life expectancy.
    """
    sex = _find_dimension(dims, ("kon", "kön"), "kön")
    out: dict[str, list[str]] = {}
    for dim_id, info in dims.items():
        if dim_id == sex:
            out[dim_id] = [c for c in ("1", "2") if c in info["codes"]]
        elif dim_id.casefold() == "contentscode" and len(info["codes"]) > 1:
            labels = info.get("labels") or {}
            keep = [c for c in info["codes"] if "livslängd" in str(labels.get(c, "")).casefold()]
            if len(keep) != 1:
                raise SourceError(
                    f"SCB-tabellen {e30_table_id()} har flera tabellinnehåll "
                    f"({', '.join(map(str, labels.values()))}) och inget entydigt för "
                    "återstående medellivslängd."
                )
            out[dim_id] = keep
        else:
            out[dim_id] = ["*"]
    return out


def _e30_scb(client: scb.ScbClient | None) -> pd.DataFrame:
    client = client or scb.ScbClient()
    table = e30_table_id()
    dims = client.dimensions(table)
    frame = client.data(table, e30_selection(dims))
    return e30_from_scb_frame(frame, dims)


def _e30_reference() -> pd.DataFrame:
    """SCB's published one-year e30 points for Sweden (persons born in Sweden)."""
    path = _reference_file("e30")
    df = pd.read_csv(path, dtype={"period": str})
    keep = (
        (df["kind"] == "level")
        & df["sex"].isin(["women", "men"])
        & df["period"].str.fullmatch(r"\d{4}")
    )
    df = df[keep].drop_duplicates(["period", "sex", "education"], keep="first")
    out = pd.DataFrame(
        {
            "area_code": lookup.RIKET_CODE,
            "area_name": lookup.RIKET_NAME,
            "area_type": "riket",
            "period": df["period"].astype(int),
            "period_label": df["period"],
            "sex": df["sex"].map(demo_mortality.SEX_LABELS),
            "group": df["education"].map(demo_mortality.EDUCATION_LABELS),
            "indicator": E30_INDICATOR,
            "value": df["e30"].astype(float),
            "flag": indicators.FLAG_NOT_ASSESSED,
            "flag_reason": "publicerat ettårsvärde, osäkerhetsmått saknas",
        }
    )
    return indicators.make(out, source=e30_source_label("referens"))


def e30_by_education(
    data_source: str = "demo",
    lan_code: str | None = None,
    *,
    client: scb.ScbClient | None = None,
) -> pd.DataFrame:
    """Return remaining life expectancy at 30 by education level (county and Sweden).

    Parameters
    ----------
    data_source : {"demo", "scb", "referens"}
        ``"demo"``: synthetic, every county, rolling five-year periods
        1991–1995 … 2020–2024. ``"scb"``: TAB4879 (the pinned id; from the raw
        cache once fetched, every county and Riket). ``"referens"``:
        SCB's published one-year points for Sweden only (2000, 2012, 2016,
        2017, 2020, 2021; not every level every year).
    lan_code : str, optional
        Keep that county's region and Riket (default every region and Riket).
    client : helpers.sources.scb.ScbClient, optional
        Client for ``"scb"``.

    Returns
    -------
    pandas.DataFrame
        Indicator table: indicator ``"e30_utb"``, ``group`` förgymnasial /
        gymnasial / eftergymnasial / ``"alla"``, ``sex`` kvinnor/män; the
        sources give no uncertainty, so the flag is ``ej bedömd`` and the CI empty.
    """
    source = check_e30_source(data_source)
    if source == "demo":
        entries = demo_mortality.write_mortality_demo()

        def make_demo() -> pd.DataFrame:
            cache = RawCache("demo", SYNTHETIC_LABEL)
            raw = pd.read_csv(cache.path(entries[2]), dtype={"region": str})
            return demo_mortality.e30_indicator_table(raw)

        table = _MEMO.get(("e30", "demo", entries[2].sha256), make_demo)
    elif source == "referens":
        table = _MEMO.get(("e30", "referens", _file_key(_reference_file("e30"))), _e30_reference)
    else:
        table = _e30_scb(client)
    if lan_code is not None:
        table = table[table["area_code"].isin([lookup.region_code(lan_code), lookup.RIKET_CODE])]
    return table.reset_index(drop=True).copy()
