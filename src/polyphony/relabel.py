"""`polyphony relabel`: name, merge and leave out voices after listening, from
conversation.json alone: no audio is read and no audio model is loaded.

A roster maps each diarized voice to a person (`speaker = "S2"`), several voices to one
person (`speaker = ["S2", "S5"]`, when diarization split someone in two), or leaves a voice
out (`[[not_participant]]`: a television, an interpreter who is not counted). Every output
is written again from the corrected conversation, whose provenance says `corrected`, lists
what was changed, and keeps the automatic run's provenance in `derived_from`. The
responsiveness metrics still load the small text models (spaCy, MiniLM) when the
transcript has text, since who took up whose words changes with who is who.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polyphony.conversation import Conversation
from polyphony.errors import InputError
from polyphony.files import read_json, read_text
from polyphony.formats import conversation_json, rttm
from polyphony.metrics import compute_metrics
from polyphony.report.html import DEIDENTIFIED_MARK
from polyphony.report.outputs import output_dir, results_file, write_all
from polyphony.roster import Roster, exclude
from polyphony.roster import apply as apply_roster


@dataclass(frozen=True)
class Relabelled:
    folder: Path
    conversation: Conversation
    metrics: dict[str, Any]
    files: dict[str, Path]


def correct(conv: Conversation, roster: Roster) -> Conversation:
    """`conv` with the roster's mapping, merges and exclusions applied, saying so. Running it
    again with the same roster changes nothing; a label the roster names that is neither
    in the conversation nor already applied is a mistake, and said."""
    done = " ".join(conv.provenance.corrections)
    unknown = sorted(label for label in roster.excluded
                     if label not in conv.speakers and f"{label} left out" not in done)
    unknown += sorted(label for label, pid in roster.labels.items()
                      if label not in conv.speakers and pid not in conv.speakers)
    if unknown:
        raise InputError(f"the roster names speaker {unknown[0]!r}, who is not in this "
                         "conversation", hint=f"its speakers are: {', '.join(conv.speakers)}")
    changes: list[str] = []
    for label, reason in roster.excluded.items():
        mine = [u for u in conv.utterances if u.speaker == label]
        if mine or label in conv.speakers:
            seconds = sum(u.end - u.start for u in mine)
            changes.append(f"{label} left out ({reason}): {len(mine)} utterances, "
                           f"{seconds:.1f} s")
    merged: dict[str, list[str]] = {}
    for label, pid in roster.mapping([s for s in conv.speakers
                                      if s not in roster.excluded]).items():
        merged.setdefault(pid, []).append(label)
    for pid, labels in merged.items():
        if labels != [pid]:
            changes.append(f"{' + '.join(labels)} → {pid}")
    named = apply_roster(conv, roster)
    prov = conv.provenance
    provenance = dataclasses.replace(
        named.provenance, source="corrected",
        expected_speakers=len(roster),
        corrections=(*prov.corrections, *changes),
        derived_from=prov.derived_from or prov.to_dict())
    return dataclasses.replace(named, provenance=provenance)


def relabel_results(folder: str | Path, roster: Roster) -> Relabelled:
    """Correct the results in `folder` with `roster`, and write every output again: the
    diarization as it was, relabelled, and a de-identified report again de-identified."""
    folder = Path(folder)
    before = conversation_json.read(results_file(folder))
    conv = correct(before, roster)
    metrics = compute_metrics(conv)
    timings = _timings(folder / "metrics.json")
    if timings is not None:  # the run's own, unchanged by a correction
        metrics["timings"] = timings
    output_dir(folder.parent, folder.name, force=True)  # refuses a folder holding others' files
    files = write_all(folder, folder.name, conv, _diarization(folder, before, conv, roster),
                      metrics, _deidentified(folder / "report.html"), roster.participants)
    return Relabelled(folder, conv, metrics, files)


def _diarization(folder: Path, before: Conversation, after: Conversation,
                 roster: Roster) -> Conversation:
    """The run's own diarization.rttm, relabelled as the conversation was: speech without
    words, which the conversation's utterances may not hold, is kept."""
    path = folder / "diarization.rttm"
    if path.is_file():
        raw = rttm.read(path)
        kept = exclude(raw, roster)
        mapping = roster.mapping(kept.speakers)
        return Conversation.build(
            [dataclasses.replace(u, speaker=mapping.get(u.speaker, u.speaker))
             for u in kept.utterances], after.participants, after.region,
            dataclasses.replace(after.provenance, has_text=False))
    return Conversation.build(  # no RTTM: the corrected utterances' times
        [dataclasses.replace(u, text="", words=()) for u in after.utterances],
        after.participants, after.region, dataclasses.replace(after.provenance,
                                                              has_text=False))


def _deidentified(report: Path) -> bool:
    """Whether the report in place was made for sharing (`analyze --deidentify`): then it
    is written for sharing again, never with the names the correction adds."""
    try:
        return DEIDENTIFIED_MARK in read_text(report)
    except InputError:
        return False


def _timings(path: Path) -> dict[str, float] | None:
    try:
        return read_json(path).get("timings")
    except (InputError, AttributeError):
        return None
