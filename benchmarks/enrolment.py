"""Naming voices from samples: how often enrolment names each voice rightly, and with
what similarity, on every meeting with a reference here; the data `enrol.THRESHOLD` is
calibrated on.

    .venv/bin/python benchmarks/enrolment.py [--threshold 0.5]

Each person's sample is their first reference utterance of at least 2 s (a span of the
recording, as a roster gives it after one listen to the opening round). The full `analyze`
runs with the roster's count; each voice-person pair the assignment made is then judged
against the reference: the voice is the reference speaker it overlaps most. Meetings: the
example and the three devset meetings (synthetic voices), the pyannote sample (a real
call), and, where ../shared/data (or $POLYPHONY_SHARED_DATA) is present, the AMI openings
in ami-audio/ (real meetings). Wrong pairs' similarities (every person against every voice
that is not theirs) are printed too: the threshold must lie between them and the right
ones.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections import defaultdict
from pathlib import Path

import polyphony  # noqa: F401  (offline environment first)
from polyphony.audio import enrol
from polyphony.audio.pipeline import Settings, analyze
from polyphony.formats import read
from polyphony.roster import load

ROOT = Path(__file__).resolve().parents[1]


def meetings() -> list[tuple[str, Path, Path, Path | None]]:
    """(name, audio, reference RTTM, roster or None)."""
    import pyannote.audio

    out = [("example", ROOT / "examples/network-meeting/network-meeting.flac",
            ROOT / "examples/network-meeting/reference.rttm",
            ROOT / "examples/network-meeting/roster.toml")]
    for folder in sorted(p for p in (ROOT / "examples/devset").iterdir() if p.is_dir()):
        out.append((folder.name, folder / f"{folder.name}.flac", folder / "reference.rttm",
                    folder / "roster.toml"))
    sample = Path(pyannote.audio.__file__).parent / "sample"
    out.append(("pyannote sample", sample / "sample.wav", sample / "sample.rttm", None))
    shared = Path(os.environ.get("POLYPHONY_SHARED_DATA", ROOT.parent / "shared" / "data"))
    for wav in sorted((shared / "ami-audio").glob("*.wav")):
        out.append((f"AMI {wav.stem}", wav, wav.with_suffix(".rttm"), None))
    return out


def enrolment_roster(reference: Path, roster: Path | None, folder: Path) -> Path:
    """The meeting's roster (or one from the reference's speakers) with each person's first
    utterance of at least 2 s as their voice."""
    ref = read(reference)
    first: dict[str, tuple[float, float]] = {}
    for u in ref.utterances:
        if u.end - u.start >= enrol.MIN_SAMPLE and u.speaker not in first:
            first[u.speaker] = (u.start, u.end)
    roles = ({p.id: p.role for p in load(roster).participants} if roster
             else dict.fromkeys(ref.speakers, "other"))
    rows = []
    for pid, role in roles.items():
        row = f'[[participant]]\nid = "{pid}"\nrole = "{role}"\n'
        if pid in first:
            row += f'voice = "{first[pid][0]:.2f}-{first[pid][1]:.2f}"\n'
        rows.append(row)
    path = folder / f"{reference.parent.name}-{reference.stem}-roster.toml"
    path.write_text("\n".join(rows))
    return path


def judge(conv, reference) -> dict[str, str]:
    """Each speaker of `conv` as the reference speaker it overlaps most."""
    overlap: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for u in conv.utterances:
        for r in reference.utterances:
            d = min(u.end, r.end) - max(u.start, r.start)
            if d > 0:
                overlap[u.speaker][r.speaker] += d
    return {s: max(o, key=o.get) for s, o in overlap.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=enrol.THRESHOLD)
    args = parser.parse_args()
    right, wrong = [], []
    assigned: list[tuple[float, bool]] = []  # each pair the assignment made: similarity, right
    print(f"{'meeting':18} {'people':>6} {'named':>5} {'right':>5}  similarities (right pair "
          "first; * = wrong pair)")
    with tempfile.TemporaryDirectory() as tmp:
        for name, audio, reference, roster in meetings():
            ref = read(reference)
            roster_path = enrolment_roster(reference, roster, Path(tmp))
            analysis = analyze(audio, roster=load(roster_path), check_consent=False,
                               settings=Settings())
            conv = analysis.conversation
            matches = conv.provenance.enrolment.get("matches", [])
            if not matches:
                print(f"{name:18} no person has an utterance of {enrol.MIN_SAMPLE:g} s or "
                      "more to enrol")
                continue
            truth = judge(conv, ref)
            named = correct = 0
            cells = []
            for m in matches:
                speaker = m["participant"] if m["named"] else m["voice"]
                is_right = truth.get(speaker) == m["participant"]
                named += m["similarity"] >= args.threshold
                correct += is_right and m["similarity"] >= args.threshold
                (right if is_right else wrong).append(m["similarity"])
                assigned.append((m["similarity"], is_right))
                cells.append(f"{m['participant']}={m['similarity']:.2f}"
                             + ("" if is_right else "*"))
                for other, value in m["similarities"].items():
                    if other != m["participant"] and truth.get(speaker) != other:
                        wrong.append(value)
            from polyphony import evaluate

            der = evaluate.der(ref, conv, collar=0.25)
            print(f"{name:18} {len(matches):>6} {named:>5} {correct:>5}  DER {der:6.1%}  "
                  f"{' '.join(cells)}")
    print(f"\nright pairs: min {min(right):.2f}, mean {sum(right) / len(right):.2f}, "
          f"n {len(right)}")
    if wrong:
        print(f"wrong pairs: max {max(wrong):.2f}, mean {sum(wrong) / len(wrong):.2f}, "
              f"n {len(wrong)}")
    print("\nthreshold  right pairs named  wrong pairs named (of the pairs assigned)")
    for threshold in (0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8):
        ok = sum(1 for v, good in assigned if good and v >= threshold)
        bad = sum(1 for v, good in assigned if not good and v >= threshold)
        print(f"{threshold:9.2f}  {ok:>4} of {sum(g for _, g in assigned):<4}       "
              f"{bad:>4} of {sum(not g for _, g in assigned)}")


if __name__ == "__main__":
    main()
