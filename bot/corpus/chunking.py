"""Cut essays into passages: paragraph-aware, 40-200 words, never over the embedding model's token limit."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from bot.corpus.models import Essay, Passage, Span
from bot.corpus.text import sentence_spans

TokenCounter = Callable[[str], int]


def approximate_tokens(text: str) -> int:
    """A safe over-estimate of MiniLM word pieces when no tokenizer is at hand."""
    return math.ceil(len(text.split()) * 1.6) + 2


@dataclass(frozen=True)
class ChunkLimits:
    min_words: int = 40
    max_words: int = 200
    max_tokens: int = 256
    # Word pieces reserved for the "title / section" context that is embedded before the passage text.
    context_tokens: int = 40


def chunk_essay(
    essay: Essay,
    limits: ChunkLimits | None = None,
    count_tokens: TokenCounter = approximate_tokens,
) -> list[Passage]:
    """Passages of an essay in reading order. Each passage's text is `essay.text[start:end]`."""
    limits = limits or ChunkLimits()
    passages: list[Passage] = []
    for section in essay.sections:
        pieces: list[Span] = []
        for paragraph in section.paragraphs:
            pieces.extend(_split_long(paragraph, limits, count_tokens))
        for span in _merge_short(essay.text, pieces, limits, count_tokens):
            passages.append(
                Passage(
                    id=f"{essay.id}:{len(passages):04d}",
                    essay_id=essay.id,
                    essay_title=essay.title,
                    section=section.heading,
                    text=span.text,
                    start=span.start,
                    end=span.end,
                )
            )
    return passages


def _fits(text: str, limits: ChunkLimits, count_tokens: TokenCounter) -> bool:
    return (
        len(text.split()) <= limits.max_words
        and count_tokens(text) <= limits.max_tokens - limits.context_tokens
    )


def _split_long(paragraph: Span, limits: ChunkLimits, count_tokens: TokenCounter) -> list[Span]:
    """Split a paragraph that is too long at sentence ends, packing sentences greedily."""
    if _fits(paragraph.text, limits, count_tokens):
        return [paragraph]
    out: list[Span] = []
    current: Span | None = None
    for sentence in sentence_spans(paragraph.text, offset=paragraph.start):
        for piece in _split_words(sentence, limits, count_tokens):
            joined = _join(paragraph, current, piece)
            if current is not None and not _fits(joined.text, limits, count_tokens):
                out.append(current)
                current = piece
            else:
                current = joined
    if current is not None:
        out.append(current)
    return out


def _split_words(sentence: Span, limits: ChunkLimits, count_tokens: TokenCounter) -> list[Span]:
    """Last resort for a single sentence over the limit: cut it between words."""
    if _fits(sentence.text, limits, count_tokens):
        return [sentence]
    pieces: list[Span] = []
    start = 0
    words_seen = 0
    text = sentence.text
    for index, char in enumerate(text):
        if char.isspace() and index > start and not text[index - 1].isspace():
            words_seen += 1
            if words_seen >= limits.max_words // 2 or count_tokens(text[start:index]) >= (
                limits.max_tokens - limits.context_tokens
            ) * 0.8:
                pieces.append(Span(text[start:index], sentence.start + start, sentence.start + index))
                start = index + 1
                words_seen = 0
    pieces.append(Span(text[start:], sentence.start + start, sentence.end))
    return [p for p in pieces if p.text.strip()]


def _join(parent: Span | str, first: Span | None, second: Span) -> Span:
    """The span covering `first` through `second` (text taken from the parent, so it stays verbatim)."""
    if first is None:
        return second
    source = parent.text if isinstance(parent, Span) else parent
    base = parent.start if isinstance(parent, Span) else 0
    return Span(source[first.start - base : second.end - base], first.start, second.end)


def _merge_short(
    text: str, pieces: list[Span], limits: ChunkLimits, count_tokens: TokenCounter
) -> list[Span]:
    """Merge neighbouring pieces of one section while the current one is under `min_words`."""
    merged: list[Span] = []
    for piece in pieces:
        if merged and len(merged[-1].text.split()) < limits.min_words:
            joined = _join(text, merged[-1], piece)
            if _fits(joined.text, limits, count_tokens):
                merged[-1] = joined
                continue
        merged.append(piece)
    if len(merged) > 1 and len(merged[-1].text.split()) < limits.min_words:
        joined = _join(text, merged[-2], merged[-1])
        if _fits(joined.text, limits, count_tokens):
            merged[-2:] = [joined]
    return merged
