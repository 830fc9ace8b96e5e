"""Speed on this machine: `python -m benchmarks.speed` (or `make bench`) writes benchmarks/results.md.

Measures, in one run: embedding throughput and retrieval quality per backend; a full build against plain
sentence-transformers encoding the same corpus, and whole `index build --full` processes on onnx-int8 and torch;
full build, incremental add and removal on synthetic corpora (benchmarks/synthetic.py); warm search and
tutor-reply latency; tutor-reply latency with the state in PostgreSQL against SQLite at the largest index (a real
server the benchmark starts, like the tests); peak memory and start-up time of a fresh process holding the largest
index; and the exact-versus-HNSW trade-off behind DENSE_EXACT_MAX_VECTORS. Everything is built in a scratch
directory from nothing (models are exported there first, outside the timings). `--sizes 1,10 --compare 5` gives a
quick run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np

from benchmarks import discord_load
from benchmarks.synthetic import essay_markdown, write_corpus
from bot.config import Settings
from bot.corpus import Corpus, chunk_essay
from bot.corpus.text import sentence_spans
from bot.database import close_databases
from bot.library import Library
from bot.retrieval.dense_index import (
    HNSW_EF_CONSTRUCTION,
    HNSW_EF_SEARCH,
    HNSW_M,
    build_dense_index,
    is_exact,
    nearest,
    stored_vectors,
)
from bot.retrieval.embedder import BACKENDS, DEFAULT_BACKEND, Embedder
from bot.retrieval.evaluation import evaluate, load_cases
from bot.retrieval.search import Searcher
from bot.retrieval.units import context_text
from bot.state import ConversationStore
from bot.tutor.engine import Tutor
from tests.postgres import start_postgres

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "benchmarks" / "results.md"
SEED = 0
THROUGHPUT_PASSAGES = 256
THROUGHPUT_ROUNDS = 3
ADD_ROUNDS = 3
LATENCY_SAMPLES = 60
EXACT_SIZES = (50_000, 100_000, 200_000, 400_000)

READY_CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from bot.config import Settings
    from bot.library import Library
    from bot.state import ConversationStore
    from bot.tutor.engine import Tutor
    corpus, index, database = (Path(a) for a in sys.argv[1:4])
    library = Library(Settings(corpus_dir=corpus, index_dir=index, database_path=database, _env_file=None))
    tutor = Tutor(library, ConversationStore(database))
    tutor.reply("startup", sys.argv[4])
    print("ready", flush=True)
    for number, message in enumerate(json.loads(sys.argv[5])):
        tutor.reply(f"load-{number % 5}", message)
    # VmHWM, not getrusage's maxrss: Linux carries the parent's maxrss into a forked and exec'd child.
    peak = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM"))
    print(json.dumps({"maxrss_kb": int(peak.split()[1]),
                      "backend": library.embedder.backend, "torch_imported": "torch" in sys.modules}), flush=True)
    """
)


def percentiles(seconds: Sequence[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    return float(np.percentile(seconds, 50) * 1000), float(np.percentile(seconds, 95) * 1000)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def eval_cases() -> list:
    return [*load_cases(ROOT / "eval" / "retrieval.jsonl"), *load_cases(ROOT / "eval" / "retrieval-added.jsonl")]


def questions(count: int) -> list[str]:
    """Half the eval questions (off-topic for the synthetic essays), half questions on synthetic essay sentences."""
    rng = random.Random(SEED)
    asked = [case.question for case in eval_cases()][: count // 2]
    while len(asked) < count:
        body = essay_markdown(SEED, rng.randrange(100))[1].split("\n---\n", 1)[1]
        sentence = rng.choice([s.text for s in sentence_spans(body) if len(s.text.split()) > 8])
        asked.append(f"Why does the essay claim that {sentence[0].lower()}{sentence[1:-1]}?")
    return asked


def messages(count: int) -> list[str]:
    stance = [json.loads(line)["message"] for line in (ROOT / "eval" / "stance.jsonl").read_text().splitlines()]
    return ([*stance, *questions(20)] * 2)[:count]


def make_library(root: Path, embedder: Embedder, essays: list[Path], **settings: object) -> Library:
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for essay in essays:
        shutil.copy(essay, corpus / essay.name)
    return Library(Settings(corpus_dir=corpus, index_dir=root / "index", database_path=root / "tutor.sqlite3",
                            _env_file=None, **settings), embedder=embedder)  # type: ignore[arg-type]


# ---- backends -----------------------------------------------------------------------------------------------
def bench_backends(work: Path, models: Path) -> list[dict[str, object]]:
    write_corpus(work / "sample", 30, seed=SEED + 1)  # not the essays of the scale runs: no cache hits there
    essays = Corpus(work / "sample").read_all()
    passages = [context_text(p) for e in essays for p in chunk_essay(e)][:THROUGHPUT_PASSAGES]
    embedders = {name: Embedder(backend=name, models_dir=models) for name in BACKENDS}
    rows: dict[str, dict[str, object]] = {}
    rates: dict[str, list[float]] = {name: [] for name in embedders}
    for name, embedder in embedders.items():
        load = timed(lambda e=embedder: e.dimension)  # torch: model load; ONNX: export (first time) + load
        embedder.encode(passages[:32])  # warm
        rows[name] = {"backend": name, "load_s": load}
    for _ in range(THROUGHPUT_ROUNDS):  # rounds interleave the backends, so load on the machine hits all alike
        for name, embedder in embedders.items():
            rates[name].append(len(passages) / timed(lambda e=embedder: e.encode(passages)))
    reference = embedders["torch"].encode(passages)
    cases = eval_cases()
    for name, embedder in embedders.items():
        row = rows[name]
        row["rate"] = float(np.median(rates[name]))
        row["min_cosine"] = float(np.min(np.sum(embedder.encode(passages) * reference, axis=1)))
        library = make_library(work / f"eval-{name}", embedder, [ROOT / "corpus" / "severance.txt"])
        library.build()
        library.add_files([ROOT / "eval" / "essays" / "eternal-sunshine.md"])
        row["recall3"] = float(evaluate(library.searcher, cases)["hybrid"]["all"]["recall@3"])
    return list(rows.values())


# ---- a build against plain encoding --------------------------------------------------------------------------
def reference_texts(essays: list) -> list[str]:
    """Each paragraph and each sentence of the corpus, once: what plain encoding of the corpus means here."""
    texts = [p.text for e in essays for p in e.paragraphs]
    texts += [s.text for e in essays for p in e.paragraphs for s in sentence_spans(p.text)]
    return list(dict.fromkeys(texts))


def bench_build_vs_plain(work: Path, models: Path, essays: int, rounds: int = 2) -> dict[str, object]:
    """A full onnx-int8 build (in process, model loaded) against sentence-transformers on torch encoding the
    corpus's paragraphs and sentences once (model loaded, batch 32), in interleaved rounds; then whole
    `python -m bot index build --full` processes on onnx-int8 and on torch, from an empty index each time."""
    from sentence_transformers import SentenceTransformer

    from bot.retrieval.embedder import resolve_model

    corpus = work / f"compare-{essays}"
    write_corpus(corpus, essays, seed=SEED)
    texts = reference_texts(Corpus(corpus).read_all())
    plain = SentenceTransformer(resolve_model("")[1], device="cpu")
    plain.encode(texts[:64], batch_size=32)  # warm
    embedder = Embedder(backend=DEFAULT_BACKEND, models_dir=models)
    embedder.dimension  # noqa: B018 - load the model outside the timing
    plain_s: list[float] = []
    build_s: list[float] = []
    report = None
    for number in range(rounds):
        plain_s.append(timed(lambda: plain.encode(texts, batch_size=32)))
        library = make_library(work / f"compare-{essays}-build-{number}", embedder, sorted(corpus.iterdir()))
        report = library.build(full=True)
        build_s.append(report.seconds)
        shutil.rmtree(work / f"compare-{essays}-build-{number}")
    processes = {}
    for backend in ("torch", DEFAULT_BACKEND):  # adjacent in time, so load on the machine hits both alike
        index = work / f"compare-{essays}-process-{backend}"
        if backend != "torch":
            shutil.copytree(models, index / "models")  # the export a real index has
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
               "CORPUS_DIR": str(corpus), "INDEX_DIR": str(index), "EMBEDDING_BACKEND": backend}
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "index", "build", "--full"], env=env, cwd=work, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes[backend] = time.perf_counter() - started
        shutil.rmtree(index)
    assert report is not None
    return {"essays": essays, "texts": len(texts), "passages": report.passages, "vectors": report.vectors,
            "embedded": report.embedded, "plain_s": float(np.median(plain_s)), "build_s": float(np.median(build_s)),
            "plain_all": plain_s, "build_all": build_s, "process_torch_s": processes["torch"],
            "process_onnx_s": processes[DEFAULT_BACKEND]}


# ---- scale --------------------------------------------------------------------------------------------------
def bench_scale(work: Path, embedder: Embedder, sizes: list[int]) -> tuple[list[dict[str, object]], dict]:
    corpus = work / "synthetic"
    write_corpus(corpus, max(sizes), seed=SEED)
    files = sorted(corpus.iterdir())
    rows: list[dict[str, object]] = []
    largest: dict[str, object] = {}
    for size in sizes:
        library = make_library(work / f"scale-{size}", embedder, files[:size])
        report = library.build(full=True)
        row: dict[str, object] = {"essays": size, "passages": report.passages, "vectors": report.vectors,
                                  "build_s": report.seconds, "embedded": report.embedded}
        row.update(latencies(library, work / f"scale-{size}"))
        if size == max(sizes):
            # three rounds of add, then remove, of the same new essay: a single timing of a few seconds on a shared
            # machine is mostly noise (one run measured 4.8 s, the next 9.5 s, on the same code); the first round
            # embeds the essay's texts, the later ones find them in the embedding cache, as a re-add would
            extra = write_corpus(work / "extra", 1, seed=SEED, start=size)
            adds: list[float] = []
            removes: list[float] = []
            for _ in range(ADD_ROUNDS):
                started = time.perf_counter()
                change = library.add_files(extra)
                adds.append(time.perf_counter() - started)
                row.setdefault("add_embedded", change.report.embedded)
                removes.append(timed(lambda lib=library, essay=change.essays[0].id: lib.remove(essay)))
            row.update(add_s=float(np.median(adds)), add_all=adds, remove_s=float(np.median(removes)))
            largest = {"library": library, "root": work / f"scale-{size}"}
        rows.append(row)
    return rows, largest


def latencies(library: Library, root: Path) -> dict[str, float]:
    asked = questions(LATENCY_SAMPLES)
    for query in asked[:5]:
        library.search(query, k=3)  # warm: index loaded, sessions and caches primed
    search = [timed(lambda q=query: library.search(q, k=3)) for query in asked]
    tutor = Tutor(library, ConversationStore(root / "conversations.sqlite3"))
    said = messages(LATENCY_SAMPLES)
    for number, message in enumerate(said[:5]):
        tutor.reply(f"warm-{number}", message)
    reply = [timed(lambda n=number, m=message: tutor.reply(f"bench-{n % 5}", m)) for number, message in
             enumerate(said)]
    (s50, s95), (r50, r95) = percentiles(search), percentiles(reply)
    return {"search_p50": s50, "search_p95": s95, "reply_p50": r50, "reply_p95": r95}


def bench_state(library: Library, root: Path) -> dict[str, float]:
    """Tutor-reply latency with the conversations in SQLite and in PostgreSQL, over the same library: one message
    to each in turn (the order alternating), so that load on the machine falls on both alike."""
    server = start_postgres()
    try:
        tutors = {"sqlite": Tutor(library, ConversationStore(root / "state-sqlite.sqlite3")),
                  "postgresql": Tutor(library, ConversationStore(server.new_database()))}
        said = messages(LATENCY_SAMPLES)
        for tutor in tutors.values():
            for number, message in enumerate(said[:5]):
                tutor.reply(f"warm-{number}", message)
        samples: dict[str, list[float]] = {name: [] for name in tutors}
        for number, message in enumerate(said):
            order = list(tutors) if number % 2 == 0 else list(reversed(tutors))
            for name in order:
                samples[name].append(timed(lambda t=tutors[name], n=number, m=message: t.reply(f"state-{n % 5}", m)))
        result: dict[str, float] = {}
        for name, seconds in samples.items():
            result[f"{name}_p50"], result[f"{name}_p95"] = percentiles(seconds)
        return result
    finally:
        close_databases()
        server.stop()


def bench_process(root: Path, runs: int = 3) -> dict[str, object]:
    """A fresh process on the built index: start to first reply (median of `runs`), then its peak RSS."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    said = messages(20)
    starts: list[float] = []
    result: dict[str, object] = {}
    for run in range(runs):
        database = root / f"process-{run}.sqlite3"
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", READY_CHILD, str(root / "corpus"), str(root / "index"), str(database),
             said[0], json.dumps(said)], env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert child.stdout is not None
        if child.stdout.readline().strip() != "ready":
            raise RuntimeError("the benchmark child process failed before its first reply")
        starts.append(time.perf_counter() - started)
        result = json.loads(child.stdout.readline())
        child.wait(timeout=300)
    return {**result, "startup_s": float(np.median(starts))}


# ---- exact versus HNSW --------------------------------------------------------------------------------------
def bench_exact_cost() -> list[tuple[int, float]]:
    """Exact search's main cost, one matrix-vector product over all vectors, by collection size (p50 ms)."""
    rng = np.random.default_rng(0)
    rows = []
    for size in EXACT_SIZES:
        vectors = rng.standard_normal((size, 384), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        query = vectors[0]
        samples = [timed(lambda v=vectors, q=query: v @ q) for _ in range(30)]
        rows.append((size, percentiles(samples)[0]))
        del vectors
    return rows


def bench_hnsw(library: Library) -> dict[str, float]:
    """HNSW over the largest index's own vectors: build time, recall@10 against exact, search latency."""
    index = library.index
    vectors = np.array(stored_vectors(index.dense))
    started = time.perf_counter()
    hnsw = build_dense_index(vectors, index.manifest.dimension, exact_max_vectors=0)
    build = time.perf_counter() - started
    asked = questions(LATENCY_SAMPLES)
    embedded = library.embedder.encode(asked)
    found = tied = 0
    for vector in embedded:
        similarities = vectors @ vector
        exact = np.argsort(-similarities)[:10]
        sims, ids = nearest(hnsw, vector[None], 10)
        found += len(set(exact.tolist()) & set(ids.tolist()))
        tied += int(np.sum(sims >= similarities[exact[-1]] - 1e-5))  # ties with the 10th best count as found
    approximate = Searcher(replace(index, dense=hnsw), library.embedder, library.params)
    exact_searcher = library.searcher
    assert is_exact(exact_searcher.index.dense) and not is_exact(approximate.index.dense)
    for query, vector in zip(asked[:5], embedded[:5], strict=True):
        approximate.search(query, k=3, vector=vector[None])
    timings = {}
    for name, searcher in (("exact", exact_searcher), ("hnsw", approximate)):
        samples = [timed(lambda s=searcher, q=query, v=vector: s.search(q, k=3, vector=v[None]))
                   for query, vector in zip(asked, embedded, strict=True)]
        timings[name] = percentiles(samples)
    overlap = np.mean([
        len({h.passage for h in approximate.search(q, k=3, vector=v[None])}
            & {h.passage for h in exact_searcher.search(q, k=3, vector=v[None])}) / 3
        for q, v in zip(asked, embedded, strict=True)
    ])
    return {"vectors": len(vectors), "build_s": build, "recall10": found / (10 * len(embedded)),
            "recall10_ties": tied / (10 * len(embedded)),
            "exact_p50": timings["exact"][0], "exact_p95": timings["exact"][1],
            "hnsw_p50": timings["hnsw"][0], "hnsw_p95": timings["hnsw"][1], "overlap3": float(overlap)}


# ---- report -------------------------------------------------------------------------------------------------
def machine() -> str:
    """The machine and stack. The CPU's vector extensions are named because int8 inference depends on them: on a
    host without AVX-512 VNNI the int8 backend ran 2.3x torch's speed where another host gave 3.3x."""
    info = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").is_file() else []
    cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
               platform.processor() or "unknown CPU")
    flags = set(next((line.split(":", 1)[1].split() for line in info if line.startswith("flags")), []))
    vector = ", ".join(f for f in ("avx2", "avx512f", "avx512_vnni", "avx_vnni") if f in flags) or "none listed"
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("torch", "onnxruntime", "faiss-cpu"))
    return f"{os.cpu_count()} cores ({cpu}; {vector}), Python {platform.python_version()}, {versions}"


def render(backends: list[dict], compare: dict, scale: list[dict], process: dict, exact: list, hnsw: dict,
           stall: dict, state: dict, started: datetime, loads: tuple[str, str]) -> str:
    torch_rate = next(r["rate"] for r in backends if r["backend"] == "torch")
    torch_recall = next(r["recall3"] for r in backends if r["backend"] == "torch")
    lines = [
        "# Speed", "",
        f"One run of `python -m benchmarks.speed`, {started:%Y-%m-%d %H:%M} UTC, on {machine()}. "
        f"Load average at start / end: {loads[0]} / {loads[1]} (the machine may be shared, so absolute times "
        "vary between runs; ratios within a run are fairer). Build and latency rows use the default backend, "
        f"{DEFAULT_BACKEND}.", "",
        "## Embedding backends", "",
        f"Throughput: {THROUGHPUT_PASSAGES} synthetic passages (title, section and text, as indexed), batch 32, "
        f"median of {THROUGHPUT_ROUNDS} interleaved rounds. Recall@3: hybrid search on eval/ (seed essay, then "
        "eternal-sunshine added; eval/retrieval.jsonl + retrieval-added.jsonl). Load: model load, including the "
        "one-time ONNX export (and int8 quantisation) on first use.", "",
        "| backend | passages/s | vs torch | hybrid recall@3 | vs torch | min cosine to torch | first load (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in backends:
        lines.append(f"| {r['backend']} | {r['rate']:.1f} | {r['rate'] / torch_rate:.2f}x | {r['recall3']:.3f} | "
                     f"{r['recall3'] - torch_recall:+.3f} | {r['min_cosine']:.4f} | {r['load_s']:.1f} |")
    c = compare
    lines += ["", f"## A full build against plain encoding ({c['essays']} synthetic essays)", "",
              f"Plain: sentence-transformers on torch encoding each of the corpus's paragraphs and sentences once "
              f"({c['texts']:,} texts, batch 32, model loaded). Build: `Library.build(full=True)` on "
              f"{DEFAULT_BACKEND} from an empty cache (model loaded): {c['passages']:,} passages, "
              f"{c['vectors']:,} vectors, {c['embedded']:,} texts embedded (the units, then the argument map's own "
              "texts). Interleaved rounds, median. Processes: `python -m bot index build --full` from start to exit, "
              "from an empty index, on each backend, one after the other.", "",
              "| | seconds | ratio |", "|---|---|---|",
              f"| plain torch encoding | {c['plain_s']:.1f} ({' / '.join(f'{x:.1f}' for x in c['plain_all'])}) | "
              "1.00x |",
              f"| full build, {DEFAULT_BACKEND} | {c['build_s']:.1f} ({' / '.join(f'{x:.1f}' for x in c['build_all'])})"
              f" | {c['build_s'] / c['plain_s']:.2f}x |",
              f"| `index build --full` process, torch | {c['process_torch_s']:.1f} | 1.00x |",
              f"| `index build --full` process, {DEFAULT_BACKEND} | {c['process_onnx_s']:.1f} | "
              f"{c['process_torch_s'] / c['process_onnx_s']:.2f}x as fast |"]
    lines += ["", "## Scale (synthetic essays of 800-1,500 words)", "",
              f"Full build: from an empty embedding cache. Latency: warm, {LATENCY_SAMPLES} queries or messages; "
              "search is `Library.search(k=3)` including the query embedding; reply is `Tutor.reply`.", "",
              "| essays | passages | vectors | full build (s) | search p50 / p95 (ms) | reply p50 / p95 (ms) |",
              "|---|---|---|---|---|---|"]
    for r in scale:
        lines.append(f"| {r['essays']:,} | {r['passages']:,} | {r['vectors']:,} | {r['build_s']:.1f} | "
                     f"{r['search_p50']:.1f} / {r['search_p95']:.1f} | {r['reply_p50']:.1f} / {r['reply_p95']:.1f} |")
    big = scale[-1]
    lines += ["", "| at the largest index | value |", "|---|---|",
              f"| add one essay to {big['essays']:,} ({big['add_embedded']} texts embedded the first time), median of "
              f"{ADD_ROUNDS} rounds of add and remove | {big['add_s']:.1f} s "
              f"({' / '.join(f'{s:.1f}' for s in big['add_all'])}; {100 * big['add_s'] / big['build_s']:.1f} % of a "
              f"full build) |",
              f"| remove one essay, median | {big['remove_s']:.1f} s |",
              f"| warm tutor reply p50 / p95, state in SQLite / in PostgreSQL ({LATENCY_SAMPLES} messages each, "
              f"interleaved) | {state['sqlite_p50']:.1f} / {state['sqlite_p95']:.1f} ms, "
              f"{state['postgresql_p50']:.1f} / {state['postgresql_p95']:.1f} ms "
              f"({state['postgresql_p95'] / state['sqlite_p95']:.2f}x at p95) |",
              f"| peak RSS of a process holding the index and the tutor (20 replies) | "
              f"{process['maxrss_kb'] / 1024:.0f} MB (backend {process['backend']}, torch imported: "
              f"{'yes' if process['torch_imported'] else 'no'}) |",
              f"| start-up to ready (process start to first reply, median of 3) | {process['startup_s']:.1f} s |",
              f"| event-loop stall under Discord load (heartbeat interval {stall['interval']} s, "
              "see below) | longest gap {:.2f} s |".format(discord_load.longest(stall)),
              "", "## Exact or approximate dense index", "",
              "Exact search scores every vector (one matrix-vector product); its cost by collection size, "
              "random unit vectors (the cost does not depend on the content):", "",
              "| vectors | exact scoring p50 (ms) |", "|---|---|"]
    lines += [f"| {size:,} | {ms:.1f} |" for size, ms in exact]
    lines += ["", f"HNSW (M {HNSW_M}, efConstruction {HNSW_EF_CONSTRUCTION}, efSearch {HNSW_EF_SEARCH}) over the "
              f"{hnsw['vectors']:,} vectors of the largest index, forced past the threshold; {LATENCY_SAMPLES} "
              "queries. Recall@10 counts the exact top 10's ids found; \"with ties\" also counts a vector as "
              "similar as the 10th best (the synthetic essays repeat some sentences).", "",
              "| build (s) | recall@10 vs exact | with ties | top-3 passages shared with exact | "
              "hybrid search p50 / p95 (ms), exact | hybrid search p50 / p95 (ms), HNSW |", "|---|---|---|---|---|---|",
              f"| {hnsw['build_s']:.1f} | {hnsw['recall10']:.3f} | {hnsw['recall10_ties']:.3f} | "
              f"{hnsw['overlap3']:.3f} | "
              f"{hnsw['exact_p50']:.1f} / {hnsw['exact_p95']:.1f} | {hnsw['hnsw_p50']:.1f} / {hnsw['hnsw_p95']:.1f} |"]
    lines += ["", "## Event-loop stall under Discord load", "",
              "The real bot on the fake Discord server (`benchmarks/discord_load.py`): the longest gap between the "
              "client's gateway heartbeats while the load runs.", "",
              "| load | longest heartbeat gap | vs interval |", "|---|---|---|", *discord_load.render(stall)]
    lines += targets(backends, compare, scale, process, hnsw, stall, state)
    return "\n".join(lines) + "\n"


def targets(backends: list[dict], compare: dict, scale: list[dict], process: dict, hnsw: dict, stall: dict,
            state: dict) -> list[str]:
    """The issue's targets against this run's figures."""
    rate = {r["backend"]: r["rate"] for r in backends}
    recall = {r["backend"]: r["recall3"] for r in backends}
    speedup, drop = rate["onnx-int8"] / rate["torch"], recall["torch"] - recall["onnx-int8"]
    big = scale[-1]
    share = 100 * big["add_s"] / big["build_s"]
    rows = [
        ("onnx-int8 ≥ 2x torch passages/s, hybrid recall@3 within 0.02",
         f"{speedup:.2f}x, {recall['onnx-int8'] - recall['torch']:+.3f}",
         speedup >= 2 and drop <= 0.02),
        (f"full build of {compare['essays']} essays ≤ 0.6x plain torch encoding of their paragraphs and sentences",
         f"{compare['build_s'] / compare['plain_s']:.2f}x ({compare['build_s']:.1f} s vs {compare['plain_s']:.1f} s)",
         compare["build_s"] <= 0.6 * compare["plain_s"]),
        (f"whole-process {DEFAULT_BACKEND} full build ≥ 2x as fast as torch's ({compare['essays']} essays)",
         f"{compare['process_torch_s'] / compare['process_onnx_s']:.2f}x ({compare['process_onnx_s']:.1f} s vs "
         f"{compare['process_torch_s']:.1f} s)", compare["process_torch_s"] >= 2 * compare["process_onnx_s"]),
        (f"full build of {big['essays']:,} essays ≤ 150 s on 2 cores", f"{big['build_s']:.1f} s",
         big["build_s"] <= 150),
        (f"add one essay to {big['essays']:,} ≤ 5 % of a full build", f"{share:.1f} %", share <= 5),
        (f"warm reply p95 ≤ 150 ms at {big['essays']:,} essays (search ≤ 50 ms)",
         f"{big['reply_p95']:.0f} ms (search {big['search_p95']:.0f} ms)",
         big["reply_p95"] <= 150 and big["search_p95"] <= 50),
        (f"peak RSS ≤ 1.5 GB at {big['essays']:,} essays", f"{process['maxrss_kb'] / 1024:.0f} MB",
         process["maxrss_kb"] <= 1.5 * 1024 * 1024),
        (f"reply p95 with the state in PostgreSQL ≤ 1.5x SQLite's at {big['essays']:,} essays",
         f"{state['postgresql_p95']:.0f} ms vs {state['sqlite_p95']:.0f} ms "
         f"({state['postgresql_p95'] / state['sqlite_p95']:.2f}x)",
         state["postgresql_p95"] <= 1.5 * state["sqlite_p95"]),
        ("approximate index recall@10 vs exact ≥ 0.95", f"{hnsw['recall10']:.3f}", hnsw["recall10"] >= 0.95),
        ("longest heartbeat gap ≤ 1.5x the interval under load",
         f"{stall['ask_gap'] / stall['interval']:.2f}x (50 /ask), {stall['add_gap'] / stall['interval']:.2f}x (add), "
         f"{stall['burst_gap'] / stall['interval']:.2f}x (bursts), {stall['forget_gap'] / stall['interval']:.2f}x "
         "(/forget)", discord_load.longest(stall) <= 1.5 * stall["interval"]),
    ]
    lines = ["", "## Targets", "", "| target | this run | met |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {'yes' if met else 'NO'} |" for name, value, met in rows]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,100,1000", help="corpus sizes in essays, comma-separated")
    parser.add_argument("--compare", type=int, default=150,
                        help="essays in the build against plain torch encoding, and in the whole-process builds")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--work", type=Path, help="scratch directory (default: a temporary one, removed after)")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    started = datetime.now(UTC)
    load_start = f"{os.getloadavg()[0]:.1f}"
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        work = args.work or Path(scratch)
        models = work / "models"
        print("backends ...", flush=True)
        backends = bench_backends(work, models)
        print("build against plain encoding ...", flush=True)
        compare = bench_build_vs_plain(work, models, args.compare)
        embedder = Embedder(backend=DEFAULT_BACKEND, models_dir=models)
        print("scale ...", flush=True)
        scale, largest = bench_scale(work, embedder, sizes)
        print("state backends ...", flush=True)
        root: Path = largest["root"]  # type: ignore[assignment]
        state = bench_state(largest["library"], root)  # type: ignore[arg-type]
        print("process ...", flush=True)
        shutil.copytree(models, root / "index" / "models", dirs_exist_ok=True)  # the export a real index has
        process = bench_process(root)
        print("dense index ...", flush=True)
        exact = bench_exact_cost()
        hnsw = bench_hnsw(largest["library"])  # type: ignore[arg-type]
        print("discord load ...", flush=True)
        stall = asyncio.run(discord_load.measure())
        load_end = f"{os.getloadavg()[0]:.1f}"
    text = render(backends, compare, scale, process, exact, hnsw, stall, state, started, (load_start, load_end))
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
