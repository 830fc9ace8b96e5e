"""The essay's own sentences, as the tutor looks for what answers a message: inside one essay, by meaning, by word.

Passage search finds where an essay talks about something; a reply quotes a sentence. `EssaySentences` holds, per
essay, every quotable sentence with the vector the index already computed for it (no text is embedded twice), and
answers the tutor's questions about the essay:
- `closest`: the sentences nearest a message in meaning, with a small bonus for sharing the message's *rare*
  words (an incidental word such as "done" shared with "he was done with…" counts for almost nothing);
- `uses`: the sentences where the essay uses a word or phrase, matched by stem ("compartmentalized" finds
  "compartmentalization"), for "what does X mean?" and "does it mention X?";
- `following`: the next sentence, to finish a point a quote would otherwise stop short of.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from dataclasses import dataclass

import numpy as np

from bot.corpus.text import sentence_spans
from bot.language import word_stems
from bot.retrieval.search import Searcher

_STOP_WORDS = frozenset((
    "the a an and or but if of to in on at by for with about from into that this these those it its is are was were be "
    "been being have has had do does did not no so than then too very can could should would will just i me my we our "
    "you your he him his she her they them their what which who whom why how when where there here all any some more "
    "most such only own same other also really").split())
STOP_STEMS = frozenset(word_stems(
    "the a an and or but if of to in on at by for with about from into that this these those it its is are was were be "
    "been being have has had do does did not no so than then too very can could should would will just i me my we our "
    "you your he him his she her they them their what which who whom why how when where there here all any some more "
    "most such only own same other also really essay author writer says say said think mean means one thing things"))
KIN_WORD = 0.8  # a reader's word and an essay's word this close (alone) name the same thing ("dad", "father")
RARE_WORD_WEIGHT = 0.25  # the lexical share of a sentence's score (meaning carries the rest)
PASSAGE_PRIOR = 0.12  # the weight of the hybrid passage score in a sentence's score
ORPHAN_PENALTY = 0.04  # a line that opens its passage pointing back ("This is the hinge…") reads badly alone
# A regex twin of language.leans_back, kept on purpose: it runs on every passage-opening sentence when an essay's
# table is first built during a reply (a hot path at 1,000 essays), where a parse per sentence would cost more
# than the rest of the reply; a wrong flag only nudges a score, never decides.
_POINTS_BACK = re.compile(r"^(?:it|they|this|that|these|those|such)\b", re.IGNORECASE)
_POINTS_AHEAD = re.compile(r"^it (?:(?:is|was|would be|seems|may be|can be) (?:\w+ )?(?:to|that)|matters|"
                           r"(?:is|was) worth)\b", re.IGNORECASE)
CONTEXT_WEIGHT = 0.5  # the line before's share of a sentence's vector in context ("The largest, across his chest…")
PHRASE_WEIGHT = 0.08  # per pair of content words (see _terms) a sentence shares with the query, up to two
RARE_IDF = 2.5  # only words this rare count as shared: an incidental "done" or "work" counts for nothing


@dataclass(frozen=True)
class Sentence:
    essay_id: str
    title: str
    section: str | None
    text: str
    row: int  # the passage's row in the index
    order: int  # the sentence's position in its essay
    vector: np.ndarray
    orphan: bool = False  # opens its passage with a pronoun whose referent is in the passage before

    @property
    def key(self) -> tuple[str, int]:
        return self.essay_id, self.order


class EssaySentences:
    """Per-essay sentence tables over one loaded index (rebuild it when the library swaps in a new index)."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._tables: dict[str, tuple[list[Sentence], np.ndarray, np.ndarray, list[set[str]]]] = {}
        self._vocabularies: dict[str, tuple[list[str], np.ndarray]] = {}
        self._lock = threading.Lock()
        passages = searcher.index.passages
        self._rows: dict[str, list[int]] = {}
        for row, passage in enumerate(passages):
            self._rows.setdefault(passage.essay_id, []).append(row)
        frequency: Counter[str] = Counter()
        for passage in passages:
            frequency.update(set(word_stems(passage.text)))
        total = max(1, len(passages))
        self._idf = {w: math.log((1 + total) / (1 + n)) + 1 for w, n in frequency.items()}

    def essays(self) -> list[str]:
        return list(self._rows)

    def sentences(self, essay_id: str) -> list[Sentence]:
        return self._table(essay_id)[0]

    def _table(self, essay_id: str) -> tuple[list[Sentence], np.ndarray, np.ndarray, list[set[str]]]:
        with self._lock:
            table = self._tables.get(essay_id)
            if table is None:
                table = self._tables[essay_id] = self._build(essay_id)
            return table

    def _build(self, essay_id: str) -> tuple[list[Sentence], np.ndarray, np.ndarray, list[set[str]]]:
        passages = self.searcher.index.passages
        found: list[Sentence] = []
        for row in self._rows.get(essay_id, []):
            passage = passages[row]
            for text, vector in self.searcher.sentence_vectors(row):
                # a unit that joins a short sentence across a paragraph break is not a verbatim quote: its sentences
                # are kept one by one (with the unit's vector); a question would make the reply ask two (the
                # counter-question is its only one)
                pieces = [text] if text in passage.text else [s.text for s in sentence_spans(text)
                                                               if s.text in passage.text]
                for piece in pieces:
                    if "?" not in piece:
                        orphan = passage.text.lstrip().startswith(piece) and bool(_POINTS_BACK.match(piece)) \
                            and not _POINTS_AHEAD.match(piece)
                        found.append(Sentence(essay_id, passage.essay_title, passage.section, piece, row,
                                              len(found), np.asarray(vector, dtype=np.float32), orphan))
        matrix = np.stack([s.vector for s in found]) if found else np.zeros((0, 1), dtype=np.float32)
        stems = [_terms(s.text) for s in found]
        return found, matrix, _in_context(found, matrix), stems

    def contains(self, essay_id: str, text: str) -> bool:
        """The essay has `text` in it (case aside), in a passage or a section heading."""
        wanted = text.lower()
        passages = self.searcher.index.passages
        return any(wanted in passages[row].text.lower() or wanted in (passages[row].section or "").lower()
                   for row in self._rows.get(essay_id, []))

    def rare_weight(self, stems: set[str]) -> float:
        return sum(self._idf.get(s, 1.0) for s in stems)

    def closest(self, essay_id: str, vector: np.ndarray, query: str, *, k: int = 3,
                avoid: frozenset[str] = frozenset(), recent: frozenset[str] = frozenset(),
                prior: dict[int, float] | None = None) -> list[tuple[float, Sentence]]:
        """The k sentences of the essay nearest the query: cosine, plus a small bonus for shared rare words and,
        with `prior` (passage row -> hybrid search score, 0..1), for lying in a passage that search ranks high.
        A sentence scores the better of itself alone and in context (see `_in_context`).
        Sentences already quoted lose 0.15 (`avoid`) or 0.5 (`recent`: the last few replies), so something new
        wins unless nothing else fits. Returned scores are relevance: the cosine plus the rare-word bonus (a line
        that shares the message's one rare word, "bantering", bears on it even when the rest of the message is
        small talk)."""
        sentences, matrix, in_context, stems = self._table(essay_id)
        if not sentences:
            return []
        # a sentence means what it says where it stands: "…tattoos across his body. The largest, across his chest,
        # tells him…" answers "what does the tattoo on his chest say?" only with the line before it
        cosine = np.maximum(matrix @ vector.reshape(-1), in_context @ vector.reshape(-1))
        wanted = set(word_stems(query)) - STOP_STEMS
        weight = self.rare_weight(wanted) or 1.0
        rare = {w for w in wanted if self._idf.get(w, 0.0) >= RARE_IDF}
        lexical = np.array([self.rare_weight(rare & s) / weight for s in stems])
        phrases = {t for t in _terms(query) if " " in t}  # "let back": a phrase shared is more than its words
        shared = np.array([min(len(phrases & s), 2) for s in stems], dtype=np.float32)
        relevance = cosine + RARE_WORD_WEIGHT * lexical + PHRASE_WEIGHT * shared
        scores = relevance.copy()
        if prior:
            scores += PASSAGE_PRIOR * np.array([prior.get(s.row, 0.0) for s in sentences])
        scores -= np.array([0.5 if _within(s.text, recent) else 0.15 if _within(s.text, avoid) else 0.0
                            for s in sentences])
        scores -= ORPHAN_PENALTY * np.array([s.orphan for s in sentences], dtype=np.float32)
        order = np.argsort(-scores)[:k]
        return [(float(relevance[i]), sentences[i]) for i in order]

    def kin_word(self, essay_id: str, vector: np.ndarray, threshold: float = KIN_WORD) -> str | None:
        """The essay's own word closest in meaning to a word a reader used ("father" for "dad"), or None.

        The essay's vocabulary is embedded once, on the first such question about it (a few hundred words, one
        batch), because a reader's synonym is the usual reason a "does it mention X?" finds no literal match."""
        with self._lock:
            cached = self._vocabularies.get(essay_id)
        if cached is None:
            words = sorted({w.lower() for s in self.sentences(essay_id) for w in re.findall(r"[A-Za-z]{3,}", s.text)}
                           - _STOP_WORDS)
            cached = (words, self.searcher.embedder.encode(words) if words else np.zeros((0, 1), dtype=np.float32))
            with self._lock:
                self._vocabularies[essay_id] = cached
        words, matrix = cached
        if not words:
            return None
        similarity = matrix @ vector.reshape(-1)
        best = int(np.argmax(similarity))
        return words[best] if float(similarity[best]) >= threshold else None

    def nearest(self, essay_id: str, vector: np.ndarray) -> tuple[float, Sentence] | None:
        """The sentence nearest in meaning alone (plain cosine: no word bonus, nothing avoided)."""
        sentences, matrix, _, _ = self._table(essay_id)
        if not sentences:
            return None
        cosine = matrix @ vector.reshape(-1)
        best = int(np.argmax(cosine))
        return float(cosine[best]), sentences[best]

    def uses(self, essay_id: str, phrase: str) -> list[Sentence]:
        """The sentences that use `phrase`: every content word of it, by stem, in order and close together; those
        that have it as written first, then in essay order. An acronym ("US", "EU") is matched as written: "US" is
        not "us"."""
        if re.fullmatch(r"[A-Z]{2,6}", phrase.strip()):
            acronym = re.compile(rf"\b{phrase.strip()}\b")
            return [s for s in self.sentences(essay_id) if acronym.search(s.text)]
        wanted = [s for s in word_stems(phrase) if s not in STOP_STEMS] or word_stems(phrase)
        if not wanted:
            return []
        found = [s for s in self.sentences(essay_id) if _in_order(wanted, word_stems(s.text))]
        # the phrase as written before another word of the same stem ("console" before "consoling"), each in order
        written = re.compile(rf"\b{re.escape(phrase.strip())}\b", re.IGNORECASE)
        return sorted(found, key=lambda s: not written.search(s.text))

    def heading_uses(self, essay_id: str, phrase: str) -> list[str]:
        """The section headings of the essay that use `phrase` (matched like `uses`)."""
        wanted = [s for s in word_stems(phrase) if s not in STOP_STEMS] or word_stems(phrase)
        passages = self.searcher.index.passages
        headings = dict.fromkeys(passages[row].section for row in self._rows.get(essay_id, [])
                                 if passages[row].section)
        return [h for h in headings if h and wanted and _in_order(wanted, word_stems(h))]

    def in_section(self, essay_id: str, section: str) -> list[Sentence]:
        return [s for s in self.sentences(essay_id) if s.section == section]

    def preceding(self, sentence: Sentence) -> Sentence | None:
        sentences = self.sentences(sentence.essay_id)
        before = sentence.order - 1
        if before >= 0 and sentences[before].row == sentence.row:
            return sentences[before]
        return None

    def following(self, sentence: Sentence) -> Sentence | None:
        sentences = self.sentences(sentence.essay_id)
        nxt = sentence.order + 1
        if nxt < len(sentences) and sentences[nxt].row == sentence.row:
            return sentences[nxt]
        return None

    def find(self, essay_id: str, text: str) -> Sentence | None:
        """The sentence holding `text` (a quote or a claim), if there is one."""
        return next((s for s in self.sentences(essay_id) if text in s.text or s.text in text), None)


def _in_context(sentences: list[Sentence], matrix: np.ndarray) -> np.ndarray:
    """Each sentence's vector with CONTEXT_WEIGHT of the one before it in its passage, unit length (no text is
    embedded again: a passage-opening sentence keeps its own vector)."""
    context = matrix.copy()
    for i in range(1, len(sentences)):
        if sentences[i - 1].row == sentences[i].row:
            blended = matrix[i] + CONTEXT_WEIGHT * matrix[i - 1]
            context[i] = blended / max(float(np.linalg.norm(blended)), 1e-9)
    return context


def _within(text: str, quoted: frozenset[str]) -> bool:
    return any(text in q or q in text for q in quoted)


def _in_order(wanted: list[str], stems: list[str], gap: int = 3) -> bool:
    """`wanted` appear in `stems` in order, each within `gap` words of the one before."""
    for start, word in enumerate(stems):
        if word != wanted[0]:
            continue
        position, ok = start, True
        for target in wanted[1:]:
            window = stems[position + 1:position + 1 + gap]
            if target not in window:
                ok = False
                break
            position += 1 + window.index(target)
        if ok:
            return True
    return False


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def strip_quotes(text: str) -> str:
    return re.sub(r"^[\"'“‘]+|[\"'”’]+$", "", text.strip())


def _terms(text: str) -> set[str]:
    """A text's content-word stems and its pairs of them in order, at most two words apart ("let back" in both
    "let some stuff back in" and "I let back in a podcast app")."""
    stems = word_stems(text)
    content = set(stems) - STOP_STEMS
    pairs = {f"{a} {b}" for i, a in enumerate(stems) if a in content
             for b in stems[i + 1:i + 4] if b in content and b != a}
    return content | pairs
