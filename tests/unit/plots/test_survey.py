"""Tests for helpers.plots.survey: flags drawn visibly, suppressed rows blank with a reason, no small cells."""

from __future__ import annotations

import re

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure

from helpers.core import indicators
from helpers.core.fmt import num
from helpers.plots import scaffold
from helpers.plots import survey as plots_survey
from helpers.report import survey_analysis as survey_report
from unit.report.test_survey_analysis import SOURCE, hand_micro

CELLS = [
    ("2080", 2020, 800, 90),
    ("2080", 2024, 800, 59),  # Falun: 7,4 %
    ("2081", 2020, 400, 60),
    ("2081", 2024, 400, 48),  # Borlänge: 12,0 %
    ("2062", 2020, 300, 30),
    ("2062", 2024, 300, 30),  # Mora: 10,0 %
    ("2084", 2020, 100, 5),
    ("2084", 2024, 100, 0),  # Avesta: 0 % -> "osäker" (p = 0, review)
    ("2085", 2020, 60, 6),
    ("2085", 2024, 60, 1),  # Ludvika: suppressed by NCHS (relative CI width)
    ("2021", 2020, 3, 2),
    ("2021", 2024, 3, 2),  # Vansbro: 3 respondents -> disclosure control
]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def est():
    data = hand_micro(CELLS)
    return data, survey_report.estimate_variable(data, "daily_smoking", source=SOURCE, min_n=5)


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def by_gid(fig: Figure, gid: str) -> list:
    return [a for a in fig.findobj() if getattr(a, "get_gid", lambda: None)() == gid]


def footer(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in fig.texts)


def assert_no_small_cells(fig: Figure) -> None:
    text = "\n".join(texts(fig))
    assert not re.search(r"n = [1-4](?![\d\u00a0])", text), "a count below 5 is shown"
    for small in ("66,7", "(2 av 3)"):
        assert small not in text, small


def test_kommun_bars_flags_reasons_and_disclosure(est):
    data, e = est
    cmp = survey_report.kommun_comparison(data, e, "daily_smoking", direction="lower_is_better")
    fig = plots_survey.kommun_bars(
        e.table, highlight="2080", comparison=cmp, label="Röker dagligen"
    )
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # Shown kommuner sorted by value (0 % first), hidden ones last.
    assert labels[:4] == ["Avesta", "Falun", "Mora", "Borlänge"]
    assert set(labels[4:]) == {"Ludvika", "Vansbro"}
    assert len(by_gid(fig, "solid")) == 3  # one bar per reliable kommun
    hatched = by_gid(fig, "osaker")
    assert len(hatched) == 1 and hatched[0].get_hatch() == plots_survey.HATCH
    assert hatched[0].get_facecolor()[:3] == (1.0, 1.0, 1.0)  # hollow, not coloured like solid
    reasons = [a.get_text() for a in by_gid(fig, "reason")]
    assert len(reasons) == 2
    assert any("färre än 5 svarande (röjandekontroll)" in r for r in reasons)
    assert any("relativ KI-bredd" in r for r in reasons)
    all_text = "\n".join(texts(fig))
    assert "7,4\u00a0%" in all_text and "12,0\u00a0%" in all_text
    assert "n = 800" in all_text and "jämfört med länet" in all_text
    assert "Region Dalarna" in all_text
    assert SOURCE in footer(fig)
    assert "Rader utan stapel" in footer(fig)
    assert "Streckade, ofyllda staplar" in footer(fig)
    assert_no_small_cells(fig)


def test_plots_apply_disclosure_control_themselves(est):
    _, e = est
    raw = e.table.copy()
    vansbro = (raw["area_code"] == "2021") & (raw["sex"] == "totalt") & (raw["group"] == "alla")
    # Undo the control for Vansbro 2024 on purpose, as a careless caller might.
    raw.loc[
        vansbro & (raw["period"] == 2024), ["value", "n", "numerator", "flag", "flag_reason"]
    ] = [
        66.666,
        3.0,
        2.0,
        indicators.FLAG_OK,
        "",
    ]
    fig = plots_survey.kommun_bars(raw, label="Röker dagligen", min_n=5)
    assert_no_small_cells(fig)
    assert any("röjandekontroll" in r.get_text() for r in by_gid(fig, "reason"))
    fig = plots_survey.prevalence_map(raw, "20", label="Röker dagligen", min_n=5)
    assert_no_small_cells(fig)
    assert "Vansbro (färre än 5 svarande (röjandekontroll))" in footer(fig).replace("\n", " ")
    # A higher threshold hides more: Ludvika's 60 respondents with min_n = 100.
    fig = plots_survey.kommun_bars(e.table, label="Röker dagligen", min_n=100)
    assert "n = 60" not in "\n".join(texts(fig))
    # Ludvika's n is hidden already at min_n = 5 (1 yes-answer; the old rule showed n = 60).
    # Falun (59 of 800), Borlänge (48 of 400), Mora (30 of 300): fewer than 100 yes-answers and
    # unweighted shares that give the count, so hidden too (the old rule drew them with n).
    reasons = [r.get_text() for r in by_gid(fig, "reason") if "färre än 100" in r.get_text()]
    assert (
        reasons.count(
            "redovisas inte: färre än 100 ja- eller nej-svar, och andelen skulle visa antalet "
            "(röjandekontroll)"
        )
        == 3
    )


def test_group_bars_labels(est):
    _, e = est
    fig = plots_survey.group_bars(e.table, "2080", label="Röker dagligen")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["Totalt", "Kvinnor", "Män", "Förgymnasial", "Gymnasial", "Eftergymnasial"]
    assert "Falun 2024" in fig.axes[0].get_title(loc="left")
    assert_no_small_cells(fig)


def test_change_points_show_counts_and_reasons(est):
    _, e = est
    ch = survey_report.change_table(e, 2020, 2024)
    fig = plots_survey.change_points(ch, highlight="0020", label="Röker dagligen")
    all_text = "\n".join(texts(fig))
    falun = ch[ch["area_code"] == "2080"].iloc[0]
    assert num(falun["diff_pp"], 1) in all_text  # −3,9
    assert "(59 av 800)" in all_text
    assert any("relativ KI-bredd" in r.get_text() for r in by_gid(fig, "reason"))
    assert "korsar nollstrecket" in footer(fig).replace("\n", " ")
    assert SOURCE in footer(fig)
    assert_no_small_cells(fig)


def test_prevalence_map_reuses_choropleth(est):
    _, e = est
    fig = plots_survey.prevalence_map(e.table, "20", highlight="2080", label="Röker dagligen")
    ax = fig.axes[0]
    gids = {c.get_gid() for c in ax.collections}
    assert {"solid", "osaker", "saknas", "highlight"} <= gids
    unc = next(c for c in ax.collections if c.get_gid() == "osaker")
    assert unc.get_hatch() == scaffold.UNCERTAIN_HATCH  # grey and hatched, never coloured as solid
    assert "Röker dagligen, 2024" in ax.get_title(loc="left")
    text = footer(fig).replace("\n", " ")
    assert "Redovisas inte:" in text and "Ludvika (relativ KI-bredd" in text
    assert SOURCE in text
    assert_no_small_cells(fig)


def test_response_chart(est):
    data, _ = est
    pattern = survey_report.response_pattern(data, min_n=5)
    fig = plots_survey.response_chart(pattern, source=SOURCE)
    assert by_gid(fig, "respondents") and by_gid(fig, "population")
    all_text = "\n".join(texts(fig))
    assert "kvot" in all_text and "Vägd andel (vikterna)" in all_text
    assert "Kvinnor 16–29 år" in [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert SOURCE in footer(fig)
    # A single small kommun: its cells are hidden with the reason.
    tiny = survey_report.response_pattern(data, kommuner=["2021"], year=2024, min_n=5)
    fig = plots_survey.response_chart(tiny, block="utbildning", source=SOURCE)
    assert by_gid(fig, "reason")
    assert not by_gid(fig, "respondents")  # every cell of a 3-respondent kommun is hidden
    assert_no_small_cells(fig)


def test_empty_input_is_a_clear_error(est):
    _, e = est
    from helpers.core.errors import DataError

    with pytest.raises(DataError):
        plots_survey.prevalence_bars(e.table.iloc[0:0])
    with pytest.raises(DataError):
        plots_survey.change_points(pd.DataFrame())
