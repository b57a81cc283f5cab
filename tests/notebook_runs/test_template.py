"""Tests for the report template and the county notebook: structure, and executed with papermill."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import nbrun
import pytest

from helpers.core import lookup
from helpers.core.fmt import SYNTHETIC_LABEL, num
from helpers.stats import lifeexp
from helpers.text import narrative

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "notebooks" / "templates" / "kommunprofil.ipynb"
COUNTY_NB = REPO / "notebooks" / "01_medellivslangd_kommuner.ipynb"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _code(cell) -> str:
    """Cell source without IPython magics (so it parses as Python)."""
    return "\n".join(line for line in cell.source.splitlines() if not line.startswith("%"))


def _parameters(nb) -> dict[str, object]:
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "exactly one cell tagged 'parameters'"
    tree = ast.parse(cells[0].source)
    params = {}
    for node in tree.body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, "only assignments"
        assert isinstance(node.targets[0], ast.Name)
        params[node.targets[0].id] = ast.literal_eval(node.value)  # only literals
    return params


@pytest.mark.parametrize("path", [TEMPLATE, COUNTY_NB], ids=["kommunprofil", "01"])
def test_notebook_structure(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"] == KERNELSPEC
    if path == TEMPLATE:
        # The report's title names the kommun, so it is written by code after the parameters.
        assert "parameters" in nb.cells[0].metadata["tags"]
        assert "overview_text.report_title(kommun_name, year)" in nb.cells[3].source
    else:
        assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [] and cell.execution_count is None, "no outputs stored"
        for node in ast.walk(ast.parse(_code(cell))):
            assert not isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
            ), "no def/class in notebooks"
    last = nb.cells[-1]
    assert last.cell_type == "code" and "provenance.collect" in last.source


def test_template_parameters_contract():
    nb = nbformat.read(TEMPLATE, as_version=4)
    params = _parameters(nb)
    assert params == {
        "kommun": "2080",
        "data_source": "demo",
        "year": 2024,
        "min_n": 5,
        "survey": {},
        "benchmark": "län",
        "palette": "okabe_ito",
        "logo": "",
    }
    assert [type(v) for v in params.values()] == [str, str, int, int, dict, str, str, str]
    assert lookup.area_name(params["kommun"]) == "Falun"
    assert lookup.lan_of(params["kommun"]) == "20"
    # The parameters cell comes first (the title names the kommun, so code writes it).
    assert "parameters" in nb.cells[0].metadata["tags"]
    # Derived values come after it: the whole profile is built from the parameters.
    assert (
        "kommun, data_source, year, min_n, survey=survey, benchmark=benchmark, palette=palette"
        in nb.cells[1].source
    )
    assert "profile.check(profil)" in nb.cells[2].source
    # Method, checks and provenance are in the appendix at the end.
    sources = [c.source for c in nb.cells]
    appendix = next(i for i, s in enumerate(sources) if "## Bilaga: metod, kontroller" in s)
    assert appendix > next(i for i, s in enumerate(sources) if "## Strategi för hälsa" in s)


def test_county_notebook_parameters():
    nb = nbformat.read(COUNTY_NB, as_version=4)
    assert _parameters(nb) == {"lan_code": "20", "data_source": "demo", "year": 2024}
    header = "\n".join(c.source for c in nb.cells[:3] if c.cell_type == "markdown")
    for heading in ("## Översikt", "## Förkunskaper", "Tidsåtgång"):
        assert heading in header


# -- executed with papermill -------------------------------------------------------------------
def _execute(path: Path, out: Path, parameters: dict, monkeypatch) -> nbformat.NotebookNode:
    import papermill

    # The kernel is a subprocess: it inherits FOLKHALSA_ROOT (tmp_root) from os.environ.
    # MPLBACKEND=Agg (set for the tests) would stop the kernel from showing figures.
    monkeypatch.delenv("MPLBACKEND", raising=False)
    papermill.execute_notebook(
        str(path),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(path.parent),
    )
    return nbformat.read(out, as_version=4)


EXPECTED_IMAGES = 16


@pytest.mark.slow
def test_template_runs_and_reports_the_numbers(tmp_root, monkeypatch):
    from helpers.sources import life_expectancy as data

    kommun, year = "2085", 2024  # Ludvika, not the default
    nb = _execute(
        TEMPLATE,
        tmp_root / "ludvika.ipynb",
        {"kommun": kommun, "data_source": "demo", "year": year},
        monkeypatch,
    )
    text, images, errors = nbrun.outputs(nb)
    assert errors == []
    assert nbrun.first_heading(nb) == "# Folkhälsoprofil för Ludvika 2024"
    # The facts of the report are handed to the runner in a mime type that HTML does not show,
    # and every fact has one value (profile.check would have stopped the report otherwise).
    from helpers.report import facts

    payload = [
        out.data[facts.MIMETYPE]
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if facts.MIMETYPE in out.get("data", {})
    ]
    assert len(payload) == 1
    shown = facts.from_records(payload[0])
    assert facts.conflicts(shown).empty
    assert {"e0", "daglig_rokning"} <= set(shown["indicator"])
    # The spine chart, 4 life-expectancy figures, 3 from the life-table section (ranking,
    # range, map), 3 education figures, 4 survey figures and the Strategi small multiples.
    assert images == EXPECTED_IMAGES
    assert SYNTHETIC_LABEL in text
    # every later section produced output: education, survey and Strategi för hälsa
    lowered = text.lower()
    for marker in ("eftergymnasial", "röker dagligen", "störst avvikelser"):
        assert marker in lowered, marker

    # Recompute from the same (demo) data in the test process.
    table = data.life_expectancy("demo", lan_code="20")
    ranges = lifeexp.county_range(table, "20")
    kom = lifeexp.select(table, period=year, area_type="kommun")
    for sex in ("kvinnor", "män"):
        values = kom.loc[kom["sex"] == sex, "value"]
        r = ranges[(ranges["sex"] == sex) & (ranges["period"] == year)].iloc[0]
        assert r["range"] == pytest.approx(values.max() - values.min())
        # The report states the range with decimal comma, from max − min of the input.
        sentence = narrative.range_sentence(ranges, sex, year)
        assert sentence in text
        assert f"var {num(values.max() - values.min(), 1, 'år')} för {sex}" in text
        compare = lifeexp.compare_areas(table, kommun)
        assert narrative.compare_sentence(compare, sex, year) in text
        rank = lifeexp.kommun_rank(table, kommun)
        assert narrative.rank_sentence(rank, sex, year) in text
    assert "## Det viktigaste" in text and "Falun" not in nbrun.first_heading(nb)
    assert "Ursprung och reproducerbarhet" in text and "kommun = '2085'" in text
    # Readers see no code font in the report's text.
    shown_md, _, _ = nbrun.outputs(nb, mimes=("text/markdown",))
    assert "`" not in shown_md
    assert "kolada_v3_data_kpi_N00925" in text


@pytest.mark.slow
def test_county_notebook_runs(tmp_root, monkeypatch):
    from helpers.sources import life_expectancy as data

    nb = _execute(
        COUNTY_NB,
        tmp_root / "lan.ipynb",
        {"lan_code": "20", "data_source": "demo", "year": 2024},
        monkeypatch,
    )
    text, images, errors = nbrun.outputs(nb)
    assert errors == []
    assert images == 3
    ranges = lifeexp.county_range(data.life_expectancy("demo", lan_code="20"), "20")
    for sex in ("kvinnor", "män"):
        assert narrative.range_sentence(ranges, sex, 2024) in text
