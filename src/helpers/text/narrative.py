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
from helpers.core.fmt import num

#: Differences smaller than this (in years) are described as equal/unchanged.
EQUAL_TOLERANCE = 0.05
UNIT = "år"
_NOUN = "medellivslängden"


def ordinal(n: int) -> str:
    """Return a Swedish ordinal with colon: ``1:a``, ``2:a``, ``3:e``, ``11:e``, ``21:a``.

    Parameters
    ----------
    n : int
        A positive integer.
    """
    n = int(n)
    suffix = "a" if n % 10 in (1, 2) and n % 100 not in (11, 12) else "e"
    return f"{n}:{suffix}"


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


def _missing(value: object) -> bool:
    return value is None or pd.isna(value)


def _years(value: float) -> str:
    return num(float(value), 1, UNIT)


def _relative(diff: float, where: str) -> str:
    """``"0,3 år högre än i länet"``, ``"ungefär lika hög som i länet"``."""
    if abs(diff) < EQUAL_TOLERANCE:
        return f"ungefär lika hög som {where}"
    word = "högre" if diff > 0 else "lägre"
    return f"{_years(abs(diff))} {word} än {where}"


def _count_kommuner(n: int) -> str:
    return f"{n} kommun" if n == 1 else f"{n} kommuner"


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
    if _missing(r["value"]):
        return f"För {name} saknas värde för {_NOUN} för {sex} {label}."
    parts = []
    if not _missing(r["diff_region"]):
        parts.append(_relative(float(r["diff_region"]), "i länet"))
    if not _missing(r["diff_riket"]):
        parts.append(_relative(float(r["diff_riket"]), "i riket"))
    tail = (", " + " och ".join(parts)) if parts else ""
    return f"I {name} var {_NOUN} för {sex} {_years(r['value'])} {label}{tail}." + _uncertain_note(
        r["flag"]
    )


def range_sentence(range_df: pd.DataFrame, sex: str, period: int) -> str:
    """Describe the range between the county's kommuner.

    Parameters
    ----------
    range_df : pandas.DataFrame
        Result of :func:`helpers.stats.lifeexp.county_range`.
    sex : str
        ``"kvinnor"`` or ``"män"``.
    period : int
        Period (last year).

    Returns
    -------
    str
        E.g. ``"Skillnaden mellan länets kommuner var 3,1 år för män 2020–2024, från
        79,8 år i Hedemora till 82,9 år i Vansbro."``, followed by a sentence naming
        the kommuner left out for lack of a value.
    """
    r = _pick(range_df, sex, period)
    label = r["period_label"]
    if _missing(r["range"]):
        text = (
            f"För {sex} {label} har färre än två av länets kommuner ett värde, "
            "så ingen skillnad kan beräknas."
        )
    else:
        text = (
            f"Skillnaden mellan länets kommuner var {_years(r['range'])} för {sex} {label}, "
            f"från {_years(r['min_value'])} i {r['min_kommun']} "
            f"till {_years(r['max_value'])} i {r['max_kommun']}."
        )
    n_missing = int(r["n_missing"])
    if n_missing:
        text += (
            f" {_count_kommuner(n_missing).capitalize()} ({r['missing_kommuner']}) saknar "
            "värde och ingår inte."
        )
    if int(r.get("n_uncertain", 0) or 0):
        text += f" {_count_kommuner(int(r['n_uncertain'])).capitalize()} har osäkra skattningar."
    return text


def range_change_sentence(range_df: pd.DataFrame, sex: str, start: int, end: int) -> str:
    """Describe how the range between the county's kommuner changed between two periods.

    Parameters
    ----------
    range_df : pandas.DataFrame
        Result of :func:`helpers.stats.lifeexp.county_range`.
    sex : str
        ``"kvinnor"`` or ``"män"``.
    start, end : int
        First and last period.

    Returns
    -------
    str
        E.g. ``"För män ökade skillnaden mellan länets kommuner från 2,5 år 1996–2000
        till 3,1 år 2020–2024."``
    """
    a, b = _pick(range_df, sex, start), _pick(range_df, sex, end)
    if _missing(a["range"]) or _missing(b["range"]):
        return (
            f"Förändringen av skillnaden mellan länets kommuner för {sex} mellan "
            f"{a['period_label']} och {b['period_label']} kan inte beräknas (värden saknas)."
        )
    diff = float(b["range"]) - float(a["range"])
    if abs(diff) < EQUAL_TOLERANCE:
        return (
            f"För {sex} var skillnaden mellan länets kommuner i stort sett oförändrad, "
            f"{_years(a['range'])} {a['period_label']} och {_years(b['range'])} {b['period_label']}."
        )
    verb = "ökade" if diff > 0 else "minskade"
    return (
        f"För {sex} {verb} skillnaden mellan länets kommuner från {_years(a['range'])} "
        f"{a['period_label']} till {_years(b['range'])} {b['period_label']}."
    )


def rank_sentence(rank_df: pd.DataFrame, sex: str, period: int) -> str:
    """Describe the kommun's rank in the county (1 = longest life expectancy).

    Parameters
    ----------
    rank_df : pandas.DataFrame
        Result of :func:`helpers.stats.lifeexp.kommun_rank`.
    sex : str
        ``"kvinnor"`` or ``"män"``.
    period : int
        Period (last year).

    Returns
    -------
    str
        E.g. ``"Falun hade den 8:e längsta medellivslängden för kvinnor av länets 15
        kommuner 2020–2024."`` (``"den längsta"`` for rank 1, ``"den kortaste"`` for
        the last).
    """
    r = _pick(rank_df, sex, period)
    name, label, n = r["area_name"], r["period_label"], int(r["n_kommuner"])
    if _missing(r["rank"]):
        return f"För {name} saknas värde för {sex} {label}, så kommunen kan inte rangordnas."
    rank = int(r["rank"])
    if rank == 1:
        position = "den längsta"
    elif rank == n:
        position = "den kortaste"
    else:
        position = f"den {ordinal(rank)} längsta"
    text = f"{name} hade {position} {_NOUN} för {sex} av länets {_count_kommuner(n)} {label}."
    n_missing = int(r["n_missing"])
    if n_missing:
        text += f" {_count_kommuner(n_missing).capitalize()} utan värde ingår inte."
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
        ``"kvinnor"`` or ``"män"``.

    Returns
    -------
    str
        E.g. ``"I Falun ökade medellivslängden för män från 77,4 år 1996–2000 till
        81,1 år 2020–2024, en ökning med 3,7 år."``
    """
    r = _pick(change_df, sex, area_code=area_code)
    where = "I riket" if r["area_type"] == "riket" else f"I {r['area_name']}"
    a, b = r["start_label"], r["end_label"]
    if _missing(r["change"]):
        return (
            f"{where} kan förändringen för {sex} mellan {a} och {b} inte beräknas (värde saknas)."
        )
    diff = float(r["change"])
    if abs(diff) < EQUAL_TOLERANCE:
        return (
            f"{where} var {_NOUN} för {sex} i stort sett oförändrad, "
            f"{_years(r['start_value'])} {a} och {_years(r['end_value'])} {b}."
        )
    verb, noun = ("ökade", "en ökning") if diff > 0 else ("minskade", "en minskning")
    return (
        f"{where} {verb} {_NOUN} för {sex} från {_years(r['start_value'])} {a} "
        f"till {_years(r['end_value'])} {b}, {noun} med {_years(abs(diff))}."
    )


def as_markdown(sentences: list[str], bullets: bool = True) -> str:
    """Join sentences to Markdown (a bullet list, or one paragraph).

    Empty sentences are left out.
    """
    kept = [s for s in sentences if s]
    if bullets:
        return "\n".join(f"- {s}" for s in kept)
    return " ".join(kept)
