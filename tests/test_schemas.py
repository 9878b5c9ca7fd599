"""schemas/ holds the JSON Schemas the code defines, and nothing stale."""

from __future__ import annotations

from summarizer.schemas import schema_files

from .conftest import ROOT


def test_exported_schemas_match_the_code() -> None:
    """Each file in schemas/ equals what the models generate now; regenerate with `make schemas`."""
    expected = schema_files()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "schemas").glob("*.json")}
    assert sorted(on_disk) == sorted(expected), "run `make schemas` to regenerate schemas/"
    for name, text in expected.items():
        assert on_disk[name] == text, f"schemas/{name} drifted from the code: run `make schemas`"
