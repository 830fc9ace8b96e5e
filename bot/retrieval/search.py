"""Hybrid search: dense (best of passage and sentence vectors) fused with BM25, near-duplicates removed.

Before scoring, the question is read twice (see benchmarks/retrieval.md for what each step is worth):
- the essay catalog finds the essays it names ("the butler essay", "the one on Inside Out", "Stevens"); those
  essays' passages get a boost in proportion to how surely they are named (`SearchParams.route_weight`);
- its talk about the text ("according to the writer", "does the essay claim …") is removed (`query.content_of`)
  before it is embedded and matched with BM25.

Then the best `SearchParams.candidates` passages (boosts included) are re-ranked by late interaction: the fused
score shares the final score with MaxSim over the question's and each passage's word-piece vectors
(`piece_share`; late_interaction.py), when the index has them. Passages past the candidates are not returned.

Callers that know which essays matter (the tutor's conversation focus) pass `essay=` to search one essay only, or
`boost={essay_id: weight}` to prefer some essays without excluding the others. A boost is a share of the score
range: 0.2 lifts every passage of that essay by a fifth of the distance between the best and the worst candidate,
enough to win near-ties, not enough to bury a clearly better passage elsewhere.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from bot.corpus.models import Passage
from bot.corpus.text import words
from bot.language import preload
from bot.retrieval.catalog import EssayCatalog
from bot.retrieval.dense_index import is_exact, nearest, stored_vectors
from bot.retrieval.embedder import Embedder
from bot.retrieval.late_interaction import maxsim
from bot.retrieval.query import content_of
from bot.retrieval.store import REBUILD, IndexLoadError, LoadedIndex
from bot.retrieval.units import PASSAGE_UNIT, SENTENCE_UNIT, sentence_texts

Mode = Literal["hybrid", "dense", "bm25"]
# On an approximate (HNSW) index, every passage vector (a sixth of the vectors) is still scored exactly, so that
# fusion's min-max scaling sees the same range as with exact search; the nearest CANDIDATE_UNITS units pick the
# passages whose sentence vectors are scored too. Other passages score by their passage vector alone.
CANDIDATE_UNITS = 256
QUERY_PIECES_KEPT = 256


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
    """Chosen on eval/retrieval/dev.jsonl only (benchmarks/retrieval.md); every field can be overridden."""

    passage_weight: float = 0.4  # dense score = w * passage vector + (1 - w) * best sentence vector
    fusion: Literal["rrf", "blend"] = "blend"  # blend beat RRF by 0.1 recall@3 on dev
    rrf_k: int = 60
    dense_weight: float = 0.8  # rrf: weight of the dense ranking (BM25 has 1.0); blend: dense share
    candidates: int = 50
    duplicate_jaccard: float = 0.8
    route_weight: float = 0.2  # boost of an essay the question names, times how surely it names it (0: off)
    content_only: bool = True  # embed and match the question without its talk about the essay (query.py)
    piece_share: float = 0.5  # late interaction's share of the candidates' final score (0: off)
    # dense scores minus this share of the mean of the essay's three best: an essay near every question (a "hub":
    # the long essay that touches every theme) does not win on its general closeness (0: off; dev recall@3
    # 0.865 -> 0.888, paraphrase recall@3 0.750 -> 0.792)
    essay_norm: float = 0.2


class Searcher:
    def __init__(self, index: LoadedIndex, embedder: Embedder, params: SearchParams | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.params = params or SearchParams()
        self._dimension_checked = False
        self._catalog: EssayCatalog | None = None
        self._catalog_lock = threading.Lock()
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
        # Each passage's essay as a small integer, so that per-essay filters and boosts are one vector operation.
        self._essay_ids = sorted({p.essay_id for p in index.passages})
        number = {essay_id: i for i, essay_id in enumerate(self._essay_ids)}
        self._essay_of = np.array([number[p.essay_id] for p in index.passages], dtype=np.int32)
        # late interaction needs the index's word-piece vectors and an embedder that gives a query's
        self._pieces_of = index.tokens if self.params.piece_share > 0 and callable(
            getattr(embedder, "encode_tokens", None)) else None
        self._query_pieces: OrderedDict[str, np.ndarray] = OrderedDict()  # recent queries' pieces, by text
        self._pieces_lock = threading.Lock()
        if self.params.content_only:
            preload()  # the parser reads questions (query.py): loaded with the index, not on someone's first question

    @property
    def catalog(self) -> EssayCatalog:
        """The catalog of the indexed essays (names, authors, subjects), built on first use and shared."""
        with self._catalog_lock:
            if self._catalog is None:
                self._catalog = EssayCatalog.build(self.index.manifest.essays, self.index.passages)
            return self._catalog

    def search(
        self, query: str, k: int = 5, *, essay: str | None = None, boost: Mapping[str, float] | None = None,
        mode: Mode = "hybrid", vector: np.ndarray | None = None, route: bool = True, rerank: bool = True,
    ) -> list[Hit]:
        """Top-k passages.

        `essay`: only that essay's passages. `boost`: {essay id: share of the score range} added to those essays'
        passages (unknown ids are ignored). `route`: also boost the essays the query names (the catalog).
        `vector`: the query's embedding when the caller already has it, used as given; search itself embeds
        `query_text(query)`, so pass `embed_query(query_text(query))` to rank exactly as without it. `rerank`:
        the late-interaction step, when the index has word pieces (off: the fused ranking of the gist alone).
        """
        query = query.strip()
        passages = self.index.passages
        if not query or not passages or k <= 0:
            return []
        allowed = np.ones(len(passages), dtype=bool)
        if essay is not None:
            allowed = self._essay_of == self._essay_number(essay)
        text = self.query_text(query)
        if mode == "bm25":
            scores = self._ranked_scores(self.index.lexical.scores(text), allowed, positive_only=True)
        else:
            vector = self.embed_query(text or query) if vector is None else vector
            dense = self._dense_scores(vector, np.flatnonzero(allowed) if essay is not None else None)
            if mode == "dense":
                scores = self._ranked_scores(dense, allowed)
            else:
                scores = self._fuse(dense, self.index.lexical.scores(text), allowed)
        boosts = dict(self.routing(query)) if route and essay is None else {}
        for essay_id, weight in (boost or {}).items():
            boosts[essay_id] = boosts.get(essay_id, 0.0) + weight
        boosted = self._boosted(scores, boosts)
        if mode == "hybrid" and rerank and self._pieces_of is not None:
            boosted = self._boosted(self._late_interaction(scores, boosted, text or query, k), boosts)
        return self._top(boosted, k)

    def _late_interaction(self, fused: np.ndarray, boosted: np.ndarray, text: str, k: int) -> np.ndarray:
        """The candidates (the best of `boosted`) scored (1 - share) * fused + share * MaxSim, each min-max
        scaled over the candidates' range; every other passage -inf. Boosts are added again by the caller."""
        assert self._pieces_of is not None
        order = np.argsort(-boosted, kind="stable")[: max(self.params.candidates, k)]
        order = order[np.isfinite(boosted[order])]
        if len(order) < 2:
            return fused
        query = self._pieces(text)
        pieces = np.array([maxsim(query, self._pieces_of.of(int(row))) for row in order])
        share = self.params.piece_share
        rescored = np.full(len(fused), -np.inf)
        rescored[order] = (1 - share) * _minmax(fused)[order] + share * _minmax(pieces)
        return rescored

    def _pieces(self, text: str) -> np.ndarray:
        """The word-piece vectors of `text`: kept from `embed_query`, else encoded now."""
        with self._pieces_lock:
            found = self._query_pieces.get(text)
        if found is None:
            self.embed_query(text)
            with self._pieces_lock:
                found = self._query_pieces[text]
        return found

    def query_text(self, query: str) -> str:
        """What search embeds and matches for `query`: its content without talk about the essay (if enabled)."""
        query = query.strip()
        return (content_of(query) or query) if self.params.content_only and query else query

    def routing(self, query: str) -> dict[str, float]:
        """{essay id: boost} for the essays `query` names (empty when routing is off or nothing is named)."""
        if self.params.route_weight <= 0:
            return {}
        return {n.essay_id: self.params.route_weight * n.strength for n in self.catalog.named_in(query)}

    def _essay_number(self, essay_id: str) -> int:
        try:
            return self._essay_ids.index(essay_id)
        except ValueError:
            return -1  # matches no passage

    def _boosted(self, scores: np.ndarray, boosts: Mapping[str, float]) -> np.ndarray:
        finite = scores[np.isfinite(scores)]
        if not boosts or finite.size == 0:
            return scores
        per_essay = np.zeros(len(self._essay_ids))
        for essay_id, weight in boosts.items():
            number = self._essay_number(essay_id)
            if number >= 0:
                per_essay[number] += weight
        span = float(finite.max() - finite.min()) or 1.0
        return scores + span * per_essay[self._essay_of]

    def embed_query(self, query: str) -> np.ndarray:
        """The (1, dimension) vector of `query` as given; checks the model against the index on first use. With
        late interaction on, the same pass gives the query's word pieces, kept for the search that follows."""
        if self._pieces_of is not None:
            vector, pieces = self.embedder.encode_tokens([query])
            with self._pieces_lock:
                self._query_pieces[query] = pieces[0]
                while len(self._query_pieces) > QUERY_PIECES_KEPT:
                    self._query_pieces.popitem(last=False)
        else:
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

    def best_similarity(self, vector: np.ndarray) -> float:
        """The highest cosine between the (1, d) `vector` and any indexed unit (how near a message is to anything
        in the essays). On a flat index one matrix-vector product: faiss's own search of one query against 87,000
        vectors took 30 ms, the BLAS product takes a few."""
        if self.index.dense.ntotal == 0:
            return 0.0
        if self._passage_vectors is None:
            return float((self._vectors @ vector[0]).max())
        return float(nearest(self.index.dense, vector, 1)[0][0])

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
        return self._essay_normalised(w * whole + (1 - w) * best_sentence)

    def _essay_normalised(self, dense: np.ndarray) -> np.ndarray:
        """`dense` minus `essay_norm` times the mean of each essay's three best passage scores (one sort, not a
        pass per essay: 1,000 essays cost the same as nine)."""
        share = self.params.essay_norm
        if share <= 0 or len(dense) == 0:
            return dense
        order = np.lexsort((-dense, self._essay_of))  # by essay, best first within each
        essays = self._essay_of[order]
        starts = np.flatnonzero(np.r_[True, essays[1:] != essays[:-1]])
        rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
        top = rank < 3
        sums = np.bincount(essays[top], weights=dense[order][top], minlength=len(self._essay_ids))
        counts = np.bincount(essays[top], minlength=len(self._essay_ids))
        penalty = share * sums / np.maximum(counts, 1)
        return dense - penalty[self._essay_of]

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
