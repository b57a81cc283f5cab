"""Tests for helpers.stats.survey: hand-computed Taylor variances, svy as reference, simulation, comparisons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.core import indicators
from helpers.core.errors import DataError
from helpers.core.indicators import FLAG_OK, FLAG_SUPPRESSED
from helpers.stats import survey, survey_compare
from helpers.stats.survey import SurveyDesign
from helpers.text import survey as survey_text

#: Stratified cluster design with PSUs in the column ``psu``.
CLUSTERED = SurveyDesign(psu="psu")
#: The same data with every respondent its own PSU (the tests' frames have a ``psu`` column).
SRS = SurveyDesign()

# ------------------------------------------------------------------ fixtures
TINY = pd.DataFrame(
    {
        "kommun": "2080",
        "year": 2022,
        "stratum": ["A", "A", "A", "B", "B", "B"],
        "psu": ["a1", "a1", "a2", "b1", "b2", "b2"],
        "weight": [1.0, 1.0, 2.0, 1.0, 2.0, 1.0],
        "sex": ["kvinnor", "män", "kvinnor", "män", "kvinnor", "män"],
        "education": "gymnasial",
        "y": [1.0, 0.0, 1.0, 0.0, 0.0, 1.0],
    }
)


def synthetic(n=3000, seed=3, years=(2020, 2022), n_psu=5, singleton=True):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "kommun": rng.choice(["2080", "2081", "2023", "2026", "0180"], n),
            "year": rng.choice(list(years), n),
            "sex": rng.choice(["kvinnor", "män"], n),
            "education": rng.choice(["förgymnasial", "gymnasial", "eftergymnasial"], n),
            "weight": rng.uniform(0.5, 4, n),
            "stratum": rng.integers(0, 6, n),
            "psu": rng.integers(0, n_psu, n),
        }
    )
    eta = -2 + 0.4 * rng.normal(size=n_psu)[df["psu"]] + 0.6 * (df["education"] == "förgymnasial")
    df["y"] = rng.binomial(1, 1 / (1 + np.exp(-eta))).astype(float)
    if singleton:  # stratum 9 in the first year has a single PSU
        df.loc[:20, ["stratum", "psu", "year"]] = [9, 0, years[0]]
    return df


def svy_prop(df, by, singleton="center", psu="psu", stratum_cols=("year", "stratum")):
    """Reference estimates from the svy package (domains via ``by`` on the full design)."""
    svy = pytest.importorskip("svy")
    pl = pytest.importorskip("polars")
    d = df.copy()
    d["h_"] = d[list(stratum_cols)].astype(str).agg("_".join, axis=1)
    d["dom_"] = d[list(by)].astype(str).agg("_".join, axis=1)
    kw = {"stratum": "h_", "wgt": "weight", "singleton": singleton}
    if psu:
        d["j_"] = d["h_"] + "_" + d[psu].astype(str)
        kw["psu"] = "j_"
    sample = svy.Sample(
        pl.from_pandas(d[["h_", "dom_", "weight", "y"] + (["j_"] if psu else [])]), svy.Design(**kw)
    )
    est = sample.estimation.prop(
        "y", by="dom_", ci_method="korn-graubard", deff="wr", drop_nulls=True
    )
    out = est.to_polars().to_pandas()
    return out[out["y"] == 1].set_index("dom_")


def ours_keyed(frame, by):
    f = frame.copy()
    f["dom_"] = f[list(by)].astype(str).agg("_".join, axis=1)
    return f.set_index("dom_")


# ------------------------------------------------------- hand computations
def test_hand_computed_stratified_cluster_design():
    got = survey.prevalence(TINY, "y", by=(), design=CLUSTERED).iloc[0]
    # p = 4/8; PSU score totals a1 0, a2 .125, b1 −.0625, b2 −.0625 → V = 2·(2·.0625²) + 0 = .015625
    assert got["p"] == pytest.approx(0.5)
    assert got["se"] == pytest.approx(0.125)
    assert got["df"] == 2 and got["n"] == 6 and got["yes"] == 3 and got["weighted_n"] == 8
    assert got["deff"] == pytest.approx(0.015625 / (0.25 / 5))
    assert got["n_eff"] == pytest.approx(6)  # p(1−p)/V = 16 truncated at n


def test_hand_computed_domain_keeps_full_design():
    got = survey.prevalence(TINY, "y", by=["sex"], design=CLUSTERED).set_index("sex")
    k = got.loc["kvinnor"]
    # kvinnor: p = 3/5 = .6; PSU totals a1 .08, a2 .16, b1 0 (no members, still in stratum B), b2 −.24
    # V = 2·(.04² + .04²) + 2·(.12² + .12²) = .0064 + .0576 = .064
    assert k["p"] == pytest.approx(0.6)
    assert k["se"] == pytest.approx(np.sqrt(0.064))
    assert k["df"] == 1  # 3 PSUs with kvinnor − 2 strata
    assert k["n"] == 3 and k["yes"] == 2


def test_srs_with_equal_weights_has_design_effect_one():
    y = [1.0, 0.0, 0.0, 1.0, 0.0]
    df = pd.DataFrame({"kommun": "2080", "year": 2022, "stratum": 1, "weight": 3.0, "y": y})
    got = survey.prevalence(df, "y", by=()).iloc[0]
    assert got["p"] == pytest.approx(0.4)
    assert got["se"] == pytest.approx(np.sqrt(0.4 * 0.6 / 4))  # p(1−p)/(n−1) = .06
    assert got["deff"] == pytest.approx(1.0)
    assert got["df"] == 4
    assert got["n_eff"] == pytest.approx(4.0)  # NCHS: p(1−p)/V = n − 1
    ref = stats.binomtest(2, 5).proportion_ci(
        0.95, method="exact"
    )  # KG with n_eff_df = min(n, 4·1)
    assert got["n_eff_df"] == pytest.approx(4.0)
    assert got["ci_lower"] < ref.low  # CP on 4 "effective" respondents is wider than on 5
    assert got["ci_lower"] <= 0.4 <= got["ci_upper"]


def test_singleton_center_adds_squared_score_and_skip_adds_nothing():
    extra = pd.DataFrame(
        {
            "kommun": "2080",
            "year": 2022,
            "stratum": ["C"],
            "psu": ["c1"],
            "weight": [1.0],
            "sex": "kvinnor",
            "y": [1.0],
        }
    )
    df = pd.concat([TINY, extra], ignore_index=True)
    center = survey.prevalence(df, "y", by=(), design=CLUSTERED).iloc[0]
    skip = survey.prevalence(df, "y", by=(), design=SurveyDesign(psu="psu", singleton="skip")).iloc[
        0
    ]
    p = 5 / 9
    assert center["p"] == pytest.approx(p)
    z_c1 = 1 * (1 - p) / 9
    assert center["se"] ** 2 - skip["se"] ** 2 == pytest.approx(z_c1**2)
    assert center["df"] == skip["df"] == 2  # 5 PSUs − 3 strata
    with pytest.raises(DataError, match="center, skip"):
        survey.prevalence(df, "y", by=(), design=SurveyDesign(psu="psu", singleton="average"))


# ------------------------------------------------------------ svy reference
@pytest.mark.parametrize("singleton", ["center", "skip"])
def test_matches_svy_stratified_clustered_domains(singleton):
    df = synthetic()
    ours = ours_keyed(
        survey.prevalence(
            df, "y", ["kommun", "sex"], design=SurveyDesign(psu="psu", singleton=singleton)
        ),
        ["kommun", "sex", "period"],
    )
    ref = svy_prop(df, ["kommun", "sex", "year"], singleton=singleton)
    assert len(ref) == len(ours) == 20
    o = ours.loc[ref.index]
    np.testing.assert_allclose(o["p"], ref["est"], rtol=1e-12)
    np.testing.assert_allclose(o["se"], ref["se"], rtol=1e-10)
    np.testing.assert_allclose(o["ci_lower"], ref["lci"], rtol=1e-9)
    np.testing.assert_allclose(o["ci_upper"], ref["uci"], rtol=1e-9)
    np.testing.assert_allclose(o["deff"], ref["deff"], rtol=1e-10)
    np.testing.assert_array_equal(o["df"], ref["df"])
    np.testing.assert_array_equal(o["n"], ref["n"])


def test_matches_svy_without_psu_and_with_missing_answers():
    df = synthetic(seed=11, singleton=False)
    df.loc[df.sample(frac=0.1, random_state=1).index, "y"] = np.nan
    ours = ours_keyed(
        survey.prevalence(df, "y", ["education"], design=SRS), ["education", "period"]
    )
    ref = svy_prop(df, ["education", "year"], psu=None)
    o = ours.loc[ref.index]
    np.testing.assert_allclose(o["se"], ref["se"], rtol=1e-10)
    np.testing.assert_allclose(o["ci_upper"], ref["uci"], rtol=1e-9)
    np.testing.assert_array_equal(o["df"], ref["df"])
    np.testing.assert_array_equal(o["n"], ref["n"])  # answered only


def test_pooled_years_match_svy_with_year_in_stratum():
    df = synthetic(seed=5, years=(2019, 2021))
    # a 4-year window ending in 2021 would start before the data (2018): no estimate
    assert survey.prevalence(df, "y", ["kommun"], design=CLUSTERED, pool_years=4).empty
    ours = ours_keyed(
        survey.prevalence(df, "y", ["kommun"], design=CLUSTERED, pool_years=3), ["kommun"]
    )
    assert set(ours["period_label"]) == {"2019–2021"} and set(ours["period"]) == {2021}
    assert set(ours["first_year"]) == {2019}
    ref = svy_prop(df, ["kommun"])
    o = ours.loc[ref.index]
    np.testing.assert_allclose(o["p"], ref["est"], rtol=1e-12)
    np.testing.assert_allclose(o["se"], ref["se"], rtol=1e-10)
    np.testing.assert_array_equal(o["df"], ref["df"])


def test_rolling_windows_equal_estimates_on_the_years_in_the_window():
    df = synthetic(seed=8, years=(2018, 2020, 2022, 2024), singleton=False)
    pooled = survey.prevalence(df, "y", ["kommun"], design=CLUSTERED, pool_years=4)
    assert sorted(set(pooled["period_label"])) == [
        "2019–2022",
        "2021–2024",
    ]  # 2017–2020 is incomplete
    w = pooled[pooled["period"] == 2022].set_index("kommun")
    sub = df[df["year"].isin([2020, 2022])]
    # years are strata, so estimating on the window's years alone is the same thing
    alone = survey.prevalence(sub, "y", ["kommun"], design=CLUSTERED, pool_years=3)
    alone = alone[alone["period"] == 2022].set_index("kommun")
    np.testing.assert_allclose(w["se"], alone.loc[w.index, "se"], rtol=1e-12)
    np.testing.assert_allclose(w["p"], alone.loc[w.index, "p"], rtol=1e-12)


def test_domain_estimation_differs_from_subsetting_the_design():
    df = synthetic(seed=21, singleton=False)
    df = df[df["year"] == 2020].copy()
    # Falun has no respondents in PSU 0 of any stratum: subsetting would drop those PSUs
    df.loc[(df["kommun"] == "2080") & (df["psu"] == 0), "kommun"] = "2081"
    full = survey.prevalence(df, "y", ["kommun"], design=CLUSTERED).set_index("kommun").loc["2080"]
    subset = survey.prevalence(df[df["kommun"] == "2080"], "y", by=(), design=CLUSTERED).iloc[0]
    assert full["p"] == pytest.approx(subset["p"])
    assert full["se"] != pytest.approx(subset["se"], rel=1e-6)
    ref = svy_prop(df, ["kommun"]).loc["2080"]
    assert full["se"] == pytest.approx(ref["se"], rel=1e-10)


# ----------------------------------------------------------------- simulation
def test_simulation_se_matches_empirical_variability_and_coverage():
    rng = np.random.default_rng(42)
    n_strata, m, k = 8, 6, 12  # strata, sampled PSUs per stratum, respondents per PSU
    ests, ses, covered = [], [], []
    h = np.repeat(np.arange(n_strata), m * k)
    j = np.repeat(np.arange(n_strata * m), k)
    w = np.repeat(rng.uniform(1, 5, n_strata), m * k)  # unequal weights between strata
    base = rng.normal(-1.5, 0.4, n_strata)
    # true p = weighted mean over strata of E[y] (cluster effects average to 0 on the logit scale, so simulate it)
    u_big = rng.normal(0, 0.5, (n_strata, 20000))
    true = (
        np.sum(w[:: m * k] * (1 / (1 + np.exp(-(base[:, None] + u_big)))).mean(axis=1))
        / w[:: m * k].sum()
    )
    for _ in range(400):
        u = rng.normal(0, 0.5, n_strata * m)
        prob = 1 / (1 + np.exp(-(base[h] + u[j])))
        df = pd.DataFrame(
            {
                "kommun": "2080",
                "year": 2022,
                "stratum": h,
                "psu": j,
                "weight": w,
                "y": rng.binomial(1, prob),
            }
        )
        r = survey.prevalence(df, "y", by=(), design=CLUSTERED).iloc[0]
        ests.append(r["p"])
        ses.append(r["se"])
        covered.append(r["ci_lower"] <= true <= r["ci_upper"])
    ratio = np.mean(np.square(ses)) / np.var(ests, ddof=1)
    assert 0.8 < ratio < 1.2
    assert 0.92 <= np.mean(covered) <= 0.99


# ------------------------------------------------------------- validation
def test_invalid_microdata_is_reported_in_swedish():
    df = TINY.copy()
    with pytest.raises(DataError, match="kolumn 'psu_x'"):
        survey.prevalence(df, "y", by=(), design=SurveyDesign(psu="psu_x"))
    bad = df.assign(weight=[1.0, 0.0, 2.0, -1.0, 2.0, 1.0], y=[1, 0, 2, 0, "ja", 1])
    with pytest.raises(DataError, match="fyra siffror"):
        survey.estimate_indicator(df.assign(kommun=180), "y", "x", "test")  # lost leading zero
    with pytest.raises(DataError) as err:
        survey.prevalence(bad, "y", by=())
    text = str(err.value)
    assert "2 problem" in text and "vikten" in text and "0, 1 eller tomma" in text
    assert "rad 3" in text  # first bad weight is data row 2 = file row 3 (header is row 1)
    gaps = df.assign(
        stratum=["A", None, "A", "B", "B", "B"], year=[2022, 2022, 2022, 2022, 2022.5, 2022]
    )
    with pytest.raises(DataError) as err:
        survey.prevalence(gaps, "y", by=(), design=CLUSTERED)
    assert "kolumn 'stratum'" in str(err.value) and "heltal" in str(err.value)


def test_ci_narrows_with_more_respondents_and_contains_p():
    df = synthetic(seed=2, singleton=False)
    small = survey.prevalence(df.iloc[:600], "y", ["sex"], design=CLUSTERED)
    big = survey.prevalence(df, "y", ["sex"], design=CLUSTERED)
    for f in (small, big):
        assert ((f["ci_lower"] <= f["p"]) & (f["p"] <= f["ci_upper"])).all()
    w_small = (small["ci_upper"] - small["ci_lower"]).mean()
    w_big = (big["ci_upper"] - big["ci_lower"]).mean()
    assert w_big < w_small


# --------------------------------------------------------- indicator table
def test_estimate_indicator_table_levels_and_conventions():
    df = synthetic(n=6000, seed=4, singleton=False)
    res = survey.estimate_indicator(df, "y", "daglig_rokning", "Källa: test", design=CLUSTERED)
    t, d = res.table, res.design
    indicators.validate(t)
    assert len(t) == len(d)
    assert set(t["area_type"]) == {"kommun", "region", "riket"}
    assert {"0020", "0001", "0000"} <= set(t["area_code"])  # Dalarna, Stockholm, Riket
    assert t.loc[t["area_code"] == "2080", "area_name"].iloc[0] == "Falun"
    assert set(t["sex"]) == {"totalt", "kvinnor", "män"}
    assert set(t["group"]) == {"alla", "förgymnasial", "gymnasial", "eftergymnasial"}
    # 5 kommuner + 2 län + Riket, × 3 sexes × 4 groups × 2 years
    assert len(t) == (5 + 2 + 1) * 3 * 4 * 2
    # kommun totals agree with prevalence(); value in percent, counts unweighted
    k = survey.prevalence(df, "y", ["kommun"], design=CLUSTERED).set_index(["kommun", "period"])
    row = t[
        (t["area_code"] == "2080")
        & (t["sex"] == "totalt")
        & (t["group"] == "alla")
        & (t["period"] == 2022)
    ].iloc[0]
    ref = k.loc[("2080", 2022)]
    assert row["numerator"] == ref["yes"] and row["denominator"] == ref["n"] == row["n"]
    if row["flag"] != FLAG_SUPPRESSED:
        assert row["value"] == pytest.approx(ref["p"] * 100)
        assert row["ci_upper"] == pytest.approx(ref["ci_upper"] * 100)
    assert (t["source"] == "Källa: test").all() and (t["ci_level"] == 0.95).all()
    # flags: suppressed rows carry no value; every non-OK flag has a reason
    sup = t["flag"] == FLAG_SUPPRESSED
    assert t.loc[sup, "value"].isna().all()
    assert (t.loc[t["flag"] != FLAG_OK, "flag_reason"] != "").all()
    # design frame carries the statistics and the assessment
    for col in ("se", "deff", "n_eff", "df", "rule", "flag"):
        assert col in d.columns


def test_estimate_indicator_applies_disclosure_threshold_from_params():
    df = synthetic(n=1500, seed=9, singleton=False)
    res = survey.estimate_indicator(
        df, "y", "x", "test", group=None, params={"disclosure": {"min_n": 120}}
    )
    t = res.table
    small = res.design["n"] < 120
    assert small.any()
    assert t.loc[small.to_numpy(), "n"].isna().all()
    assert (
        t.loc[small.to_numpy(), "flag_reason"] == "färre än 120 svarande (röjandekontroll)"
    ).all()
    assert set(t["group"]) == {"alla"}
    with pytest.raises(DataError, match="okänd områdesnivå"):
        survey.estimate_indicator(df, "y", "x", "test", levels=("kommun", "socken"))


def test_pooled_indicator_period_is_last_year():
    df = synthetic(n=2000, seed=12, years=(2019, 2021), singleton=False)
    t = survey.estimate_indicator(
        df, "y", "x", "test", pool_years=3, levels=("riket",), by_sex=False, group=None
    ).table
    assert len(t) == 1
    assert t["period"].iloc[0] == 2021 and t["period_label"].iloc[0] == "2019–2021"


# --------------------------------------------------------------- comparisons
def test_difference_hand_computed_verdicts():
    r = survey_compare.difference(
        [0.20, 0.20, 0.10, np.nan],
        [0.02, 0.02, 0.01, 0.01],
        [0.15, 0.19, 0.14, 0.1],
        [0.015, 0.015, 0.012, 0.01],
    )
    assert r.loc[0, "diff_pp"] == pytest.approx(-5.0)
    assert r.loc[0, "se_pp"] == pytest.approx(2.5)
    assert r.loc[0, "statistic"] == pytest.approx(-2.0)
    assert r.loc[0, "p_value"] == pytest.approx(2 * stats.norm.cdf(-2.0))
    assert r.loc[0, "ci_lower_pp"] == pytest.approx(-5 - 1.959963984540054 * 2.5)
    assert list(r["verdict"]) == [
        survey_compare.VERDICT_DECREASE,
        survey_compare.VERDICT_NO_CHANGE,
        survey_compare.VERDICT_INCREASE,
        "",
    ]
    assert survey_compare.VERDICT_DECREASE == "statistiskt säkerställd minskning"
    # with few degrees of freedom the same difference is not significant (Welch–Satterthwaite t)
    t = survey_compare.difference(0.20, 0.02, 0.15, 0.015, df1=10, df2=10).iloc[0]
    v1, v2 = 0.02**2, 0.015**2
    dfw = (v1 + v2) ** 2 / (v1**2 / 10 + v2**2 / 10)
    assert t["df"] == pytest.approx(dfw)
    assert t["p_value"] == pytest.approx(2 * stats.t.cdf(-2.0, dfw))
    assert t["verdict"] == survey_compare.VERDICT_NO_CHANGE


def test_compare_periods_on_design_frame():
    df = synthetic(seed=6, singleton=False)
    d = survey.prevalence(df, "y", ["kommun"], design=CLUSTERED)
    c = survey_compare.compare_periods(d, 2020, 2022)
    assert list(c["kommun"]) == sorted(c["kommun"]) and len(c) == 5
    b = d[d["period"] == 2020].set_index("kommun")
    a = d[d["period"] == 2022].set_index("kommun")
    c = c.set_index("kommun")
    np.testing.assert_allclose(c["diff_pp"], (a["p"] - b["p"]).loc[c.index] * 100)
    np.testing.assert_allclose(c["se_pp"], np.sqrt(a["se"] ** 2 + b["se"] ** 2).loc[c.index] * 100)
    assert set(c["verdict"]) <= {
        survey_compare.VERDICT_DECREASE,
        survey_compare.VERDICT_INCREASE,
        survey_compare.VERDICT_NO_CHANGE,
    }
    assert c["n_before"].notna().all() and c["yes_after"].notna().all()
    pooled = survey.prevalence(
        synthetic(seed=6, years=(2018, 2020, 2022), singleton=False), "y", ["kommun"], pool_years=3
    )
    with pytest.raises(DataError, match="överlappar"):
        survey_compare.compare_periods(pooled, 2020, 2022)
    with pytest.raises(DataError, match="finns inte"):
        survey_compare.compare_periods(d, 2019, 2022)


def _difference_variance_by_hand(df, kommun, parent_mask, y="y"):
    """Var(p_k − p_parent) from explicit difference scores, respondents as PSUs, one year."""
    w = df["weight"].to_numpy()
    yy = df[y].to_numpy()
    ink = (df["kommun"] == kommun).to_numpy()
    inp = parent_mask
    pk = np.sum(w * yy * ink) / np.sum(w * ink)
    pp = np.sum(w * yy * inp) / np.sum(w * inp)
    z = ink * w * (yy - pk) / np.sum(w * ink) - inp * w * (yy - pp) / np.sum(w * inp)
    var = 0.0
    for _, zh in pd.Series(z).groupby(df["stratum"].to_numpy()):
        nh = len(zh)
        var += nh / (nh - 1) * np.sum((zh - zh.mean()) ** 2)
    return pk - pp, var


def test_compare_with_parent_matches_difference_scores_by_hand():
    df = synthetic(n=1500, seed=13, years=(2022,), singleton=False)
    df["stratum"] = df["stratum"] % 3  # strata cross kommun borders
    res = survey_compare.compare_with_parent(df, "y", "lan", design=SRS).set_index("kommun")
    for k in ("2080", "0180"):
        diff, var = _difference_variance_by_hand(df, k, (df["kommun"].str[:2] == k[:2]).to_numpy())
        assert res.loc[k, "diff_pp"] == pytest.approx(diff * 100)
        assert res.loc[k, "se_pp"] == pytest.approx(np.sqrt(var) * 100, rel=1e-10)
    riket = survey_compare.compare_with_parent(df, "y", "riket", design=SRS).set_index("kommun")
    diff, var = _difference_variance_by_hand(df, "2081", np.ones(len(df), dtype=bool))
    assert riket.loc["2081", "se_pp"] == pytest.approx(np.sqrt(var) * 100, rel=1e-10)
    assert riket.loc["2081", "p_parent"] == pytest.approx(np.average(df["y"], weights=df["weight"]))


def test_compare_with_parent_equals_kommun_vs_rest_of_county_with_kommun_strata():
    rng = np.random.default_rng(17)
    n = 2000
    kommun = rng.choice(["2080", "2081", "2082", "2083"], n, p=[0.4, 0.3, 0.2, 0.1])
    w_k = {"2080": 1.0, "2081": 2.5, "2082": 4.0, "2083": 7.0}  # equal weights within kommun
    df = pd.DataFrame(
        {"kommun": kommun, "year": 2022, "stratum": kommun, "weight": [w_k[k] for k in kommun]}
    )
    df["y"] = rng.binomial(1, np.where(df["kommun"] == "2080", 0.10, 0.2)).astype(float)
    res = survey_compare.compare_with_parent(df, "y", "lan", direction="lower_is_better").set_index(
        "kommun"
    )
    df["rest"] = np.where(df["kommun"] == "2080", "falun", "rest")
    parts = survey.prevalence(df, "y", ["rest"]).set_index("rest")
    s = df.loc[df["kommun"] == "2080", "weight"].sum() / df["weight"].sum()
    expect_se = (1 - s) * np.sqrt(parts.loc["falun", "se"] ** 2 + parts.loc["rest", "se"] ** 2)
    expect_diff = (1 - s) * (parts.loc["falun", "p"] - parts.loc["rest", "p"])
    assert res.loc["2080", "diff_pp"] == pytest.approx(expect_diff * 100)
    assert res.loc["2080", "se_pp"] == pytest.approx(expect_se * 100, rel=1e-10)
    # overlap-aware SE is smaller than the naive independent-samples SE
    lan = survey.prevalence(df, "y", ["lan"]).iloc[0]
    naive = np.sqrt(parts.loc["falun", "se"] ** 2 + lan["se"] ** 2)
    assert res.loc["2080", "se_pp"] < naive * 100
    assert res.loc["2080", "verdict"] == "bättre"  # 10 % vs ~20 %, lower is better
    assert res.loc["2080", "df"] == parts.loc["falun", "n"] - 1


def test_compare_labels_by_direction():
    df = synthetic(n=4000, seed=19, years=(2022,), singleton=False)
    df.loc[df["kommun"] == "2080", "y"] = 1.0  # Falun far above Dalarna
    up = survey_compare.compare_with_parent(df, "y", "lan").set_index("kommun")
    assert up.loc["2080", "verdict"] == "högre"
    assert (
        survey_compare.compare_with_parent(df, "y", "lan", direction="lower_is_better")
        .set_index("kommun")
        .loc["2080", "verdict"]
        == "sämre"
    )
    assert (
        survey_compare.compare_with_parent(df, "y", "lan", direction="higher_is_better")
        .set_index("kommun")
        .loc["2080", "verdict"]
        == "bättre"
    )
    assert survey_compare.compare_with_parent(df, "y", "lan", by=["sex"]).shape[0] == 10
    assert up.loc["0180", "p_parent"] == up.loc["0180", "p"]  # only kommun of its län in the data
    assert up.loc["0180", "verdict"] == "likartad"
    with pytest.raises(DataError):
        survey_compare.compare_with_parent(df, "y", "lan", direction="up")
    with pytest.raises(DataError):
        survey_compare.compare_with_parent(df, "y", "socken")


# ------------------------------------------------------------- rank colours
def _kommun_table(values):
    codes = [f"20{i:02d}" for i in range(len(values))]
    return indicators.make(
        pd.DataFrame(
            {
                "area_code": codes,
                "area_type": "kommun",
                "period": 2022,
                "indicator": "x",
                "value": values,
            }
        ),
        source="test",
        flag=FLAG_OK,
    )


def test_rank_colours_thirds_direction_ties_and_missing():
    t = _kommun_table([1.0, 2, 3, 4, 5, 6, 7, 8, 9])
    low = survey_compare.rank_colours(t, "lower_is_better")
    assert list(low["colour"]) == ["grön"] * 3 + ["gul"] * 3 + ["röd"] * 3
    assert list(low["rank"]) == list(range(1, 10)) and (low["n_ranked"] == 9).all()
    high = survey_compare.rank_colours(t, "higher_is_better")
    assert list(high["colour"]) == ["röd"] * 3 + ["gul"] * 3 + ["grön"] * 3
    tied = survey_compare.rank_colours(
        _kommun_table([1.0, 1, 1, 1, 5, 6, 7, 8, 9]), "lower_is_better"
    )
    assert list(tied["colour"][:4]) == ["grön"] * 4
    t2 = t.copy()
    t2.loc[4, ["value", "ci_lower", "ci_upper"]] = np.nan
    t2.loc[4, "flag"] = FLAG_SUPPRESSED
    c2 = survey_compare.rank_colours(t2, "lower_is_better")
    assert c2.loc[4, "colour"] == "grå" and (c2["n_ranked"].dropna() == 8).all()
    many = survey_compare.rank_colours(_kommun_table(list(np.arange(90.0))), "lower_is_better")
    assert many["colour"].value_counts().to_dict() == {"grön": 30, "gul": 30, "röd": 30}
    with pytest.raises(DataError):
        survey_compare.rank_colours(t, "up")


def test_rank_colours_only_rank_kommuner():
    t = survey.estimate_indicator(
        synthetic(n=4000, seed=1, singleton=False), "y", "x", "test", group=None
    ).table
    c = survey_compare.rank_colours(t, "lower_is_better")
    assert (c.loc[c["area_type"] != "kommun", "colour"] == "").all()
    assert set(c.loc[c["area_type"] == "kommun", "colour"]) <= {"grön", "gul", "röd", "grå"}


def test_rank_vs_significance_note_is_one_swedish_sentence():
    note = survey_text.RANK_VS_SIGNIFICANCE_NOTE
    assert note.endswith(".") and note.count(". ") == 0
    assert "likartad" in note and "rangordningen" in note
