"""What gets embedded for a passage.

A passage is represented by several vectors ("units"): the passage with its context (essay title and
section heading), plus each of its sentences alone. A question usually matches one sentence far better than
the whole passage, so dense search scores a passage by its best units (see `search.py`). A very short sentence
("It is to experience everything.") says little alone, so it is embedded together with the one before it.
Measured on the old eval/ set: sentence units lift dense recall@3 on paraphrased questions from 0.70 to 0.85,
and joining short sentences to 0.93; a title/section prefix on sentences, or sentence pairs, made it worse. On
eval/retrieval/dev.jsonl (nine competing essays) the threshold for "short" was chosen again: under 10 words
(dev hybrid recall@3 0.83 against 0.81 for 12); three-sentence windows as extra units did not help
(benchmarks/retrieval.md), so they are not built.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.corpus.models import Passage
from bot.corpus.text import sentence_spans

PASSAGE_UNIT = 0
SENTENCE_UNIT = 1
SHORT_SENTENCE_WORDS = 10


@dataclass(frozen=True)
class Unit:
    passage_row: int
    kind: int
    text: str


def context_text(passage: Passage) -> str:
    """The passage as it is embedded and indexed: title and section first, then the text."""
    heading = passage.essay_title if not passage.section else f"{passage.essay_title} — {passage.section}"
    return f"{heading}\n{passage.text}"


def embedding_units(passages: list[Passage], *, short_words: int = SHORT_SENTENCE_WORDS) -> list[Unit]:
    return [unit for row, passage in enumerate(passages) for unit in passage_units(row, passage, short_words)]


def passage_units(row: int, passage: Passage, short_words: int = SHORT_SENTENCE_WORDS) -> list[Unit]:
    """The units of the passage at index row `row`: the passage in context, then its sentences if it has more
    than one."""
    units = [Unit(row, PASSAGE_UNIT, context_text(passage))]
    sentences = sentence_texts(passage.text, short_words)
    if len(sentences) > 1:
        units.extend(Unit(row, SENTENCE_UNIT, text) for text in sentences)
    return units


def sentence_texts(text: str, short_words: int = SHORT_SENTENCE_WORDS) -> list[str]:
    """The passage's sentences, each one under `short_words` words joined to the sentence before it."""
    joined: list[str] = []
    for sentence in sentence_spans(text):
        if joined and len(sentence.text.split()) < short_words:
            joined[-1] = f"{joined[-1]} {sentence.text}"
        else:
            joined.append(sentence.text)
    return joined
