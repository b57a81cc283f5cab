"""The indicator catalogue and the source registry: validation and lookups."""

from __future__ import annotations

import textwrap

import pytest

from helpers.config import catalogue, sources
from helpers.core.errors import DataError

ENTRY = """\
indicators:
  e0:
    name: Medellivslängd vid födelsen
    short_name: Medellivslängd
    definition: Antal år.
    unit: år
    decimals: 1
    better: higher
    sexes: [kvinnor, män]
    period_type: five_year
    ci_method: chiang_ii
    reliability: lifetable_phe
    disclosure: false
    sources:
      demo: {life_table: e0, age: 0}
      kolada: {kpi: {kvinnor: N00925, män: N00923}}
"""


def _write(tmp_path, text):
    path = tmp_path / "indicators.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_project_catalogue_loads_and_answers():
    cat = catalogue.load()
    e0 = cat.get("e0")
    assert e0.unit == "år" and e0.decimals == 1 and e0.higher_is_better is True
    assert e0.kpis("kolada") == {"kvinnor": "N00925", "män": "N00923"}
    assert cat.by_kpi("N00923") is e0
    assert cat.get("daglig_rokning").higher_is_better is False
    assert cat.get("daglig_rokning").disclosure is True
    assert {i.id for i in cat.for_source("extrakt")} >= {"daglig_rokning", "bra_halsa"}


def test_source_that_cannot_serve_an_indicator_is_refused_in_swedish():
    e0 = catalogue.load().get("e0")
    with pytest.raises(DataError, match="Datakällan 'extrakt' kan inte ge indikatorn"):
        e0.recipe("extrakt")
    with pytest.raises(DataError, match="Okänd datakälla 'skb'"):
        e0.recipe("skb")


def test_unknown_indicator_lists_known_ids():
    with pytest.raises(DataError, match="Indikatorn 'e1' finns inte.*e0"):
        catalogue.load().get("e1")


def test_valid_minimal_file(tmp_path):
    cat = catalogue.load(_write(tmp_path, ENTRY))
    assert len(cat) == 1 and cat.get("e0").period_text == "femårsmedelvärde"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("decimals: 1", "decimals: 7", "indicators.e0.decimals: ska vara ett heltal 0–3"),
        ("better: higher", "better: up", "'up' är inte tillåtet"),
        ("sexes: [kvinnor, män]", "sexes: [kvinnor, kvinnor]", "utan dubbletter"),
        ("demo: {life_table: e0, age: 0}", "demox: {life_table: e0}", "okänd datakälla 'demox'"),
        ("kvinnor: N00925", "kvinnor: X925", "Kolada-id ska se ut som"),
        ("disclosure: false", "disclosure: nej", "ska vara true eller false"),
        ("unit: år", "unit: år\n    color: red", "okänd nyckel 'color'"),
        ("demo: {life_table: e0, age: 0}", "demo: {age: 0}", "ange exakt en av"),
    ],
)
def test_each_schema_error_names_file_line_and_key(tmp_path, old, new, message):
    path = _write(tmp_path, ENTRY.replace(old, new))
    with pytest.raises(DataError) as info:
        catalogue.load(path)
    text = str(info.value)
    assert message in text
    assert "indicators.yaml" in text and "rad " in text


def test_duplicate_indicator_is_refused(tmp_path):
    doubled = ENTRY + ENTRY.split("\n", 1)[1]
    with pytest.raises(DataError, match="förekommer två gånger"):
        catalogue.load(_write(tmp_path, doubled))


def test_missing_key_is_reported(tmp_path):
    with pytest.raises(DataError, match="nyckeln 'unit' saknas"):
        catalogue.load(_write(tmp_path, ENTRY.replace("    unit: år\n", "")))


def test_registry_validates_once_with_choices():
    assert sources.check_source("demo") == "demo"
    assert sources.is_synthetic("demo") and not sources.is_synthetic("kolada")
    with pytest.raises(DataError, match="välj en av: demo, kolada, scb, referens, extrakt"):
        sources.check_source("Kolada")
    with pytest.raises(DataError, match="Datakällan 'scb' kan inte ge livstabeller"):
        sources.check_source("scb", allowed=("demo",), what="livstabeller")
