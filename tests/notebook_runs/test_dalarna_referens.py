"""The Dalarna reproduction on real data: 15 kommun reports and notebook 05 (needs ../shared/reference)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import nbrun
import numpy as np
import pandas as pd
import papermill as pm
import pytest

from helpers import reports
from helpers.core import lookup, paths
from helpers.sources import mortality_counts

REPO = Path(__file__).resolve().parents[2]
RUN = REPO / "params" / "dalarna_referens.yaml"
NB05 = REPO / "notebooks" / "05_dalarna_referens.ipynb"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if paths.reference_dir() is None:
        pytest.skip("../shared/reference saknas (referensdata behövs för detta test)")
    out = tmp_path_factory.mktemp("dalarna_referens")
    code = reports.main(["--params", str(RUN), "--out", str(out), "--no-progress"])
    assert code == 0
    return out


def _data(run_dir: Path, stem: str) -> pd.DataFrame:
    return pd.read_csv(
        run_dir / f"{stem}.csv",
        sep=";",
        decimal=",",
        encoding="utf-8-sig",
        dtype={"area_code": str},
    )


def test_fifteen_real_reports(run_dir: Path) -> None:
    kommuner = lookup.kommuner_in("20")
    stems = [
        f"{c}_{lookup.slug(n)}"
        for c, n in zip(kommuner["kommun_code"], kommuner["kommun_name"], strict=True)
    ]
    assert len(stems) == 15
    for stem in stems:
        assert (run_dir / f"{stem}.html").is_file() and (run_dir / f"{stem}.csv").is_file()
    page = (run_dir / "2080_falun.html").read_text(encoding="utf-8").replace("\u00a0", " ")
    assert "Syntetiska demodata" not in page
    assert "Skillnaden mellan länets kommuner var 3,4 år för kvinnor 2015–2019" in page
    assert "Källa: Folkhälsomyndigheten, Hälsa på lika villkor" in page
    # Strategi för hälsa on Kolada's values in the reference (A69): behöriga åk 9 86,3 → 89,3 %
    assert "Källa: Kolada (referensdata, hämtade augusti 2024)" in page
    assert "Åk 9 behöriga till yrkesprogram" in page and "89,3 %" in page
    assert "saknar referensfilerna för Strategi" not in page


def test_e0_is_scbs_method_on_scbs_counts(run_dir: Path) -> None:
    data = _data(run_dir, "2080_falun")
    le = mortality_counts.kommun_life_expectancy("referens", lan_code="20", ages=(0,))
    for sex in ("kvinnor", "män"):
        shown = data[
            (data["indicator"] == "e0")
            & (data["area_code"] == "2080")
            & (data["sex"] == sex)
            & (data["period"] == 2019)
        ]
        truth = le[(le["area_code"] == "2080") & (le["sex"] == sex) & (le["period"] == 2019)].iloc[
            0
        ]
        assert len(shown) and np.allclose(shown["value"], truth["value"], atol=1e-9)
        assert np.allclose(shown["ci_lower"], truth["ci_lower"], atol=1e-9)
    # Falun 2015–2019: 84,9 (women) and 81,9 (men) years
    assert (
        round(
            float(
                le[(le["area_code"] == "2080") & (le["sex"] == "kvinnor") & (le["period"] == 2019)][
                    "value"
                ].iloc[0]
            ),
            1,
        )
        == 84.9
    )


def test_daily_smoking_is_the_spreadsheets(run_dir: Path) -> None:
    ref = paths.reference_dir()
    raw = pd.read_excel(
        ref / "fohm_hlv" / "HLV_Dalarna_2014_2018_2021.xlsx",
        sheet_name="Kommunjämförelse",
        dtype=object,
    )
    data = _data(run_dir, "2081_borlange")
    for year in (2014, 2021):
        cell = raw[
            (raw["Kommun"] == "Borlänge")
            & (raw["År"] == str(year))
            & (raw["Kön"] == "Totalt")
            & (raw["Fråga"] == "Tobak - Röker dagligen")
        ].iloc[0]
        lo, hi = (float(x) for x in cell["Konfidensintervall"].replace("*", "").split(" - "))
        row = data[
            (data["indicator"] == "daglig_rokning")
            & (data["area_code"] == "2081")
            & (data["period"] == year)
            & (data["sex"] == "totalt")
            & (data["group"] == "alla")
        ].iloc[0]
        assert (row["ci_lower"], row["ci_upper"]) == (lo, hi)
        assert row["value"] == pytest.approx((lo + hi) / 2)
        assert abs(row["value"] - cell["Andel"]) <= 0.5  # whole-percent Andel is the rounded value


def test_notebook_05_sets_claims_beside_numbers(reference_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "05.ipynb"
    pm.execute_notebook(str(NB05), str(out), cwd=str(REPO / "notebooks"), progress_bar=False)
    text, images, errors = nbrun.outputs(nbformat.read(out, as_version=4))
    assert not errors and images >= 1
    text = text.replace("\u00a0", " ")
    assert "3,4 år (Malung-Sälen 82,2 år, Gagnef 85,6 år)" in text
    assert "3,0 år (Älvdalen 78,9 år, Falun 81,9 år)" in text
    assert "Påståendet ”ca 3 år” stämmer med referensdata för kvinnor och män." in text
    assert "Rapporten: 5,5 år för kvinnor. Riket" in text and "6,8 år 2021" in text
    assert "Rapporten: drygt 6 år för män." in text and "6,2 år 2016" in text
    assert "I 13 av 15 kommuner är minskningen statistiskt säkerställd" in text
    assert "Rättvik och Smedjebacken kan förändringen bero på slumpen" in text
