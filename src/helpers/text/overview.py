"""The words of a kommun report's first screen: its title, key messages and the definitions.

Every sentence is written from the overview table
(:func:`helpers.stats.benchmark.overview`, one row per indicator and sex) and
the catalogue, never typed in: change a number and the sentence changes with
it. Significance is said in plain words ("säkert bättre än länet", "inte
säkert skild från riket"), never as a z-score.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from helpers.core.fmt import num
from helpers.stats import benchmark as bm

#: Swedish names of the two benchmarks (after "än" / "från").
BENCHMARK_NAMES: dict[str, str] = {"län": "länet", "riket": "riket"}


def report_title(kommun_name: str, year: int) -> str:
    """Return the report's main heading ("Folkhälsoprofil för Falun 2024")."""
    return f"Folkhälsoprofil för {kommun_name} {year}"


def benchmark_name(benchmark: str) -> str:
    """Return "länet" or "riket"."""
    return BENCHMARK_NAMES[benchmark]


def significance_words(category: str, benchmark: str) -> str:
    """Plain words for a significance category ("säkert bättre än länet").

    Parameters
    ----------
    category : str
        One of :data:`helpers.stats.benchmark.CATEGORIES`.
    benchmark : {"län", "riket"}
    """
    name = benchmark_name(benchmark)
    return {
        bm.BETTER: f"säkert bättre än {name}",
        bm.WORSE: f"säkert sämre än {name}",
        bm.HIGHER: f"säkert högre än {name}",
        bm.LOWER: f"säkert lägre än {name}",
        bm.SAME: f"inte säkert skild från {name}",
        bm.NOT_COMPARED: f"inte prövad mot {name} (källan anger ingen osäkerhet)",
        bm.MISSING: "inget värde att jämföra",
    }[category]


def trend_words(trend: str, better: str) -> str:
    """Plain words for a trend ("ökar – åt det bättre hållet")."""
    if trend == bm.TREND_SHORT:
        return "för kort serie"
    if trend == bm.TREND_FLAT:
        return "ingen säker förändring"
    good = bm.trend_is_better(trend, better)
    way = "" if good is None else (" – åt det bättre hållet" if good else " – åt det sämre hållet")
    return f"{trend}{way}"


def _name(row: Mapping, names: Mapping[str, str]) -> str:
    name = names.get(str(row["indicator"]), str(row["indicator"]))
    if row["sex"] != "totalt":
        name += f" ({row['sex']})"
    return name


def _value(row: Mapping, key: str = "value") -> str:
    unit = str(row["unit"])
    return num(float(row[key]), int(row["decimals"]), unit if unit != "index" else "")


def _list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]


def _scaled_gap(row: Mapping) -> float:
    """Distance from the benchmark relative to the county's spread (for picking examples)."""
    spread = float(row["max_value"]) - float(row["min_value"])
    gap = abs(float(row["value"]) - float(row["benchmark_value"]))
    return gap / spread if np.isfinite(spread) and spread > 0 else gap


def count_message(ov: pd.DataFrame, kommun_name: str) -> str:
    """How many indicators are certainly better, certainly worse or not different from the benchmark."""
    if ov.empty:
        return f"Det finns inga indikatorer med värden för {kommun_name} i rapporten."
    bench = benchmark_name(str(ov["benchmark"].iloc[0]))
    sig = ov["significance"]
    tested = sig.isin([bm.BETTER, bm.WORSE, bm.HIGHER, bm.LOWER, bm.SAME])
    n_better, n_worse = int((sig == bm.BETTER).sum()), int((sig == bm.WORSE).sum())
    n_same = int((sig == bm.SAME).sum())
    n_other = int(sig.isin([bm.HIGHER, bm.LOWER]).sum())
    not_tested = int((~tested).sum())
    if not tested.any():
        return (
            f"Ingen av de {len(ov)} värdena för {kommun_name} kan prövas mot {bench}: "
            "källorna anger ingen osäkerhet."
        )
    parts = [
        f"{n_better} säkert bättre",
        f"{n_worse} säkert sämre",
        f"{n_same} inte säkert skilda från {bench}",
    ]
    if n_other:
        parts.append(f"{n_other} säkert högre eller lägre (utan bättre eller sämre riktning)")
    text = (
        f"Av de {int(tested.sum())} värden för {kommun_name} som kan prövas mot {bench} "
        f"är {_list(parts)}."
    )
    if not_tested:
        text += (
            f" {not_tested} värden kan inte prövas (källan anger ingen osäkerhet eller "
            "värdet saknas)."
        )
    return text


def extreme_message(ov: pd.DataFrame, names: Mapping[str, str], which: str) -> str:
    """Return the clearest strength (``which="bättre"``) or weakness against the benchmark.

    Returns an empty string when no value is certainly better (worse).
    """
    cat = bm.BETTER if which == bm.BETTER else bm.WORSE
    rows = ov[ov["significance"] == cat]
    if rows.empty:
        return ""
    bench = benchmark_name(str(ov["benchmark"].iloc[0]))
    row = rows.loc[rows.apply(_scaled_gap, axis=1).idxmax()]
    word = "Tydligast bättre" if cat == bm.BETTER else "Tydligast sämre"
    return (
        f"{word} än {bench}: {_name(row, names)}, "
        f"{_value(row)} mot {_value(row, 'benchmark_value')} i {bench} ({row['period_label']})."
    )


def life_expectancy_message(ov: pd.DataFrame, kommun_name: str) -> str:
    """Life expectancy at birth for women and men against the benchmark, when the overview has it."""
    rows = ov[ov["indicator"] == "e0"]
    if rows.empty or rows["value"].isna().all():
        return ""
    bench = benchmark_name(str(ov["benchmark"].iloc[0]))
    parts = [
        f"{_value(r)} för {r['sex']} ({significance_words(r['significance'], r['benchmark'])}, "
        f"{bench} {_value(r, 'benchmark_value')})"
        for _, r in rows.iterrows()
        if pd.notna(r["value"])
    ]
    return (
        f"Medellivslängden vid födelsen i {kommun_name} är {_list(parts)} "
        f"under {rows['period_label'].iloc[0]}."
    )


def trend_message(ov: pd.DataFrame, names: Mapping[str, str]) -> str:
    """How many series have a certain trend the better and the worse way."""
    good = ov.apply(lambda r: bm.trend_is_better(r["trend"], r["better"]), axis=1)
    n_good, n_bad = int((good == True).sum()), int((good == False).sum())  # noqa: E712
    tested = int(ov["trend"].isin([bm.TREND_UP, bm.TREND_DOWN, bm.TREND_FLAT]).sum())
    if not tested:
        return ""
    if not n_good and not n_bad:
        return f"Ingen av de {tested} tidsserierna visar någon säker förändring de senaste åren."
    parts = []
    for n, flag, way in ((n_good, True, "bättre"), (n_bad, False, "sämre")):
        ex = [_name(r, names) for _, r in ov[good == flag].iterrows()]
        more = " med flera" if len(ex) > 2 else ""
        parts.append(f"{n} åt det {way} hållet" + (f" ({_list(ex[:2])}{more})" if ex else ""))
    return (
        f"Av {tested} tidsserier visar {_list(parts)}; "
        "övriga visar ingen säker förändring de senaste åren."
    )


def reliability_message(ov: pd.DataFrame, names: Mapping[str, str] | None = None) -> str:
    """How many shown values are uncertain or not shown (with the names of those not shown)."""
    names = names or {}
    n_unc = int((ov["flag"] == "osäker").sum())
    hidden = ov[ov["flag"] == "undertryckt"]
    parts = []
    if n_unc:
        parts.append(f"{n_unc} {'värde är osäkert' if n_unc == 1 else 'värden är osäkra'}")
    if len(hidden):
        which = _list([_name(r, names) for _, r in hidden.iterrows()])
        parts.append(
            f"{len(hidden)} {'värde visas' if len(hidden) == 1 else 'värden visas'} inte "
            f"(för få svarande eller för osäker skattning): {which}"
        )
    if not parts:
        return ""
    text = _list(parts) + "."
    return text[0].upper() + text[1:]


def key_messages(ov: pd.DataFrame, kommun_name: str, names: Mapping[str, str]) -> list[str]:
    """Three to five key messages for the first screen, each written from the overview table.

    Parameters
    ----------
    ov : pandas.DataFrame
        :func:`helpers.stats.benchmark.overview`.
    kommun_name : str
    names : mapping
        Indicator id to the reader's short name (catalogue ``short_name``).

    Returns
    -------
    list of str
        Life expectancy, the count against the benchmark, the clearest strength
        and weakness, the trends and the reliability, whichever apply (at most five).
    """
    candidates = [
        life_expectancy_message(ov, kommun_name),
        count_message(ov, kommun_name),
        extreme_message(ov, names, bm.BETTER),
        extreme_message(ov, names, bm.WORSE),
        trend_message(ov, names),
        reliability_message(ov, names),
    ]
    return [c for c in candidates if c][:5]


def definition_html(entries: Iterable[Mapping[str, str]]) -> str:
    """Definitions as folded HTML blocks (``<details>``), one per indicator.

    Parameters
    ----------
    entries : iterable of mapping
        ``name``, ``definition``, ``unit``, ``period``, ``source``, ``flag`` (what
        the reliability flag means for this indicator), all Swedish text.
    """
    blocks = []
    for e in entries:
        esc = {k: html.escape(str(v)) for k, v in e.items()}
        blocks.append(
            f"<details><summary><b>{esc['name']}</b></summary>\n"
            f"<p>{esc['definition']}</p>\n<p>Enhet: {esc['unit']}. Period: {esc['period']}. "
            f"Källa: {esc['source']}. Flaggan ”osäker” betyder här: {esc['flag']}.</p>\n"
            "</details>"
        )
    return "\n".join(blocks)
