"""The README's layout section names every module a newcomer looks for: bot/'s entry points and packages, the
service layer, the actions, the knowledge files and the benches. A file added without a word there fails here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def layout_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Layout\n", 1)[1]
    return section.split("```", 2)[1]


def named(block: str, name: str, is_folder: bool = False) -> bool:
    """`name` stands in the block as a file name (`web_workers.py`) or a folder (`storage/`), not as a word of prose."""
    written = f"{name}/" if is_folder else name
    return re.search(rf"(?<![\w.]){re.escape(written)}(?![\w])", block) is not None


def modules(folder: str) -> list[str]:
    return sorted(
        p.name
        for p in (ROOT / folder).iterdir()
        if p.name != "__init__.py"
        and not p.name.startswith((".", "__pycache__"))
        and (p.suffix in {".py", ".yml"} or (p.is_dir() and p.name not in {"__pycache__"}))
    )


def test_the_layout_names_every_module_a_newcomer_looks_for() -> None:
    block = layout_block()
    folders = ["bot", "bot/services", "bot/commands", "actions", "knowledge", "bench"]
    missing = [
        f"{folder}/{name}"
        for folder in folders
        for name in modules(folder)
        if not named(block, name, (ROOT / folder / name).is_dir())
    ]
    assert not missing, "add these to the README's layout section:\n" + "\n".join(missing)


def test_the_check_finds_a_module_the_layout_does_not_name() -> None:
    assert not named("  runtime.py  entry", "web_workers.py")
    assert named("  web_workers.py  entry", "web_workers.py")
    assert not named("  cas_login.py  the ENT's login", "login.py")
    assert not named("  the dashboard's figures", "dashboard", is_folder=True)
    assert named("  dashboard/  the dashboard drawn", "dashboard", is_folder=True)
