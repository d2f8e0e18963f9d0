"""The hub type: a Conversation is what every stage before it produces and every stage after
it reads.

Audio never reaches a Conversation and metrics never see audio, so a transcript imported from
ELAN and one produced by the pipeline are analysed by exactly the same code. The types are
small and immutable, after pyannote.core's `Segment`: a value that has been validated stays
valid.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from polyphony.errors import InputError

if TYPE_CHECKING:
    from pyannote.core import Annotation

SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)  # 1 had no expected_speakers, split_voices or corrections

ROLES = ("person", "family", "network", "clinician", "peer_practitioner", "other")
PROFESSIONAL_ROLES = ("clinician", "peer_practitioner")
Source = Literal["automatic", "corrected", "imported"]
SOURCES: tuple[Source, ...] = ("automatic", "corrected", "imported")


@dataclass(frozen=True)
class Participant:
    """A roster member. They count in every table even if they never speak."""

    id: str
    role: str = "other"
    label: str | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise InputError("a participant has an empty id", hint="give every participant an id")
        if self.role not in ROLES:
            raise InputError(
                f"participant {self.id!r} has unknown role {self.role!r}",
                hint=f"use one of: {', '.join(ROLES)}",
            )

    @property
    def display(self) -> str:
        return self.label or self.id


@dataclass(frozen=True)
class Word:
    """One recognised word. `overlap` marks words spoken while another speaker was active."""

    start: float
    end: float
    text: str
    speaker: str | None = None
    probability: float | None = None
    overlap: bool = False


def _check_span(start: float, end: float, what: str) -> None:
    if not (math.isfinite(start) and math.isfinite(end)):
        raise InputError(f"{what} has a non-finite time ({start}, {end})")
    if end <= start:
        raise InputError(
            f"{what} ends at {end:.3f} s, not after its start at {start:.3f} s",
            hint="every utterance needs start < end; fix or drop this row",
        )


@dataclass(frozen=True)
class Utterance:
    """A stretch of one speaker's talk. Text may be empty: diarized speech that the
    recogniser did not transcribe (a backchannel, a short answer) still counts for timing."""

    speaker: str
    start: float
    end: float
    text: str = ""
    words: tuple[Word, ...] = ()

    def __post_init__(self) -> None:
        _check_span(self.start, self.end, f"an utterance of {self.speaker!r}")

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def has_text(self) -> bool:
        return bool(self.text.strip())


@dataclass(frozen=True)
class Provenance:
    """How the conversation was made, so every number in a report can say where it came from.

    An imported file also says what its reader decided, because a silent guess about who
    spoke is the worst thing a transcript reader can do:
    - `speaker_labels` is False when the file named no speakers at all (all its speech is
      then one participant, `unknown`, and every per-person number is flagged);
    - `unattributed` counts, per producer placeholder (`UNKNOWN`, `SPEECH`, ...), the
      utterances and seconds that named nobody and were left out of the participants;
    - `notes` are the reader's decisions in words (which tiers were read as whom), shown on
      stderr by the CLI and kept in conversation.json.

    `consent` is the consent manifest that allowed an analysis (path, sha256, meeting,
    retention date), or `checked: False` when `--no-consent-check` skipped it: every report
    says which. `audio` is what the recording's header said (`decode.AudioInfo`): its
    sample rate, channels, and declared and decoded length.

    What the metrics need beyond the utterances travels here too, so that metrics computed
    again from a saved conversation.json equal those of the run that wrote it:
    `expected_speakers` (how many people the roster says were present, for the
    speaker-count flag) and `split_voices` (the pairs diarization split to reach that
    count). A corrected conversation (`polyphony relabel`) says what was changed in
    `corrections`, and keeps the provenance it was corrected from in `derived_from`.
    `enrolment` records how voice samples named the voices: each voice-person pair the
    assignment made, its similarity, and whether it cleared the threshold.
    """

    source: Source = "imported"
    recording: str | None = None
    recording_sha256: str | None = None
    models: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    has_text: bool = True
    speaker_labels: bool = True
    unattributed: Mapping[str, tuple[int, float]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    consent: Mapping[str, Any] = field(default_factory=dict)
    audio: Mapping[str, Any] = field(default_factory=dict)
    expected_speakers: int | None = None
    split_voices: tuple[tuple[str, str], ...] = ()
    corrections: tuple[str, ...] = ()
    derived_from: Mapping[str, Any] = field(default_factory=dict)
    enrolment: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise InputError(f"unknown provenance source {self.source!r}",
                             hint=f"use one of: {', '.join(SOURCES)}")
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "corrections", tuple(self.corrections))
        object.__setattr__(self, "split_voices",
                           tuple((str(a), str(b)) for a, b in self.split_voices))
        object.__setattr__(self, "unattributed", {
            str(label): (int(n), float(seconds))
            for label, (n, seconds) in dict(self.unattributed).items()})

    def to_dict(self) -> dict[str, Any]:
        """As conversation.json holds it."""
        return {
            "source": self.source,
            "recording": self.recording,
            "recording_sha256": self.recording_sha256,
            "models": dict(self.models),
            "settings": dict(self.settings),
            "has_text": self.has_text,
            "speaker_labels": self.speaker_labels,
            "unattributed": {label: [n, round(seconds, 3)]
                             for label, (n, seconds) in self.unattributed.items()},
            "notes": list(self.notes),
            "consent": dict(self.consent),
            "audio": dict(self.audio),
            "expected_speakers": self.expected_speakers,
            "split_voices": [list(pair) for pair in self.split_voices],
            "corrections": list(self.corrections),
            "derived_from": dict(self.derived_from),
            "enrolment": dict(self.enrolment),
        }

    @property
    def unattributed_time(self) -> float:
        return sum(seconds for _, seconds in self.unattributed.values())


@dataclass(frozen=True)
class Conversation:
    """Participants, their utterances sorted by (start, end), and the analysed region."""

    participants: tuple[Participant, ...]
    utterances: tuple[Utterance, ...]
    region: tuple[float, float]
    provenance: Provenance = field(default_factory=Provenance)

    def __post_init__(self) -> None:
        ids = [p.id for p in self.participants]
        if len(set(ids)) != len(ids):
            raise InputError("the roster lists a participant id twice",
                             hint="make every participant id unique")
        unknown = {u.speaker for u in self.utterances} - set(ids)
        if unknown:
            raise InputError(f"utterances by speakers not in the roster: {sorted(unknown)}",
                             hint="add them to the roster, or build with Conversation.build")
        t0, t1 = self.region
        if not t1 >= t0:
            raise InputError(f"the region [{t0}, {t1}] ends before it starts")

    @classmethod
    def build(
        cls,
        utterances: Iterable[Utterance],
        participants: Iterable[Participant] = (),
        region: tuple[float, float] | None = None,
        provenance: Provenance | None = None,
    ) -> Conversation:
        """Sort utterances by time, add any speaker missing from the roster with role
        `other`, and default the region to [0, last utterance end], as METRICS.md
        prescribes. Utterances of the same start and end keep their given order (the sort
        is stable): ordering them by speaker would let a renaming change the turns."""
        utts = tuple(sorted(utterances, key=lambda u: (u.start, u.end)))
        roster = list(participants)
        known = {p.id for p in roster}
        for speaker in sorted({u.speaker for u in utts} - known):
            roster.append(Participant(speaker))
        if region is None:
            region = (0.0, max((u.end for u in utts), default=0.0))
        return cls(tuple(roster), utts, (float(region[0]), float(region[1])),
                   provenance or Provenance())

    @property
    def speakers(self) -> list[str]:
        """Participant ids in roster order (silent members included)."""
        return [p.id for p in self.participants]

    @property
    def duration(self) -> float:
        return self.region[1] - self.region[0]

    def with_participants(self, participants: Iterable[Participant]) -> Conversation:
        return Conversation.build(self.utterances, participants, self.region, self.provenance)

    def relabel(self, mapping: Mapping[str, str]) -> Conversation:
        """Rename speakers (diarization labels to roster ids, say), words and split-voice
        pairs included. Several labels mapped to one id merge into one participant."""
        def move(u: Utterance) -> Utterance:
            words = tuple(replace(w, speaker=mapping.get(w.speaker, w.speaker)) if w.speaker
                          else w for w in u.words)
            return replace(u, speaker=mapping.get(u.speaker, u.speaker), words=words)

        roster: dict[str, Participant] = {}
        for p in self.participants:
            roster.setdefault(mapping.get(p.id, p.id), replace(p, id=mapping.get(p.id, p.id)))
        pairs = tuple((mapping.get(a, a), mapping.get(b, b))
                      for a, b in self.provenance.split_voices)
        provenance = replace(self.provenance,
                             split_voices=tuple(pair for pair in pairs if pair[0] != pair[1]))
        return Conversation.build(map(move, self.utterances), roster.values(), self.region,
                                  provenance)

    def to_annotation(self) -> Annotation:
        """The timing as a pyannote.core Annotation, for pyannote.metrics."""
        from pyannote.core import Annotation, Segment

        ann = Annotation()
        for i, u in enumerate(self.utterances):
            ann[Segment(u.start, u.end), i] = u.speaker
        return ann

    # -- serialisation (polyphony's own conversation.json) -----------------------------

    def to_dict(self) -> dict[str, Any]:
        prov = self.provenance
        return {
            "schema_version": SCHEMA_VERSION,
            "region": list(self.region),
            "provenance": prov.to_dict(),
            "participants": [{"id": p.id, "role": p.role, "label": p.label}
                             for p in self.participants],
            "utterances": [
                {
                    "speaker": u.speaker,
                    "start": round(u.start, 3),
                    "end": round(u.end, 3),
                    "text": u.text,
                    "words": [
                        {"start": round(w.start, 3), "end": round(w.end, 3), "text": w.text,
                         "speaker": w.speaker, "probability": w.probability,
                         "overlap": w.overlap}
                        for w in u.words
                    ],
                }
                for u in self.utterances
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Conversation:
        """The inverse of `to_dict`. A malformed document is refused naming the key that is
        missing or of the wrong type (`utterances[3].start`), never Python's own words."""
        if not isinstance(data, Mapping):
            raise InputError(f"holds a JSON {type(data).__name__}, not a conversation object")
        version = data.get("schema_version")
        if version not in READABLE_VERSIONS:
            raise InputError(f"conversation schema version {version!r} is not supported",
                             hint="this polyphony reads versions "
                                  f"{', '.join(map(str, READABLE_VERSIONS))}")
        prov = _get(data, "provenance", "", Mapping, {})
        known = set(Provenance.__dataclass_fields__)
        unknown = sorted(set(prov) - known)
        if unknown:
            raise InputError(f"provenance has unknown key {unknown[0]!r}",
                             hint=f"known keys: {', '.join(sorted(known))}")
        participants = [
            Participant(_get(p, "id", f"participants[{i}].", str),
                        _get(p, "role", f"participants[{i}].", str, "other"),
                        _get(p, "label", f"participants[{i}].", (str, type(None)), None))
            for i, p in enumerate(_items(data, "participants"))]
        utterances = []
        for i, u in enumerate(_items(data, "utterances")):
            where = f"utterances[{i}]."
            words = tuple(
                Word(_get(w, "start", f"{where}words[{j}].", (int, float)),
                     _get(w, "end", f"{where}words[{j}].", (int, float)),
                     _get(w, "text", f"{where}words[{j}].", str),
                     _get(w, "speaker", f"{where}words[{j}].", (str, type(None)), None),
                     _get(w, "probability", f"{where}words[{j}].", (int, float, type(None)),
                          None),
                     _get(w, "overlap", f"{where}words[{j}].", bool, False))
                for j, w in enumerate(_items(u, "words", where, ())))
            utterances.append(Utterance(
                _get(u, "speaker", where, str), float(_get(u, "start", where, (int, float))),
                float(_get(u, "end", where, (int, float))), _get(u, "text", where, str, ""),
                words))
        region = _get(data, "region", "", list)
        if len(region) != 2 or not all(isinstance(t, int | float) for t in region):
            raise InputError("region is not [start, end] in seconds")
        for key in ("models", "settings", "unattributed", "consent", "audio", "derived_from",
                    "enrolment"):
            if key in prov and not isinstance(prov[key], Mapping):
                raise InputError(f"provenance.{key} is {type(prov[key]).__name__}, not an "
                                 "object")
        for key in ("notes", "split_voices", "corrections"):
            if key in prov and not isinstance(prov[key], list):
                raise InputError(f"provenance.{key} is {type(prov[key]).__name__}, not a list")
        try:
            provenance = Provenance(**prov)
        except (TypeError, ValueError) as exc:
            raise InputError(f"provenance is malformed ({exc})") from None
        return cls.build(utterances, participants, (float(region[0]), float(region[1])),
                         provenance)


_MISSING = object()


def _get(obj: Any, key: str, where: str, kind: type | tuple[type, ...],
         default: Any = _MISSING) -> Any:
    """`obj[key]`, checked: an error names the key's path and what was expected."""
    if not isinstance(obj, Mapping):
        raise InputError(f"{where.rstrip('.') or 'the document'} is not an object")
    if key not in obj:
        if default is _MISSING:
            raise InputError(f"{where}{key} is missing")
        return default
    value = obj[key]
    numeric = kind in ((int, float), (int, float, type(None)))
    if (isinstance(value, bool) and numeric) or not isinstance(value, kind):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise InputError(f"{where}{key} is {type(value).__name__}, not {names}")
    return value


def _items(obj: Any, key: str, where: str = "", default: Any = _MISSING) -> list:
    return _get(obj, key, where, list, default)
