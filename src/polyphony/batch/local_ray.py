"""A local Ray for one batch that reaches for nothing beyond this machine.

Ray 2.60, left to itself, does three things `tests/test_privacy.py` saw under strace:

- it finds "this node's address" by pointing a UDP socket at 8.8.8.8, and binds its
  services (GCS, raylet, object store) to the machine's network address, where other
  machines can reach them;
- even with the dashboard off and usage statistics disabled, it starts a usage-statistics
  process that asks three clouds' metadata services who hosts the machine: HTTP to
  169.254.169.254 and a DNS lookup of metadata.google.internal.

So a batch's local Ray starts single-node, with Ray's own switch for the platforms where
it does not run clusters (`RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`): every service on
127.0.0.1 and no 8.8.8.8. And its processes get a HOME of their own, a private folder
holding the `ray_bootstrap_config.yaml` that the usage-statistics process reads before it
asks any metadata service; it names the provider ("local"), so none is asked. The real
HOME, the switch and the cache setting are back as they were in this process as soon as
Ray has started (its processes keep theirs); POLYPHONY_CACHE is set to the real cache
for them, so that the actors still find the models joined there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from polyphony.models import cache_dir

_SINGLE_NODE = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
_BOOTSTRAP = "provider:\n  type: local\n"


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    """`values` in this process's environment (which Ray's processes inherit as they
    start), and what was there before put back after."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def start(cpus: int, **options: Any) -> tuple[Any, Callable[[], None]]:
    """Ray, imported and started here on `cpus` CPUs (or already running in this
    process, as the caller left it), and what stops it and cleans up."""
    home = Path(tempfile.mkdtemp(prefix="polyphony-ray-"))
    (home / "ray_bootstrap_config.yaml").write_text(_BOOTSTRAP, encoding="utf-8")
    constants = None
    try:
        with _environment(**{_SINGLE_NODE: "0", "HOME": str(home),
                             "POLYPHONY_CACHE": str(cache_dir())}):
            import ray  # its constants read the switch when first imported

            if ray.is_initialized():
                shutil.rmtree(home, ignore_errors=True)
                return ray, lambda: None
            constants = sys.modules["ray._private.ray_constants"]
            constants.ENABLE_RAY_CLUSTER = False  # imported before: the switch came late
            ray.init(address="local", num_cpus=cpus, **options)
    except BaseException:
        shutil.rmtree(home, ignore_errors=True)
        raise
    finally:
        if constants is not None:  # as this process's environment says, for a later init
            constants.ENABLE_RAY_CLUSTER = constants.env_bool(
                _SINGLE_NODE, not constants.IS_WINDOWS_OR_OSX)

    def stop() -> None:
        with contextlib.suppress(Exception):
            ray.shutdown()
        shutil.rmtree(home, ignore_errors=True)

    return ray, stop
