"""matplotlib's SVG made fit to put inside the desk's page, whose Content-Security-Policy allows no inline style:
every `style="…"` becomes the presentation attributes it holds (`fill="…"`, `font-size="…"`), the `<style>` block
becomes attributes of the root (inherited), the metadata and fixed size go, the ids are
prefixed by the chart's (several charts share the page), and a title names the chart.

The text is parsed and written back by ElementTree, so what the charts' labels hold is escaped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)
_URL = re.compile(r"url\(#([^)]+)\)")
_DECLARATION = re.compile(r"^\s*(<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|\s)+", re.DOTALL)
# the properties matplotlib writes in `style`, each a presentation attribute of SVG
PRESENTATION = frozenset(
    {
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-linejoin",
        "stroke-linecap",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-miterlimit",
        "opacity",
        "font-size",
        "font-family",
        "font-style",
        "font-weight",
        "text-anchor",
        "clip-path",
    }
)


def _declarations(style: str) -> list[tuple[str, str]]:
    pairs = []
    for part in style.split(";"):
        name, colon, value = part.partition(":")
        if colon and name.strip() in PRESENTATION:
            pairs.append((name.strip(), value.strip()))
    return pairs


def _prefix_ids(element: ET.Element, prefix: str) -> None:
    """Ids unique in the page, which shows several charts: each one, and each reference to it, prefixed."""
    if "id" in element.attrib:
        element.set("id", f"{prefix}-{element.attrib['id']}")
    for name, value in list(element.attrib.items()):
        if name == f"{{{XLINK_NS}}}href" and value.startswith("#"):
            element.set(name, f"#{prefix}-{value[1:]}")
        elif "url(#" in value:
            element.set(name, _URL.sub(lambda m: f"url(#{prefix}-{m.group(1)})", value))


def inline_svg(svg: bytes | str, title: str, chart_id: str) -> str:
    """The SVG as an element of the page: no inline style, no metadata, scaled by the page, titled."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    root = ET.fromstring(_DECLARATION.sub("", text))
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{{{SVG_NS}}}metadata", f"{{{SVG_NS}}}style"):
                if child.tag.endswith("style") and child.text:
                    for name, value in _declarations(child.text.partition("{")[2].rstrip("} \n")):
                        root.set(name, value)
                parent.remove(child)
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if style:
            for name, value in _declarations(style):
                element.set(name, value)
        _prefix_ids(element, f"chart-{chart_id}")
    root.attrib.pop("width", None)
    root.attrib.pop("height", None)
    root.set("role", "img")
    root.set("data-chart", chart_id)
    root.set("aria-label", title)
    named = ET.Element(f"{{{SVG_NS}}}title")
    named.text = title
    root.insert(0, named)
    return ET.tostring(root, encoding="unicode")
