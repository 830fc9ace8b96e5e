"""The shape of `bot/`: the Discord front end is one package, the core never imports discord, the client and the
cogs import each other in one direction only, and `bot/discord/` does not shadow the discord.py library."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import discord

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(path: Path) -> set[str]:
    """The modules `path` imports when it runs (imports under `if TYPE_CHECKING:` do not count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


MODULES = {module_name(p): p for p in BOT.rglob("*.py")}


def test_only_the_discord_package_imports_discord() -> None:
    offenders = [name for name, path in MODULES.items() if not name.startswith("bot.discord")
                 and any(m == "discord" or m.startswith("discord.") for m in runtime_imports(path))]
    assert offenders == []
    assert not [p for p in BOT.glob("*.py") if p.stem.startswith("discord") or p.stem in ("client", "cooldown")]


def test_the_client_does_not_import_the_cogs() -> None:
    imported = runtime_imports(MODULES["bot.discord.client"])
    assert not [m for m in imported if m.startswith("bot.discord.cogs.") and m != "bot.discord.cogs.EXTENSIONS"]
    from bot.discord.cogs import EXTENSIONS

    assert set(EXTENSIONS) == {n for n in MODULES if n.startswith("bot.discord.cogs.")}
    for extension in EXTENSIONS:  # each is a discord.py extension
        assert "setup" in {f.name for f in ast.parse(MODULES[extension].read_text()).body
                           if isinstance(f, ast.AsyncFunctionDef)}, extension


def test_no_import_cycles_in_the_discord_package() -> None:
    graph = {name: {m for m in runtime_imports(path) if m in MODULES and m != name}
             for name, path in MODULES.items() if name.startswith("bot.discord")}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            assert state.get(target) != 1, "import cycle: " + " -> ".join([*path, node, target])
            if target not in state:
                walk(target, [*path, node])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name, [])
    assert "bot.discord.render" in graph["bot.discord.cogs.conversation"]  # the test does see the imports


def test_bot_discord_does_not_shadow_discord_py() -> None:
    for name in ("bot.discord.client", "bot.discord.render", "bot.discord.cogs.conversation"):
        module = importlib.import_module(name)
        assert module.discord is discord
    assert Path(discord.__file__).parent.name == "discord" and "site-packages" in discord.__file__
    assert hasattr(discord, "Client") and not hasattr(discord, "EXTENSIONS")
