# The README's two commands: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
EXAMPLE := examples/network-meeting

.PHONY: install demo test lint bench example clean

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

test: install
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/diarization_accuracy.py
	$(BIN)/python benchmarks/metrics_throughput.py
	$(BIN)/python benchmarks/calibrate_language.py

# Regenerating the example needs the TTS voices (a separate venv) and Debian's espeak-ng
# and sox; the generated audio is committed, so `make demo` needs none of this.
example:
	test -x .venv-tts/bin/python || $(PYTHON) -m venv .venv-tts
	.venv-tts/bin/pip install --quiet -r examples/requirements-tts.txt
	.venv-tts/bin/python examples/make_example.py $(EXAMPLE) examples/devset/*/

clean:
	rm -rf $(VENV) out
