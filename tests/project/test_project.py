"""Project-level checks: environment.yml in step with pyproject, committed files, notebooks."""

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _name(req: str) -> str:
    return re.split(r"[<>=!~ ;\[]", req.strip(), maxsplit=1)[0].lower()


def test_environment_yml_matches_pyproject():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = py["project"]["dependencies"] + py["project"]["optional-dependencies"]["dev"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip[-1] == "-e ."
    listed = {_name(d): d.replace(" ", "") for d in conda + pip[:-1]}
    from importlib import util

    spec = util.spec_from_file_location("sync_env", ROOT / "scripts" / "sync_environment_yml.py")
    sync = util.module_from_spec(spec)
    spec.loader.exec_module(sync)
    for req in wanted:
        assert _name(req) in listed, f"{req} saknas i environment.yml"
        assert listed[_name(req)] in (req.replace(" ", ""), sync.conda_requirement(req)), (
            f"olika versionskrav för {req}"
        )
    extra = set(listed) - {_name(r) for r in wanted} - {"python", "pip"}
    assert not extra, f"environment.yml har paket som inte finns i pyproject.toml: {extra}"
    python = next(d for d in conda if d.startswith("python"))
    assert python == "python=3.11"


def _tracked() -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return out.stdout.splitlines()


def test_nothing_under_data_but_readmes_and_manifests():
    bad = [
        f
        for f in _tracked()
        if f.startswith("data/") and not re.search(r"(README\.md|manifest[^/]*\.md)$", f)
    ]
    assert bad == []


def test_committed_notebooks_have_no_outputs_and_keep_kernelspec():
    notebooks = [f for f in _tracked() if f.endswith(".ipynb")]
    for nb_path in notebooks:
        nb = json.loads((ROOT / nb_path).read_text())
        assert nb["metadata"]["kernelspec"]["name"] == "python3", nb_path
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell.get("outputs", []) == [], f"{nb_path} har sparade utdata"
                assert cell.get("execution_count") is None, nb_path


def test_no_def_or_class_in_notebooks():
    for nb_path in ROOT.glob("notebooks/**/*.ipynb"):
        if ".ipynb_checkpoints" in nb_path.parts:
            continue
        nb = json.loads(nb_path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                src = "".join(cell["source"])
                assert not re.search(r"^\s*(def|class|async def)\s", src, re.M), nb_path


def test_every_module_has_a_docstring():
    import ast

    for path in (ROOT / "src" / "helpers").glob("*.py"):
        tree = ast.parse(path.read_text())
        assert ast.get_docstring(tree), f"{path.name} saknar modul-docstring"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make demo" in readme
    assert "make test" in ci
