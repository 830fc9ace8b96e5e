"""The command line, held to DESIGN.md's contracts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import get_settings
from bot.library import Library
from bot.state import ConversationStore
from tests.conftest import ROOT, SECOND_ESSAY

HIT_KEYS = {"essay", "title", "section", "text", "score"}


@pytest.fixture
def cli_env(library_factory: Callable[..., Library], monkeypatch: pytest.MonkeyPatch) -> Library:
    """A built seed library, with the environment pointing the CLI at it."""
    library = library_factory()
    monkeypatch.setenv("CORPUS_DIR", str(library.corpus.directory))
    monkeypatch.setenv("INDEX_DIR", str(library.index_dir))
    get_settings.cache_clear()
    yield library
    get_settings.cache_clear()


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


def assert_hit_contract(obj: dict, query: str, k: int) -> None:
    assert set(obj) == {"query", "hits"} and obj["query"] == query
    assert len(obj["hits"]) <= k
    for hit in obj["hits"]:
        assert set(hit) == HIT_KEYS
        assert isinstance(hit["essay"], str) and isinstance(hit["title"], str) and isinstance(hit["text"], str)
        assert hit["section"] is None or isinstance(hit["section"], str)
        assert isinstance(hit["score"], float)
    scores = [hit["score"] for hit in obj["hits"]]
    assert scores == sorted(scores, reverse=True)


def test_search_json_single_and_stdin_modes(cli_env: Library) -> None:
    single = run("search", "why does the innie stay inside Lumon", "-k", "2", "--json")
    assert single.returncode == 0, single.stderr
    [line] = single.stdout.splitlines()
    obj = json.loads(line)
    assert_hit_contract(obj, "why does the innie stay inside Lumon", 2)
    assert len(obj["hits"]) == 2
    assert "Mark’s innie chooses to stay inside Lumon" in obj["hits"][0]["text"]

    queries = ["who is the real villain", "", "leave your baggage at the door"]
    batch = run("search", "--json", "-k", "3", stdin="\n".join(queries) + "\n")
    assert batch.returncode == 0, batch.stderr
    objects = [json.loads(line) for line in batch.stdout.splitlines()]
    assert [o["query"] for o in objects] == queries  # one object per input line, in order
    for obj, query in zip(objects, queries, strict=True):
        assert_hit_contract(obj, query, 3)
    assert objects[1]["hits"] == []
    assert "the real villain is not Mark" in objects[0]["hits"][0]["text"]
    assert "“leave your baggage at the door”" in objects[2]["hits"][0]["text"]


def test_search_without_index_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INDEX_DIR", str(tmp_path / "nothing"))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["search", "anything", "--json"])
    get_settings.cache_clear()
    assert result.exit_code == 1
    assert "no index" in result.output and "python -m bot index build" in result.output
    assert "Traceback" not in result.output


def test_index_add_list_remove(cli_env: Library, tmp_path: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(app, ["index", "add", str(SECOND_ESSAY)])
    assert added.exit_code == 0, added.output
    assert "added eternal-sunshine.md as 'eternal-sunshine'" in added.output

    listed = runner.invoke(app, ["index", "list", "--json"])
    essays = json.loads(listed.stdout)
    assert [e["essay"] for e in essays] == ["eternal-sunshine", "severance"]  # corpus order: by file name
    assert {e["essay"]: e["passages"] for e in essays}["severance"] == 4

    hits = runner.invoke(app, ["search", "Joel and Clementine erase their memories", "--json", "-k", "1"])
    assert json.loads(hits.stdout)["hits"][0]["essay"] == "eternal-sunshine"

    removed = runner.invoke(app, ["index", "remove", "eternal-sunshine"])
    assert removed.exit_code == 0, removed.output
    listed = runner.invoke(app, ["index", "list", "--json"])
    assert [e["essay"] for e in json.loads(listed.stdout)] == ["severance"]


def test_index_add_rejection_exits_nonzero_with_one_line(cli_env: Library, tmp_path: Path) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    result = CliRunner().invoke(app, ["index", "add", str(bad)])
    assert result.exit_code == 1
    assert result.output.strip() == "error: empty.txt: the file is empty"
    assert not (cli_env.corpus.directory / "empty.txt").exists()


def test_eval_retrieval_prints_all_modes(cli_env: Library, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"question": "who bears the burden of moving on?", "gold": "who bears the burden",
                                 "kind": "direct"}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "retrieval", str(cases), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert set(metrics) == {"dense", "bm25", "hybrid"}
    assert metrics["hybrid"]["all"]["recall@1"] == 1.0


def test_eval_retrieval_takes_gold_as_a_string_or_a_list(cli_env: Library, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    lines = [{"question": "who bears the burden of moving on?", "gold": "who bears the burden"},
             {"question": "who bears the burden of moving on?", "gold": ["not in any essay", "who bears the burden"],
              "essay": ["eternal-sunshine", "severance"], "kind": "compare"},
             {"question": "who bears the burden of moving on?", "gold": "who bears the burden", "essay": "memento"}]
    cases.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "retrieval", str(cases), "--json"])
    assert result.exit_code == 0, result.output
    hybrid = json.loads(result.stdout)["hybrid"]
    assert hybrid["compare"]["recall@3"] == 1.0  # either gold of a list counts
    assert hybrid["all"]["n"] == 3 and hybrid["all"]["recall@5"] == 2 / 3  # the third names the wrong essay

    cases.write_text(json.dumps({"question": "q", "gold": []}) + "\n", encoding="utf-8")
    bad = CliRunner().invoke(app, ["eval", "retrieval", str(cases)])
    assert bad.exit_code == 1 and "cases.jsonl:1" in bad.output and "gold" in bad.output


def test_help_everywhere() -> None:
    runner = CliRunner()
    for command in ([], ["index"], ["index", "build"], ["index", "add"], ["index", "list"], ["index", "remove"],
                    ["search"], ["eval", "retrieval"], ["ask"], ["chat"], ["thesis"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, command


REPLY_KEYS = {"reply", "answer", "question", "move", "stance", "quotes", "essay"}
MOVES = {"clarification", "assumptions", "evidence", "viewpoints", "implications", "meta"}
STANCES = {"agree", "disagree", "question", "offtopic"}


def assert_reply_contract(obj: dict) -> None:
    assert set(obj) == REPLY_KEYS
    assert obj["move"] in MOVES and obj["stance"] in STANCES
    assert obj["question"] in obj["reply"] and obj["answer"] in obj["reply"]
    for quote in obj["quotes"]:
        assert set(quote) == {"essay", "section", "text"}
        assert quote["text"] in obj["reply"]


def test_ask_and_chat_json_contracts(cli_env: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "chat.sqlite3"))
    single = run("ask", "Why does Mark's innie stay at Lumon?", "--json")
    assert single.returncode == 0, single.stderr
    [line] = single.stdout.splitlines()
    assert_reply_contract(json.loads(line))

    batch = run("ask", "--json", stdin="I agree with the essay.\nI agree with the essay.\n")
    first, second = (json.loads(line) for line in batch.stdout.splitlines())
    assert_reply_contract(first)
    assert first["question"] == second["question"]  # separate one-turn conversations: no shared memory

    messages = ["What is the essay's thesis?", "I agree with it.", "idk", "Nah, the outie is the victim."]
    chat = run("chat", "--json", stdin="\n".join(messages) + "\n")
    assert chat.returncode == 0, chat.stderr
    replies = [json.loads(line) for line in chat.stdout.splitlines()]
    assert len(replies) == len(messages)
    for reply in replies:
        assert_reply_contract(reply)
    assert len({r["question"] for r in replies}) == len(replies)  # one conversation: no question repeated


def test_thesis_command(cli_env: Library) -> None:
    result = CliRunner().invoke(app, ["thesis", "severance", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0]["kind"] == "thesis" and "truly about all of us" in rows[0]["text"]
    assert {"heading", "sentence"} <= {r["kind"] for r in rows[1:]}


def test_an_essay_not_yet_indexed_is_listed_with_its_fix_and_re_adding_it_heals(
    cli_env: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # doctor: no project .env, a scratch database
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "tutor.sqlite3"))
    for name in ("LLM_BASE_URL", "LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    shutil.copy(SECOND_ESSAY, cli_env.corpus.directory)  # what an `index add` killed after its copy leaves
    runner = CliRunner()

    essays = json.loads(runner.invoke(app, ["index", "list", "--json"]).stdout)
    assert [(e["essay"], e["status"]) for e in essays] == [("eternal-sunshine", "not_indexed"),
                                                           ("severance", "indexed")]
    waiting, indexed = essays
    assert set(waiting) == {"essay", "title", "author", "file", "passages", "added_at", "status", "fix"}
    assert (waiting["file"], waiting["passages"], waiting["added_at"]) == ("eternal-sunshine.md", 0, None)
    assert "python -m bot index build" in waiting["fix"] and indexed["fix"] is None and indexed["passages"] == 4

    table = runner.invoke(app, ["index", "list"])
    assert table.exit_code == 0
    assert "not indexed" in table.stdout
    assert "out of step" in table.stderr and "fix: `python -m bot index build`" in table.stderr

    doctor = runner.invoke(app, ["doctor"])
    assert doctor.exit_code == 1
    assert "FAIL corpus: in corpus/ but not indexed (1): eternal-sunshine.md" in doctor.stdout
    assert "fix: `python -m bot index build`" in doctor.stdout

    added = runner.invoke(app, ["index", "add", str(SECOND_ESSAY)])
    assert added.exit_code == 0, added.output
    assert "indexed eternal-sunshine.md as 'eternal-sunshine'" in added.stderr and "in corpus/ already" in added.stderr
    essays = json.loads(runner.invoke(app, ["index", "list", "--json"]).stdout)
    assert {e["status"] for e in essays} == {"indexed"}
    healthy = runner.invoke(app, ["doctor"])
    assert healthy.exit_code == 0, healthy.output
    assert "ok   corpus: 2 essays" in healthy.stdout
    again = runner.invoke(app, ["index", "add", str(SECOND_ESSAY)])  # indexed now: a real duplicate, one line
    assert again.exit_code == 1
    assert again.output.strip().startswith("error: eternal-sunshine.md: exact duplicate of")
    assert len(again.output.strip().splitlines()) == 1


def test_chat_sessions_live_in_postgresql_with_database_url(cli_env: Library, postgres_url: str,
                                                            monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "unused.sqlite3"))
    first = run("chat", "--json", "--session", "reader", stdin="What is the essay's thesis?\n")
    again = run("chat", "--json", "--session", "reader", stdin="I agree with it.\n")  # a new process
    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    stored = ConversationStore(postgres_url).load("terminal:reader")
    assert [t.text for t in stored.turns if t.role == "user"] == ["What is the essay's thesis?", "I agree with it."]
    assert not (tmp_path / "unused.sqlite3").exists()

    monkeypatch.setenv("DATABASE_URL", f"postgresql://tutor:hunter2@/tutor?host={tmp_path}/none")
    down = run("chat", "--json", stdin="Hello?\n")
    assert down.returncode == 1 and down.stdout == ""
    [line] = down.stderr.strip().splitlines()
    assert line.startswith("error: cannot connect to PostgreSQL tutor on ") and "hunter2" not in line
