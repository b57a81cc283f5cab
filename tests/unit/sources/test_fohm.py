"""Tests of helpers.sources.fohm: Folkhälsodata (PxWeb v1) client and HLV tables (no network).

No recording of the real Folkhälsodata API exists in this project. The replay
server answers with responses built from the *documented* PxWeb v1 shapes
(``tests/pxweb_v1_fake.py``) and hand-made numbers, so these tests check the
client's reading, checks and caching – not that the live API looks like this.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest
from pxweb_v1_fake import PREFIX, PxWebV1Fake, cube, metadata
from replay_server import ReplayServer, Reply, bypass_proxies, serving

from helpers.config import sources as data_sources
from helpers.core import cache, indicators
from helpers.core.errors import DataError, SourceError
from helpers.sources import fohm

PATH = "A_Folkhalsodata/B_HLV/bFyshals/bbeFyshalsvikt/hlv1bmixreg.px"
SPEC = fohm.HlvSpec("fetma_hlv", PATH, {"Viktstatus (BMI)": "Fetma"}, "Fetma (HLV)")

REGIONS = {
    "00": "00 Riket",
    "20": "20 Dalarnas län",
    "2080": "2080 Falun",
    "2085": "2085 Ludvika",
    "21": "Gävleborgs län",
    "99": "Norra sjukvårdsregionen",  # not an area of the workbook: left out
}
MEASURES = {
    "01": "Andel",
    "02": "Konfidensintervall nedre gräns",
    "03": "Konfidensintervall övre gräns",
    "04": "Antal svarande",
}
SEXES = {"00": "Totalt", "01": "Kvinnor", "02": "Män"}
YEARS = {"2017-2020": "2017-2020", "2021-2024": "2021-2024"}
VARIABLES = [
    {"code": "Region", "text": "Region", "values": REGIONS},
    {
        "code": "Viktstatus (BMI)",
        "text": "Viktstatus (BMI)",
        "values": {"1": "Normalvikt", "2": "Övervikt", "3": "Fetma"},
    },
    {
        "code": "Andel och konfidensintervall",
        "text": "Andel och konfidensintervall",
        "values": MEASURES,
    },
    {"code": "Kön", "text": "Kön", "values": SEXES},
    {"code": "År", "text": "År", "values": YEARS, "time": True},
]
#: Respondents (totalt) per region; women and men are half each.
N = {"00": 60000, "20": 8000, "2080": 1900, "2085": 700, "21": 7000, "99": 20000}
SHARE = {"00": 15.0, "20": 17.5, "2080": 16.0, "2085": 21.0, "21": 18.0, "99": 17.0}


def numbers(codes: dict[str, str]) -> dict[str, float | None]:
    """The four numbers of one cell: share, lower, upper, respondents (hand-made, deff 1,2)."""
    r, sex, year, cat = codes["Region"], codes["Kön"], codes["År"], codes["Viktstatus (BMI)"]
    if (r, sex, year) == ("2085", "02", "2017-2020"):
        return dict.fromkeys(MEASURES)  # ".." everywhere
    n = N[r] if sex == "00" else N[r] // 2
    if (r, sex, year) == ("2085", "01", "2017-2020"):
        n = 25  # too few: suppressed by the NCHS rules
    share = SHARE[r] + {"01": -1.0, "02": 1.0}.get(sex, 0.0) + (year == "2021-2024") * 1.5
    share += {"1": 30.0, "2": 20.0, "3": 0.0}[cat]
    half = round(1.96 * math.sqrt(share / 100 * (1 - share / 100) / n) * 100 * 1.2, 1)
    return {"01": share, "02": round(share - half, 1), "03": round(share + half, 1), "04": float(n)}


def table(variables=VARIABLES, cell=None) -> tuple[dict, dict]:
    meta = metadata("Viktstatus (BMI) efter region, kön och år", variables)
    return meta, cube(meta, cell or (lambda c: numbers(c)[c["Andel och konfidensintervall"]]))


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    bypass_proxies(monkeypatch)
    with serving() as srv:
        yield srv


@pytest.fixture
def fake(server: ReplayServer, tmp_root: Path) -> PxWebV1Fake:
    folders = {
        "A_Folkhalsodata/B_HLV/bFyshals/bbeFyshalsvikt": [
            {
                "id": "hlv1bmixreg.px",
                "type": "t",
                "text": "Viktstatus efter region",
                "updated": "2025-06-10T08:00:00",
            },
        ],
        "A_Folkhalsodata/B_HLV": [
            {"id": "bFyshals", "type": "l", "text": "Fysisk hälsa"},
        ],
    }
    return PxWebV1Fake(server, {PATH: table()}, folders)


def client(base_url: str, **kwargs) -> fohm.FohmClient:
    kwargs.setdefault("backoff", 0.01)
    kwargs.setdefault("max_per_second", None)
    return fohm.FohmClient(base_url, **kwargs)


def row(df, area: str, sex: str, period: int):
    sel = df[(df["area_code"] == area) & (df["sex"] == sex) & (df["period"] == period)]
    assert len(sel) == 1
    return sel.iloc[0]


# -- the registry ---------------------------------------------------------------------------
def test_source_is_registered_with_its_licence():
    src = data_sources.SOURCES["fohm"]
    assert not src.offline and not src.synthetic
    assert "Folkhälsomyndigheten" in src.licence and fohm.LICENCE == src.licence
    assert data_sources.check_source("fohm") == "fohm"
    assert data_sources.SOURCES["kolada"].licence == "Källa: Kolada"


# -- folders, metadata, data ----------------------------------------------------------------
def test_folder_and_metadata(fake: PxWebV1Fake):
    c = client(fake.base_url)
    top = c.folder("A_Folkhalsodata/B_HLV")
    assert top[["id", "type", "path"]].values.tolist() == [
        ["bFyshals", "l", "A_Folkhalsodata/B_HLV/bFyshals"]
    ]
    tables = c.folder("A_Folkhalsodata/B_HLV/bFyshals/bbeFyshalsvikt")
    assert tables["path"].tolist() == [PATH] and tables["type"].tolist() == ["t"]
    meta = c.metadata(PATH)
    assert [v["code"] for v in meta["variables"]][-1] == "År"
    assert fake.server.paths(PREFIX)[-1] == PREFIX + PATH


def test_hlv_table_values_flags_and_request(fake: PxWebV1Fake):
    areas = fohm.fohm_requests({"lan": "20", "kommuner": ["2080", "2085"]}, [SPEC], fake.base_url)[
        0
    ].areas
    assert areas == ("2080", "2085", "0020", "0000")
    df = fohm.hlv_table(SPEC, areas, client=client(fake.base_url))
    indicators.validate(df)
    assert set(df["area_code"]) == {"2080", "2085", "0020", "0000"}  # Gävleborg not asked for
    assert len(df) == 4 * 3 * 2 and set(df["indicator"]) == {"fetma_hlv"}
    assert set(df["period_label"]) == {"2017–2020", "2021–2024"}
    assert (df["source"] == fohm.SOURCE).all()

    # Falun, totalt, 2021-2024: share 16 + 1,5 = 17,5; half-width 1,96·√(0,175·0,825/1900)·120 = 2,1
    falun = row(df, "2080", "totalt", 2024)
    assert falun["value"] == 17.5 and falun["n"] == 1900
    assert (falun["ci_lower"], falun["ci_upper"]) == (15.4, 19.6)
    assert falun["ci_level"] == 0.95 and falun["flag"] == indicators.FLAG_OK
    assert falun["area_name"] == "Falun" and falun["period_label"] == "2021–2024"
    # Riket, kvinnor, 2017-2020: 15 − 1 = 14 % among 30 000
    assert row(df, "0000", "kvinnor", 2020)["value"] == 14.0
    assert row(df, "0020", "män", 2024)["n"] == 4000

    # ".." in every field: a missing row, never a zero
    gone = row(df, "2085", "män", 2020)
    assert np.isnan(gone["value"]) and gone["flag"] == indicators.FLAG_MISSING
    assert "saknas" in gone["flag_reason"]
    # 25 respondents, 20 % ± 18,8: se = 0,376/3,92 = 0,0959, n_eff = 0,16/0,0959² = 17,4 < 30
    # (the NCHS effective-n rule, with n_eff taken from the published interval) suppresses it
    few = row(df, "2085", "kvinnor", 2020)
    assert np.isnan(few["value"]) and few["flag"] == indicators.FLAG_SUPPRESSED
    assert "effektivt n = 17" in few["flag_reason"]

    # the query: json-stat2, every variable, only the asked areas, Fetma only, codes by label
    (post,) = fake.posts()
    body = post.json
    assert body["response"] == {"format": "json-stat2"}
    sel = {q["code"]: q["selection"] for q in body["query"]}
    assert all(s["filter"] == "item" for s in sel.values())
    assert sel["Region"]["values"] == ["00", "20", "2080", "2085"]
    assert sel["Viktstatus (BMI)"]["values"] == ["3"]
    assert sel["Andel och konfidensintervall"]["values"] == ["01", "02", "03", "04"]


def test_effective_n_from_the_interval_matches_the_nchs_rule(fake: PxWebV1Fake):
    """Ludvika totalt 2017-2020: se from the CI, n_eff = p(1 − p)/se² (< n), flag by its rules."""
    df = fohm.hlv_table(SPEC, ["2085"], client=client(fake.base_url))
    r = row(df, "2085", "totalt", 2020)
    p, lo, hi = r["value"] / 100, r["ci_lower"] / 100, r["ci_upper"] / 100
    se = (hi - lo) / (2 * 1.959963984540054)
    n_eff = p * (1 - p) / se**2
    assert 400 < n_eff < 700  # the design effect 1,2² shows: fewer than the 700 respondents
    assert hi - lo > 0.05 and (hi - lo) / p < 1.3 and r["flag"] == indicators.FLAG_OK


def test_cache_second_run_makes_no_request_and_records_licence_and_query(
    fake: PxWebV1Fake, tmp_root: Path
):
    first = fohm.hlv_table(SPEC, ["2080", "0020"], client=client(fake.base_url))
    sent = len(fake.server.requests)
    again = fohm.hlv_table(SPEC, ["2080", "0020"], client=client(fake.base_url))
    assert len(fake.server.requests) == sent  # everything from data/raw/fohm
    assert again.equals(first)
    manifest = cache.RawCache("fohm", "").manifest()
    assert set(manifest["licence"]) == {fohm.LICENCE}
    post = manifest[manifest["method"] == "POST"].iloc[0]
    assert (
        "#query-sha256=" in post["url"]
        and json.loads(post["body"])["response"]["format"] == "json-stat2"
    )


def test_query_is_split_under_the_cell_limit(fake: PxWebV1Fake):
    df = fohm.hlv_table(SPEC, None, client=client(fake.base_url, max_cells=20))
    posts = fake.posts()
    assert len(posts) > 1
    for p in posts:
        assert math.prod(len(q["selection"]["values"]) for q in p.json["query"]) <= 20
    assert set(df["area_code"]) == {"0000", "0020", "2080", "2085", "0021"}  # not "99"


def test_requests_for_a_run_and_fetch(fake: PxWebV1Fake):
    reqs = fohm.fohm_requests({"lan": "20", "kommuner": []}, base_url=fake.base_url)
    assert [r.spec for r in reqs] == list(fohm.HLV_TABLES)
    assert len(reqs[0].areas) == 15 + 2 and reqs[0].areas[-2:] == ("0020", "0000")
    assert reqs[1].url == fake.base_url + fohm.HLV_TABLES[1].path
    ours = fohm.fohm_requests({"lan": "20", "kommuner": ["2080"]}, [SPEC], fake.base_url)
    df = fohm.fetch(ours[0], client(fake.base_url))
    assert set(df["area_code"]) == {"2080", "0020", "0000"}
    with pytest.raises(DataError, match="ligger inte i län 20"):
        fohm.fohm_requests({"lan": "20", "kommuner": ["0180"]})


def test_requests_from_a_run_file():
    from helpers.config import params

    run = params.load_run(Path(__file__).resolve().parents[3] / "params" / "dalarna.yaml")
    reqs = fohm.fohm_requests(run)
    assert len(reqs) == len(fohm.HLV_TABLES)
    assert reqs[0].areas[:3] == ("2021", "2023", "2026") and reqs[0].areas[-2:] == ("0020", "0000")
    assert all(r.url.startswith(fohm.DEFAULT_BASE_URL) and r.url.endswith(".px") for r in reqs)
    assert reqs[0].description.startswith("Folkhälsodata: ")


def test_period_labels():
    assert fohm.period_of("2021-2024", "2021-2024", "u") == (2024, "2021–2024")
    assert fohm.period_of("2018", "2018", "u") == (2018, "2018")
    with pytest.raises(DataError, match="varken ett år"):
        fohm.period_of("x", "2024-2021", "u")


@pytest.mark.parametrize("bad", ["../x.px", "/abs/../t.px", "a b/t.px", "A/t.csv", ""])
def test_paths_are_checked(bad: str):
    with pytest.raises(DataError):
        fohm.check_path(bad, table=True)


# -- refusals ------------------------------------------------------------------------------------
def serve(server: ReplayServer, variables=VARIABLES, cell=None) -> str:
    return PxWebV1Fake(server, {PATH: table(variables, cell)}).base_url


def with_measures(texts: dict[str, str]) -> list[dict]:
    variables = copy.deepcopy(VARIABLES)
    variables[2]["values"] = texts
    return variables


def test_content_codes_are_mapped_by_label_not_position(server: ReplayServer, tmp_root: Path):
    # the same four numbers under shuffled codes: the label decides
    shuffled = {
        "01": "Antal svarande",
        "02": "Konfidensintervall övre gräns",
        "03": "Andel",
        "04": "Konfidensintervall nedre gräns",
    }
    role_of = {"01": "04", "02": "03", "03": "01", "04": "02"}

    def cell(c):
        return numbers(c)[role_of[c["Andel och konfidensintervall"]]]

    df = fohm.hlv_table(SPEC, ["2080"], client=client(serve(server, with_measures(shuffled), cell)))
    r = row(df, "2080", "totalt", 2024)
    assert (r["value"], r["ci_lower"], r["ci_upper"], r["n"]) == (17.5, 15.4, 19.6, 1900)


def test_unknown_content_label_is_refused(server: ReplayServer, tmp_root: Path):
    odd = {**MEASURES, "04": "Medelvärde"}
    base = serve(server, with_measures(odd))
    with pytest.raises(
        DataError, match=r"hlv1bmixreg\.px.*'Medelvärde' \(kod 04\).*avgörs bara av etiketten"
    ):
        fohm.hlv_table(SPEC, ["2080"], client=client(base))
    assert not any(r.method == "POST" for r in server.requests)  # refused before any data query
    spec = fohm.HlvSpec("fetma_hlv", PATH, SPEC.categories, measure_labels={"Medelvärde": "n"})
    assert len(fohm.hlv_table(spec, ["2080"], client=client(base))) == 6  # confirmed by the user


def test_missing_content_value_is_refused(server: ReplayServer, tmp_root: Path):
    three = {k: v for k, v in MEASURES.items() if k != "04"}
    with pytest.raises(DataError, match="saknar antal svarande"):
        fohm.hlv_table(SPEC, ["2080"], client=client(serve(server, with_measures(three))))


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        ({"01": 101.0, "03": 102.0}, "fältet andel är 101, utanför 0–100"),
        ({"02": 19.0, "03": 16.0}, "fältet nedre gräns \\(19\\) är större än övre \\(16\\)"),
        ({"01": 25.0}, "konfidensintervallet 15,4–19,6 omsluter inte andelen 25"),
        ({"04": 1900.5}, "fältet antal svarande är 1900,5, inget positivt heltal"),
        ({"02": None}, "andelen finns men konfidensintervallets nedre gräns saknas"),
        ({"04": None}, "andelen finns men antal svarande saknas"),
    ],
)
def test_uncertain_numbers_are_refused(server: ReplayServer, tmp_root: Path, changed, message):
    def cell(c):
        vals = numbers(c)
        if (c["Region"], c["Kön"], c["År"]) == ("2080", "00", "2021-2024"):
            vals = {**vals, **changed}
        return vals[c["Andel och konfidensintervall"]]

    with pytest.raises(
        DataError, match=rf"hlv1bmixreg\.px.*Region=2080, Kön=00, År=2021-2024: {message}"
    ):
        fohm.hlv_table(SPEC, ["2080"], client=client(serve(server, cell=cell)))
    assert cache.RawCache("fohm", "").manifest().query("method == 'POST'").shape[0] == 1


def test_area_label_must_name_the_area(server: ReplayServer, tmp_root: Path):
    variables = copy.deepcopy(VARIABLES)
    variables[0]["values"] = {**REGIONS, "2080": "2080 Borlänge"}
    with pytest.raises(DataError, match="kod 2080 heter '2080 Borlänge', vilket inte är Falun"):
        fohm.hlv_table(SPEC, ["2080"], client=client(serve(server, variables)))


def test_unknown_sex_and_category_labels_are_refused(server: ReplayServer, tmp_root: Path):
    variables = copy.deepcopy(VARIABLES)
    variables[3]["values"] = {**SEXES, "03": "Annat"}
    base = serve(server, variables)
    with pytest.raises(DataError, match="könet 'Annat' \\(kod 03\\) är okänt"):
        fohm.hlv_table(SPEC, ["2080"], client=client(base))
    spec = fohm.HlvSpec("x", PATH, {"Viktstatus (BMI)": "Undervikt"})
    with pytest.raises(
        DataError, match="värdet 'Undervikt' finns inte.*'Normalvikt', 'Övervikt', 'Fetma'"
    ):
        fohm.hlv_table(spec, ["2080"], client=client(base))
    with pytest.raises(DataError, match="'Viktstatus \\(BMI\\)'.*har inget valt värde"):
        fohm.hlv_table(fohm.HlvSpec("x", PATH), ["2080"], client=client(base))


def test_malformed_answers_are_refused_and_not_cached(server: ReplayServer, tmp_root: Path):
    meta, good = table()
    url = PREFIX + PATH
    text_value = copy.deepcopy(good)
    text_value["value"][0] = "12,3"
    server.add("GET", url, Reply.json(meta))
    server.add("POST", url, Reply.json(text_value))
    c = client(server.url(PREFIX))
    with pytest.raises(SourceError, match="Folkhälsomyndighetens json-stat2-svar.*'12,3'"):
        c.data(PATH, {v["code"]: v["values"] for v in meta["variables"]})
    server.add("POST", url, Reply(200, b'{"value": NaN}', {"Content-Type": "application/json"}))
    with pytest.raises(SourceError):
        c.data(PATH, {v["code"]: v["values"] for v in meta["variables"]})
    manifest = cache.RawCache("fohm", "").manifest()
    assert list(manifest["method"]) == ["GET"]  # only the metadata was cached


def test_answer_with_other_codes_is_refused(server: ReplayServer, tmp_root: Path):
    meta, good = table()
    url = PREFIX + PATH
    server.add("GET", url, Reply.json(meta))
    server.add("POST", url, Reply.json(good))  # the whole cube, whatever was asked
    with pytest.raises(SourceError, match="'Region' har andra koder"):
        fohm.hlv_table(SPEC, ["2080"], client=client(server.url(PREFIX)))


def test_undocumented_metadata_and_folder_are_refused(server: ReplayServer, tmp_root: Path):
    server.add(
        "GET",
        PREFIX + PATH,
        Reply.json(
            {
                "title": "x",
                "variables": [
                    {"code": "Region", "text": "Region", "values": ["00"], "valueTexts": []}
                ],
            }
        ),
    )
    server.add("GET", PREFIX + "A_Folkhalsodata/", Reply.json({"id": "x"}))
    c = client(server.url(PREFIX))
    with pytest.raises(SourceError, match="1 koder men 0 texter"):
        c.metadata(PATH)
    with pytest.raises(SourceError, match="en mapp ska vara en lista"):
        c.folder("A_Folkhalsodata")


def test_redirect_to_another_host_is_refused(server: ReplayServer, tmp_root: Path):
    server.add("GET", PREFIX + PATH, Reply.redirect("http://example.org/x.px"))
    with pytest.raises(SourceError, match="annan server"):
        client(server.url(PREFIX)).metadata(PATH)
    assert cache.RawCache("fohm", "").manifest().empty


def test_cached_answers_pass_the_repair_check(fake: PxWebV1Fake, tmp_root: Path):
    """``check_body`` (for ``python -m helpers.cache --repair``) accepts what the client cached."""
    from helpers.sources import fohm_client

    c = client(fake.base_url)
    c.folder("A_Folkhalsodata/B_HLV")
    fohm.hlv_table(SPEC, ["2080"], client=c)
    store = cache.RawCache("fohm", "")
    entries = store.entries()
    assert {e.method for e in entries} == {"GET", "POST"}
    for e in entries:
        fohm_client.check_body(e.url.split("#")[0], e.method, e.body, store.read(e))
    post = next(e for e in entries if e.method == "POST")
    other = json.loads(post.body)
    other["query"][0]["selection"]["values"] = ["00"]  # the answer holds 2080, not 00
    with pytest.raises(SourceError, match="'Region' har andra koder"):
        fohm_client.check_body(post.url.split("#")[0], "POST", json.dumps(other), store.read(post))


def test_answers_with_a_byte_order_mark_are_read(server: ReplayServer, tmp_root: Path):
    """PxWeb v1 servers are known to start JSON with a UTF-8 BOM; it must not stop the read."""
    meta, _ = table()
    body = b"\xef\xbb\xbf" + json.dumps(meta, ensure_ascii=False).encode("utf-8")
    server.add(
        "GET", PREFIX + PATH, Reply(200, body, {"Content-Type": "application/json; charset=utf-8"})
    )
    got = client(server.url(PREFIX)).metadata(PATH)
    assert got == meta


def test_fetch_command_plans_folkhalsodata_when_asked():
    """``python -m helpers.fetch --med fohm`` lists one download per HLV table and county."""
    from helpers.sources import needs

    run = needs.RunNeeds("demo", ("20",), ("2080", "2085"), frozenset({"fohm"}))
    planned = [d for d in needs.plan(run) if d.source == "fohm"]
    assert len(planned) == len(fohm.HLV_TABLES)
    assert all(d.base_url == fohm.DEFAULT_BASE_URL for d in planned)
    assert all(d.what.startswith("Folkhälsodata: ") and "Dalarna" in d.what for d in planned)
    assert not [d for d in needs.plan(needs.RunNeeds("demo", ("20",))) if d.source == "fohm"]


def test_cache_repair_runs_the_folkhalsodata_checks(fake: PxWebV1Fake, tmp_root: Path):
    """``python -m helpers.cache --repair`` checks a fohm body with the client's own rules."""
    from helpers import cache as cache_command
    from helpers.core import cache_check

    fohm.hlv_table(SPEC, ["2080"], client=client(fake.base_url))
    store = cache.RawCache("fohm", "")
    post = next(e for e in store.entries() if e.method == "POST")
    request = cache_check.Request("POST", post.url, post.body)
    cache_command.check_body("fohm", request, store.read(post))  # accepted as cached
    other = json.loads(post.body)
    other["query"][0]["selection"]["values"] = ["00"]
    with pytest.raises(SourceError, match="'Region' har andra koder"):
        cache_command.check_body(
            "fohm", cache_check.Request("POST", post.url, json.dumps(other)), store.read(post)
        )
    assert "fohm-app.folkhalsomyndigheten.se" in cache_command.source_hosts()["fohm"]
