"""Property tests of helpers.stats.disclosure.suppress_small_cells over random survey tables.

Random kommun tables by sex × education (counts that add up exactly, as they do
for estimates from microdata; shares either unweighted, numerator / n, or
"weighted", anything near it) must come out of the one disclosure rule with

* no shown ``n`` below ``min_n`` and no shown yes- or no-count in 1 … min_n − 1
  (0 is shown: see the module docstring of :mod:`helpers.stats.disclosure`);
* no shown share that gives a hidden count back (share × n = count);
* no hidden value or count that can be recomputed from a shown total and its
  shown siblings (kvinnor + män = totalt; education levels = alla);
* the same table when the rule is applied again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.core import indicators
from helpers.core.indicators import FLAG_OK
from helpers.stats import disclosure

SEXES = ("kvinnor", "män")
GROUPS = ("förgymnasial", "gymnasial", "eftergymnasial")


@st.composite
def survey_tables(draw):
    """A table for one kommun and period: sex × group cells plus every margin, and min_n."""
    min_n = draw(st.integers(1, 12))
    cells = {}
    for sex in SEXES:
        for group in GROUPS:
            n = draw(st.integers(0, 60))
            yes = draw(st.integers(0, n))
            cells[(sex, group)] = (n, yes)
    weighted = draw(st.booleans())
    rows = []
    for sex in ("totalt", *SEXES):
        for group in ("alla", *GROUPS):
            keys = [
                (s, g)
                for s in SEXES
                for g in GROUPS
                if sex in ("totalt", s) and group in ("alla", g)
            ]
            n = sum(cells[k][0] for k in keys)
            yes = sum(cells[k][1] for k in keys)
            if n == 0:
                continue
            p = yes / n * 100
            if weighted:
                p = float(np.clip(p + draw(st.floats(-8, 8)), 0, 100))
            rows.append((sex, group, float(n), float(yes), p))
    df = pd.DataFrame(rows, columns=["sex", "group", "n", "numerator", "value"])
    df = df.assign(
        area_code="2080",
        area_type="kommun",
        period=2024,
        indicator="daglig_rokning",
        ci_lower=df["value"] * 0.8,
        ci_upper=df["value"] * 1.2 + 0.1,
        ci_level=0.95,
        denominator=df["n"],
        flag=FLAG_OK,
    )
    return indicators.make(df, source="test"), min_n


def _partitions(out: pd.DataFrame):
    """(total row, subgroup rows) for every sex and group partition."""
    for dim, total, other in (("sex", "totalt", "group"), ("group", "alla", "sex")):
        for _, part in out.groupby(other):
            tot = part[part[dim] == total]
            if len(tot) == 1:
                yield tot.iloc[0], part[part[dim] != total]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(survey_tables())
def test_no_small_count_is_shown(case):
    table, min_n = case
    out = disclosure.suppress_small_cells(table, min_n)
    n, yes = out["n"], out["numerator"]
    assert not (n < min_n).any()
    assert not yes.between(1, min_n - 1).any()
    assert not (n - yes).between(1, min_n - 1).any()
    assert not (yes.notna() & n.isna()).any()
    # a shown share never gives a hidden count back
    merged = out.assign(n0=table["n"], yes0=table["numerator"])
    hidden_counts = merged["n"].isna() & merged["value"].notna()
    gap = (merged["value"] / 100 * merged["n0"] - merged["yes0"]).abs()
    assert not ((gap < 0.5) & hidden_counts & (merged["n0"] >= min_n)).any()
    indicators.validate(out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(survey_tables())
def test_no_hidden_cell_can_be_recomputed_from_its_total(case):
    table, min_n = case
    out = disclosure.suppress_small_cells(table, min_n)
    for tot, subs in _partitions(out):
        if pd.notna(tot["n"]):  # kvinnor = totalt − män, and the like, for n and yes-counts
            assert subs["n"].isna().sum() != 1
            assert subs["numerator"].isna().sum() != 1
        if pd.notna(tot["value"]):  # the same for the share, through the population weights
            assert subs["value"].isna().sum() != 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(survey_tables())
def test_the_rule_is_idempotent(case):
    table, min_n = case
    once = disclosure.suppress_small_cells(table, min_n)
    pd.testing.assert_frame_equal(disclosure.suppress_small_cells(once, min_n), once)


def test_the_simple_sex_total_case_by_hand():
    """kvinnor 4 of 118 answered yes; without the rule totalt − män gives it back."""
    rows = [("totalt", 236.0, 41.0, 17.0), ("kvinnor", 118.0, 4.0, 3.1), ("män", 118.0, 37.0, 31.0)]
    df = pd.DataFrame(rows, columns=["sex", "n", "numerator", "value"]).assign(
        area_code="2080", area_type="kommun", period=2024, indicator="daglig_rokning",
        ci_level=0.95, denominator=lambda d: d["n"], flag=FLAG_OK,
    )  # fmt: skip
    out = disclosure.suppress_small_cells(indicators.make(df, source="t"), 5).set_index("sex")
    assert np.isnan(out.loc["totalt", "numerator"] - out.loc["män", "numerator"])
    assert np.isnan(out.loc["totalt", "n"] - out.loc["män", "n"])
    assert out.loc["totalt", "numerator"] == 41  # the total itself is safe and stays
