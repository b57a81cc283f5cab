"""The survey input of a kommun report: which survey file feeds the survey section.

A run file names it under ``parameters`` as ``survey: {kind: hlv_aggregated,
reference: fohm_hlv/HLV_Dalarna_2014_2018_2021.xlsx, map: params/survey_hlv_dalarna.yaml}``.

Keys
----
``kind``
    ``hlv_aggregated``: a region's spreadsheet of HLV shares with CIs per
    kommun (:mod:`helpers.sources.survey_hlv`).
``file`` or ``reference`` (exactly one)
    The workbook: ``file`` relative to the project root (or absolute);
    ``reference`` relative to ``../shared/reference`` (``FOLKHALSA_REFERENCE``),
    for the Dalarna reproduction.
``map``
    The variable map (relative to the project root), e.g.
    ``params/survey_hlv_dalarna.yaml``.

An empty mapping (the template's default) means the survey section uses the
run's ``data_source`` as before (demo microdata or an extract). Validation is
complete and Swedish (:func:`problems`), so the run file is refused before any
report runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from helpers.core import paths
from helpers.core.errors import DataError

#: Survey input kinds a run file may name.
KINDS: tuple[str, ...] = ("hlv_aggregated",)
#: Keys of the ``survey`` mapping.
KEYS: tuple[str, ...] = ("kind", "file", "reference", "map")


def problems(value: object) -> list[str]:
    """Return Swedish problems with a ``survey`` parameter (empty when valid or empty).

    Parameters
    ----------
    value : object
        The parameter as read from YAML.

    Returns
    -------
    list of str
        Messages starting with the key (``survey.kind: …``).
    """
    if value is None or value == {}:
        return []
    if not isinstance(value, Mapping):
        return ["survey: ska vara en mappning, t.ex. {kind: hlv_aggregated, file: ..., map: ...}"]
    out = [
        f"survey.{k}: okänd nyckel (tillåtna: {', '.join(KEYS)})" for k in value if k not in KEYS
    ]
    kind = value.get("kind")
    if kind not in KINDS:
        out.append(f"survey.kind: {kind!r} är ingen känd enkättyp (tillåtna: {', '.join(KINDS)})")
    has_file, has_ref = "file" in value, "reference" in value
    if has_file == has_ref:
        out.append(
            "survey: ange exakt en av file (sökväg från projektets rot) och reference "
            "(sökväg i ../shared/reference)"
        )
    for key in ("file", "reference", "map"):
        if key in value and (not isinstance(value[key], str) or not value[key].strip()):
            out.append(f"survey.{key}: ska vara en sökväg (text), inte {value[key]!r}")
    if "map" not in value:
        out.append("survey.map: saknas (variabelkartan, t.ex. params/survey_hlv_dalarna.yaml)")
    elif isinstance(value["map"], str) and not _project_path(value["map"]).is_file():
        out.append(f"survey.map: filen '{value['map']}' finns inte")
    if has_file and isinstance(value["file"], str) and not _project_path(value["file"]).is_file():
        out.append(f"survey.file: filen '{value['file']}' finns inte")
    if has_ref and isinstance(value["reference"], str):
        ref = paths.reference_dir()
        if ref is None:
            out.append(
                "survey.reference: katalogen ../shared/reference saknas bredvid projektet "
                "(referensdata behövs för den här körningen)"
            )
        elif not (ref / value["reference"]).is_file():
            out.append(f"survey.reference: filen '{value['reference']}' finns inte i {ref}")
    return out


def _project_path(text: str) -> Path:
    p = Path(text)
    return p if p.is_absolute() else paths.project_root() / p


def resolve(value: Mapping[str, object]) -> tuple[str, Path, Path]:
    """Return ``(kind, workbook, map)`` of a valid ``survey`` parameter; raise in Swedish otherwise."""
    found = problems(value)
    if found:
        raise DataError(found)
    if "reference" in value:
        ref = paths.reference_dir()
        assert ref is not None
        workbook = ref / str(value["reference"])
    else:
        workbook = _project_path(str(value["file"]))
    return str(value["kind"]), workbook, _project_path(str(value["map"]))
