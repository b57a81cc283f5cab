"""Tests of helpers.sources.kolada: the v3 client against a replay server, and the conversion.

Tests without the ``reference_dir`` fixture build their own small envelopes and
pass without ../shared; the others replay the recorded real Kolada files.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from replay_server import (
    KoladaFake,
    ReplayServer,
    Reply,
    bypass_proxies,
    envelope,
    kolada_objects_from_flat,
    serving,
)

from helpers.core import cache, indicators, lookup
from helpers.core.errors import DataError, SourceError
from helpers.sources import kolada, kolada_client, kolada_tables


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    bypass_proxies(monkeypatch)
    with serving() as srv:
        yield srv


def make_client(base_url: str, **kwargs) -> kolada_client.KoladaClient:
    kwargs.setdefault("backoff", 0.01)
    kwargs.setdefault("max_per_second", None)
    return kolada_client.KoladaClient(base_url, **kwargs)


def obj(
    kpi: str, mun: str, period: int, value: float | None, gender: str = "T", status: str = ""
) -> dict:
    return {
        "kpi": kpi,
        "municipality": mun,
        "period": period,
        "values": [
            {
                "gender": gender,
                "count": 0 if value is None else 1,
                "status": status,
                "value": value,
                "isdeleted": False,
            }
        ],
    }


def kpi_ids(n: int) -> list[str]:
    return [f"N{i:05d}" for i in range(1, n + 1)]


def synthetic_value(kpi: str, mun: str, year: int) -> float:
    return int(kpi[1:]) * 10000 + int(mun) + (year - 2000) / 100


def segments(path: str) -> dict[str, list[str]]:
    parts = path.removeprefix("/v3/data/").split("/")
    return {k: v.split(",") for k, v in zip(parts[::2], parts[1::2], strict=True)}


# -- values: chunking, paging, caching -----------------------------------------------------
def test_values_chunks_at_most_25_ids_per_segment_and_merges(
    server: ReplayServer, tmp_root: Path
) -> None:
    kpis = kpi_ids(30)
    muns = lookup.kommuner()["kommun_code"].tolist()[:27]
    years = list(range(1998, 2025))  # 27 years -> 2 year chunks too
    # Kolada has values for a sparse subset (one year per KPI x kommun), spread over all chunks.
    data = [
        obj(k, m, years[(i + j) % 27], synthetic_value(k, m, years[(i + j) % 27]))
        for i, k in enumerate(kpis)
        for j, m in enumerate(muns)
    ]
    fake = KoladaFake(server, data)
    values = make_client(fake.base_url).values(kpis, muns, years)

    assert len(values) == 30 * 27  # every object of every chunk, merged
    data_requests = server.paths("/v3/data/")
    assert len(data_requests) == 2 * 2 * 2  # cartesian product of the chunks (25+5, 25+2, 25+2)
    for path in data_requests:
        assert all(len(ids) <= 25 for ids in segments(path).values())
    asked = {
        (k, m, y)
        for p in data_requests
        for s in [segments(p)]
        for k in s["kpi"]
        for m in s["municipality"]
        for y in s["year"]
    }
    assert len(asked) == 30 * 27 * 27
    got = {(v["kpi"], v["municipality"], v["period"]): v["values"][0]["value"] for v in values}
    assert got[("N00030", muns[26], 1998 + (29 + 26) % 27)] == 300000 + int(muns[26]) + 0.01 * (
        (29 + 26) % 27 - 2
    )
    assert {(k, m) for k, m, _ in got} == {(k, m) for k in kpis for m in muns}
    assert all(isinstance(v["municipality"], str) for v in values)
    assert all(r.query["per_page"] == ["5000"] for r in server.requests)


def test_values_follows_next_url_over_several_pages(server: ReplayServer, tmp_root: Path) -> None:
    muns = ["0180", "1280", "1480", "2080", "0020", "0000"]
    data = [
        obj("N00923", m, y, 80.0 + i / 10)
        for i, (m, y) in enumerate((m, y) for m in muns for y in (2022, 2023))
    ]
    fake = KoladaFake(server, data, max_per_page=5)  # 12 objects -> pages of 5, 5, 2
    values = make_client(fake.base_url).values("N00923", muns, [2022, 2023])
    assert len(values) == 12
    assert [r.query.get("page", ["1"])[0] for r in server.requests] == ["1", "2", "3"]
    assert {v["values"][0]["value"] for v in values} == {80.0 + i / 10 for i in range(12)}


def test_empty_next_url_ends_paging(server: ReplayServer, tmp_root: Path) -> None:
    path = "/v3/data/kpi/N00923/municipality/0180/year/2024"
    env = envelope([obj("N00923", "0180", 2024, 81.29)], next_url="")
    server.add("GET", path, Reply.json(env))
    values = make_client(server.url("/v3/")).values("N00923", "0180", 2024)
    assert values[0]["values"][0]["value"] == 81.29
    assert server.count() == 1


def test_repeat_call_uses_cache_and_makes_no_request(server: ReplayServer, tmp_root: Path) -> None:
    data = [obj("N00945", m, y, float(y - 1990)) for m in ("0180", "1280") for y in (2019, 2020)]
    fake = KoladaFake(server, data, max_per_page=3)
    first = make_client(fake.base_url).values("N00945", ["0180", "1280"], [2019, 2020])
    assert server.count() == 2  # two pages

    raw = cache.RawCache("kolada", "Källa: Kolada")
    assert raw.dir == tmp_root / "data" / "raw" / "kolada"
    entries = raw.entries()
    assert len(entries) == 2
    for e in entries:
        assert e.url.startswith(
            fake.base_url + "data/kpi/N00945/municipality/0180,1280/year/2019,2020"
        )
        assert e.licence == "Källa: Kolada"
        assert cache.sha256_bytes(raw.path(e).read_bytes()) == e.sha256
        assert e.retrieved.endswith("+00:00")

    again = make_client(fake.base_url).values("N00945", ["0180", "1280"], [2019, 2020])
    assert again == first
    assert server.count() == 2  # no request on a cache hit

    make_client(fake.base_url, use_cache=False).values("N00945", ["0180", "1280"], [2019, 2020])
    assert server.count() == 4
    assert len(raw.entries()) == 4  # refreshed versions are added, nothing overwritten


def test_failing_chunk_fails_whole_call(server: ReplayServer, tmp_root: Path) -> None:
    kpis = kpi_ids(30)
    fake = KoladaFake(server, [obj(k, "0180", 2024, 1.0) for k in kpis])
    second = f"/v3/data/kpi/{','.join(kpis[25:])}/municipality/0180/year/2024"
    server.add("GET", second, Reply(500, b"boom"))
    with pytest.raises(SourceError) as err:
        make_client(fake.base_url, retries=2).values(kpis, "0180", 2024)
    assert "N00026,N00027" in str(err.value) and "HTTP 500" in str(err.value)
    assert server.paths().count(second) == 3  # retried, then the call failed as a whole


def test_429_then_200(server: ReplayServer, tmp_root: Path) -> None:
    path = "/v3/data/kpi/N00923/municipality/2080/year/2024"
    server.add(
        "GET",
        path,
        Reply.json({"detail": "rate"}, status=429, **{"Retry-After": "0"}),
        Reply.json(envelope([obj("N00923", "2080", 2024, 81.5)])),
    )
    table = kolada.load_kpis("N00923", "2080", 2024, make_client(server.url("/v3/")))
    assert server.count() == 2
    assert table["value"].tolist() == [81.5]
    assert table["period_label"].tolist() == ["2020–2024"]


def test_500_until_retries_run_out(server: ReplayServer, tmp_root: Path) -> None:
    server.add("GET", "/v3/kpi", Reply(503))
    with pytest.raises(SourceError, match=r"/v3/kpi\?per_page=5000.*HTTP 503.*3 försök"):
        make_client(server.url("/v3/"), retries=2).kpis()
    assert server.count() == 3


def test_truncated_json_is_a_source_error_and_not_cached(
    server: ReplayServer, tmp_root: Path
) -> None:
    path = "/v3/data/kpi/N00923/municipality/0180/year/2024"
    full = json.dumps(envelope([obj("N00923", "0180", 2024, 81.29)])).encode()
    server.add("GET", path, Reply(200, full[:40]))
    client = make_client(server.url("/v3/"))
    with pytest.raises(SourceError, match="avbrutet"):
        client.values("N00923", "0180", 2024)
    assert client.cache.entries() == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"values": [], "count": 0, "next_page": None}, "'next_url' saknas"),  # v2 naming
        ({"values": [], "next_url": None}, "'count' saknas"),
        ({"count": 0, "next_url": None}, "'values' saknas"),
        ({"values": {}, "count": 0, "next_url": None}, "inte en lista"),
        ({"values": [], "count": 3, "next_url": None}, "'count' är 3 men sidan har 0"),
        ({"values": [], "count": 0, "next_url": 7}, "varken text eller null"),
        ({"values": [], "count": 0, "next_url": "page=2"}, "ingen URL"),
        ([], "inte ett objekt"),
    ],
)
def test_unexpected_envelope(
    server: ReplayServer, tmp_root: Path, body: object, fragment: str
) -> None:
    server.add("GET", "/v3/data/kpi/N00923/municipality/0180/year/2024", Reply.json(body))
    client = make_client(server.url("/v3/"))
    with pytest.raises(SourceError, match="Kolada svarade inte som dokumenterat") as err:
        client.values("N00923", "0180", 2024)
    assert fragment in str(err.value)
    assert client.cache.entries() == []


def test_undocumented_data_objects_are_listed(server: ReplayServer, tmp_root: Path) -> None:
    bad = [
        {
            "kpi": "N00923",
            "municipality": "0180",
            "period": 2024,
            "values": [{"gender": "X", "count": 1, "status": "", "value": 1.0}],
        },
        {"kpi": "N00923", "municipality": 180, "period": 2024, "values": []},
        {
            "kpi": "N00923",
            "municipality": "0180",
            "period": "tjugo",
            "values": [{"gender": "T", "count": 1, "status": "", "value": "81,3"}],
        },
        {
            "kpi": "N00923",
            "municipality": "0180",
            "period": 2023,
            "values": [{"gender": "T", "status": "", "value": 1.0}],
        },
        {
            "kpi": "N00923",
            "municipality": "0180",
            "period": 2022,
            "values": [{"gender": "T", "count": 1, "status": 5, "value": 1.0}],
        },
    ]
    server.add(
        "GET",
        "/v3/data/kpi/N00923/municipality/0180/year/2022,2023,2024",
        Reply.json(envelope(bad)),
    )
    with pytest.raises(SourceError) as err:
        make_client(server.url("/v3/")).values("N00923", "0180", [2022, 2023, 2024])
    msg = str(err.value)
    assert "okänt kön 'gender'='X'" in msg
    assert "dataobjekt 2: 'municipality'" in msg
    assert "dataobjekt 3: 'period'" in msg
    assert "'value' saknas eller är varken ett ändligt tal eller null ('81,3'" in msg
    assert "och 1 fel till" in msg  # the sixth problem (status 5) is counted, not listed
    assert cache.RawCache("kolada", "Källa: Kolada").entries() == []  # never pinned


def test_values_not_asked_for_are_rejected(server: ReplayServer, tmp_root: Path) -> None:
    server.add(
        "GET",
        "/v3/data/kpi/N00923/municipality/0180/year/2024",
        Reply.json(envelope([obj("N00923", "0180", 2024, 1.0), obj("N00923", "1280", 2024, 2.0)])),
    )
    with pytest.raises(SourceError, match="inte efterfrågades: N00923/1280/2024"):
        make_client(server.url("/v3/")).values("N00923", "0180", 2024)
    assert cache.RawCache("kolada", "Källa: Kolada").entries() == []


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"municipalities": [180]}, "som text"),
        ({"municipalities": ["180"]}, "Ogiltigt område '180'"),
        ({"kpis": ["n00923"]}, "Ogiltigt KPI-id"),
        ({"kpis": []}, "minst ett KPI-id"),
        ({"years": ["tjugo"]}, "Ogiltigt år"),
        ({"years": [24]}, "Orimligt år 24"),
    ],
)
def test_bad_ids_are_data_errors_before_any_request(
    server: ReplayServer, tmp_root: Path, kwargs: dict, fragment: str
) -> None:
    args = {"kpis": ["N00923"], "municipalities": ["0180"], "years": [2024], **kwargs}
    with pytest.raises(DataError, match=fragment):
        make_client(server.url("/v3/")).values(**args)
    assert server.count() == 0


def test_contradictory_duplicates_across_pages(server: ReplayServer, tmp_root: Path) -> None:
    path = "/v3/data/kpi/N00923/municipality/0180/year/2024"
    page2 = server.url(path) + "?per_page=5000&page=2"
    server.add(
        "GET", path, Reply.json(envelope([obj("N00923", "0180", 2024, 81.29)], next_url=page2))
    )
    server.add(
        "GET",
        path + "?per_page=5000&page=2",
        Reply.json(envelope([obj("N00923", "0180", 2024, 80.0)])),
    )
    with pytest.raises(SourceError, match="motstridiga dubbletter för N00923/0180/2024"):
        make_client(server.url("/v3/")).values("N00923", "0180", 2024)
    assert server.count() == 2


def test_default_client_makes_no_request_on_construction(tmp_root: Path) -> None:
    client = kolada_client.KoladaClient()
    assert client.cache.dir == tmp_root / "data" / "raw" / "kolada"
    assert client.cache.licence == "Källa: Kolada"
    assert client.http.timeout == 30.0
    assert client.url("kpi", title="röker dagligen") == (
        "https://api.kolada.se/v3/kpi?title=r%C3%B6ker%20dagligen&per_page=5000"
    )
    assert client.data_url(["N00923", "N00925"], ["0180", "0020"], [2023, 2024]) == (
        "https://api.kolada.se/v3/data/kpi/N00923,N00925/municipality/0180,0020/year/2023,2024"
        "?per_page=5000"
    )
    with pytest.raises(ValueError):
        client.data_url(kpi_ids(26), ["0180"], [2024])


# -- metadata -------------------------------------------------------------------------------
KPIS = [
    {
        "id": f"N{i:05d}",
        "title": f"KPI {i}",
        "is_divided_by_gender": i % 2 == 0,
        "municipality_type": "K",
        "has_ou_data": False,
    }
    for i in range(1, 31)
] + [
    {
        "id": "N00923",
        "title": "Medellivslängd män, år",
        "is_divided_by_gender": False,
        "municipality_type": "A",
    }
]


def test_kpis_by_ids_are_chunked(server: ReplayServer, tmp_root: Path) -> None:
    fake = KoladaFake(server, kpis=KPIS)
    df = make_client(fake.base_url).kpis(kpi_ids(30))
    assert len(df) == 30
    assert list(df.columns[: len(kolada_client.KPI_FIELDS)]) == list(kolada_client.KPI_FIELDS)
    assert [len(p.removeprefix("/v3/kpi/").split(",")) for p in server.paths()] == [25, 5]
    gender = df.set_index("id")["is_divided_by_gender"]
    assert bool(gender["N00004"]) and not bool(gender["N00005"])
    with pytest.raises(DataError, match="N99999"):
        make_client(fake.base_url).kpis(["N00001", "N99999"])


def test_kpis_title_filter(server: ReplayServer, tmp_root: Path) -> None:
    fake = KoladaFake(server, kpis=KPIS)
    df = make_client(fake.base_url).kpis(title="medellivsLÄNGD")
    assert df["id"].tolist() == ["N00923"]
    assert server.requests[0].query["title"] == ["medellivsLÄNGD"]


def test_municipalities_and_region_type(server: ReplayServer, tmp_root: Path) -> None:
    munis = [
        {"id": "0000", "title": "Riket", "type": "L"},
        {"id": "0020", "title": "Region Dalarna", "type": "L"},
        {"id": "2080", "title": "Falun", "type": "K"},
    ]
    fake = KoladaFake(server, municipalities=munis)
    client = make_client(fake.base_url)
    assert client.municipalities()["id"].tolist() == ["0000", "0020", "2080"]
    assert client.municipalities("K")["title"].tolist() == ["Falun"]
    with pytest.raises(DataError, match="Okänd områdestyp"):
        client.municipalities("X")


GROUPS = [
    {
        "id": "G1",
        "title": "Liknande kommuner socioekonomi, Falun, 2023",
        "members": [{"member_id": "1292", "member_title": "Ängelholm"}],
    },
    {
        "id": "G2",
        "title": "Liknande kommuner socioekonomi, Falun, 2024",
        "members": [
            {"member_id": "0840", "member_title": "Mörbylånga"},
            {"member_id": "2580", "member_title": "Luleå"},
        ],
    },
    {
        "id": "G3",
        "title": "Liknande kommuner, övergripande, Falun, 2025",
        "members": [{"member_id": "0180", "member_title": "Stockholm"}],
    },
    {
        "id": "G4",
        "title": "Liknande kommuner socioekonomi, Falköping, 2024",
        "members": [{"member_id": "1499", "member_title": "Falköping"}],
    },
]


def test_municipality_groups_and_find_similar_group(server: ReplayServer, tmp_root: Path) -> None:
    fake = KoladaFake(server, municipality_groups=GROUPS)
    groups = make_client(fake.base_url).municipality_groups(title="socioekonomi")
    assert groups["id"].tolist() == ["G1", "G2", "G4"]
    found = kolada_tables.find_similar_group("2080", groups)
    assert found == kolada_tables.SimilarGroup(
        "G2", "Liknande kommuner socioekonomi, Falun, 2024", 2024, ("0840", "2580")
    )
    assert kolada_tables.find_similar_group("1499", GROUPS).id == "G4"  # a list of dicts works too
    with pytest.raises(SourceError, match="Liknande kommuner socioekonomi, Arboga"):
        kolada_tables.find_similar_group("1984", groups)
    with pytest.raises(DataError, match="Okänd kommunkod"):
        kolada_tables.find_similar_group("9999", groups)


def test_kpi_groups(server: ReplayServer, tmp_root: Path) -> None:
    fake = KoladaFake(
        server,
        kpi_groups=[
            {
                "id": "G2KPI1",
                "title": "Strategi för hälsa",
                "members": [{"member_id": "N00923", "member_title": "Medellivslängd män, år"}],
            }
        ],
    )
    df = make_client(fake.base_url).kpi_groups(title="strategi")
    assert df.loc[0, "members"][0]["member_id"] == "N00923"


def test_undocumented_metadata(server: ReplayServer, tmp_root: Path) -> None:
    server.add(
        "GET",
        "/v3/municipality_groups",
        Reply.json(envelope([{"id": "G1", "title": "x", "members": [{"id": "0180"}]}])),
    )
    with pytest.raises(SourceError, match="member_id"):
        make_client(server.url("/v3/")).municipality_groups()


# -- conversion -----------------------------------------------------------------------------
def inline_values() -> list[dict]:
    both = obj("U01402", "2080", 2022, 10.5)
    both["values"] += [
        {"gender": "K", "count": 1, "status": "", "value": 9.0, "isdeleted": False},
        {"gender": "M", "count": 0, "status": "", "value": None, "isdeleted": False},
    ]
    return [
        obj("N00925", "2080", 2024, 84.12),
        obj("N00925", "0020", 2024, 83.9),
        obj("N00925", "0000", 2024, 84.0, status="Preliminärt"),
        obj("N00925", "0330", 2002, None),
        obj("N00925", "G176236", 2024, 84.3),
        both,
    ]


def test_to_indicator_table_inline() -> None:
    t = kolada_tables.to_indicator_table(inline_values())
    indicators.validate(t)
    assert len(t) == 7  # the group row is left out
    assert not t["area_code"].str.startswith("G").any()
    row = t.set_index(["indicator", "area_code", "period", "sex"])
    falun = row.loc[("N00925", "2080", 2024, "totalt")]
    assert (falun["area_name"], falun["area_type"], falun["period_label"]) == (
        "Falun",
        "kommun",
        "2020–2024",
    )
    assert falun["value"] == 84.12 and falun["flag"] == "ej bedömd"
    assert falun["flag_reason"] == "Källan anger ingen osäkerhet"
    assert falun["source"] == "Källa: Kolada" and falun["group"] == "alla"
    assert math.isnan(falun["n"])
    region = row.loc[("N00925", "0020", 2024, "totalt")]
    assert (region["area_name"], region["area_type"]) == ("Region Dalarna", "region")
    riket = row.loc[("N00925", "0000", 2024, "totalt")]
    assert (riket["area_name"], riket["area_type"]) == ("Riket", "riket")
    assert riket["flag_reason"] == "Källan anger ingen osäkerhet; Kolada-status: Preliminärt"
    knivsta = row.loc[("N00925", "0330", 2002, "totalt")]
    assert math.isnan(knivsta["value"]) and knivsta["flag"] == "saknas"
    assert knivsta["period_label"] == "1998–2002"
    smoking = row.loc[("U01402", "2080", 2022)]
    assert smoking.loc["kvinnor", "value"] == 9.0 and smoking.loc["totalt", "value"] == 10.5
    assert smoking.loc["män", "flag"] == "saknas"
    assert set(smoking["period_label"]) == {"2022"}  # not in MULTI_YEAR_KPIS


def test_period_label_is_configurable() -> None:
    assert kolada_tables.period_label("N00923", 2024) == "2020–2024"
    assert kolada_tables.period_label("U01402", 2022) == "2022"
    assert kolada_tables.period_label("U01402", 2022, {"U01402": 4}) == "2019–2022"
    t = kolada_tables.to_indicator_table(inline_values(), multi_year={"U01402": 4})
    assert set(t.loc[t["indicator"] == "U01402", "period_label"]) == {"2019–2022"}
    assert set(t.loc[t["indicator"] == "N00925", "period_label"]) == {"2024", "2002"}


def test_group_values() -> None:
    g = kolada_tables.group_values(inline_values())
    assert g.to_dict("records") == [
        {
            "group_id": "G176236",
            "indicator": "N00925",
            "period": 2024,
            "sex": "totalt",
            "value": 84.3,
            "n_members": 1.0,
        }
    ]


def test_to_indicator_table_errors() -> None:
    with pytest.raises(SourceError, match="okända områdeskoder: 9999"):
        kolada_tables.to_indicator_table([obj("N00925", "9999", 2024, 1.0)])
    meta = pd.DataFrame({"id": ["N00925"]})
    with pytest.raises(SourceError, match="U01402"):
        kolada_tables.to_indicator_table(inline_values(), kpi_meta=meta)
    flat = kolada_tables.flatten_values([obj("N00925", "2080", 2024, 1.0)])
    flat["municipality"] = [2080]
    with pytest.raises(DataError, match="inledande nolla"):
        kolada_tables.to_indicator_table(flat)
    assert kolada_tables.to_indicator_table([obj("N00925", "G1", 2024, 1.0)]).empty


def test_flatten_values_roundtrip() -> None:
    flat = kolada_tables.flatten_values(inline_values())
    assert list(flat.columns) == list(kolada_tables.FLAT_COLUMNS)
    assert len(flat) == 8
    assert flat["value"].isna().sum() == 2
    assert kolada_tables.to_indicator_table(flat).equals(
        kolada_tables.to_indicator_table(inline_values())
    )


def test_load_kpis_end_to_end(server: ReplayServer, tmp_root: Path) -> None:
    codes = [*lookup.kommuner_in("20")["kommun_code"], "0020", "0000"]
    data = [
        obj(k, c, y, 80.0 + i)
        for i, (k, c, y) in enumerate(
            (k, c, y) for k in ("N00923", "N00925") for c in codes for y in (2023, 2024)
        )
    ]
    fake = KoladaFake(server, data)
    t = kolada.load_kpis(["N00923", "N00925"], codes, [2023, 2024], make_client(fake.base_url))
    assert len(t) == 2 * 17 * 2
    assert set(t["area_type"]) == {"kommun", "region", "riket"}
    assert (
        t.loc[
            (t["indicator"] == "N00925") & (t["area_code"] == "0000") & (t["period"] == 2024),
            "value",
        ].item()
        == 80.0 + 2 * 17 * 2 - 1
    )
    assert set(t["period_label"]) == {"2019–2023", "2020–2024"}


# -- recorded real Kolada files -------------------------------------------------------------
def load_values(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["values"]


@pytest.mark.reference
def test_recorded_municipality_list_agrees_with_lookup(
    server: ReplayServer, tmp_root: Path, reference_dir: Path
) -> None:
    fake = KoladaFake(
        server, municipalities=load_values(reference_dir / "kolada" / "v3_municipality.json")
    )
    client = make_client(fake.base_url)
    munis = client.municipalities()
    assert len(munis) == 312
    assert (munis["type"] == "K").sum() == 290
    areas = lookup.areas()
    assert set(munis["id"]) == set(areas["area_code"])
    assert set(client.municipalities("K")["id"]) == set(lookup.kommuner()["kommun_code"])
    merged = munis.merge(areas, left_on="id", right_on="area_code")
    assert (merged["title"] == merged["area_name"]).all()
    assert ((merged["type"] == "K") == (merged["area_type"] == "kommun")).all()


@pytest.mark.reference
def test_recorded_kpi_catalog_parses(
    server: ReplayServer, tmp_root: Path, reference_dir: Path
) -> None:
    fake = KoladaFake(server, kpis=load_values(reference_dir / "kolada" / "v3_kpi_catalog.json"))
    catalog = make_client(fake.base_url).kpis()
    assert len(catalog) == 6099
    assert server.count() == 2  # 6099 KPIs at 5000 per page
    meta = catalog.set_index("id")
    assert meta.loc["N00923", "title"] == "Medellivslängd män, år"
    assert meta.loc["N00925", "title"] == "Medellivslängd kvinnor, år"
    assert bool(meta.loc["U01402", "is_divided_by_gender"])  # K/M/T
    assert not bool(meta.loc["N00923", "is_divided_by_gender"])  # separate KPIs per sex
    assert set(catalog["municipality_type"]) == {"K", "L", "A"}
    assert catalog["is_divided_by_gender"].map(type).eq(bool).all()
    selected = make_client(fake.base_url).kpis(["N00923", "N00925", "U01402"])
    assert selected["id"].tolist() == ["N00923", "N00925", "U01402"]


@pytest.mark.reference
def test_recorded_arboga_group_values(
    server: ReplayServer, tmp_root: Path, reference_dir: Path
) -> None:
    groups = load_values(reference_dir / "kolada" / "v3_municipality_groups.json")
    flat = pd.read_csv(
        reference_dir / "kolada" / "v3_values_flat_liknande_socioekonomi_arboga.csv",
        dtype={"municipality_id": str, "status": str},
    )
    fake = KoladaFake(
        server, kolada_objects_from_flat(flat.to_dict("records")), municipality_groups=groups
    )
    client = make_client(fake.base_url)

    found = kolada_tables.find_similar_group(
        "1984", client.municipality_groups(title="Liknande kommuner socioekonomi")
    )
    assert found.id == "G176199" and found.edition == 2024
    assert found.members == ("0319", "0562", "0687", "1082", "1083", "1885", "2084")

    kpis = sorted(flat["kpi"].unique())
    assert len(kpis) == 46
    server.requests.clear()
    raw = client.values(kpis, ["1984", *found.members], range(2012, 2025))
    assert len(server.paths("/v3/data/")) == 2  # 46 KPIs -> 25 + 21
    assert len(raw) == 1496
    table = kolada_tables.to_indicator_table(raw)
    assert len(table) == 1496
    assert (table["flag"] == "saknas").sum() == 952  # null values with count 0
    health = table[(table["indicator"] == "N00307") & (table["period"] == 2024)].set_index(
        "area_code"
    )["value"]
    assert health["1984"] == pytest.approx(47.05268175)
    peers = [
        43.92397642,
        50.37775247,
        61.22832117,
        53.57405504,
        48.13438215,
        40.70233338,
        41.28312039,
    ]
    assert health[list(found.members)].mean() == pytest.approx(np.mean(peers))
    assert (
        health["1984"] < health[list(found.members)].mean()
    )  # Arboga below its peers' mean in 2024


@pytest.mark.reference
def test_recorded_n00945_three_cities(
    server: ReplayServer, tmp_root: Path, reference_dir: Path
) -> None:
    flat = pd.read_csv(
        reference_dir / "kolada" / "v3_values_flat_n00945_3cities.csv",
        dtype={"municipality_id": str},
    )
    fake = KoladaFake(server, kolada_objects_from_flat(flat.to_dict("records")))
    table = kolada.load_kpis(
        "N00945", ["0180", "1480", "1280"], range(2000, 2021), make_client(fake.base_url)
    )
    assert len(table) == 63
    v = table.set_index(["area_code", "period"])["value"]
    assert v[("0180", 2000)] == pytest.approx(31.32959689)
    assert v[("1280", 2000)] == pytest.approx(28.36722648)
    assert v[("1480", 2020)] == pytest.approx(39.5)
    assert set(table["area_name"]) == {"Stockholm", "Göteborg", "Malmö"}
    assert (table["period_label"] == table["period"].astype(str)).all()


@pytest.mark.reference
def test_every_kommun_has_a_similar_group(reference_dir: Path) -> None:
    groups = load_values(reference_dir / "kolada" / "v3_municipality_groups.json")
    socio = [g for g in groups if g["title"].startswith("Liknande kommuner socioekonomi")]
    assert len(socio) == 290
    for code in lookup.kommuner()["kommun_code"]:
        g = kolada_tables.find_similar_group(code, socio)
        assert len(g.members) == 7 and code not in g.members
    assert (
        kolada_tables.find_similar_group("2080", groups).id == "G176236"
    )  # Falun, from the full list
