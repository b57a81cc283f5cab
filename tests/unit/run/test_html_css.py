"""CSS pruning of HTML reports: only rules that cannot match any element are removed."""

from __future__ import annotations

import re

import tinycss2

from helpers.run.html_css import prune_css, used_classes

PAGE = """<html><head>
<style type="text/css">
/* JupyterLab's stylesheet, in short */
:root { --jp-ui-font-size1: 13px; }
body { margin: 0; }
.jp-RenderedHTMLCommon ul { padding-left: 2em; }
.jp-Toolbar, .jp-Dialog { display: flex; }
.jp-Toolbar .jp-Button, .jp-OutputArea-output img { max-width: 100%; }
.jp-OutputArea-output:not(.jp-mod-hidden) { display: block; }
:is(.jp-DirListing, .jp-RenderedHTMLCommon) td { padding: 2px; }
.jp-Debugger-panel { color: red; }
a[href*=".jp-Toolbar"] { color: blue; }
.jp-RenderedHTMLCommon p::before { content: ".jp-Menu { }"; }
@media print { .jp-Cell { break-inside: avoid; } .jp-Menu { display: none; } }
@media (max-width: 760px) { .jp-Menu { display: none; } }
@font-face { font-family: "X"; src: url(x.woff); }
</style></head>
<body class="jp-Notebook"><div class="jp-Cell jp-OutputArea-output"><div class='jp-RenderedHTMLCommon'>
<ul><li>ett</li></ul><img src="data:image/png;base64,iVBORw0KGgo="></div></div>
<p>Klassen .jp-Dialog nämns i texten men finns inte på något element.</p></body></html>"""


def _rules(html: str) -> list[str]:
    css = re.search(r"<style[^>]*>(.*?)</style>", html, re.S).group(1)
    out = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        at = f"@{rule.at_keyword} " if rule.type == "at-rule" else ""
        out.append((at + tinycss2.serialize(rule.prelude).strip()).strip())
        if rule.type == "at-rule" and rule.content is not None and rule.at_keyword == "media":
            out += [
                "  " + tinycss2.serialize(r.prelude).strip()
                for r in tinycss2.parse_rule_list(rule.content, True, True)
            ]
    return out


def test_used_classes_come_from_elements_only():
    assert used_classes(PAGE) == {
        "jp-Notebook",
        "jp-Cell",
        "jp-OutputArea-output",
        "jp-RenderedHTMLCommon",
    }


def test_rules_for_absent_classes_go_and_everything_else_stays():
    out = prune_css(PAGE)
    rules = _rules(out)
    assert rules == [
        ":root",
        "body",
        ".jp-RenderedHTMLCommon ul",
        ".jp-OutputArea-output img",  # the matching half of a selector list
        ".jp-OutputArea-output:not(.jp-mod-hidden)",  # :not(absent) matches
        ":is(.jp-DirListing, .jp-RenderedHTMLCommon) td",  # :is() is never pruned
        'a[href*=".jp-Toolbar"]',  # a string is not a class
        ".jp-RenderedHTMLCommon p::before",
        "@media print",
        "  .jp-Cell",
        "@font-face",
    ]
    assert 'content: ".jp-Menu { }"' in out  # declarations are written back as they were
    assert "padding-left: 2em" in out
    # the page outside <style> is untouched
    assert out.split("</style>", 1)[1] == PAGE.split("</style>", 1)[1]


def test_a_page_without_styles_is_unchanged():
    page = '<html><body class="x"><p>Hej</p></body></html>'
    assert prune_css(page) == page
