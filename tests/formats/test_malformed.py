"""A malformed file of each format is one error naming the file, the line, and the column
or field where the format has them, and what the format expects."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from polyphony.cli import main

CASES = [
    ("bad.rttm", "SPEAKER a 1 0.0 x <NA> <NA> A <NA> <NA>\n",
     "line 1, field 5 (duration) is 'x', not a number of seconds"),
    ("short.rttm", "SPEAKER a 1 0.0\n", "line 1 has 4 fields, fewer than the 8"),
    ("bad.stm", "rec 1 A 0.0 zz hello\n", "line 1, field 5 (end) is 'zz'"),
    ("bad.vtt", "WEBVTT\n\n00:00:01.000 --> 00:0x:02.000\n<v A>hi\n",
     "line 3 has a malformed timing"),
    ("bad.eaf", '<?xml version="1.0"?>\n<ANNOTATION_DOCUMENT>\n<TIME_ORDER>\n'
                "</ANNOTATION_DOCUMENT>", "is not well-formed XML (line 4, column"),
    ("bad.TextGrid", 'File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = 0\n'
                     "xmax = abc\n", "expected xmax after line 4"),
    ("bad.json", '{"segments": [{"start": 0, "end": 1, "text": "hi",}]}\n',
     "at line 1, column 51"),
    ("bad.srt", "1\n00:00:01,000 --> 00:00:0x,000\nhi\n", "line 2 has a malformed timing"),
]


@pytest.mark.parametrize(("name", "text", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_malformed_file_names_where(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["metrics", str(path)])
    assert result.exit_code == 1
    assert message in result.stderr, result.stderr
    assert str(path) in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
