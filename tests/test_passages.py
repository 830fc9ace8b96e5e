"""Passages: verbatim spans, size limits, stable ids."""

from __future__ import annotations

from bot.corpus import ChunkLimits, chunk_essay, parse_essay, read_essay
from bot.corpus.text import sentence_spans
from bot.retrieval.embedder import Embedder
from tests.conftest import SECOND_ESSAY, SEED


def test_every_passage_is_verbatim_in_its_essay_and_in_the_source(embedder: Embedder) -> None:
    for path in (SEED, SECOND_ESSAY):
        essay = read_essay(path)
        source = path.read_text(encoding="utf-8")
        passages = chunk_essay(essay, count_tokens=embedder.count_tokens)
        assert passages
        for passage in passages:
            assert essay.text[passage.start : passage.end] == passage.text
            for paragraph in passage.text.split("\n\n"):
                assert paragraph in source  # quotes can be checked against the file itself
        covered = "".join(essay.text[p.start : p.end] for p in passages)
        assert sum(len(p.text) for p in essay.paragraphs) <= len(covered)  # no paragraph text lost


def test_seed_passages_keep_sections_and_sizes(embedder: Embedder) -> None:
    essay = read_essay(SEED)
    passages = chunk_essay(essay, count_tokens=embedder.count_tokens)
    assert [p.id for p in passages] == [f"severance:{i:04d}" for i in range(len(passages))]
    assert {p.section for p in passages} == {s.heading for s in essay.sections}
    for passage in passages:
        assert 40 <= len(passage.text.split()) <= 200
        assert embedder.count_tokens(passage.text) <= 256


def test_long_paragraph_is_split_at_sentence_ends_under_the_token_limit(embedder: Embedder) -> None:
    sentences = [f"Sentence number {i} argues that the office keeps what the worker forgets, again and again."
                 for i in range(60)]
    raw = ("Long One\n\n" + " ".join(sentences)).encode()
    essay = parse_essay(raw, name="long.txt", suffix=".txt")
    limits = ChunkLimits()
    passages = chunk_essay(essay, limits, embedder.count_tokens)
    assert len(passages) > 1
    for passage in passages:
        assert embedder.count_tokens(passage.text) <= limits.max_tokens - limits.context_tokens
        assert passage.text.endswith(".")  # cut at a sentence end
        assert essay.text[passage.start : passage.end] == passage.text


def test_a_long_paragraph_is_cut_into_balanced_pieces_not_a_stub(embedder: Embedder) -> None:
    sentences = [f"Sentence {i} weighs the record of the day against the memory of the night before it."
                 for i in range(13)]
    raw = ("Balanced\n\n" + " ".join(sentences)).encode()
    essay = parse_essay(raw, name="balanced.txt", suffix=".txt")
    limits = ChunkLimits(max_words=200, max_tokens=256, context_tokens=40)
    passages = chunk_essay(essay, limits, embedder.count_tokens)
    sizes = [len(p.text.split()) for p in passages]
    assert len(passages) == 2  # greedy packing makes the same number of pieces, the last one a stub
    assert max(sizes) - min(sizes) <= 20, sizes
    assert " ".join(p.text for p in passages) == essay.paragraphs[0].text


def test_short_neighbours_merge_within_a_section_only() -> None:
    raw = b"An Essay\n\nPart One\n\nTiny first paragraph here.\n\nTiny second one.\n\nPart Two\n\nAlone in its section."
    essay = parse_essay(raw, name="tiny.txt", suffix=".txt")
    passages = chunk_essay(essay)
    assert [(p.section, p.text) for p in passages] == [
        ("Part One", "Tiny first paragraph here.\n\nTiny second one."),
        ("Part Two", "Alone in its section."),
    ]


def test_sentence_spans_are_verbatim_with_curly_quotes() -> None:
    text = "Haven’t we all wanted to ‘turn off’ for eight hours a day? Or distance ourselves from grief. “Yes.” Done"
    spans = sentence_spans(text, offset=10)
    assert [s.text for s in spans] == [
        "Haven’t we all wanted to ‘turn off’ for eight hours a day?",
        "Or distance ourselves from grief.",
        "“Yes.”",
        "Done",
    ]
    for span in spans:
        assert text[span.start - 10 : span.end - 10] == span.text
