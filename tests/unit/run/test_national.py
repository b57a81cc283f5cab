"""National runs: ``--no-ipynb``, the run-file keys ``ipynb``/``scheduler``, and the Dask executor.

The Dask tests start a ``distributed.LocalCluster`` on 127.0.0.1 inside the test
process (``processes=False``: worker threads, each with its own warm kernel) and
compare what it makes with the local warm-kernel runner: the same status per
kommun, the same files and, for the real template, the same facts files byte
for byte.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from helpers.config import params
from helpers.core.errors import DataError
from helpers.run import dask_executor, execute
from helpers.run import runner as reports

REPO = Path(__file__).resolve().parents[3]
MINI = REPO / "tests" / "data" / "mini_template.ipynb"
REAL = REPO / "notebooks" / "templates" / "kommunprofil.ipynb"
RUN = """\
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
    base = tmp_path_factory.mktemp("national")
    (base / "data" / "raw").mkdir(parents=True)
    (base / "notebooks" / "templates").mkdir(parents=True)
    shutil.copy(MINI, base / "notebooks" / "templates" / "mini.ipynb")
    (base / "params").mkdir()
    (base / "params" / "mini.yaml").write_text(RUN, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOLKHALSA_ROOT", str(base))
        for var in ("FAIL", "SLOW", "KILL_WORKER"):
            mp.delenv(f"FOLKHALSA_TEST_{var}_KOMMUN", raising=False)
        yield base


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            host="127.0.0.1",
            protocol="tcp",
            dashboard_address=None,
        ) as c,
        distributed.Client(c) as client,
    ):
        yield client


def _files(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if p.is_file()}


# -- run-file keys --------------------------------------------------------------------------------


def test_run_file_keys_ipynb_and_scheduler(root):
    path = root / "params" / "keys.yaml"
    path.write_text(RUN + "ipynb: false\nscheduler: tcp://127.0.0.1:8786\n", encoding="utf-8")
    spec = params.load_run(path)
    assert spec.ipynb is False
    assert spec.scheduler == "tcp://127.0.0.1:8786"
    default = params.load_run(root / "params" / "mini.yaml")
    assert default.ipynb is True and default.scheduler is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ipynb: nej", "ipynb: ska vara true eller false"),
        ("scheduler: 127.0.0.1:8786", "scheduler: ska vara en adress"),
        ("scheduler: 8786", "scheduler: ska vara en adress"),
    ],
)
def test_bad_run_file_keys_are_refused(root, line, message):
    path = root / "params" / "bad.yaml"
    path.write_text(RUN + textwrap.dedent(line) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        params.load_run(path)
    assert any(message in str(p) for p in info.value.problems)


def test_an_unreachable_scheduler_runs_nothing(root, tmp_path, capsys):
    out = tmp_path / "none"
    code = reports.main(
        ["--params", str(root / "params" / "mini.yaml"), "--out", str(out)]
        + ["--scheduler", "tcp://127.0.0.1:9", "--no-progress"]
    )
    assert code == 2
    assert (
        "Kunde inte ansluta till Dask-schemaläggaren tcp://127.0.0.1:9" in capsys.readouterr().err
    )
    assert not (out / "index.html").exists()


# -- --no-ipynb -----------------------------------------------------------------------------------


def test_no_ipynb_keeps_only_the_failed_notebook(root, tmp_path, monkeypatch):
    monkeypatch.setenv("FOLKHALSA_TEST_FAIL_KOMMUN", "2085")
    out = tmp_path / "no-ipynb"
    r = reports.run_reports(root / "params" / "mini.yaml", workers=1, out=out, ipynb=False)
    status = {x.kommun: x for x in r.results}
    assert status["2080"].ok and status["2021"].ok
    assert "Avsiktligt testfel" in status["2085"].error
    files = _files(out)
    assert {"2021_vansbro.html", "2080_falun.html", "2085_ludvika.ipynb"} <= files
    assert not {"2021_vansbro.ipynb", "2080_falun.ipynb"} & files
    assert "Medellivslängd" in (out / "2080_falun.html").read_text(encoding="utf-8")
    saved = json.loads((out / "status.json").read_text(encoding="utf-8"))
    assert json.dumps(saved).count('"failed"') == 1
    usage = [
        json.loads(line)
        for line in (out / reports.LOG_DIR / execute.USAGE_LOG).read_text().splitlines()
    ]
    assert sorted(u["kommun"] for u in usage) == ["2021", "2080", "2085"]
    for u in usage:
        assert u["wall_s"] > 0 and u["cpu_kernel_s"] >= 0 and u["peak_kernel_mb"] > 10


# -- Dask -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_dask_runs_the_same_jobs_with_the_same_failure_isolation(root, tmp_path, cluster):
    run = root / "params" / "mini.yaml"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOLKHALSA_TEST_FAIL_KOMMUN", "2085")
        local = reports.run_reports(run, workers=1, out=tmp_path / "local")
        dask = reports.run_reports(run, out=tmp_path / "dask", dask_client=cluster)
    assert dask.scheduler == "klient", [r.error for r in dask.results]
    assert [(r.kommun, r.status) for r in dask.results] == [
        (r.kommun, r.status) for r in local.results
    ]
    assert dask.exit_code == local.exit_code == 1
    assert _files(tmp_path / "dask") == _files(tmp_path / "local")
    index = (tmp_path / "dask" / "index.html").read_text(encoding="utf-8")
    log = (tmp_path / "dask" / "status.html").read_text(encoding="utf-8")  # the run log
    assert "Avsiktligt testfel" in log and "2080_falun.html" in index
    assert dask_executor.close_executors() == 0  # the run shut its kernels down


@pytest.mark.slow
@pytest.mark.skipif(not REAL.exists(), reason="the real report template is missing")
def test_dask_and_local_reports_have_the_same_facts(root, tmp_path, cluster):
    run = tmp_path / "two.yaml"
    run.write_text(
        f'run: two\ntemplate: {REAL}\nlan: "20"\nkommuner: ["2021", "2080"]\n'
        "parameters:\n  data_source: demo\n  year: 2024\n",
        encoding="utf-8",
    )
    local = reports.run_reports(run, workers=1, out=tmp_path / "local", ipynb=False)
    dask = reports.run_reports(run, out=tmp_path / "dask", dask_client=cluster, ipynb=False)
    assert local.exit_code == dask.exit_code == 0, [r.error for r in dask.results + local.results]
    for stem in ("2021_vansbro", "2080_falun"):
        a = (tmp_path / "local" / f"{stem}.csv").read_bytes()
        b = (tmp_path / "dask" / f"{stem}.csv").read_bytes()
        assert a == b and len(a) > 10_000
        assert (tmp_path / "dask" / f"{stem}.html").stat().st_size < 1_000_000


def test_a_scheduler_without_workers_runs_nothing(root, tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(dask_executor, "WAIT_FOR_WORKERS", 1.0)
    with distributed.LocalCluster(
        n_workers=0, processes=False, host="127.0.0.1", protocol="tcp", dashboard_address=None
    ) as empty:
        with pytest.raises(DataError, match="har inga arbetare"):
            reports.run_reports(
                root / "params" / "mini.yaml", out=tmp_path / "x", scheduler=empty.scheduler_address
            )
    assert not (tmp_path / "x" / "index.html").exists()


def test_icon_css_is_dropped_and_nothing_else():
    from helpers.run.execute import drop_icon_css

    html = (
        ":root {\n  --jp-icon-add: url(data:image/svg+xml;base64,PHN2Zz4=);\n"
        "  --jp-ui-font-size1: 13px;\n}\n.jp-AddIcon { background-image: var(--jp-icon-add); }\n"
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
    )
    out = drop_icon_css(html)
    assert "url(data:image/svg+xml" not in out
    assert "--jp-ui-font-size1: 13px;" in out and "data:image/png;base64,iVBORw0KGgo=" in out
    assert len(html) - len(out) == len(
        "\n  --jp-icon-add: url(data:image/svg+xml;base64,PHN2Zz4=);"
    )
