"""Tests for the survey design object and the design cases of helpers.stats.survey.

* a cluster sample gets the cluster variance (hand-computed Taylor variance,
  and svy as the reference with unequal weights and an fpc), so its interval is
  wider and its reliability flag can turn from shown to suppressed;
* the finite population correction (``SurveyDesign.fpc``);
* degenerate designs: singleton strata, a domain of one, all answers yes, no
  answers at all – never a NaN variance shown as a narrow interval, never an
  English exception.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from helpers.config.variable_map import parse_variable_map
from helpers.core.errors import DataError
from helpers.core.indicators import FLAG_OK, FLAG_SUPPRESSED, FLAG_UNCERTAIN
from helpers.stats import survey, survey_compare
from helpers.stats.survey_design import DESIGN_ATTR, SurveyDesign

CLUSTERED = SurveyDesign(psu="psu")
SRS = SurveyDesign()

#: Four school classes (PSUs) of three pupils, one stratum, equal weights: answers cluster by class.
CLASSES = pd.DataFrame(
    {
        "kommun": "2080",
        "year": 2024,
        "stratum": "S",
        "psu": np.repeat(["A", "B", "C", "D"], 3),
        "weight": 1.0,
        "sex": "kvinnor",
        "y": [1.0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1],
    }
)


def kg_by_hand(p: float, var: float, n: int, df: int, conf: float = 0.95) -> tuple[float, float]:
    """Korn–Graubard interval written out: effective n, df adjustment, Clopper–Pearson."""
    t = stats.t.ppf(1 - (1 - conf) / 2, [n - 1, df])
    n_eff = min(n, p * (1 - p) / var * (t[0] / t[1]) ** 2)
    x = n_eff * p
    alpha = 1 - conf
    return (
        special.betaincinv(x, n_eff - x + 1, alpha / 2),
        special.betaincinv(x + 1, n_eff - x, 1 - alpha / 2),
    )


# ------------------------------------------------- clustered versus simple random sampling
def test_clustered_design_widens_the_interval_hand_computed():
    srs = survey.prevalence(CLASSES, "y", by=(), design=SRS).iloc[0]
    clu = survey.prevalence(CLASSES, "y", by=(), design=CLUSTERED).iloc[0]
    assert srs["p"] == clu["p"] == 0.5
    # SRS: scores (y − ½)/12 = ±1/24, n_h = 12: V = 12/11 · 12 · (1/24)² = 1/44 = p(1 − p)/(n − 1)
    assert srs["se"] ** 2 == pytest.approx(1 / 44, rel=1e-12)
    assert srs["deff"] == pytest.approx(1.0) and srs["df"] == 11
    # Clusters: PSU totals 1,5/12, 0,5/12, −1,5/12, −0,5/12 (mean 0), n_h = 4:
    # V = 4/3 · (2·(1/8)² + 2·(1/24)²) = 4/3 · 10/288 = 5/108
    assert clu["se"] ** 2 == pytest.approx(5 / 108, rel=1e-12)
    assert clu["se"] == pytest.approx(0.215166, abs=1e-6) and srs["se"] == pytest.approx(
        0.150756, abs=1e-6
    )
    assert clu["deff"] == pytest.approx((5 / 108) / (1 / 44))  # 2,037
    assert clu["df"] == 3  # 4 classes − 1 stratum
    assert clu["n_eff"] == pytest.approx(0.25 / (5 / 108))  # 5,4 effective pupils of 12
    # Korn–Graubard by hand, and the numbers themselves
    for row, var, df in ((srs, 1 / 44, 11), (clu, 5 / 108, 3)):
        lo, hi = kg_by_hand(0.5, var, 12, df)
        assert row["ci_lower"] == pytest.approx(lo, rel=1e-9)
        assert row["ci_upper"] == pytest.approx(hi, rel=1e-9)
    assert (srs["ci_lower"], srs["ci_upper"]) == pytest.approx((0.199664, 0.800336), abs=1e-6)
    assert (clu["ci_lower"], clu["ci_upper"]) == pytest.approx((0.027003, 0.972997), abs=1e-6)
    assert clu["ci_upper"] - clu["ci_lower"] > srs["ci_upper"] - srs["ci_lower"]


def test_clustered_unequal_weights_match_svy_and_are_wider_than_srs_with_the_same_weights():
    rng = np.random.default_rng(1)
    d = pd.DataFrame(
        {
            "kommun": "2080",
            "year": 2024,
            "stratum": np.repeat(["S1", "S2"], 30),
            "psu": np.repeat([f"c{i}" for i in range(10)], 6),
            "weight": rng.choice([1.0, 2.0, 3.5], 60),
            "y": rng.binomial(1, np.repeat(rng.uniform(0.1, 0.7, 10), 6)).astype(float),
        }
    )
    clu = survey.prevalence(d, "y", by=(), design=CLUSTERED).iloc[0]
    srs = survey.prevalence(d, "y", by=(), design=SRS).iloc[0]
    assert clu["p"] == srs["p"] == pytest.approx(0.376471, abs=1e-6)
    assert clu["se"] == pytest.approx(0.0948899, abs=1e-7)
    assert (clu["ci_lower"], clu["ci_upper"]) == pytest.approx((0.171713, 0.619829), abs=1e-6)
    assert clu["deff"] == pytest.approx(2.263100, abs=1e-6) and clu["df"] == 8
    assert clu["se"] > srs["se"] and clu["n_eff"] < srs["n_eff"]
    assert clu["ci_upper"] - clu["ci_lower"] > srs["ci_upper"] - srs["ci_lower"]
    svy = pytest.importorskip("svy")
    pl = pytest.importorskip("polars")
    ref = (
        svy.Sample(
            pl.from_pandas(d[["stratum", "psu", "weight", "y"]]),
            svy.Design(stratum="stratum", psu="psu", wgt="weight"),
        )
        .estimation.prop("y", ci_method="korn-graubard", deff="wr", drop_nulls=True)
        .to_polars()
        .to_pandas()
    )
    ref = ref[ref["y"] == 1].iloc[0]
    assert clu["se"] == pytest.approx(ref["se"], rel=1e-10)
    assert clu["ci_lower"] == pytest.approx(ref["lci"], rel=1e-9)
    assert clu["deff"] == pytest.approx(ref["deff"], rel=1e-10)


def _school_survey(smokers: list[int], size: int) -> pd.DataFrame:
    """One kommun's school survey: classes (PSUs) of ``size`` pupils, ``smokers[i]`` in class i."""
    y = np.concatenate([[1.0] * k + [0.0] * (size - k) for k in smokers])
    return pd.DataFrame(
        {
            "kommun": "2080",
            "year": 2024,
            "stratum": "Falun",
            "psu": np.repeat([f"klass{i}" for i in range(len(smokers))], size),
            "weight": 1.0,
            "y": y,
        }
    )


@pytest.mark.parametrize(
    ("smokers", "size", "srs_half", "clu", "flag", "reason"),
    [
        # 10 classes of 20, 60 smokers: CI width 35,1 points ≥ 30 → suppressed
        (
            [1, 1, 2, 2, 4, 6, 9, 10, 12, 13],
            20,
            6.5799,
            {"deff": 5.1593, "n_eff": 38.571, "df": 9, "half": 17.5344},
            FLAG_SUPPRESSED,
            "för brett konfidensintervall: 35,1\u00a0procentenheter",
        ),
        # strongly clustered: 199 effective pupils as SRS, 12 with the classes → suppressed
        (
            [0, 0, 0, 2, 10, 15, 18, 20, 20, 20],
            20,
            7.1439,
            {"deff": 16.636, "n_eff": 11.962, "df": 9, "half": 32.5385},
            FLAG_SUPPRESSED,
            "för få svarande: effektivt n = 11",
        ),
        # 6 large classes: interval fine, but only 5 degrees of freedom → shown, flagged for review
        (
            [40, 45, 50, 55, 60, 70],
            200,
            2.5425,
            {"deff": 2.9805, "n_eff": 402.286, "df": 5, "half": 5.8478},
            FLAG_UNCERTAIN,
            "få frihetsgrader (df = 5) – granska",
        ),
    ],
)
def test_cluster_variance_turns_a_reliable_flag_into_a_flagged_one(
    smokers, size, srs_half, clu, flag, reason
):
    df = _school_survey(smokers, size)
    kw = {"levels": ("kommun",), "by_sex": False, "group": None}
    srs = survey.estimate_indicator(df, "y", "x", "test", design=SRS, **kw)
    got = survey.estimate_indicator(df, "y", "x", "test", design=CLUSTERED, **kw)
    s, c = srs.design.iloc[0], got.design.iloc[0]
    n = len(df)
    assert s["p"] == c["p"] == sum(smokers) / n
    # As a simple random sample: n − 1 effective respondents, design effect 1, shown as reliable.
    assert s["n_eff"] == pytest.approx(n - 1) and s["deff"] == pytest.approx(1.0)
    assert (s["ci_upper"] - s["ci_lower"]) / 2 * 100 == pytest.approx(srs_half, abs=1e-4)
    assert srs.table.iloc[0]["flag"] == FLAG_OK
    # With its classes: the NCHS rules see the clustered variance (n_eff = p(1 − p)/V_cluster).
    assert c["deff"] == pytest.approx(clu["deff"], abs=1e-4)
    assert c["n_eff"] == pytest.approx(clu["n_eff"], abs=1e-3)
    assert c["n_eff"] == pytest.approx(c["p"] * (1 - c["p"]) / c["se"] ** 2)
    assert c["df"] == clu["df"] == len(smokers) - 1
    assert (c["ci_upper"] - c["ci_lower"]) / 2 * 100 == pytest.approx(clu["half"], abs=1e-4)
    row = got.table.iloc[0]
    assert row["flag"] == flag and row["flag_reason"] == reason


# ----------------------------------------------------------------------- the design object
def test_design_from_the_variable_map_and_from_the_frame():
    base = {
        "variables": {
            "respondent_id": "Lopnr",
            "kommun": "Kommun",
            "year": "Ar",
            "sex": "Kon",
            "age_group": "Alder",
            "education": "Utb",
            "weight": "Vikt",
            "stratum": "Stratum",
        },
        "answers": {"daily_smoking": {"column": "Rok", "yes": [1], "no": [2]}},
    }
    assert SurveyDesign.from_variable_map(parse_variable_map(base)) == SRS
    clustered = {**base, "variables": {**base["variables"], "psu": "Klass", "fpc": "N"}}
    d = SurveyDesign.from_variable_map(parse_variable_map(clustered))
    assert (d.psu, d.fpc, d.weight, d.strata) == ("psu", "fpc", "weight", "stratum")
    assert d.columns == ["weight", "stratum", "year", "psu", "fpc"] and d.clustered
    # A frame's own design wins; without one, canonical psu/fpc columns with values count.
    frame = CLASSES.copy()
    assert SurveyDesign.of(frame) == CLUSTERED
    assert SurveyDesign.of(frame.assign(psu=pd.NA)) == SRS  # read_microdata without a PSU
    frame.attrs[DESIGN_ATTR] = SRS
    assert SurveyDesign.of(frame) is SRS
    assert CLUSTERED.attach(frame) is frame and SurveyDesign.of(frame) is CLUSTERED
    with pytest.raises(DataError, match="center, skip"):
        SurveyDesign(singleton="average")
    with pytest.raises(DataError, match="kolumnnamn"):
        SurveyDesign(psu="")


def test_estimators_use_the_design_the_frame_carries():
    frame = CLUSTERED.attach(CLASSES.copy())
    frame["psu_copy"] = frame.pop("psu")  # no canonical psu column: only attrs can say it
    frame.attrs[DESIGN_ATTR] = SurveyDesign(psu="psu_copy")
    got = survey.prevalence(frame, "y", by=()).iloc[0]
    assert got["se"] ** 2 == pytest.approx(5 / 108)
    t = survey.estimate_indicator(frame, "y", "x", "t", levels=("kommun",), group=None).design
    assert t.loc[t["sex"] == "totalt", "se"].iloc[0] ** 2 == pytest.approx(5 / 108)
    c = survey_compare.compare_with_parent(frame, "y", "lan").iloc[0]
    assert c["diff_pp"] == 0 and c["se_pp"] == 0  # the only kommun of its county


# --------------------------------------------------------------- finite population correction
def test_fpc_multiplies_each_stratum_by_one_minus_the_sampling_fraction():
    # 4 classes sampled of 10: V = (1 − 4/10) · 5/108 = 1/36
    clu = survey.prevalence(
        CLASSES.assign(N=10.0), "y", by=(), design=SurveyDesign(psu="psu", fpc="N")
    ).iloc[0]
    assert clu["se"] ** 2 == pytest.approx(1 / 36, rel=1e-12)
    assert (clu["ci_lower"], clu["ci_upper"]) == pytest.approx((0.076059, 0.923941), abs=1e-6)
    # Without PSUs the population size counts persons: 12 of 24 → V = ½ · 1/44
    srs = survey.prevalence(CLASSES.assign(N=24.0), "y", by=(), design=SurveyDesign(fpc="N"))
    assert srs.iloc[0]["se"] ** 2 == pytest.approx(0.5 / 44, rel=1e-12)
    # A census (every class sampled) has no sampling variance
    census = survey.prevalence(
        CLASSES.assign(N=4), "y", by=(), design=SurveyDesign("weight", "stratum", "psu", "N")
    )
    assert census.iloc[0]["se"] == 0.0


def test_fpc_matches_svy_with_two_strata():
    rng = np.random.default_rng(1)
    d = pd.DataFrame(
        {
            "kommun": "2080",
            "year": 2024,
            "stratum": np.repeat(["S1", "S2"], 30),
            "psu": np.repeat([f"c{i}" for i in range(10)], 6),
            "weight": rng.choice([1.0, 2.0, 3.5], 60),
            "y": rng.binomial(1, np.repeat(rng.uniform(0.1, 0.7, 10), 6)).astype(float),
            "N": np.repeat([12.0, 20.0], 30),
        }
    )
    got = survey.prevalence(d, "y", by=(), design=SurveyDesign(psu="psu", fpc="N")).iloc[0]
    assert got["se"] == pytest.approx(0.0769012, abs=1e-7)
    assert (got["ci_lower"], got["ci_upper"]) == pytest.approx((0.206939, 0.571475), abs=1e-6)
    svy = pytest.importorskip("svy")
    pl = pytest.importorskip("polars")
    ref = (
        svy.Sample(
            pl.from_pandas(d[["stratum", "psu", "weight", "y", "N"]]),
            svy.Design(stratum="stratum", psu="psu", wgt="weight", pop_size="N"),
        )
        .estimation.prop("y", ci_method="korn-graubard", deff="wr", drop_nulls=True)
        .to_polars()
        .to_pandas()
    )
    ref = ref[ref["y"] == 1].iloc[0]
    assert got["se"] == pytest.approx(ref["se"], rel=1e-10)
    assert got["ci_upper"] == pytest.approx(ref["uci"], rel=1e-9)
    assert got["deff"] == pytest.approx(ref["deff"], rel=1e-10)


def test_fpc_problems_are_refused_in_swedish():
    design = SurveyDesign(psu="psu", fpc="N")
    with pytest.raises(DataError, match="inte en urvalsfraktion") as err:
        survey.prevalence(CLASSES.assign(N=0.4), "y", by=(), design=design)
    assert "kolumn 'N'" in str(err.value) and "mindre än de 4 PSU" in str(err.value)
    uneven = CLASSES.assign(N=[10.0] * 11 + [12.0])
    with pytest.raises(DataError, match="densamma för hela stratumet") as err:
        survey.prevalence(uneven, "y", by=(), design=design)
    assert "rad 13" in str(err.value)  # data row 12 = file row 13
    with pytest.raises(DataError, match="större än 0"):
        survey.prevalence(CLASSES.assign(N=["10"] * 11 + ["tio"]), "y", by=(), design=design)


# ------------------------------------------------------------------------- degenerate cases
def test_singleton_strata_never_give_a_nan_variance_or_a_narrow_interval():
    # Two strata with one class each: the variance is a number, but there are no degrees of
    # freedom (2 PSUs − 2 strata), so there is no interval and the estimate is suppressed.
    df = pd.DataFrame(
        {
            "kommun": "2080",
            "year": 2024,
            "sex": "kvinnor",
            "stratum": np.repeat(["S1", "S2"], 20),
            "psu": np.repeat(["k1", "k2"], 20),
            "weight": 1.0,
            "y": np.tile([1.0, 0, 0, 0], 10),
        }
    )
    for singleton in ("center", "skip"):
        design = SurveyDesign(psu="psu", singleton=singleton)
        r = survey.prevalence(df, "y", by=(), design=design).iloc[0]
        assert r["se"] == 0.0 and not np.isnan(r["se"])  # both strata have p = ¼: scores 0
        assert r["df"] == 0 and np.isnan(r["ci_lower"]) and np.isnan(r["ci_upper"])
        t = survey.estimate_indicator(
            df, "y", "x", "t", design=design, levels=("kommun",), by_sex=False, group=None
        ).table.iloc[0]
        assert t["flag"] == FLAG_SUPPRESSED and np.isnan(t["value"])
        assert t["flag_reason"] == "konfidensintervallet kan inte beräknas (df = 0)"
    # "center" keeps a lone stratum's deviation (z² = (1·(1 − 5/9)/9)²), "skip" drops it
    extra = CLASSES.iloc[:1].assign(stratum="C", psu="c1")
    both = pd.concat([CLASSES, extra], ignore_index=True)
    both.loc[12, "y"] = 1.0
    c = survey.prevalence(both, "y", by=(), design=CLUSTERED).iloc[0]
    s = survey.prevalence(both, "y", by=(), design=SurveyDesign(psu="psu", singleton="skip"))
    assert c["se"] ** 2 - s.iloc[0]["se"] ** 2 == pytest.approx(((1 - 7 / 13) / 13) ** 2)


def test_domain_of_one_respondent_has_no_interval():
    df = CLASSES.copy()
    df.loc[0, "sex"] = "män"
    r = survey.prevalence(df, "y", by=["sex"], design=SRS).set_index("sex").loc["män"]
    assert r["n"] == 1 and r["p"] == 1.0 and r["se"] == 0.0
    assert r["df"] == 0 and np.isnan(r["ci_lower"])


def test_all_answers_yes_give_a_one_sided_interval_not_plus_minus_zero():
    df = pd.DataFrame(
        {"kommun": "2080", "year": 2024, "stratum": "S", "weight": 2.5, "y": [1.0] * 40}
    )
    r = survey.prevalence(df, "y", by=(), design=SRS).iloc[0]
    assert r["p"] == 1.0 and r["se"] == 0.0
    # Clopper–Pearson on the 40 respondents: [0,025^(1/40); 1]
    assert r["ci_lower"] == pytest.approx(0.025 ** (1 / 40), rel=1e-9)
    assert r["ci_lower"] == pytest.approx(0.911903, abs=1e-6) and r["ci_upper"] == 1.0
    assert r["n_eff"] == 40  # NCHS: n when p is 0 or 1
    zero = survey.prevalence(df.assign(y=0.0), "y", by=(), design=SRS).iloc[0]
    assert zero["ci_lower"] == 0.0 and zero["ci_upper"] == pytest.approx(1 - 0.025 ** (1 / 40))


def test_all_weights_equal_is_simple_random_sampling():
    r = survey.prevalence(CLASSES.assign(weight=7.0), "y", by=(), design=SRS).iloc[0]
    assert r["deff"] == pytest.approx(1.0) and r["n_eff"] == pytest.approx(11.0)


def test_no_answers_at_all_is_a_swedish_refusal_not_a_type_error():
    empty = CLASSES.assign(y=np.nan)
    for call in (
        lambda: survey.prevalence(empty, "y", by=(), design=CLUSTERED),
        lambda: survey.estimate_indicator(empty, "y", "x", "t", design=CLUSTERED, group=None),
        lambda: survey_compare.compare_with_parent(empty, "y", "lan", design=CLUSTERED),
    ):
        with pytest.raises(DataError) as err:
            call()
        text = str(err.value)
        assert "kolumn 'y'" in text and "ingen av de 12 svarande har besvarat frågan" in text
    # A domain in which nobody answered simply has no row; the others are estimated.
    part = CLASSES.copy()
    part.loc[part["psu"] == "A", "kommun"] = "2081"
    part.loc[part["kommun"] == "2081", "y"] = np.nan
    got = survey.prevalence(part, "y", by=["kommun"], design=CLUSTERED)
    assert list(got["kommun"]) == ["2080"] and got["n"].iloc[0] == 9
