"""Small constructed conversations for hand-computed expectations."""

from __future__ import annotations

from polyphony.conversation import Conversation, Participant, Provenance, Utterance

EXAMPLE_ORDER = ("dr_lee", "tom", "mira", "sam")  # the example's speakers by first speech


def conv(rows: list[tuple], roster: list[Participant] | None = None,
         region: tuple[float, float] | None = None, has_text: bool = True) -> Conversation:
    """rows: (speaker, start, end[, text])."""
    utts = [Utterance(r[0], r[1], r[2], r[3] if len(r) > 3 else "") for r in rows]
    return Conversation.build(utts, roster or [], region,
                              Provenance(source="corrected", has_text=has_text))


def results_folder(out, stem: str, manifest=None, recording: str | None = None,
                   on=None, anonymous: bool = False):
    """A results folder as `polyphony analyze` writes it, without running a model: the
    example meeting's reference diarization (text-less, so its metrics need no language
    model), allowed by `manifest` (a consent manifest path) or by no check at all.
    `anonymous` names the voices as an automatic run without a mapping does: S1, S2, ... in
    order of first speech, "Speaker N", role other."""
    import dataclasses
    import datetime as dt
    from pathlib import Path

    from polyphony import consent
    from polyphony.formats import rttm
    from polyphony.metrics import compute_metrics
    from polyphony.report.outputs import write_all

    example = Path(__file__).resolve().parents[1] / "examples" / "network-meeting"
    reference = rttm.read(example / "reference.rttm")
    if anonymous:
        first = sorted({u.speaker: u.start for u in reversed(reference.utterances)}.items(),
                       key=lambda item: item[1])
        ids = {speaker: f"S{i}" for i, (speaker, _) in enumerate(first, 1)}
        reference = reference.relabel(ids).with_participants(
            [Participant(sid, "other", f"Speaker {sid[1:]}") for sid in ids.values()])
    on = on or dt.date.today()
    record = (consent.load(manifest).provenance(("analysis",), on) if manifest
              else consent.not_checked(on))
    reference = dataclasses.replace(reference, provenance=dataclasses.replace(
        reference.provenance, source="automatic", recording=recording or f"{stem}.flac",
        recording_sha256="0" * 64, consent=record))
    folder = Path(out) / stem
    write_all(folder, stem, reference, reference, compute_metrics(reference))
    return folder
