"""The tutor: one reader's message in, one grounded Socratic reply out, with the conversation remembered.

    tutor = Tutor(library, ConversationStore(path))
    reply = tutor.reply("thread-123", "Isn't the outie the real victim?")
    reply.reply        # the text a reader sees: an answer quoting the essay, then one counter-question

A turn: read the message (`understanding.understand`: what kind of turn it is, what it is about, what the reader
did), settle the conversation's focus essay (`focus.decide`), answer it from that essay (`replies.Responder`),
then ask one counter-question that fits (`questions.choose_question`) and remember the exchange.

Blocking (model, FAISS, parser, SQLite): async callers use `asyncio.to_thread`. Turns of one conversation are
serialised with a per-conversation lock; different conversations run side by side and never mix.
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np

from bot.corpus.models import Passage
from bot.corpus.text import sentence_spans, words
from bot.language import asked_sentences, parse, plain, quoted, word_stems
from bot.library import Library
from bot.retrieval.catalog import EssayCatalog, Naming
from bot.retrieval.store import REBUILD, IndexLoadError, LoadedIndex
from bot.state import Conversation, ConversationStore, Turn
from bot.tutor.argmap import ARGMAP_FILE, ArgumentMap, Claim
from bot.tutor.composer import Draft, Quote, Reply, compose
from bot.tutor.evidence import EssaySentences
from bot.tutor.focus import NAMED, Focus, decide, hinted, within_pair
from bot.tutor.moves import Move
from bot.tutor.phrases import scheme
from bot.tutor.planner import plan_move
from bot.tutor.questions import choose_question
from bot.tutor.replies import TUTOR_INTRO, Responder, Response
from bot.tutor.replies import Turn as Exchange
from bot.tutor.stance import Stance, StanceDetector
from bot.tutor.understanding import Act, Kind, Understanding, understand
from bot.tutor.voice import LLMVoice, OnText

MAX_ANALYSED_CHARS = 2000  # longer messages are read up to here (a 20,000-character paste stays fast)
MAX_PROMPT_PASSAGES = 4  # the passages an LLM voice is given: the quoted ones, then the claim's support
_WORDS = re.compile(r"[\w’']+")  # the words bot.language.word_stems stems, one for one
_CODE = re.compile(r"```.*?```|`[^`]*`", re.DOTALL)
_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")
_GENERAL = re.compile(r"\b(?:in general|generally|not (?:asking )?about (?:one|a|any) (?:movie|film|essay|book)|"
                      r"any of them|all of them|not one movie|across the essays)\b", re.IGNORECASE)
_PICKING = re.compile(r"\b(?:pick|choose|select)\b.{0,12}\b(?:one|an essay|of (?:these|them|the essays))\b|"
                      r"\bwhich (?:one|essay)\b.{0,20}\b(?:should i|would you recommend|do you recommend|(?:is|'s) "
                      r"(?:the )?(?:best|easiest|shortest))", re.IGNORECASE)
# "what can I do with this bot?", "how does this work?": a newcomer asking what the tutor is, not a topic
_ABOUT_THE_TUTOR = re.compile(r"\bwhat (?:(?:can|could|should) (?:i|we|you)|(?:i|we) (?:can|could)) do\b(?:.{0,20}\b"
                              r"(?:bot|tutor|here|this|you)\b|\s*[?.!]*$)|\bhow (?:does|do) (?:this|it|the bot|you) "
                              r"work\b|\bwhat (?:is|'s|are) (?:this (?:bot|thing|place|server)|you)\b|\bwho are you\b",
                              re.IGNORECASE)
_ESSAY_NOUNS = ("essay", "one", "piece", "article", "text")  # what "the ___ about X" calls an essay
_TALK = re.compile(r"\b(?:talk|chat|discuss|discussing|go over|read)\b", re.IGNORECASE)


def _asks_to_talk(text: str) -> bool:
    """The message asks to talk about an essay and asks nothing else: every question in it is that request ("is
    this the right place to talk about the essay on the phone detox?"), or it has none ("I would like to discuss
    the essay about the butler")."""
    asked = asked_sentences(text)
    return bool(_TALK.search(text)) and len(text.split()) <= 45 and all(_TALK.search(s) for s in asked)


# "it's the one about memory": a subject several essays share says which essays, not which essay
_VAGUE = re.compile(rf"\b(?:the|an?)\s+(?:{'|'.join(_ESSAY_NOUNS)})\s+(?:about|on)\s+"
                    r"(?P<what>\w+(?:\s+\w+)?)\s*[.!?]*\s*$", re.IGNORECASE)
_DESCRIBED = re.compile(rf"\b(?:{'|'.join(_ESSAY_NOUNS)})\s+(?:about|on|where|with|that talks about)\s+"
                        r"(?P<what>[^.!?;]{8,160})", re.IGNORECASE)


@dataclass
class _Build:
    """Everything derived from one loaded index: rebuilt when the library swaps in a new build."""

    index: LoadedIndex
    argmap: ArgumentMap
    sentences: EssaySentences
    catalog: EssayCatalog
    responder: Responder
    rarity: dict[str, float]
    # filled as turns need them (a first turn ranks a dozen essays; computing these for all 1,000 up front would
    # cost seconds at start-up): each essay's thesis vector, and the essays each passage names
    thesis_vectors: dict[str, np.ndarray | None] = field(default_factory=dict)
    passage_names: dict[str, list[Naming]] = field(default_factory=dict)

    def names_in(self, passage: Passage) -> list[Naming]:
        names = self.passage_names.get(passage.id)
        if names is None:
            names = self.passage_names[passage.id] = [n for n in self.catalog.named_in(passage.text)
                                                      if n.strength >= 0.6]
        return names


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
        self._build_lock = threading.Lock()
        self._build: _Build | None = None
        self._embed = lru_cache(maxsize=2048)(self._embed_uncached)  # the same text is embedded once

    def _embed_uncached(self, text: str) -> np.ndarray:
        return self.library.searcher.embed_query(text)

    def _topic_similarity(self, message: str) -> float:
        """How close a message is to anything in the essays: the best cosine over all indexed units."""
        return self.library.searcher.best_similarity(self._embed(message))

    # ---- what the tutor knows of the live index ------------------------------------------------------------------
    @property
    def current(self) -> _Build:
        index = self.library.index
        with self._build_lock:
            if self._build is None or self._build.index is not index:
                self._build = self._load(index)
            return self._build

    def _load(self, index: LoadedIndex) -> _Build:
        try:
            argmap = ArgumentMap.from_json((index.path / ARGMAP_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexLoadError(f"the index has no usable argument map ({exc}); rebuild with `{REBUILD}`") from None
        passages = index.passages
        frequency = Counter(w for p in passages for w in set(words(p.text)))
        rarity = {w: math.log((1 + len(passages)) / (1 + n)) + 1 for w, n in frequency.items()}
        sentences = EssaySentences(self.library.searcher)
        catalog = self.library.searcher.catalog  # the search's own catalog: built once per index
        responder = Responder(argmap, sentences, catalog, self.detector, lambda w: rarity.get(w.lower(), 1.0),
                              self._embed)
        return _Build(index, argmap, sentences, catalog, responder, rarity)

    @property
    def argmap(self) -> ArgumentMap:
        return self.current.argmap

    @property
    def rarity(self) -> dict[str, float]:
        """Inverse document frequency of words over passages (the weekly discussion names themes with it)."""
        return self.current.rarity

    def thesis(self, essay: str | None = None) -> tuple[Claim, list[Claim]]:
        """The thesis and main claims of an essay (the newest essay when none is named)."""
        build = self.current
        if essay:
            essay_id = self.library.resolve_essay(essay).id
        else:
            newest = build.catalog.newest()
            essay_id = newest.id if newest else next(iter(sorted(build.argmap.essays)))
        argument = build.argmap.essays[essay_id]
        return argument.thesis, list(argument.claims)

    # ---- turns ---------------------------------------------------------------------------------------------------
    def reply(self, conversation_id: str, message: str, *, essay: str | None = None,
              on_text: OnText | None = None) -> Reply:
        """Answer one message in a conversation (created on first use) and remember the exchange. `essay` fixes
        the conversation's focus (an id, file name or title).

        With an LLM voice, `on_text` is called with the model's unchecked text so far as it streams in; the
        returned reply is the checked one."""
        chosen = self.library.resolve_essay(essay).id if essay is not None else None
        with self._lock(conversation_id):
            conversation = self.store.load(conversation_id)
            text = clean_message(message)
            previous = _previous_kind(conversation)
            understanding = understand(text, previous)
            reply, asks = self._answer(conversation, text, understanding, chosen=chosen, on_text=on_text)
            user_turn = Turn("user", message[:MAX_ANALYSED_CHARS * 2], stance=reply.stance.value,
                             meta={"kind": understanding.kind.value, "acts": sorted(a.value for a in
                                                                                   understanding.acts),
                                   **({} if understanding.questions is None else
                                      {"questions": understanding.questions}),
                                   **({"closing": True} if understanding.target == "closing" else {})})
            self.store.record(conversation, user_turn, self._tutor_turn(reply, asks))
            return reply

    def another_angle(self, conversation_id: str) -> Reply:
        """A new counter-question of a different move on the same point (the "Another angle" button)."""
        with self._lock(conversation_id):
            conversation = self.store.load(conversation_id)
            last = conversation.tutor_turns[-1] if conversation.tutor_turns else None
            if last is None or conversation.essay_id is None:
                text = conversation.user_messages[-1] if conversation.user_messages else ""
                reply, asks = self._answer(conversation, text, understand(text), chosen=None)
            else:
                quotes = [Quote(str(q["essay"]), str(q.get("title") or q["essay"]), q.get("section"), str(q["text"]))
                          for q in last.quotes]
                claim = self.current.argmap.claim(last.claim_id) if last.claim_id else None
                response = Response(Draft("Another way into the same point:", quotes), [], Stance(last.stance)
                                    if last.stance in Stance.__members__.values() else Stance.QUESTION, claim)
                reply, asks = self._finish(conversation, response, Kind.POSITION, frozenset(),
                                           exclude=Move(last.move) if last.move else None)
            self.store.record(conversation, None, self._tutor_turn(reply, asks))
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
    def _tutor_turn(reply: Reply, asked: dict[str, str]) -> Turn:
        return Turn("tutor", reply.reply, stance=reply.stance.value, move=reply.move.value, question=reply.question,
                    claim_id=reply.claim_id, quotes=tuple(q.to_json() | {"title": q.title} for q in reply.quotes),
                    meta={"kind": reply.kind, "essay": reply.essay, **asked})

    # ---- one turn ------------------------------------------------------------------------------------------------
    def _answer(self, conversation: Conversation, text: str, understanding: Understanding, *, chosen: str | None,
                on_text: OnText | None = None) -> tuple[Reply, dict[str, str]]:
        build = self.current
        essays = [record.id for record in build.index.manifest.essays if record.id in build.argmap.essays]
        # a line of the focus essay quoted back names nothing: '"…the best part of the day". essay says…' is not
        # "the day essay"
        unquoted = self._unquoted(text, conversation.essay_id)
        namings = build.catalog.named_in(unquoted) if text else []
        if understanding.kind is Kind.MENTION and understanding.target and conversation.essay_id:
            namings = _outside_target(build.catalog, text, understanding.target, namings)
        distinctive = build.catalog.distinctive(text) if text else {}
        described = hinted(distinctive)
        if described and unquoted != text:
            described = None  # '"the evening is the best part of the day". why not?' is about the essay it quotes
        # the essays ranked for this turn: computed once, and only if the focus decision or the listing needs it
        ranked = cache(lambda: self._rank_essays(" ".join([*conversation.user_messages[-3:], text])))
        # "i'm supposed to pick one of these for class": help choosing, not a topic to search the essays for
        newcomer = not namings and described is None and bool(_ABOUT_THE_TUTOR.search(text))
        # "we're supposed to pick one. i read the one about the girl with the emotions in her head": already picked
        picking = newcomer or not namings and described is None and bool(_PICKING.search(text)) and not \
            _DESCRIBED.search(text)
        vague = conversation.essay_id is None and chosen is None and not namings and described is None and bool(
            _VAGUE.search(text))
        focus = decide(current=conversation.essay_id if conversation.essay_id in essays else None, chosen=chosen,
                       other=conversation.other_id, namings=namings,
                       kind=Kind.SOCIAL if picking or vague else understanding.kind,
                       switch=understanding.switch, essays=essays,
                       best_essays=ranked,
                       asked=sum(1 for t in conversation.tutor_turns if t.meta.get("kind") == "choose"),
                       general=bool(_GENERAL.search(text)),
                       described=None if described and _in_passing(text, distinctive[described])
                       else described,
                       passing=frozenset(n.essay_id for n in namings if _in_passing(text, self._naming_stems(n))),
                       source=conversation.focus_source)
        focus = within_pair(focus, before=(conversation.essay_id, conversation.other_id), kind=understanding.kind,
                            both=bool(_BOTH.search(text)), named={n.essay_id for n in namings if n.strength >= NAMED},
                            addressed=self._addressed(text, namings) if focus.other else set())
        first_focus = conversation.essay_id is None and focus.essay is not None
        self._apply(conversation, focus)
        if focus.essay is None:
            candidates = [e for e, _ in ranked()][:3] if understanding.kind not in (
                Kind.SOCIAL, Kind.SHORT, Kind.EMPTY, Kind.INJECTION, Kind.HELP) and text and not picking else []
            hello = (f"{TUTOR_INTRO} " if newcomer or understanding.kind is Kind.HELP else
                     "Hi! " if understanding.kind is Kind.SOCIAL else "Happy to help you choose. " if picking else
                     "I'll stay in my role: I quote the essays and ask about them. "
                     if understanding.kind is Kind.INJECTION else "")
            response = build.responder.choose_essay(text, essays, candidates, hello=hello)
            return self._finish(conversation, response, Kind.CHOOSE, understanding.acts,
                                questions=understanding.questions)
        general = focus.source == "general" or conversation.focus_source == "general" and not focus.changed
        exchange = Exchange(conversation, text, understanding, focus.essay, focus.other, self._embed,
                            changed=focus.changed, named_other=focus.named_other or general,
                            guessed=focus.source == "guessed", described=bool(_DESCRIBED.search(text)),
                            together=focus.together)
        # "the inside out one" to "which essay?", or to a greeting when the library has one essay: the essay, please
        opening = first_focus and focus.source in ("named", "chosen") or len(conversation.tutor_turns) <= 1 and any(
            n.essay_id == focus.essay for n in namings)
        if opening and understanding.kind in (Kind.POSITION, Kind.SWITCH) and len(text.split()) <= 6 or \
                first_focus and understanding.kind in (Kind.POSITION, Kind.STORY) and not understanding.question \
                and _DESCRIBED.search(text) and len(text.split()) <= 30:
            # "the inside out one", "i read the one about the girl with the emotions in her head": the answer to
            # "which essay?", so what it argues
            understanding = Understanding(Kind.ABOUT, acts=understanding.acts)
            exchange.understanding = understanding
        elif first_focus and focus.source in ("named", "described", "retrieval") and _asks_to_talk(text) and \
                understanding.kind in (Kind.QUESTION, Kind.POSITION, Kind.STORY, Kind.SWITCH):
            # "can we talk about the ship of theseus essay?", "I would like to discuss the essay about the butler":
            # the essay they came for, and what it argues
            understanding = Understanding(Kind.ABOUT, target="opening", acts=understanding.acts)
            exchange.understanding = understanding
        if focus.changed and understanding.kind in (Kind.POSITION, Kind.SWITCH) and len(text.split()) <= 12:
            exchange.understanding = Understanding(Kind.SWITCH)
        if newcomer:  # "what can I do with this bot?" with an essay already chosen: say what the tutor does
            exchange.understanding = Understanding(Kind.ABOUT, target="tutor")
        response = build.responder.respond(exchange)
        reply, asks = self._finish(conversation, response, exchange.understanding.kind, understanding.acts,
                                   said=text, questions=understanding.questions)
        if self.voice is None or understanding.kind in (Kind.EMPTY, Kind.INJECTION):
            return reply, asks  # nothing to say to, or words not to pass on: the offline reply is the right one
        claim = response.claim or build.argmap.essays[focus.essay].thesis
        voiced = self.voice.say(reply, passages=self._prompt_passages(reply.quotes, claim), claim=claim.text,
                                history=conversation.turns, message=text,
                                scaffold=understanding.kind is Kind.SHORT, essay=build.responder.title(focus.essay),
                                on_text=on_text)
        return voiced, asks

    def _finish(self, conversation: Conversation, response: Response, kind: Kind, acts: frozenset[Act], *,
                exclude: Move | None = None, said: str = "",
                questions: bool | None = None) -> tuple[Reply, dict[str, str]]:
        """The reply: the response's draft and one counter-question (`said`: the message, never asked back)."""
        build = self.current
        move = plan_move(response.stance, conversation.moves, exclude=exclude)
        weigh = exclude is None and _objected(kind, acts, response.keys)  # what the reader did, before the stance
        if response.stance is Stance.DISAGREE and exclude is None and kind in (Kind.POSITION, Kind.QUESTION,
                                                                                 Kind.READING_CHECK):
            acts = acts | {Act.OBJECTION}  # someone pushing against the essay is not asked for "the best objection"
        if response.stance is Stance.AGREE and kind is Kind.POSITION and exclude is None:
            acts = acts | {Act.POSITION}  # someone who just agreed is not asked whether they agree
        slots = build.responder.question_slots(response.draft.quotes, response.claim) | response.slots
        topic = (slots.get("topic") or "").lower()
        if topic and any(topic in message.lower() for message in conversation.user_messages):
            slots["topic"] = None  # the reader's own term ("what does 'permanent abeyance' mean?") is not asked back
        tutor_turns = conversation.tutor_turns
        acts_before = {Act(a) for a in conversation.user_acts if a in Act.__members__.values()}
        if any(t.role == "user" and t.stance == Stance.DISAGREE.value for t in conversation.turns):
            acts_before.add(Act.OBJECTION)
        keys = ["scheme"] if exclude is not None else response.keys
        if weigh:
            keys = ["weigh", *keys]
        if len(response.draft.quotes) > 1 and len({q.essay for q in response.draft.quotes}) > 1:
            keys = [k for k in keys if k.startswith("compare")] or ["compare"]  # "that line" is ambiguous with two
        first = response.draft.quotes[0] if response.draft.quotes else None
        line = first.text if first else ""
        question = choose_question(
            keys, move, slots, asked=conversation.questions, acts_now=acts, acts_before=acts_before,
            recent_asks=[str(t.meta.get("asks")) for t in tutor_turns[-2:]],
            ideas=[str(t.meta.get("idea")) for t in tutor_turns if t.meta.get("idea")],
            last_move=exclude.value if exclude else (tutor_turns[-1].move if tutor_turns else None),
            scheme=scheme(line) if line else "claim",
            argues=first is None or build.responder.argues_line(first.essay, line), turn=len(tutor_turns),
            said=said, new_move=exclude is not None)
        if response.claim is not None:
            conversation.claim_id = response.claim.id
        # a reader who asked for no more questions gets none, from that reply on (held-out judges failed every
        # question put after the request, "no need to answer" or not): the one place a reply has no question
        # (a question declined, "I'd prefer not to answer that", is no such request: `questions` is True)
        stopped = not _questions_wanted(conversation, False if kind is Kind.STOP_QUESTIONS and not questions
                                        else questions) or "farewell" in response.keys
        text = "" if stopped else question.text
        reply = compose(response.draft, text, question.move, response.stance,
                        claim_id=conversation.claim_id, essay=conversation.essay_id, kind=kind.value)
        return reply, {"asks": question.asks.value, "idea": question.idea}

    def _addressed(self, text: str, namings: list[Naming]) -> set[str]:
        """The essays a message's question names (its last sentence that asks), of those it names at all."""
        spans = [span.text for span in sentence_spans(text)]
        asking = next((span for span in reversed(spans) if "?" in span), spans[-1] if spans else text)
        named = {n.essay_id for n in namings if n.strength >= NAMED}
        return {n.essay_id for n in self.current.catalog.named_in(asking) if n.strength >= NAMED} & named

    def _naming_stems(self, naming: Naming) -> Iterable[str]:
        """The word stems that named an essay: a name's own, or its title's and author's."""
        if naming.words not in ("title", "author"):
            return naming.words.split()
        profile = self.current.catalog.profiles[naming.essay_id]
        return profile.title_stems | profile.author_stems

    @staticmethod
    def _apply(conversation: Conversation, focus: Focus) -> None:
        conversation.essay_id = focus.essay
        conversation.other_id = focus.other
        if focus.source != "kept" or conversation.focus_source is None:
            conversation.focus_source = focus.source

    def _unquoted(self, text: str, essay_id: str | None) -> str:
        """The message without the lines of the essay it quotes (in quotation marks); as it was if it quotes none."""
        if essay_id is None:
            return text
        lines = [q for q in quoted(text, single=False) if len(q) >= 8 and self.current.sentences.contains(
            essay_id, q.strip(" .,!?"))]
        cut = plain(text)
        for line in lines:
            cut = cut.replace(f'"{line}"', '""')
        return cut if lines else text

    def _rank_essays(self, text: str) -> list[tuple[str, float]]:
        """Essays ranked for a message that names none, for choosing a focus: how well their best passage answers
        it (dense score) and how close their thesis is. A described essay ("the essay about the movie where the guy
        gets his ex erased") is matched by the description alone. By the gist: search without its word-piece
        re-ranking, which favours a passage that shares the description's words (the Long Self essay's aside on
        the film for "the one about erasing your ex"), where the question is which essay is about it."""
        described = _DESCRIBED.search(text)
        probe = _description(text, described) if described else text
        vector = self._embed(probe)
        hits = self.library.searcher.search(probe, k=12, vector=vector, rerank=False)
        build = self.current
        best: dict[str, float] = {}
        for hit in hits:
            # a passage, or the sentence of it that matches, about another essay's work ("In that film, Lacuna Inc.
            # deletes…" in the Memento essay) points at that essay
            owner = hit.passage.essay_id
            if any(n.essay_id != owner for n in build.names_in(hit.passage)):  # only then look at the sentence
                passages = build.index.passages
                inside = [s for s in build.sentences.sentences(owner) if passages[s.row] is hit.passage]
                closest = max(inside, key=lambda s: float(s.vector @ vector[0])) if inside else None
                sentence_names = [n for n in build.catalog.named_in(closest.text) if n.strength >= 0.6] \
                    if closest is not None else []
                for named in (sentence_names, build.names_in(hit.passage)):
                    if named and all(n.essay_id != owner for n in named):
                        owner = named[0].essay_id
                        break
            best.setdefault(owner, float(hit.score))
        self._thesis_vectors(build, list(best))
        scored = []
        for essay_id, passage_score in best.items():
            thesis_vector = build.thesis_vectors.get(essay_id)
            thesis_score = float(vector[0] @ thesis_vector) if thesis_vector is not None else 0.0
            scored.append((essay_id, 0.5 * passage_score + 0.5 * thesis_score))
        return sorted(scored, key=lambda item: -item[1])

    def _thesis_vectors(self, build: _Build, essay_ids: list[str]) -> None:
        """The essays' thesis vectors into `build.thesis_vectors`: the sentence's own where the thesis is one, the
        rest (front-matter theses, headings) embedded together in one call."""
        missing: dict[str, str] = {}
        for essay_id in essay_ids:
            if essay_id in build.thesis_vectors:
                continue
            thesis = build.argmap.essays[essay_id].thesis.text if essay_id in build.argmap.essays else ""
            sentence = build.sentences.find(essay_id, thesis) if thesis else None
            if sentence is not None or not thesis:
                build.thesis_vectors[essay_id] = sentence.vector if sentence is not None else None
            else:
                missing[essay_id] = thesis
        if missing:
            vectors = self.library.embedder.encode(list(missing.values()))
            build.thesis_vectors.update(zip(missing, vectors, strict=True))

    def _prompt_passages(self, quotes: tuple[Quote, ...], claim: Claim) -> list[Passage]:
        passages = self.library.index.passages
        by_id = {p.id: p for p in passages}
        quoted = [p.id for q in quotes for p in passages if p.essay_id == q.essay and q.text in p.text]
        ids = dict.fromkeys(quoted + [pid for pid in claim.passage_ids if pid in by_id])
        return [by_id[pid] for pid in list(ids)[:MAX_PROMPT_PASSAGES]]


# the two essays of a comparison together: "does either essay address that?", "would the essays support that?"
_BOTH = re.compile(r"\b(?:both|each|either|neither)(?: of)? (?:the )?(?:essays?|pieces?|writers?|authors?|ones?|of "
                   r"them|texts?|two)\b|\bthe (?:two|essays|pair)\b|\bboth (?:say|agree|argue|think|see)",
                   re.IGNORECASE)
_COMPARING = frozenset({"like", "unlike", "than", "as", "similar", "compared", "comparing", "versus", "vs"})


def _description(text: str, described: re.Match[str]) -> str:
    """What a described essay is about, as the parser bounds it: the object of "about"/"on" with its own clauses
    ("someone who puts their phone in a kitchen drawer for a whole month"), without the sentence's other clauses
    ("…, and it reminded me of the summer of 1987 when our television broke…"); the pattern's words otherwise."""
    what = described.group("what")
    doc = parse(text[described.start():described.end()])
    for token in doc:
        if token.dep_ == "prep" and token.lower_ in ("about", "on") and token.head.lower_ in _ESSAY_NOUNS:
            objects = [c for c in token.children if c.dep_ == "pobj"]
            if objects:
                span = doc[objects[0].left_edge.i:objects[0].right_edge.i + 1]
                if len(span.text) >= 8:
                    return span.text
    return what



def _in_passing(text: str, stems: Iterable[str]) -> bool:
    """The words (stems) that point at an essay first come in a comparison: "cut off completely, like in
    Severance", "kind of like Joy drawing the chalk circle"."""
    wanted = set(stems)
    tokens, found = _WORDS.findall(text.lower().replace("’", "'")), word_stems(text)
    first = next((i for i, s in enumerate(found) if s in wanted), None)
    return first is not None and bool(_COMPARING & set(tokens[max(0, first - 3):first]))


def _previous_kind(conversation: Conversation) -> Kind | None:
    for turn in reversed(conversation.turns):
        if turn.role == "user":
            kind = turn.meta.get("kind")
            return Kind(kind) if kind in Kind.__members__.values() else None
    return None


def clean_message(message: str) -> str:
    """The part of a message worth reading: no code blocks, no mass mentions, bounded length."""
    text = _CODE.sub(" ", message[: MAX_ANALYSED_CHARS * 2])
    text = _MENTION.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()[:MAX_ANALYSED_CHARS]


def _outside_target(catalog: EssayCatalog, text: str, target: str, namings: list[Naming]) -> list[Naming]:
    """"Does it mention Severance at all?": an essay named only as the thing looked for is not a change of focus."""
    looked_for = {n.essay_id for n in catalog.named_in(target)}
    rest = re.sub(re.escape(target), " ", text, flags=re.IGNORECASE)
    elsewhere = {n.essay_id for n in catalog.named_in(rest)}
    return [n for n in namings if n.essay_id not in looked_for - elsewhere]


def _objected(kind: Kind, acts: frozenset[Act], keys: list[str]) -> bool:
    """The reader raised an objection and the reply shows the essay's answer to it: a question that pushes back
    ("isn't that just anger being the problem?") answered from the essay, or a disagreement with its reason. The
    question then asks them to weigh that answer, not for an objection they have just made."""
    if kind in (Kind.QUESTION, Kind.READING_CHECK):
        return Act.OBJECTION in acts and bool({"question", "question_near"} & set(keys))
    return kind is Kind.POSITION and keys[:1] == ["disagree"] and bool(
        acts & {Act.REASON, Act.EXAMPLE, Act.OBJECTION}) and not acts & {Act.PERSONAL, Act.FEELING}


def _questions_wanted(conversation: Conversation, now: bool | None) -> bool:
    """Whether the reply may ask: not after a request for no questions ("no questions pls", or one inside another
    message) until the reader asks for them again ("ok you can ask me one question now"); `now` is the current
    message's say (None: it says nothing either way). Older conversations stored only the kind of such a request."""
    if now is not None:
        return now
    for turn in reversed(conversation.turns):
        if turn.role != "user":
            continue
        if "questions" in turn.meta:
            return bool(turn.meta["questions"])
        if turn.meta.get("kind") == Kind.STOP_QUESTIONS.value:
            return False
    return True
