"""`ask --llm`, `chat --llm` and `doctor` from the command line, against local fake LLM servers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import NO_LLM, app
from bot.config import get_settings
from bot.library import Library
from tests.conftest import SEED
from tests.llm_servers import FakeLLM, fails, quoting, speaks

SAYS = quoting("The essay puts it plainly: {quote}. {question}")


@pytest.fixture
def env(library_factory: Callable[..., Library], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
        ) -> Iterator[pytest.MonkeyPatch]:
    """A built seed library and a fresh database, with the environment pointing the CLI at them (no .env)."""
    library = library_factory()
    monkeypatch.chdir(tmp_path)  # away from any .env of the project
    monkeypatch.setenv("CORPUS_DIR", str(library.corpus.directory))
    monkeypatch.setenv("INDEX_DIR", str(library.index_dir))
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "data" / "tutor.sqlite3"))
    for name in ("LLM_BASE_URL", "LLM_MODEL", "LLM_API_KEY", "LLM_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def use_llm(env: pytest.MonkeyPatch, server: FakeLLM) -> None:
    env.setenv("LLM_BASE_URL", server.url)
    env.setenv("LLM_MODEL", "fake-model")
    env.setenv("LLM_TIMEOUT", "2")
    get_settings.cache_clear()


def test_llm_flag_needs_the_settings(env: pytest.MonkeyPatch) -> None:
    for command in (["ask", "hello", "--llm"], ["chat", "--llm", "--json"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 1
        assert result.output.strip() == f"error: {NO_LLM}"


def test_ask_and_chat_with_llm_keep_the_json_contract(env: pytest.MonkeyPatch) -> None:
    corpus = SEED.read_text(encoding="utf-8")
    with FakeLLM(speaks(SAYS)) as server:
        use_llm(env, server)
        asked = CliRunner().invoke(app, ["ask", "Why does Mark's innie stay at Lumon?", "--json", "--llm"])
        chatted = CliRunner().invoke(app, ["chat", "--json", "--llm"], input="I agree with it.\nidk\n")
        plain = CliRunner().invoke(app, ["ask", "Why does Mark's innie stay at Lumon?", "--json"])
    assert asked.exit_code == 0 and chatted.exit_code == 0, asked.output + chatted.output
    replies = [json.loads(line) for line in (asked.stdout + chatted.stdout).splitlines()]
    assert len(replies) == 3 and len(server.requests) == 3  # without --llm the server is not asked
    for reply in replies:
        assert set(reply) == {"reply", "answer", "question", "move", "stance", "quotes", "essay"}
        assert reply["answer"].startswith("The essay puts it plainly: “")
        assert reply["quotes"] and all(q["text"] in corpus and q["text"] in reply["answer"] for q in reply["quotes"])
    assert not json.loads(plain.stdout)["answer"].startswith("The essay puts it plainly")


def test_doctor_reports_ready(env: pytest.MonkeyPatch) -> None:
    with FakeLLM(speaks(lambda body: "ready")) as server:
        use_llm(env, server)
        result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:6]] == ["ok   index", "ok   corpus", "ok   embedding model",
                                                          "ok   database", "ok   LLM voice", "ok   discord"]
    assert "1 essays, 4 passages" in lines[0] and "fake-model at" in lines[4] and "'ready'" in lines[4]
    assert "1 essays in" in lines[1] and "all indexed" in lines[1]
    assert lines[-1] == "ready"
    assert server.requests[0]["max_tokens"] == 8


def test_doctor_without_llm_is_fine_and_says_so(env: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "ok   LLM voice: off" in result.stdout


def test_doctor_says_what_to_fix(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    env.setenv("INDEX_DIR", str(tmp_path / "no-index"))
    env.setenv("DATABASE_PATH", str(blocker / "tutor.sqlite3"))
    with FakeLLM(fails(500)) as server:
        use_llm(env, server)
        result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 1
    out = result.stdout
    assert "FAIL index: no index in" in out and "fix: build it with `python -m bot index build`" in out
    assert "FAIL database: cannot write" in out and "fix: make DATABASE_PATH's folder writable" in out
    assert "FAIL LLM voice: HTTP 500" in out and "fix: is the server running at" in out
    assert "ok   embedding model" in out and "ready" not in out.splitlines()[-1]


def test_doctor_catches_half_an_llm_configuration_and_bad_settings(env: pytest.MonkeyPatch) -> None:
    env.setenv("LLM_MODEL", "llama3.2")
    get_settings.cache_clear()
    half = CliRunner().invoke(app, ["doctor"])
    assert half.exit_code == 1 and "FAIL LLM voice: LLM_BASE_URL is not set" in half.stdout
    env.setenv("LLM_TIMEOUT", "soon")
    get_settings.cache_clear()
    bad = CliRunner().invoke(app, ["doctor"])
    assert bad.exit_code == 1 and "error: setting LLM_TIMEOUT:" in bad.output and "Traceback" not in bad.output
