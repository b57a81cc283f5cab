"""What an executed notebook shows: its text, number of images and errors (shared by the notebook tests)."""

from __future__ import annotations

SHOWN = ("text/markdown", "text/plain", "text/html")


def outputs(nb, mimes: tuple[str, ...] = SHOWN) -> tuple[str, int, list[str]]:
    """Return all text the notebook shows (in ``mimes``), the number of PNG images, and errors."""
    texts, images, errors = [], 0, []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                texts.append(out.text)
            elif out.output_type == "error":
                errors.append(f"{out.ename}: {out.evalue}")
            else:
                data = out.get("data", {})
                images += "image/png" in data
                texts += [data[m] for m in mimes if m in data]
    return "\n".join(texts), images, errors


def first_heading(nb) -> str:
    """Return the first Markdown heading the executed notebook shows (``"# …"``), or ``""``."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            md = out.get("data", {}).get("text/markdown", "")
            for line in md.splitlines():
                if line.startswith("#"):
                    return line
    return ""
