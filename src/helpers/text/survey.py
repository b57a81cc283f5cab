"""Swedish sentences and notes about survey estimates (from :mod:`helpers.stats.survey`).

Every sentence the survey chapters show is written here, from the numbers of
:mod:`helpers.report.survey_analysis` (changes, comparisons, response pattern)
and :mod:`helpers.stats.survey`, so that the words always agree with the
numbers and the statistics modules write no text:

* :func:`change_answer` / :func:`change_sentence` – "can we say with certainty
  that the share has fallen?", with the interval, the verdict and the
  **unweighted number of yes-answers** behind it ("59 smokers");
* :func:`comparison_sentences` – a kommun against its county and Sweden, beside
  its rank colour (:data:`RANK_VS_SIGNIFICANCE_NOTE` explains why they can differ);
* :func:`response_sentences` and :data:`NONRESPONSE_NOTE` – who answers and what
  the weights can and cannot repair;
* :func:`describe_weights`, :func:`questions_table` – the questions to ask of any
  number, answered for these data;
* :func:`kommun_sentences` and the ``SECTION_*`` texts – the kommun report's survey section.

Numbers are formatted by :mod:`helpers.core.fmt` (decimal comma); the small
formatters :func:`pct`, :func:`p_text`, :func:`diff_ci`, :func:`level_text` and
:func:`count_text` are shared with the display tables.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.core.fmt import join_names, num, signed
from helpers.stats import survey_compare
from helpers.stats.survey import CONFIDENCE, weights_summary
from helpers.text.phrases import ordinal

#: Why a kommun can be red in Kolada's ranking and still "likartad" in the significance test.
RANK_VS_SIGNIFICANCE_NOTE = (
    "Färgen visar bara kommunens plats i rangordningen bland alla kommuner, medan jämförelsen "
    "med länet och riket visar om skillnaden är större än vad slumpen i urvalet kan förklara – "
    "därför kan en kommun vara röd eller grön men ändå ”likartad” när skattningen är osäker, "
    "och små men säkra skillnader kan ge gul färg."
)
#: What a "yes" is called in sentences, for the variables the workbook knows.
YES_NOUNS: dict[str, str] = {
    "daily_smoking": "som röker dagligen",
    "risk_alcohol": "med riskabla alkoholvanor",
    "good_health": "med bra eller mycket bra hälsa",
    "physical_inactivity": "med stillasittande fritid",
}
#: Labels of the response-pattern blocks (the ``indicator`` column of :func:`helpers.report.survey_analysis.response_pattern`).
#: Why the weights cannot repair everything (shown with the response pattern).
NONRESPONSE_NOTE = (
    "Att vissa grupper svarar oftare betyder att de svarande inte är ett slumpmässigt urval av "
    "befolkningen. Kalibreringsvikterna räknar upp svaren från grupper som svarar sällan, så att "
    "de vägda andelarna stämmer med befolkningen efter kön, ålder och utbildning. Men vikterna "
    "rättar bara för skillnader *mellan* grupperna: om de unga män som svarar röker mindre än de "
    "unga män som inte svarar blir andelen rökare ändå för låg – och det syns inte i "
    "konfidensintervallet, som bara mäter slumpen i urvalet. Stora vikter gör dessutom "
    "skattningarna osäkrare."
)
#: How the tests are made (answer to "were the figures tested for significance?").
SIGNIFICANCE_NOTE = (
    "Förändringar mellan perioder och skillnader mot länet och riket prövas med t-test på "
    "designbaserade standardfel (Taylorlinearisering med vikter och strata) på 5 %-nivån; "
    "andelarna har Korn–Graubard-intervall och flaggas enligt NCHS standard (2017). Prövas "
    "många skillnader samtidigt, t.ex. alla länets kommuner, blir ungefär 1 av 20 "
    "”signifikant” av en slump fast ingen verklig skillnad finns."
)


def pct(value: float, decimals: int = 1) -> str:
    """Format a percentage: ``12,3 %``."""
    return num(float(value), decimals, "%")


def p_text(p: float) -> str:
    """Format a p-value: ``p = 0,042``, ``p < 0,001`` or ``p okänt``."""
    if p is None or not np.isfinite(p):
        return "p okänt"
    if p < 0.001:
        return "p < 0,001"
    return f"p = {num(p, 3)}"


def diff_ci(lo: float, hi: float) -> str:
    """Format the interval of a change: ``−3,1 till −0,4``."""
    return f"{signed(lo, 1)} till {signed(hi, 1)}"


def level_text(confidence: float) -> str:
    """Format a confidence level: ``95 %``."""
    return f"{num(confidence * 100, 0)}\u00a0%"


#: Said instead of the counts behind an estimate when disclosure control hides them.
COUNTS_HIDDEN = (
    "Antalet ja-svar och svarande bakom skattningen redovisas inte (röjandekontroll: för få "
    "ja- eller nej-svar, eller skydd av en annan cell som annars kunde räknas fram)."
)

#: Said instead of :data:`COUNTS_HIDDEN` when the source has no counts at all (an aggregated table).
NO_COUNTS_IN_SOURCE = (
    "Källan anger inte antalet svarande bakom andelarna (en sammanställning utan n); "
    "osäkerheten bedöms bara från konfidensintervallen."
)


def count_text(value: float) -> str:
    """Format a count without decimals: ``1 234``."""
    return num(float(value), 0)


def area_label(area_code: str) -> str:
    """Return the name of an area (kommun, region, Riket) or the code when unknown."""
    try:
        return lookup.area_name(str(area_code))
    except DataError:
        return str(area_code)


@dataclass(frozen=True)
class ChangeAnswer:
    """The answer to "has the share fallen?" for one area, in numbers and words.

    Attributes
    ----------
    row : pandas.Series
        The area's row of :func:`helpers.report.survey_analysis.change_table` (disclosure-controlled).
    sentences : list of str
        Swedish sentences: the two estimates, the change with its CI and
        verdict, the counts behind them, and the answer.
    verdict : str
        :data:`helpers.stats.survey.VERDICT_DECREASE`, ``VERDICT_INCREASE``,
        ``VERDICT_NO_CHANGE`` or ``""`` when the change is not shown.
    significant : bool
        Whether the change is statistically significant.
    """

    row: pd.Series
    sentences: list[str] = field(default_factory=list)
    verdict: str = ""
    significant: bool = False

    @property
    def markdown(self) -> str:
        """The sentences as one Markdown paragraph."""
        return " ".join(self.sentences)


def change_answer(
    changes: pd.DataFrame,
    area_code: str,
    *,
    label: str,
    variable: str | None = None,
    confidence: float = CONFIDENCE,
    counts_note: str = COUNTS_HIDDEN,
) -> ChangeAnswer:
    """Answer "can we say with certainty that the share has fallen?" for one area.

    Parameters
    ----------
    changes : pandas.DataFrame
        Output of :func:`helpers.report.survey_analysis.change_table`.
    area_code : str
        Area (e.g. the county ``"0020"``).
    label : str
        Swedish label of the variable (e.g. "Röker dagligen").
    variable : str, optional
        Variable name, to describe the yes-answers (:data:`YES_NOUNS`).
    confidence : float
        Confidence level (for the text).
    counts_note : str
        Said when the counts are missing (:data:`COUNTS_HIDDEN`, or
        :data:`NO_COUNTS_IN_SOURCE` for a source without counts).

    Returns
    -------
    ChangeAnswer

    Raises
    ------
    DataError
        If the area is not in ``changes``.
    """
    rows = changes[changes["area_code"] == area_code]
    if len(rows) != 1:
        raise DataError(f"Hittade {len(rows)} rader för område {area_code} – väntade exakt en")
    r = rows.iloc[0]
    name = str(r["area_name"])
    b, a = str(r["period_label_before"]), str(r["period_label"])
    who = YES_NOUNS.get(variable or "", f"som svarat ja ({label.lower()})")
    lvl = level_text(confidence)
    sentences: list[str] = []
    if r["flag"] == indicators.FLAG_SUPPRESSED or pd.isna(r["diff_pp"]):
        why = str(r["flag_reason"]) or "en av skattningarna saknas"
        sentences.append(
            f"{label}, {name}: förändringen mellan {b} och {a} kan inte redovisas ({why})."
        )
        sentences.append(
            "Svar: Nej – underlaget räcker inte för att säga något om förändringen. "
            "Slå ihop flera undersökningsår (pool_years) eller redovisa en större grupp."
        )
        return ChangeAnswer(row=r, sentences=sentences, verdict="", significant=False)
    sentences.append(
        f"{label}, {name}: andelen var {pct(r['value_before'])} "
        f"({lvl} KI {num(r['ci_lower_before'])}–{num(r['ci_upper_before'])}) {b} och "
        f"{pct(r['value_after'])} ({num(r['ci_lower_after'])}–{num(r['ci_upper_after'])}) {a}."
    )
    sentences.append(
        f"Förändringen är {signed(r['diff_pp'], 1, 'procentenheter')} ({lvl} KI "
        f"{diff_ci(r['ci_lower_pp'], r['ci_upper_pp'])}; {p_text(r['p_value'])}): "
        f"{r['verdict']}."
    )
    if r[["yes_after", "n_after", "yes_before", "n_before"]].notna().all():
        sentences.append(
            f"Skattningen {a} vilar på {count_text(r['yes_after'])} svarande {who} av "
            f"{count_text(r['n_after'])} som besvarade frågan, {b} på {count_text(r['yes_before'])} av "
            f"{count_text(r['n_before'])} (ovägda antal)."
        )
    else:
        sentences.append(counts_note)
    verdict = str(r["verdict"])
    significant = verdict in (survey_compare.VERDICT_DECREASE, survey_compare.VERDICT_INCREASE)
    ci_text = diff_ci(r["ci_lower_pp"], r["ci_upper_pp"])
    if verdict == survey_compare.VERDICT_DECREASE:
        answer = (
            f"Svar: Ja – hela konfidensintervallet för förändringen ({ci_text} procentenheter) "
            "ligger under noll, så minskningen är större än vad slumpen i urvalet kan förklara. "
            f"Det är intervallet, inte antalet svarande {who}, som avgör: få ja-svar ger ett brett "
            "intervall, och här är det ändå tillräckligt smalt."
        )
    elif verdict == survey_compare.VERDICT_INCREASE:
        answer = (
            f"Svar: Nej, andelen har inte minskat – hela konfidensintervallet för förändringen "
            f"({ci_text} procentenheter) ligger över noll, så andelen har ökat."
        )
    else:
        answer = (
            f"Svar: Nej – vi kan inte med säkerhet säga att andelen har förändrats: "
            f"konfidensintervallet för förändringen ({ci_text} procentenheter) rymmer noll, så "
            "skillnaden kan bero på slumpen i vilka som kom med i urvalet. Det betyder inte att "
            "andelen är oförändrad, bara att underlaget inte räcker för att visa en förändring."
        )
    sentences.append(answer)
    sentences.append(
        "Intervallet mäter bara slumpen i urvalet – inte felet som uppstår om de som inte "
        "svarar skiljer sig från dem som svarar (se svarsmönstret)."
    )
    return ChangeAnswer(row=r, sentences=sentences, verdict=verdict, significant=significant)


def change_sentence(
    changes: pd.DataFrame,
    area_code: str,
    *,
    label: str,
    variable: str | None = None,
    confidence: float = CONFIDENCE,
    counts_note: str = COUNTS_HIDDEN,
) -> str:
    """Describe one area's change between two periods in one sentence, with the counts behind it.

    Parameters
    ----------
    changes : pandas.DataFrame
        Output of :func:`helpers.report.survey_analysis.change_table`.
    area_code : str
        Area to describe.
    label : str
        Swedish label of the variable.
    variable : str, optional
        Variable name (:data:`YES_NOUNS`).
    confidence : float
        Confidence level (for the text).

    Returns
    -------
    str
        The sentence; ``""`` when the area is not in ``changes``.
    """
    rows = changes[changes["area_code"] == area_code]
    if len(rows) != 1:
        return ""
    r = rows.iloc[0]
    b, a = str(r["period_label_before"]), str(r["period_label"])
    span = f"mellan {b} och {a}" if "–" in f"{b}{a}" else f"{b}–{a}"
    head = f"{label}, {r['area_name']}: förändringen {span}"
    if r["flag"] == indicators.FLAG_SUPPRESSED or pd.isna(r["diff_pp"]):
        return f"{head} kan inte redovisas ({r['flag_reason'] or 'en skattning saknas'})."
    who = YES_NOUNS.get(variable or "", "som svarat ja")
    return (
        f"{head} är {signed(r['diff_pp'], 1, 'procentenheter')} ({level_text(confidence)} KI "
        f"{diff_ci(r['ci_lower_pp'], r['ci_upper_pp'])}; {p_text(r['p_value'])}): "
        f"{r['verdict']}. "
        + (
            f"Skattningen {a} vilar på {count_text(r['yes_after'])} svarande {who} av "
            f"{count_text(r['n_after'])} (ovägda antal)."
            if pd.notna(r["yes_after"]) and pd.notna(r["n_after"])
            else counts_note
        )
    )


def comparison_sentences(
    comparison: pd.DataFrame, kommun: str | None = None, *, label: str = ""
) -> list[str]:
    """Describe the kommun-vs-county/Sweden comparison in Swedish.

    Parameters
    ----------
    comparison : pandas.DataFrame
        Output of :func:`helpers.report.survey_analysis.kommun_comparison`.
    kommun : str, optional
        Describe this kommun; default a summary over the county's kommuner.
    label : str
        Swedish label of the variable.

    Returns
    -------
    list of str
        Sentences; the last one is :data:`helpers.stats.RANK_VS_SIGNIFICANCE_NOTE`
        when colours are given.
    """
    out: list[str] = []
    what = f"{label}: " if label else ""
    kom = comparison[comparison["area_type"] == "kommun"]
    if comparison.empty:
        return out
    period_label = str(comparison["period_label"].iloc[0])
    has_riket = bool((comparison["riket_basis"] != "").any())
    if kommun is not None:
        r = comparison[comparison["area_code"] == kommun]
        if r.empty:
            return [f"{what}{area_label(kommun)} finns inte i enkätdata."]
        r = r.iloc[0]
        name = str(r["area_name"])
        if not indicators.usable(r.to_frame().T).iloc[0]:
            out.append(
                f"{what}{name} {period_label}: skattningen redovisas inte ({r['flag_reason']}), "
                "så kommunen jämförs inte med länet eller riket."
            )
        else:
            text = (
                f"{what}{name} {period_label}: {pct(r['value'])} "
                f"({num(r['ci_lower'])}–{num(r['ci_upper'])}). Jämfört med länet: "
                f"{r['verdict_lan']} ({signed(r['diff_lan_pp'], 1, 'procentenheter')}, "
                f"{p_text(r['p_value_lan'])})"
            )
            if r["verdict_riket"]:
                text += (
                    f"; jämfört med riket: {r['verdict_riket']} "
                    f"({signed(r['diff_riket_pp'], 1, 'procentenheter')}, "
                    f"{p_text(r['p_value_riket'])})"
                )
            text += "."
            if r["colour"] and r["colour"] != survey_compare.COLOUR_MISSING:
                text += (
                    f" I rangordningen bland länets {int(r['n_ranked'])} redovisade kommuner är den "
                    f"{ordinal(int(r['rank']))} och får färgen {r['colour']}."
                )
            if r["flag"] == indicators.FLAG_UNCERTAIN:
                text += f" Skattningen är osäker ({r['flag_reason']})."
            out.append(text)
    else:
        shown = kom[indicators.usable(kom)]
        hidden = kom[~indicators.usable(kom)]
        differ = shown[~shown["verdict_lan"].isin(["likartad", ""])]
        out.append(
            f"{what}{len(shown)} av {len(kom)} kommuner har en skattning som redovisas "
            f"{period_label}; {len(differ)} av dem skiljer sig statistiskt säkerställt från länet"
            + (
                f" ({join_names([f'{n}: {v}' for n, v in zip(differ['area_name'], differ['verdict_lan'], strict=True)])})."
                if len(differ)
                else "."
            )
        )
        if len(hidden):
            out.append(
                f"Redovisas inte (för osäkra eller för få svarande): {join_names(hidden['area_name'].astype(str).tolist())}."
            )
    if not has_riket:
        out.append(
            "Jämförelse med riket saknas: extraktet omfattar bara ett län och inga nationella "
            "värden har angetts."
        )
    if (comparison["colour"] != "").any():
        out.append(RANK_VS_SIGNIFICANCE_NOTE)
    return out


def _cell_name(sex: str, group: str, block: str) -> str:
    sex_text = {"kvinnor": "kvinnor", "män": "män", "totalt": "personer"}[sex]
    if block == "ålder":
        return f"{sex_text} {group} år"
    return (
        f"{sex_text} med {group} utbildning"
        if group != "okänd"
        else f"{sex_text} med okänd utbildning"
    )


def response_sentences(pattern: pd.DataFrame) -> list[str]:
    """Describe the response pattern: which groups are over- and under-represented.

    Parameters
    ----------
    pattern : pandas.DataFrame
        Output of :func:`helpers.report.survey_analysis.response_pattern`.

    Returns
    -------
    list of str
        Swedish sentences, then :data:`NONRESPONSE_NOTE`.
    """
    out: list[str] = []
    if pattern.empty:
        return out
    year = int(pattern["period"].iloc[0])
    has_pop = bool(pattern["share_population"].notna().any())
    against = "av befolkningen" if has_pop else "av den vägda befolkningen (vikterna)"
    base_col = "share_population" if has_pop else "share_weighted"
    for block, sex_filter in (("ålder", ("kvinnor", "män")), ("utbildning", ("totalt",))):
        cells = pattern[
            (pattern["indicator"] == block)
            & pattern["sex"].isin(sex_filter)
            & (pattern["group"] != indicators.ALL_GROUPS)
            & (pattern["group"] != "okänd")
            & pattern["ratio"].notna()
        ]
        if len(cells) < 2:
            continue
        hi = cells.loc[cells["ratio"].idxmax()]
        lo = cells.loc[cells["ratio"].idxmin()]
        out.append(
            f"{year}: {_cell_name(hi['sex'], hi['group'], block).capitalize()} är "
            f"{pct(hi['share_respondents'])} av de svarande men {pct(hi[base_col])} {against} "
            f"({num(hi['ratio'], 1)} gånger sin andel), medan {_cell_name(lo['sex'], lo['group'], block)} "
            f"är {pct(lo['share_respondents'])} av de svarande men {pct(lo[base_col])} "
            f"({num(lo['ratio'], 1)} gånger sin andel)."
        )
    out.append(NONRESPONSE_NOTE)
    return out


def describe_weights(data: pd.DataFrame, population: pd.DataFrame | None = None) -> str:
    """Answer "were calibration weights used?" from the weights themselves.

    Parameters
    ----------
    data : pandas.DataFrame
        Canonical microdata.
    population : pandas.DataFrame, optional
        Population table.

    Returns
    -------
    str
        Swedish sentences.
    """
    s = weights_summary(data, population)
    if s["equal"]:
        return (
            "Nej: alla svarande har samma vikt, så skattningarna är ovägda och rättar inte för "
            "att olika grupper svarar olika ofta."
        )
    text = (
        f"Vikter finns: {s['year']} varierar de mellan {num(s['min'], 1)} och {num(s['max'], 1)} "
        f"(den största är {num(s['ratio'], 0)} gånger den minsta). Olika vikter gör skattningarna "
        f"osäkrare – enbart av vikterna blir designeffekten ungefär {num(s['kish_deff'], 2)}."
    )
    if math.isfinite(s["sum_vs_population"]):
        text += (
            f" Vikterna summerar till {pct(s['sum_vs_population'] * 100)} av befolkningen i "
            "extraktets kommuner, vilket tyder på att de är kalibrerade mot befolkningen; fråga "
            "leverantören vilka kalibreringsvariabler som använts."
        )
    else:
        text += (
            " Utan befolkningstabell går det inte att se om vikterna är kalibrerade mot "
            "befolkningen – fråga leverantören."
        )
    return text


def questions_table(
    data: pd.DataFrame,
    origin: Mapping[str, str],
    population: pd.DataFrame | None = None,
    *,
    answer: ChangeAnswer | None = None,
    demo: bool = False,
) -> pd.DataFrame:
    """Answer the questions to ask of any number, for these survey data.

    Parameters
    ----------
    data : pandas.DataFrame
        Canonical microdata.
    origin : mapping
        ``name``, ``file``, ``variable_map``, ``kind`` (from
        :class:`helpers.sources.survey_data.SurveyData`).
    population : pandas.DataFrame, optional
        Population table.
    answer : ChangeAnswer, optional
        The county's answer, to say how many answers the latest estimate rests on.
    demo : bool
        The data are the synthetic demo.

    Returns
    -------
    pandas.DataFrame
        Columns ``Fråga`` and ``Svar`` (Swedish).
    """
    per_year = data.groupby("year").size()
    counts = ", ".join(f"{count_text(n)} ({y})" for y, n in per_year.items())
    who = f"{origin.get('name', '')} – fil {origin.get('file', '')}, variabelkarta {origin.get('variable_map', '')}."
    if demo:
        who += " Syntetiska demodata – inte verkliga värden."
    response = (
        "Framgår inte av extraktet, som bara innehåller de som svarade – fråga leverantören hur "
        f"stort urvalet var och hur många som svarade varje år. Antal svarande: {counts}."
    )
    if demo:
        response += (
            " I demodata är svarsbenägenheten modellerad: äldre, högutbildade kvinnor svarar "
            "oftare än unga män med kort utbildning, och färre svarar för varje undersökning."
        )
    rows = [
        ("Vem har skickat uppgifterna?", who),
        (
            "Register eller enkät?",
            f"{str(origin.get('kind') or 'enkät').capitalize()}: bara de som valts ut och svarat "
            "ingår, så andelarna "
            "är skattningar för befolkningen med en felmarginal (konfidensintervall). "
            "Registeruppgifter (t.ex. befolkning, dödsorsaker) omfattar alla och har ingen "
            "urvalsosäkerhet.",
        ),
        ("Hur hög var svarsfrekvensen?", response),
        ("Har kalibreringsvikter använts?", describe_weights(data, population)),
        ("Är siffrorna signifikansprövade?", SIGNIFICANCE_NOTE),
    ]
    if answer is not None and answer.row is not None and pd.notna(answer.row.get("yes_after")):
        r = answer.row
        rows.append(
            (
                "Hur många svar vilar siffran på?",
                f"{r['area_name']} {r['period_label']}: {count_text(r['yes_after'])} ja-svar av "
                f"{count_text(r['n_after'])} svarande (ovägda antal). Tabellerna visar antalet "
                "svarande (n) för varje skattning; skattningar med för få svarande eller för "
                "brett intervall visas inte.",
            )
        )
    rows.append(
        (
            "Vad betyder det att vissa grupper svarar oftare?",
            "Se svarsmönstret: vikterna rättar för skillnader i kön, ålder och utbildning, men "
            "inte för skillnader mellan dem som svarar och dem som inte svarar inom samma grupp.",
        )
    )
    return pd.DataFrame(rows, columns=["Fråga", "Svar"])


def questions_markdown(questions: pd.DataFrame) -> str:
    """Render :func:`questions_table` as a Markdown list (question in bold, then the answer).

    Parameters
    ----------
    questions : pandas.DataFrame
        Output of :func:`questions_table`.

    Returns
    -------
    str
        Markdown text.
    """
    return "\n".join(
        f"- **{q}** {a}" for q, a in zip(questions["Fråga"], questions["Svar"], strict=True)
    )


# ---------------------------------------------------------------------------
# the survey section of the kommun report
# ---------------------------------------------------------------------------
#: Said once per section when rank colours are shown (the county's kommuner only).
SECTION_COLOUR_NOTE = (
    "Kolada-färgerna rangordnar länets kommuner med redovisad skattning (Kolada "
    "rangordnar alla kommuner i landet). " + RANK_VS_SIGNIFICANCE_NOTE
)


def not_in_extract(kommun_name: str, extract_name: str) -> str:
    """Say that a kommun has no respondents in the extract."""
    return f"{kommun_name} finns inte i enkätextraktet ({extract_name})."


#: The pooling rule of the report's survey section, in the reader's words.
POOLING_RULE = (
    "Regel: ett enskilt enkätår visas när kommunens skattning klarar kraven på "
    "tillförlitlighet och röjandekontroll; annars slås de två senaste enkätomgångarna samman "
    "till en skattning, och länet visas för samma år så att jämförelsen gäller samma period."
)


def pooled_note(
    label: str,
    kommun_name: str,
    single_period: str,
    reason: str,
    pooled_period: str,
    years: list[int],
    pooled_reason: str | None = None,
) -> str:
    """Say that single survey years were too weak for a kommun, so years were pooled (rule and years).

    Parameters
    ----------
    label : str
        The indicator's name.
    kommun_name : str
        The kommun.
    single_period : str
        The single year that was too weak (``"2024"``).
    reason : str
        Why it was too weak (the flag's reason; may be empty).
    pooled_period : str
        The pooled period's label (``"2020–2024"``).
    years : list of int
        The survey years pooled.
    pooled_reason : str, optional
        When the pooled estimate is too weak as well: why (the kommun then gets no number).
    """
    why = f" ({reason})" if reason else ""
    text = (
        f"{label}, {kommun_name}: svaren från {single_period} räcker inte för en säker "
        f"skattning{why}. Därför slås enkäterna {join_names([str(y) for y in years])} samman "
        f"till en skattning för {pooled_period}. {POOLING_RULE}"
    )
    if pooled_reason is not None:
        text += " Inte heller de sammanslagna åren räcker, så ingen andel visas för kommunen" + (
            f" ({pooled_reason})." if pooled_reason else "."
        )
    return text


def no_answers(label: str, area_name: str, respondents: int, period: str = "") -> str:
    """Say that none of an area's respondents answered a question, so no share can be estimated."""
    when = f" {period}" if period else ""
    if respondents <= 0:
        return f"{label}, {area_name}{when}: inga svarande, så ingen andel kan skattas."
    return (
        f"{label}, {area_name}{when}: ingen av de {count_text(respondents)} svarande har "
        "besvarat frågan (alla svar saknas), så ingen andel kan skattas – för få svar."
    )


def kommun_sentences(
    comparison: pd.DataFrame,
    changes: pd.DataFrame | None,
    county_answer: ChangeAnswer | None,
    kommun: str,
    *,
    label: str,
    variable: str | None = None,
    counts_note: str = COUNTS_HIDDEN,
) -> list[str]:
    """Describe one kommun for the report: against county and Sweden, its change, the county's change.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`helpers.report.survey_analysis.kommun_comparison` for the latest period.
    changes : pandas.DataFrame or None
        :func:`helpers.report.survey_analysis.change_table` (None when there are
        no two periods to compare).
    county_answer : ChangeAnswer or None
        :func:`change_answer` for the county.
    kommun : str
        The kommun.
    label : str
        Swedish name of the indicator.
    variable : str, optional
        Answer variable (:data:`YES_NOUNS`).

    Returns
    -------
    list of str
        Sentences without :data:`RANK_VS_SIGNIFICANCE_NOTE` (said once per section,
        see :data:`SECTION_COLOUR_NOTE`).
    """
    out = [
        s
        for s in comparison_sentences(comparison, kommun, label=label)
        if s != RANK_VS_SIGNIFICANCE_NOTE
    ]
    if changes is not None:
        sentence = change_sentence(
            changes, kommun, label=label, variable=variable, counts_note=counts_note
        )
        if sentence:
            out.append(sentence)
    if county_answer is not None and county_answer.verdict:
        r = county_answer.row
        out.append(
            f"I {r['area_name']} som helhet: {signed(float(r['diff_pp']), 1, 'procentenheter')} "
            f"mellan {r['period_label_before']} och {r['period_label']} – "
            f"{county_answer.verdict}"
            + (
                f" ({num(float(r['yes_after']), 0)} ja-svar av "
                f"{num(float(r['n_after']), 0)} svarande {r['period_label']})."
                if pd.notna(r["yes_after"]) and pd.notna(r["n_after"])
                else f". {counts_note}"
            )
        )
    return out
