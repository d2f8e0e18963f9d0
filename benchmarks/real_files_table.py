"""What polyphony reads from every real file in tests/data: speakers, utterances and speech
time, or the error, one markdown row per file.

Run it against another version to compare readers, e.g. the code before issue 10:
    git worktree add /tmp/before 6b19007
    PYTHONPATH=/tmp/before/src .venv/bin/python benchmarks/real_files_table.py
    .venv/bin/python benchmarks/real_files_table.py
(the script reads the files of this checkout whichever `polyphony` is imported).
"""

from __future__ import annotations

from pathlib import Path

from polyphony.errors import PolyphonyError
from polyphony.formats import read

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def row(path: Path) -> str:
    name = path.relative_to(DATA)
    try:
        conv = read(path)
    except PolyphonyError as error:
        return f"| {name} | refused: {error.problem} | | |"
    except Exception as error:  # the point of the table: an old reader's crash is a row
        return f"| {name} | crash: {type(error).__name__} | | |"
    speech = sum(u.duration for u in conv.utterances)
    return (f"| {name} | {len(conv.speakers)} ({', '.join(sorted(conv.speakers)[:4])}"
            f"{', ...' if len(conv.speakers) > 4 else ''}) | {len(conv.utterances)} "
            f"| {speech:.1f} |")


def main() -> None:
    print("| file | speakers | utterances | speech (s) |\n|---|---|---|---|")
    for path in sorted(DATA.rglob("*")):
        if path.is_file() and path.name != "README.md" and path.suffix.lower() != ".uem":
            print(row(path))


if __name__ == "__main__":
    main()
