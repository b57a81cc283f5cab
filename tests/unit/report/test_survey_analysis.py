"""Tests for helpers.report.survey_analysis: the "59 smokers" answer, comparisons, response pattern, tables.

Hand-checked cases use equal weights with one PSU per respondent and one
stratum, where the design-based variance of a proportion is exactly
``p(1 − p)/(n − 1)`` and the degrees of freedom ``n − 1``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.core.fmt import num
from helpers.report import survey_analysis as survey_report
from helpers.report import survey_tables
from helpers.stats import survey, survey_compare
from helpers.stats.disclosure import suppress_small_cells
from helpers.text import survey as survey_text

SOURCE = "Källa: testenkät"
AGES = ("16–29", "30–44", "45–64", "65–84")
EDUS = ("förgymnasial", "gymnasial", "eftergymnasial")


def hand_micro(cells: list[tuple[str, int, int, int]], weight: float = 1.0) -> pd.DataFrame:
    """Microdata from ``(kommun, year, n respondents, n yes)``; sexes, ages and education cycle."""
    rows = []
    for kommun, year, n, yes in cells:
        for i in range(n):
            rows.append(
                {
                    "respondent_id": f"{kommun}-{year}-{i}",
                    "kommun": kommun,
                    "year": year,
                    "sex": ("kvinnor", "män")[i % 2],
                    "age_group": AGES[(i // 2) % 4],
                    "education": EDUS[(i // 8) % 3],
                    "weight": weight,
                    "stratum": kommun,
                    "daily_smoking": int(i < yes),
                }
            )
    df = pd.DataFrame(rows)
    df["daily_smoking"] = df["daily_smoking"].astype("Int64")
    return df.astype({"kommun": "string", "sex": "string", "stratum": "string"})


def t_interval(p1, n1, p2, n2, conf=0.95):
    v1, v2 = p1 * (1 - p1) / (n1 - 1), p2 * (1 - p2) / (n2 - 1)
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    se = np.sqrt(v1 + v2)
    crit = stats.t.ppf(1 - (1 - conf) / 2, df)
    d = p2 - p1
    return d * 100, (d - crit * se) * 100, (d + crit * se) * 100, 2 * stats.t.sf(abs(d / se), df)


# -- the "59 smokers" answer ------------------------------------------------------------------
@pytest.fixture(scope="module")
def smokers59():
    """One kommun (so the county equals it): 90 of 800 smoke in 2020, 59 of 800 in 2024."""
    data = hand_micro([("2080", 2020, 800, 90), ("2080", 2024, 800, 59)])
    est = survey_report.estimate_variable(data, "daily_smoking", source=SOURCE, min_n=5)
    return data, est


def test_change_table_matches_hand_calculation(smokers59):
    _, est = smokers59
    assert survey_report.pick_periods(est.design) == (2020, 2024)
    ch = survey_report.change_table(est, 2020, 2024, min_n=5)
    region = ch[ch["area_code"] == "0020"].iloc[0]
    d, lo, hi, p = t_interval(90 / 800, 800, 59 / 800, 800)
    assert region["value_before"] == pytest.approx(100 * 90 / 800)
    assert region["value_after"] == pytest.approx(100 * 59 / 800)
    assert region["diff_pp"] == pytest.approx(d)
    assert region["ci_lower_pp"] == pytest.approx(lo, rel=1e-9)
    assert region["ci_upper_pp"] == pytest.approx(hi, rel=1e-9)
    assert region["p_value"] == pytest.approx(p, rel=1e-6)
    assert (region["yes_before"], region["n_before"]) == (90, 800)
    assert (region["yes_after"], region["n_after"]) == (59, 800)
    assert region["verdict"] == survey_compare.VERDICT_DECREASE  # hi < 0
    assert hi < 0
    assert region["flag"] == indicators.FLAG_OK and region["source"] == SOURCE
    # The county and its only kommun give the same change.
    kommun = ch[ch["area_code"] == "2080"].iloc[0]
    assert kommun["diff_pp"] == pytest.approx(region["diff_pp"])


def test_change_answer_in_words(smokers59):
    _, est = smokers59
    ch = survey_report.change_table(est, 2020, 2024, min_n=5)
    ans = survey_text.change_answer(ch, "0020", label="Röker dagligen", variable="daily_smoking")
    d, lo, hi, _ = t_interval(90 / 800, 800, 59 / 800, 800)
    text = ans.markdown
    assert ans.significant and ans.verdict == survey_compare.VERDICT_DECREASE
    assert "Region Dalarna" in text
    assert f"{num(100 * 90 / 800, 1)}\u00a0%" in text and f"{num(100 * 59 / 800, 1)}\u00a0%" in text
    assert f"{num(lo, 1)} till {num(hi, 1)}" in text  # both negative: "−5,6 till −0,9"
    assert "vilar på 59 svarande som röker dagligen av 800" in text
    assert "2020 på 90 av 800" in text
    assert text.count("Svar: Ja") == 1
    assert "slumpen i urvalet" in text
    sentence = survey_text.change_sentence(
        ch, "2080", label="Röker dagligen", variable="daily_smoking"
    )
    assert "Falun" in sentence and "59 svarande" in sentence and "säkerställd minskning" in sentence


def test_not_significant_change_says_no():
    data = hand_micro([("2080", 2020, 300, 24), ("2080", 2024, 300, 20)])
    est = survey_report.estimate_variable(data, "daily_smoking", source=SOURCE)
    ch = survey_report.change_table(est, 2020, 2024)
    ans = survey_text.change_answer(ch, "0020", label="Röker dagligen", variable="daily_smoking")
    r = ch[ch["area_code"] == "0020"].iloc[0]
    assert r["ci_lower_pp"] < 0 < r["ci_upper_pp"]
    assert r["p_value"] > 0.05 and r["verdict"] == survey_compare.VERDICT_NO_CHANGE
    assert not ans.significant
    assert "Svar: Nej" in ans.markdown and "rymmer noll" in ans.markdown
    assert "20 svarande som röker dagligen av 300" in ans.markdown


def test_change_is_hidden_when_an_estimate_is_hidden():
    # 2024: 40 respondents, 1 yes -> NCHS suppresses (relative CI width > 130 %).
    data = hand_micro(
        [
            ("2080", 2020, 400, 40),
            ("2080", 2024, 400, 30),
            ("2081", 2020, 200, 40),
            ("2081", 2024, 40, 1),
        ]
    )
    est = survey_report.estimate_variable(data, "daily_smoking", source=SOURCE)
    ch = survey_report.change_table(est, 2020, 2024)
    r = ch[ch["area_code"] == "2081"].iloc[0]
    assert np.isnan(r["diff_pp"]) and r["verdict"] == ""
    assert r["flag"] == indicators.FLAG_SUPPRESSED
    assert r["flag_reason"].startswith("2024 undertryckt")  # 2020 (40 of 200) is shown
    ans = survey_text.change_answer(ch, "2081", label="Röker dagligen")
    assert "kan inte redovisas" in ans.markdown and not ans.significant
    with pytest.raises(DataError):
        survey_text.change_answer(ch, "9999", label="x")


def test_pick_periods_with_pooling():
    data = hand_micro([("2080", y, 200, 20) for y in (2016, 2020, 2024)])
    est = survey_report.estimate_variable(data, "daily_smoking", source=SOURCE)
    assert survey_report.pick_periods(est.design) == (2020, 2024)
    assert survey_report.pick_periods(est.design, before=2016) == (2016, 2024)
    assert survey_report.pick_periods(est.design, before=2011) is None
    pooled = survey_report.estimate_variable(data, "daily_smoking", source=SOURCE, pool_years=5)
    # Windows 2016–2020 and 2020–2024 share 2020: nothing independent to compare.
    assert sorted(pooled.design["period_label"].unique()) == ["2016–2020", "2020–2024"]
    assert survey_report.pick_periods(pooled.design) is None


def test_riket_only_when_the_extract_covers_it():
    one = hand_micro([("2080", 2024, 100, 10), ("2081", 2024, 100, 12)])
    two = hand_micro([("2080", 2024, 100, 10), ("0180", 2024, 100, 12)])
    a = survey_report.estimate_variable(one, "daily_smoking", source=SOURCE).table
    b = survey_report.estimate_variable(two, "daily_smoking", source=SOURCE).table
    assert lookup.RIKET_CODE not in set(a["area_code"])
    assert lookup.RIKET_CODE in set(b["area_code"])


# -- kommun vs county and Sweden ----------------------------------------------------------------
@pytest.fixture(scope="module")
def county():
    cells = [("2080", 2024, 600, 30), ("2081", 2024, 500, 90), ("2062", 2024, 400, 48)]
    cells += [("2021", 2024, 3, 2)]  # a tiny kommun: must never be shown
    # A second one: with a single hidden kommun its counts (county minus the others) could be
    # recomputed, so disclosure control would hide a shown kommun as its complement.
    cells += [("2023", 2024, 4, 1)]
    data = hand_micro(cells)
    est = survey_report.estimate_variable(data, "daily_smoking", source=SOURCE, min_n=5)
    return data, est


def reference(value=10.0, lo=9.0, hi=11.0, period=2024) -> pd.DataFrame:
    return indicators.make(
        pd.DataFrame(
            {
                "area_code": [lookup.RIKET_CODE],
                "area_name": ["Riket"],
                "area_type": ["riket"],
                "period": [period],
                "indicator": ["daily_smoking"],
                "value": [value],
                "ci_lower": [lo],
                "ci_upper": [hi],
                "ci_level": [0.95],
                "n": [20_000.0],
                "flag": [indicators.FLAG_OK],
            }
        ),
        source=SOURCE,
    )


def test_kommun_comparison_against_county_sweden_and_colours(county):
    data, est = county
    ref = reference()
    cmp = survey_report.kommun_comparison(
        data, est, "daily_smoking", direction="lower_is_better", riket=ref
    )
    assert cmp["area_type"].iloc[0] == "region"
    by = cmp.set_index("area_code")
    # County: the same numbers as helpers.stats.survey.compare_with_parent.
    parent = survey_compare.compare_with_parent(
        data, "daily_smoking", "lan", direction="lower_is_better"
    )
    parent = parent.set_index(parent["kommun"].astype(str))
    for k in ("2080", "2081", "2062"):
        assert by.loc[k, "diff_lan_pp"] == pytest.approx(parent.loc[k, "diff_pp"])
        assert by.loc[k, "verdict_lan"] == parent.loc[k, "verdict"]
    assert by.loc["2080", "verdict_lan"] == "bättre"  # 5 % vs county ≈ 11 %
    assert by.loc["2081", "verdict_lan"] == "sämre"  # 18 %
    # Sweden as an independent reference: diff = p − ref, se = sqrt(se² + se_ref²).
    d = est.design
    row = d[(d["area_code"] == "2081") & (d["sex"] == "totalt") & (d["group"] == "alla")].iloc[0]
    se_ref = (11.0 - 9.0) / 100 / (2 * stats.norm.ppf(0.975))
    se = np.hypot(row["se"], se_ref)
    z = (row["p"] - 0.10) / se
    df = se**4 / (row["se"] ** 4 / row["df"])  # Welch–Satterthwaite, the reference has df = ∞
    assert by.loc["2081", "diff_riket_pp"] == pytest.approx((row["p"] - 0.10) * 100)
    assert by.loc["2081", "p_value_riket"] == pytest.approx(2 * stats.t.sf(abs(z), df), rel=1e-9)
    assert by.loc["2081", "verdict_riket"] == "sämre"
    assert by.loc["2081", "riket_basis"] == "referens"
    assert by.loc["2081", "riket_value"] == 10.0
    # Kolada-style colours among the shown kommuner: best green, worst red.
    assert by.loc["2080", "colour"] == survey_compare.COLOUR_GREEN
    assert by.loc["2081", "colour"] == survey_compare.COLOUR_RED
    assert by.loc["2062", "colour"] == survey_compare.COLOUR_YELLOW
    # The tiny kommun: hidden, no verdicts, no counts.
    tiny = by.loc["2021"]
    assert np.isnan(tiny["value"]) and np.isnan(tiny["n"]) and np.isnan(tiny["numerator"])
    assert tiny["verdict_lan"] == "" and tiny["verdict_riket"] == ""
    assert tiny["flag"] == indicators.FLAG_SUPPRESSED
    assert tiny["colour"] == survey_compare.COLOUR_MISSING
    sentences = survey_text.comparison_sentences(cmp, label="Röker dagligen")
    assert "3 av 5 kommuner" in sentences[0] and "2 av dem" in sentences[0]
    assert sentences[-1] == survey_text.RANK_VS_SIGNIFICANCE_NOTE
    one = survey_text.comparison_sentences(cmp, "2081", label="Röker dagligen")
    assert "jämfört med riket: sämre" in one[0] and "färgen röd" in one[0]


def test_kommun_comparison_with_national_microdata():
    cells = [("2080", 2024, 400, 20), ("2081", 2024, 400, 60), ("0180", 2024, 800, 80)]
    data = hand_micro(cells)
    est = survey_report.estimate_variable(data, "daily_smoking", source=SOURCE)
    cmp = survey_report.kommun_comparison(data, est, "daily_smoking", direction="lower_is_better")
    by = cmp.set_index("area_code")
    assert (by.loc[["2080", "2081", "0180"], "riket_basis"] == "mikrodata").all()
    rk = survey_compare.compare_with_parent(
        data, "daily_smoking", "riket", direction="lower_is_better"
    )
    rk = rk.set_index(rk["kommun"].astype(str))
    assert by.loc["2081", "diff_riket_pp"] == pytest.approx(rk.loc["2081", "diff_pp"])
    assert by.loc["2081", "riket_value"] == pytest.approx(100 * 160 / 1600)
    # The county (0020) against Sweden too.
    assert by.loc["0020", "verdict_riket"] in ("bättre", "likartad", "sämre")
    assert by.loc["0020", "diff_riket_pp"] == pytest.approx(100 * (80 / 800 - 160 / 1600))


def test_without_direction_no_colours_and_neutral_words(county):
    data, est = county
    cmp = survey_report.kommun_comparison(data, est, "daily_smoking")
    assert (cmp["colour"] == "").all()
    assert set(cmp["verdict_lan"]) <= {"lägre", "likartad", "högre", ""}
    sentences = survey_text.comparison_sentences(cmp)
    assert survey_text.RANK_VS_SIGNIFICANCE_NOTE not in sentences
    assert any("Jämförelse med riket saknas" in s for s in sentences)


# -- disclosure: nothing below min_n in any output -----------------------------------------------
def _all_text(frame: pd.DataFrame) -> str:
    return "\n".join(frame.astype(str).to_numpy().ravel())


@pytest.mark.parametrize("min_n", [5, 10])
def test_no_cell_below_min_n_in_any_output(min_n):
    cells = [("2080", 2020, 400, 44), ("2080", 2024, 400, 30), ("2081", 2020, 300, 30)]
    cells += [("2081", 2024, 300, 24), ("2021", 2020, 3, 2), ("2021", 2024, 3, 2)]
    cells += [("2023", 2020, 7, 3), ("2023", 2024, 7, 3)]
    data = hand_micro(cells)
    est = survey_report.estimate_variable(data, "daily_smoking", source=SOURCE, min_n=min_n)
    changes = survey_report.change_table(est, 2020, 2024, min_n=min_n)
    cmp = survey_report.kommun_comparison(
        data, est, "daily_smoking", min_n=min_n, direction="lower_is_better", riket=reference()
    )
    pattern = survey_report.response_pattern(data, kommuner=["2021", "2023", "2081"], min_n=min_n)
    tables = {
        "estimates": est.table,
        "changes": changes,
        "comparison": cmp,
        "pattern": pattern,
    }
    for name, t in tables.items():
        small = t["n"].notna() & (t["n"] < min_n)
        assert not small.any(), name
        for col in ("n_before", "n_after"):
            if col in t:
                assert not (t[col] < min_n).any(), name
    # The tiny kommuner (n = 3 and n = 7 < 10) are blank everywhere they are too small.
    t = est.table
    for code, n in (("2021", 3), ("2023", 7)):
        rows = t[t["area_code"] == code]
        if n < min_n:
            assert rows["value"].isna().all() and rows["n"].isna().all()
            assert rows["numerator"].isna().all()
            assert (rows["flag"] == indicators.FLAG_SUPPRESSED).all()
            assert rows["flag_reason"].str.contains("röjandekontroll").all()
    # Display tables: the values 66,7 % (2 of 3) and 42,9 % (3 of 7) never appear.
    displays = [
        survey_tables.display_table(est.table, min_n=min_n),
        survey_tables.change_display(changes, min_n=min_n),
        survey_tables.comparison_display(cmp, min_n=min_n),
        survey_tables.response_display(pattern, min_n=min_n),
    ]
    text = "\n".join(_all_text(d) for d in displays)
    assert "66,7" not in text
    if min_n > 7:
        assert "42,9" not in text
        assert "3/7" not in text
    assert "2/3" not in text
    # Every display row with a value has n >= min_n, or no n (fewer than min_n yes or no).
    shown = displays[0][displays[0].iloc[:, 4] != ""]
    n = pd.to_numeric(shown["Svarande (n)"].str.replace("\u00a0", ""), errors="coerce")
    assert not (n < min_n).any() and n.notna().any()


def test_display_table_applies_disclosure_itself():
    raw = hand_micro([("2080", 2024, 200, 20), ("2021", 2024, 4, 3)])
    est = survey_report.estimate_variable(raw, "daily_smoking", source=SOURCE, min_n=1)
    t = est.table
    assert (t.loc[t["area_code"] == "2021", "n"].dropna() < 5).any()  # leaked on purpose (min_n=1)
    shown = survey_tables.display_table(t, min_n=5)
    tiny = shown[shown["Område"] == "Vansbro"]
    assert (tiny["Svarande (n)"] == "").all() and (tiny.iloc[:, 4] == "").all()
    assert tiny["Förklaring"].str.contains("färre än 5 svarande").all()


def test_display_table_format():
    data = hand_micro([("2080", 2024, 1000, 125), ("2081", 2024, 800, 96)])
    est = survey_report.estimate_variable(data, "daily_smoking", source=SOURCE)
    t = est.table[(est.table["sex"] == "totalt") & (est.table["group"] == "alla")]
    shown = survey_tables.display_table(t)
    assert list(shown.columns) == [
        "Område",
        "Kön",
        "Grupp",
        "Period",
        "Andel, % (95\u00a0% KI)",
        "Svarande (n)",
        "Ja-svar",
        "Flagga",
        "Förklaring",
    ]
    assert shown["Område"].tolist() == ["Region Dalarna", "Borlänge", "Falun"]  # reading order
    falun = shown[shown["Område"] == "Falun"].iloc[0]
    row = t[t["area_code"] == "2080"].iloc[0]
    assert falun.iloc[4] == f"12,5 ({num(row['ci_lower'])}–{num(row['ci_upper'])})"
    assert falun["Svarande (n)"] == "1\u00a0000" and falun["Ja-svar"] == "125"
    assert falun["Kön"] == "Totalt" and falun["Grupp"] == "Alla"


# -- response pattern ---------------------------------------------------------------------------
def test_response_pattern_against_population():
    data = hand_micro([("2080", 2024, 400, 40)])
    # Population: 1 000 women and 1 000 men in every age group of 2080.
    pop = pd.DataFrame(
        [
            {
                "year": 2024,
                "kommun": "2080",
                "sex": s,
                "age_group": a,
                "education": e,
                "population": 250.0,
            }
            for s in ("kvinnor", "män")
            for a in AGES
            for e in ("förgymnasial", "gymnasial", "eftergymnasial", "okänd")
        ]
    )
    # Make women answer twice as often: drop half of the men.
    men = data.index[data["sex"] == "män"]
    data = data.drop(men[: len(men) // 2])
    p = survey_report.response_pattern(data, pop, min_n=5)
    age = p[p["indicator"] == "ålder"].set_index(["sex", "group"])
    n_w = (data["sex"] == "kvinnor").sum()
    assert age.loc[("kvinnor", "alla"), "n"] == n_w
    assert age.loc[("kvinnor", "alla"), "share_respondents"] == pytest.approx(100 * n_w / len(data))
    assert age.loc[("kvinnor", "alla"), "share_population"] == pytest.approx(50.0)
    assert age.loc[("kvinnor", "alla"), "ratio"] == pytest.approx(n_w / len(data) / 0.5)
    assert age.loc[("totalt", "alla"), "share_respondents"] == pytest.approx(100.0)
    cells = age.drop(index="totalt", level=0).drop(index="alla", level=1)
    assert cells["share_respondents"].sum() == pytest.approx(100.0)
    assert cells["share_population"].sum() == pytest.approx(100.0)
    sentences = survey_text.response_sentences(p)
    assert sentences[-1] == survey_text.NONRESPONSE_NOTE
    assert "av befolkningen" in sentences[0]


def test_response_pattern_small_cells_and_complements():
    data = hand_micro([("2080", 2024, 30, 3)])
    # One lone respondent aged 65–84 among the men: n = 1 must be hidden, and a second man's
    # cell too (otherwise 1 = total − the others).
    data = data[~((data["sex"] == "män") & (data["age_group"] == "65–84"))]
    extra = data.iloc[[1]].assign(age_group="65–84", respondent_id="extra")
    data = pd.concat([data, extra], ignore_index=True)
    p = survey_report.response_pattern(data, min_n=5)
    age = p[p["indicator"] == "ålder"].set_index(["sex", "group"])
    assert np.isnan(age.loc[("män", "65–84"), "n"])
    hidden_men = age.xs("män", level=0)["n"].isna().sum()
    assert hidden_men >= 2  # complementary suppression
    assert age.loc[("män", "65–84"), "flag"] == indicators.FLAG_SUPPRESSED
    # Without a population table the weighted shares stand in.
    assert p["share_population"].isna().all()
    assert "vägda befolkningen" in " ".join(survey_text.response_sentences(p))


# -- weights and questions -------------------------------------------------------------------------
def test_weights_and_questions():
    data = hand_micro([("2080", 2024, 100, 10)])
    assert survey_text.describe_weights(data).startswith("Nej")
    varied = data.assign(weight=np.linspace(10, 40, len(data)))
    s = survey.weights_summary(varied)
    assert s["ratio"] == pytest.approx(4.0) and s["kish_deff"] > 1
    pop = pd.DataFrame(
        {"year": [2024], "kommun": ["2080"], "sex": ["kvinnor"], "age_group": ["16–29"],
         "education": ["gymnasial"], "population": [varied["weight"].sum()]}
    )  # fmt: skip
    text = survey_text.describe_weights(varied, pop)
    assert "100,0\u00a0%" in text and "kalibrerade" in text
    assert "40,0" in text and "10,0" in text
    est = survey_report.estimate_variable(
        hand_micro([("2080", 2020, 300, 40), ("2080", 2024, 300, 20)]),
        "daily_smoking",
        source=SOURCE,
    )
    ch = survey_report.change_table(est, 2020, 2024)
    ans = survey_text.change_answer(ch, "0020", label="Röker dagligen")
    q = survey_text.questions_table(
        varied,
        {"name": "Testenkät", "file": "t.csv", "variable_map": "k.yaml", "kind": "enkät"},
        pop,
        answer=ans,
    )
    assert q["Fråga"].tolist()[:5] == [
        "Vem har skickat uppgifterna?",
        "Register eller enkät?",
        "Hur hög var svarsfrekvensen?",
        "Har kalibreringsvikter använts?",
        "Är siffrorna signifikansprövade?",
    ]
    answers = dict(zip(q["Fråga"], q["Svar"], strict=True))
    assert "Testenkät" in answers["Vem har skickat uppgifterna?"]
    assert "fråga leverantören" in answers["Hur hög var svarsfrekvensen?"]
    assert "100 (2024)" in answers["Hur hög var svarsfrekvensen?"]
    assert "20 ja-svar av 300 svarande" in answers["Hur många svar vilar siffran på?"]
    md = survey_text.questions_markdown(q)
    assert md.startswith("- **Vem har skickat uppgifterna?**")


def test_with_reference_adds_riket_rows_once(county):
    _, est = county
    ref = reference()
    t = survey_report.with_reference(est.table, ref, 5)
    assert (t["area_code"] == lookup.RIKET_CODE).sum() == 1
    assert survey_report.with_reference(t, ref, 5).shape == t.shape
    assert survey_report.with_reference(est.table, indicators.empty(), 5) is est.table
    indicators.validate(t)
    # Reference rows pass disclosure control too.
    assert suppress_small_cells(t, 5).equals(t)
