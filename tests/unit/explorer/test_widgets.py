"""Tests for helpers.explorer.explore (pure preparation) and helpers.explorer.widgets (the explorer, no browser).

The explorer is driven the way a user drives it – by changing the widgets'
values – and the tests check the resulting table, figure texts and files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.core import indicators, lookup, paths
from helpers.core.cache import RawCache
from helpers.core.errors import DataError
from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.explorer import explore, indicator_tables, loading, specs
from helpers.explorer import tables as explorer_tables
from helpers.explorer.widgets import Explorer
from helpers.sources import life_expectancy as data
from helpers.sources.demo import survey as demo_survey
from helpers.stats import lifetable_pooling, lifetable_scb, survey, survey_compare

LE = specs.INDICATORS["medellivslangd"]
SMOKING = specs.INDICATORS["daglig_rokning"]


def texts(fig) -> list[str]:
    """Every text drawn on a figure (titles, labels, legend, footer)."""
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]


def rows(spec, entries) -> pd.DataFrame:
    """A small indicator table: entries are (area_code, period, value, flag[, n])."""
    names = lookup.areas().set_index("area_code")
    frame = pd.DataFrame(
        [
            {
                "area_code": code,
                "area_name": names.loc[code, "area_name"],
                "area_type": names.loc[code, "area_type"],
                "period": period,
                "sex": "totalt",
                "indicator": spec.indicator_ids[0],
                "value": value,
                "flag": flag,
                "n": entry[4] if len(entry) > 4 else np.nan,
                "source": "t",
            }
            for entry in entries
            for code, period, value, flag in [entry[:4]]
        ]
    )
    return indicators.make(frame)


@pytest.fixture(autouse=True)
def _fresh_explorer_cache():
    loading.clear_cache()
    yield
    loading.clear_cache()


# -- explore: options -----------------------------------------------------------------------------
def test_indicators_on_offer_depend_on_the_data_source():
    demo_keys = {s.key for s in specs.available_indicators("demo")}
    kolada_keys = {s.key for s in specs.available_indicators("kolada")}
    with_extract = {s.key for s in specs.available_indicators("kolada", survey_extract=True)}
    assert {"medellivslangd", "medellivslangd_ki", "daglig_rokning", "kolada_U01405"} <= demo_keys
    assert "medellivslangd" in kolada_keys
    assert "daglig_rokning" not in kolada_keys and "medellivslangd_ki" not in kolada_keys
    assert "daglig_rokning" in with_extract
    with pytest.raises(DataError, match="Okänd indikator"):
        specs.indicator_spec("finns_inte")


def test_options_for_the_controls():
    dalarna = explore.kommun_options("20")
    assert len(dalarna) == 15 and ("Falun", "2080") in dalarna
    assert [n for n, _ in dalarna] == sorted((n for n, _ in dalarna), key=str.lower)
    assert len(explore.county_options()) == 21
    table = rows(LE, [("2080", 2023, 84.0, "ej bedömd"), ("2080", 2024, 84.5, "ej bedömd")])
    assert explore.sex_options(table) == [("Totalt", "totalt")]
    assert explore.period_options(table) == [("2023", 2023), ("2024", 2024)]
    assert specs.lower_first("Riskabla alkoholvanor (AUDIT-C)") == "riskabla alkoholvanor (AUDIT-C)"


def test_coverage_message_names_the_counties_with_data():
    table = rows(SMOKING, [("2080", 2024, 6.0, "tillförlitlig")])
    assert explore.coverage_message(table, SMOKING, "20") == ""
    msg = explore.coverage_message(table, SMOKING, "01")
    assert "Stockholms län" in msg and "Dalarnas län" in msg


# -- explore: views -----------------------------------------------------------------------------------
COUNTY = [
    ("2080", 2024, 84.0, "ej bedömd"),
    ("2081", 2024, 83.0, "ej bedömd"),
    ("2085", 2024, np.nan, "saknas"),
    ("2062", 2024, 85.0, "ej bedömd"),
    ("0020", 2024, 83.8, "ej bedömd"),
    ("0000", 2024, 84.2, "ej bedömd"),
    ("0180", 2024, 86.0, "ej bedömd"),
    ("1480", 2024, 82.0, "ej bedömd"),
    ("1280", 2024, np.nan, "saknas"),
    ("2080", 2023, 83.5, "ej bedömd"),
    ("0180", 2023, np.nan, "saknas"),
    ("1480", 2023, np.nan, "saknas"),
    ("1280", 2023, np.nan, "saknas"),
    ("0020", 2023, 83.4, "ej bedömd"),
    ("0000", 2023, 84.0, "ej bedömd"),
]


def test_comparison_frame_holds_the_kommun_and_its_comparisons():
    table = rows(LE, COUNTY)
    both = explore.comparison_frame(table, LE, "2080", "totalt", "lan_riket")
    assert list(dict.fromkeys(both["role"])) == ["kommun", "lan", "riket"]
    assert set(both.loc[both["role"] == "lan", "area_code"]) == {"0020"}
    only_riket = explore.comparison_frame(table, LE, "2080", "totalt", "riket")
    assert set(only_riket["role"]) == {"kommun", "riket"}
    with pytest.raises(DataError, match="Okänd jämförelse"):
        explore.comparison_frame(table, LE, "2080", "totalt", "grannar")
    with pytest.raises(DataError, match="Borlänge har inga värden"):
        explore.comparison_frame(table, LE, "2081", "kvinnor")
    no_riket = table[table["area_code"] != "0000"]
    frame = explore.comparison_frame(no_riket, LE, "2080", "totalt")
    assert explore.missing_comparisons(frame, "lan_riket") == ["Riket"]


def test_peer_mean_uses_only_usable_values_and_never_zero():
    table = rows(LE, COUNTY)
    peers = explore.peer_mean(table, LE, "totalt", ["0180", "1480", "1280"])
    p24 = peers.set_index("period").loc[2024]
    assert p24["value"] == pytest.approx((86.0 + 82.0) / 2)
    assert p24["n_members"] == 2 and p24["flag"] == indicators.FLAG_NOT_ASSESSED
    assert "2 av 3 liknande kommuner" in p24["flag_reason"]
    p23 = peers.set_index("period").loc[2023]
    assert np.isnan(p23["value"]) and p23["flag"] == indicators.FLAG_MISSING
    frame = explore.comparison_frame(table, LE, "2080", "totalt", "liknande", ["0180", "1480"])
    assert set(frame["role"]) == {"kommun", "liknande"}
    assert explore.missing_comparisons(frame, "liknande") == []
    alone = explore.comparison_frame(table, LE, "2080", "totalt", "liknande", [])
    assert set(alone["role"]) == {"kommun"}
    assert explore.missing_comparisons(alone, "liknande") == ["Liknande kommuner"]


def test_chart_frame_draws_the_peer_mean_in_the_national_slot():
    table = rows(LE, COUNTY)
    frame = explore.comparison_frame(table, LE, "2080", "totalt", "liknande", ["0180", "1480"])
    drawn = explore.chart_frame(frame)
    peer = drawn[drawn["area_name"].str.startswith("Liknande kommuner")]
    assert set(peer["area_code"]) == {"0000"} and set(peer["area_type"]) == {"riket"}
    assert "role" not in drawn.columns
    assert set(frame.loc[frame["role"] == "liknande", "area_code"]) == {"liknande"}


def test_display_frame_orders_kommun_comparisons_then_county_by_value():
    table = rows(LE, COUNTY)
    shown = explore.display_frame(table, LE, "2080", "totalt", 2024)
    assert shown["area_code"].tolist() == ["2080", "0020", "0000", "2062", "2081", "2085"]
    assert shown["role_label"].tolist()[:3] == ["Vald kommun", "Länet", "Riket"]
    assert shown.loc[5, "flag"] == "saknas"  # missing value last, flag kept
    with_peers = explore.display_frame(
        table, LE, "2080", "totalt", 2024, "liknande", ["0180", "1480"]
    )
    assert with_peers["role"].tolist()[:4] == [
        "kommun",
        "liknande",
        "liknande_kommun",
        "liknande_kommun",
    ]
    with pytest.raises(DataError, match="inget värde för perioden 2020"):
        explore.display_frame(table, LE, "2080", "totalt", 2020)


def test_map_frame_is_one_row_per_county_kommun():
    table = rows(LE, COUNTY)
    m = explore.map_frame(table, LE, "20", "totalt", 2024)
    assert sorted(m["area_code"]) == ["2062", "2080", "2081", "2085"]


def test_significance_is_shown_only_for_visible_values():
    table = rows(
        SMOKING,
        [
            ("2080", 2024, 6.0, "tillförlitlig", 400),
            ("2081", 2024, np.nan, "undertryckt", 150),
            ("0020", 2024, 6.5, "tillförlitlig", 3000),
        ],
    )
    sig = pd.DataFrame(
        {
            "area_code": ["2080", "2081"],
            "sex": "totalt",
            "period": 2024,
            "diff_pp": [-0.5, 3.0],
            "verdict": ["likartad", "sämre"],
        }
    )
    shown = explore.display_frame(table, SMOKING, "2080", "totalt", 2024, "lan", None, sig)
    by_code = shown.set_index("area_code")["vs_county"]
    assert by_code["2080"] == "likartad (−0,5 procentenheter)"
    assert by_code["2081"] == ""  # the value is hidden, so is the comparison
    formatted = explorer_tables.format_frame(shown, SMOKING)
    assert list(formatted.columns)[-3:] == ["Jämfört med länet", "Flagga", "Skäl"]
    assert formatted.loc[0, "Värde (%)"] == "6,0"
    assert formatted.loc[0, "Underlag"] == "400 svarande"


def test_table_html_shows_flag_and_reason_with_stable_markers():
    table = rows(LE, COUNTY)
    shown = explore.display_frame(table, LE, "2080", "totalt", 2024)
    shown.loc[0, "flag_reason"] = "Källan anger ingen osäkerhet"
    out = explorer_tables.table_html(shown, LE, caption="Medellivslängd – Falun")
    assert 'data-testid="explorer-table"' in out and 'data-kommun="2080"' in out
    assert 'data-column="flag"' in out and 'data-column="flag_reason"' in out
    assert "84,0" in out and "Källan anger ingen osäkerhet" in out
    assert 'data-flag="saknas"' in out and "Flaggor:" in out
    assert out.index("Falun") < out.index("Region Dalarna") < out.index("Mora")


# -- explore: export ------------------------------------------------------------------------------------
def test_export_frame_applies_disclosure_control_and_blanks_comparisons():
    table = rows(
        SMOKING,
        [
            ("2080", 2024, 6.0, "tillförlitlig", 400),
            ("2081", 2024, 9.0, "tillförlitlig", 40),
            ("2062", 2024, 7.0, "tillförlitlig", 300),
            ("0020", 2024, 6.5, "tillförlitlig", 3000),
        ],
    )
    shown = explore.display_frame(table, SMOKING, "2080", "totalt", 2024, "lan")
    shown["vs_county"] = ["likartad", "", "", "högre"]
    out = explorer_tables.export_frame(shown, {"disclosure": {"min_n": 50}})
    # Mora, the smallest other kommun, is hidden too: the county minus the shown kommuner
    # would otherwise give Borlänge's count (complementary suppression over the county).
    mora = out.set_index("area_code").loc["2062"]
    assert np.isnan(mora["value"]) and pd.isna(mora["n"]) and "skydda" in mora["flag_reason"]
    assert out.columns[0] == "jamforelse" and out.columns[-1] == "jamfort_med_lanet"
    hidden = out.set_index("area_code").loc["2081"]
    assert np.isnan(hidden["value"]) and pd.isna(hidden["n"])
    assert (
        hidden["flag"] == indicators.FLAG_SUPPRESSED and "röjandekontroll" in hidden["flag_reason"]
    )
    assert out.set_index("area_code").loc["2080", "n"] == 400
    assert (
        explorer_tables.export_frame(shown, None).set_index("area_code").loc["2081", "value"] == 9.0
    )


def test_export_stem_and_title():
    assert explorer_tables.export_stem(LE, "2023", "kvinnor", 2024) == (
        "medellivslangd_2023_malung-salen_kvinnor_2024"
    )
    assert (
        explorer_tables.title_text(SMOKING, "2080", "män", "2024")
        == "Röker dagligen – Falun, män, 2024"
    )


# -- explore: building tables ---------------------------------------------------------------------------
def _counts(codes, years, deaths_per_age, pop_per_age):
    ages = np.arange(101)
    frames = []
    for code in codes:
        for year in years:
            for sex in ("women", "men"):
                frames.append(
                    pd.DataFrame(
                        {
                            "kommunkod": code,
                            "year": year,
                            "sex": sex,
                            "age": ages,
                            "deaths": deaths_per_age(ages),
                            "population": pop_per_age(ages),
                        }
                    )
                )
    return pd.concat(frames, ignore_index=True)


def test_life_table_indicator_adds_county_and_riket_from_the_kommuner():
    # Two kommuner with identical counts: the same rates, so the same life expectancy
    # in the county and Riket, with a narrower interval (twice the deaths).
    counts = _counts(
        ["2080", "2081"],
        range(2009, 2015),
        lambda a: np.round(0.00005 * np.exp(0.09 * a) * 1000 + (a == 100) * 200),
        lambda a: np.full(len(a), 1000.0),
    )
    deaths = counts.drop(columns="population")[lambda d: d["year"] >= 2010]
    population = counts.drop(columns="deaths")
    table = indicator_tables.life_table_indicator(deaths, population, "test")
    assert set(table["area_code"]) == {"2080", "2081", "0020", "0000"}
    assert set(table["period_label"]) == {"2010–2014"}
    e0 = table.set_index(["area_code", "sex"])
    assert e0.loc[("0020", "kvinnor"), "value"] == pytest.approx(
        e0.loc[("2080", "kvinnor"), "value"]
    )
    width = e0["ci_upper"] - e0["ci_lower"]
    assert width[("0020", "kvinnor")] < width[("2080", "kvinnor")]
    assert e0.loc[("0020", "kvinnor"), "area_name"] == "Region Dalarna"
    # Same as running the life table on the summed counts directly.
    pooled = lifetable_pooling.pool_periods(
        deaths.assign(kommunkod="0020")
        .groupby(["kommunkod", "year", "sex", "age"], as_index=False)
        .sum(),
        population.assign(kommunkod="0020")
        .groupby(["kommunkod", "year", "sex", "age"], as_index=False)
        .sum(),
    )
    direct = lifetable_scb.life_expectancy_scb(pooled)
    assert direct.set_index("sex").loc["kvinnor", "value"] == pytest.approx(
        e0.loc[("0020", "kvinnor"), "value"]
    )
    only = indicator_tables.life_table_indicator(deaths, population, "test", lan_codes=["01"])
    assert set(only["area_code"]) == {"0000"}


@pytest.fixture(scope="module")
def microdata() -> pd.DataFrame:
    return demo_survey.load_survey_demo()[0]


def test_survey_indicator_is_the_design_based_estimate_with_flags(microdata):
    table = indicator_tables.survey_indicator(microdata, SMOKING, SYNTHETIC_LABEL)
    ref = survey.estimate_indicator(
        microdata,
        "daily_smoking",
        "daglig_rokning",
        SYNTHETIC_LABEL,
        levels=("kommun", "lan"),
        group=None,
    ).table
    pd.testing.assert_frame_equal(table, ref)
    assert "0000" not in set(table["area_code"])  # a county extract says nothing about Sweden
    assert set(table["sex"]) == {"totalt", "kvinnor", "män"}
    assert indicators.FLAG_SUPPRESSED in set(table["flag"])
    strict = indicator_tables.survey_indicator(
        microdata, SMOKING, "t", {"disclosure": {"min_n": 200}}
    )
    small = strict[(strict["n"].isna()) & strict["flag_reason"].str.contains("röjandekontroll")]
    assert len(small) > 0
    with pytest.raises(DataError, match="ingen enkätindikator"):
        indicator_tables.survey_indicator(microdata, LE, "t")


def test_survey_significance_agrees_with_compare_with_parent(microdata):
    sig = indicator_tables.survey_significance(microdata, SMOKING)
    ref = survey_compare.compare_with_parent(
        microdata, "daily_smoking", "lan", direction="lower_is_better"
    )
    got = sig[(sig["sex"] == "totalt")].set_index(["area_code", "period"])
    want = ref.assign(area_code=ref["kommun"].astype(str)).set_index(["area_code", "period"])
    assert got.loc[("2080", 2024), "verdict"] == want.loc[("2080", 2024), "verdict"]
    assert set(sig["sex"]) == {"totalt", "kvinnor", "män"}


def test_respondents_vs_population_hand_checked():
    micro = pd.DataFrame(
        {
            "year": 2024,
            "sex": ["kvinnor", "kvinnor", "kvinnor", "män"],
            "weight": [1.0, 1.0, 1.0, 3.0],
        }
    )
    pop = pd.DataFrame({"year": 2024, "sex": ["kvinnor", "män"], "population": [500.0, 500.0]})
    out = explore.respondents_vs_population(micro, pop, by=("sex",)).set_index("sex")
    assert out.loc["kvinnor", "share_respondents"] == pytest.approx(75.0)
    assert out.loc["kvinnor", "share_weighted"] == pytest.approx(50.0)
    assert out.loc["kvinnor", "representation"] == pytest.approx(1.5)
    assert out.loc["män", "representation"] == pytest.approx(0.5)
    with pytest.raises(DataError, match="Året 2020"):
        explore.respondents_vs_population(micro, pop, by=("sex",), year=2020)


def test_older_educated_women_answer_more_often_in_the_demo_survey(microdata):
    pop = demo_survey.load_survey_demo()[1]
    out = explore.respondents_vs_population(microdata, pop, by=("sex", "education"))
    rep = out.set_index(["sex", "education"])["representation"]
    assert rep[("kvinnor", "eftergymnasial")] > 1 > rep[("män", "förgymnasial")]
    age = explore.respondents_vs_population(microdata, pop, by=("age_group",)).set_index(
        "age_group"
    )
    assert age.loc["65–84", "representation"] > 1 > age.loc["16–29", "representation"]


# -- the explorer -------------------------------------------------------------------------------------
def test_explorer_starts_with_the_chosen_kommun():
    ex = Explorer(lan_code="20", kommun="2080")
    assert ex.error is None
    first = ex.table.iloc[0]
    assert (first["area_code"], first["role"], first["sex"]) == ("2080", "kommun", "kvinnor")
    assert int(first["period"]) == 2024
    assert ex.table["flag"].notna().all() and "flag_reason" in ex.table.columns
    drawn = texts(ex.figure)
    assert "Medellivslängd vid födelsen – Falun" in drawn
    assert {"Falun", "Region Dalarna", "Riket"} <= set(drawn)
    assert SYNTHETIC_LABEL in drawn
    assert bytes(ex.chart.value).startswith(b"\x89PNG") and bytes(ex.map.value).startswith(
        b"\x89PNG"
    )
    assert "Falun" in texts(ex.map_figure) and 'data-kommun="2080"' in ex.table_view.value
    assert SYNTHETIC_LABEL in ex.header.value
    assert "explorer-table" in ex.table_view._dom_classes
    assert "explorer-chart" in ex.chart._dom_classes and "explorer-map" in ex.map._dom_classes
    assert "Explorer(" in repr(ex)


def test_changing_the_kommun_updates_table_chart_and_map():
    ex = Explorer(lan_code="20", kommun="2080")
    chart, map_png = ex.chart.value, ex.map.value
    ex.kommun.value = "2081"
    assert ex.table.iloc[0]["area_name"] == "Borlänge"
    assert 'data-kommun="2081"' in ex.table_view.value
    assert "Medellivslängd vid födelsen – Borlänge" in texts(ex.figure)
    assert "Borlänge (vald kommun)" in texts(ex.map_figure)
    assert ex.chart.value != chart and ex.map.value != map_png
    value = data.life_expectancy("demo", lan_code="20")
    want = value[
        (value["area_code"] == "2081") & (value["period"] == 2024) & (value["sex"] == "kvinnor")
    ]
    assert ex.table.iloc[0]["value"] == pytest.approx(float(want["value"].iloc[0]))


def test_changing_sex_period_and_comparison():
    ex = Explorer(lan_code="20", kommun="2080")
    ex.sex.value = "män"
    assert set(ex.table["sex"]) == {"män"} and set(ex.table["indicator"]) == {"N00923"}
    first = min(p for _, p in ex.period.options)  # the demo's earliest five-year period
    assert first < 2024
    ex.period.value = first
    assert set(ex.table["period"]) == {first}
    assert any(
        t.startswith(f"Medellivslängd vid födelsen, män {first - 4}–{first}")
        for t in texts(ex.map_figure)
    )
    ex.comparison.value = "riket"
    assert ex.table["role"].tolist()[:2] == ["kommun", "riket"]
    assert "Region Dalarna" not in texts(ex.figure)
    ex.comparison.value = "liknande"
    assert ex.error is None
    assert "liknande" in set(ex.table["role"])
    assert any(t.startswith("Liknande kommuner (medel av") for t in texts(ex.figure))
    assert any("oviktat medelvärde" in t for t in texts(ex.figure))


def test_survey_indicator_in_the_explorer_has_flags_and_significance():
    ex = Explorer(lan_code="20", kommun="2080")
    ex.indicator.value = "daglig_rokning"
    assert ex.error is None
    assert [s for _, s in ex.sex.options] == ["totalt", "kvinnor", "män"]
    assert ex.sex.value == "kvinnor"  # kept from the previous indicator
    assert [p for _, p in ex.period.options] == [2012, 2016, 2020, 2024]
    ex.sex.value = "totalt"
    assert set(ex.table["indicator"]) == {"daglig_rokning"}
    assert "Andel som röker dagligen (%)" in texts(ex.figure)
    assert "Jämfört med länet" in ex.table_view.value and "svarande" in ex.table_view.value
    assert indicators.FLAG_SUPPRESSED in set(ex.table["flag"])
    suppressed = ex.table[ex.table["flag"] == indicators.FLAG_SUPPRESSED]
    assert suppressed["value"].isna().all() and (suppressed["flag_reason"] != "").all()
    assert any("Riket saknas" in m for m in ex.messages)  # a county's survey has no Riket


def test_county_without_survey_data_says_so():
    ex = Explorer(lan_code="20", kommun="2080", indicator="daglig_rokning")
    ex.county.value = "01"
    assert ex.kommun.value in {c for _, c in explore.kommun_options("01")}
    assert ex.error is not None and "Stockholms län" in ex.error
    assert bytes(ex.chart.value) == b"" and ex.table.empty
    assert "Dalarnas län" in ex.table_view.value
    with pytest.raises(DataError, match="ingen tabell att exportera"):
        ex.export()
    ex.indicator.value = "medellivslangd"
    assert ex.error is None and ex.table.iloc[0]["area_code"] == ex.kommun.value


def test_set_changes_several_controls_with_one_update():
    ex = Explorer(lan_code="20", kommun="2080")
    ex.set(lan_code="03", kommun="0380", indicator="medellivslangd_ki", sex="män", period=2020)
    assert ex.error is None
    first = ex.table.iloc[0]
    assert (first["area_name"], first["sex"], int(first["period"])) == ("Uppsala", "män", 2020)
    assert first["ci_lower"] < first["value"] < first["ci_upper"]
    assert "95\u00a0% konfidensintervall" in texts(ex.figure)
    assert "dödsfall" in ex.table_view.value
    with pytest.raises(DataError, match="Okända inställningar"):
        ex.set(kommunen="2080")
    with pytest.raises(DataError, match="ligger inte i län"):
        ex.set(kommun="2080")


def test_constructor_checks_its_arguments():
    with pytest.raises(DataError, match="finns inte för datakällan"):
        Explorer(data_source="kolada", indicator="daglig_rokning")
    with pytest.raises(DataError, match="ligger inte i län"):
        Explorer(lan_code="01", kommun="2080")
    with pytest.raises(DataError, match="Okänd datakälla"):
        Explorer(data_source="excel")
    with pytest.raises(DataError, match="Datakällan 'scb' kan inte ge utforskarens indikatorer"):
        Explorer(data_source="scb")


def test_export_writes_swedish_csv_and_png(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    ex = Explorer(lan_code="20", kommun="2080", indicator="daglig_rokning", sex="totalt")
    files = ex.export(tmp_path)
    assert set(files) == {"csv", "diagram", "karta"}
    assert files["csv"].name == "daglig_rokning_2080_falun_totalt_2024.csv"
    raw = files["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    back = pd.read_csv(
        files["csv"], sep=";", decimal=",", encoding="utf-8-sig", dtype={"area_code": str}
    )
    assert len(back) == len(ex.table)
    assert {"flag", "flag_reason", "jamforelse", "jamfort_med_lanet"} <= set(back.columns)
    assert back.loc[0, "area_code"] == "2080"
    assert back.loc[0, "value"] == pytest.approx(round(ex.table.iloc[0]["value"], 4))
    hidden = back[back["flag"] == indicators.FLAG_SUPPRESSED]
    assert hidden["value"].isna().all()
    for key in ("diagram", "karta"):
        assert files[key].read_bytes().startswith(b"\x89PNG")
    assert "Sparat" in ex.export_status.value and "data:text/csv;base64," in ex.export_status.value
    monkeypatch.setattr(paths, "reports_dir", lambda: tmp_path / "reports")
    ex.export_button.click()  # the button does the same into reports/export
    assert ex.exported["csv"].parent == tmp_path / "reports" / "export"
    assert ex.exported["csv"].read_bytes() == raw


def test_disclosure_threshold_from_params_reaches_table_and_export(tmp_path: Path):
    ex = Explorer(
        lan_code="20",
        kommun="2080",
        indicator="daglig_rokning",
        sex="kvinnor",
        params={"disclosure": {"min_n": 200}},
        export_dir=tmp_path,
    )
    small = ex.table[ex.table["flag_reason"].str.contains("röjandekontroll")]
    assert len(small) > 0 and small["n"].isna().all()
    assert "200 svarande" in ex.header.value
    files = ex.export()
    assert files["csv"].parent == tmp_path
    back = pd.read_csv(files["csv"], sep=";", decimal=",", encoding="utf-8-sig")
    assert (back["n"].dropna() >= 200).all()


def test_kolada_source_offline_from_cache(monkeypatch: pytest.MonkeyPatch):
    """With data_source="kolada" the explorer shows whatever the (cached) Kolada loader returns."""
    real = data.life_expectancy("demo")
    monkeypatch.setattr(
        data, "life_expectancy", lambda source, *a, **k: real.assign(source="Källa: Kolada")
    )
    ex = Explorer(data_source="kolada", lan_code="20", kommun="2080")
    assert ex.error is None
    assert "Källa: Kolada" in texts(ex.figure) and SYNTHETIC_LABEL not in texts(ex.figure)
    assert SYNTHETIC_LABEL not in ex.header.value
    offered = {k for _, k in ex.indicator.options}
    assert "daglig_rokning" not in offered and "medellivslangd_ki" not in offered
    monkeypatch.setattr(
        loading, "load_peer_groups", lambda source: (_ for _ in ()).throw(OSError("offline"))
    )
    ex.comparison.value = "liknande"
    assert any("Liknande kommuner kunde inte hämtas" in m for m in ex.messages)
    assert ex.error is None and ex.table.iloc[0]["area_code"] == "2080"  # the kommun alone


def test_kolada_indicator_with_uncertainty_interval():
    ex = Explorer(lan_code="20", kommun="2080", indicator="kolada_U01405", sex="totalt")
    assert ex.error is None
    first = ex.table.iloc[0]
    assert first["ci_lower"] < first["value"] < first["ci_upper"]
    assert "Osäkerhetsintervall" in ex.table_view.value


def test_own_survey_extract_with_real_data_source():
    cache = RawCache("demo", SYNTHETIC_LABEL)
    extract, _population = demo_survey.write_survey_demo(cache)
    vmap = paths.params_dir() / demo_survey.VARIABLE_MAP_NAME
    ex = Explorer(
        data_source="kolada",
        lan_code="20",
        kommun="2085",
        indicator="bra_halsa",
        survey_extract=cache.path(extract),
        variable_map=vmap,
        survey_source="Källa: Region Dalarna, Liv & hälsa",
    )
    assert ex.error is None
    assert "Källa: Region Dalarna, Liv & hälsa" in texts(ex.figure)
    assert set(ex.table["indicator"]) == {"bra_halsa"}
    assert ex.table.iloc[0]["area_name"] == "Ludvika"
    with pytest.raises(DataError, match="variabelkarta"):
        loading.load_microdata(cache.path(extract), None)


def test_explorer_notebook_only_wires_the_explorer():
    import nbformat

    nb = nbformat.read(paths.notebooks_dir() / "utforska.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert any("Explorer(" in c for c in code)
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells)
    assert not any(
        line.lstrip().startswith(("def ", "class ", "for ", "if "))
        for c in code
        for line in c.splitlines()
    )


def test_unexpected_errors_in_callbacks_are_shown_not_lost(monkeypatch: pytest.MonkeyPatch):
    ex = Explorer(lan_code="20", kommun="2080")

    def broken(*args, **kwargs):
        raise ValueError("trasig karta")

    monkeypatch.setattr(explore, "map_frame", broken)
    ex.kommun.value = "2081"  # as a user would: the callback must not swallow the error silently
    assert ex.error == "Något gick fel: ValueError: trasig karta"
    assert "trasig karta" in ex.message.value and bytes(ex.chart.value) == b""
    monkeypatch.undo()
    ex.kommun.value = "2080"
    assert ex.error is None and ex.table.iloc[0]["area_name"] == "Falun"
