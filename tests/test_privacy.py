"""Nothing leaves the machine, traced from outside the process.

A Python socket guard (tests/conftest.py) cannot see native code: ONNX Runtime's telemetry
is sent by a C++ thread about 30 s after the library loads (docs/privacy.md). So each
command runs under `strace -f -e trace=connect`, which sees every thread's connect() call,
and the test fails on any that is not a local (Unix) socket or loopback, and on any name
lookup (a connect to port 53), which is how a send to the outside begins even on a machine
with no route out. glibc also asks nscd's Unix socket about users (`getpwuid`), so that is
not counted; where nscd runs and caches host names, a lookup would go there first (none
runs on the machines these tests run on: the resolver is asked directly).

strace comes from Debian (`make test` installs it where it is missing).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, ROOT, write_consent
from tests.helpers import results_folder

STRACE = shutil.which("strace")
LINGER = 65.0  # seconds a traced analysis stays alive: ONNX Runtime sends after about 30
# An interrupted call is printed as `connect(5, {...}, 16 <unfinished ...>`: match the
# address alone.
_CONNECT = re.compile(r"connect\(\d+, \{sa_family=(?P<family>AF_\w+)(?P<rest>[^}]*)\}")
_PORT = re.compile(r"sin6?_port=htons\((\d+)\)")
_ADDRESS = re.compile(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"')
_LOCAL = re.compile(r"^(127\.|::1$|::ffff:127\.)")


def outside_connections(trace: str) -> list[str]:
    """The connect() calls in a strace log that reach for anything beyond this machine."""
    found = []
    for match in _CONNECT.finditer(trace):
        family, rest = match["family"], match["rest"]
        if family not in ("AF_INET", "AF_INET6"):
            continue
        port = _PORT.search(rest)
        address = _ADDRESS.search(rest)
        host = address and (address[1] or address[2])
        if (port and port[1] == "53") or not host or not _LOCAL.match(host):
            found.append(match[0])
    return found


def traced(tmp_path: Path, *command: str, linger: float = 0.0,
           env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, str]:
    """Run `python -m polyphony COMMAND...` under strace, kept alive for at least `linger`
    seconds, and return the run and its trace."""
    assert STRACE, "strace is missing: `apt-get install strace` (make test does this)"
    script = textwrap.dedent(f"""
        import sys, time
        started = time.monotonic()
        from polyphony.cli import main
        try:
            main({list(command)!r})
        except SystemExit as done:
            code = done.code
        time.sleep(max(0.0, {linger} - (time.monotonic() - started)))
        sys.exit(code)
    """)
    log = tmp_path / "connect.trace"
    run = subprocess.run([STRACE, "-f", "-qq", "-e", "trace=connect", "-o", str(log),
                          sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=900, env={**os.environ, **(env or {})})
    return run, log.read_text()


def test_the_tracer_sees_a_lookup_made_from_native_code(tmp_path):
    """The detector works: glibc's resolver, called from C, is caught."""
    log = tmp_path / "lookup.trace"
    subprocess.run([STRACE, "-f", "-qq", "-e", "trace=connect", "-o", str(log),
                    sys.executable, "-c",
                    "import socket\ntry: socket.getaddrinfo('example.org', 443)\n"
                    "except OSError: pass"], check=True, timeout=60)
    assert outside_connections(log.read_text())
    assert not outside_connections('connect(3, {sa_family=AF_UNIX, sun_path="/x"}, 110) = 0\n'
                                   'connect(4, {sa_family=AF_INET, sin_port=htons(8000), '
                                   'sin_addr=inet_addr("127.0.0.1")}, 16) = 0\n')
    assert outside_connections('7 connect(5, {sa_family=AF_INET, sin_port=htons(443), '
                               'sin_addr=inet_addr("10.0.0.9")}, 16 <unfinished ...>\n')


@pytest.mark.models
def test_analyze_makes_no_connection_even_when_the_environment_asks_for_telemetry(tmp_path):
    """The example meeting, kept alive past ONNX Runtime's delayed send, with the user's
    environment turning every telemetry switch on."""
    user = {"ORT_DISABLE_TELEMETRY": "0", "PYANNOTE_METRICS_ENABLED": "1",
            "HF_HUB_OFFLINE": "0", "HF_HUB_DISABLE_TELEMETRY": "0", "DO_NOT_TRACK": "0"}
    run, trace = traced(tmp_path, "analyze", str(EXAMPLE / "network-meeting.flac"),
                        "--roster", str(EXAMPLE / "roster.toml"), "--out",
                        str(tmp_path / "out"), "--quiet", linger=LINGER, env=user)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "network-meeting" / "report.html").is_file()
    assert outside_connections(trace) == []


def test_pyannote_telemetry_stays_off_when_the_environment_turns_it_on():
    """pyannote.audio 4 sends each file's duration and speaker counts to its makers unless
    PYANNOTE_METRICS_ENABLED says otherwise; a user's `=1` must not turn that on."""
    code = ("import polyphony, pyannote.audio\n"
            "from pyannote.audio.telemetry.metrics import is_metrics_enabled\n"
            "print(is_metrics_enabled())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYANNOTE_METRICS_ENABLED": "1"})
    assert out.stdout.split()[-1] == "False"


@pytest.mark.models
def test_metrics_report_and_purge_make_no_connection(tmp_path):
    """`metrics` on a transcript with text loads the language models."""
    vtt = ROOT / "tests" / "data"
    text_file = next(iter(sorted(vtt.rglob("*.vtt"))))
    manifest = write_consent(tmp_path, "m.flac")
    folder = results_folder(tmp_path / "out", "m", manifest)
    for command in (("metrics", str(text_file), "-o", str(tmp_path / "m.json")),
                    ("report", str(folder), "--redact"),
                    ("purge", str(tmp_path / "out"), "--dry-run")):
        run, trace = traced(tmp_path, *command)
        assert run.returncode == 0, (command, run.stderr)
        assert outside_connections(trace) == [], command


@pytest.mark.models
def test_a_batch_on_a_local_ray_and_its_tables_make_no_connection(tmp_path):
    """`batch --executor ray` starts a local Ray (its GCS, raylet and actor processes are
    traced too): everything it connects to is on this machine."""
    import soundfile as sf

    from polyphony.audio.decode import decode

    folder = tmp_path / "in"
    folder.mkdir()
    speech = decode(EXAMPLE / "network-meeting.flac").samples
    sf.write(folder / "clip.flac", speech[:16000 * 10], 16000)
    write_consent(folder, "clip.flac")
    for command in (("batch", str(folder), "--out", str(tmp_path / "out"), "--executor",
                     "ray", "--quiet"),
                    ("export", str(tmp_path / "out"), "--format", "parquet")):
        run, trace = traced(tmp_path, *command)
        assert run.returncode == 0, (command, run.stderr)
        assert outside_connections(trace) == [], command
    assert (tmp_path / "out" / "clip.flac" / "report.html").is_file()
