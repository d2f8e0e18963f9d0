"""Re-segmentation: segments move to the nearest centroid, no speaker is emptied, a merged
voice is split when the count asks for more, and exclusive turns follow their labels."""

from __future__ import annotations

import numpy as np

from polyphony.audio.attribute import Turn
from polyphony.audio.decode import Waveform
from polyphony.audio.diarize import Diarization, refine
from polyphony.audio.resegment import follow, most_voices, reassign, segment_vectors


def each(embed_one):
    """A one-clip test embedder as the list `Embedder` re-segmentation takes."""
    return lambda clips: [embed_one(x) for x in clips]

def test_refine_moves_a_misassigned_segment_but_never_empties_a_speaker():
    # Each segment's "voice" is the constant value of its samples; the embedder turns it
    # into a direction, so voices 1 and 2 are orthogonal.
    rate = 100
    samples = np.zeros(20 * rate, np.float32)
    voices = [(0, 4, 1), (4, 8, 2), (8, 12, 1), (12, 16, 2), (16, 16.3, 2), (17, 19, 3)]
    for start, end, voice in voices:
        samples[int(start * rate):int(end * rate)] = voice
    labels = ["A", "B", "B", "B", "A", "C"]  # segment 3 (voice 1) wrongly in B
    turns = tuple(Turn(s, e, lab) for (s, e, _), lab in zip(voices, labels, strict=True))

    @each
    def embed(x):
        v = np.zeros(4)
        v[round(float(np.median(x)))] = 1.0
        return v

    out = refine(Waveform(samples, rate), Diarization(turns, turns), embed)
    assert [t.speaker for t in out.overlap_aware] == ["A", "B", "A", "B", "A", "C"]
    # the 0.3 s segment kept its label; the lone voice-3 speaker C was kept
    assert [t.speaker for t in out.exclusive] == [t.speaker for t in out.overlap_aware]


def test_refine_splits_a_merged_voice_when_the_count_asks_for_more():
    rate = 100
    samples = np.zeros(12 * rate, np.float32)
    voices = [(0, 2, 1), (2, 4, 2), (4, 6, 1), (6, 8, 2), (8, 10, 1)]
    for start, end, voice in voices:
        samples[int(start * rate):int(end * rate)] = voice
    merged = tuple(Turn(s, e, "A") for s, e, _ in voices)  # clustering found one speaker

    @each
    def embed(x):
        v = np.full(3, 0.05)
        v[round(float(np.median(x)))] = 1.0
        return v / np.linalg.norm(v)

    out = refine(Waveform(samples, rate), Diarization(merged, merged), embed, at_least=2)
    by_voice = {}
    for (_, _, voice), turn in zip(voices, out.overlap_aware, strict=True):
        by_voice.setdefault(voice, set()).add(turn.speaker)
    assert len(by_voice[1]) == len(by_voice[2]) == 1 and by_voice[1] != by_voice[2]
    assert out.splits == (("A", "SPEAKER_01"),)  # recorded, for the report's flag
    assert out.relabel({"A": "S1", "SPEAKER_01": "S2"}).splits == (("S1", "S2"),)
    unchanged = refine(Waveform(samples, rate), Diarization(merged, merged), embed)
    assert {t.speaker for t in unchanged.overlap_aware} == {"A"}
    assert unchanged.splits == ()


def test_most_voices_is_what_splitting_can_reach():
    turns = [Turn(0, 2, "A"), Turn(3, 4, "A"), Turn(5, 5.2, "A"),  # two long enough
             Turn(6, 9, "B"),  # one: B cannot be split
             Turn(9, 9.3, "C")]  # none: C stays one voice
    assert most_voices(turns) == 2 + 1 + 1
    rng = np.random.default_rng(0)
    vectors = {i: v / np.linalg.norm(v) for i, v in enumerate(rng.normal(size=(5, 8)))
               if turns[i].end - turns[i].start >= 0.5}
    split = reassign(turns, vectors, at_least=6)  # asked for more than it can reach
    assert len({t.speaker for t in split.turns}) == most_voices(turns)


def test_splitting_reaches_every_voice_it_can_and_keeps_them():
    # Random small cases: moving turns must never empty a speaker that a split made, even
    # when restoring one speaker's turns empties another (2-D vectors make that likely)
    rng = np.random.default_rng(7)
    for _ in range(3000):
        labels = rng.choice(["S0", "S1", "S2"], size=6)
        turns = [Turn(2 * i, 2 * i + 1, str(k)) for i, k in enumerate(labels)]
        vectors = {i: v / np.linalg.norm(v) for i, v in enumerate(rng.normal(size=(6, 2)))}
        out = reassign(turns, vectors, at_least=4)
        voices = {t.speaker for t in out.turns}
        assert len(voices) == min(4, most_voices(turns)), (labels, vectors)


def test_segment_vectors_take_only_the_turns_starting_in_the_block():
    block = Waveform(np.arange(1000, dtype=np.float32), 100, offset=5.0)  # 5 s to 15 s
    turns = [Turn(4.0, 6.0, "A"), Turn(5.0, 7.0, "A"), Turn(8.0, 8.3, "B"),
             Turn(14.0, 16.0, "B"), Turn(15.0, 17.0, "A")]
    seen = {}

    @each
    def embed(x):
        seen[len(seen)] = (float(x[0]), len(x))
        return np.ones(2) / np.sqrt(2)

    vectors = segment_vectors(block, turns, embed)
    assert sorted(vectors) == [1, 3]  # 0 starts before, 2 too short, 4 starts after
    assert seen == {0: (0.0, 200), 1: (900.0, 100)}  # cut at the block's end


def test_follow_matches_a_brute_force_search():
    rng = np.random.default_rng(7)
    before = []
    for speaker in "ABC":
        t = 0.0
        for _ in range(200):
            t += rng.uniform(0.1, 3.0)
            end = t + rng.uniform(0.2, 4.0)
            before.append(Turn(t, end, speaker))
            t = end
    after = [Turn(b.start, b.end, b.speaker + str(rng.integers(3))) for b in before]
    exclusive = [Turn(s, s + rng.uniform(0.1, 2.0), str(rng.choice(list("ABCD"))))
                 for s in np.sort(rng.uniform(0, 400, 500))]

    def brute(seg):
        best, label = 0.0, seg.speaker
        for old, new in zip(before, after, strict=True):
            cover = min(old.end, seg.end) - max(old.start, seg.start)
            if old.speaker == seg.speaker and cover > best:
                best, label = cover, new.speaker
        return label

    assert [t.speaker for t in follow(exclusive, before, after)] == [
        brute(seg) for seg in exclusive]


def test_a_segment_never_moves_to_a_speaker_talking_at_the_same_time():
    # B's 0.8 s backchannel lies inside A's turn, so its audio sounds like A; it must not
    # become A's (A would then overlap A), and stays B's.
    rate = 100
    samples = np.zeros(12 * rate, np.float32)
    samples[:6 * rate] = 1  # A's voice, backchannel included
    samples[7 * rate:11 * rate] = 2  # B's voice
    turns = (Turn(0.0, 6.0, "A"), Turn(2.0, 2.8, "B"), Turn(7.0, 11.0, "B"))

    @each
    def embed(x):
        v = np.zeros(3)
        v[round(float(np.median(x)))] = 1.0
        return v

    out = refine(Waveform(samples, rate), Diarization(turns, turns), embed)
    assert [t.speaker for t in out.overlap_aware] == ["A", "B", "B"]


def test_two_overlapping_turns_do_not_both_move_to_one_speaker():
    rate = 100
    samples = np.zeros(20 * rate, np.float32)
    samples[:4 * rate] = 3  # both overlapping turns sound like C
    samples[5 * rate:9 * rate] = 1
    samples[10 * rate:14 * rate] = 3
    samples[15 * rate:19 * rate] = 2
    turns = (Turn(0.0, 4.0, "A"), Turn(1.0, 3.0, "B"), Turn(10.0, 14.0, "C"),
             Turn(5.0, 9.0, "A"), Turn(15.0, 19.0, "B"))

    @each
    def embed(x):
        v = np.zeros(4)
        v[round(float(np.median(x)))] = 1.0
        return v

    out = refine(Waveform(samples, rate), Diarization(turns, turns), embed)
    assert [t.speaker for t in out.overlap_aware] == ["A", "B", "C", "A", "B"]
