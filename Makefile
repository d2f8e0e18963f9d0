# The README's two commands: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
EXAMPLE := examples/network-meeting

.PHONY: install system-deps demo test test-fast validate bench example clean

# CPU torch 2.13.0 comes from this machine's disk; everything else is pinned in
# requirements/lock.txt and installed without resolution, so every install is identical.
$(VENV)/.installed: requirements/lock.txt pyproject.toml requirements/pure_python_torchaudio.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet --no-deps -r requirements/lock.txt
	$(BIN)/python requirements/pure_python_torchaudio.py
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/polyphony analyze $(EXAMPLE)/network-meeting.flac \
		--roster $(EXAMPLE)/roster.toml --out out/demo --force

# Debian's strace, for the tests that watch every connect() from outside the process, and
# Chromium, for the browser tests and PDF reports.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
system-deps:
	@{ command -v strace && command -v chromium; } >/dev/null || { \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq \
		--no-install-recommends strace chromium >/dev/null; }

test: install system-deps
	$(BIN)/ruff check src tests validation benchmarks examples
	$(BIN)/python -m pytest

# The tests that load no model: seconds, for the edit-test loop.
test-fast: install
	$(BIN)/python -m pytest -m "not models"

# Sweeps over the big real data sets in ../shared/data (or $$POLYPHONY_SHARED_DATA), which a
# user's clone does not have: every AMI and VoxConverse RTTM, all of AnnoMI.
validate: install
	$(BIN)/python -m pytest validation

# pipeline_speed runs every peer on a 10- and a 60-minute meeting: over an hour on 2 cores
# (`--minutes 10` for a quarter of that); the table goes to out/bench/pipeline_speed.md
# (benchmarks/results/pipeline_speed.md is the record docs/performance.md quotes).
bench: install
	$(BIN)/python benchmarks/pipeline_speed.py
	$(BIN)/python benchmarks/diarization_accuracy.py
	$(BIN)/python benchmarks/metrics_throughput.py
	$(BIN)/python benchmarks/calibrate_language.py
	$(BIN)/python benchmarks/batch_throughput.py

# Regenerating the example needs the TTS voices (a separate venv) and Debian's espeak-ng
# and sox; the generated audio is committed, so `make demo` needs none of this.
example:
	test -x .venv-tts/bin/python || $(PYTHON) -m venv .venv-tts
	.venv-tts/bin/pip install --quiet -r examples/requirements-tts.txt
	.venv-tts/bin/python examples/make_example.py $(EXAMPLE) examples/devset/*/

clean:
	rm -rf $(VENV) out
