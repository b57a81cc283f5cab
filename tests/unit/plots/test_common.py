"""Tests for helpers.plots.common: figures, Swedish labels, decimal commas, source line, uncertainty."""

from __future__ import annotations

import matplotlib
import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from helpers.core import geo, indicators
from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.plots import common as plots
from helpers.plots import maps, scaffold
from helpers.stats import lifeexp
from unit.stats.test_lifeexp import hand_table

SOURCE = "Källa: testdata"
KOMMUNER = {"2080": "Falun", "2081": "Borlänge", "2062": "Mora", "2021": "Vansbro"}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def ci_table() -> pd.DataFrame:
    """Seven periods, four kommuner with 95 % CIs, one uncertain and one suppressed value."""
    rows = []
    areas = {**KOMMUNER, "0020": "Region Dalarna", "0000": "Riket"}
    for i, (code, name) in enumerate(areas.items()):
        area_type = "riket" if code == "0000" else "region" if code == "0020" else "kommun"
        for sex, base in (("kvinnor", 84.0), ("män", 80.0)):
            for period in range(2018, 2025):
                value = base + 0.3 * i + 0.1 * (period - 2018)
                half = 0.0 if area_type != "kommun" else 0.6 + 0.1 * i
                rows.append(
                    {
                        "area_code": code,
                        "area_name": name,
                        "area_type": area_type,
                        "period": period,
                        "period_label": f"{period - 4}–{period}",
                        "sex": sex,
                        "indicator": "N00925" if sex == "kvinnor" else "N00923",
                        "value": value,
                        "ci_lower": value - half if half else np.nan,
                        "ci_upper": value + half if half else np.nan,
                        "ci_level": 0.95 if half else np.nan,
                        "flag": indicators.FLAG_OK if half else indicators.FLAG_NOT_ASSESSED,
                    }
                )
    df = pd.DataFrame(rows)
    unc = (df["area_code"] == "2080") & (df["period"] == 2022)
    df.loc[unc, "flag"] = indicators.FLAG_UNCERTAIN
    sup = (df["area_code"] == "2080") & (df["period"] == 2020)
    df.loc[sup, ["value", "ci_lower", "ci_upper"]] = np.nan
    df.loc[sup, "flag"] = indicators.FLAG_SUPPRESSED
    return indicators.make(df, source=SOURCE)


@pytest.fixture
def demo_table(tmp_root):
    from helpers.sources import life_expectancy as data

    return data.life_expectancy("demo", lan_code="20")


def texts(fig: Figure) -> list[str]:
    """Every text in the figure: figure texts, titles, labels, legends, annotations."""
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def footer(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in fig.texts)


def tick_texts(fig: Figure, axis: str, ax=None) -> list[str]:
    fig.canvas.draw()
    ax = ax or fig.axes[0]
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in labels if t.get_text()]


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


def by_gid(ax, gid: str) -> list:
    return [a for a in ax.findobj() if a.get_gid() == gid]


# -- every function: Figure, Swedish labels, decimal commas, demo label, ax ----------------------
def test_timeseries_demo(demo_table):
    fig = plots.timeseries(demo_table, highlight="2080")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Medellivslängd (år)"
    assert ax.get_xlabel() == "Periodens sista år (2024 = 2020–2024)"
    assert "Falun, länet och riket" in ax.get_title(loc="left")
    assert {"Kvinnor", "Män"} <= set(texts(fig))
    assert legend_texts(ax) == ["Falun", "Region Dalarna", "Riket"]
    ticks = tick_texts(fig, "y")
    assert ticks and all("," in t and "." not in t for t in ticks)
    assert SYNTHETIC_LABEL in footer(fig)
    assert scaffold.NOTE_NOT_ASSESSED in footer(fig)


def test_range_over_time_demo(demo_table):
    r = lifeexp.county_range(demo_table, "20")
    fig = plots.range_over_time(r)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Skillnad mellan kommunerna (år)"
    assert "skillnad mellan länets kommuner" in ax.get_title(loc="left")
    assert all("," in t for t in tick_texts(fig, "y"))
    assert SYNTHETIC_LABEL in footer(fig)
    last = r[r["period"] == 2024].set_index("sex")
    all_text = "\n".join(texts(fig))
    for sex in ("kvinnor", "män"):
        assert f"längst: {last.loc[sex, 'max_kommun']}" in all_text
        assert f"kortast: {last.loc[sex, 'min_kommun']}" in all_text
    assert ax.get_ylim()[0] == 0


def test_ranked_bars_demo(demo_table):
    fig = plots.ranked_bars(demo_table, highlight="2080", sex="kvinnor")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Medellivslängd (år)"
    assert ax.get_title(loc="left") == "Medellivslängd, kvinnor 2020–2024"
    assert all("," in t for t in tick_texts(fig, "x"))
    names = [t.get_text() for t in ax.get_yticklabels()]
    ranks = lifeexp.county_ranks(lifeexp.select(demo_table, 2024, "kvinnor"))
    assert names == ranks["area_name"].tolist()  # longest at the top
    bold = [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["Falun"]
    assert any(t.startswith("Region Dalarna ") and "," in t for t in legend_texts(ax))
    assert SYNTHETIC_LABEL in footer(fig)


def test_ranked_bars_needs_one_sex(demo_table):
    from helpers.core.errors import DataError

    with pytest.raises(DataError, match="Välj ett kön"):
        plots.ranked_bars(demo_table)


def test_choropleth_demo(demo_table):
    gdf = geo.join_kommuner(lifeexp.select(demo_table, 2024, "män"), "20")
    fig = maps.choropleth(gdf, highlight="2080")
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Medellivslängd, män 2020–2024"
    labels = legend_texts(ax)
    classes = [t for t in labels if "–" in t]
    assert classes and all("," in t and "." not in t for t in classes)
    assert "Falun (vald kommun)" in labels
    assert by_gid(ax, "highlight")
    assert SYNTHETIC_LABEL in footer(fig)
    assert "Klassindelning" in footer(fig)


def test_passing_ax_draws_on_it(demo_table):
    fig, axes = plt.subplots(2, 2, figsize=(12, 10), layout="constrained")
    r = lifeexp.county_range(demo_table, "20")
    gdf = geo.join_kommuner(lifeexp.select(demo_table, 2024, "kvinnor"), "20")
    assert plots.timeseries(demo_table, "2080", ax=axes[0, 0]) is fig
    assert plots.range_over_time(r, ax=axes[0, 1]) is fig
    assert plots.ranked_bars(demo_table, "2080", ax=axes[1, 0], sex="män") is fig
    assert maps.choropleth(gdf, ax=axes[1, 1]) is fig
    assert len(fig.axes) == 4
    for ax in axes.flat:
        assert ax.lines or ax.collections
    # One shared footer: the source line appears once, not once per chart.
    assert sum(SYNTHETIC_LABEL in t.get_text() for t in fig.texts) == 1


# -- uncertainty -----------------------------------------------------------------------------------
def test_timeseries_ci_band_uncertain_hollow_and_gap():
    t = ci_table()
    fig = plots.timeseries(t, highlight="2080")
    ax = fig.axes[0]
    assert by_gid(ax, "ci-band"), "CI band drawn"
    hollow = by_gid(ax, "osaker")
    assert len(hollow) == 2  # kvinnor and män, 2022
    for line in hollow:
        assert mcolors.same_color(line.get_markerfacecolor(), "white")
        np.testing.assert_array_equal(line.get_xdata(), [2022.0])
    kommun_line = by_gid(ax, "line-kommun-kvinnor")[0]
    y = np.asarray(kommun_line.get_ydata(), dtype=float)
    x = np.asarray(kommun_line.get_xdata(), dtype=float)
    assert np.isnan(y[x == 2020]).all(), "suppressed value is a gap, not a point"
    assert "95\u00a0% konfidensintervall" in legend_texts(ax)
    assert scaffold.LABEL_UNCERTAIN in legend_texts(ax)
    text = footer(fig)
    assert "Luckor i linjerna" in text and "Falun, kvinnor: 2020" in text
    assert scaffold.NOTE_UNCERTAIN_CHART in text
    assert SOURCE in text and SYNTHETIC_LABEL not in text


def test_ranked_bars_whiskers_and_hollow_uncertain():
    t = ci_table()
    fig = plots.ranked_bars(t, highlight="2081", period=2022, sex="män")
    ax = fig.axes[0]
    whiskers = [a for a in by_gid(ax, "ci-whisker") if isinstance(a, LineCollection)]
    assert len(whiskers) == 4
    segment = whiskers[0].get_segments()[0]
    assert segment[0][0] < segment[1][0]  # a horizontal interval around the value
    solid = by_gid(ax, "solid")[0]
    hollow = by_gid(ax, "osaker")[0]
    assert len(hollow.get_offsets()) == 1 and len(solid.get_offsets()) == 3
    assert all(mcolors.same_color(c, "white") for c in hollow.get_facecolors())
    assert not any(mcolors.same_color(c, "white") for c in solid.get_facecolors())
    assert scaffold.LABEL_UNCERTAIN in legend_texts(ax)
    assert "Osäkerhet ej angiven" not in footer(fig)  # kommun values have CIs


def test_ranked_bars_missing_value_listed_not_ranked():
    t = ci_table()
    fig = plots.ranked_bars(t, period=2020, sex="kvinnor")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "Falun"
    assert "saknas" in texts(fig)
    assert "Värde saknas eller är undertryckt för Falun" in footer(fig)


def test_choropleth_uncertain_hatched_grey_and_missing_white():
    t = hand_table()
    gdf = geo.join_kommuner(lifeexp.select(t, 2024, "män"), "20")
    fig = maps.choropleth(gdf, highlight="2081")
    ax = fig.axes[0]
    unc = by_gid(ax, "osaker")
    assert len(unc) == 1 and len(unc[0].get_paths()) == 1
    assert unc[0].get_hatch() == scaffold.UNCERTAIN_HATCH
    grey = unc[0].get_facecolors()[0]
    assert mcolors.same_color(grey, scaffold.UNCERTAIN_FACE)
    solid = by_gid(ax, "solid")[0]
    assert len(solid.get_paths()) == 3
    assert not solid.get_hatch()
    assert not any(mcolors.same_color(c, grey) for c in solid.get_facecolors())
    missing = by_gid(ax, "saknas")[0]
    assert len(missing.get_paths()) == 11  # the county's other kommuner have no value
    labels = legend_texts(ax)
    assert scaffold.LABEL_UNCERTAIN in labels and scaffold.LABEL_MISSING in labels
    text = footer(fig)
    assert "(Borlänge)" in text and "Vita kommuner" in text
    assert "Borlänge (vald kommun)" in labels


def test_range_over_time_marks_missing_and_uncertain():
    r = lifeexp.county_range(hand_table())
    fig = plots.range_over_time(r)
    ax = fig.axes[0]
    hollow = by_gid(ax, "osaker")
    assert len(hollow) == 1 and list(hollow[0].get_xdata()) == [2024.0]
    text = footer(fig)
    assert "Kommuner utan värde ingår inte i skillnaden" in text
    assert "Vansbro (2023)" in text and "Borlänge (2023)" in text
    assert scaffold.NOTE_NOT_ASSESSED in text


def test_footer_survives_figure_without_layout_engine():
    fig, ax = plt.subplots()
    assert fig.get_layout_engine() is None
    plots.range_over_time(lifeexp.county_range(hand_table()), ax=ax)
    assert fig.subplotpars.bottom > 0.2
    assert SOURCE in footer(fig)


def test_not_assessed_footnote_only_for_values_without_an_interval():
    from helpers.plots import scaffold

    rows = pd.DataFrame(
        {
            "value": [12.0, 14.0],
            "ci_lower": [10.5, float("nan")],
            "ci_upper": [13.5, float("nan")],
            "flag": ["ej bedömd", "tillförlitlig"],
        }
    )
    # Kolada KPI with Osäkerhetstal: not assessed by a standard, but the source gives a CI
    assert scaffold.not_assessed(rows) is False
    rows.loc[1, "flag"] = "ej bedömd"  # a value without any interval: the footnote applies
    assert scaffold.not_assessed(rows) is True
