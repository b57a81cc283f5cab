"""Swedish sentences generated from the numbers of :mod:`helpers.stats.lifeexp`.

Reports state their key results in words, and the words must always agree
with the numbers. Each function here takes a result frame from
:mod:`helpers.stats.lifeexp`, picks one sex and period, and returns one sentence
(or ``""`` when there is nothing to say), with numbers formatted by
:mod:`helpers.core.fmt` (decimal comma, non-breaking space before the unit).

Differences are computed from unrounded values (as in the result frames); a
difference below 0,05 is written as "ungefär lika hög som" / "i stort sett oförändrad". Missing
values are said to be missing, never silently skipped.
"""

from __future__ import annotations

import pandas as pd

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.text.phrases import (
    EQUAL_TOLERANCE,
    count_kommuner,
    in_area,
    missing,
    ordinal,
    relative,
    years,
)

UNIT = "år"
_NOUN = "medellivslängden"


def _pick(df: pd.DataFrame, sex: str, period: int | None = None, **eq: object) -> pd.Series:
    """Return the single row for ``sex`` (and ``period``) or raise :class:`DataError`."""
    mask = df["sex"] == sex
    if period is not None:
        mask &= df["period"] == int(period)
    for col, val in eq.items():
        mask &= df[col] == val
    rows = df[mask]
    if len(rows) != 1:
        where = f"{sex}" + (f" {period}" if period is not None else "")
        raise DataError(f"Hittade {len(rows)} rader för {where} – väntade exakt en")
    return rows.iloc[0]


def _uncertain_note(flag: object) -> str:
    if flag == indicators.FLAG_UNCERTAIN:
        return " Värdet är en osäker skattning och bör läsas med försiktighet."
    return ""


def compare_sentence(compare_df: pd.DataFrame, sex: str, period: int) -> str:
    """Describe the kommun's value against the county and Riket.

    Parameters
    ----------
    compare_df : pandas.DataFrame
        Result of :func:`helpers.stats.lifeexp.compare_areas`.
    sex : str
        ``"kvinnor"`` or ``"män"``.
    period : int
        Period (last year).

    Returns
    -------
    str
        E.g. ``"I Falun var medellivslängden för kvinnor 84,7 år 2020–2024, 0,3 år
        högre än i länet och 0,1 år lägre än i riket."``
    """
    r = _pick(compare_df, sex, period)
    name, label = r["area_name"], r["period_label"]
    if missing(r["value"]):
        return f"För {name} saknas värde för {_NOUN} för {sex} {label}."
    parts = []
    if not missing(r["diff_region"]):
        parts.append(relative(float(r["diff_region"]), "i länet"))
    if not missing(r["diff_riket"]):
        parts.append(relative(float(r["diff_riket"]), "i riket"))
    tail = (", " + " och ".join(parts)) if parts else ""
    return f"I {name} var {_NOUN} för {sex} {years(r['value'])} {label}{tail}." + _uncertain_note(
        r["flag"]
    )


def range_sentence(range_df: pd.DataFrame, sex: str, period: int) -> str:
    """Describe the range between the county's kommuner.

    Parameters
    ----------
    range_df : pandas.DataFrame
        Result of :func:`helpers.stats.lifeexp.county_range`.
    sex, period : str, int
        The slice, as in :func:`compare_sentence`.

    Returns
    -------
    str
        E.g. ``"Skillnaden mellan länets kommuner var 3,1 år för män 2020–2024, från
        79,8 år i Hedemora till 82,9 år i Vansbro."``, followed by a sentence naming
        the kommuner left out for lack of a value.
    """
    r = _pick(range_df, sex, period)
    label = r["period_label"]
    if missing(r["range"]):
        text = (
            f"För {sex} {label} har färre än två av länets kommuner ett värde, "
            "så ingen skillnad kan beräknas."
        )
    else:
        text = (
            f"Skillnaden mellan länets kommuner var {years(r['range'])} för {sex} {label}, "
            f"från {years(r['min_value'])} i {r['min_kommun']} "
            f"till {years(r['max_value'])} i {r['max_kommun']}."
        )
    n_missing = int(r["n_missing"])
    if n_missing:
        text += (
            f" {count_kommuner(n_missing).capitalize()} ({r['missing_kommuner']}) saknar "
            "värde och ingår inte."
        )
    if int(r.get("n_uncertain", 0) or 0):
        text += f" {count_kommuner(int(r['n_uncertain'])).capitalize()} har osäkra skattningar."
    return text


def range_change_sentence(range_df: pd.DataFrame, sex: str, start: int, end: int) -> str:
    """Describe how the range between the county's kommuner changed between two periods.

    Parameters
    ----------
    range_df : pandas.DataFrame
        Result of :func:`helpers.stats.lifeexp.county_range`.
    sex : str
        Sex, as in :func:`compare_sentence`.
    start, end : int
        First and last period.

    Returns
    -------
    str
        E.g. ``"För män ökade skillnaden mellan länets kommuner från 2,5 år 1996–2000
        till 3,1 år 2020–2024."``
    """
    a, b = _pick(range_df, sex, start), _pick(range_df, sex, end)
    if missing(a["range"]) or missing(b["range"]):
        return (
            f"Förändringen av skillnaden mellan länets kommuner för {sex} mellan "
            f"{a['period_label']} och {b['period_label']} kan inte beräknas (värden saknas)."
        )
    diff = float(b["range"]) - float(a["range"])
    if abs(diff) < EQUAL_TOLERANCE:
        return (
            f"För {sex} var skillnaden mellan länets kommuner i stort sett oförändrad, "
            f"{years(a['range'])} {a['period_label']} och {years(b['range'])} {b['period_label']}."
        )
    verb = "ökade" if diff > 0 else "minskade"
    return (
        f"För {sex} {verb} skillnaden mellan länets kommuner från {years(a['range'])} "
        f"{a['period_label']} till {years(b['range'])} {b['period_label']}."
    )


def rank_sentence(rank_df: pd.DataFrame, sex: str, period: int) -> str:
    """Describe the kommun's rank in the county (1 = longest life expectancy).

    Parameters
    ----------
    rank_df : pandas.DataFrame
        Result of :func:`helpers.stats.lifeexp.kommun_rank`.
    sex, period : str, int
        The slice, as in :func:`compare_sentence`.

    Returns
    -------
    str
        E.g. ``"Falun hade den 8:e längsta medellivslängden för kvinnor av länets 15
        kommuner 2020–2024."`` (``"den längsta"`` for rank 1, ``"den kortaste"`` for
        the last).
    """
    r = _pick(rank_df, sex, period)
    name, label, n = r["area_name"], r["period_label"], int(r["n_kommuner"])
    if missing(r["rank"]):
        return f"För {name} saknas värde för {sex} {label}, så kommunen kan inte rangordnas."
    rank = int(r["rank"])
    if rank == 1:
        position = "den längsta"
    elif rank == n:
        position = "den kortaste"
    else:
        position = f"den {ordinal(rank)} längsta"
    text = f"{name} hade {position} {_NOUN} för {sex} av länets {count_kommuner(n)} {label}."
    n_missing = int(r["n_missing"])
    if n_missing:
        text += f" {count_kommuner(n_missing).capitalize()} utan värde ingår inte."
    return text + _uncertain_note(r["flag"])


def change_sentence(change_df: pd.DataFrame, area_code: str, sex: str) -> str:
    """Describe the change in an area's value between the two periods of ``change_df``.

    Parameters
    ----------
    change_df : pandas.DataFrame
        Result of :func:`helpers.stats.lifeexp.change`.
    area_code : str
        Kommun, region or Riket code.
    sex : str
        Sex, as in :func:`compare_sentence`.

    Returns
    -------
    str
        E.g. ``"I Falun ökade medellivslängden för män från 77,4 år 1996–2000 till
        81,1 år 2020–2024, en ökning med 3,7 år."``
    """
    r = _pick(change_df, sex, area_code=area_code)
    where = in_area(r)
    a, b = r["start_label"], r["end_label"]
    if missing(r["change"]):
        return (
            f"{where} kan förändringen för {sex} mellan {a} och {b} inte beräknas (värde saknas)."
        )
    diff = float(r["change"])
    if abs(diff) < EQUAL_TOLERANCE:
        return (
            f"{where} var {_NOUN} för {sex} i stort sett oförändrad, "
            f"{years(r['start_value'])} {a} och {years(r['end_value'])} {b}."
        )
    verb, noun = ("ökade", "en ökning") if diff > 0 else ("minskade", "en minskning")
    return (
        f"{where} {verb} {_NOUN} för {sex} från {years(r['start_value'])} {a} "
        f"till {years(r['end_value'])} {b}, {noun} med {years(abs(diff))}."
    )


def span_sentence(table: pd.DataFrame) -> str:
    """Say which periods the table covers, so that no text has to state it by hand.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table (``period``, ``period_label``).

    Returns
    -------
    str
        E.g. ``"Data täcker 11 perioder, från 2010–2014 till 2020–2024."``
        (``""`` for an empty table).
    """
    if table.empty:
        return ""
    labels = table.drop_duplicates("period").sort_values("period")["period_label"].astype(str)
    if len(labels) == 1:
        return f"Data täcker en period, {labels.iloc[0]}."
    return f"Data täcker {len(labels)} perioder, från {labels.iloc[0]} till {labels.iloc[-1]}."


def as_markdown(sentences: list[str], bullets: bool = True) -> str:
    """Join sentences to Markdown (a bullet list, or one paragraph).

    Empty sentences are left out.
    """
    kept = [s for s in sentences if s]
    if bullets:
        return "\n".join(f"- {s}" for s in kept)
    return " ".join(kept)
