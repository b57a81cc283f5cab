import io

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

from helpers.plots import inline  # noqa: E402


def _chart():
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(range(50), [x % 7 for x in range(50)], color="#0072B2", label="Kommunen")
    ax.fill_between(range(50), 0, 2, color="#CCE3F0")
    ax.set_title("Medellivslängd, kvinnor – Syntetiska demodata")
    ax.legend()
    return fig


def test_compact_png_is_a_palette_image_at_browser_resolution():
    fig = _chart()
    png = inline.compact_png(fig)
    with Image.open(io.BytesIO(png)) as image:
        assert image.mode == "P"  # 256-colour palette
        assert image.size == (6 * 96, 3 * 96)
        assert len(image.getcolors(maxcolors=256)) <= 256
    full = io.BytesIO()
    fig.savefig(full, format="png")  # what the inline backend shows (100 dpi, RGBA)
    assert len(png) < 0.6 * full.tell()
    plt.close(fig)


def test_compact_png_keeps_the_chart_colours():
    fig = _chart()
    with Image.open(io.BytesIO(inline.compact_png(fig))) as image:
        colours = {rgb for _, rgb in image.convert("RGB").getcolors(maxcolors=256)}
    assert (0x00, 0x72, 0xB2) in colours  # the line colour survives exactly
    assert (255, 255, 255) in colours
    plt.close(fig)


def test_use_compact_png_outside_ipython_changes_nothing():
    assert inline.use_compact_png() is False


def test_compact_png_is_the_same_picture_as_savefig():
    """One draw on the Agg canvas gives the pixels savefig gives (before quantizing)."""
    fig = _chart()
    png = inline.compact_png(fig)
    ref = io.BytesIO()
    fig.savefig(ref, format="png", dpi=inline.SCREEN_DPI)
    with Image.open(io.BytesIO(png)) as ours, Image.open(ref) as theirs:
        a = ours.convert("RGB")
        b = theirs.convert("RGB")
        assert a.size == b.size
        diff = [
            abs(x - y)
            for p, q in zip(a.getdata(), b.getdata(), strict=True)
            for x, y in zip(p, q, strict=True)
        ]
    assert sum(d > 24 for d in diff) / len(diff) < 0.002  # palette rounding only
    assert fig.dpi == 100  # the figure's own dpi is restored
    plt.close(fig)


def test_compact_png_reencodes_a_changed_figure_only():
    fig = _chart()
    first = inline.compact_png(fig)
    assert inline.compact_png(fig) is first  # unchanged: the same PNG, not drawn again
    fig.axes[0].set_title("Medellivslängd, män")
    assert inline.compact_png(fig) != first
    plt.close(fig)


def test_transparent_background_is_shown_on_white():
    fig = _chart()
    fig.patch.set_alpha(0.0)
    fig.axes[0].patch.set_alpha(0.0)
    with Image.open(io.BytesIO(inline.compact_png(fig))) as image:
        assert image.convert("RGB").getpixel((1, 1)) == (255, 255, 255)
    plt.close(fig)


def _lines(frame, title="Kommunen"):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot(frame["x"], frame["y"])
    ax.set_title(title)
    return fig


def test_shared_figure_is_drawn_once_per_content():
    import pandas as pd

    inline.clear_shared()
    a = pd.DataFrame({"x": [1, 2, 3], "y": [80.1, 80.4, 80.2]})
    first = inline.shared(_lines, a, title="Länet")
    assert inline.shared(_lines, a.copy(), title="Länet") is first  # same content: same figure
    assert inline.shared(_lines, a, title="Riket") is not first  # another argument
    changed = a.assign(y=[80.1, 80.4, 80.3])
    assert inline.shared(_lines, changed, title="Länet") is not first  # another value
    renamed = a.rename(columns={"y": "y"}).astype({"y": "float32"})
    assert inline.shared(_lines, renamed, title="Länet") is not first  # another dtype
    inline.clear_shared()
    plt.close("all")


def test_shared_keeps_a_bounded_number_of_figures():
    import pandas as pd

    inline.clear_shared()
    first = inline.shared(_lines, pd.DataFrame({"x": [0], "y": [0.0]}))
    for i in range(1, inline.SHARED_FIGURES + 1):
        inline.shared(_lines, pd.DataFrame({"x": [i], "y": [float(i)]}))
    assert len(inline._SHARED) == inline.SHARED_FIGURES
    assert inline.shared(_lines, pd.DataFrame({"x": [0], "y": [0.0]})) is not first  # evicted
    inline.clear_shared()
    plt.close("all")
