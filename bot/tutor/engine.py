"""The tutor: one user message in, one grounded Socratic reply out, with the conversation remembered.

    tutor = Tutor(library, ConversationStore(path))
    reply = tutor.reply("thread-123", "Isn't the outie the real victim?")
    reply.reply        # the text a user sees: answer quoting the essay, then one counter-question

Blocking (model, FAISS, SQLite): async callers use `asyncio.to_thread`. Turns of one conversation are
serialised with a per-conversation lock; different conversations run side by side and never mix.
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from collections import Counter
from functools import cached_property, lru_cache

import numpy as np

from bot.corpus.models import Passage
from bot.corpus.text import sentence_spans, words
from bot.library import Library
from bot.retrieval.lexical import tokenize
from bot.retrieval.search import Hit
from bot.retrieval.store import REBUILD, IndexLoadError
from bot.state import Conversation, ConversationStore, Turn
from bot.tutor.argmap import ARGMAP_FILE, ArgumentMap, Claim
from bot.tutor.composer import Quote, Reply, Situation, compose, key_term, short_quote, user_phrase
from bot.tutor.moves import Move
from bot.tutor.planner import plan_move
from bot.tutor.stance import Stance, StanceDetector, StanceResult
from bot.tutor.voice import LLMVoice, OnText

MAX_ANALYSED_CHARS = 2000  # longer messages are read up to here (a 20,000-character paste stays fast)
_CODE = re.compile(r"```.*?```|`[^`]*`", re.DOTALL)
_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")
_ABOUT_THE_ESSAY = re.compile(
    r"\b(?:what(?:'s| is)\s+(?:this|the)\s+(?:essay|article|piece)\s+(?:even\s+|really\s+)?about|"
    r"main (?:point|idea|claim)|\bthesis\b|\bsum (?:it )?up|\bsummar)",
    re.IGNORECASE,
)
_INJECTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions|rules|prompt|previous|above)\b|\byou are now\b|"
    r"\bsystem prompt\b|\bact as\b|\bpretend (to be|you are)\b|\bnew instructions\b",
    re.IGNORECASE | re.DOTALL,
)


MAX_PROMPT_PASSAGES = 4  # the passages an LLM voice is given: the retrieved ones, then the claim's support


class Tutor:
    """`voice`, when given, phrases replies with an LLM (checked; the offline composer's reply is the fallback)."""

    def __init__(
        self, library: Library, store: ConversationStore, detector: StanceDetector | None = None,
        *, voice: LLMVoice | None = None,
    ) -> None:
        self.library = library
        self.store = store
        self.voice = voice
        self.detector = detector or StanceDetector(self._topic_similarity)
        # one lock per conversation in progress; freed when no turn holds it
        self._locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()
        self._locks_guard = threading.Lock()
        self._loaded_for: str | None = None
        self._embed = lru_cache(maxsize=512)(self._embed_uncached)  # the same text is embedded once per turn

    def _embed_uncached(self, text: str) -> np.ndarray:
        return self.library.searcher.embed_query(text)

    def _topic_similarity(self, message: str) -> float:
        """How close a message is to anything in the essays: the best cosine over all indexed units."""
        dense = self.library.index.dense
        if dense.ntotal == 0:
            return 0.0
        similarities, _ = dense.search(self._embed(message), 1)
        return float(similarities[0][0])

    # ---- the argument map, reloaded whenever the library swaps in a new build ----------------------------------
    @property
    def argmap(self) -> ArgumentMap:
        index = self.library.index
        if self._loaded_for != str(index.path):
            try:
                text = (index.path / ARGMAP_FILE).read_text(encoding="utf-8")
                self._argmap = ArgumentMap.from_json(text)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise IndexLoadError(
                    f"the index has no usable argument map ({exc}); rebuild with `{REBUILD}`"
                ) from None
            self.__dict__.pop("rarity", None)
            self._loaded_for = str(index.path)
        return self._argmap

    @cached_property
    def rarity(self) -> dict[str, float]:
        """Inverse document frequency of words over passages, to find a claim's key term."""
        passages = self.library.index.passages
        frequency = Counter(w for p in passages for w in set(words(p.text)))
        return {w: math.log((1 + len(passages)) / (1 + n)) + 1 for w, n in frequency.items()}

    def thesis(self, essay: str | None = None) -> tuple[Claim, list[Claim]]:
        """The thesis and main claims of an essay (the first essay when none is named)."""
        argmap = self.argmap
        essay_id = self.library.resolve_essay(essay).id if essay else next(iter(sorted(argmap.essays)))
        argument = argmap.essays[essay_id]
        return argument.thesis, list(argument.claims)

    # ---- turns ---------------------------------------------------------------------------------------------
    def reply(self, conversation_id: str, message: str, *, essay: str | None = None,
              on_text: OnText | None = None) -> Reply:
        """Answer one user message in a conversation (created on first use) and remember the exchange.

        With an LLM voice, `on_text` is called with the model's unchecked text so far as it streams in; the
        returned reply is the checked one."""
        with self._lock(conversation_id):
            conversation = self.store.load(conversation_id)
            if essay is not None:
                conversation.essay_id = self.library.resolve_essay(essay).id
            reply = self._answer(conversation, message, on_text=on_text)
            self.store.record(
                conversation,
                Turn("user", message[:MAX_ANALYSED_CHARS * 2], stance=reply.stance.value),
                self._tutor_turn(reply),
            )
            return reply

    def another_angle(self, conversation_id: str) -> Reply:
        """A new counter-question of a different move on the same point (the "Another angle" button)."""
        with self._lock(conversation_id):
            conversation = self.store.load(conversation_id)
            last_user = conversation.user_messages[-1] if conversation.user_messages else ""
            last_move = Move(conversation.moves[-1]) if conversation.moves else None
            reply = self._answer(conversation, last_user, exclude=last_move)
            self.store.record(conversation, None, self._tutor_turn(reply))
            return reply

    def sources(self, conversation_id: str) -> list[Passage]:
        """The full passages behind the quotes of the conversation's last reply (the "Sources" button)."""
        conversation = self.store.load(conversation_id)
        if not conversation.tutor_turns:
            return []
        passages = self.library.index.passages
        found: list[Passage] = []
        for quote in conversation.tutor_turns[-1].quotes:
            match = next((p for p in passages if p.essay_id == quote["essay"] and str(quote["text"]) in p.text), None)
            if match is not None and match not in found:
                found.append(match)
        return found

    def end(self, conversation_id: str) -> None:
        self.store.close(conversation_id)

    def _lock(self, conversation_id: str) -> threading.Lock:
        with self._locks_guard:
            lock = self._locks.get(conversation_id)
            if lock is None:
                lock = self._locks[conversation_id] = threading.Lock()
            return lock

    @staticmethod
    def _tutor_turn(reply: Reply) -> Turn:
        return Turn("tutor", reply.reply, stance=reply.stance.value, move=reply.move.value, question=reply.question,
                    claim_id=reply.claim_id, quotes=tuple(q.to_json() | {"title": q.title} for q in reply.quotes))

    def _answer(self, conversation: Conversation, message: str, *, exclude: Move | None = None,
                on_text: OnText | None = None) -> Reply:
        text = clean_message(message)
        situation = Situation.NORMAL
        claim = self._current_claim(conversation)
        if not text:
            situation = Situation.EMPTY
            stance = StanceResult(Stance.OFFTOPIC, 1.0, ("empty",), True)
        elif _INJECTION.search(text):
            situation = Situation.INJECTION
            stance = StanceResult(Stance.OFFTOPIC, 1.0, ("instructions to the tutor",), False)
        searcher = self.library.searcher
        engaged = situation is Situation.NORMAL
        hits: list[Hit] = []
        if engaged:
            query = text
            if len(text.split()) < 6 and conversation.questions:
                query = f"{conversation.questions[-1]} {text}"  # a terse answer is read against the last question
            vector = self._embed(query)
            hits = searcher.search(query, k=3, essay=conversation.essay_id, vector=vector)
            # stance is judged against the claim the message is about, found through the passages it matches
            about = self._claim_for(hits, vector, claim) if hits else claim
            if _ABOUT_THE_ESSAY.search(text):  # "what is this essay about?" is answered with the thesis
                about = self.argmap.essays[hits[0].passage.essay_id].thesis if hits else about
            last_question = conversation.questions[-1] if conversation.questions else None
            stance = self.detector.detect(text, about=about.text, context=last_question)
            if stance.short and stance.stance is not Stance.OFFTOPIC:
                situation = Situation.SCAFFOLD
            engaged = situation is Situation.NORMAL and stance.stance is not Stance.OFFTOPIC
            if engaged:
                claim = about
        if not engaged:  # stay on the point under discussion and quote from it
            query = claim.text
            vector = self._embed(query)
            hits = searcher.search(query, k=3, essay=conversation.essay_id, vector=vector)
        conversation.claim_id = claim.id
        plan = plan_move(stance, conversation.moves, exclude=exclude)
        prefer_claim = stance.stance is Stance.DISAGREE or claim.kind == "thesis"
        quotes = self._quotes(hits, claim, query, vector, conversation, prefer_claim=prefer_claim)
        slots: dict[str, str | None] = {
            "claim": claim.gist,
            # the user's own words are argued with only when they made a claim, not when they asked something
            "user": user_phrase(text) if engaged and stance.stance is not Stance.QUESTION else None,
            "term": self._term(claim, quotes),
            "quote": short_quote(quotes[0].text) if quotes else None,
        }
        offline = compose(stance=stance.stance, situation=situation, move=plan.move, claim=claim, quotes=quotes,
                          slots=slots, asked=conversation.questions, turn=len(conversation.tutor_turns))
        if self.voice is None or situation in (Situation.EMPTY, Situation.INJECTION):
            return offline  # nothing to say to, or words not to pass on: the offline reply is the right one
        return self.voice.say(offline, passages=self._prompt_passages(hits, claim), claim=claim.text,
                              history=conversation.turns, message=text, scaffold=situation is Situation.SCAFFOLD,
                              on_text=on_text)

    def _prompt_passages(self, hits: list[Hit], claim: Claim) -> list[Passage]:
        by_id = {p.id: p for p in self.library.index.passages}
        ids = dict.fromkeys([h.passage.id for h in hits] + [pid for pid in claim.passage_ids if pid in by_id])
        return [by_id[pid] for pid in list(ids)[:MAX_PROMPT_PASSAGES]]

    def _term(self, claim: Claim, quotes: list[Quote]) -> str | None:
        """A key phrase to question: from a sentence claim, or (a heading's words being a title, not a concept)
        from the sentence just quoted; None when there is no two-word phrase, so forms needing one are skipped."""
        source = quotes[0].text if claim.kind == "heading" and quotes else claim.text
        term = key_term(source, self.rarity)
        return term if term and " " in term else None

    def _current_claim(self, conversation: Conversation) -> Claim:
        argmap = self.argmap
        if conversation.claim_id and (claim := argmap.claim(conversation.claim_id)):
            return claim
        essay_id = conversation.essay_id or next(iter(sorted(argmap.essays)))
        return argmap.essays[essay_id].thesis

    def _claim_for(self, hits: list[Hit], vector: np.ndarray, current: Claim) -> Claim:
        """The claim the message is about: the closest claim supported by the top passages (or the thesis).

        The current claim gets a small head start, so the discussion stays on a point until the user moves.
        """
        argmap = self.argmap
        candidates = {current.id: current}
        for hit in hits[:2]:
            candidates.update({c.id: c for c in argmap.claims_for_passage(hit.passage.id)})
            thesis = argmap.essays[hit.passage.essay_id].thesis
            if hit.passage.id in thesis.passage_ids:
                candidates[thesis.id] = thesis
        claims = list(candidates.values())
        similarity = np.stack([self._embed(c.text)[0] for c in claims]) @ vector[0]
        similarity += np.array([0.05 if c.id == current.id else 0.0 for c in claims])
        return claims[int(np.argmax(similarity))]

    def _quotes(self, hits: list[Hit], claim: Claim, query: str, vector: np.ndarray, conversation: Conversation,
                *, prefer_claim: bool) -> list[Quote]:
        """The one or two sentences most relevant to the message, preferring ones not quoted before.

        Like passage search, sentence choice blends meaning (0.75 × cosine) with shared stemmed words (0.25).
        """
        index = self.library.index
        rows = {p.id: row for row, p in enumerate(index.passages)}
        passage_ids = [h.passage.id for h in hits] + [pid for pid in claim.passage_ids if pid in rows]
        quoted = conversation.quoted
        query_terms = set(tokenize([query])[0])
        scored: list[tuple[float, str, int]] = []
        for passage_id in dict.fromkeys(passage_ids):
            row = rows[passage_id]
            bonus = 0.15 if prefer_claim and passage_id in claim.passage_ids else 0.0
            for text, sentence_vector in self.library.searcher.sentence_vectors(row):
                if "?" in text or text not in index.passages[row].text:
                    continue
                overlap = len(query_terms & set(tokenize([text])[0])) / len(query_terms) if query_terms else 0.0
                score = 0.75 * float(sentence_vector @ vector[0]) + 0.25 * overlap + bonus
                score -= 1.0 if text in quoted else 0.0  # quote something new unless nothing else fits
                scored.append((score, text, row))
        scored.sort(key=lambda item: -item[0])
        chosen: list[Quote] = []
        for score, text, row in scored:
            if len(chosen) == 2 or (chosen and score < scored[0][0] - 0.03):
                break
            passage = index.passages[row]
            if chosen and (chosen[0].text == text or chosen[0].essay == passage.essay_id and chosen[0].section ==
                           passage.section):
                continue  # a second quote only when it brings another part of the essay
            text = _trim(text)
            chosen.append(Quote(passage.essay_id, passage.essay_title, passage.section, text))
        return chosen


def clean_message(message: str) -> str:
    """The part of a message worth reading: no code blocks, no mass mentions, bounded length."""
    text = _CODE.sub(" ", message[: MAX_ANALYSED_CHARS * 2])
    text = _MENTION.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()[:MAX_ANALYSED_CHARS]


def _trim(text: str, limit: int = 360) -> str:
    """Keep quotes short: a long unit is cut back to its first sentence (still verbatim)."""
    return text if len(text) <= limit else sentence_spans(text)[0].text
