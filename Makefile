# Two commands matter: `make chat` (set up, build the index, talk to the tutor) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install index chat search test eval lint bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The CPU build of torch first: an unpinned torch would pull gigabytes of CUDA packages.
	$(PY) -m pip install --quiet torch==2.13.0
	# llama.cpp (for the real-LLM tests) compiles here: for the common x86 instruction set, not this machine's own
	# (a native build on a CPU with AMX segfaults on its first token), and never from a natively built cached wheel.
	CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
		$(PY) -m pip install --quiet --no-cache-dir -c constraints.txt 'llama-cpp-python[server]'
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

index: install
	$(PY) -m bot index build

chat: index
	$(PY) -m bot chat

search: index
	$(PY) -m bot search

test: install
	$(PY) -m pytest -q

eval: install
	$(PY) -m benchmarks.retrieval

bench: install
	$(PY) -m benchmarks.speed

lint: install
	$(VENV)/bin/ruff check bot tests benchmarks

clean:
	rm -rf $(VENV) index/builds index/CURRENT index/embeddings.sqlite* index/models .pytest_cache
