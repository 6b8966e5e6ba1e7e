"""The layers a newcomer sees in the folder names hold: data flows one way and nothing imports
upward. search/ is pure matching, knowledge/ keeps it, broadcast/ sends the monthly update,
chat/ is the conversation, channels/ are thin adapters to platforms; the entry points
(app, cli, kbcli, runtime) may use everything."""

from __future__ import annotations

import ast

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "bot"
ALLOWED = {
    "search": {"search"},
    "knowledge": {"search", "knowledge"},
    "broadcast": {"search", "knowledge", "broadcast"},
    "chat": {"search", "knowledge", "broadcast", "chat", "settings"},
    "channels": {"search", "knowledge", "broadcast", "chat", "channels", "settings", "logs"},
    "evaluation": {"search", "knowledge", "evaluation"},
    "settings": set(),
    "logs": set(),
}
"""For each layer, the layers its modules may import."""
SHARED_CHANNEL_MODULES = {"bot.channels.base", "bot.channels.choices"}
FORBIDDEN_LIBRARIES = {
    "search": {"sqlite3", "sqlite_utils", "asyncio", "telegram", "httpx", "aiohttp", "apscheduler"},
    "knowledge": {"telegram", "httpx", "aiohttp"},
    "chat": {"telegram", "httpx", "aiohttp"},
    "broadcast": {"telegram", "httpx", "aiohttp"},
}
"""Platform libraries stay in channels/; the search layer touches no database and no event loop."""


def modules() -> dict[str, list[str]]:
    """Every module of the package with the absolute names it imports."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                    imported += [f"{target}.{alias.name}" if not node.module else target for alias in node.names]
                else:
                    imported.append(node.module or "")
        found[name] = imported
    return found


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "bot" and len(parts) > 1 else None


@pytest.mark.parametrize("module", sorted(m for m in modules() if layer(m) in ALLOWED))
def test_no_module_imports_upward_or_a_platform_it_should_not_know(module):
    own = layer(module)
    for imported in modules()[module]:
        target = layer(imported)
        if imported.split(".")[0] == "bot" and target is not None:
            assert target in ALLOWED[own], f"{module} imports {imported}: {own}/ must not use {target}"
        assert imported.split(".")[0] not in FORBIDDEN_LIBRARIES.get(own, set()), f"{module} imports {imported}"


@pytest.mark.parametrize("module", sorted(m for m in modules() if layer(m) == "channels"))
def test_a_channel_never_imports_another_channel(module):
    for imported in modules()[module]:
        if layer(imported) == "channels" and imported not in SHARED_CHANNEL_MODULES:
            assert imported.startswith(module), f"{module} imports the channel {imported}"


def test_the_walk_sees_relative_imports():
    """The check above can fail: it resolves the relative imports it walks."""
    imported = modules()["bot.knowledge.store"]
    assert "bot.knowledge.db" in imported and "bot.search.text" in imported
    assert layer("bot.chat.router") == "chat" and "chat" not in ALLOWED["knowledge"]
