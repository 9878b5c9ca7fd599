"""The pure layers never import the model layer (STYLE: models, ground, merge, render)."""

from __future__ import annotations

import ast

import pytest

from .conftest import ROOT

PURE = [
    "models",
    "ground",
    "merge",
    "quotes",
    "numbers",
    "dates",
    "render/markdown",
    "render/json",
    "render/html",
    "render/text",
    "errors",
]
FORBIDDEN = (
    "openai",
    "instructor",
    "tenacity",
    "httpx2",
    "aiohttp",
    "vcr",
    "summarizer.llm",
    "summarizer.extract",
    "summarizer.pipeline",
)


@pytest.mark.parametrize("module", PURE)
def test_pure_module_imports_no_model_code(module: str) -> None:
    """No import of openai, instructor, tenacity, HTTP or the extraction layer."""
    tree = ast.parse((ROOT / "summarizer" / f"{module}.py").read_text(encoding="utf-8"))
    names = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    names += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [n for n in names if n.startswith(FORBIDDEN)]
