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
HOME is back in this process as soon as Ray has started, and POLYPHONY_CACHE is set to
the real cache first, so that the actors still find the models joined there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from polyphony.models import cache_dir

_SINGLE_NODE = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
_BOOTSTRAP = "provider:\n  type: local\n"


def single_node() -> None:
    """Before Ray is imported (or, if it was, in its constants): loopback only."""
    os.environ[_SINGLE_NODE] = "0"
    constants = sys.modules.get("ray._private.ray_constants")
    if constants is not None:
        constants.ENABLE_RAY_CLUSTER = False


def start(ray: Any, cpus: int, **options: Any) -> Callable[[], None]:
    """`ray.init` a local Ray on `cpus` CPUs; returns what stops it and cleans up."""
    single_node()
    os.environ.setdefault("POLYPHONY_CACHE", str(cache_dir()))
    home = Path(tempfile.mkdtemp(prefix="polyphony-ray-"))
    (home / "ray_bootstrap_config.yaml").write_text(_BOOTSTRAP, encoding="utf-8")
    real = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    try:
        ray.init(num_cpus=cpus, **options)
    except BaseException:
        shutil.rmtree(home, ignore_errors=True)
        raise
    finally:
        if real is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = real

    def stop() -> None:
        with contextlib.suppress(Exception):
            ray.shutdown()
        shutil.rmtree(home, ignore_errors=True)

    return stop
