"""Keep only the CSS a static HTML report uses.

nbconvert's lab template embeds JupyterLab's whole stylesheet (about 170 kB
after :func:`helpers.run.execute.drop_icon_css`): rules for toolbars, menus,
dialogs, the file browser and the debugger, none of which a report with its
code hidden contains. :func:`prune_css` drops every style rule whose selectors
all name a class that no element of the page carries, which changes nothing a
reader sees and keeps each kommun report under 1 MB (issue 14).

The stylesheet is parsed with :mod:`tinycss2` (a CSS Syntax Level 3 parser, the
one ``bleach`` uses) rather than with regular expressions: strings, comments,
nested ``@media``/``@supports`` blocks and escaped characters are handled by the
parser. What is kept is written back token for token, so a kept rule is the
same CSS as before. Rules without class selectors (``body``, ``:root`` with the
theme's variables, ``table``), at-rules other than ``@media``/``@supports``
(``@font-face``, ``@keyframes``) and any rule the parser does not understand are
kept as they are: pruning only ever removes rules that cannot match.

A report page is static except for the scripts nbconvert adds (MathJax and
Mermaid, which add their own classes inside their own elements); those classes
(``MathJax``, ``MJX``, ``mermaid``) are treated as used.
"""

from __future__ import annotations

import re
from functools import lru_cache

import tinycss2

_STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S | re.I)
_CLASS_ATTR = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
#: Class prefixes that scripts on the page may add at run time.
_SCRIPT_PREFIXES = ("MathJax", "MJX", "mjx", "mermaid", "jp-RenderedMermaid")


def used_classes(html: str) -> frozenset[str]:
    """Return every class name on an element of ``html`` (outside ``<style>``)."""
    body = _STYLE.sub("", html)
    names: set[str] = set()
    for m in _CLASS_ATTR.finditer(body):
        names.update((m.group(1) or m.group(2) or "").split())
    return frozenset(names)


def _selector_can_match(selector: list, classes: frozenset[str]) -> bool:
    """Whether a selector (its tokens) may match: every class it requires is on the page.

    Classes inside functional pseudo-classes (``:not(.x)``, ``:is(.a, .b)``,
    ``:where()``, ``:has()``) are not required – ``:not(.x)`` matches *because*
    ``.x`` is absent – so they never make a selector unmatchable.
    """
    tokens = [t for t in selector if t.type not in ("whitespace", "comment")]
    for before, token in zip(tokens, tokens[1:], strict=False):
        if before.type == "literal" and before.value == "." and token.type == "ident":
            name = token.value
            if name not in classes and not name.startswith(_SCRIPT_PREFIXES):
                return False
    return True


def _split_selectors(prelude: list) -> list[list]:
    """Split a rule's prelude at its top-level commas (not inside ``:is(a, b)``)."""
    parts: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _prune_rules(rules: list, classes: frozenset[str]) -> str:
    out: list[str] = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = _split_selectors(rule.prelude)
            kept = [
                tinycss2.serialize(s).strip() for s in selectors if _selector_can_match(s, classes)
            ]
            if kept:
                body = tinycss2.serialize(rule.content)
                out.append(f"{', '.join(kept)} {{{body}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports"):
            if rule.content is None:
                out.append(rule.serialize())
                continue
            inner = _prune_rules(tinycss2.parse_rule_list(rule.content), classes)
            if inner.strip():
                prelude = tinycss2.serialize(rule.prelude)
                out.append(f"@{rule.at_keyword}{prelude}{{{inner}}}")
        elif rule.type in ("comment", "whitespace"):
            continue
        else:  # @font-face, @keyframes, @import, parse errors: kept as written
            out.append(rule.serialize())
    return "\n".join(out)


@lru_cache(maxsize=32)
def _pruned(css: str, classes: frozenset[str]) -> str:
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return _prune_rules(rules, classes)


def prune_css(html: str) -> str:
    """Return ``html`` with the style rules that match no element removed.

    Parameters
    ----------
    html : str
        A complete HTML page (an nbconvert export).

    Returns
    -------
    str
        The same page; every ``<style>`` block keeps only the rules that can
        match an element of the page (see the module docstring). The same
        stylesheet with the same classes is pruned once per process.
    """
    classes = used_classes(html)

    def one(m: re.Match) -> str:
        return f"{m.group(1)}\n{_pruned(m.group(2), classes)}\n{m.group(3)}"

    return _STYLE.sub(one, html)
