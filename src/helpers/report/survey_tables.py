"""Survey tables for readers: value with CI (decimal comma), n, yes-answers, flag and reason.

:func:`display_table`, :func:`change_display`, :func:`comparison_display` and
:func:`response_display` format the frames of :mod:`helpers.report.survey_analysis`
(and indicator tables of :mod:`helpers.stats.survey`) with Swedish column
headers. Each runs disclosure control again first
(:func:`helpers.stats.disclosure.suppress_small_cells` through
:func:`helpers.report.survey_analysis.controlled`, with the catalogue's
``disclosure`` flag; idempotent), so a table for readers never shows a cell with
fewer than ``min_n`` respondents, nor the counts ("Svarande (n)", "Ja-svar") of
a cell with fewer than ``min_n`` yes- or no-answers, nor anything a hidden cell
could be recomputed from.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from helpers.core import indicators
from helpers.core.fmt import SEX_LABELS, num, signed
from helpers.report.survey_analysis import controlled
from helpers.stats.disclosure import DEFAULT_MIN_N
from helpers.text.survey import count_text, diff_ci, level_text, p_text


def _value_ci(value: float, lo: float, hi: float, decimals: int = 1) -> str:
    if value is None or pd.isna(value):
        return ""
    text = num(float(value), decimals)
    if pd.notna(lo) and pd.notna(hi):
        text += f" ({num(float(lo), decimals)}–{num(float(hi), decimals)})"
    return text


def _int_text(value: float) -> str:
    return "" if value is None or pd.isna(value) else count_text(value)


def _group_text(group: str) -> str:
    return "Alla" if group == indicators.ALL_GROUPS else str(group).capitalize()


_AREA_ORDER = {"riket": 0, "region": 1, "kommun": 2}
_SEX_ORDER = {"totalt": 0, "kvinnor": 1, "män": 2}
_GROUP_ORDER = {
    indicators.ALL_GROUPS: 0,
    "förgymnasial": 1,
    "gymnasial": 2,
    "eftergymnasial": 3,
    "okänd": 4,
}


def order_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Sort an indicator table for reading: Riket, county, kommuner by name; then everyone by sex, then groups.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table.

    Returns
    -------
    pandas.DataFrame
        The rows in reading order (index reset).
    """
    if table.empty:
        return table.reset_index(drop=True)
    keys = pd.DataFrame(
        {
            "_a": table["area_type"].map(_AREA_ORDER).fillna(9).to_numpy(),
            "_n": table["area_name"].astype(str).to_numpy(),
            "_p": table["period"].to_numpy(),
            "_all": (table["group"] != indicators.ALL_GROUPS).to_numpy(),
            "_s": table["sex"].map(_SEX_ORDER).fillna(9).to_numpy(),
            "_g": table["group"].map(_GROUP_ORDER).fillna(9).to_numpy(),
        }
    )
    order = keys.sort_values(["_a", "_n", "_p", "_all", "_g", "_s"], kind="stable").index.to_numpy()
    return table.iloc[order].reset_index(drop=True)


def display_table(
    table: pd.DataFrame,
    *,
    min_n: int = DEFAULT_MIN_N,
    decimals: int = 1,
    columns: Sequence[str] = ("area_name", "sex", "group", "period_label"),
    sort: bool = True,
) -> pd.DataFrame:
    """Format an indicator table for readers: value with CI, n, flag and reason.

    The table passes :func:`helpers.stats.disclosure.suppress_small_cells` again
    first (idempotent), so a display can never show a cell below ``min_n``.
    Suppressed rows show an empty value and the reason; rows whose counts are
    hidden (fewer than ``min_n`` yes- or no-answers) show empty counts.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table (percent).
    min_n : int
        Disclosure threshold.
    decimals : int
        Decimals of value and CI.
    columns : sequence of str
        Identifying columns to show (of ``area_name``, ``sex``, ``group``,
        ``period_label``, ``indicator``).
    sort : bool
        Put the rows in reading order (:func:`order_rows`).

    Returns
    -------
    pandas.DataFrame
        Text columns in Swedish: e.g. ``Område``, ``Kön``, ``Grupp``, ``Period``,
        ``Andel, % (95 % KI)``, ``Svarande (n)``, ``Ja-svar``, ``Flagga``, ``Förklaring``.
    """
    t = controlled(table, min_n) if len(table) else table
    if sort:
        t = order_rows(t)
    names = {
        "area_name": "Område",
        "sex": "Kön",
        "group": "Grupp",
        "period_label": "Period",
        "indicator": "Indikator",
    }
    levels = t["ci_level"].dropna().unique() if "ci_level" in t.columns else []
    lvl = level_text(float(levels[0])) if len(levels) == 1 else "KI"
    out = pd.DataFrame(index=range(len(t)))
    for c in columns:
        vals = t[c].astype(str).to_numpy()
        if c == "sex":
            vals = [SEX_LABELS.get(v, v) for v in vals]
        elif c == "group":
            vals = [_group_text(v) for v in vals]
        out[names.get(c, c)] = vals
    shown = indicators.usable(t).to_numpy()
    out[f"Andel, % ({lvl} KI)" if lvl != "KI" else "Andel, % (KI)"] = [
        _value_ci(v, lo, hi, decimals) if ok else ""
        for v, lo, hi, ok in zip(t["value"], t["ci_lower"], t["ci_upper"], shown, strict=True)
    ]
    out["Svarande (n)"] = [_int_text(v) for v in t["n"]]
    out["Ja-svar"] = [_int_text(v) for v in t["numerator"]]
    out["Flagga"] = t["flag"].astype(str).to_numpy()
    out["Förklaring"] = t["flag_reason"].fillna("").astype(str).to_numpy()
    return out


def change_display(changes: pd.DataFrame, *, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """Format :func:`helpers.report.survey_analysis.change_table` for readers (decimal comma, counts, verdict, reason).

    Parameters
    ----------
    changes : pandas.DataFrame
        Output of :func:`helpers.report.survey_analysis.change_table`.
    min_n : int
        Disclosure threshold (applied again).

    Returns
    -------
    pandas.DataFrame
        Swedish text columns.
    """
    c = controlled(changes, min_n) if len(changes) else changes
    if c.empty:
        return pd.DataFrame()
    b, a = str(c["period_label_before"].iloc[0]), str(c["period_label"].iloc[0])
    out = pd.DataFrame(
        {
            "Område": c["area_name"].astype(str).to_numpy(),
            f"Andel {b}, %": [
                _value_ci(v, lo, hi) if f not in ("undertryckt", "saknas") else ""
                for v, lo, hi, f in zip(
                    c["value_before"],
                    c["ci_lower_before"],
                    c["ci_upper_before"],
                    c["flag_before"],
                    strict=True,
                )
            ],
            f"Ja-svar/svarande {b}": [
                f"{_int_text(y)}/{_int_text(n)}" if pd.notna(y) and pd.notna(n) else ""
                for y, n in zip(c["yes_before"], c["n_before"], strict=True)
            ],
            f"Andel {a}, %": [
                _value_ci(v, lo, hi) if f not in ("undertryckt", "saknas") else ""
                for v, lo, hi, f in zip(
                    c["value_after"],
                    c["ci_lower_after"],
                    c["ci_upper_after"],
                    c["flag_after"],
                    strict=True,
                )
            ],
            f"Ja-svar/svarande {a}": [
                f"{_int_text(y)}/{_int_text(n)}" if pd.notna(y) and pd.notna(n) else ""
                for y, n in zip(c["yes_after"], c["n_after"], strict=True)
            ],
            "Förändring, procentenheter (KI)": [
                f"{signed(d, 1)} ({diff_ci(lo, hi)})" if pd.notna(d) else ""
                for d, lo, hi in zip(c["diff_pp"], c["ci_lower_pp"], c["ci_upper_pp"], strict=True)
            ],
            "Bedömning": c["verdict"].astype(str).to_numpy(),
            "Flagga": c["flag"].astype(str).to_numpy(),
            "Förklaring": c["flag_reason"].fillna("").astype(str).to_numpy(),
        }
    )
    return out


def comparison_display(comparison: pd.DataFrame, *, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """Format :func:`helpers.report.survey_analysis.kommun_comparison` for readers: value, verdicts and colour side by side.

    Parameters
    ----------
    comparison : pandas.DataFrame
        Output of :func:`helpers.report.survey_analysis.kommun_comparison`.
    min_n : int
        Disclosure threshold (applied again).

    Returns
    -------
    pandas.DataFrame
        Swedish text columns: ``Område``, ``Andel, % (KI)``, ``n``, ``Jämfört med länet``,
        ``Jämfört med riket``, ``Kolada-färg (rang)``, ``Flagga``, ``Förklaring``.
    """
    c = controlled(comparison, min_n) if len(comparison) else comparison
    shown = indicators.usable(c).to_numpy()

    def verdict(v: str, d: float, p: float) -> str:
        if not v:
            return ""
        return f"{v} ({signed(d, 1)} p.e., {p_text(p)})"

    colours = []
    for col, rank, n in zip(c["colour"], c["rank"], c["n_ranked"], strict=True):
        if not col:
            colours.append("")
        elif pd.isna(rank):
            colours.append(str(col))
        else:
            colours.append(f"{col} ({int(rank)} av {int(n)})")
    return pd.DataFrame(
        {
            "Område": c["area_name"].astype(str).to_numpy(),
            "Andel, % (KI)": [
                _value_ci(v, lo, hi) if ok else ""
                for v, lo, hi, ok in zip(
                    c["value"], c["ci_lower"], c["ci_upper"], shown, strict=True
                )
            ],
            "Svarande (n)": [_int_text(v) for v in c["n"]],
            "Jämfört med länet": [
                verdict(v, d, p)
                for v, d, p in zip(
                    c["verdict_lan"], c["diff_lan_pp"], c["p_value_lan"], strict=True
                )
            ],
            "Jämfört med riket": [
                verdict(v, d, p)
                for v, d, p in zip(
                    c["verdict_riket"], c["diff_riket_pp"], c["p_value_riket"], strict=True
                )
            ],
            "Kolada-färg (rang)": colours,
            "Flagga": c["flag"].astype(str).to_numpy(),
            "Förklaring": c["flag_reason"].fillna("").astype(str).to_numpy(),
        }
    )


def response_display(pattern: pd.DataFrame, *, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """Format :func:`helpers.report.survey_analysis.response_pattern` for readers: shares side by side.

    Parameters
    ----------
    pattern : pandas.DataFrame
        Output of :func:`helpers.report.survey_analysis.response_pattern`.
    min_n : int
        Disclosure threshold (applied again).

    Returns
    -------
    pandas.DataFrame
        Swedish text columns: block, sex, group, respondents, the three shares,
        the ratio, flag and reason.
    """
    p = controlled(pattern, min_n) if len(pattern) else pattern
    has_pop = bool(p["share_population"].notna().any())
    out = pd.DataFrame(
        {
            "Indelning": p["indicator"].astype(str).str.capitalize().to_numpy(),
            "Kön": [SEX_LABELS.get(s, s) for s in p["sex"].astype(str)],
            "Grupp": [_group_text(g) for g in p["group"].astype(str)],
            "Svarande (n)": [_int_text(v) for v in p["n"]],
            "Andel av svarande, %": [
                "" if pd.isna(v) else num(v, 1) for v in p["share_respondents"]
            ],
            "Vägd andel, %": ["" if pd.isna(v) else num(v, 1) for v in p["share_weighted"]],
        }
    )
    if has_pop:
        out["Andel av befolkningen, %"] = [
            "" if pd.isna(v) else num(v, 1) for v in p["share_population"]
        ]
    out["Svarande/befolkning" if has_pop else "Svarande/vägd andel"] = [
        "" if pd.isna(v) else num(v, 2) for v in p["ratio"]
    ]
    out["Förklaring"] = p["flag_reason"].fillna("").astype(str).to_numpy()
    return out
