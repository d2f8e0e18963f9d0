"""`make validate`: sweeps over the big real data sets, which a user's clone does not have.

They read `../shared/data` beside the repository (or the folder named by
`POLYPHONY_SHARED_DATA`). Without it the run stops at once, saying what it needs, rather
than passing with nothing tested.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import polyphony  # noqa: F401  (sets the offline environment before anything else)

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("POLYPHONY_SHARED_DATA", ROOT.parent / "shared" / "data"))
NEEDED = ("ami", "voxconverse/dev", "annomi/AnnoMI-full.csv", "annomi/AnnoMI-simple.csv")


def pytest_configure(config: pytest.Config) -> None:
    missing = [name for name in NEEDED if not (SHARED_DATA / name).exists()]
    if missing:
        pytest.exit(
            f"make validate needs the reference data in {SHARED_DATA} (missing: "
            f"{', '.join(missing)}); set POLYPHONY_SHARED_DATA to the folder holding the "
            "AMI and VoxConverse RTTMs and the AnnoMI CSVs", returncode=4)
