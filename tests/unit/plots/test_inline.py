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
