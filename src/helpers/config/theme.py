"""An optional report theme: a named palette, a logo and the benchmark of the first screen.

A run file may set, under ``parameters:``, ``palette`` (one of
:data:`PALETTES`), ``logo`` (a PNG, JPEG or SVG file, relative to the project
root, at most 1 MB) and ``benchmark`` (``"län"`` or ``"riket"``). They are
validated with the rest of the run file (:func:`problems`, called by
:func:`helpers.config.params.load_run`), so a typo stops the run before anything
is made. The default palette is Okabe–Ito, which is colour-blind-safe; every
palette keeps the marker *shapes*, so significance also reads in greyscale.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path

from helpers.core import paths
from helpers.core.errors import DataError

#: Colour per role in the first screen's spine chart.
PALETTES: dict[str, dict[str, str]] = {
    "okabe_ito": {
        "better": "#0072B2",
        "worse": "#D55E00",
        "no_direction": "#CC79A7",
        "same": "#FFFFFF",
        "not_compared": "#BFBFBF",
        "range": "#D9D9D9",
        "other_ref": "#E69F00",
    },
    "gråskala": {
        "better": "#333333",
        "worse": "#999999",
        "no_direction": "#666666",
        "same": "#FFFFFF",
        "not_compared": "#D0D0D0",
        "range": "#E6E6E6",
        "other_ref": "#000000",
    },
}
DEFAULT_PALETTE = "okabe_ito"
BENCHMARKS: tuple[str, ...] = ("län", "riket")
LOGO_SUFFIXES: dict[str, str] = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}
LOGO_MAX_BYTES = 1_000_000


def palette(name: str = DEFAULT_PALETTE) -> dict[str, str]:
    """Return a palette by name or refuse with the known names (Swedish :class:`DataError`)."""
    if name not in PALETTES:
        raise DataError(f"Okänd palett '{name}' – välj en av: {', '.join(PALETTES)}.")
    return dict(PALETTES[name])


def logo_path(value: str) -> Path:
    """Return the logo's path (relative paths from the project root)."""
    path = Path(value)
    return path if path.is_absolute() else paths.project_root() / path


def _logo_problem(value: object) -> str:
    if not isinstance(value, str):
        return f"ska vara en sökväg till en bild, inte {value!r}"
    if not value:
        return ""
    path = logo_path(value)
    if path.suffix.lower() not in LOGO_SUFFIXES:
        return f"'{value}' ska vara en bild ({', '.join(LOGO_SUFFIXES)})"
    if not path.is_file():
        return f"bilden '{value}' finns inte ({path})"
    if path.stat().st_size > LOGO_MAX_BYTES:
        return f"bilden '{value}' är större än 1 MB – spara den mindre"
    return ""


def problems(parameters: Mapping[str, object]) -> list[tuple[str, str]]:
    """Return ``(key, Swedish message)`` for each theme parameter that is wrong.

    Parameters
    ----------
    parameters : mapping
        A run file's template parameters (only ``palette``, ``logo`` and
        ``benchmark`` are looked at).
    """
    out = []
    if "palette" in parameters and parameters["palette"] not in PALETTES:
        out.append(
            (
                "palette",
                f"okänd palett {parameters['palette']!r} – välj en av: {', '.join(PALETTES)}",
            )
        )
    if "benchmark" in parameters and parameters["benchmark"] not in BENCHMARKS:
        out.append(
            (
                "benchmark",
                f"{parameters['benchmark']!r} – jämför med 'län' eller 'riket'",
            )
        )
    if "logo" in parameters:
        message = _logo_problem(parameters["logo"])
        if message:
            out.append(("logo", message))
    return out


def logo_html(value: str, alt: str = "Logotyp") -> str:
    """Return the logo as an ``<img>`` with the image embedded (the report stays one file).

    Returns ``""`` when ``value`` is empty; refuses a wrong logo in Swedish.
    """
    if not value:
        return ""
    message = _logo_problem(value)
    if message:
        raise DataError(f"logo: {message}")
    path = logo_path(value)
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    mime = LOGO_SUFFIXES[path.suffix.lower()]
    return f'<img src="data:{mime};base64,{data}" alt="{alt}" style="height:48px">'
