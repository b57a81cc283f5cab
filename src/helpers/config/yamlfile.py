"""The one strict YAML reader for every file in ``params/`` (run files, catalogue, maps, goals).

It is PyYAML's ``SafeLoader`` with three changes, so that a file is never read
in a way the analyst did not mean:

* integers are plain decimal only: ``0114`` (a kommun code) stays the string
  ``"0114"`` instead of YAML 1.1's octal 76, and ``20:80`` is not sexagesimal;
* a key that occurs twice in one mapping is an error naming both lines (PyYAML
  silently keeps the last one);
* every mapping and sequence remembers the line of each key/item, so that a
  validator can name the line of a bad value.

Errors are :class:`helpers.core.errors.DataError` with the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from helpers.core import paths
from helpers.core.errors import DataError, Problem


class _LineDict(dict):
    """A mapping read from YAML that remembers the line (1-based) of each key."""

    lines: dict[Any, int]


class _LineList(list):
    """A sequence read from YAML that remembers the line (1-based) of each item."""

    lines: list[int]


class StrictLoader(yaml.SafeLoader):
    """SafeLoader without octal/sexagesimal ints, refusing duplicate keys, recording lines."""


# Plain decimal integers only: ``0114`` stays a string, ``20:80`` too.
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:int"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
)


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    out = _LineDict()
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in out:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"nyckeln '{key}' förekommer två gånger (rad {out.lines[key]} och {line})",
                key_node.start_mark,
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
    return out


def _construct_sequence(loader: StrictLoader, node: yaml.SequenceNode) -> _LineList:
    out = _LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.lines = [child.start_mark.line + 1 for child in node.value]
    return out


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def display_path(path: Path) -> str:
    """Return ``path`` relative to the project root when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(paths.project_root().resolve()))
    except ValueError:
        return str(path)


def read_yaml(path: str | Path) -> dict:
    """Read a YAML file with the strict loader (see the module docstring).

    Parameters
    ----------
    path : str or Path
        The YAML file.

    Returns
    -------
    dict
        The top-level mapping (a dict whose ``lines`` attribute maps keys to lines).

    Raises
    ------
    DataError
        If the file is missing, is not valid YAML, has duplicate keys or is not a mapping.
    """
    path = Path(path)
    shown = display_path(path)
    if not path.is_file():
        raise DataError(Problem("filen finns inte", file=shown))
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        row = mark.line + 1 if mark is not None else None
        reason = exc.problem or str(exc)
        raise DataError(Problem(f"ogiltig YAML: {reason}", file=shown, row=row)) from None
    except yaml.YAMLError as exc:
        raise DataError(Problem(f"ogiltig YAML: {exc}", file=shown)) from None
    if not isinstance(doc, dict):
        raise DataError(
            Problem(
                "filen ska innehålla nycklar på översta nivån (till exempel 'run:')", file=shown
            )
        )
    return doc
