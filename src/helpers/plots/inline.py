"""Compact PNG figures for reports: browser resolution, 256-colour palette.

A notebook shows a matplotlib figure as a PNG made by the inline backend at
the figure's own dpi (100) with full RGBA colour, about 90 kB per chart. The
workbook's charts use a handful of flat colours, so a 256-colour palette
(median cut, no dithering) looks the same in a browser and is about a third
of the size; 96 dpi is the CSS pixel of a desktop browser. :func:`use_compact_png`
makes the running IPython kernel show every figure this way (the report
template calls it once); :func:`compact_png` is the function itself.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

#: Dots per inch of report figures: one CSS pixel of a desktop browser.
SCREEN_DPI = 96
#: Colours in the PNG palette.
PALETTE_COLOURS = 256


def compact_png(fig: Figure, dpi: float = SCREEN_DPI) -> bytes:
    """Return ``fig`` as a palette PNG at ``dpi``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (drawn as it is; ``bbox_inches`` is not changed).
    dpi : float
        Resolution.

    Returns
    -------
    bytes
        The PNG file.
    """
    from PIL import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    buf.seek(0)
    with Image.open(buf) as image:
        rgb = image.convert("RGB")
    palette = rgb.quantize(
        colors=PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


def use_compact_png(dpi: float = SCREEN_DPI) -> bool:
    """Show figures in the running IPython kernel as :func:`compact_png` images.

    Call it after ``%matplotlib inline`` (which installs its own PNG formatter).

    Returns
    -------
    bool
        False outside IPython (nothing changed).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the notebooks
        return False
    shell = get_ipython()
    if shell is None:
        return False
    formatter = shell.display_formatter.formatters["image/png"]
    formatter.for_type(Figure, lambda fig: compact_png(fig, dpi))
    return True
