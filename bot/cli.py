"""Command line: `python -m bot --help`. The JSON outputs are contracts (see DESIGN.md); keep them stable."""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.config import get_settings
from bot.corpus import CorpusError, EssayError
from bot.database import DatabaseError
from bot.doctor import run_checks
from bot.library import INDEXED, EssayStatus, Library
from bot.retrieval.embedder import ModelLoadError
from bot.retrieval.evaluation import evaluate, load_cases
from bot.retrieval.search import Hit
from bot.retrieval.store import IndexLoadError
from bot.state import ConversationStore
from bot.tutor.composer import Reply
from bot.tutor.engine import Tutor
from bot.tutor.voice import LLMVoice

app = typer.Typer(help="Socratic essay tutor: index essays, search them, talk about them.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
index_app = typer.Typer(help="Build and manage the essay index (corpus/ is the source of truth).",
                        no_args_is_help=True)
eval_app = typer.Typer(help="Measure quality on labelled sets.", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(eval_app, name="eval")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
USER_ERRORS = (CorpusError, EssayError, IndexLoadError, ModelLoadError, DatabaseError, ValueError, OSError)


@app.callback()
def _setup(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show debug logs.")] = False) -> None:
    try:
        settings = get_settings()
    except ValidationError as exc:
        raise fail("\n".join(f"setting {'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
                   ) from None
    level = logging.DEBUG if verbose else getattr(logging, settings.log_level.upper(), logging.INFO)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("sentence_transformers", "transformers", "httpx", "bm25s", "faiss"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def fail(message: str, code: int = 1) -> typer.Exit:
    for line in message.splitlines() or [message]:
        err.print(f"[red]error:[/red] {line}", markup=True)
    return typer.Exit(code)


def _library() -> Library:
    return Library(get_settings())


# ---- index ---------------------------------------------------------------------------------------------------
@index_app.command("build")
def index_build(full: Annotated[bool, typer.Option("--full", help="Re-embed every passage (ignore the cache).")]
                = False) -> None:
    """Build or update index/ from corpus/. Only new or changed passages are embedded."""
    library = _library()
    try:
        report = library.build(full=full, progress=sys.stderr.isatty(), on_stage=_stage)
    except USER_ERRORS as exc:
        raise fail(str(exc)) from None
    if report.changed:
        err.print(f"index built: {report.essays} essays, {report.passages} passages, {report.vectors} vectors "
                  f"({report.embedded} texts newly embedded) in {report.seconds:.1f}s")
    else:
        err.print(f"index is up to date: {report.essays} essays, {report.passages} passages")


@index_app.command("add")
def index_add(paths: Annotated[list[Path], typer.Argument(help="Essay files (.txt, .md, .html, .pdf).")]) -> None:
    """Validate essays, copy them into corpus/ and update the index. Nothing changes if any file is rejected."""
    library = _library()
    try:
        change = library.add_files(paths, progress=sys.stderr.isatty(), on_stage=_stage)
    except USER_ERRORS as exc:
        raise fail(str(exc)) from None
    for essay in change.essays:
        if essay in change.resumed:
            err.print(f"indexed {essay.filename} as '{essay.id}': {essay.title} (it was in corpus/ already: an "
                      "earlier add stopped before updating the index)")
        else:
            err.print(f"added {essay.filename} as '{essay.id}': {essay.title}")
    err.print(f"index now holds {change.report.essays} essays, {change.report.passages} passages")


@index_app.command("remove")
def index_remove(essay: Annotated[str, typer.Argument(help="Essay id, file name or title.")]) -> None:
    """Remove an essay from corpus/ and the index."""
    library = _library()
    try:
        change = library.remove(essay, on_stage=_stage)
    except USER_ERRORS as exc:
        raise fail(str(exc)) from None
    err.print(f"removed '{change.essays[0].id}' ({change.essays[0].filename}); "
              f"index now holds {change.report.essays} essays")


@index_app.command("list")
def index_list(as_json: Annotated[bool, typer.Option("--json", help="One JSON array of essays.")] = False) -> None:
    """List the essays: the indexed ones, and any in corpus/ but not (or no longer) in step with the index.

    JSON: one object per essay file with "essay", "title", "author", "file", "passages" and "added_at" (of the
    index; 0 and null for an essay not indexed), "status" (indexed, not_indexed, changed, file_missing) and "fix"
    (the command that brings it in step, or null).
    """
    library = _library()
    try:
        library.essays()  # the index loads (or the error says how to build it)
        status = library.status()
    except USER_ERRORS as exc:
        raise fail(str(exc)) from None
    if as_json:
        out.print(json.dumps([_listed(e) for e in status.essays], ensure_ascii=False), markup=False)
    else:
        table = Table("essay", "title", "author", "passages", "added")
        table.add_column("status", no_wrap=True)
        for e in status.essays:
            row = _listed(e)
            table.add_row(row["essay"], row["title"], row["author"] or "", str(row["passages"]), row["added_at"] or "",
                          "" if e.status == INDEXED else f"[yellow]{e.status.replace('_', ' ')}[/yellow]")
        out.print(table)
    sys.stdout.flush()  # the table first, then the notes on stderr
    for line in status.invalid:
        err.print(f"[yellow]warning:[/yellow] corpus/{escape(line)}")
    if not status.in_step:
        err.print(f"[yellow]corpus/ and the index are out of step[/yellow] ({escape(status.summary())}); "
                  f"fix: {escape(status.fix)}")


def _listed(essay: EssayStatus) -> dict[str, object]:
    record = essay.record
    return {"essay": essay.id, "title": essay.title, "author": essay.author, "file": essay.filename,
            "passages": record.passages if record else 0, "added_at": record.added_at if record else None,
            "status": essay.status, "fix": essay.fix}


def _stage(message: str) -> None:
    err.print(f"[dim]{message}…[/dim]")


# ---- search --------------------------------------------------------------------------------------------------
@app.command()
def search(
    query: Annotated[str | None, typer.Argument(help="The query. Omit it to read queries from stdin.")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="How many passages.")] = 5,
    essay: Annotated[str | None, typer.Option("--essay", "-e", help="Only this essay (id or title).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per query, one per line.")] = False,
) -> None:
    """Search the essays (dense + BM25). Without QUERY: interactive on a terminal, else one query per stdin line."""
    library = _library()
    try:
        library.searcher  # noqa: B018 - load and validate the index before reading any input
        if query is not None:
            _print_hits(query, library.search(query, k, essay=essay), as_json)
            return
        for line in _queries(interactive=not as_json and sys.stdin.isatty()):
            _print_hits(line, library.search(line, k, essay=essay), as_json)
    except USER_ERRORS as exc:
        raise fail(str(exc)) from None


def _queries(interactive: bool) -> Iterator[str]:
    if not interactive:
        for line in sys.stdin:
            yield line.rstrip("\n")
        return
    err.print("Search the essays. Type a question (empty line or Ctrl-D to quit).")
    while True:
        try:
            line = input("search> ").strip()
        except (EOFError, KeyboardInterrupt):
            return
        if not line:
            return
        yield line


def _print_hits(query: str, hits: list[Hit], as_json: bool) -> None:
    if as_json:
        payload = {"query": query, "hits": [h.to_json() for h in hits]}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    if not hits:
        out.print("(no matching passage)")
    for number, hit in enumerate(hits, start=1):
        where = hit.passage.essay_title + (f" › {hit.passage.section}" if hit.passage.section else "")
        out.print(f"[bold]{number}.[/bold] [cyan]{where}[/cyan] [dim]({hit.score:.3f})[/dim]")
        out.print(f"   {hit.passage.text}\n", markup=False)


# ---- tutor ---------------------------------------------------------------------------------------------------
LLM_OPTION = typer.Option("--llm", help="Let the LLM set by LLM_BASE_URL and LLM_MODEL phrase the replies (checked).")
NO_LLM = "--llm needs LLM_BASE_URL and LLM_MODEL (in .env or the environment); see .env.example, then run " \
         "`python -m bot doctor`"


def _tutor(database: Path | None = None, *, llm: bool = False) -> Tutor:
    settings = get_settings()
    voice = LLMVoice.from_settings(settings) if llm else None
    if llm and voice is None:
        raise fail(NO_LLM)
    library = Library(settings)
    library.searcher  # noqa: B018 - load and validate the index before any input is read
    return Tutor(library, ConversationStore(database or settings), voice=voice)  # settings: DATABASE_URL or _PATH


def _emit(reply: Reply, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(reply.to_json(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    out.print(reply.answer, markup=False)  # the tutor's own labels (stance, move) are for --json, not the reader
    if reply.question:
        out.print(f"\n[bold yellow]{escape(reply.question)}[/bold yellow]\n")
    else:
        out.print()


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question. Omit it to read one per stdin line.")] = None,
    essay: Annotated[str | None, typer.Option("--essay", "-e", help="Keep to this essay (id or title).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON reply per line.")] = False,
    llm: Annotated[bool, LLM_OPTION] = False,
) -> None:
    """One tutor turn. Without QUESTION, each stdin line is a separate one-turn conversation."""
    try:
        with tempfile.TemporaryDirectory() as scratch:  # one-turn conversations need no memory
            tutor = _tutor(Path(scratch) / "ask.sqlite3", llm=llm)
            messages = [question] if question is not None else (line.rstrip("\n") for line in sys.stdin)
            for number, message in enumerate(messages):
                _emit(tutor.reply(f"ask-{number}", message, essay=essay), as_json)
    except USER_ERRORS as exc:
        raise fail(str(exc)) from None


@app.command()
def chat(
    essay: Annotated[str | None, typer.Option("--essay", "-e", help="Keep to this essay (id or title).")] = None,
    session: Annotated[str | None, typer.Option(
        help="Resume (or name) a conversation kept in the database (DATABASE_PATH, or DATABASE_URL).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Read one message per stdin line; one JSON reply per line.")]
    = False,
    llm: Annotated[bool, LLM_OPTION] = False,
) -> None:
    """Talk with the tutor in the terminal. Type /angle, /sources or /quit; the conversation is saved."""
    conversation = f"terminal:{session or uuid.uuid4().hex[:8]}"
    try:
        tutor = _tutor(llm=llm)
        if as_json:
            for line in sys.stdin:
                _emit(tutor.reply(conversation, line.rstrip("\n"), essay=essay), as_json=True)
            return
        _interactive_chat(tutor, conversation, essay)
    except USER_ERRORS as exc:
        raise fail(str(exc)) from None


def _interactive_chat(tutor: Tutor, conversation: str, essay: str | None) -> None:
    thesis, _ = tutor.thesis(essay)
    title = tutor.library.resolve_essay(thesis.essay_id).title
    out.print(f"[bold]Socratic tutor[/bold] · {escape(title)}")
    out.print(f"[dim]Thesis:[/dim] {escape(thesis.text)}")
    out.print(f"[dim]Ask a question or say what you think. /angle another question, /sources the passages, /quit. "
              f"Session: {conversation.removeprefix('terminal:')}[/dim]\n")
    while True:
        try:
            message = input("you> ")
        except (EOFError, KeyboardInterrupt):
            out.print()
            return
        command = message.strip().lower()
        if command in ("/quit", "/exit"):
            return
        if command == "/sources":
            for passage in tutor.sources(conversation):
                out.print(f"[cyan]{escape(passage.essay_title)} › {escape(passage.section or '')}[/cyan]")
                out.print(passage.text + "\n", markup=False)
            continue
        reply = tutor.another_angle(conversation) if command == "/angle" else tutor.reply(conversation, message,
                                                                                            essay=essay)
        _emit(reply, as_json=False)


@app.command()
def thesis(
    essay: Annotated[str | None, typer.Argument(help="Essay id or title (default: the first essay).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the argument map as JSON.")] = False,
) -> None:
    """Show an essay's thesis and main claims, with the passages that support them."""
    try:
        main_claim, claims = _tutor().thesis(essay)
    except USER_ERRORS as exc:
        raise fail(str(exc)) from None
    if as_json:
        rows = [main_claim, *claims]
        out.print(json.dumps([{"id": c.id, "kind": c.kind, "section": c.section, "text": c.text,
                               "passages": list(c.passage_ids)} for c in rows], ensure_ascii=False), markup=False)
        return
    out.print(f"[bold]Thesis[/bold]: {escape(main_claim.text)}\n")
    for claim in claims:
        where = f" [dim]({escape(claim.section)})[/dim]" if claim.section and claim.kind != "heading" else ""
        out.print(f"• {escape(claim.text)}{where} [dim]← {', '.join(claim.passage_ids)}[/dim]")


# ---- doctor --------------------------------------------------------------------------------------------------
@app.command()
def doctor() -> None:
    """Check the set-up (index, embedding model, database, LLM endpoint) and say what to fix. Exit 1 on problems."""
    problems = 0
    for finding in run_checks(get_settings()):
        mark = "[green]ok  [/green]" if finding.ok else "[red]FAIL[/red]"
        out.print(f"{mark} {escape(finding.check)}: {escape(finding.detail)}")
        if not finding.ok:
            problems += 1
            out.print(f"     [yellow]fix:[/yellow] {escape(finding.fix)}")
    if problems:
        raise typer.Exit(1)
    out.print("[green]ready[/green]")


# ---- discord -------------------------------------------------------------------------------------------------
@app.command()
def run() -> None:
    """Run the Discord bot (needs DISCORD_TOKEN; see the README's Discord section)."""
    from bot.discord.client import BotStartError, run_bot  # discord is imported only by this command

    try:
        run_bot(get_settings())
    except (BotStartError, *USER_ERRORS) as exc:
        raise fail(str(exc)) from None


# ---- eval ----------------------------------------------------------------------------------------------------
@eval_app.command("retrieval")
def eval_retrieval(
    files: Annotated[list[Path], typer.Argument(
        help="JSON lines with \"question\", \"gold\" (a string or a list of strings), and optionally \"kind\" "
             "and \"essay\" (an essay id or a list of them).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Recall@1/3/5 and MRR of dense, BM25 and hybrid search, per kind of question.

    A hit counts if its passage contains a gold excerpt (any one of a list) and, when essay is given, belongs to
    one of those essays.
    """
    try:
        cases = [case for path in files for case in load_cases(path)]
        results = evaluate(_library().searcher, cases)
    except USER_ERRORS as exc:
        raise fail(str(exc)) from None
    if as_json:
        out.print(json.dumps(results), markup=False)
        return
    table = Table("mode", "questions", "n", "recall@1", "recall@3", "recall@5", "MRR")
    for mode, kinds in results.items():
        for kind, m in sorted(kinds.items(), key=lambda item: item[0] != "all"):
            table.add_row(mode, kind, str(m["n"]), *(f"{m[key]:.2f}" for key in
                                                     ("recall@1", "recall@3", "recall@5")), f"{m['mrr']:.3f}")
    out.print(table)


def main() -> None:
    app()
