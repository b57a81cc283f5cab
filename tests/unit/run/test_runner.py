"""Tests for helpers.run.runner: the per-kommun runner on the small test template.

The template ``tests/data/mini_template.ipynb`` has the parameter contract of
``notebooks/templates/kommunprofil.ipynb`` and fails on request through
environment variables read inside the notebook (``FOLKHALSA_TEST_FAIL_KOMMUN``,
``FOLKHALSA_TEST_SLOW_KOMMUN``, ``FOLKHALSA_TEST_KILL_WORKER_KOMMUN``). It also
asserts that nothing is left over from the previous notebook on a warm kernel.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from helpers.config import params
from helpers.config.params import Job
from helpers.core.errors import DataError
from helpers.run import execute
from helpers.run import runner as reports

REPO = Path(__file__).resolve().parents[3]
MINI = REPO / "tests" / "data" / "mini_template.ipynb"
KOMMUNER = {"2021": "2021_vansbro", "2080": "2080_falun", "2085": "2085_ludvika"}
PARAMS = """\
run: mini
template: notebooks/templates/mini.ipynb
lan: "20"
kommuner: ["2021", "2080", "2085"]
parameters:
  data_source: demo
  year: 2024
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """A project root with the mini template and a run file (demo data built on first run)."""
    base = tmp_path_factory.mktemp("root")
    (base / "data" / "raw").mkdir(parents=True)
    (base / "notebooks" / "templates").mkdir(parents=True)
    shutil.copy(MINI, base / "notebooks" / "templates" / "mini.ipynb")
    (base / "params").mkdir()
    (base / "params" / "mini.yaml").write_text(PARAMS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOLKHALSA_ROOT", str(base))
        for var in ("FAIL", "SLOW", "KILL_WORKER"):
            mp.delenv(f"FOLKHALSA_TEST_{var}_KOMMUN", raising=False)
        yield base


@pytest.fixture(scope="module")
def failing_run(root):
    """Run the three kommuner on one warm kernel, with Ludvika (2085) failing."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOLKHALSA_TEST_FAIL_KOMMUN", "2085")
        return reports.run_reports(root / "params" / "mini.yaml", workers=1)


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")}


def code_cells(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_a_failing_kommun_is_reported_while_the_others_finish(failing_run):
    r = failing_run
    assert r.exit_code == 1
    assert [x.kommun for x in r.results] == ["2021", "2080", "2085"]
    assert [x.status for x in r.results] == ["ok", "ok", "failed"]
    (failed,) = r.failed
    assert failed.error == "RuntimeError: Avsiktligt testfel för kommun 2085 (i cell [5])"
    assert r.out_dir == r.spec.output_dir()
    assert r.out_dir.parts[-2:] == ("reports", "mini")


def test_outputs_have_deterministic_names(failing_run):
    expected = {f"{stem}.{ext}" for stem in KOMMUNER.values() for ext in ("ipynb", "html")}
    assert files_in(failing_run.out_dir) == expected | {"index.html", "status.html", "status.json"}
    for res in failing_run.results:
        assert res.notebook == f"{KOMMUNER[res.kommun]}.ipynb"
        assert res.html == f"{KOMMUNER[res.kommun]}.html"


def test_notebooks_look_like_papermill_output(failing_run):
    for code, stem in KOMMUNER.items():
        nb = nbformat.read(failing_run.out_dir / f"{stem}.ipynb", as_version=4)
        meta = nb.metadata.papermill
        assert meta.parameters == {"kommun": code, "data_source": "demo", "year": 2024}
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1
        assert f'kommun = "{code}"' in injected[0].source
        assert "year = 2024" in injected[0].source
        # a reset warm kernel numbers cells from 1, like a new kernel
        assert code_cells(failing_run.out_dir / f"{stem}.ipynb")[0].execution_count == 1
    falun = code_cells(failing_run.out_dir / "2080_falun.ipynb")
    text = "".join(o.get("text", "") for c in falun for o in c.get("outputs", []))
    assert "Medellivslängd kvinnor:" in text and "år" in text


def test_failed_notebook_is_saved_with_the_error(failing_run):
    nb = nbformat.read(failing_run.out_dir / "2085_ludvika.ipynb", as_version=4)
    assert nb.metadata.papermill.exception is True
    markers = [c for c in nb.cells if execute.ERROR_MARKER_TAG in c.metadata.get("tags", [])]
    assert len(markers) == 2  # papermill's banner and anchor
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors[0].ename == "RuntimeError"
    assert "Avsiktligt testfel" in errors[0].evalue


def test_html_has_no_input_code(failing_run):
    for stem in KOMMUNER.values():
        page = (failing_run.out_dir / f"{stem}.html").read_text(encoding="utf-8")
        assert "life_expectancy(data_source" not in page
        assert "import matplotlib" not in page
        assert "Kommunprofil – testmall" in page  # markdown is kept
    falun = (failing_run.out_dir / "2080_falun.html").read_text(encoding="utf-8")
    assert "Medellivslängd kvinnor:" in falun
    assert "<title>Falun (2080)</title>" in falun
    ludvika = (failing_run.out_dir / "2085_ludvika.html").read_text(encoding="utf-8")
    assert "Avsiktligt testfel för kommun 2085" in ludvika


def test_index_links_every_report_with_status(failing_run):
    assert failing_run.index == failing_run.out_dir / "index.html"
    page = failing_run.index.read_text(encoding="utf-8")
    assert '<html lang="sv">' in page
    for stem in KOMMUNER.values():
        assert f'href="{stem}.html"' in page
    assert "Folkhälsa i Dalarnas län" in page
    assert "2 av 3 rapporter klara, 1 misslyckades" in page
    assert 'href="status.html"' in page and "Misslyckades: Ludvika" in page
    assert "Syntetiska demodata" in page
    log = (failing_run.out_dir / "status.html").read_text(encoding="utf-8")  # the run log
    for stem in KOMMUNER.values():
        assert f'href="{stem}.html"' in log
        assert f'href="{stem}.ipynb"' in log
    assert "Körlogg – Dalarnas län" in log
    assert log.count(">OK</td>") == 2 and log.count(">Misslyckades</td>") == 1
    assert "RuntimeError: Avsiktligt testfel för kommun 2085" in log


def test_status_json(failing_run):
    doc = json.loads((failing_run.out_dir / "status.json").read_text(encoding="utf-8"))
    assert doc["run"] == "mini"
    assert {k: v["status"] for k, v in doc["kommuner"].items()} == {
        "2021": "ok",
        "2080": "ok",
        "2085": "failed",
    }


def test_only_reruns_one_kommun_and_keeps_the_others(failing_run, tmp_path, capsys):
    out = tmp_path / "rerun"
    shutil.copytree(failing_run.out_dir, out)
    before = (out / "2080_falun.ipynb").stat().st_mtime_ns
    code = reports.main(
        ["--params", "params/mini.yaml", "--only", "2085", "--workers", "1"]
        + ["--out", str(out), "--no-progress"]
    )
    assert code == 0  # the failure trigger is not set now
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("1 av 1 rapporter klara, 0 misslyckades")
    assert lines[-1].startswith(f"Rapporterna finns i {out}")
    assert (out / "2080_falun.ipynb").stat().st_mtime_ns == before  # untouched
    nb = nbformat.read(out / "2085_ludvika.ipynb", as_version=4)
    assert nb.metadata.papermill.exception is None
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "3 av 3 rapporter klara" in page and "Misslyckades" not in page


def test_dry_run_validates_and_writes_nothing(root, tmp_path, capsys):
    out = tmp_path / "dry"
    code = reports.main(
        ["--params", str(root / "params" / "mini.yaml"), "--dry-run"] + ["--out", str(out)]
    )
    assert code == 0
    assert not out.exists()
    text = capsys.readouterr().out
    assert "Torrkörning" in text and "3 rapporter" in text
    assert "2080 Falun" in text and "2080_falun.html" in text
    assert "Inget kördes" in text
    result = reports.run_reports(root / "params" / "mini.yaml", only=["2080"], dry_run=True)
    assert result.dry_run and [j.kommun for j in result.jobs] == ["2080"]
    assert result.results == [] and result.index is None


def test_bad_input_runs_nothing(root, tmp_path, capsys):
    out = tmp_path / "never"
    args = ["--params", str(root / "params" / "mini.yaml"), "--out", str(out)]
    assert reports.main([*args, "--only", "0180", "9999"]) == 2
    err = capsys.readouterr().err
    assert "inget har körts" in err
    assert "kommunen '0180' (Stockholm) ingår inte i körningen 'mini'" in err
    assert "okänd kommunkod '9999'" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text(PARAMS.replace("year: 2024", 'year: "2024"'), encoding="utf-8")
    assert reports.main(["--params", str(bad), "--out", str(out)]) == 2
    assert "parameters.year" in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(DataError, match="ingår inte i körningen"):
        reports.run_reports(root / "params" / "mini.yaml", only=["2084"], dry_run=True)


def test_only_accepts_unpadded_codes(root):
    spec = params.load_run(root / "params" / "mini.yaml")
    assert [j.kommun for j in reports._select(spec, [2080, "2085", "2080"])] == ["2080", "2085"]


def test_write_error_notebook_parameterizes_the_template(tmp_path):
    job = Job("2080", "Falun", "20", {"kommun": "2080", "year": 2020})
    path = tmp_path / "x.ipynb"
    execute.write_error_notebook(MINI, job, path, "Kärnan dog")
    nb = nbformat.read(path, as_version=4)
    assert "Kärnan dog" in nb.cells[0].source
    assert nb.cells[0].metadata.tags == [execute.ERROR_MARKER_TAG]
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert 'kommun = "2080"' in injected[0].source


@pytest.mark.slow
def test_parallel_workers_survive_a_dead_worker(root, tmp_path, monkeypatch):
    monkeypatch.setenv("FOLKHALSA_TEST_FAIL_KOMMUN", "2085")
    monkeypatch.setenv("FOLKHALSA_TEST_KILL_WORKER_KOMMUN", "2021")
    out = tmp_path / "par"
    r = reports.run_reports(root / "params" / "mini.yaml", workers=2, out=out)
    assert r.workers == 2
    status = {x.kommun: x for x in r.results}
    assert status["2080"].ok
    assert "Avsiktligt testfel" in status["2085"].error
    assert status["2021"].error.startswith("Arbetsprocessen avslutades oväntat")
    assert r.exit_code == 1
    assert files_in(out) >= {f"{s}.ipynb" for s in KOMMUNER.values()} | {"index.html"}
    assert (out / "2080_falun.html").exists()
    assert {p.name for p in (out / reports.LOG_DIR).iterdir()} >= {"worker-1.log", "usage.jsonl"}


@pytest.mark.slow
def test_fresh_kernel_mode(root, tmp_path):
    out = tmp_path / "fresh"
    r = reports.run_reports(
        root / "params" / "mini.yaml", only=["2080", "2085"], workers=1, fresh_kernel=True, out=out
    )
    assert r.exit_code == 0 and r.fresh_kernel
    for stem in ("2080_falun", "2085_ludvika"):
        assert code_cells(out / f"{stem}.ipynb")[0].execution_count == 1
        assert "import matplotlib" not in (out / f"{stem}.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_timeout_fails_one_kommun_and_restarts_the_kernel(root, tmp_path, monkeypatch):
    monkeypatch.setenv("FOLKHALSA_TEST_SLOW_KOMMUN", "2080")
    out = tmp_path / "slow"
    r = reports.run_reports(
        root / "params" / "mini.yaml", only=["2080", "2085"], workers=1, out=out, timeout=15
    )
    status = {x.kommun: x for x in r.results}
    assert status["2080"].status == "failed"
    assert status["2080"].error.startswith("Tidsgränsen överskreds")
    # The slow cell sleeps 60 s: the run ends well before that (15 s per cell leaves
    # room for the template's imports on a loaded machine).
    assert status["2080"].seconds < 55
    assert status["2085"].ok  # ran on a new kernel
    nb = nbformat.read(out / "2080_falun.ipynb", as_version=4)
    assert execute.ERROR_MARKER_TAG in nb.cells[0].metadata.tags
    assert "Tidsgränsen" in nb.cells[0].source
