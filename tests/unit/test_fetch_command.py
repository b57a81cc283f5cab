"""``python -m helpers.fetch`` against a fake PxWebApi 2.0, and the offline check before a run.

The SCB answers are built here in the documented v2 shapes (search, metadata,
json-stat2 data; see ``../shared/reference/scb/pxweb_v2_examples``); no
recording of the three tables exists, so the values are made up and only the
shapes are SCB's.
"""

from __future__ import annotations

import copy
import socket
import time
from pathlib import Path

import pytest
from replay_server import KoladaFake, PxWebFake, bypass_proxies, jsonstat_cube, serving

from helpers import fetch as fetch_cmd
from helpers.core import http
from helpers.core.errors import DataError
from helpers.report import education as report_education
from helpers.run import runner
from helpers.sources import (
    kolada_client,
    life_expectancy,
    mortality,
    mortality_counts,
    mortality_education,
    needs,
    scb,
    scb_tables,
)

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "notebooks" / "templates" / "kommunprofil.ipynb"
CONFIG = {
    "apiVersion": "2.2.0",
    "maxDataCells": 150000,
    "maxCallsPerTimeWindow": 1000,
    "timeWindow": 1,
}

TITLES = {
    "TAB960": "Döda efter region, ålder (uppnådd ålder under året), kön och år",
    "TAB638": "Folkmängden efter region, civilstånd, ålder och kön. År 1968-2024",
    "TAB4879": "Återstående medellivslängd vid 30 år efter utbildningsnivå, region och kön. "
    "Femårsperiod 2012-2016 - 2019-2023",
}
UPDATED = {
    "TAB960": "2026-03-20T06:00:00Z",
    "TAB638": "2026-02-21T06:00:00Z",
    "TAB4879": "2025-10-01T06:00:00Z",
}


def labelled(cube: dict, labels: dict[str, str], elimination: tuple[str, ...] = ()) -> dict:
    for d, label in labels.items():
        cube["dimension"][d]["label"] = label
        cube["dimension"][d]["extension"]["elimination"] = d in elimination
    return cube


def count_cube(content: tuple[str, str], base: float) -> dict:
    dims = {
        "Region": {"00": "Riket", "20": "Dalarnas län", "2080": "Falun", "2085": "Ludvika"},
        "Alder": {"0": "0 år", "1": "1 år", "100+": "100+ år", "tot": "totalt ålder"},
        "Kon": {"1": "män", "2": "kvinnor"},
        "ContentsCode": dict([content]),
        "Tid": {"2018": "2018", "2019": "2019"},
    }
    n = 4 * 4 * 2 * 1 * 2
    cube = jsonstat_cube(dims, [base + i for i in range(n)])
    labels = {
        "Region": "region",
        "Alder": "ålder",
        "Kon": "kön",
        "ContentsCode": "tabellinnehåll",
        "Tid": "år",
    }
    return labelled(cube, labels, elimination=("Region", "Alder", "Kon"))


#: Dalarna, women, eftergymnasial, 2013–2017: the value checked after the fetch.
DALARNA_WOMEN_HIGH = 55.3


def e30_cube() -> dict:
    dims = {
        "Region": {"00": "Riket", "20": "Dalarnas län"},
        "UtbNivaSUN2000": {
            "1": "förgymnasial utbildning",
            "2": "gymnasial utbildning",
            "3": "eftergymnasial utbildning",
            "US": "uppgift om utbildningsnivå saknas",
        },
        "Kon": {"1": "män", "2": "kvinnor"},
        "ContentsCode": {"000004XA": "Återstående medellivslängd vid 30 år"},
        "Tid": {f"{y}-{y + 4}": f"{y}-{y + 4}" for y in range(2012, 2020)},
    }
    values = []
    for region in dims["Region"]:
        for level in dims["UtbNivaSUN2000"]:
            for sex in dims["Kon"]:
                for i, period in enumerate(dims["Tid"]):
                    v = 45.0 + int(level) * (2.5 + 0.1 * i) if level.isdigit() else None
                    if (region, level, sex, period) == ("20", "3", "2", "2013-2017"):
                        v = DALARNA_WOMEN_HIGH
                    values.append(v)
    cube = jsonstat_cube(dims, values)
    labels = {
        "Region": "region",
        "UtbNivaSUN2000": "utbildningsnivå",
        "Kon": "kön",
        "ContentsCode": "tabellinnehåll",
        "Tid": "femårsperiod",
    }
    return labelled(cube, labels)


def metadata(cube: dict, table_id: str) -> dict:
    meta = copy.deepcopy(cube)
    meta["value"] = []
    meta["label"] = TITLES[table_id]
    meta["updated"] = UPDATED[table_id]
    return meta


def search_body(updated: dict[str, str]) -> dict:
    return {
        "language": "sv",
        "tables": [
            {
                "id": tid,
                "label": TITLES[tid],
                "description": "",
                "updated": updated[tid],
                "firstPeriod": "1968",
                "lastPeriod": "2024",
                "variableNames": ["region", "ålder", "kön", "år"],
                "subjectCode": "BE",
                "timeUnit": "Annual",
                "discontinued": False,
            }
            for tid in TITLES
        ],
        "page": {"pageNumber": 1, "pageSize": 100, "totalElements": 3, "totalPages": 1},
    }


@pytest.fixture
def lock(tmp_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped lock in the temporary root, used by every loader."""
    path = tmp_root / "params" / "scb_tables.lock.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((REPO / scb_tables.LOCK_FILE).read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(scb_tables, "LOCK_FILE", str(path))
    return path


@pytest.fixture
def scb_fake(monkeypatch: pytest.MonkeyPatch, lock: Path):
    bypass_proxies(monkeypatch)
    with serving() as srv:
        deaths = count_cube(("BE0101D9", "Döda"), 1.0)
        population = count_cube(("BE0101N1", "Folkmängd"), 100.0)
        e30 = e30_cube()
        fake = PxWebFake(
            srv,
            dict(CONFIG),
            {
                "TAB960": (metadata(deaths, "TAB960"), deaths),
                "TAB638": (metadata(population, "TAB638"), population),
                "TAB4879": (metadata(e30, "TAB4879"), e30),
            },
            search=search_body(UPDATED),
        )
        monkeypatch.setattr(scb.ScbClient.__init__, "__defaults__", (fake.base_url, None))
        mortality.clear_memo()
        yield fake
        mortality.clear_memo()


def run_file(root: Path, data_source: str = "demo") -> Path:
    path = root / "params" / "test_fetch.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'run: test_fetch\nlan: "20"\nkommuner: ["2080", "2085"]\ntemplate: {TEMPLATE}\n'
        f"parameters:\n  data_source: {data_source}\n",
        encoding="utf-8",
    )
    return path


def test_fetch_pins_downloads_and_then_works_offline(scb_fake, tmp_root, lock, capsys):
    params = run_file(tmp_root)
    code = fetch_cmd.main(["--params", str(params), "--med", "scb", "--no-progress"])
    captured = capsys.readouterr()
    out = captured.out
    assert code == 0, captured.err
    assert "0 fanns redan i cachen, 2 hämtades, 0 misslyckades" in out
    assert "körningen fungerar nu utan nätverk" in out
    assert "TAB638 (folkmängd 31 december efter region, ålder och kön): bekräftad" in out
    pins = scb_tables.read_lock(lock)
    assert {k: p.updated for k, p in pins.items()} == {
        "deaths": UPDATED["TAB960"],
        "population": UPDATED["TAB638"],
        "e30_education_lan": UPDATED["TAB4879"],
    }
    assert pins["e30_education_lan"].title == TITLES["TAB4879"]
    assert pins["deaths"].basis.startswith("sökning ")
    posted = {r.path for r in scb_fake.data_requests()}
    assert posted == {f"/api/v2/tables/{t}/data" for t in ("TAB960", "TAB638", "TAB4879")}

    # resumable: a second fetch finds everything cached and posts no query
    n_posts = len(scb_fake.data_requests())
    assert fetch_cmd.main(["--params", str(params), "--med", "scb", "--no-progress"]) == 0
    assert "2 fanns redan i cachen, 0 hämtades" in capsys.readouterr().out
    assert len(scb_fake.data_requests()) == n_posts

    # offline: the server is gone, the county's e30 comes from the cache
    scb_fake.server.stop()
    mortality.clear_memo()
    e30 = mortality_education.e30_by_education("scb", "20")
    dalarna = e30[
        (e30["area_code"] == "0020")
        & (e30["sex"] == "kvinnor")
        & (e30["group"] == "eftergymnasial")
        & (e30["period_label"] == "2013–2017")
    ]
    assert dalarna["value"].tolist() == [DALARNA_WOMEN_HIGH]
    assert set(e30["area_code"]) == {"0000", "0020"}
    assert set(e30["group"]) == {"förgymnasial", "gymnasial", "eftergymnasial"}  # "saknas" dropped
    section = report_education.education_section("20", "scb", figures=True)
    assert section.available
    assert "figur_1_1" in section.figures and "skillnad" in section.figures
    assert set(section.facts["area_code"]) == {"0000", "0020"}  # Dalarna itself, not only Riket
    assert not any("finns inga värden efter utbildning" in t for t in section.sentences)
    counts = mortality_counts.deaths_population("scb", "20")
    assert sorted(counts.deaths["kommunkod"].unique()) == ["2080", "2085"]
    assert sorted(counts.population["age"].unique()) == [0, 1, 100]
    needed = needs.plan(needs.RunNeeds("demo", ("20",), extra_sources=frozenset({"scb"})))
    assert [needs.missing_url(d) for d in needed] == [None, None]


def test_a_table_changed_at_scb_is_refused_until_update_lock(scb_fake, tmp_root, lock, capsys):
    params = run_file(tmp_root)
    assert fetch_cmd.main(["--params", str(params), "--med", "scb", "--no-progress"]) == 0
    capsys.readouterr()
    scb_fake.search = search_body({**UPDATED, "TAB638": "2027-02-20T06:00:00Z"})
    before = lock.read_text(encoding="utf-8")
    code = fetch_cmd.main(["--params", str(params), "--med", "scb", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert "SCB har ändrat tabeller som är låsta" in err
    assert "TAB638 (folkmängd 31 december efter region, ålder och kön): uppdaterad av SCB " in err
    assert "2027-02-20T06:00:00Z, låst version 2026-02-21T06:00:00Z" in err
    assert "--update-lock" in err
    assert lock.read_text(encoding="utf-8") == before  # nothing written
    code = fetch_cmd.main(
        ["--params", str(params), "--med", "scb", "--no-progress", "--update-lock"]
    )
    assert code == 0
    assert "ändrad och omlåst: TAB638" in capsys.readouterr().out
    # the changed table is downloaded again under its new pin, never mixed with the old answer
    posted = [r.path for r in scb_fake.data_requests()]
    assert posted.count("/api/v2/tables/TAB638/data") == 2
    assert posted.count("/api/v2/tables/TAB960/data") == 1
    assert scb_tables.read_lock(lock)["population"].updated == "2027-02-20T06:00:00Z"


def test_a_demo_run_needs_nothing(tmp_root, capsys):
    params = run_file(tmp_root)
    assert fetch_cmd.main(["--params", str(params), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "0 delar" in out and "inget behövs" in out


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v3/"


def test_offline_without_cache_fails_fast_with_one_connection_check(
    tmp_root, monkeypatch: pytest.MonkeyPatch
):
    url = closed_port_url()
    monkeypatch.setattr(kolada_client.KoladaClient.__init__, "__defaults__", (url, None))
    checks: list[str] = []
    real = http.connection_check

    def counted(u: str, timeout: float = 1.5) -> str | None:
        checks.append(u)
        return real(u, timeout)

    monkeypatch.setattr(http, "connection_check", counted)
    params = run_file(tmp_root, "kolada")
    started = time.perf_counter()
    with pytest.raises(DataError) as err:
        runner.run_reports(params, workers=1)
    seconds = time.perf_counter() - started
    text = str(err.value)
    assert checks == [url]  # one connection check for the whole run, not one per kommun
    assert seconds < 2.0, seconds
    assert "inte finns i cachen (data/raw)" in text and "går inte att nå" in text
    assert "Kolada: medellivslängd (N00923, N00925), Region Dalarna" in text
    assert "Kolada: Strategi för hälsa" in text
    assert (
        f"make fetch PARAMS={params}" in text
        and f"python -m helpers.fetch --params {params}" in text
    )
    assert not (tmp_root / "reports").exists()  # nothing has run


def test_offline_check_passes_when_the_source_answers(tmp_root, monkeypatch):
    monkeypatch.setattr(http, "connection_check", lambda u, timeout=1.5: None)
    run = needs.RunNeeds("kolada", ("20",))
    missing = needs.check_offline_ready(run)
    assert [d.what for d in missing][0].startswith("Kolada: medellivslängd")
    assert needs.check_offline_ready(needs.RunNeeds("demo", ("20",))) == []


def kolada_obj(kpi: str, mun: str, period: int, value: float, gender: str) -> dict:
    return {
        "kpi": kpi,
        "municipality": mun,
        "period": period,
        "values": [{"gender": gender, "count": 1, "status": "", "value": value}],
    }


def test_fetch_kolada_run_then_offline(tmp_root, monkeypatch, capsys):
    bypass_proxies(monkeypatch)
    data = [
        kolada_obj(kpi, mun, year, value + (year - 2023) / 10, gender)
        for kpi, gender, value in (("N00923", "M", 80.1), ("N00925", "K", 84.2))
        for mun in ("0020", "0000", "2080", "2085")
        for year in (2023, 2024)
    ]
    with serving() as srv:
        fake = KoladaFake(srv, data)
        monkeypatch.setattr(
            kolada_client.KoladaClient.__init__, "__defaults__", (fake.base_url, None)
        )
        params = run_file(tmp_root, "kolada")
        assert fetch_cmd.main(["--params", str(params), "--no-progress"]) == 0
        out = capsys.readouterr().out
        assert "2 delar – 0 fanns redan i cachen, 2 hämtades, 0 misslyckades" in out
        assert "Hämtad: Kolada: medellivslängd (N00923, N00925), Region Dalarna" in out
        assert "Hämtad: Kolada: Strategi för hälsa" in out
        n_requests = len(srv.requests)
        assert fetch_cmd.main(["--params", str(params), "--no-progress"]) == 0
        assert "2 fanns redan i cachen, 0 hämtades" in capsys.readouterr().out
        assert len(srv.requests) == n_requests  # resumable: nothing asked twice
    # the server is gone: the run's check passes without a connection attempt
    monkeypatch.setattr(http, "connection_check", lambda *a: pytest.fail("no check expected"))
    assert needs.check_offline_ready(needs.RunNeeds("kolada", ("20",))) == []
    e0 = life_expectancy.life_expectancy("kolada", lan_code="20")
    falun = e0[(e0["area_code"] == "2080") & (e0["sex"] == "kvinnor") & (e0["period"] == 2024)]
    assert falun["value"].tolist() == [84.3]


# -- the life-table section's counts: fetched once, then offline, same numbers as the demo --------
YEARS_POP = [str(y) for y in range(2014, 2020)]  # 31 Dec 2014 is needed for 2015's mean
YEARS_DEATHS = [str(y) for y in range(2015, 2020)]
AGES = [str(a) for a in range(100)] + ["100+"]


@pytest.fixture(scope="module")
def demo_dalarna(demo_root):
    """Dalarna's demo counts and the demo life expectancy 2015–2019 (computed in the demo root)."""
    counts = mortality_counts.deaths_population("demo", "20")
    e0 = mortality_counts.kommun_life_expectancy("demo", "20", periods=[(2015, 2019)])
    mortality.clear_memo()
    return counts, e0


def counts_cube_from(frame, value: str, years: list[str], content: tuple[str, str]) -> dict:
    names = frame.drop_duplicates("kommunkod").set_index("kommunkod")["kommun"].to_dict()
    regions = {"20": "Dalarnas län", **names}
    sexes = {"1": "män", "2": "kvinnor"}
    dims = {
        "Region": regions,
        "Alder": {a: f"{a} år" for a in AGES},
        "Kon": sexes,
        "ContentsCode": dict([content]),
        "Tid": {y: y for y in years},
    }
    df = frame.assign(
        Region=frame["kommunkod"],
        Alder=frame["age"].map(lambda a: "100+" if a == 100 else str(a)),
        Kon=frame["sex"].map({"men": "1", "women": "2"}),
        Tid=frame["year"].astype(str),
    ).set_index(["Region", "Alder", "Kon", "Tid"])[value]
    values = []
    for region in regions:
        for age in AGES:
            for sex in sexes:
                for year in years:
                    # the county row is SCB's own sum; the workbook must not read it
                    values.append(
                        None if region == "20" else float(df.loc[(region, age, sex, year)])
                    )
    cube = jsonstat_cube(dims, values)
    labels = {
        "Region": "region",
        "Alder": "ålder",
        "Kon": "kön",
        "ContentsCode": "tabellinnehåll",
        "Tid": "år",
    }
    return labelled(cube, labels, elimination=("Region", "Alder", "Kon"))


def test_life_tables_from_fetched_scb_counts_offline_equal_the_same_counts(
    demo_dalarna, tmp_root, lock, monkeypatch, capsys
):
    counts, demo_e0 = demo_dalarna
    deaths = counts_cube_from(counts.deaths, "deaths", YEARS_DEATHS, ("BE0101D9", "Döda"))
    population = counts_cube_from(
        counts.population, "population", YEARS_POP, ("BE0101N1", "Folkmängd")
    )
    e30 = e30_cube()
    bypass_proxies(monkeypatch)
    with serving() as srv:
        fake = PxWebFake(
            srv,
            dict(CONFIG),
            {
                "TAB960": (metadata(deaths, "TAB960"), deaths),
                "TAB638": (metadata(population, "TAB638"), population),
                "TAB4879": (metadata(e30, "TAB4879"), e30),
            },
            search=search_body(UPDATED),
        )
        monkeypatch.setattr(scb.ScbClient.__init__, "__defaults__", (fake.base_url, None))
        params = run_file(tmp_root)
        assert fetch_cmd.main(["--params", str(params), "--med", "scb", "--no-progress"]) == 0
        assert "2 hämtades" in capsys.readouterr().out
    mortality.clear_memo()  # the server is gone: everything below comes from data/raw
    e0 = mortality_counts.kommun_life_expectancy("scb", "20", periods=[(2015, 2019)])
    key = ["area_code", "sex", "period", "indicator"]
    got = e0[e0["area_type"] == "kommun"].set_index(key).sort_index()
    want = demo_e0[demo_e0["area_type"] == "kommun"].set_index(key).sort_index()
    assert len(got) == len(want) == 15 * 2 * 2  # 15 kommuner, two sexes, e0 and e30
    assert got.index.equals(want.index)
    for column in ("value", "ci_lower", "ci_upper", "numerator", "denominator"):
        assert (got[column] - want[column]).abs().max() < 1e-9, column
    assert (got["flag"] == want["flag"]).all()
    assert got["source"].str.startswith("Källa: SCB").all()


def test_a_registered_source_is_fetched_and_its_failure_summarised(tmp_root, monkeypatch, capsys):
    """How another source (e.g. Folkhälsomyndigheten) plugs in: one needs function."""
    from helpers.core.errors import SourceError

    calls: list[str] = []

    def load_ok() -> None:  # not cached at first (the probe), then fetched
        calls.append("a")
        if len(calls) == 1:
            raise http.NotCached("https://exempel.se/api/a")

    def load_fails() -> None:
        calls.append("b")
        raise SourceError("Kunde inte hämta https://exempel.se/api: servern svarade 503.")

    def test_needs(run: needs.RunNeeds) -> list[needs.Download]:
        return [
            needs.Download("test", "Testkälla: tabell A", "https://exempel.se/api", load_ok),
            needs.Download("test", "Testkälla: tabell B", "https://exempel.se/api", load_fails),
        ]

    monkeypatch.setitem(needs.REGISTRY, "test", test_needs)
    params = run_file(tmp_root)
    assert fetch_cmd.main(["--params", str(params), "--no-progress"]) == 1
    out = capsys.readouterr().out
    assert "2 delar – 0 fanns redan i cachen, 1 hämtades, 1 misslyckades" in out
    assert "Hämtad: Testkälla: tabell A" in out
    assert "Misslyckades: Testkälla: tabell B – Kunde inte hämta https://exempel.se/api" in out
    assert "Kör samma kommando igen" in out
    # each load ran once for the cache probe (no network inside it) and once for real
    assert calls == ["a", "a", "b", "b"]
