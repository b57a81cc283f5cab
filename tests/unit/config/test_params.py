"""Tests for helpers.config.params: every run file in params/ is valid, and bad files say why."""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path

import nbformat
import pytest

from helpers.config import notebook_params, params, yamlfile
from helpers.core import lookup, paths
from helpers.core.errors import DataError

REPO = Path(__file__).resolve().parents[3]
MINI = REPO / "tests" / "data" / "mini_template.ipynb"
REAL = REPO / params.DEFAULT_TEMPLATE
RUN_FILES = params.run_files(REPO / "params")
KERNELSPEC = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def _template_for(path: Path) -> Path | None:
    """The file's own template; the mini template (same contract) while the real one is missing."""
    doc = yamlfile.read_yaml(path)
    own = REPO / doc.get("template", params.DEFAULT_TEMPLATE)
    return None if own.exists() else MINI


def write(tmp_path: Path, body: str, name: str = "run.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def problems_of(path: Path, **kwargs) -> list[str]:
    with pytest.raises(DataError) as info:
        params.load_run(path, **kwargs)
    return [str(p) for p in info.value.problems]


# -- the repository's run files --------------------------------------------------------


def test_there_are_run_files():
    names = {p.name for p in RUN_FILES}
    assert {"dalarna.yaml", "sverige.yaml"} <= names
    # params/ also holds other YAML (goal lists, survey variable maps): no `run:` key
    others = {p.name for p in (REPO / "params").glob("*.yaml")} - names
    for name in others:
        assert "run" not in yamlfile.read_yaml(REPO / "params" / name)


def test_is_run_file(tmp_path):
    assert params.is_run_file(write(tmp_path, 'run: x\nlan: "20"\n'))
    assert not params.is_run_file(write(tmp_path, "name: karta\nvariables: {}\n", "map.yaml"))


@pytest.mark.parametrize("path", RUN_FILES, ids=lambda p: p.name)
def test_every_run_file_is_valid(path):
    if "reference:" in path.read_text(encoding="utf-8") and paths.reference_dir() is None:
        pytest.skip("../shared/reference saknas (körfilen läser referensdata)")
    with warnings.catch_warnings():
        warnings.simplefilter(
            "error", notebook_params.ParamsWarning
        )  # codes are quoted in our files
        spec = params.load_run(path, template=_template_for(path))
    assert spec.run and spec.kommuner
    assert spec.parameters.get("data_source") in ("demo", "kolada", "referens")
    assert set(spec.kommuner) <= set(lookup.kommuner()["kommun_code"])
    # every header documents the schema
    head = path.read_text(encoding="utf-8").splitlines()[0]
    assert head.startswith("#")
    text = path.read_text(encoding="utf-8")
    for key in params.TOP_LEVEL_KEYS:
        assert f"#   {key}" in text, f"{path.name} documents '{key}' in its header"


@pytest.mark.parametrize("path", RUN_FILES, ids=lambda p: p.name)
def test_run_file_validates_against_its_own_template(path):
    own = REPO / yamlfile.read_yaml(path).get("template", params.DEFAULT_TEMPLATE)
    if not own.exists():
        pytest.skip(f"mallen {own.relative_to(REPO)} finns inte ännu")
    if "reference:" in path.read_text(encoding="utf-8") and paths.reference_dir() is None:
        pytest.skip("../shared/reference saknas (körfilen läser referensdata)")
    params.load_run(path)


def test_dalarna_resolves_to_its_15_kommuner():
    path = REPO / "params" / "dalarna.yaml"
    spec = params.load_run(path, template=_template_for(path))
    assert spec.run == "dalarna"
    assert spec.lan == "20"
    assert len(spec.kommuner) == 15
    assert {"2080", "2085"} <= set(spec.kommuner)
    assert all(code.startswith("20") for code in spec.kommuner)
    assert spec.parameters == {"data_source": "demo", "year": 2024}
    jobs = {j.kommun: j for j in spec.jobs()}
    assert jobs["2080"].name == "Falun" and jobs["2080"].stem == "2080_falun"
    assert jobs["2085"].name == "Ludvika" and jobs["2085"].stem == "2085_ludvika"
    assert jobs["2023"].stem == "2023_malung-salen"
    assert jobs["2080"].parameters == {"kommun": "2080", "data_source": "demo", "year": 2024}
    assert spec.output_dir().parts[-2:] == ("reports", "dalarna")


def test_sverige_resolves_to_all_290_kommuner():
    path = REPO / "params" / "sverige.yaml"
    spec = params.load_run(path, template=_template_for(path))
    assert spec.lan == notebook_params.ALL_LAN
    assert len(spec.kommuner) == 290 == len(set(spec.kommuner))
    assert list(spec.kommuner) == sorted(lookup.kommuner()["kommun_code"])
    stems = [j.stem for j in spec.jobs()]
    assert len(set(stems)) == 290
    assert "0114_upplands-vasby" in stems and "2080_falun" in stems


def test_mini_template_has_the_contract_of_the_real_template():
    mini = notebook_params.template_parameters(MINI)
    assert {k: p.type_name for k, p in mini.items()} == {
        "kommun": "str",
        "data_source": "str",
        "year": "int",
    }
    assert mini["kommun"].default == "2080"
    if not REAL.exists():
        pytest.skip("notebooks/templates/kommunprofil.ipynb finns inte ännu")
    real = notebook_params.template_parameters(REAL)
    for name, p in mini.items():
        assert name in real, f"mallen saknar parametern {name}"
        assert real[name].type_name == p.type_name


# -- invalid run files -----------------------------------------------------------------


def test_unknown_parameter_is_an_error_naming_file_line_and_key(tmp_path):
    path = write(
        tmp_path,
        f"""\
        run: test
        template: {MINI}
        lan: "20"
        parameters:
          data_sorce: demo
        """,
    )
    (msg,) = problems_of(path)
    assert "run.yaml" in msg and "rad 5" in msg
    assert "parameters.data_sorce" in msg
    assert "har ingen parameter 'data_sorce'" in msg
    assert "kommun, data_source, year" in msg  # lists what the template has


def test_unknown_kommun(tmp_path):
    path = write(tmp_path, f'run: t\ntemplate: {MINI}\nlan: "20"\nkommuner: ["2080", "2099"]\n')
    (msg,) = problems_of(path)
    assert "kommuner: okänd kommunkod '2099'" in msg
    assert "rad 4" in msg


def test_kommun_outside_the_lan(tmp_path):
    path = write(tmp_path, f'run: t\ntemplate: {MINI}\nlan: "20"\nkommuner: ["0180"]\n')
    (msg,) = problems_of(path)
    assert "kommunen '0180' (Stockholm) ligger inte i län '20'" in msg
    assert "utan i län '01'" in msg


def test_wrong_type_int_parameter_written_as_text(tmp_path):
    path = write(
        tmp_path,
        f'run: t\ntemplate: {MINI}\nlan: "20"\nparameters:\n  year: "2024"\n',
    )
    (msg,) = problems_of(path)
    assert "parameters.year" in msg and "rad 5" in msg
    assert "är text (str), men mallens standardvärde 2024 är heltal (int)" in msg
    assert "skriv 2024 utan citattecken" in msg


def test_wrong_type_text_parameter_written_as_number(tmp_path):
    path = write(tmp_path, f'run: t\ntemplate: {MINI}\nlan: "20"\nparameters:\n  data_source: 5\n')
    (msg,) = problems_of(path)
    assert "parameters.data_source: 5 har fel typ – det är heltal (int)" in msg
    assert "text (str)" in msg


def test_bool_is_not_an_int(tmp_path):
    path = write(tmp_path, f'run: t\ntemplate: {MINI}\nlan: "20"\nparameters:\n  year: true\n')
    (msg,) = problems_of(path)
    assert "sant/falskt (bool)" in msg


def test_unknown_data_source(tmp_path):
    path = write(
        tmp_path, f'run: t\ntemplate: {MINI}\nlan: "20"\nparameters:\n  data_source: scb\n'
    )
    (msg,) = problems_of(path)
    assert "Datakällan 'scb' kan inte ge en rapport. Välj en av: demo, kolada, referens." in msg


def test_unknown_top_level_key(tmp_path):
    path = write(tmp_path, f'run: t\ntemplate: {MINI}\nlan: "20"\nparamters:\n  year: 2024\n')
    (msg,) = problems_of(path)
    assert "paramters: okänd nyckel" in msg and "rad 4" in msg
    assert "parameters" in msg  # lists the allowed keys


def test_missing_template(tmp_path):
    path = write(tmp_path, 'run: t\ntemplate: notebooks/templates/finns_inte.ipynb\nlan: "20"\n')
    (msg,) = problems_of(path)
    assert "template: mallen 'notebooks/templates/finns_inte.ipynb' finns inte" in msg


def test_template_without_parameters_cell(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("kommun = '2080'")], metadata=KERNELSPEC
    )
    nbformat.write(nb, tmp_path / "bad.ipynb")
    path = write(tmp_path, f'run: t\ntemplate: {tmp_path / "bad.ipynb"}\nlan: "20"\n')
    (msg,) = problems_of(path)
    assert "saknar en kodcell med taggen 'parameters'" in msg


def test_template_without_kommun_parameter(tmp_path):
    cell = nbformat.v4.new_code_cell("year = 2024", metadata={"tags": ["parameters"]})
    nbformat.write(
        nbformat.v4.new_notebook(cells=[cell], metadata=KERNELSPEC), tmp_path / "nokommun.ipynb"
    )
    path = write(tmp_path, f'run: t\ntemplate: {tmp_path / "nokommun.ipynb"}\nlan: "20"\n')
    (msg,) = problems_of(path)
    assert "saknar parametern 'kommun'" in msg


def test_unquoted_short_int_codes_are_refused_not_zero_padded(tmp_path):
    path = write(tmp_path, f"run: t\ntemplate: {MINI}\nlan: 1\nkommuner: [180, 2080]\n")
    with pytest.warns(notebook_params.ParamsWarning, match="kommunkod 2080"):  # 2080 is fine
        with pytest.raises(DataError) as info:
            params.load_run(path)
    lan, kommun = (p for p in info.value.problems)
    assert lan.row == 3 and kommun.row == 4
    assert lan.message == (
        "lan: länskod 1 skrevs utan citattecken och har bara 1 siffra – en kod fylls inte ut "
        'med nollor gissningsvis; skriv koden med citattecken, t.ex. "01" om du menar '
        'Stockholms län (eller "alla" för alla län)'
    )
    assert kommun.message == (
        "kommuner: kommunkod 180 skrevs utan citattecken och har bara 3 siffror – en kod fylls "
        'inte ut med nollor gissningsvis; skriv koden med citattecken, t.ex. "0180" om du '
        "menar Stockholm"
    )


def test_unquoted_full_length_int_codes_are_accepted_with_a_warning(tmp_path):
    path = write(tmp_path, f"run: t\ntemplate: {MINI}\nlan: 20\nkommuner: [2080, 2085]\n")
    with pytest.warns(notebook_params.ParamsWarning, match="run.yaml") as record:
        spec = params.load_run(path)
    assert spec.lan == "20"
    assert spec.kommuner == ("2080", "2085")
    assert "kommunkod 2080 skrevs utan citattecken och läses som '2080'" in str(record[1].message)


def test_leading_zero_codes_are_not_read_as_octal(tmp_path):
    # YAML 1.1 reads 0114 as the octal number 76; our loader keeps the text.
    path = write(tmp_path, f"run: t\ntemplate: {MINI}\nlan: 01\nkommuner: [0114, 0180]\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", notebook_params.ParamsWarning)
        spec = params.load_run(path)
    assert spec.lan == "01"
    assert spec.kommuner == ("0114", "0180")


def test_kommun_in_parameters_is_refused(tmp_path):
    path = write(tmp_path, f'run: t\ntemplate: {MINI}\nlan: "20"\nparameters:\n  kommun: "2080"\n')
    (msg,) = problems_of(path)
    assert "parameters.kommun: sätts av körningen för varje kommun" in msg


def test_all_problems_are_reported_at_once(tmp_path):
    path = write(
        tmp_path,
        f"""\
        run: mitt körnamn
        template: {MINI}
        lan: "20"
        kommuner: ["2099"]
        extra: 1
        workers: 0
        parameters:
          year: "2024"
          data_source: scb
          colour: red
        disclosure:
          min_n: 0
          max_n: 9
        """,
    )
    with pytest.raises(DataError) as info:
        params.load_run(path)
    text = str(info.value)
    assert text.startswith("9 problem hittades:")
    for expected in (
        "extra: okänd nyckel",
        "run: 'mitt körnamn' ska vara ett namn",
        "okänd kommunkod '2099'",
        "workers: ska vara ett heltal ≥ 1",
        "parameters.year",
        "Datakällan 'scb' kan inte ge en rapport",
        "parameters.colour",
        "disclosure.min_n: ska vara ett heltal ≥ 1",
        "disclosure.max_n: okänd nyckel",
    ):
        assert expected in text


def test_missing_required_keys(tmp_path):
    path = write(tmp_path, f"template: {MINI}\n")
    msgs = problems_of(path)
    assert any("nyckeln 'run' saknas" in m for m in msgs)
    assert any("nyckeln 'lan' saknas" in m for m in msgs)


def test_unknown_lan_and_empty_kommun_list(tmp_path):
    path = write(tmp_path, f'run: t\ntemplate: {MINI}\nlan: "99"\nkommuner: []\n')
    msgs = problems_of(path)
    assert any("okänd länskod '99'" in m for m in msgs)
    assert any("listan är tom" in m for m in msgs)


def test_duplicate_keys_and_bad_yaml(tmp_path):
    path = write(tmp_path, f'run: t\ntemplate: {MINI}\nlan: "20"\nlan: "21"\n')
    (msg,) = problems_of(path)
    assert "nyckeln 'lan' förekommer två gånger (rad 3 och 4)" in msg
    path = write(tmp_path, 'run: t\nlan: "20\n', name="broken.yaml")
    (msg,) = problems_of(path)
    assert "broken.yaml" in msg and "ogiltig YAML" in msg


def test_template_without_kernelspec(tmp_path):
    cell = nbformat.v4.new_code_cell('kommun = "2080"', metadata={"tags": ["parameters"]})
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), tmp_path / "nokernel.ipynb")
    path = write(tmp_path, f'run: t\ntemplate: {tmp_path / "nokernel.ipynb"}\nlan: "20"\n')
    (msg,) = problems_of(path)
    assert "mallen anger ingen kärna" in msg


def test_missing_file():
    with pytest.raises(DataError, match="filen finns inte"):
        params.load_run("params/finns_inte.yaml")


def template_with_min_n(tmp_path: Path) -> Path:
    """The mini template's parameters plus ``min_n = 5`` (as the real template has)."""
    cell = nbformat.v4.new_code_cell(
        'kommun = "2080"\ndata_source = "demo"\nyear = 2024\nmin_n = 5',
        metadata={"tags": ["parameters"]},
    )
    path = tmp_path / "mall_min_n.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell], metadata=KERNELSPEC), path)
    return path


def test_optional_keys_are_kept(tmp_path):
    path = write(
        tmp_path,
        f"""\
        run: prov_1
        template: {template_with_min_n(tmp_path)}
        lan: "20"
        kommuner: ["2085", "2080"]
        workers: 3
        disclosure: {{min_n: 7}}
        parameters: {{year: 2023}}
        """,
    )
    spec = params.load_run(path)
    assert spec.kommuner == ("2080", "2085")  # sorted
    assert spec.workers == 3
    assert spec.disclosure == {"min_n": 7}
    assert spec.parameters == {"year": 2023}
    assert [j.parameters for j in spec.jobs(["2085"])] == [
        {"kommun": "2085", "min_n": 7, "year": 2023}
    ]


def test_load_all_collects_problems_of_every_file(tmp_path):
    write(tmp_path, f'run: a\ntemplate: {MINI}\nlan: "20"\n', name="a.yaml")
    write(tmp_path, f'run: b\ntemplate: {MINI}\nlan: "77"\n', name="b.yaml")
    write(tmp_path, f'run: c\ntemplate: {MINI}\nlan: "20"\nfoo: 1\n', name="c.yaml")
    with pytest.raises(DataError) as info:
        params.load_all(tmp_path)
    files = {p.file for p in info.value.problems}
    assert len(info.value.problems) == 2
    assert any(f.endswith("b.yaml") for f in files) and any(f.endswith("c.yaml") for f in files)


# -- validate_parameters for single papermill runs ---------------------------------------


def test_validate_parameters_accepts_good_parameters():
    out = notebook_params.validate_parameters(
        MINI, {"kommun": "2085", "data_source": "demo", "year": 2020}
    )
    assert out == {"kommun": "2085", "data_source": "demo", "year": 2020}


def test_validate_parameters_refuses_a_short_int_kommun_and_accepts_a_full_one():
    with pytest.raises(DataError) as info:
        notebook_params.validate_parameters(MINI, {"kommun": 180})
    assert 'skriv koden med citattecken, t.ex. "0180" om du menar Stockholm' in str(info.value)
    with pytest.warns(notebook_params.ParamsWarning, match="'2080'"):
        out = notebook_params.validate_parameters(MINI, {"kommun": 2080})
    assert out == {"kommun": "2080"}


def test_validate_parameters_reports_every_problem():
    with pytest.raises(DataError) as info:
        notebook_params.validate_parameters(
            MINI, {"kommun": "9999", "year": "2024", "colour": "red", "data_source": "x"}
        )
    text = str(info.value)
    assert text.startswith("4 problem hittades")
    assert "kommun: okänd kommunkod '9999'" in text
    assert "year: '2024' har fel typ – det är text (str)" in text
    assert "har ingen parameter 'colour'" in text
    assert "Okänd datakälla 'x'" in text


def test_template_parameters_reads_the_parameters_cell():
    spec = notebook_params.template_parameters(MINI)
    assert list(spec) == ["kommun", "data_source", "year"]
    assert spec["year"].default == 2024 and spec["year"].type_name == "int"
    assert spec["data_source"].source == '"demo"'
    with pytest.raises(DataError, match="mallen finns inte"):
        notebook_params.template_parameters("notebooks/templates/finns_inte.ipynb")


def test_float_parameter_accepts_int(tmp_path):
    cell = nbformat.v4.new_code_cell(
        'kommun = "2080"\nshare = 0.5\nlabels = ["a"]\nanything = None',
        metadata={"tags": ["parameters"]},
    )
    nbformat.write(
        nbformat.v4.new_notebook(cells=[cell], metadata=KERNELSPEC), tmp_path / "f.ipynb"
    )
    out = notebook_params.validate_parameters(
        tmp_path / "f.ipynb", {"share": 1, "labels": ["x", "y"], "anything": {"a": 1}}
    )
    assert out["share"] == 1
    with pytest.raises(DataError, match="lista"):
        notebook_params.validate_parameters(tmp_path / "f.ipynb", {"labels": "x"})


def test_list_value_for_text_parameter_names_the_type(tmp_path):
    path = write(
        tmp_path, f'run: t\ntemplate: {MINI}\nlan: "20"\nparameters:\n  data_source: [demo]\n'
    )
    (msg,) = problems_of(path)
    assert "['demo'] har fel typ – det är lista (list)" in msg
