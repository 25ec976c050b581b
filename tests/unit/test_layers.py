"""The layers of docs/architecture.md hold in the code: domain <- adapters <- service <- runtime/entrypoints.

Read from the source with ``ast`` (nothing is imported): every import of a ``channel_manager`` module, at the
top of a file, inside a function or under ``if TYPE_CHECKING:`` (a loop hidden from the interpreter is still a
loop between the modules). The sandboxes (a stand-in for Walmart
and Commerce, not a layer of the connector) are left out, except that no layer of the engine may import them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "channel_manager"
#: The sandboxes' own package (a stand-in for Walmart and Commerce).
SANDBOXES = "channel_manager_sandboxes"

#: Top-level part of the package -> its layer; a module may import its own layer and the ones below.
LAYERS: dict[str, int] = {
    "domain": 0,
    "logs": 1,
    "crypto": 1,
    "settings": 1,
    "metrics": 1,
    "http_clients": 1,
    "walmart": 2,
    "commerce": 2,
    "storage": 2,
    "connections": 2,
    "service": 3,
    "sync": 4,
    "web": 4,
    "cli": 4,
    "demo": 4,
    "bootstrap": 4,
}
LAYER_NAMES = {0: "domain", 1: "utilities", 2: "adapters", 3: "service", 4: "runtime/entrypoints"}
#: Adapters stand side by side: the Walmart client, the Commerce client and storage never import each other.
ADAPTERS = {"walmart", "commerce", "storage"}
#: Where a transaction may be committed: the service layer, and the unit of work that implements commit.
COMMIT_ALLOWED = ("service/", "storage/unit_of_work.py")


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in {"sandbox", "migrations"} or "migrations" in relative.parts:
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(["channel_manager", *parts]), path


def _imports(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every ``channel_manager`` import of a file, relative ones resolved."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]

    def walk(node: ast.AST) -> Iterator[tuple[int, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("channel_manager"):
                        yield child.lineno, alias.name
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)]
                    target = ".".join([*base, child.module] if child.module else base)
                else:
                    target = child.module or ""
                if target.startswith("channel_manager"):
                    # ``from . import orders`` imports a module: name it, not the package
                    for alias in child.names:
                        candidate = f"{target}.{alias.name}"
                        yield child.lineno, candidate if _exists(candidate) else target
            yield from walk(child)

    yield from walk(ast.parse(path.read_text(), str(path)))


def _exists(module: str) -> bool:
    relative = Path(*module.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file()


def _part(module: str) -> str:
    parts = module.split(".")
    if parts[0] == SANDBOXES:
        return "sandbox"
    return parts[1] if len(parts) > 1 else ""


def _graph() -> dict[str, list[tuple[int, str]]]:
    return {module: list(_imports(module, path)) for module, path in _modules()}


def test_every_part_of_the_package_has_a_layer() -> None:
    unknown = sorted({_part(m) for m, _ in _modules()} - set(LAYERS) - {""})
    assert not unknown, f"parts of channel_manager without a layer in this test: {unknown}"


def test_no_upward_import() -> None:
    wrong = []
    for module, imports in _graph().items():
        part = _part(module)
        if part not in LAYERS:
            continue
        for line, target in imports:
            other = _part(target)
            if other == "sandbox" and LAYERS[part] < 4:
                wrong.append(f"{module}:{line} imports the sandbox {target}")
            elif other in LAYERS and LAYERS[other] > LAYERS[part]:
                wrong.append(
                    f"{module}:{line} ({LAYER_NAMES[LAYERS[part]]}) imports {target} ({LAYER_NAMES[LAYERS[other]]})"
                )
            elif part in ADAPTERS and other in ADAPTERS and other != part:
                wrong.append(f"{module}:{line} (adapter {part}) imports the adapter {target}")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_import_loop() -> None:
    graph = {m: sorted({t for _, t in imports if t != m}) for m, imports in _graph().items()}
    loops: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in graph.get(module, []):
            if _part(target) == "sandbox":
                continue
            if state.get(target) == 1:
                loops.append([*path[path.index(target) :], target])
            elif state.get(target) is None:
                visit(target)
        path.pop()
        state[module] = 2

    for module in graph:
        if module not in state:
            visit(module)
    assert not loops, "import loops:\n" + "\n".join(" -> ".join(loop) for loop in loops)


def test_commits_only_in_the_service_layer() -> None:
    found = []
    for module, path in _modules():
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(COMMIT_ALLOWED):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit":
                found.append(f"{module}:{node.lineno}")
    assert not found, "commit() outside service/ (use a service function):\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from ..sync.worker import Worker\n", "channel_manager.sync.worker"),
        ("def later() -> None:\n    from ..web import app\n", "channel_manager.web.app"),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..sync import context\n",
            "channel_manager.sync.context",
        ),
    ],
)
def test_the_checker_sees_an_import_of_the_runtime(source: str, expected: str, tmp_path: Path) -> None:
    """The checker itself: a service module importing the runtime, wherever the import stands, is seen."""
    path = tmp_path / "probe.py"
    path.write_text(source)
    targets = [target for _, target in _imports("channel_manager.service.probe", path)]
    assert targets == [expected]
    assert LAYERS[_part(expected)] > LAYERS["service"]
