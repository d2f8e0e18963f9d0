"""Consent is checked before any audio is decoded.

A recording is processed only when a consent record covers it: `<stem>.consent.toml` beside
it, a `consent.toml` in its folder that names it, or a file given with `--consent`.

```toml
recordings = ["meeting.flac"]     # file names this record covers
analysis = true                    # everyone present agreed to automatic analysis
participants = ["anna", "ben"]     # who consented (checked against the roster, if any)
sha256 = "..."                     # optional: pins the exact recording
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from polyphony.errors import ConsentError
from polyphony.files import sha256

_HINT = ("write a consent record (see `polyphony analyze --help`) once everyone present "
         "has agreed to automatic analysis")


@dataclass(frozen=True)
class Consent:
    path: Path
    participants: tuple[str, ...]


def find(recording: Path) -> Path | None:
    for candidate in (recording.with_suffix(".consent.toml"),
                      recording.parent / "consent.toml"):
        if candidate.is_file():
            return candidate
    return None


def check(recording: str | Path, consent_file: str | Path | None = None,
          roster_ids: tuple[str, ...] = ()) -> Consent:
    """Return the consent record covering `recording`, or raise `ConsentError`."""
    recording = Path(recording)
    path = Path(consent_file) if consent_file else find(recording)
    if path is None:
        raise ConsentError("has no consent record", path=recording, hint=_HINT)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConsentError(f"consent record {path} cannot be read ({exc})",
                           path=recording) from exc
    names = data.get("recordings", [])
    if recording.name not in names:
        raise ConsentError(f"is not listed in the consent record {path}", path=recording,
                           hint="add its file name to `recordings` if consent covers it")
    if data.get("analysis") is not True:
        raise ConsentError(f"consent record {path} does not grant analysis "
                           "(`analysis = true`)", path=recording, hint=_HINT)
    consented = tuple(str(p) for p in data.get("participants", []))
    missing = [pid for pid in roster_ids if pid not in consented]
    if missing:
        raise ConsentError(f"roster members {missing} have not consented in {path}",
                           path=recording, hint="add them to `participants` once they agree")
    if "sha256" in data and data["sha256"] != sha256(recording):
        raise ConsentError(f"differs from the recording the consent record {path} pins "
                           "by checksum", path=recording,
                           hint="was the file edited? record consent for this version")
    return Consent(path, consented)
