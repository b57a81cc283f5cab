import json

import pytest

from helpers.core import lookup
from helpers.core.errors import DataError


def test_counts_and_membership():
    k = lookup.kommuner()
    assert len(k) == 290 and k["kommun_code"].is_unique
    assert len(lookup.lan()) == 21
    assert set(k["lan_code"]) == set(lookup.lan()["lan_code"])
    assert (k["kommun_code"].str[:2] == k["lan_code"]).all()
    assert len(lookup.areas()) == 312


def test_dalarna():
    d = lookup.kommuner_in("20")
    assert len(d) == 15
    assert {"Falun", "Borlänge", "Malung-Sälen", "Älvdalen"} <= set(d["kommun_name"])
    assert lookup.region_code("20") == "0020"
    assert lookup.area_name("0020") == "Region Dalarna"
    assert lookup.lan_of("2080") == "20"


def test_unknown_codes_give_swedish_errors():
    with pytest.raises(DataError, match="Okänd kommunkod '9999'"):
        lookup.lan_of("9999")
    with pytest.raises(DataError, match="Okänd länskod"):
        lookup.kommuner_in("02")


def test_slug():
    assert lookup.slug("Malung-Sälen") == "malung-salen"
    assert lookup.slug("Upplands Väsby") == "upplands-vasby"
    assert lookup.slug("Örebro") == "orebro"


def test_agrees_with_kolada_v3_municipality_list(reference_dir):
    recorded = json.loads((reference_dir / "kolada" / "v3_municipality.json").read_text())["values"]
    ours = lookup.areas().set_index("area_code")["area_name"].to_dict()
    theirs = {r["id"]: r["title"] for r in recorded}
    assert set(ours) == set(theirs)
    assert ours == theirs
