"""Retrieval ideas measured by `make eval` and not kept: each is a `Searcher` (or a lexical index) that differs
from the chosen one in one step, so that benchmarks/retrieval.md can show what it is worth on dev and test.

None of these is used by the bot. They live here, not in bot/retrieval, because they lost on dev; the figures are
in the per-idea table.
Each variant overrides one step of `Searcher`: `_blend` (unit similarities to a passage's dense score), `_fuse`
(dense with BM25), `query_text` / `embed_query` (what is embedded), or the index's lexical side.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN

from bot.language import parse, parse_many
from bot.retrieval.lexical import LexicalIndex, tokenize
from bot.retrieval.search import Searcher, _minmax
from bot.retrieval.store import LoadedIndex
from bot.retrieval.units import SENTENCE_UNIT, sentence_texts

Tokenizer = Callable[[Sequence[str]], list[list[str]]]
_STOP = frozenset(STOPWORDS_EN)


class Variant(Searcher):
    """A searcher that remembers the text it matched last (single-threaded benchmark use only)."""

    _text = ""

    def prepare(self) -> Variant:
        """Whatever the variant derives from the index before its first search; returns the searcher."""
        return self

    def query_text(self, query: str) -> str:
        self._text = super().query_text(query)
        return self._text

    def _sentence_runs(self) -> list[tuple[int, np.ndarray]]:
        """(passage row, its sentence unit ids in passage order) for passages with sentence units."""
        kinds = self.index.unit_kind
        runs = [(row, ids[kinds[ids] == SENTENCE_UNIT]) for row, ids in enumerate(self._units_of)]
        return [(row, ids) for row, ids in runs if len(ids)]

    def _with_sentence_scores(self, sims: np.ndarray, best: Callable[[np.ndarray], float]) -> np.ndarray:
        """The chosen blend, with `best(sentence similarities)` in place of the best sentence's similarity."""
        whole = sims[self._passage_unit].astype(np.float64)
        sentences = whole.copy()
        for row, ids in self._sentence_runs():
            sentences[row] = best(sims[ids].astype(np.float64))
        w = self.params.passage_weight
        return self._essay_normalised(w * whole + (1 - w) * sentences)


class SecondSentence(Variant):
    """A passage's sentence score is its best sentence plus `share` of its second best (several good sentences
    are more evidence than one)."""

    share = 0.1

    def _blend(self, sims: np.ndarray) -> np.ndarray:
        def best(s: np.ndarray) -> float:
            top = np.sort(s)[::-1]
            return float(top[0] + self.share * (top[1] if len(top) > 1 else 0.0))

        return self._with_sentence_scores(sims, best)


class SoftmaxSentences(Variant):
    """A passage's sentence score is the softmax-weighted mean of its sentences' (temperature `temperature`)."""

    temperature = 0.05

    def _blend(self, sims: np.ndarray) -> np.ndarray:
        def best(s: np.ndarray) -> float:
            weights = np.exp((s - s.max()) / self.temperature)
            return float((weights * s).sum() / weights.sum())

        return self._with_sentence_scores(sims, best)


class NeighbourSentences(Variant):
    """Each sentence's similarity mixed with its better neighbour's in the passage (`share` of it): a sentence
    that answers often leans on the one before or after."""

    share = 0.1

    def _blend(self, sims: np.ndarray) -> np.ndarray:
        def best(s: np.ndarray) -> float:
            padded = np.r_[-np.inf, s, -np.inf]
            neighbour = np.maximum(padded[:-2], padded[2:])
            neighbour = np.where(np.isfinite(neighbour), neighbour, s)
            return float(((1 - self.share) * s + self.share * neighbour).max())

        return self._with_sentence_scores(sims, best)


class NeighbourPassages(Variant):
    """A passage's dense score plus `share` of its better neighbour's in the same essay (answers sit in runs)."""

    share = 0.1

    def _blend(self, sims: np.ndarray) -> np.ndarray:
        dense = super()._blend(sims)
        same_before = np.r_[False, self._essay_of[1:] == self._essay_of[:-1]]
        before = np.where(same_before, np.r_[-np.inf, dense[:-1]], -np.inf)
        after = np.where(np.r_[same_before[1:], False], np.r_[dense[1:], -np.inf], -np.inf)
        neighbour = np.maximum(before, after)
        return dense + self.share * np.where(np.isfinite(neighbour), neighbour, 0.0)


class SentenceFusion(Variant):
    """Dense and BM25 fused per sentence unit (blend, or RRF), before a passage takes its best sentence."""

    fusion = "blend"
    dense_share = 0.9

    def prepare(self) -> SentenceFusion:
        runs = self._sentence_runs()
        self._fused_units = np.concatenate([ids for _, ids in runs])
        texts = [t for row, _ in runs for t in sentence_texts(self.index.passages[row].text)]
        self._sentence_bm25 = _Bm25(texts, tokenize)
        return self

    def _blend(self, sims: np.ndarray) -> np.ndarray:
        units = self._fused_units
        dense = sims[units].astype(np.float64)
        lexical = self._sentence_bm25.scores(self._text).astype(np.float64)
        if self.fusion == "blend":
            fused = self.dense_share * _minmax(dense) + (1 - self.dense_share) * lexical / (lexical.max() or 1.0)
        else:
            fused = 1 / (61 + _ranks(dense)) + np.where(lexical > 0, 1 / (61 + _ranks(lexical)), 0.0)
            fused = _minmax(fused)
        sims = sims.astype(np.float64).copy()
        sims[units] = dense.min() + fused * (dense.max() - dense.min())  # back on the cosine scale of the rest
        return super()._blend(sims)


class SentenceRrf(SentenceFusion):
    """Dense and BM25 fused per sentence unit by reciprocal rank (k 60), before a passage takes its best."""

    fusion = "rrf"


class IdealNormalisedBm25(Variant):
    """BM25 divided by the query's ideal score (each term's best score summed), not by the top hit's: a weak
    lexical match then weighs little instead of being scaled up to 1."""

    def _fuse(self, dense: np.ndarray, lexical: np.ndarray, allowed: np.ndarray) -> np.ndarray:
        model = self.index.lexical._model
        terms = [t for t in dict.fromkeys(tokenize([self._text])[0]) if model is not None and t in model.vocab_dict]
        if model is None or not terms:
            return super()._fuse(dense, lexical, allowed)
        ideal = sum(float(np.max(model.get_scores([t]))) for t in terms)
        weight = self.params.dense_weight
        fused = weight * _minmax(np.where(allowed, dense, -np.inf)) + (1 - weight) * lexical / ideal
        return np.where(allowed, fused, -np.inf)


class ExpandedBm25(Variant):
    """BM25 query terms expanded with the corpus words nearest to each by the model's own word vectors (at most
    `per_word` per word, cosine at least `threshold`, each weighted `weight` × its cosine)."""

    per_word, threshold, weight = 3, 0.5, 0.5

    def prepare(self) -> ExpandedBm25:
        vocabulary = sorted({w for p in self.index.passages for w in _content_words(p.text)})
        self._words = vocabulary
        self._stems = [tokens[0] if tokens else w for w, tokens in zip(vocabulary, tokenize(vocabulary), strict=True)]
        self._word_vectors = self.embedder.encode(vocabulary)
        return self

    def _fuse(self, dense: np.ndarray, lexical: np.ndarray, allowed: np.ndarray) -> np.ndarray:
        model = self.index.lexical._model
        words = _content_words(self._text)
        if model is None or not words:
            return super()._fuse(dense, lexical, allowed)
        own = {s for w in words for s in tokenize([w])[0]}
        extra: dict[str, float] = {}
        similarity = self.embedder.encode(words) @ self._word_vectors.T
        for row in similarity:
            taken = 0
            for j in np.argsort(-row):
                if row[j] < self.threshold or taken == self.per_word:
                    break
                stem = self._stems[j]
                if stem not in own and stem in model.vocab_dict:
                    extra[stem] = max(extra.get(stem, 0.0), float(row[j]))
                    taken += 1
        added = sum((self.weight * s * np.asarray(model.get_scores([t])) for t, s in extra.items()),
                    np.zeros(len(lexical)))
        return super()._fuse(dense, lexical + added.astype(np.float32), allowed)


class StatementQuery(Variant):
    """The question also rewritten as a statement ("why does X do Y" → "X does Y because"), both embedded and
    their vectors averaged: the answering sentence is a statement."""

    def embed_query(self, query: str) -> np.ndarray:
        vector = super().embed_query(query) + self.embedder.encode([as_statement(query)])
        return vector / np.linalg.norm(vector)


class CasualQuery(Variant):
    """Contractions without apostrophes and chat spellings written out ("didnt", "u", "bc"), "??" made "?"."""

    def query_text(self, query: str) -> str:
        text = re.sub(r"[A-Za-z]+", lambda m: _CASUAL.get(m.group(0).lower(), m.group(0)), query)
        return super().query_text(re.sub(r"([?!])\1+", r"\1", text))


_CASUAL = {
    **{f"{w}nt": f"{w}n't" for w in ("did", "does", "do", "is", "are", "was", "were", "has", "have", "would",
                                     "could", "should")},
    "cant": "can't", "wont": "won't", "im": "I'm", "ive": "I've", "youre": "you're", "theyre": "they're",
    "thats": "that's", "whats": "what's", "u": "you", "ur": "your", "bc": "because", "cuz": "because",
    "tho": "though", "gonna": "going to", "wanna": "want to", "kinda": "kind of", "ppl": "people",
}


def as_statement(question: str) -> str:
    """A rough statement form of a question: an inverted "do" dropped, a leading wh-word dropped ("why" becomes a
    trailing "because"), a copula moved after its subject, the question mark gone."""
    doc = parse(question)
    drop: set[int] = set()
    tail = ""
    for sentence in doc.sents:
        root = sentence.root
        subjects = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass", "expl")]
        drop.update(c.i for c in root.children if c.dep_ == "aux" and c.lemma_ == "do" and subjects
                    and c.i < subjects[0].i)
        first = sentence[0]
        if first.tag_ in ("WRB", "WP", "WDT"):
            drop.add(first.i)
            tail = " because" if first.lower_ == "why" else tail
    tokens = [t for t in doc if t.i not in drop and t.text != "?"]
    parts = [t.text_with_ws for t in tokens]
    if tokens and tokens[0].lemma_ == "be" and tokens[0].dep_ == "ROOT":
        subjects = [c for c in tokens[0].children if c.dep_ in ("nsubj", "expl")]
        if subjects:
            end = max(t.i for t in subjects[0].subtree)
            j = next((k for k, t in enumerate(tokens) if t.i == end), None)
            if j is not None:
                parts = parts[1 : j + 1] + [f" {tokens[0].text} "] + parts[j + 1 :]
    return (re.sub(r"\s+", " ", "".join(parts)).strip() + tail) or question


class _Bm25(LexicalIndex):
    """BM25 over `documents` with another tokenizer (lemmas, say)."""

    def __init__(self, documents: Sequence[str], tokenizer: Tokenizer) -> None:
        model = bm25s.BM25()
        model.index(tokenizer(documents), show_progress=False)
        super().__init__(model, len(documents))
        self._tokenizer = tokenizer

    def scores(self, query: str) -> np.ndarray:
        assert self._model is not None
        known = [t for t in self._tokenizer([query])[0] if t in self._model.vocab_dict]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)


class SentenceBm25(LexicalIndex):
    """A passage's BM25 score: half its own (scaled by the top passage's), half its best sentence's (likewise)."""

    def __init__(self, index: LoadedIndex) -> None:
        rows, texts = [], []
        for row, passage in enumerate(index.passages):
            for text in sentence_texts(passage.text):
                rows.append(row)
                texts.append(text)
        super().__init__(None, len(index.passages))
        self._passages = index.lexical
        self._rows = np.array(rows)
        self._sentences = _Bm25(texts, tokenize)

    def scores(self, query: str) -> np.ndarray:
        passage = self._passages.scores(query)
        best = np.zeros(self.size, dtype=np.float32)
        np.maximum.at(best, self._rows, self._sentences.scores(query))
        return 0.5 * passage / (passage.max() or 1.0) + 0.5 * best / (best.max() or 1.0)


def lemma_bm25(index: LoadedIndex, documents: Sequence[str]) -> LoadedIndex:
    """The index with BM25 over spaCy lemmas (stop words out) instead of Snowball stems."""

    def lemmas(texts: Sequence[str]) -> list[list[str]]:
        return [[t.lemma_.lower() for t in doc if (t.is_alpha or t.like_num) and t.lower_ not in _STOP
                 and t.lemma_.lower() not in _STOP] for doc in parse_many(list(texts))]

    return _with_lexical(index, _Bm25(documents, lemmas))


def sentence_bm25(index: LoadedIndex) -> LoadedIndex:
    return _with_lexical(index, SentenceBm25(index))


def _with_lexical(index: LoadedIndex, lexical: LexicalIndex) -> LoadedIndex:
    return replace(index, lexical=lexical)


def _content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z]+", text.lower().replace("’", "'")) if w not in _STOP and len(w) > 2]


def _ranks(scores: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(scores))
    ranks[np.argsort(-scores, kind="stable")] = np.arange(len(scores))
    return ranks
