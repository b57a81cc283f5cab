"""Every output path shows survey numbers only after the one disclosure rule.

The case is the issue's: Säter, 118 respondents of whom 3 smoke ("118 svarande,
3 ja"), plus a kommun with 3 respondents. For each path – the report's display
tables, the figure data of :mod:`helpers.plots.survey`, the explorer's table and
CSV export, and the facts the runner writes (:func:`helpers.report.facts.to_csv`)
– neither the small cell's counts nor its n appear, and nothing below ``min_n``
does.
"""

from __future__ import annotations

import io
import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from helpers.core import indicators
from helpers.core.fmt import excel_csv
from helpers.explorer import explore, indicator_tables, specs
from helpers.explorer import tables as explorer_tables
from helpers.plots import survey as plots_survey
from helpers.report import facts, survey_tables
from helpers.report import survey_analysis as survey_report
from unit.report.test_survey_analysis import SOURCE, hand_micro

MIN_N = 5
SMOKING = specs.INDICATORS["daglig_rokning"]
CELLS = [
    ("2080", 2020, 800, 90),
    ("2080", 2024, 800, 59),
    ("2081", 2020, 400, 60),
    ("2081", 2024, 400, 48),
    ("2062", 2020, 300, 30),
    ("2062", 2024, 300, 36),
    ("2082", 2020, 118, 12),
    ("2082", 2024, 118, 3),  # Säter: "118 svarande, 3 ja"
    ("2021", 2020, 3, 2),
    ("2021", 2024, 3, 2),  # Vansbro: 3 respondents
]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def micro() -> pd.DataFrame:
    data = hand_micro(CELLS)
    # calibration-like weights, so that a share is not simply yes / n
    data["weight"] = 1.0 + (np.arange(len(data)) % 3) * 0.35
    return data


@pytest.fixture(scope="module")
def est(micro):
    return survey_report.estimate_variable(micro, "daily_smoking", source=SOURCE, min_n=MIN_N)


def _numbers(text: str) -> list[int]:
    return [
        int(x.replace("\u00a0", "").replace(" ", "")) for x in re.findall(r"\d[\d\u00a0 ]*", text)
    ]


def _small(n: float, yes: float) -> bool:
    """A count the rule must never show: n below min_n, or 1 … min_n − 1 yes- or no-answers."""
    if pd.notna(n) and n < MIN_N:
        return True
    if pd.notna(n) and pd.notna(yes):
        return 1 <= yes < MIN_N or 1 <= n - yes < MIN_N
    return pd.notna(yes) and 1 <= yes < MIN_N


def test_the_case_leaks_without_the_rule(micro):
    """The raw estimates really hold the counts the rule must hide (the test is not empty)."""
    raw = survey_report.estimate_variable(micro, "daily_smoking", source=SOURCE, min_n=1).table
    s = raw[(raw["area_code"] == "2082") & (raw["sex"] == "totalt") & (raw["group"] == "alla")]
    s = s.set_index("period")
    assert s.loc[2024, "n"] == 118 and s.loc[2024, "numerator"] == 3
    assert s.loc[2024, "value"] != pytest.approx(100 * 3 / 118)  # weighted


def test_report_display_tables(est):
    shown = survey_tables.display_table(est.table, min_n=MIN_N)
    n = pd.to_numeric(shown["Svarande (n)"].str.replace("\u00a0", ""), errors="coerce")
    yes = pd.to_numeric(shown["Ja-svar"].str.replace("\u00a0", ""), errors="coerce")
    assert not any(_small(a, b) for a, b in zip(n, yes, strict=True))
    sater = shown[(shown["Område"] == "Säter") & (shown["Period"] == "2024")]
    sater = sater[(sater["Kön"] == "Totalt") & (sater["Grupp"] == "Alla")].iloc[0]
    assert sater["Svarande (n)"] == "" and sater["Ja-svar"] == ""
    assert "röjandekontroll" in sater["Förklaring"]
    vansbro = shown[shown["Område"] == "Vansbro"]
    assert (vansbro.iloc[:, 4] == "").all() and (vansbro["Svarande (n)"] == "").all()
    # the change table: "yes/n" never shows Säter's 3 of 118
    changes = survey_report.change_table(est, 2020, 2024, min_n=MIN_N)
    text = survey_tables.change_display(changes, min_n=MIN_N).to_string()
    assert "3/118" not in text and "/118" not in text and "2/3" not in text


def test_figure_data_of_plots_survey(est):
    def texts(fig):
        return "\n".join(t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text())

    fig = plots_survey.kommun_bars(est.table, label="Röker dagligen", min_n=MIN_N)
    text = texts(fig)
    assert "n = 118" not in text and not re.search(r"n = [1-4](?![\d\u00a0])", text)
    assert "n = 800" in text  # Falun's counts are fine
    changes = survey_report.change_table(est, 2020, 2024, min_n=MIN_N)
    text = texts(plots_survey.change_points(changes, label="Röker dagligen", min_n=MIN_N))
    assert "av 118" not in text and "(3 av" not in text
    assert "(59 av 800)" in text
    # a careless caller who undoes the control: the plot applies the rule itself
    raw = est.table.copy()
    i = raw.index[
        (raw["area_code"] == "2082") & (raw["period"] == 2024) & (raw["sex"] == "totalt")
        & (raw["group"] == "alla")
    ][0]  # fmt: skip
    raw.loc[i, ["value", "n", "numerator", "flag", "flag_reason"]] = [
        4.1, 118.0, 3.0, indicators.FLAG_OK, "",
    ]  # fmt: skip
    text = texts(plots_survey.kommun_bars(raw, label="Röker dagligen", min_n=MIN_N))
    assert "n = 118" not in text


def test_explorer_table_and_csv_export(micro):
    table = indicator_tables.survey_indicator(micro, SMOKING, SOURCE, {"disclosure": {"min_n": 5}})
    frame = explore.display_frame(table, SMOKING, "2082", "totalt", 2024, "lan")
    csv = excel_csv(explorer_tables.export_frame(frame, {"disclosure": {"min_n": 5}}))
    out = pd.read_csv(io.BytesIO(csv), sep=";", decimal=",", encoding="utf-8-sig", dtype=str)
    sater = out[out["area_code"] == "2082"].iloc[0]
    assert pd.isna(sater["n"]) and pd.isna(sater["numerator"]) and pd.isna(sater["denominator"])
    n = pd.to_numeric(out["n"], errors="coerce")
    yes = pd.to_numeric(out["numerator"], errors="coerce")
    assert not any(_small(a, b) for a, b in zip(n, yes, strict=True))
    html = explorer_tables.table_html(frame, SMOKING, params={"disclosure": {"min_n": 5}})
    assert "118 svarande" not in html and ", 3 ja" not in html
    # an uncontrolled frame (a careless caller) is controlled on export and on screen
    leaky = frame.copy()
    leaky.loc[leaky["area_code"] == "2082", ["n", "numerator", "denominator"]] = [118, 3, 118]
    csv = excel_csv(explorer_tables.export_frame(leaky, None)).decode("utf-8-sig")
    row = next(line for line in csv.splitlines() if ";2082;" in line)
    assert ";118;" not in row and ";3;" not in row
    assert "118 svarande" not in explorer_tables.table_html(leaky, SMOKING)


def test_facts_written_by_the_runner(tmp_path):
    rows = [
        ("2082", "Säter", 118.0, 3.0, 4.1, indicators.FLAG_OK),
        ("2021", "Vansbro", 3.0, 2.0, 66.7, indicators.FLAG_OK),  # a careless caller
        ("2080", "Falun", 800.0, 59.0, 7.4, indicators.FLAG_OK),
    ]
    df = pd.DataFrame(rows, columns=["area_code", "area_name", "n", "numerator", "value", "flag"])
    df = df.assign(
        area_type="kommun", period=2024, indicator="daglig_rokning", denominator=df["n"],
        ci_lower=df["value"] - 1, ci_upper=df["value"] + 1, ci_level=0.95, source=SOURCE,
    )  # fmt: skip
    f = facts.combine([("Levnadsvanor", indicators.make(df))])
    path = facts.to_csv(f, tmp_path / "fakta.csv")
    back = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype={"area_code": str})
    back = back.set_index("area_code")
    assert back.loc["2082", ["n", "numerator", "denominator"]].isna().all()
    assert back.loc["2082", "value"] == 4.1  # weighted share that does not give the count
    assert back.loc["2021", ["value", "n", "numerator", "ci_lower"]].isna().all()
    assert back.loc["2021", "flag"] == indicators.FLAG_SUPPRESSED
    assert back.loc["2080", "n"] == 800 and back.loc["2080", "numerator"] == 59
    text = path.read_text(encoding="utf-8-sig")
    assert "66,7" not in text and ";118;" not in text
