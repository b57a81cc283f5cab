"""Compact PNG figures for reports: browser resolution, 256-colour palette.

A notebook shows a matplotlib figure as a PNG made by the inline backend at
the figure's own dpi (100) with full RGBA colour, about 90 kB per chart. The
workbook's charts use a handful of flat colours, so a 256-colour palette
(median cut, no dithering) looks the same in a browser and is about a third
of the size; 96 dpi is the CSS pixel of a desktop browser. :func:`use_compact_png`
makes the running IPython kernel show every figure this way (the report
template calls it once); :func:`compact_png` is the function itself.

Speed (issue 14): ``savefig`` draws a constrained-layout figure twice (a dry
run for the layout, then the real one) and the palette conversion needs a
decoded image, so :func:`compact_png` draws once on an Agg canvas and quantizes
its pixel buffer directly: about 30 % less CPU per report. A figure that is shown
again unchanged (a county-level chart reused for every kommun of the county, see
:func:`shared`) is encoded once: the PNG is kept for the figure object while
matplotlib does not mark it as changed (``Figure.stale``).
"""

from __future__ import annotations

import hashlib
import io
import weakref
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

#: Dots per inch of report figures: one CSS pixel of a desktop browser.
SCREEN_DPI = 96
#: Colours in the PNG palette.
PALETTE_COLOURS = 256
#: zlib level of the PNG: 7 is about 4 % larger than 9 (``optimize``) and eight
#: times faster to encode (5 ms against 38 ms per chart, measured on the report's charts).
PNG_COMPRESS_LEVEL = 7


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

    cached = _PNG.get(fig)
    if cached is not None and cached[0] == dpi and not fig.stale:
        return cached[1]
    old_dpi = fig.dpi
    fig.set_dpi(dpi)
    try:
        canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())
    finally:
        fig.set_dpi(old_dpi)
    image = Image.fromarray(rgba, "RGBA")
    if rgba[..., 3].min() < 255:  # a transparent background is shown on white
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image)
    palette = image.convert("RGB").quantize(
        colors=PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    out = io.BytesIO()
    palette.save(out, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    png = out.getvalue()
    fig.stale = False  # set_dpi back marks it changed; the drawing is what was encoded
    _PNG[fig] = (dpi, png)
    return png


#: PNG per figure object, valid while the figure is not changed (``stale``).
_PNG: weakref.WeakKeyDictionary[Figure, tuple[float, bytes]] = weakref.WeakKeyDictionary()
#: Shared figures (see :func:`shared`), most recently used last.
_SHARED: OrderedDict[tuple, Figure] = OrderedDict()
#: How many shared figures a process keeps (a county has five; the runner goes county by county).
SHARED_FIGURES = 12


def _fingerprint(value: object) -> object:
    """Return a hashable fingerprint of a plot function's argument."""
    if isinstance(value, pd.Series):
        value = value.to_frame()
    if isinstance(value, pd.DataFrame):
        digest = hashlib.sha256(pd.util.hash_pandas_object(value, index=True).to_numpy())
        digest.update(repr([(str(c), str(t)) for c, t in value.dtypes.items()]).encode())
        return ("frame", value.shape, digest.hexdigest())
    hash(value)  # anything else must be hashable (str, number, tuple, None)
    return value


def shared(make: Callable[..., Figure], *args: object, **kwargs: object) -> Figure:
    """Return ``make(*args, **kwargs)``, the same figure object for the same inputs.

    For charts that are the same in every report of a county (the range between
    its kommuner, education): the first report draws the figure, the next ones
    of the county get the same object, and :func:`compact_png` encodes it once.
    Inputs are compared by content (DataFrames by their values, index, column
    names and types), so a changed input draws a new figure.

    Parameters
    ----------
    make : callable
        The plot function; it must not take an ``ax`` here (a shared figure owns
        its axes).
    *args, **kwargs
        Its arguments: DataFrames/Series or hashable values.

    Returns
    -------
    matplotlib.figure.Figure
        Do not change it after it is returned: other reports show it too.
    """
    try:
        key = (
            make.__module__,
            make.__qualname__,
            tuple(_fingerprint(a) for a in args),
            tuple(sorted((k, _fingerprint(v)) for k, v in kwargs.items())),
        )
    except TypeError:  # an unhashable argument: no sharing, just draw
        return make(*args, **kwargs)
    fig = _SHARED.get(key)
    if fig is None:
        fig = make(*args, **kwargs)
        _SHARED[key] = fig
        while len(_SHARED) > SHARED_FIGURES:
            _SHARED.popitem(last=False)
    else:
        _SHARED.move_to_end(key)
    return fig


def clear_shared() -> None:
    """Forget the shared figures and cached PNGs (tests)."""
    _SHARED.clear()
    _PNG.clear()


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
