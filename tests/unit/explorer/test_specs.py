"""Tests for helpers.explorer.specs: the explorer's indicators come from the catalogue."""

from __future__ import annotations

import dataclasses

import pytest

from helpers.config import catalogue
from helpers.core.errors import DataError
from helpers.explorer import specs


def test_every_menu_entry_is_a_catalogue_entry():
    cat = catalogue.load()
    assert list(specs.INDICATORS) == [key for key, _, _ in specs.MENU]
    for spec in specs.INDICATORS.values():
        ind = cat.get(spec.catalogue_id)
        assert spec.unit == ind.unit and spec.decimals == ind.decimals
        assert spec.axis_label == ind.value_label
        assert spec.about.startswith(ind.definition)
        assert spec.direction == {"higher": "higher_is_better", "lower": "lower_is_better"}.get(
            ind.better
        )
        assert set(spec.data_sources) <= set(ind.sources)


def test_life_expectancy_two_ways():
    le, lt = specs.INDICATORS["medellivslangd"], specs.INDICATORS["medellivslangd_ki"]
    assert le.catalogue_id == lt.catalogue_id == "e0"
    assert le.indicator_ids == ("N00925", "N00923") and le.data_sources == ("demo", "kolada")
    assert lt.indicator_ids == ("e0",) and lt.data_sources == ("demo",)
    assert le.label == "Medellivslängd vid födelsen"
    assert lt.label == "Medellivslängd vid födelsen, med konfidensintervall (livstabell)"
    assert "Kolada N00925 kvinnor, N00923 män" in le.about


def test_survey_and_kolada_families():
    smoking = specs.INDICATORS["daglig_rokning"]
    assert smoking.variable == "daily_smoking" and smoking.data_sources == ("demo", "extrakt")
    assert smoking.kind == specs.KIND_SURVEY and "{min_n}" in smoking.about
    health = specs.INDICATORS["kolada_U01405"]
    assert health.indicator_ids == ("U01405",) and health.label.endswith("(Kolada U01405)")
    assert health.kind == specs.KIND_KOLADA_SURVEY
    assert health.data_sources == ("demo", "kolada")
    assert specs.INDICATORS["kolada_N66077"].kind == specs.KIND_REGISTER


def test_available_indicators_and_errors():
    assert "daglig_rokning" not in {s.key for s in specs.available_indicators("kolada")}
    with_extract = specs.available_indicators("kolada", survey_extract=True)
    assert "daglig_rokning" in {s.key for s in with_extract}
    with pytest.raises(DataError, match="Okänd indikator 'x'"):
        specs.indicator_spec("x")
    with pytest.raises(DataError, match="Datakällan 'scb' kan inte ge utforskarens"):
        specs.check_explorer_source("scb")
    assert specs.check_explorer_source("kolada") == "kolada"


def test_a_missing_kolada_kpi_is_a_swedish_error():
    cat = catalogue.load()
    with pytest.raises(DataError, match="N99999 som utforskaren erbjuder saknas"):
        specs._entry(specs.FAMILY_KOLADA, "N99999", cat)
    ind = cat.get("daglig_rokning")
    changed = dataclasses.replace(ind, better="none")
    assert specs.build_spec("x", specs.FAMILY_SURVEY, changed).direction is None
