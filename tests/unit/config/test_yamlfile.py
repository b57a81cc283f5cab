"""Tests for helpers.config.yamlfile, and the malformed YAML cases in tests/malformed/yaml/.

Every case file there is refused with a Swedish message naming the file (and the
line where there is one), or – the ``ok_`` files – read to the one value it can
mean. Large inputs (bombs, oversized files) are generated here.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.config import notebook_params, params, variable_map, yamlfile
from helpers.core import lookup
from helpers.core.errors import DataError

REPO = Path(__file__).resolve().parents[3]
CASES = REPO / "tests" / "malformed" / "yaml"
NB03 = "notebooks/03_levnadsvanor_enkat.ipynb"
NB04 = "notebooks/04_strategi_for_halsa.ipynb"


def refusal(path: Path, read=yamlfile.read_yaml) -> DataError:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", notebook_params.ParamsWarning)
        with pytest.raises(DataError) as info:
            read(path)
    return info.value


def write(tmp_path: Path, data: str | bytes, name: str = "fil.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# -- the malformed cases -----------------------------------------------------------------

#: file -> (line of the problem or None, a part of the Swedish message)
EXPECTED: dict[str, tuple[int | None, str]] = {
    "run_cp1252.yaml": (2, "byten 0xF6 (tecken 17 på raden) går inte att läsa"),
    "run_utf16.yaml": (1, "filen är sparad som UTF-16 ('Unicode') – spara filen som UTF-8"),
    "run_binary.yaml": (1, "filen innehåller NUL-tecken (byte 6) och är ingen YAML-textfil"),
    "run_control_char.yaml": (3, "osynligt styrtecken (U+0007, tecken 8 på raden)"),
    "run_tabs.yaml": (5, "tabbtecken används för indrag – YAML kräver mellanslag"),
    "run_unclosed_quote.yaml": (4, "eller så saknas ett avslutande citattecken på rad 3"),
    "run_windows_path_escape.yaml": (4, "okänd escape-sekvens (\\) inom dubbla citattecken"),
    "run_two_documents.yaml": (4, "filen innehåller flera YAML-dokument (åtskilda av ---)"),
    "run_python_tag.yaml": (2, "typmarkeringen '!!python/object/apply:os.system' är inte"),
    "run_duplicate_key.yaml": (5, "nyckeln 'lan' förekommer två gånger (rad 3 och 5)"),
    "run_alias_bomb.yaml": (5, "alias (*namn, en hänvisning till ett ankare &namn) är inte"),
    "run_deep.yaml": (4, f"nästlad i fler än {yamlfile.MAX_DEPTH} nivåer"),
    "run_empty.yaml": (None, "filen är tom (eller innehåller bara kommentarer)"),
    "run_comments_only.yaml": (None, "filen är tom (eller innehåller bara kommentarer)"),
    "run_top_list.yaml": (None, "nycklar på översta nivån (till exempel 'run:'), men den"),
    "run_kommun_short_int.yaml": (
        4,
        "kommunkod 114 skrevs utan citattecken och har bara 3 siffror – en kod fylls inte ut "
        'med nollor gissningsvis; skriv koden med citattecken, t.ex. "0114" om du menar '
        "Upplands Väsby",
    ),
    "run_lan_short_int.yaml": (3, 'skriv koden med citattecken, t.ex. "03" om du menar Uppsala'),
    "run_kommuner_comma_string.yaml": (4, 'ska vara en lista, t.ex. ["2080", "2085"], inte'),
    "run_kommuner_duplicate.yaml": (4, "kommunkod '2080' förekommer två gånger"),
    "run_min_n_twice.yaml": (
        6,
        "parameters.min_n: röjandekontrollens tröskel anges på ett enda ställe i en körfil, "
        "'disclosure: {min_n: 3}' – flytta värdet dit (filen anger nu två olika trösklar: "
        "parameters.min_n = 3 och disclosure.min_n = 10",
    ),
    "run_min_n_in_parameters.yaml": (5, "'disclosure: {min_n: 10}' – flytta värdet dit"),
    "run_min_n_zero.yaml": (5, "disclosure.min_n: ska vara ett heltal ≥ 1, inte 0"),
    "run_min_n_decimal.yaml": (5, "inte 2.5 (decimaltal (float)) – ett antal svarande har inga"),
    "run_min_n_bool.yaml": (5, "inte True (sant/falskt (bool)) – true/false är inget antal"),
    "run_min_n_text.yaml": (5, "inte '10' (text (str)) – skriv 10 utan citattecken"),
    "run_disclosure_unknown_key.yaml": (6, "disclosure.max_n: okänd nyckel"),
    "run_year_text.yaml": (5, "parameters.year: '2024' har fel typ – det är text (str)"),
    "run_year_decimal.yaml": (5, "det är decimaltal (float), men mallens standardvärde 2024 är"),
    "run_year_two_digits.yaml": (5, "parameters.year: 24 är inget årtal – skriv året med fyra"),
    "run_year_nan.yaml": (5, "parameters.year: '.nan' har fel typ – det är text (str)"),
    "run_unknown_parameter.yaml": (5, "okänd nyckel 'parameters.yeer'"),
    "run_workers_zero.yaml": (4, "workers: ska vara ett heltal ≥ 1, inte 0"),
    "run_data_source_yes.yaml": (5, "parameters.data_source: Okänd datakälla 'yes'"),
    "nb_disclosure_section.yaml": (3, "som anteckningsbokens parameter 'min_n: 10'"),
    "nb_min_n_zero.yaml": (3, "min_n: ska vara ett heltal ≥ 1, inte 0"),
    "nb_lan_code_short_int.yaml": (2, 'skriv koden med citattecken och två siffror, t.ex. "03"'),
    "nb_variables_duplicate.yaml": (3, "'daily_smoking' förekommer två gånger i listan"),
    "nb_cp1252.yaml": (1, "spara filen som UTF-8"),
    "map_duplicate_key.yaml": (10, "nyckeln 'sex' förekommer två gånger (rad 6 och 10)"),
    "map_duplicate_code.yaml": (8, "nyckeln '1' förekommer två gånger"),
    "map_alias.yaml": (16, "alias (*namn, en hänvisning till ett ankare &namn) är inte"),
    "map_tabs.yaml": (5, "tabbtecken används för indrag"),
}


def _reader(name: str):
    if name.startswith("run_"):
        return params.load_run
    if name.startswith("nb_"):
        return lambda p: notebook_params.load_notebook_parameters(p, NB03)
    if name.startswith("map_"):
        return variable_map.load_variable_map
    return yamlfile.read_yaml


def test_every_case_file_has_an_expectation():
    files = {p.name for p in CASES.glob("*.yaml") if not p.name.startswith("ok_")}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_case_is_refused_in_swedish_naming_file_and_line(name):
    row, fragment = EXPECTED[name]
    error = refusal(CASES / name, _reader(name))
    (problem,) = error.problems
    assert problem.file is not None and problem.file.endswith(name)
    assert problem.row == row
    assert fragment in problem.message
    text = str(error)
    assert text.startswith(f"fil {problem.file}")
    for english in ("Error", "found", "expected", "while ", "could not", "unacceptable"):
        assert english not in text, english


def test_the_cp1252_run_file_says_what_to_do():
    (problem,) = refusal(CASES / "run_cp1252.yaml", params.load_run).problems
    assert problem.message == (
        "filen är inte sparad som UTF-8: byten 0xF6 (tecken 17 på raden) går inte att läsa – "
        "filen är troligen sparad som Windows-1252/ANSI. Kodningen gissas inte: spara filen "
        "som UTF-8 (t.ex. i Anteckningar: Spara som → Kodning: UTF-8) och försök igen"
    )


# -- the accepted cases ------------------------------------------------------------------


def test_utf8_with_bom_is_read():
    spec = params.load_run(CASES / "ok_utf8_bom.yaml")
    assert spec.run == "t" and spec.kommuner == ("2039",)


def test_unquoted_codes_stay_codes_end_to_end():
    with pytest.warns(notebook_params.ParamsWarning, match="kommunkod 2080 skrevs utan"):
        spec = params.load_run(CASES / "ok_unquoted_codes.yaml")
    assert spec.kommuner == ("0114", "2080")
    spec = params.load_run(CASES / "ok_lan_leading_zero.yaml")
    assert spec.lan == "03"
    assert spec.kommuner == tuple(sorted(lookup.kommuner_in("03")["kommun_code"]))


def test_unquoted_codes_in_notebook_parameters(tmp_path):
    path = write(tmp_path, "lan_code: 01\nkommun: 0114\n")
    assert notebook_params.load_notebook_parameters(path, NB04) == {
        "lan_code": "01",
        "kommun": "0114",
    }
    path = write(tmp_path, 'lan_code: "01"\nkommun: 114\n')
    (problem,) = refusal(path, lambda p: notebook_params.load_notebook_parameters(p, NB04)).problems
    assert problem.row == 2
    assert 'skriv koden med citattecken, t.ex. "0114" om du menar Upplands Väsby' in (
        problem.message
    )


def test_the_threshold_reaches_the_jobs_and_a_small_one_is_logged(caplog):
    spec = params.load_run(CASES / "ok_min_n.yaml")
    assert spec.disclosure == {"min_n": 10}
    assert {j.parameters["min_n"] for j in spec.jobs()} == {10}
    assert caplog.records == []


def test_a_threshold_below_five_is_accepted_with_a_warning(tmp_path, caplog):
    path = write(tmp_path, 'run: t\nlan: "20"\ndisclosure: {min_n: 3}\n', "liten.yaml")
    with caplog.at_level(logging.WARNING, logger="helpers.config.notebook_params"):
        spec = params.load_run(path)
    assert spec.disclosure == {"min_n": 3}
    (record,) = caplog.records
    assert record.getMessage().startswith(
        f"{yamlfile.display_path(path)}: disclosure.min_n = 3 är lägre än arbetsbokens standard 5"
    )


def test_a_whole_float_threshold_is_the_integer(tmp_path):
    path = write(tmp_path, 'run: t\nlan: "20"\ndisclosure: {min_n: 10.0}\n')
    spec = params.load_run(path)
    assert spec.disclosure == {"min_n": 10} and type(spec.disclosure["min_n"]) is int


def test_min_n_rule():
    assert [notebook_params.min_n_value(v) for v in (1, 5, 10.0, 0, -1, 2.5, True, "5", None)] == [
        1,
        5,
        10,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    assert notebook_params.min_n_value(float("inf")) is None


def test_disclosure_for_a_template_without_min_n_is_refused(tmp_path):
    mini = REPO / "tests" / "data" / "mini_template.ipynb"
    path = write(tmp_path, f'run: t\ntemplate: {mini}\nlan: "20"\ndisclosure: {{min_n: 10}}\n')
    (problem,) = refusal(path, params.load_run).problems
    assert problem.row == 4
    assert "har ingen parameter 'min_n', så tröskeln skulle aldrig nå rapporterna" in (
        problem.message
    )


# -- the strict reader's values ----------------------------------------------------------


def test_scalars_are_read_as_written(tmp_path):
    doc = yamlfile.read_yaml(
        write(
            tmp_path,
            "a: 0114\nb: 2080\nc: 1.5\nd: yes\ne: true\nf: .nan\ng: 20_80\nh: 2024-01-01\n"
            "i: 1e3\nj: 12345678901234567890\nk: no\nl: 20:80\nm: -3\n",
        )
    )
    assert doc == {
        "a": "0114",
        "b": 2080,
        "c": 1.5,
        "d": "yes",
        "e": True,
        "f": ".nan",
        "g": "20_80",
        "h": "2024-01-01",
        "i": 1000.0,
        "j": "12345678901234567890",
        "k": "no",
        "l": "20:80",
        "m": -3,
    }
    assert doc.lines == {k: i for i, k in enumerate(doc, start=1)}


def test_a_float_too_large_is_refused(tmp_path):
    (problem,) = refusal(write(tmp_path, "a: 1\nb: 1e999\n")).problems
    assert (
        problem.row == 2
        and problem.message == "ogiltig YAML: talet 1e999 är för stort för att räknas med"
    )


def test_explicit_int_tag_cannot_make_a_code_octal(tmp_path):
    (problem,) = refusal(write(tmp_path, "kommun: !!int 0114\n")).problems
    assert problem.message.startswith("ogiltig YAML: typmarkeringen '!!int' är inte tillåten")
    assert yamlfile.read_yaml(write(tmp_path, "kommun: !!str 0114\n")) == {"kommun": "0114"}


def test_a_list_as_key_is_refused(tmp_path):
    (problem,) = refusal(write(tmp_path, "? [a, b]\n: 1\n")).problems
    assert problem.row == 1 and "en nyckel kan inte vara en lista" in problem.message


# -- limits: bombs and big files -----------------------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    lines = ['lol0: &lol0 "lol"']
    for i in range(1, levels + 1):
        refs = ", ".join([f"*lol{i - 1}"] * 10)
        lines.append(f"lol{i}: &lol{i} [{refs}]")
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_bomb_is_refused_not_expanded(tmp_path):
    path = write(tmp_path, billion_laughs())
    (problem,) = refusal(path).problems
    assert problem.row == 2 and "alias" in problem.message


def test_many_aliases_of_one_big_anchor_are_refused(tmp_path):
    big = "[" + ", ".join(["x"] * 5000) + "]"
    path = write(tmp_path, f"a: &a {big}\nb: [" + ", ".join(["*a"] * 5000) + "]\n")
    (problem,) = refusal(path).problems
    assert problem.row == 2 and "alias" in problem.message


def test_deep_nesting_is_refused_without_recursion_error(tmp_path):
    path = write(tmp_path, "a: " + "[" * 200_000 + "]" * 200_000 + "\n")
    (problem,) = refusal(path).problems
    assert problem.row == 1 and f"fler än {yamlfile.MAX_DEPTH} nivåer" in problem.message
    block = "".join(f"{'  ' * i}k{i}:\n" for i in range(yamlfile.MAX_DEPTH + 5)) + "  " * 25 + "x\n"
    (problem,) = refusal(write(tmp_path, block, "block.yaml")).problems
    assert problem.row == yamlfile.MAX_DEPTH + 1


def test_an_oversized_file_is_refused_before_it_is_parsed(tmp_path):
    path = write(tmp_path, "a: [" + "1, " * 400_000 + "1]\n")
    (problem,) = refusal(path).problems
    assert problem.row is None
    assert problem.message.startswith("filen är för stor för en parameterfil (1,2 MB, högst 1 MB")


def test_a_long_number_stays_text(tmp_path):
    doc = yamlfile.read_yaml(write(tmp_path, "a: " + "1" * 5000 + "\n"))
    assert doc["a"] == "1" * 5000


def test_a_bomb_among_the_run_files_does_not_hang_the_listing(tmp_path):
    write(tmp_path, "run: bomb\n" + billion_laughs(), "bomb.yaml")
    write(tmp_path, 'run: a\nlan: "20"\n', "a.yaml")
    assert [p.name for p in params.run_files(tmp_path)] == ["a.yaml", "bomb.yaml"]
    with pytest.raises(DataError) as info:
        params.load_all(tmp_path)
    (problem,) = info.value.problems
    assert problem.file.endswith("bomb.yaml") and "alias" in problem.message


def test_two_run_files_with_the_same_run_name_are_refused(tmp_path):
    write(tmp_path, 'run: samma\nlan: "20"\n', "a.yaml")
    write(tmp_path, 'run: samma\nlan: "21"\n', "b.yaml")
    with pytest.raises(DataError) as info:
        params.load_all(tmp_path)
    (problem,) = info.value.problems
    assert problem.file.endswith("b.yaml") and problem.row == 1
    assert "körningen 'samma' finns också i" in problem.message and "a.yaml" in problem.message


def test_unreadable_and_missing_files(tmp_path):
    with pytest.raises(DataError, match="filen finns inte"):
        yamlfile.read_yaml(tmp_path / "saknas.yaml")
    with pytest.raises(DataError, match="filen finns inte"):
        yamlfile.read_yaml(tmp_path)  # a directory


# -- the repository's own files ------------------------------------------------------------


def test_every_params_file_is_within_the_limits():
    files = sorted((REPO / "params").glob("*.yaml"))
    assert files
    for path in files:
        yamlfile.read_yaml(path)  # no aliases, not too deep, UTF-8
        assert path.stat().st_size * 10 < yamlfile.MAX_BYTES


# -- properties: random input never gives a silent wrong value ----------------------------

KOMMUN_CODES = sorted(lookup.kommuner()["kommun_code"])


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-20_000, max_value=200_000))
def test_an_int_code_is_read_as_written_or_refused(value):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", notebook_params.ParamsWarning)
            code = notebook_params.normalize_code(value, 4, "kommunkod")
    except DataError as exc:
        assert "kommunkod" in str(exc)
    else:
        assert code == str(value) and len(code) == 4  # never zero-padded, never changed


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_random_bytes_are_a_mapping_or_a_swedish_refusal(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "slump.yaml"
        path.write_bytes(data)
        try:
            doc = yamlfile.read_yaml(path)
        except DataError as exc:
            assert all(p.file and p.file.endswith("slump.yaml") for p in exc.problems)
        else:
            assert isinstance(doc, dict)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(KOMMUN_CODES), min_size=1, max_size=6, unique=True), st.data())
def test_kommun_codes_round_trip_quoted_or_not(codes, data):
    # Unquoted: 0114 stays text, 2080 is an int with all its digits – both read as written.
    written = [c if data.draw(st.booleans()) else f'"{c}"' for c in codes]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.yaml"
        path.write_text(f"run: t\nlan: alla\nkommuner: [{', '.join(written)}]\n", encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", notebook_params.ParamsWarning)
            spec = params.load_run(path)
    assert spec.kommuner == tuple(sorted(codes))
