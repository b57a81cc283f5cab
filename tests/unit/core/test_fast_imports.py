"""Tests for :mod:`helpers.core.fast_imports` (run in fresh interpreters: it changes ``sys.modules``)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from helpers.core import paths


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout.strip()


def test_importing_helpers_params_marks_the_slow_checker_absent_and_notebooks_still_validate():
    template = paths.templates_dir() / "kommunprofil.ipynb"
    out = _run(
        f"""
        import sys
        import helpers.config.params
        assert sys.modules["rfc3987_syntax"] is None
        try:
            import rfc3987_syntax
        except ImportError:
            print("absent")
        import nbformat
        nb = nbformat.read({str(template)!r}, as_version=4)
        nbformat.validate(nb)
        bad = nbformat.from_dict({{"cells": [{{"cell_type": "nope"}}], "metadata": {{}},
                                  "nbformat": 4, "nbformat_minor": 5}})
        try:
            nbformat.validate(bad)
        except nbformat.ValidationError:
            print("invalid notebook rejected")
        """
    )
    assert out.splitlines() == ["absent", "invalid notebook rejected"]


def test_an_already_imported_module_is_left_alone():
    out = _run(
        """
        import sys, types
        sys.modules["rfc3987_syntax"] = types.ModuleType("rfc3987_syntax")
        from helpers.core.fast_imports import skip_iri_format_checker
        print(skip_iri_format_checker(), sys.modules["rfc3987_syntax"] is not None)
        """
    )
    assert out == "False True"
