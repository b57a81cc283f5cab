"""A demo run of real kommun reports: every table through the renderer, the data files, the index.

Three Dalarna kommuner are run with the real template on a temporary project root
(the demo data are built there on first use): Falun (large), Vansbro (small) and
Älvdalen, whose single-year smoking figure is too weak, so the report pools the two
latest survey rounds. The tests read what a user gets: the HTML tables of each
executed report, ``<code>_<name>.csv``/``.xlsx`` beside each report, and the
county overview ``index.html`` with ``lansoversikt.csv``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import nbrun
import numpy as np
import pandas as pd
import pytest

from helpers.config import catalogue
from helpers.core import indicators
from helpers.report import facts
from helpers.run import runner as reports

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "notebooks" / "templates" / "kommunprofil.ipynb"
STEMS = {"2080": "2080_falun", "2021": "2021_vansbro", "2039": "2039_alvdalen"}
PARAMS = """\
run: tre
lan: "20"
kommuner: ["2021", "2039", "2080"]
parameters:
  data_source: demo
  year: 2024
"""
NUMBERS = ["value", "ci_lower", "ci_upper", "numerator", "denominator", "n"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("rapporter")
    (base / "data" / "raw").mkdir(parents=True)
    (base / "data" / "processed").mkdir(parents=True)
    (base / "notebooks" / "templates").mkdir(parents=True)
    shutil.copy(TEMPLATE, base / "notebooks" / "templates" / TEMPLATE.name)
    (base / "params").mkdir()
    (base / "params" / "tre.yaml").write_text(PARAMS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOLKHALSA_ROOT", str(base))
        mp.delenv("MPLBACKEND", raising=False)
        result = reports.run_reports(base / "params" / "tre.yaml", workers=1)
        yield result


def _html_tables(nb) -> list[str]:
    text, _, errors = nbrun.outputs(nb, mimes=("text/html",))
    assert errors == []
    return re.findall(r"<table.*?</table>", text, flags=re.S)


def test_every_report_is_made(run):
    assert [r.status for r in run.results] == ["ok"] * 3, [r.error for r in run.results]


@pytest.mark.parametrize("stem", STEMS.values())
def test_every_table_has_no_index_no_truncation_and_decimal_commas(run, stem):
    nb = nbformat.read(run.out_dir / f"{stem}.ipynb", as_version=4)
    found = _html_tables(nb)
    assert len(found) >= 4  # key figures, life table, education, survey, Strategi
    for html in found:
        assert 'class="fh-table' in html, "a table that did not pass the renderer"
        assert 'class="dataframe"' not in html
        header = re.search(r"<thead>(.*?)</thead>", html, flags=re.S).group(1)
        assert "<th></th>" not in header, "an index column"
        assert "…" not in html and "..." not in html, "truncated text"
        cells = re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)
        assert not [c for c in cells if re.search(r"\d\.\d", c)], "a decimal point"
        assert any(re.search(r"\d,\d", c) for c in cells), "no decimal comma at all"
    page = (run.out_dir / f"{stem}.html").read_text(encoding="utf-8")
    assert 'class="dataframe"' not in page


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(
        path,
        sep=";",
        decimal=",",
        encoding="utf-8-sig",
        dtype={"area_code": str, "period_label": str},
    )


@pytest.mark.parametrize("stem", STEMS.values())
def test_data_files_beside_each_report(run, stem):
    csv, xlsx = run.out_dir / f"{stem}.csv", run.out_dir / f"{stem}.xlsx"
    assert csv.is_file() and xlsx.is_file()
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    data = _read_csv(csv)
    assert list(data.columns[: len(facts.COLUMNS)]) == facts.COLUMNS
    assert len(data) > 50 and data["value"].dtype == float  # decimal comma read back
    book = pd.read_excel(xlsx, sheet_name="Fakta", dtype={"area_code": str, "period_label": str})
    assert len(book) == len(data)
    assert np.allclose(book["value"].to_numpy(float), data["value"].to_numpy(float), equal_nan=True)
    # one fact, one value (at the decimals shown)
    decimals = {i.id: i.decimals for i in catalogue.load()}
    shown = data[data["value"].notna()].copy()
    shown["shown"] = [
        round(v, decimals.get(i, 2))
        for v, i in zip(shown["value"], shown["indicator"], strict=True)
    ]
    keys = [*facts.FACT_KEYS, "period_label"]
    per_fact = shown.fillna({"group": ""}).groupby(keys, dropna=False)["shown"].nunique()
    assert (per_fact == 1).all(), per_fact[per_fact > 1]
    # suppressed rows carry nothing that reveals them
    hidden = data[data["flag"] == indicators.FLAG_SUPPRESSED]
    assert len(hidden) > 0
    assert hidden[NUMBERS].isna().all().all()
    hidden_xlsx = book[book["flag"] == indicators.FLAG_SUPPRESSED]
    assert hidden_xlsx[NUMBERS].isna().all().all()


def test_small_kommun_gets_a_pooled_smoking_figure_with_the_rule(run):
    data = _read_csv(run.out_dir / "2039_alvdalen.csv")
    own = data[
        (data["indicator"] == "daglig_rokning")
        & (data["area_code"] == "2039")
        & (data["sex"] == "totalt")
        & (data["group"] == "alla")
        & (data["period"] == 2024)
    ]
    assert own["period_label"].unique().tolist() == ["2020–2024"]
    assert own["value"].notna().all()
    page = (run.out_dir / "2039_alvdalen.html").read_text(encoding="utf-8")
    assert "slås enkäterna 2020 och 2024 samman" in page
    assert "Regel: ett enskilt enkätår visas" in page
    falun = _read_csv(run.out_dir / "2080_falun.csv")  # a large kommun keeps its single year
    f = falun[(falun["indicator"] == "daglig_rokning") & (falun["area_code"] == "2080")]
    assert "2024" in set(f["period_label"]) and "2020–2024" not in set(f["period_label"])


def test_index_is_the_county_overview_with_the_reports_numbers(run):
    page = (run.out_dir / "index.html").read_text(encoding="utf-8")
    assert '<table class="rug">' in page
    for stem in STEMS.values():
        assert f'href="{stem}.html"' in page
    assert 'href="status.html"' in page and (run.out_dir / "status.html").is_file()
    assert "Spridning mellan kommunerna" in page and "inte säkert skild" in page
    overview = _read_csv(run.out_dir / "lansoversikt.csv")
    assert (run.out_dir / "lansoversikt.xlsx").is_file()
    assert set(overview["section"]) == {"Länsöversikt"}
    cells = overview[overview["area_type"] == "kommun"]
    assert set(cells["area_code"]) == set(STEMS)
    assert {"e0", "daglig_rokning"} <= set(cells["indicator"])
    for code, stem in STEMS.items():
        own = _read_csv(run.out_dir / f"{stem}.csv")
        mine = cells[cells["area_code"] == code]
        merged = mine.merge(
            own[own["value"].notna()],
            on=[*facts.FACT_KEYS, "period_label"],
            suffixes=("", "_report"),
        )
        assert (
            merged[["indicator", "sex"]].drop_duplicates().shape[0]
            == mine[mine["value"].notna()][["indicator", "sex"]].drop_duplicates().shape[0]
        )
        assert np.allclose(merged["value"], merged["value_report"])
    # a value is shown in the overview cell with decimal comma
    e0 = cells[(cells["indicator"] == "e0") & (cells["area_code"] == "2080")]
    assert len(e0) == 2
    from helpers.core.fmt import num

    for v in e0["value"]:
        assert f">{num(v, 1)}<" in page
