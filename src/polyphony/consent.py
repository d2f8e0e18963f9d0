"""Consent manifests: who agreed to what, until when, checked before any audio is decoded.

A recording is processed only when a manifest covers it: `<stem>.consent.toml` beside it,
a `consent.toml` in its folder that names it, or a file given with `--consent`. Schema 2
records consent per person and per purpose (docs/privacy.md has the whole form):

```toml
schema = 2
meeting = "2026-11-03-network-meeting"
retain_until = 2027-11-03          # outputs past this date are deleted by `polyphony purge`

[[recording]]
file = "meeting.flac"
sha256 = "..."                     # optional: pins the exact recording

[[participant]]
id = "anna"                        # as in the roster
role = "person"
recording = 2026-11-03             # the date consent was given, or false
analysis = 2026-11-03
sharing = { given = 2026-11-03, withdrawn = 2026-11-20 }
```

A consent holds from the day it was given until the day it is withdrawn: from the
`withdrawn` date on, it no longer holds. Every use of a recording needs everyone's
`recording` consent (a voice recorded without it is not used at all); `analyze` needs
`analysis` from every listed participant as well; a de-identified report for sharing needs
`analysis` and `sharing` from every listed participant. The schema-1 form of earlier
versions (`recordings = [...]`, `analysis = true`, `participants = [...]`) is still read;
it can grant analysis, never sharing.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polyphony.conversation import ROLES
from polyphony.errors import ConsentError
from polyphony.files import beside, sha256

SCHEMA = 2
PURPOSES = ("recording", "analysis", "sharing")
NO_CHECK_WARNING = ("consent is NOT checked (--no-consent-check): use this only for public "
                    "corpora whose licence permits it; the results record that consent was "
                    "not checked")
_HINT = ("write a consent manifest (docs/privacy.md) once everyone present has agreed to "
         "automatic analysis")
_TOP_KEYS = {"schema", "meeting", "retain_until", "recording", "participant", "note"}
_PERSON_KEYS = {"id", "role", "label", "note", *PURPOSES}
_GRANT_KEYS = {"given", "withdrawn", "note"}
_LEGACY_KEYS = {"recordings", "analysis", "participants", "sha256", "note"}


@dataclass(frozen=True)
class Grant:
    """One person's consent to one purpose. `given` is None for a schema-1 record, which
    granted without a date."""

    granted: bool
    given: dt.date | None = None
    withdrawn: dt.date | None = None

    def refusal(self, on: dt.date) -> str | None:
        """Why this consent does not hold on `on`, or None when it does."""
        if not self.granted:
            return "refused"
        if self.given is not None and on < self.given:
            return f"not given until {self.given.isoformat()}"
        if self.withdrawn is not None and on >= self.withdrawn:
            return f"withdrawn on {self.withdrawn.isoformat()}"
        return None


@dataclass(frozen=True)
class Person:
    id: str
    role: str | None
    grants: Mapping[str, Grant]


@dataclass(frozen=True)
class Manifest:
    path: Path
    sha256: str
    schema: int
    meeting: str | None
    recordings: Mapping[str, str | None]  # file name -> the sha256 it pins, if any
    people: tuple[Person, ...]
    retain_until: dt.date | None = None

    def refusals(self, purpose: str, on: dt.date) -> dict[str, str]:
        """{person id: why not} for every listed person whose `purpose` consent does not
        hold on `on` ("withdrawn on 2026-11-20", "not recorded", ...)."""
        out = {}
        for person in self.people:
            grant = person.grants.get(purpose)
            why = "not recorded" if grant is None else grant.refusal(on)
            if why is not None:
                out[person.id] = why
        return out

    def provenance(self, purposes: Iterable[str], on: dt.date) -> dict[str, Any]:
        """What conversation.json records of the manifest that allowed a run."""
        return {"checked": True, "manifest": str(self.path.resolve()),
                "manifest_sha256": self.sha256,
                "schema": self.schema, "meeting": self.meeting,
                "retain_until": self.retain_until.isoformat() if self.retain_until else None,
                "purposes": list(purposes), "checked_on": on.isoformat(),
                "participants": [p.id for p in self.people]}


def not_checked(on: dt.date | None = None) -> dict[str, Any]:
    """The provenance of a run made with `--no-consent-check`."""
    return {"checked": False, "skipped_by": "--no-consent-check",
            "checked_on": (on or dt.date.today()).isoformat()}


def describe(record: Mapping[str, Any], deidentify: bool = False) -> str | None:
    """The line every report's footer gives about consent: which manifest allowed the run,
    or that consent was not checked. None for an imported transcript, which had no audio
    to consent to. A de-identified page leaves out the meeting id and the path, which may
    hold names."""
    if not record:
        return None
    if not record.get("checked"):
        return (f"Consent was NOT checked ({record.get('skipped_by', '--no-consent-check')}, "
                f"{record.get('checked_on', '')}): for public corpora only.")
    where = "" if deidentify else f" {record.get('manifest')} (meeting {record.get('meeting')})"
    retain = record.get("retain_until")
    until = f"; results to be deleted after {retain}" if retain else ""
    return (f"Consent for {' and '.join(record.get('purposes', ['analysis']))} checked on "
            f"{record.get('checked_on')} against the manifest{where}, sha256 "
            f"{str(record.get('manifest_sha256'))[:12]}{until}.")


def manifest_text(meeting: str, recordings: Mapping[str, str | None],
                  people: Iterable[tuple[str, str]], given: dt.date, retain_until: dt.date,
                  purposes: Iterable[str] = PURPOSES, note: str | None = None) -> str:
    """A schema-2 manifest in which every person in `people` (id, role) gave consent to
    `purposes` on `given`: the form to start from, for examples, tests and benchmarks."""
    lines = [f"schema = {SCHEMA}", f"meeting = {_toml_str(meeting)}",
             f"retain_until = {retain_until.isoformat()}"]
    if note:
        lines.append(f"note = {_toml_str(note)}")
    for name, pin in recordings.items():
        lines += ["", "[[recording]]", f"file = {_toml_str(name)}"]
        if pin:
            lines.append(f'sha256 = "{pin}"')
    purposes = tuple(purposes)
    for pid, role in people:
        lines += ["", "[[participant]]", f"id = {_toml_str(pid)}", f'role = "{role}"']
        lines += [f"{purpose} = {given.isoformat()}" for purpose in purposes]
    return "\n".join(lines) + "\n"


def _toml_str(value: str) -> str:
    """A TOML basic string: JSON's string escapes are TOML's."""
    return json.dumps(value, ensure_ascii=False)


def find(recording: Path) -> Path | None:
    return beside(recording, "consent")


def load(path: str | Path) -> Manifest:
    """Read and validate a manifest; every mistake names the key and what to write."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except FileNotFoundError:
        raise ConsentError("consent manifest not found", path=path,
                           hint="check the path") from None
    except IsADirectoryError:
        raise ConsentError("is a directory, not a consent manifest", path=path) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConsentError(f"is not a valid TOML consent manifest ({exc})",
                           path=path) from None
    digest = sha256(path)
    if "schema" not in data and "analysis" in data:
        return _legacy(path, digest, data)
    _known(data, _TOP_KEYS, "", path)
    if data.get("schema") != SCHEMA:
        raise ConsentError(f"schema is {data.get('schema')!r}, not {SCHEMA}", path=path,
                           hint=f"write `schema = {SCHEMA}` (docs/privacy.md has the form)")
    meeting = data.get("meeting")
    if not isinstance(meeting, str) or not meeting:
        raise ConsentError("has no `meeting` (an id for the meeting it covers)", path=path)
    recordings: dict[str, str | None] = {}
    for i, row in enumerate(_tables(data, "recording", path)):
        where = f"recording[{i}]"
        if not isinstance(row, dict):
            raise ConsentError(f"{where} is {row!r}, not a table", path=path,
                               hint='write [[recording]] tables: file = "meeting.flac"')
        _known(row, {"file", "sha256"}, f"{where}.", path)
        name, pin = row.get("file"), row.get("sha256")
        if not isinstance(name, str) or not name:
            raise ConsentError(f"{where} has no `file`", path=path)
        if pin is not None and not isinstance(pin, str):
            raise ConsentError(f"{where}.sha256 is not a string", path=path)
        if name in recordings:
            raise ConsentError(f"lists the recording {name!r} twice", path=path)
        recordings[name] = pin
    people = [_person(row, i, path) for i, row in enumerate(_tables(data, "participant", path))]
    ids = [p.id for p in people]
    twice = sorted({pid for pid in ids if ids.count(pid) > 1})
    if twice:
        raise ConsentError(f"lists the participant id {twice[0]!r} twice", path=path)
    if "retain_until" not in data:
        raise ConsentError("has no `retain_until` date", path=path,
                           hint="write the date after which the results must be deleted, "
                                "e.g. retain_until = 2027-11-03")
    retain = _date(data["retain_until"], "retain_until", path)
    return Manifest(path, digest, SCHEMA, meeting, recordings, tuple(people), retain)


def check(recording: str | Path, consent_file: str | Path | None = None,
          roster: Iterable[tuple[str, str]] = (), purposes: Iterable[str] = ("analysis",),
          on: dt.date | None = None, digest: str | None = None) -> Manifest:
    """The manifest that allows `purposes` for `recording` on `on` (today), or a
    `ConsentError` naming who or what is missing. `roster` is (id, role) of each roster
    member: each must be in the manifest, with the same role. `digest` is the
    recording's sha256, if known (else computed when the manifest pins one)."""
    recording = Path(recording)
    path = Path(consent_file) if consent_file else find(recording)
    if path is None:
        raise ConsentError("has no consent manifest", path=recording, hint=_HINT)
    return allows(load(path), recording.name, lambda: digest or sha256(recording), roster,
                  purposes, on or dt.date.today(), recording)


def allows(manifest: Manifest, name: str, digest: Callable[[], str | None],
           roster: Iterable[tuple[str, str]], purposes: Iterable[str], on: dt.date,
           where: str | Path) -> Manifest:
    """`manifest`, if it covers the recording called `name` (whose sha256 `digest` gives)
    and grants `purposes` on `on`; else a `ConsentError` located at `where`."""
    path = manifest.path
    if name not in manifest.recordings:
        covered = ", ".join(manifest.recordings) or "none"
        raise ConsentError(f"is not listed in the consent manifest {path} (it covers: "
                           f"{covered})", path=where,
                           hint="add its file name if the consent covers it")
    pin = manifest.recordings[name]
    if pin is not None and pin.lower() != digest():
        raise ConsentError(f"differs from the recording the consent manifest {path} pins by "
                           "checksum", path=where,
                           hint="was the file edited? record consent for this version")
    if manifest.retain_until is not None and on > manifest.retain_until:
        raise ConsentError(f"is past its retention date ({manifest.retain_until}) in {path}",
                           path=where, hint="the recording and its results are due for "
                                            "deletion (`polyphony purge`), not for use")
    _roster_matches(manifest, dict(roster), where)
    for purpose in purposes:
        if manifest.schema == 1 and purpose != "analysis":
            raise ConsentError(f"the schema-1 consent record {path} cannot grant {purpose}",
                               path=where, hint=f"write a schema-{SCHEMA} manifest with "
                                                "dated consent per person (docs/privacy.md)")
        refused = dict(manifest.refusals(purpose, on))
        if manifest.schema > 1:  # a voice recorded without consent is not used at all
            for pid, why in manifest.refusals("recording", on).items():
                refused.setdefault(pid, f"recording consent {why}")
        if refused:
            who = ", ".join(f"{pid} ({why})" for pid, why in refused.items())
            raise ConsentError(f"{purpose} is not granted in {path} by: {who}", path=where,
                               hint=f"{purpose} needs the consent of everyone listed")
    return manifest


def same_meeting(manifest: Manifest, record: Mapping[str, Any]) -> bool:
    """Whether `manifest` is the one a results folder's consent `record` was checked
    against: a manifest rewritten since for the next meeting, under the same name, is not."""
    meeting = record.get("meeting")
    return meeting is None or manifest.meeting == meeting


def _roster_matches(manifest: Manifest, roster: Mapping[str, str], where: str | Path) -> None:
    listed = {p.id: p for p in manifest.people}
    missing = [pid for pid in roster if pid not in listed]
    if missing:
        raise ConsentError(f"roster members {', '.join(missing)} are not in the consent "
                           f"manifest {manifest.path}", path=where,
                           hint="add them once they have agreed")
    for pid, role in roster.items():
        if listed[pid].role is not None and listed[pid].role != role:
            raise ConsentError(f"{pid} is a {role} in the roster but a {listed[pid].role} in "
                               f"the consent manifest {manifest.path}", path=where,
                               hint="correct whichever is wrong")


def _legacy(path: Path, digest: str, data: Mapping[str, Any]) -> Manifest:
    """Schema 1: one `analysis = true` for everyone in `participants`."""
    _known(data, _LEGACY_KEYS, "", path)
    names = data.get("recordings", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ConsentError("`recordings` is not a list of file names", path=path)
    if not isinstance(data["analysis"], bool):
        raise ConsentError("`analysis` is not true or false", path=path)
    ids = data.get("participants", [])
    if not isinstance(ids, list):
        raise ConsentError("`participants` is not a list of ids", path=path)
    grant = Grant(data["analysis"])
    people = tuple(Person(str(pid), None, {"analysis": grant}) for pid in ids)
    pin = data.get("sha256")
    if pin is not None and not isinstance(pin, str):
        raise ConsentError("`sha256` is not a string", path=path)
    if not data["analysis"]:  # refused for the whole meeting, whether or not anyone is listed
        people += (Person("everyone", None, {"analysis": grant}),)
    return Manifest(path, digest, 1, None, {n: pin for n in names}, people)


def _person(row: Any, i: int, path: Path) -> Person:
    where = f"participant[{i}]"
    if not isinstance(row, dict):
        raise ConsentError(f"{where} is not a table", path=path)
    _known(row, _PERSON_KEYS, f"{where}.", path)
    pid, role = row.get("id"), row.get("role")
    if not isinstance(pid, str) or not pid:
        raise ConsentError(f"{where} has no `id`", path=path)
    if role not in ROLES:
        raise ConsentError(f"{where} ({pid}) has role {role!r}", path=path,
                           hint=f"use one of: {', '.join(ROLES)}")
    grants = {purpose: _grant(row[purpose], f"{where}.{purpose}", path)
              for purpose in PURPOSES if purpose in row}
    return Person(pid, role, grants)


def _grant(value: Any, where: str, path: Path) -> Grant:
    """`2026-11-03`, `false`, or `{ given = 2026-11-03, withdrawn = 2026-11-20 }`."""
    if value is False:
        return Grant(False)
    if isinstance(value, dict):
        _known(value, _GRANT_KEYS, f"{where}.", path)
        if "given" not in value:
            raise ConsentError(f"{where} has no `given` date", path=path)
        if value["given"] is False:
            return Grant(False)
        given = _date(value["given"], f"{where}.given", path)
        withdrawn = (_date(value["withdrawn"], f"{where}.withdrawn", path)
                     if "withdrawn" in value else None)
        if withdrawn is not None and withdrawn < given:
            raise ConsentError(f"{where} is withdrawn ({withdrawn}) before it was given "
                               f"({given})", path=path)
        return Grant(True, given, withdrawn)
    return Grant(True, _date(value, where, path))


def _date(value: Any, where: str, path: Path) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ConsentError(f"{where} is {value!r}, not a date", path=path,
                       hint="write the date as 2026-11-03 (or false where consent was "
                            "refused)")


def _tables(data: Mapping[str, Any], key: str, path: Path) -> list[Any]:
    rows = data.get(key)
    if not isinstance(rows, list) or not rows:
        raise ConsentError(f"has no [[{key}]] entries", path=path,
                           hint=f"add one [[{key}]] table per {key}")
    return rows


def _known(table: Mapping[str, Any], known: set[str], where: str, path: Path) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConsentError(f"{where}{unknown[0]} is not a consent manifest key", path=path,
                           hint=f"known keys here: {', '.join(sorted(known))}")

