"""Export the JSON Schemas of the public models to `schemas/` (`python -m summarizer.schemas`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from summarizer.models import SCHEMA_VERSION, ArticleExtraction, Briefing, Extraction

EXPORTED: dict[str, type[BaseModel]] = {
    "article_extraction": ArticleExtraction,
    "extraction": Extraction,
    "briefing": Briefing,
}


def schema_files() -> dict[str, str]:
    """File name -> JSON text for every exported schema, as the code defines them now."""
    return {
        f"{name}.v{SCHEMA_VERSION}.json": json.dumps(
            model.model_json_schema(), indent=2, ensure_ascii=False, sort_keys=True
        )
        + "\n"
        for name, model in EXPORTED.items()
    }


def write_schemas(folder: Path) -> list[Path]:
    """Write every exported schema into `folder`; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_files().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_schemas(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")):
        print(path)
