"""Tests for helpers.report.life_expectancy: the checks, the sections and their facts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers.core import indicators  # noqa: E402
from helpers.core.errors import DataError  # noqa: E402
from helpers.report import education as report_education
from helpers.report import life_expectancy as sections_e0  # noqa: E402
from helpers.report import mortality as sections  # noqa: E402
from helpers.report.section import Section  # noqa: E402
from helpers.stats import lifeexp  # noqa: E402
from helpers.text import narrative  # noqa: E402

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def falun(tmp_path_factory):
    """Falun's life expectancy on demo data, in a fresh project root."""
    root = tmp_path_factory.mktemp("e0_root")
    (root / "data" / "raw").mkdir(parents=True)
    (root / "data" / "processed").mkdir(parents=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOLKHALSA_ROOT", str(root))
        yield sections_e0.kommun_data("2080", "demo", 2024)
    plt.close("all")


def test_checks_pass_and_catch_a_wrong_range(falun):
    sections_e0.check_results(falun)  # the real analysis passes
    ranges = falun.ranges.copy()
    now = (ranges["period"] == falun.period) & (ranges["sex"] == "män")
    ranges.loc[now, "range"] += 0.1
    with pytest.raises(DataError, match="inte högsta minus lägsta kommunvärde") as err:
        sections_e0.check_results(dataclasses.replace(falun, ranges=ranges))
    assert "män" in str(err.value) and "kvinnor" not in str(err.value)


def test_checks_catch_a_missing_kommun_and_a_wrong_difference(falun):
    with pytest.raises(DataError, match="men länet har 16 kommuner"):
        sections_e0.check_results(dataclasses.replace(falun, n_kommuner=16))
    comparison = falun.comparison.copy()
    comparison.loc[comparison["period"] == falun.period, "diff_region"] += 1.0
    with pytest.raises(DataError, match="inte kommunens värde minus länets"):
        sections_e0.check_results(dataclasses.replace(falun, comparison=comparison))


def test_summary_section_numbers_and_facts(falun):
    sec = sections_e0.summary_section(falun)
    assert isinstance(sec, Section) and sec.available
    assert sec.sentences[0] == narrative.compare_sentence(falun.comparison, "kvinnor", 2024)
    assert sec.sentences[1] == narrative.range_sentence(falun.ranges, "kvinnor", 2024)
    table = sec.tables["nyckeltal"]
    c = falun.comparison[(falun.comparison["period"] == 2024)].set_index("sex")
    assert table.loc["Män", "Falun"] == f"{c.loc['män', 'value']:.1f}".replace(".", ",")
    assert table.loc["Kvinnor", "Placering i länet"].endswith("av 15")
    assert sec.notes[0] == "**Nyckeltal 2020–2024** (år)"  # unit from the catalogue
    # The facts are indicator-table rows, and they hold every value in the table.
    assert list(sec.facts.columns) == list(indicators.COLUMNS)
    assert set(sec.facts["period"]) == {2024}
    f = sec.facts.set_index(["area_code", "sex"])["value"]
    assert f[("2080", "män")] == c.loc["män", "value"]
    assert f[("0020", "kvinnor")] == c.loc["kvinnor", "region_value"]
    assert f[("0000", "män")] == c.loc["män", "riket_value"]


def test_figure_sections(falun):
    ts = sections_e0.timeseries_section(falun)
    assert set(ts.figures) == {"tidsserie"}
    assert set(ts.facts["area_code"]) == {"2080", "0020", "0000"}
    assert ts.facts["period"].nunique() == len(lifeexp.periods(falun.table))
    rank = sections_e0.rank_section(falun)
    assert rank.sentences == [
        narrative.rank_sentence(falun.rank, s, 2024) for s in ("kvinnor", "män")
    ]
    rng = sections_e0.range_section(falun, latest=True)
    assert rng.sentences[0] == narrative.range_sentence(falun.ranges, "kvinnor", 2024)
    assert len(rng.sentences) == 4
    change = sections_e0.change_section(falun).tables["förändring"]
    expected = falun.changes.set_index(["area_name", "sex"])["change"]
    assert change.loc["Falun", "Män"] == pytest.approx(expected[("Falun", "män")])
    plt.close("all")


def test_wrong_year_is_a_swedish_error(falun):
    with pytest.raises(DataError, match="Året 1990 finns inte i data"):
        sections_e0.analyse(falun.table, "20", 1990, "2080")


def test_kolada_cannot_serve_the_life_table_sections():
    sec = sections.mortality_section("2080", "kolada", 2024)
    assert not sec.available and sec.figures == {} and sec.facts.empty
    assert sec.sentences == [
        "Datakällan 'kolada' kan inte ge medellivslängd beräknad från antal döda och folkmängd. "
        "Välj en av: demo, scb, referens."
    ]
    edu = report_education.education_section("20", "kolada")
    assert not edu.available
    assert (
        "kan inte ge återstående medellivslängd vid 30 år efter utbildningsnivå" in edu.sentences[0]
    )
    with pytest.raises(DataError, match="Okänd datakälla 'excel'"):
        sections.mortality_section("2080", "excel")
