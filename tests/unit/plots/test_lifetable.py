"""Tests for helpers.plots.lifetable: every figure returns a Figure with Swedish text and sources."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from helpers.core import indicators
from helpers.core.errors import DataError  # noqa: E402
from helpers.core.fmt import SYNTHETIC_LABEL  # noqa: E402
from helpers.plots import lifetable as pl  # noqa: E402
from helpers.sources import mortality_compare, mortality_counts, mortality_education
from helpers.stats import (
    education,  # noqa: E402
    lifetable_compare,
)


@pytest.fixture(scope="module")
def demo(demo_root):
    e30 = mortality_education.e30_by_education("demo", "20")
    le = mortality_counts.kommun_life_expectancy("demo", "20")
    yield {
        "e30": e30,
        "gap": education.gap(e30),
        "le": le,
        "cmp": mortality_compare.compare_with_county("demo", "20"),
        "range": lifetable_compare.county_range(le, "20"),
    }


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _texts(fig: Figure) -> str:
    """Every text in the figure: titles, labels, tick labels, legends, footers."""
    fig.canvas.draw()
    out = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    return "\n".join(out)


def _check(fig: Figure, *words: str) -> str:
    assert isinstance(fig, Figure)
    text = _texts(fig)
    for w in words:
        assert w in text, w
    return text


def test_education_lines(demo):
    fig = pl.education_lines(demo["e30"], "20")
    text = _check(
        fig,
        "Återstående medellivslängd vid 30 år (år)",
        "Kvinnor",
        "Män",
        "Förgymnasial",
        "Eftergymnasial",
        "Region Dalarna",
        "Riket",
        SYNTHETIC_LABEL,
        "Periodens sista år (2024 = 2020–2024)",
    )
    assert "Osäkerhet ej angiven i källan." in text
    assert len(fig.axes) == 2
    assert any(line.get_gid() == "line-förgymnasial" for line in fig.axes[0].get_lines())


def test_education_lines_on_given_axes_and_without_county(demo):
    fig, axes = plt.subplots(1, 2)
    riket_only = demo["e30"][demo["e30"]["area_code"] == "0000"]
    out = pl.education_lines(riket_only, "20", ax=axes)
    assert out is fig
    assert "Länets värden saknas i datakällan" in _texts(fig)
    fig2, ax = plt.subplots()
    assert pl.education_lines(demo["e30"], "20", ax=ax, sexes=["män"]) is fig2
    with pytest.raises(DataError, match="2 axlar"):
        pl.education_lines(demo["e30"], "20", ax=ax)


def test_gap_trend_and_sii(demo):
    band = education.trend_band(demo["gap"])
    fig = pl.gap_trend(demo["gap"], band)
    text = _check(fig, "Skillnad (år)", "Linjär trend", "Newey–West", SYNTHETIC_LABEL)
    assert any(c.get_gid() == "trend-band" for ax in fig.axes for c in ax.collections)
    # Decimal comma on the value axis.
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert any("," in lab for lab in labels) and not any("." in lab for lab in labels)
    assert "eftergymnasial minus förgymnasial" in text
    fig = pl.sii_over_time(education.sii_by_period(demo["e30"]))
    _check(fig, "SII (år)", "antagna andelar", "12/44/43", SYNTHETIC_LABEL)


def test_ranked_ci_with_comparison(demo):
    fig = pl.ranked_ci(demo["le"], "2080", sex="män", comparison=demo["cmp"])
    text = _check(
        fig,
        "Medellivslängd vid födelsen, män 2020–2024",
        "95\u00a0% konfidensintervall",
        "Säkert högre än länet",
        "Falun",
        SYNTHETIC_LABEL,
    )
    assert "kommunen ingår i länet" in text
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels() if t.get_text() == "Falun"]
    bold = [t for t in ax.get_yticklabels() if t.get_text() == "Falun"][0]
    assert bold.get_fontweight() == "bold"


def _flagged_table(demo) -> pd.DataFrame:
    le = demo["le"].copy()
    now = (le["period"] == 2024) & (le["indicator"] == "e0") & (le["sex"] == "kvinnor")
    orsa = now & (le["area_code"] == "2034")
    le.loc[orsa, "flag"] = indicators.FLAG_UNCERTAIN
    le.loc[orsa, "flag_reason"] = "konfidensintervallet (95 %) är bredare än 10 år"
    vansbro = now & (le["area_code"] == "2021")
    le.loc[vansbro, ["value", "ci_lower", "ci_upper"]] = np.nan
    le.loc[vansbro, "flag"] = indicators.FLAG_SUPPRESSED
    le.loc[vansbro, "flag_reason"] = "för liten befolkning"
    return indicators.validate(le)


def test_ranked_ci_draws_flags(demo):
    fig = pl.ranked_ci(_flagged_table(demo), sex="kvinnor")
    text = _check(fig, "Osäker skattning", "Visas inte", "Vansbro (för liten befolkning)")
    ax = fig.axes[0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert "Vansbro" not in names and "Orsa" in names and len(names) == 14
    hollow = [c for c in ax.collections if c.get_gid() == "osaker"]
    assert len(hollow) == 1 and len(hollow[0].get_offsets()) == 1
    assert "(Orsa)" in text


def test_range_ci_over_time(demo):
    fig = pl.range_ci_over_time(demo["range"])
    _check(
        fig,
        "Skillnad mellan kommunerna (år)",
        "Väntad skillnad av slumpen",
        "95\u00a0% KI för högsta minus lägsta",
        SYNTHETIC_LABEL,
    )
    with pytest.raises(DataError):
        pl.range_ci_over_time(demo["range"], indicator="e65")


def test_kommun_map_legend_names_uncertain(demo):
    fig = pl.kommun_map(_flagged_table(demo), "20", sex="kvinnor", highlight="2080")
    text = _check(
        fig,
        "Osäker skattning",
        "Värde saknas/undertryckt",
        "Falun (vald kommun)",
        "konfidensintervallen visas i rangordningen",
        SYNTHETIC_LABEL,
    )
    assert "Medellivslängd vid födelsen, kvinnor 2020–2024" in text
