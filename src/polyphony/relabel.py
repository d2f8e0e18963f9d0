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
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polyphony.conversation import Conversation
from polyphony.errors import InputError
from polyphony.files import read_text
from polyphony.formats import conversation_json
from polyphony.metrics import compute_metrics
from polyphony.report.outputs import output_dir, results_file, write_all
from polyphony.roster import Roster
from polyphony.roster import apply as apply_roster


@dataclass(frozen=True)
class Relabelled:
    folder: Path
    conversation: Conversation
    metrics: dict[str, Any]
    files: dict[str, Path]


def correct(conv: Conversation, roster: Roster) -> Conversation:
    """`conv` with the roster's mapping, merges and exclusions applied, saying so."""
    unknown = sorted(set(roster.excluded) - set(conv.speakers))
    if unknown:
        raise InputError(f"the roster leaves out speaker {unknown[0]!r}, who is not in this "
                         "conversation", hint=f"its speakers are: {', '.join(conv.speakers)}")
    changes: list[str] = []
    for label, reason in roster.excluded.items():
        mine = [u for u in conv.utterances if u.speaker == label]
        seconds = sum(u.end - u.start for u in mine)
        changes.append(f"{label} left out ({reason}): {len(mine)} utterances, {seconds:.1f} s")
    kept = [u for u in conv.utterances if u.speaker not in roster.excluded]
    trimmed = Conversation.build(kept, [p for p in conv.participants
                                        if p.id not in roster.excluded],
                                 conv.region, conv.provenance)
    mapping = roster.mapping(trimmed.speakers)
    merged: dict[str, list[str]] = {}
    for label, pid in mapping.items():
        merged.setdefault(pid, []).append(label)
    for pid, labels in merged.items():
        if labels != [pid]:
            changes.append(f"{' + '.join(labels)} → {pid}")
    named = apply_roster(trimmed, roster)
    prov = conv.provenance
    provenance = dataclasses.replace(
        named.provenance, source="corrected",
        expected_speakers=len(roster),
        corrections=(*prov.corrections, *changes),
        derived_from=prov.derived_from or prov.to_dict())
    return dataclasses.replace(named, provenance=provenance)


def relabel_results(folder: str | Path, roster: Roster) -> Relabelled:
    """Correct the results in `folder` with `roster`, and write every output again."""
    folder = Path(folder)
    conv = correct(conversation_json.read(results_file(folder)), roster)
    metrics = compute_metrics(conv)
    timings = _timings(folder / "metrics.json")
    if timings is not None:  # the run's own, unchanged by a correction
        metrics["timings"] = timings
    output_dir(folder.parent, folder.name, force=True)  # refuses a folder holding others' files
    text_less = Conversation.build(
        [dataclasses.replace(u, text="", words=()) for u in conv.utterances],
        conv.participants, conv.region, dataclasses.replace(conv.provenance, has_text=False))
    files = write_all(folder, folder.name, conv, text_less, metrics)
    return Relabelled(folder, conv, metrics, files)


def _timings(path: Path) -> dict[str, float] | None:
    try:
        return json.loads(read_text(path)).get("timings")
    except (InputError, json.JSONDecodeError, AttributeError):
        return None
