"""Hybrid search: dense (best of passage and sentence vectors) fused with BM25, near-duplicates removed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from bot.corpus.models import Passage
from bot.corpus.text import words
from bot.retrieval.dense_index import is_exact, nearest, stored_vectors
from bot.retrieval.embedder import Embedder
from bot.retrieval.store import REBUILD, IndexLoadError, LoadedIndex
from bot.retrieval.units import PASSAGE_UNIT, SENTENCE_UNIT, sentence_texts

Mode = Literal["hybrid", "dense", "bm25"]
# On an approximate (HNSW) index, every passage vector (a sixth of the vectors) is still scored exactly, so that
# fusion's min-max scaling sees the same range as with exact search; the nearest CANDIDATE_UNITS units pick the
# passages whose sentence vectors are scored too. Other passages score by their passage vector alone.
CANDIDATE_UNITS = 256


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float

    def to_json(self) -> dict[str, object]:
        return {
            "essay": self.passage.essay_id,
            "title": self.passage.essay_title,
            "section": self.passage.section,
            "text": self.passage.text,
            "score": round(float(self.score), 6),
        }


@dataclass(frozen=True)
class SearchParams:
    """Tuned on eval/ (see the README's retrieval table); every field can be overridden."""

    passage_weight: float = 0.3  # dense score = w * passage vector + (1 - w) * best sentence vector
    fusion: Literal["rrf", "blend"] = "blend"  # blend beat RRF by 0.03-0.07 recall@3 on eval/
    rrf_k: int = 60
    dense_weight: float = 0.8  # rrf: weight of the dense ranking (BM25 has 1.0); blend: dense share
    candidates: int = 50
    duplicate_jaccard: float = 0.8


class Searcher:
    def __init__(self, index: LoadedIndex, embedder: Embedder, params: SearchParams | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.params = params or SearchParams()
        self._dimension_checked = False
        order = np.argsort(index.unit_passage, kind="stable")  # unit ids grouped by passage, in build order
        bounds = np.searchsorted(index.unit_passage[order], np.arange(len(index.passages) + 1))
        self._units_of = [order[bounds[i] : bounds[i + 1]] for i in range(len(index.passages))]
        self._vectors = stored_vectors(index.dense)
        # Per passage: its passage unit, and its sentence units as one run of `_sentences` (for maximum.reduceat).
        kinds = index.unit_kind[order]
        self._passage_unit = order[kinds == PASSAGE_UNIT]
        self._sentences = order[kinds == SENTENCE_UNIT]
        sentence_rows = index.unit_passage[self._sentences]
        self._sentence_starts = np.flatnonzero(np.r_[True, sentence_rows[1:] != sentence_rows[:-1]]) \
            if len(sentence_rows) else np.zeros(0, dtype=np.int64)
        self._sentence_rows = sentence_rows[self._sentence_starts]
        # On HNSW, a contiguous copy of the passage vectors: all of them are scored exactly (see CANDIDATE_UNITS).
        self._passage_vectors = None if is_exact(index.dense) else np.ascontiguousarray(
            self._vectors[self._passage_unit])

    def search(
        self, query: str, k: int = 5, *, essay: str | None = None, mode: Mode = "hybrid",
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """Top-k passages. `vector`: the query's embedding when the caller already has it."""
        query = query.strip()
        passages = self.index.passages
        if not query or not passages or k <= 0:
            return []
        allowed = np.ones(len(passages), dtype=bool)
        if essay is not None:
            allowed = np.array([p.essay_id == essay for p in passages])
        if mode == "bm25":
            scores = self._ranked_scores(self.index.lexical.scores(query), allowed, positive_only=True)
        else:
            vector = self.embed_query(query) if vector is None else vector
            dense = self._dense_scores(vector, np.flatnonzero(allowed) if essay is not None else None)
            if mode == "dense":
                scores = self._ranked_scores(dense, allowed)
            else:
                scores = self._fuse(dense, self.index.lexical.scores(query), allowed)
        return self._top(scores, k)

    def embed_query(self, query: str) -> np.ndarray:
        """The query's (1, dimension) vector; checks the model against the index on first use."""
        vector = self.embedder.encode([query])
        if not self._dimension_checked:  # checked on first use so that loading an index stays cheap
            if vector.shape[1] != self.index.dense.d:
                raise IndexLoadError(
                    f"dimension mismatch: the index has {self.index.dense.d}-dimensional vectors, the embedding "
                    f"model {self.embedder.name!r} makes {vector.shape[1]}; rebuild with `{REBUILD}`"
                )
            self._dimension_checked = True
        return vector

    def sentence_vectors(self, row: int) -> list[tuple[str, np.ndarray]]:
        """(text, vector) for each sentence unit of passage `row`, or the passage itself if it is one sentence."""
        passage = self.index.passages[row]
        ids = self._units_of[row]
        sentences = sentence_texts(passage.text)
        if len(sentences) <= 1:
            return [(passage.text, self.index.dense.reconstruct(int(ids[0])))]
        vectors = [self.index.dense.reconstruct(int(i)) for i in ids[1:]]
        return list(zip(sentences, vectors, strict=True))

    def dense_scores(self, query: str, vector: np.ndarray | None = None) -> np.ndarray:
        """Per-passage dense score: a blend of the passage vector's and the best sentence vector's cosine."""
        return self._dense_scores(self.embed_query(query) if vector is None else vector)

    def _dense_scores(self, vector: np.ndarray, focus: np.ndarray | None = None) -> np.ndarray:
        """Exact on a flat index; on HNSW, exact for the candidate passages and the `focus` rows (see above)."""
        if self._passage_vectors is None:
            return self._blend(self._vectors @ vector[0])
        rows = np.unique(self.index.unit_passage[nearest(self.index.dense, vector, CANDIDATE_UNITS)[1]])
        if focus is not None:
            rows = np.union1d(rows, focus)
        units = np.concatenate([self._units_of[row] for row in rows]) if len(rows) else np.zeros(0, dtype=np.int64)
        sims = np.full(self.index.dense.ntotal, -np.inf, dtype=np.float32)
        sims[units] = self._vectors[units] @ vector[0]
        sims[self._passage_unit] = self._passage_vectors @ vector[0]
        return self._blend(sims)

    def _blend(self, sims: np.ndarray) -> np.ndarray:
        """Unit similarities to passage scores: w * passage unit + (1 - w) * best sentence unit."""
        whole = sims[self._passage_unit]
        best_sentence = whole.copy()  # one-sentence passages have no sentence units
        if len(self._sentences):
            best_sentence[self._sentence_rows] = np.maximum.reduceat(sims[self._sentences], self._sentence_starts)
        best_sentence = np.where(np.isfinite(best_sentence), best_sentence, whole)  # sentences not scored
        w = self.params.passage_weight
        return w * whole + (1 - w) * best_sentence

    def _ranked_scores(self, scores: np.ndarray, allowed: np.ndarray, positive_only: bool = False) -> np.ndarray:
        scores = np.where(allowed, scores, -np.inf)
        if positive_only:
            scores = np.where(scores > 0, scores, -np.inf)
        return scores

    def _fuse(self, dense: np.ndarray, lexical: np.ndarray, allowed: np.ndarray) -> np.ndarray:
        p = self.params
        dense = np.where(allowed, dense, -np.inf)
        lexical = np.where(allowed & (lexical > 0), lexical, -np.inf)
        if p.fusion == "blend":
            d = _minmax(dense)
            top = np.max(lexical[np.isfinite(lexical)], initial=0.0)
            lex = np.where(np.isfinite(lexical), lexical / top if top > 0 else 0.0, 0.0)
            fused = p.dense_weight * d + (1 - p.dense_weight) * lex
            return np.where(allowed, fused, -np.inf)
        fused = np.zeros(len(dense), dtype=np.float64)
        for scores, weight in ((dense, p.dense_weight), (lexical, 1.0)):
            order = np.argsort(-scores, kind="stable")[: p.candidates]
            for rank, row in enumerate(order):
                if np.isfinite(scores[row]):
                    fused[row] += weight / (p.rrf_k + rank + 1)
        return np.where(allowed & (fused > 0), fused, -np.inf)

    def _top(self, scores: np.ndarray, k: int) -> list[Hit]:
        hits: list[Hit] = []
        seen: list[set[str]] = []
        for row in np.argsort(-scores, kind="stable"):
            if not np.isfinite(scores[row]) or len(hits) == k:
                break
            passage = self.index.passages[row]
            vocabulary = set(words(passage.text))
            if any(_jaccard(vocabulary, other) >= self.params.duplicate_jaccard for other in seen):
                continue
            seen.append(vocabulary)
            hits.append(Hit(passage, float(scores[row])))
        return hits


def _minmax(scores: np.ndarray) -> np.ndarray:
    finite = scores[np.isfinite(scores)]
    if finite.size == 0:
        return np.zeros_like(scores)
    low, high = float(finite.min()), float(finite.max())
    span = high - low or 1.0
    return np.where(np.isfinite(scores), (scores - low) / span, 0.0)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
