"""Every Swedish sentence and display table of the Strategi för hälsa follow-up.

The statistics (:mod:`helpers.stats.strategi`,
:mod:`helpers.stats.strategi_compare`) compute statuses, comparisons and
deviation scores; this module turns them into words: the "focus on
deviations" sentences, the explanation beside a status that disagrees with
its rank colour, the ``message`` and ``note`` texts of the remarks
(:data:`helpers.stats.strategi.REMARKS`) about goals and statuses, and the
formatted Swedish tables (decimal comma) of the goals and their statuses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from helpers.config.goals import PARAMS_FILE, TARGET_UNITS, UNITS
from helpers.core import fmt
from helpers.stats.strategi import (
    RANK_LABELS,
    RANK_MISSING,
    STATUS_SYMBOLS,
    Remark,
    _nan,
    single_sex_kpis,
    target_text,
)
from helpers.stats.strategi_compare import KIND_WORSENING
from helpers.stats.strategi_kolada import UNIT_NAMES

#: Why a target status and a rank colour can disagree (shown beside them).
WHY_DIFFER = (
    "Målstatusen mäter förändringen sedan basåret, medan färgen jämför nivån med alla "
    "kommuner samma år – en kommun kan förbättra sig mer än målet och ändå ligga bland de "
    "sämsta, eller tvärtom."
)


def _unit_name(unit: str) -> str:
    return UNIT_NAMES.get(unit, unit)


def _uncertainty_found(d: Mapping[str, Any]) -> str:
    return f"{d['found_id']} ('{d['found_title']}')" if d.get("found_id") else "inget"


def _baseline_missing(d: Mapping[str, Any]) -> str:
    first = f"; första år med värde är {d['first_year']}" if d["first_year"] is not None else ""
    return f"Basåret {d['year']} saknar värde för {d['area_name']} (KPI {d['kpi']}, {d['sex']}){first}."


#: The Swedish text of each remark code (:data:`helpers.stats.strategi.REMARKS`).
_REMARK_TEXTS: dict[str, Any] = {
    "kpi_not_in_catalogue": lambda d: (
        f"KPI {d['kpi']} finns inte i Koladas katalog – kontrollera id:t i {PARAMS_FILE}."
    ),
    "unit_differs": lambda d: (
        f"KPI {d['kpi']} mäts enligt katalogen i {_unit_name(d['catalogue_unit'])}, "
        f"inte i {_unit_name(d['unit'])} som i {PARAMS_FILE}."
    ),
    "target_in_pp_not_share": lambda d: (
        f"Målet anges i procentenheter men KPI {d['kpi']} är inte en andel "
        f"(den mäts i {_unit_name(d['unit'])}); förändringen kan inte jämföras med målet."
    ),
    "target_unit_mismatch": lambda d: (
        f"Målet anges i {TARGET_UNITS[d['target_unit']]} men KPI {d['kpi']} mäts i "
        f"{_unit_name(d['unit'])}; förändringen kan inte jämföras med målet."
    ),
    "target_wrong_direction": lambda d: (
        f"Målet {fmt.signed(d['target'], 0)} går åt fel håll: för KPI {d['kpi']} är "
        f"{'högre' if d['direction'] == 'higher' else 'lägre'} bättre."
    ),
    "title_differs": lambda d: f"Titeln skiljer sig från katalogens: '{d['title']}'.",
    "divided_by_sex": lambda d: (
        f"divided_by_sex ska vara {str(d['divided']).lower()} enligt katalogen."
    ),
    "region_only": lambda d: f"KPI {d['kpi']} finns bara för regioner (typ L); ange level: region.",
    "kommun_only": lambda d: f"KPI {d['kpi']} finns bara för kommuner (typ K); ange level: kommun.",
    "uncertainty_not_in_catalogue": lambda d: (
        f"Osäkerhetstalet {d['uncertainty_kpi']} finns inte i Koladas katalog."
    ),
    "not_an_uncertainty": lambda d: (
        f"{d['uncertainty_kpi']} är inget osäkerhetstal: '{d['title']}'."
    ),
    "uncertainty_mismatch": lambda d: (
        f"Osäkerhetstalet vars titel matchar KPI {d['kpi']} är {_uncertainty_found(d)}, "
        f"inte {d['uncertainty_kpi']}."
    ),
    "uncertainty_mapping": lambda d: (
        f"uncertainty_mapping ska vara {d['quality']} (titlarna jämförda)."
    ),
    "uncertainty_available": lambda d: (
        f"Katalogen har ett osäkerhetstal för KPI {d['kpi']}: {_uncertainty_found(d)}."
    ),
    "no_kpi": lambda d: "Ingen KPI i Kolada motsvarar målet (mapping: missing).",
    "candidates": lambda d: f"Närliggande men inte använda: {d['candidates']}.",
    "kpi_not_in_data": lambda d: (
        f"Data saknar helt KPI {d['kpi']} – okänt id i Kolada eller inte hämtad; "
        f"kontrollera {PARAMS_FILE}."
    ),
    "region_level": lambda d: f"Följs på regionnivå: värdet avser {d['area_name']}.",
    "break_before": lambda d: (
        f"Tidsseriebrott {d['break']}: jämförelsen görs med {d['year']}, sista året före brottet."
    ),
    "break_no_value": lambda d: (
        f"Tidsseriebrott {d['break']}: inget värde mellan basåret och brottet."
    ),
    "not_comparable": lambda d: "Mätningen har ändrats – ingen jämförelse över tid (SKR 2023).",
    "baseline_missing": _baseline_missing,
    "no_value_after_baseline": lambda d: "Inget värde efter basåret.",
    "uncertainty_missing": lambda d: (
        "Osäkerhet saknas för basåret eller senaste året: ej prövad mot felmarginalen."
    ),
    "survey_without_uncertainty": lambda d: (
        "Urvalsundersökning utan osäkerhetsmått: förändringen kan vara slumpmässig."
    ),
}


def remark_text(code: str, details: Mapping[str, Any]) -> str:
    """Return the Swedish text of one remark (:data:`helpers.stats.strategi.REMARKS`)."""
    return _REMARK_TEXTS[code](details)


def remarks_text(remarks: Sequence[Remark]) -> str:
    """Return the Swedish texts of a list of remarks, joined by spaces (``""`` for none)."""
    return " ".join(remark_text(code, details) for code, details in remarks)


def with_status_texts(status: pd.DataFrame) -> pd.DataFrame:
    """Add the Swedish ``message`` and ``note`` texts to a status table.

    Parameters
    ----------
    status : pandas.DataFrame
        From :func:`helpers.stats.strategi.goal_status` (columns ``messages``
        and ``notes``: lists of remarks).

    Returns
    -------
    pandas.DataFrame
        A copy with ``message`` and ``note`` (``""`` where there is nothing to say).
    """
    out = status.copy()
    out["message"] = [remarks_text(r) for r in out["messages"]]
    out["note"] = [remarks_text(r) for r in out["notes"]]
    return out


def with_problem_texts(problems: pd.DataFrame) -> pd.DataFrame:
    """Add the Swedish ``message`` to :func:`helpers.stats.strategi.goal_problems` (one per row)."""
    out = problems.copy()
    out["message"] = [remark_text(c, d) for c, d in zip(out["code"], out["details"], strict=True)]
    return out


def _unit_labels(unit: str) -> tuple[str, str]:
    return UNITS.get(unit, ("", ""))


def _sex_suffix(sex: str, name: str) -> str:
    if sex == "totalt" or sex in name.casefold():
        return ""
    return f" ({sex})"


def _ref_text(comp: str, ref_name: str, n: int, value_text: str) -> str:
    """``"länet, Region Dalarna (90,9 %)"``, ``"riket (6,6 %)"``, ``"liknande kommuner (25,8 %, medel av 7)"``."""
    if comp == "län":
        return f"länet, {ref_name} ({value_text})"
    if comp == "riket":
        return f"riket ({value_text})"
    kind = (
        "liknande regioner"
        if ref_name.casefold().startswith("liknande regioner")
        else "liknande kommuner"
    )
    return f"{kind} ({value_text}, medel av {n})"


def deviation_sentence(row: Mapping[str, Any]) -> str:
    """One Swedish sentence about a deviation from a comparison (a row of ``deviations``)."""
    dec = int(row["decimals"])
    vunit, dunit = _unit_labels(row["unit"])
    name = row["short_name"] + _sex_suffix(row["sex"], row["short_name"])
    direction = "högre" if row["diff"] > 0 else "lägre"
    verdict = "bättre" if row["better"] else "sämre"
    ref = _ref_text(
        row["comparison"], row["ref_name"], int(row["n_ref"]), fmt.num(row["ref_value"], dec, vunit)
    )
    text = (
        f"{name}: {row['area_name']} {fmt.num(row['value'], dec, vunit)} ({int(row['period'])}) är "
        f"{fmt.num(abs(row['diff']), dec)} {dunit} {direction} än {ref} – {verdict}, "
        f"{fmt.num(abs(row['z']), 1)} standardavvikelser"
    )
    if row.get("uncertain"):
        text += "; osäkert: skillnaden ryms inom felmarginalen"
    return text + "."


def worsening_sentence(row: Mapping[str, Any]) -> str:
    """One Swedish sentence about a move away from the target (a worsening row of ``deviations``)."""
    dec = int(row["decimals"])
    vunit, dunit = _unit_labels(row["unit"])
    name = row["short_name"] + _sex_suffix(row["sex"], row["short_name"])
    text = (
        f"{name}: {row['area_name']} har gått från {fmt.num(row['baseline'], dec, vunit)} "
        f"({int(row['baseline_year'])}) till {fmt.num(row['value'], dec, vunit)} ({int(row['period'])}), "
        f"en försämring med {fmt.num(abs(row['change']), dec)} {dunit}; målet var {row['target_text']}"
    )
    if row.get("uncertain"):
        text += "; osäkert: osäkerheten är okänd"
    return text + "."


def goals_overview(goals: pd.DataFrame) -> pd.DataFrame:
    """Return a Swedish overview of the goal table for display (one row per goal and KPI)."""
    out = pd.DataFrame(
        {
            "Mål": goals["label"],
            "Målområde": goals["goal_area"],
            "Mål (kort)": goals["goal_name"],
            "Katalog-id": goals["indicator"].fillna("–"),
            "KPI": goals["kpi"].fillna("–"),
            "Indikator": goals["short_name"].replace("", "–"),
            "Nivå": goals["level"].fillna("–"),
            "Bättre": goals["direction"].map({"higher": "högre", "lower": "lägre"}).fillna("–"),
            "Mål till 2022": [
                target_text(t, u) if isinstance(k, str) else "–"
                for t, u, k in zip(
                    goals["target_change"], goals["target_unit"], goals["kpi"], strict=True
                )
            ],
            "Basår": goals["baseline_year"],
            "Könsuppdelad": goals["divided_by_sex"].map({True: "ja", False: "nej"}).fillna("–"),
            "Osäkerhetstal": goals["uncertainty_kpi"].fillna("–"),
            "Matchning": goals["mapping"].map(
                {"exact": "exakt", "closest": "närmast", "missing": "saknas"}
            ),
        }
    )
    return out


def status_display(status: pd.DataFrame, sexes: Sequence[str] = ("totalt",)) -> pd.DataFrame:
    """Return a Swedish, formatted status table for display (numbers as text with decimal comma).

    Parameters
    ----------
    status : pandas.DataFrame
        From :func:`helpers.stats.strategi.goal_status`, optionally with
        :func:`helpers.stats.strategi_compare.add_rank_colours`.
    sexes : sequence of str
        Sexes to show; KPIs for one sex only (life expectancy) are always shown.

    Returns
    -------
    pandas.DataFrame
        One row per goal KPI and sex with Swedish column names.
    """
    if "message" not in status.columns:
        status = with_status_texts(status)
    keep = status["sex"].isin(sexes) | status["kpi"].isin(single_sex_kpis(status))
    s = status[keep]
    rows = []
    for r in s.to_dict("records"):
        unit = r["unit"] or ""
        vunit, dunit = _unit_labels(unit)
        dec = 0 if unit == "per 100 000" else (2 if unit == "år" else 1)
        colour = r.get("colour", RANK_MISSING)
        if not isinstance(colour, str):
            colour = RANK_MISSING
        symbol, desc = RANK_LABELS[colour]
        rows.append(
            {
                "Mål": r["label"],
                "Indikator": r["short_name"] + _sex_suffix(r["sex"], r["short_name"]),
                "KPI": r["kpi"] or "–",
                "Område": r["value_area_name"],
                "Basår": r["baseline_year"],
                "Basvärde": fmt.num(r["baseline"], dec, vunit),
                "Senaste år": "–" if _nan(r["latest_year"]) else str(int(r["latest_year"])),
                "Senaste värde": fmt.num(r["latest"], dec, vunit),
                "Förändring": fmt.signed(r["change"], dec, dunit if not _nan(r["change"]) else ""),
                "Mål till 2022": r["target_text"] or "–",
                "Status": f"{STATUS_SYMBOLS[r['status']]} {r['status']}",
                "Kolada-färg": f"{symbol} {colour}" if colour != RANK_MISSING else "–",
                "Kommentar": " ".join(
                    x
                    for x in (r["message"], r["note"], WHY_DIFFER if r.get("differs") else "")
                    if x
                ),
            }
        )
    return pd.DataFrame(rows)


def with_sentences(deviations: pd.DataFrame) -> pd.DataFrame:
    """Add a ``sentence`` column (Swedish, decimal comma) to the rows of ``deviations``.

    Parameters
    ----------
    deviations : pandas.DataFrame
        From :func:`helpers.stats.strategi_compare.deviations`.

    Returns
    -------
    pandas.DataFrame
        A copy with ``sentence``: :func:`deviation_sentence` for a deviation,
        :func:`worsening_sentence` for a move away from the target.
    """
    out = deviations.copy()
    out["sentence"] = [
        worsening_sentence(r) if r["kind"] == KIND_WORSENING else deviation_sentence(r)
        for r in out.to_dict("records")
    ]
    return out
