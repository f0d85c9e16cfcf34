"""The dependencies run one way: `actions/` uses `bot/`, `bot/` never imports `actions/`, and bot's parts
(its subpackages and top-level modules) import each other without a cycle."""

from __future__ import annotations

import grimp
import pytest


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("bot", "actions")  # every import, those inside functions included


def _part(module: str) -> str:
    """The part of bot a module belongs to: `bot.storage.links` → `bot.storage`, `bot.config` → `bot.config`."""
    return ".".join(module.split(".")[:2])


def _imports(graph: grimp.ImportGraph, package: str) -> set[tuple[str, str]]:
    return {
        (module, imported)
        for module in graph.modules
        if module.split(".")[0] == package
        for imported in graph.find_modules_directly_imported_by(module)
    }


def test_bot_never_imports_actions(graph: grimp.ImportGraph) -> None:
    assert [(m, i) for m, i in _imports(graph, "bot") if i.split(".")[0] == "actions"] == []
    # the graph does see the other direction, so the assertion above can fail
    assert any(i.split(".")[0] == "bot" for _, i in _imports(graph, "actions"))


def _tangled(edges: dict[str, set[str]]) -> list[str]:
    """The nodes left once every node that imports nothing left, or that nothing left imports, is peeled off:
    empty when the graph has no cycle, else the cycles (and what lies between them)."""
    nodes = set(edges) | {n for targets in edges.values() for n in targets}
    while True:
        imported = {n for m in nodes for n in edges.get(m, set()) & nodes}
        peel = {n for n in nodes if not edges.get(n, set()) & nodes or n not in imported}
        if not peel:
            return sorted(nodes)
        nodes -= peel


def test_the_parts_of_bot_import_each_other_without_a_cycle(graph: grimp.ImportGraph) -> None:
    edges: dict[str, set[str]] = {}
    for module, imported in _imports(graph, "bot"):
        ends = (_part(module), _part(imported))
        if imported.split(".")[0] == "bot" and "bot" not in ends and ends[0] != ends[1]:
            edges.setdefault(ends[0], set()).add(ends[1])
    assert "bot.services" in edges and "bot.channels" in edges  # the graph is the real one
    assert _tangled(edges) == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert _tangled({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "c2": {"e"}}) == ["a", "b", "c"]
    assert _tangled({"a": {"b", "c"}, "b": {"c"}}) == []
