"""Make PyPI's torchaudio import as pure Python beside the CPU build of torch.

Why: PyPI's torchaudio wheels are built against PyPI's CUDA torch, and their C extension
cannot load beside the CPU torch 2.13.0 that this machine carries (a 5 GB smaller install).
pyannote.audio uses only torchaudio's pure-Python parts (Kaldi fbank, resampling, MFCC),
which work once the extension is absent. tests/test_install.py checks that they do.
A GPU install uses the matching CUDA torch and torchaudio instead (see README).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def main() -> int:
    spec = importlib.util.find_spec("torchaudio")
    if spec is None or spec.origin is None:
        print("torchaudio is not installed", file=sys.stderr)
        return 1
    lib = Path(spec.origin).parent / "lib"
    removed = [p for p in lib.glob("*.so") if p.is_file()]
    for p in removed:
        p.unlink()
    print(f"torchaudio: removed {len(removed)} C extension(s) from {lib}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
