"""The workshop path: every notebook runs top to bottom offline, and so does every solution.

Times are printed (and recorded as the JUnit property ``seconds``), never asserted: speed
goals belong in ``benchmarks/``. The demo data are built once before the first notebook, so
the times are those of the notebooks themselves (including kernel start-up).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers.core import paths
from helpers.sources.demo import build as demo

ROOT = paths.PACKAGE_DIR.parent.parent
NOTEBOOKS = ROOT / "notebooks"
WORKSHOP = sorted((NOTEBOOKS / "workshop").glob("[0-9][0-9]_*.ipynb"))
PATH = [NOTEBOOKS / "00_kom_igang.ipynb", *WORKSHOP, NOTEBOOKS / "utforska.ipynb"]
DETAILS = re.compile(r"<details>(.*?)</details>", re.S)
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
DEF_OR_CLASS = re.compile(r"^\s*(async\s+def|def|class)\s", re.M)


def _id(path: Path) -> str:
    return path.stem


def execute(nb: nbformat.NotebookNode, folder: Path, timeout: int = 300) -> float:
    """Execute ``nb`` in ``folder`` with a fresh kernel; return the wall time in seconds."""
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def solutions(markdown: str) -> list[str]:
    """Return the Python code blocks inside the folded ``<details>`` solutions of a text."""
    return [code for block in DETAILS.findall(markdown) for code in PYTHON_BLOCK.findall(block)]


def with_solutions(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """Return a copy of ``nb`` with every folded solution inserted as a code cell after its text."""
    out = nbformat.v4.new_notebook(metadata=nb.metadata)
    n = 0
    for cell in nb.cells:
        out.cells.append(cell)
        if cell.cell_type == "markdown":
            for code in solutions(cell.source):
                out.cells.append(nbformat.v4.new_code_cell(code))
                n += 1
    return out, n


@pytest.fixture(scope="module", autouse=True)
def _demo_data() -> None:
    demo.build_all()


def test_the_path_is_complete_and_documented():
    assert [p.stem for p in WORKSHOP] == [
        "01_indikatortabellen",
        "02_medellivslangd_mellan_kommuner",
        "03_livslangd_och_utbildning",
        "04_enkater_och_osakerhet",
        "05_rapporter_med_papermill",
    ]
    guide = (ROOT / "docs" / "workshop.md").read_text(encoding="utf-8")
    positions = [guide.index(p.relative_to(ROOT).as_posix()) for p in PATH]
    assert positions == sorted(positions)  # listed in the order of the path


@pytest.mark.parametrize("path", PATH, ids=_id)
def test_notebook_follows_the_cookbook_conventions(path: Path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        assert not DEF_OR_CLASS.search(cell.source), f"def/class i en cell i {path.name}"
        assert not cell.get("outputs") and cell.get("execution_count") is None  # stripped
    if path.parent.name == "workshop" or path.stem == "00_kom_igang":
        head = "\n".join(c.source for c in nb.cells[:3] if c.cell_type == "markdown")
        for heading in ("## Översikt", "## Förkunskaper", "**Tidsåtgång:**"):
            assert heading in head, f"{heading} saknas överst i {path.name}"
    if path.parent.name == "workshop":
        cells = nb.cells
        exercises = [i for i, c in enumerate(cells) if "**Övning" in c.source]
        assert len(exercises) >= 2
        for i in exercises:  # a working example to change follows every exercise
            assert cells[i + 1].cell_type == "code"
        folded = [DETAILS.findall(c.source) for c in cells if c.cell_type == "markdown"]
        assert sum(len(f) for f in folded) >= len(exercises)
        assert all(PYTHON_BLOCK.search(b) for f in folded for b in f)


@pytest.mark.slow
@pytest.mark.parametrize("path", PATH, ids=_id)
def test_notebook_runs_top_to_bottom_offline(path: Path, capsys, record_property):
    nb = nbformat.read(path, as_version=4)
    seconds = execute(nb, path.parent)
    record_property("seconds", round(seconds, 1))
    with capsys.disabled():
        print(f"\n[workshop] {path.relative_to(ROOT)}: {seconds:.1f} s")
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors


@pytest.mark.slow
@pytest.mark.parametrize("path", WORKSHOP, ids=_id)
def test_every_solution_runs(path: Path, capsys):
    nb, n = with_solutions(nbformat.read(path, as_version=4))
    assert n >= 2
    seconds = execute(nb, path.parent)
    with capsys.disabled():
        print(f"\n[workshop] {path.name} med {n} lösningar: {seconds:.1f} s")


def test_survey_notebook_has_no_hard_coded_findings():
    path = NOTEBOOKS / "workshop" / "04_enkater_och_osakerhet.ipynb"
    prose = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    for claim in ("I Falun", "en och en halv", "åt det håll man väntar sig."):
        assert claim not in prose, claim  # written by helpers.text.workshop instead


@pytest.mark.slow
def test_survey_notebook_prose_follows_the_chosen_kommun():
    import nbrun

    path = NOTEBOOKS / "workshop" / "04_enkater_och_osakerhet.ipynb"
    nb = nbformat.read(path, as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = params.source.replace('kommun = "2080"', 'kommun = "2021"')
    execute(nb, path.parent)
    text, _, errors = nbrun.outputs(nb)
    assert errors == []
    assert "I Vansbro minskade andelen" in text or "I Vansbro ökade andelen" in text
    assert "I Falun" not in text
    assert "ändrade vikterna andelen knappt" in text  # 6,06 against 6,12 % in the demo
