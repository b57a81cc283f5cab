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

from helpers.config.goals import PARAMS_FILE, TARGET_FACTORS, TARGET_UNITS, UNITS
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
    "Målstatusen mäter förändringen sedan basåret, medan färgen jämför nivån med de "
    "kommuner som har ett värde samma år – en kommun kan förbättra sig mer än målet och ändå "
    "ligga bland de sämsta, eller tvärtom."
)
#: The comparison names of :func:`helpers.stats.strategi_compare.comparisons`, as readers say them.
BENCHMARK_WORDS: dict[str, str] = {
    "län": "länet",
    "riket": "riket",
    "liknande": "liknande kommuner",
}


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


def deviations_heading(benchmark: str) -> str:
    """Return the lead of the deviation sentences, naming the one comparison ("Störst avvikelser från länet")."""
    return f"Störst avvikelser från {BENCHMARK_WORDS.get(benchmark, benchmark)}"


def verdict_words(row: Mapping[str, Any]) -> str:
    """Plain words for a comparison: "säkert bättre än länet", "inte säkert skild från riket".

    A difference whose margin of error is unknown (the source gives no
    uncertainty) is never called certain.
    """
    bench = BENCHMARK_WORDS.get(str(row["comparison"]), str(row["comparison"]))
    verdict = "bättre" if row["better"] else "sämre"
    if _nan(row.get("margin")):
        return f"{verdict} än {bench}, men källan anger ingen osäkerhet, så det går inte att säga om skillnaden är säker"
    if row.get("uncertain"):
        return f"inte säkert skild från {bench} (skillnaden ryms inom felmarginalen)"
    return f"säkert {verdict} än {bench}"


def stale_text(period: object, report_year: object) -> str:
    """Say plainly that a value is older than the report's year ("" when it is not)."""
    if _nan(period) or _nan(report_year) or int(period) >= int(report_year):
        return ""
    gap = int(report_year) - int(period)
    return f"Senaste värdet är från {int(period)}, {gap} år före rapportåret {int(report_year)}."


def deviation_sentence(row: Mapping[str, Any]) -> str:
    """One Swedish sentence about a deviation from one comparison (a row of ``deviations``).

    Significance is said in words (:func:`verdict_words`); a value older than
    ``row["report_year"]`` (when given) is said to be so.
    """
    dec = int(row["decimals"])
    vunit, dunit = _unit_labels(row["unit"])
    name = row["short_name"] + _sex_suffix(row["sex"], row["short_name"])
    direction = "högre" if row["diff"] > 0 else "lägre"
    ref = _ref_text(
        row["comparison"], row["ref_name"], int(row["n_ref"]), fmt.num(row["ref_value"], dec, vunit)
    )
    text = (
        f"{name}: {row['area_name']} {fmt.num(row['value'], dec, vunit)} ({int(row['period'])}) är "
        f"{fmt.num(abs(row['diff']), dec)} {dunit} {direction} än {ref} – {verdict_words(row)}."
    )
    stale = stale_text(row["period"], row.get("report_year"))
    return f"{text} {stale}" if stale else text


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


def change_in_target_unit(change: float, unit: str, target_unit: object, decimals: int) -> str:
    """Return the change since the baseline in the target's unit ("+0,23 per 1 000 invånare").

    When the KPI is in another unit than its target (per 100 000 against a
    target per 1 000), the change is converted and the KPI's own figure follows
    in brackets; otherwise it is the change in the KPI's unit.
    """
    vunit, dunit = _unit_labels(unit)
    own = fmt.signed(change, decimals, dunit if not _nan(change) else "")
    factor = TARGET_FACTORS.get((str(target_unit), unit)) if isinstance(target_unit, str) else None
    if _nan(change) or factor is None or factor == 1.0:
        return own
    converted = fmt.signed(change / factor, decimals + 2, TARGET_UNITS[str(target_unit)])
    return f"{converted} ({own})"


def target_year_text(latest_year: object, target_year: object) -> str:
    """Say plainly that a target's year has passed and later data judge it ("" otherwise)."""
    if _nan(latest_year) or _nan(target_year) or int(latest_year) <= int(target_year):
        return ""
    return (
        f"Målet gällde till {int(target_year)}; här bedöms det med värdet från {int(latest_year)}."
    )


def rank_text(colour: str, rank: object, n_ranked: object) -> str:
    """Return the Kolada-style colour with the place it stands for ("▲ grön, plats 12 av 290")."""
    if colour == RANK_MISSING or _nan(rank) or _nan(n_ranked):
        return "–"
    symbol, _ = RANK_LABELS[colour]
    return f"{symbol} {colour}, plats {int(rank)} av {int(n_ranked)} med värde"


def status_display(
    status: pd.DataFrame, sexes: Sequence[str] = ("totalt",), report_year: int | None = None
) -> pd.DataFrame:
    """Return a Swedish, formatted status table for display (numbers as text with decimal comma).

    Parameters
    ----------
    status : pandas.DataFrame
        From :func:`helpers.stats.strategi.goal_status`, optionally with
        :func:`helpers.stats.strategi_compare.add_rank_colours`.
    sexes : sequence of str
        Sexes to show; KPIs for one sex only (life expectancy) are always shown.
    report_year : int, optional
        The report's year: an older latest value is said to be so in the comment.
        With ``target_unit`` and ``target_year`` columns (from the goal table),
        the change is shown in the target's unit and a passed target year is
        said plainly.

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
        remarks = [
            r["message"],
            r["note"],
            stale_text(r["latest_year"], report_year),
            target_year_text(r["latest_year"], r.get("target_year")),
            WHY_DIFFER if r.get("differs") else "",
        ]
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
                "Förändring": change_in_target_unit(r["change"], unit, r.get("target_unit"), dec),
                "Mål till 2022": r["target_text"] or "–",
                "Status": f"{STATUS_SYMBOLS[r['status']]} {r['status']}",
                "Kolada-färg": rank_text(colour, r.get("rank"), r.get("n_ranked")),
                "Kommentar": " ".join(x for x in remarks if x),
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
