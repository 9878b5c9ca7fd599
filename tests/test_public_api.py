"""Dependencies are used through their public, documented API only (issue 12)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

SOURCES = sorted((ROOT / "summarizer").rglob("*.py")) + sorted((ROOT / "benchmarks").glob("*.py"))
#: instructor's documented import paths: the package itself and `instructor.core`
#: (`from instructor.core import InstructorRetryException, Hooks`).
INSTRUCTOR_PUBLIC = {"instructor", "instructor.core"}
THIRD_PARTY = ("instructor", "openai", "httpx2", "tenacity", "vcr", "pydantic")


def _imports(tree: ast.AST) -> list[str]:
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    return names


def _attribute_paths(tree: ast.AST) -> list[str]:
    """Dotted names used in code (`instructor.v2.core.registry`), outermost first."""
    paths = []
    for node in ast.walk(tree):
        parts, inner = [], node
        while isinstance(inner, ast.Attribute):
            parts.append(inner.attr)
            inner = inner.value
        if isinstance(inner, ast.Name) and parts:
            paths.append(".".join([inner.id, *reversed(parts)]))
    return paths


def private_uses(source: str) -> list[str]:
    """Imports or attribute paths into instructor's v2/internal modules, or any module of a
    dependency whose name starts with an underscore."""
    tree = ast.parse(source)
    bad = []
    for name in _imports(tree):
        top = name.split(".")[0]
        if top not in THIRD_PARTY:
            continue
        if (top == "instructor" and name not in INSTRUCTOR_PUBLIC) or any(
            part.startswith("_") for part in name.split(".")
        ):
            bad.append(name)
    for path in _attribute_paths(tree):
        parts = path.split(".")
        if parts[0] == "instructor" and len(parts) > 1 and parts[1] in ("v2", "processing"):
            bad.append(path)
    return bad


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_uses_a_private_or_v2_path_of_a_dependency(path: Path) -> None:
    """No `instructor.v2.*`, no instructor internals, no `openai._*` anywhere in the code."""
    assert private_uses(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "from instructor.v2.core.registry import mode_registry",
        "import instructor.v2.core.function_calls",
        "from instructor.core.exceptions import InstructorRetryException",
        "from openai._base_client import AsyncAPIClient",
        "import instructor\nx = instructor.v2.core.registry",
    ],
)
def test_the_check_catches_private_paths(source: str) -> None:
    """The check above is not vacuous: each of these is caught."""
    assert private_uses(source)


def test_the_public_paths_pass() -> None:
    assert not private_uses(
        "import instructor\nfrom instructor.core import Hooks\nimport openai\n"
        "from openai.types.chat import ChatCompletion\nx = instructor.from_openai"
    )
