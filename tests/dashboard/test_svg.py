"""matplotlib's SVG made fit for the desk's page: no inline style for the Content-Security-Policy to block, ids that
stay unique beside the other charts, the labels escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bot.dashboard.svg import inline_svg

DRAWN = """<?xml version="1.0" encoding="utf-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="432pt" height="216pt" viewBox="0 0 432 216"
     xmlns="http://www.w3.org/2000/svg" version="1.1">
 <metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>
 <defs><style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style></defs>
 <defs><clipPath id="p1"><rect x="0" y="0" width="10" height="10"/></clipPath>
   <path id="m1" d="M 0 0 L 0 3.5" style="stroke: #000000; stroke-width: 0.8"/></defs>
 <path d="M 0 0 L 5 5" clip-path="url(#p1)" style="fill: #1f77b4; behavior: url(x.htc)"/>
 <use xlink:href="#m1" x="1" y="2" style="stroke: #000000"/>
 <text style="font-size: 10px; font-family: 'DejaVu Sans', sans-serif; text-anchor: middle">Lycée &lt;script&gt;</text>
</svg>"""


def test_styles_become_attributes_and_ids_are_the_charts_own() -> None:
    shown = inline_svg(DRAWN, "Conversations & diagnostics", "activity")
    assert "style" not in shown and "metadata" not in shown and "behavior" not in shown
    root = ET.fromstring(shown)
    svg = "{http://www.w3.org/2000/svg}"
    assert root.get("width") is None and root.get("viewBox") == "0 0 432 216"
    assert (root.get("stroke-linejoin"), root.get("stroke-linecap")) == ("round", "butt")
    assert root.get("aria-label") == "Conversations & diagnostics" and root.get("role") == "img"
    assert root.find(f"{svg}title").text == "Conversations & diagnostics"  # type: ignore[union-attr]
    (bar,) = [p for p in root.iter(f"{svg}path") if p.get("fill")]
    assert bar.get("fill") == "#1f77b4" and bar.get("clip-path") == "url(#chart-activity-p1)"
    assert root.find(f".//{svg}clipPath").get("id") == "chart-activity-p1"  # type: ignore[union-attr]
    (use,) = root.iter(f"{svg}use")
    assert use.get("{http://www.w3.org/1999/xlink}href") == "#chart-activity-m1" and use.get("stroke") == "#000000"
    (label,) = root.iter(f"{svg}text")
    assert label.text == "Lycée <script>" and label.get("font-size") == "10px" and label.get("text-anchor") == "middle"
    assert "Lycée &lt;script&gt;" in shown
