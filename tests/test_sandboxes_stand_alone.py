"""The sandboxes stand on their own: no module of ``channel_manager_sandboxes`` imports the connector
(``channel_manager``), so a wrong constant in the connector fails against them instead of being echoed; and
they stay readable (no function over 60 lines)."""

from __future__ import annotations

import ast
from pathlib import Path

import channel_manager_sandboxes

PACKAGE = Path(channel_manager_sandboxes.__file__).parent
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 20, f"expected the sandbox modules under {PACKAGE}"
    return files


def _imported(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_no_sandbox_module_imports_the_connector() -> None:
    offenders = []
    for path in _modules():
        for name in _imported(ast.parse(path.read_text(encoding="utf-8"))):
            if name == "channel_manager" or name.startswith("channel_manager."):
                offenders.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    assert offenders == []


def test_the_import_check_sees_a_connector_import() -> None:
    tree = ast.parse("from channel_manager.domain.carriers import WALMART_CARRIERS\nimport channel_manager.walmart\n")
    assert _imported(tree) == ["channel_manager.domain.carriers", "channel_manager.walmart"]


def test_no_sandbox_function_is_longer_than_sixty_lines() -> None:
    long = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name} ({length} lines)")
    assert long == []
