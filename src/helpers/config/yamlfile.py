"""The one strict YAML reader for every file in ``params/`` (run files, catalogue, maps, goals).

It is PyYAML's ``SafeLoader`` with changes so that a file is never read in a
way the analyst did not mean, and so that no file can make it hang:

* integers are plain decimal only: ``0114`` (a kommun code) stays the string
  ``"0114"`` instead of YAML 1.1's octal 76, ``20:80`` is not sexagesimal and
  ``20_80`` is not 2080; digit strings longer than 18 digits stay text;
* floats are plain decimal (``0.5``, ``1e-3``); ``.inf``/``.nan`` stay text and
  a number too large for a float (``1e999``) is refused;
* only ``true``/``false`` are booleans (YAML 1.1 also reads ``yes``, ``no``,
  ``on``, ``off`` as booleans, so ``no:`` would become the key ``False``);
  dates stay text;
* a key that occurs twice in one mapping is an error naming both lines (PyYAML
  silently keeps the last one);
* explicit type tags (``!!python/object``, ``!!int``, ...) other than ``!!str``
  are refused;
* every mapping and sequence remembers the line of each key/item, so that a
  validator can name the line of a bad value.

Limits (each refusal is a :class:`~helpers.core.errors.DataError` in Swedish
naming the file, the line where there is one, and what to do):

* size: at most :data:`MAX_BYTES` (1 MB; the largest file in ``params/``, the
  catalogue, is about 21 kB);
* aliases (``*name``, the references to an anchor ``&name``) are refused: no
  file in ``params/`` uses them, and they are what a "billion laughs" bomb is
  made of, so such a bomb is refused at its first alias;
* nesting depth at most :data:`MAX_DEPTH` (the deepest file in ``params/``
  nests about six levels);
* encoding: UTF-8 (with or without BOM). A file in another encoding (Windows-1252,
  UTF-16) or with NUL bytes/control characters (a binary file) is refused with
  the line of the first bad byte – the encoding is never guessed;
* PyYAML's English syntax errors (tabs used for indentation, an unclosed quote,
  a misplaced colon, ...) are told in Swedish with the line.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml

from helpers.core import paths
from helpers.core.errors import DataError, Problem

#: Largest YAML file read (bytes).
MAX_BYTES = 1_000_000
#: Deepest nesting of mappings/sequences.
MAX_DEPTH = 20
#: Prefix of the message of every problem PyYAML (or a limit checked while parsing) finds.
SYNTAX_PREFIX = "ogiltig YAML: "
#: Message when the file is valid YAML but not a mapping (problem without a row).
NOT_A_MAPPING = "filen ska innehålla nycklar på översta nivån (till exempel 'run:')"

_ALIAS_MESSAGE = (
    "alias (*namn, en hänvisning till ett ankare &namn) är inte tillåtna i arbetsbokens "
    "YAML-filer – skriv ut värdet på varje ställe där det behövs"
)
_STR_TAG = "tag:yaml.org,2002:str"
# Characters PyYAML refuses (everything but tab, newlines and printable text).
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


class _LineDict(dict):
    """A mapping read from YAML that remembers the line (1-based) of each key."""

    lines: dict[Any, int]


class _LineList(list):
    """A sequence read from YAML that remembers the line (1-based) of each item."""

    lines: list[int]


class _Refused(yaml.MarkedYAMLError):
    """A problem found while parsing whose message is already Swedish."""


class StrictLoader(yaml.SafeLoader):
    """SafeLoader with decimal-only numbers, no aliases, a depth limit and line numbers."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        """Compose one node, refusing aliases, explicit tags and too deep nesting."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(None, None, _ALIAS_MESSAGE, event.start_mark)
        tag = getattr(event, "tag", None)
        if tag not in (None, "!", _STR_TAG):
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise _Refused(
                None,
                None,
                f"typmarkeringen '{shown}' är inte tillåten – ta bort den "
                "(skriv text inom citattecken om värdet ska vara text)",
                event.start_mark,
            )
        if not isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(
                    None,
                    None,
                    f"filen är nästlad i fler än {MAX_DEPTH} nivåer – arbetsbokens YAML-filer "
                    "behöver några få; kontrollera indrag och hakparenteser",
                    event.start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _keep(tag: str) -> bool:
    return tag not in (
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:timestamp",
    )


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if _keep(tag)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# YAML 1.2 core schema booleans only: yes/no/on/off stay text.
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
# Plain decimal integers only: ``0114`` stays a string, ``20:80`` and ``20_80`` too.
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]{0,17})$")
StrictLoader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
# Plain decimal floats only (a point or an exponent); ``.inf`` and ``.nan`` stay text.
_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]{1,3})?$")
StrictLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))


def _construct_int(loader: StrictLoader, node: yaml.ScalarNode) -> int:
    return int(loader.construct_scalar(node))


def _construct_float(loader: StrictLoader, node: yaml.ScalarNode) -> float:
    text = str(loader.construct_scalar(node))
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(None, None, f"talet {text} är för stort för att räknas med", node.start_mark)
    return value


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    out = _LineDict()
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise _Refused(
                None,
                None,
                "en nyckel kan inte vara en lista eller mappning – skriv nyckeln som text",
                key_node.start_mark,
            ) from None
        if key in out:
            raise _Refused(
                None,
                None,
                f"nyckeln '{key}' förekommer två gånger (rad {out.lines[key]} och {line}) – "
                "ta bort den ena (YAML skulle annars tyst använda den sista)",
                key_node.start_mark,
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
    return out


def _construct_sequence(loader: StrictLoader, node: yaml.SequenceNode) -> _LineList:
    out = _LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.lines = [child.start_mark.line + 1 for child in node.value]
    return out


StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def display_path(path: Path) -> str:
    """Return ``path`` relative to the project root when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(paths.project_root().resolve()))
    except ValueError:
        return str(path)


# -- PyYAML's English messages, in Swedish --------------------------------------------------

_QUOTE_HINT = "saknas ett avslutande citattecken?"
_SPECIAL = (
    "tecknet {} i början av ett värde har en särskild betydelse i YAML – skriv värdet inom "
    "citattecken"
)
_DIRECTIVE = (
    "filen har en rad som börjar med % (ett YAML-direktiv) eller något efter ett dokumentslut "
    "(...) – ta bort det; arbetsbokens filer är ett enda dokument utan direktiv"
)
_TRANSLATIONS: tuple[tuple[str, str], ...] = (
    (
        "found character '\\t' that cannot start any token",
        "tabbtecken används för indrag – YAML kräver mellanslag; ersätt tabbarna med mellanslag",
    ),
    (
        "found unexpected end of stream",
        f"filen tar slut mitt i ett värde – {_QUOTE_HINT}",
    ),
    (
        "found unknown escape character",
        "okänd escape-sekvens (\\) inom dubbla citattecken – skriv sökvägar med / eller inom "
        "enkla citattecken ('C:\\data\\fil.csv')",
    ),
    (
        "mapping values are not allowed here",
        "ett kolon på fel ställe – ett värde som innehåller ': ' ska stå inom citattecken, "
        "annars är indraget fel",
    ),
    (
        "could not find expected ':'",
        f"ett kolon (:) saknas efter en nyckel, eller {_QUOTE_HINT[:-1]}",
    ),
    (
        "expected a single document in the stream",
        "filen innehåller flera YAML-dokument (åtskilda av ---) – bara ett är tillåtet",
    ),
    ("expected ',' or ']'", "en lista inom [ ] är inte avslutad eller saknar kommatecken"),
    ("expected ',' or '}'", "en mappning inom { } är inte avslutad eller saknar kommatecken"),
    ("did not find expected key", "indraget stämmer inte med raderna ovanför"),
    ("expected <block end>", "indraget stämmer inte med raderna ovanför"),
    ("did not find expected '-' indicator", "indraget stämmer inte med listan ovanför"),
    (
        "did not find expected node content",
        "ett värde saknas eller börjar med ett tecken som kräver citattecken",
    ),
    ("found undefined alias", _ALIAS_MESSAGE),
    ("found duplicate anchor", _ALIAS_MESSAGE),
    ("that cannot start any token", "ett värde börjar med ett tecken som kräver citattecken"),
    # by what PyYAML was reading (its context), then by its complaint
    ("while scanning a tag", _SPECIAL.format("!")),
    ("while parsing a tag", _SPECIAL.format("!")),
    ("found undefined tag handle", _SPECIAL.format("!")),
    ("while scanning an anchor", _SPECIAL.format("&")),
    ("while scanning an alias", _SPECIAL.format("*")),
    ("while scanning a block scalar", _SPECIAL.format("| eller >")),
    ("while scanning a directive", _DIRECTIVE),
    ("duplicate YAML directive", _DIRECTIVE),
    ("duplicate tag handle", _DIRECTIVE),
    ("expected '<document start>'", _DIRECTIVE),
    (
        "found unexpected document separator",
        "--- eller ... står mitt i ett värde – skriv värdet inom citattecken",
    ),
    (
        "expected the node content",
        "ett värde saknas eller börjar med ett tecken som kräver citattecken",
    ),
    (
        "are not allowed here",
        "indraget stämmer inte (en nyckel eller ett listelement står på fel ställe)",
    ),
    (
        "could not determine a constructor",
        "värdet kan inte läsas (<< eller en typmarkering med !) – skriv det inom citattecken",
    ),
    (
        "for merging",
        "sammanslagning med << används inte i arbetsbokens filer – skriv ut nycklarna",
    ),
)


def _swedish(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, int | None]:
    """Return the Swedish reason and the line (1-based) of a PyYAML error in ``text``."""
    mark = exc.problem_mark or exc.context_mark
    reason = exc.problem or str(exc)
    if isinstance(exc, _Refused):
        return reason, mark.line + 1 if mark is not None else None
    swedish = f"YAML-syntaxfel – kontrollera indrag, kolon och citattecken (tekniskt: {reason})"
    for english, translated in _TRANSLATIONS:
        if english in f"{exc.context} {reason}":
            swedish = translated
            if english == "found unexpected end of stream" and exc.context_mark is not None:
                mark = exc.context_mark  # where the unclosed value starts
            break
    row = mark.line + 1 if mark is not None else None
    unclosed = _unclosed_quote(text, row)
    if unclosed is not None and unclosed != row and _QUOTE_HINT not in swedish:
        swedish += f" – eller så saknas ett avslutande citattecken på rad {unclosed}"
    return swedish, row


def _unclosed_quote(text: str, row: int | None) -> int | None:
    """Return the first line up to ``row`` with an odd number of double quotes, or None."""
    for number, line in enumerate(text.splitlines()[: row or None], start=1):
        content = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
        if (content.count('"') - content.count('\\"')) % 2:
            return number
    return None


def _line_of(data: bytes | str, position: int) -> int:
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return data[:position].count(newline) + 1  # type: ignore[arg-type]


def _column_of(data: bytes | str, position: int) -> int:
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return position - (data.rfind(newline, 0, position) + 1) + 1  # type: ignore[arg-type]


def _decode(data: bytes, shown: str) -> str:
    """Return the text of a UTF-8 file; refuse any other encoding and binary files."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(
            Problem(
                "filen är sparad som UTF-16 ('Unicode') – spara filen som UTF-8 och försök igen",
                file=shown,
                row=1,
            )
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DataError(
            Problem(
                f"filen innehåller NUL-tecken (byte {nul + 1}) och är ingen YAML-textfil "
                "(en binär fil, t.ex. Excel, eller en skadad fil?) – ange en YAML-fil sparad "
                "som UTF-8",
                file=shown,
                row=_line_of(data, nul),
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        byte = data[exc.start]
        raise DataError(
            Problem(
                f"filen är inte sparad som UTF-8: byten 0x{byte:02X} (tecken "
                f"{_column_of(data, exc.start)} på raden) går inte att läsa – filen är troligen "
                "sparad som Windows-1252/ANSI. Kodningen gissas inte: spara filen som UTF-8 "
                "(t.ex. i Anteckningar: Spara som → Kodning: UTF-8) och försök igen",
                file=shown,
                row=_line_of(data, exc.start),
            )
        ) from None
    bad = _NON_PRINTABLE.search(text)
    if bad is not None:
        raise DataError(
            Problem(
                f"raden innehåller ett osynligt styrtecken (U+{ord(bad.group()):04X}, tecken "
                f"{_column_of(text, bad.start())} på raden) – ta bort det (filen kan vara skadad "
                "eller ingen textfil)",
                file=shown,
                row=_line_of(text, bad.start()),
            )
        )
    return text


def read_yaml(path: str | Path) -> dict:
    """Read a YAML file with the strict loader and its limits (see the module docstring).

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
        If the file is missing or unreadable, larger than :data:`MAX_BYTES`, not
        UTF-8 text, not valid YAML (message starting with :data:`SYNTAX_PREFIX`,
        with the line), uses aliases, is nested too deeply, has duplicate keys, or
        is not a mapping (message :data:`NOT_A_MAPPING` or the empty-file message,
        without a row).
    """
    path = Path(path)
    shown = display_path(path)
    if not path.is_file():
        raise DataError(Problem("filen finns inte", file=shown))
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DataError(
                Problem(
                    f"filen är för stor för en parameterfil ({size / 1e6:.1f} MB".replace(".", ",")
                    + f", högst {MAX_BYTES // 1_000_000} MB; arbetsbokens största är ungefär "
                    "20 kB) – är det rätt fil? En YAML-fil ska bara innehålla inställningar",
                    file=shown,
                )
            )
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise DataError(
            Problem(
                f"filen kan inte läsas ({exc.strerror or type(exc).__name__}) – kontrollera "
                "att den finns och att du har behörighet att läsa den",
                file=shown,
            )
        ) from None
    if len(data) > MAX_BYTES:
        raise DataError(Problem(f"filen är större än {MAX_BYTES // 1000} kB", file=shown))
    text = _decode(data, shown)
    try:
        doc = yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        reason, row = _swedish(exc, text)
        raise DataError(Problem(SYNTAX_PREFIX + reason, file=shown, row=row)) from None
    except yaml.YAMLError as exc:  # a ReaderError (control character) despite the check above
        row = _line_of(text, getattr(exc, "position", 0) or 0)
        raise DataError(
            Problem(f"{SYNTAX_PREFIX}filen innehåller tecken som inte är text", file=shown, row=row)
        ) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise DataError(
            Problem(f"{SYNTAX_PREFIX}filen kan inte läsas ({type(exc).__name__})", file=shown)
        ) from None
    if doc is None:
        raise DataError(
            Problem(
                "filen är tom (eller innehåller bara kommentarer) – " + NOT_A_MAPPING, file=shown
            )
        )
    if not isinstance(doc, dict):
        what = "en lista" if isinstance(doc, list) else f"bara värdet {doc!r}"
        raise DataError(Problem(f"{NOT_A_MAPPING}, men den innehåller {what}", file=shown))
    return doc
