"""The responder's state and the look-ups every kind of reply shares (`Lookup`).

The lines of an essay that answer a message best (`_best`, `_best_many`), and another essay that answers it much
better (`_elsewhere`); the lines around one and the line that reads it (`_around`, `_reading_after`); whether the
reader has a line already (`_known`) or quotes a phrase the essay uses (`_cited`, `_taken_up`); the lines that
voice a view the essay rejects (`_reported`) and the view a message voices (`_counterview`); whether a line argues
or tells the story (`_argues`); what a message is about (`_point`), the reader's stance and the claim under
discussion; with the thresholds these look-ups use. `quoting.Quoting` builds on it, and the feature mixins on that.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from bot.corpus.text import words
from bot.language import leans_back, noun_phrases, parse, plain, split_sentences, word_stems
from bot.retrieval.catalog import EssayCatalog
from bot.state import Conversation
from bot.tutor.argmap import REPORTED_VIEW, ArgumentMap, Claim, Counterview
from bot.tutor.evidence import STOP_STEMS, EssaySentences, Sentence
from bot.tutor.focus import NAMED
from bot.tutor.replies.text import _GENERIC_NOUNS
from bot.tutor.replies.turn import Turn
from bot.tutor.stance import Stance, StanceDetector, StanceResult
from bot.tutor.understanding import Act, Kind, asks_fact

RELEVANT = 0.38  # a sentence this close to a question (cosine) answers it; below, the essay does not address it
LOOSELY = 0.28  # still "the nearest it comes"
UNRELATED = 0.18  # a question this far from every line is about something else entirely
ARGUES_BONUS = 0.06  # how much a line that argues is preferred over one that narrates, for questions and positions
COUNTERVIEW = 0.45  # a message this close to a view the essay rejects voices that view
_CITED = re.compile(r'"([^"\n]{3,80})"')  # after `plain`: curly quotes are straight
_LABELS = frozenset({"essay", "piece", "article", "one", "reading"})  # "the declutter one", "the Severance essay"
_ARGUES = re.compile(r"\b(?:not|rather|really|truly|should|must|never|is that|argue|claim|point|lesson|because)\b",
                     re.IGNORECASE)


def _recent_quotes(conversation: Conversation, replies: int = 3) -> frozenset[str]:
    return frozenset(str(q["text"]) for t in conversation.tutor_turns[-replies:] for q in t.quotes)


class Lookup:
    """The essays, their lines and the argument map, and the look-ups on them."""

    def __init__(self, argmap: ArgumentMap, sentences: EssaySentences, catalog: EssayCatalog,
                 detector: StanceDetector, rarity: Callable[[str], float],
                 embed: Callable[[str], np.ndarray]) -> None:
        self._vector = embed
        self.argmap = argmap
        self.sentences = sentences
        self.catalog = catalog
        self.detector = detector
        self.rarity = rarity
        self._views: dict[str, frozenset[int]] = {}  # per essay, the orders of its lines that voice a counterview
        self._namings: dict[str, list[tuple[Sentence, frozenset[str]]]] = {}  # per essay, the essays each line names

    # ---- building blocks ----------------------------------------------------------------------------------------
    def _characters(self, essay_id: str) -> set[str]:
        """The one-word names (stems) an essay discusses: its characters, as the catalog found them."""
        profile = self.catalog.profiles.get(essay_id)
        return {n for n in profile.names if " " not in n} if profile is not None else set()

    def _argues(self, sentence: Sentence) -> bool:
        """A line that states the essay's view (a claim, its support, an answer to a counterview, or a sentence with
        a thesis cue), not one that tells the story: a reading is fair only against what the essay argues."""
        return self.argues_line(sentence.essay_id, sentence.text)

    def argues_line(self, essay_id: str, text: str) -> bool:
        """`_argues` for a quote's text (which may join two sentences)."""
        argument = self.argmap.essays.get(essay_id)
        if argument is None:
            return False
        lines = [argument.thesis.text, *(c.text for c in argument.claims), *(v.answer for v in argument.counterviews)]
        if any(text in line or line in text for line in lines):
            return True
        return bool(_ARGUES.search(text))

    def _cited(self, turn: Turn) -> tuple[str, Sentence] | None:
        """A phrase of two words or more the reader puts in quotation marks and the focus essay uses: the question
        is about the sentence that uses it, whatever the other words of the message are."""
        for match in _CITED.finditer(plain(turn.text)):
            phrase = match.group(1).strip(" .,!?")
            if len(phrase.split()) >= 2 and (uses := self.sentences.uses(turn.focus, phrase)):
                return phrase, uses[0]
        return None

    def _reported(self, sentence: Sentence) -> bool:
        """A line that voices a view the essay goes on to reject: it opens like one ("Some viewers say…"), or it sits
        between a counterview's opening and the essay's answer ("Some viewers resist this reading. Leonard is
        brain-damaged, they point out… It seems cruel to call him responsible…" before "But…")."""
        return bool(REPORTED_VIEW.search(sentence.text)) or sentence.order in self._view_lines(sentence.essay_id)

    def _view_lines(self, essay_id: str) -> frozenset[int]:
        lines = self._views.get(essay_id)
        if lines is None:
            orders: set[int] = set()
            for view in self.argmap.essays[essay_id].counterviews if essay_id in self.argmap.essays else []:
                start, end = self.sentences.find(essay_id, view.text), self.sentences.find(essay_id, view.answer)
                if start is not None and end is not None and start.row == end.row:
                    orders.update(range(start.order, end.order))
            lines = self._views[essay_id] = frozenset(orders)
        return lines

    def _known(self, turn: Turn, sentence: Sentence) -> bool:
        """The reader has the line already: their message quotes at least half of it in one run of words (six at
        least), so quoting it back answers nothing (held-out judges' "echo"); a phrase quoted from a longer line
        ("leave your baggage at the door") is looked up in it instead."""
        said = f" {' '.join(words(plain(turn.text)))} "
        line = words(plain(sentence.text))
        size = max(6, len(line) // 2)
        if len(line) < size:
            return f" {' '.join(line)} " in said
        return any(f" {' '.join(line[i:i + size])} " in said for i in range(len(line) - size + 1))

    def _around(self, sentence: Sentence, turn: Turn | None = None) -> Sentence | None:
        """What unpacks a line: of the line that reads it (see `_reading_after`) and the lines just before and after
        it in its passage, the one nearest the message (`turn`), else the first there is."""
        after, before = self.sentences.following(sentence), self.sentences.preceding(sentence)
        for _ in range(3):  # past the lines the reader quoted too ("<one line>. <the next>." Well, …)
            if turn is not None and after is not None and self._known(turn, after):
                after = self.sentences.following(after)
            if turn is not None and before is not None and self._known(turn, before):
                before = self.sentences.preceding(before)
        lines = [s for s in (self._reading_after(sentence), after, before) if s is not None and not self._reported(s)
                 and not (turn is not None and self._known(turn, s))]
        if not lines or turn is None:
            return lines[0] if lines else None
        vector = turn.vector(self._point(turn)).reshape(-1)
        return max(lines, key=lambda s: float(s.vector @ vector))

    def _unrelated(self, turn: Turn, best: float | None) -> bool:
        """Nothing in the focus essay comes near the message (`best`, its closest line's score) and no other essay
        answers it: a change of subject, not a question the essay leaves open."""
        return (best is None or best < UNRELATED) and self._elsewhere(turn, turn.text) is None

    def _taken_up(self, turn: Turn, text: str) -> tuple[str, Sentence] | None:
        """A thing the message names that the focus essay talks about in the same words ("what does it say about
        the system?": "…the entire system that compelled him…"), with the sentence of the essay that is closest to
        the message: a question whose words the essay uses is not one it "doesn't address", however far its
        meaning vector lands. Generic nouns ("the essay", "the point") and the essay's own names don't count."""
        vector = turn.vector(text).reshape(-1)
        doc = parse(text)
        # what a question asks about is in the sentence that asks: "does she get rid of her phone at the end? my
        # kids text me when they get home from school" does not ask about school
        asking = [s for s in doc.sents if s.text.rstrip().endswith("?")]
        for phrase in noun_phrases(doc):
            if asking and not any(s.start <= phrase.start < s.end for s in asking):
                continue
            words = [t for t in phrase if not (t.is_stop or t.is_punct) and t.pos_ in ("NOUN", "PROPN", "ADJ")]
            if not words or phrase.root.lemma_.lower() in _GENERIC_NOUNS or self._names_focus(turn, phrase.text):
                continue
            if any(t.dep_ == "poss" and t.pos_ == "PRON" for t in phrase):
                continue  # "what's her job?" asks about someone's; "…a job they hate" is not theirs
            nouns = " ".join(t.text for t in words if t.pos_ != "ADJ")  # "the whole system": the system will do
            for wanted in dict.fromkeys(w for w in (" ".join(t.text for t in words), nouns) if w):
                if wanted.lower() in _GENERIC_NOUNS or not (uses := self.sentences.uses(turn.focus, wanted)):
                    continue
                # the reader's own word form first ("the system", not "systems designed to…"), then meaning
                exact = re.compile(rf"\b{re.escape(wanted)}\b", re.IGNORECASE)
                best = max(uses, key=lambda s: (bool(exact.search(s.text)), float(s.vector @ vector)))
                return wanted, best
        return None

    @staticmethod
    def _carries_on(turn: Turn) -> bool:
        """A statement that answers the tutor's last question, or the message that brings in an essay, is never
        dismissed as off-topic for want of the essay's words: a reader's answer is often about their own life
        ("I'll try one week, not thirty days") or a short follow-on ("also kind of us")."""
        return turn.changed or bool(turn.conversation.questions)

    def _stance(self, turn: Turn) -> StanceResult:
        claim = self._current_claim(turn)
        last_question = turn.conversation.questions[-1] if turn.conversation.questions else None
        found = self.detector.detect(turn.text, about=claim.text if claim else None, context=last_question)
        if Act.OBJECTION in turn.understanding.acts and found.stance is Stance.AGREE:
            # "maybe he was just angry", "but he has literal brain damage??": the parse heard a push against the
            # essay's reading, which words of assent elsewhere in the message do not undo
            return replace(found, stance=Stance.DISAGREE, confidence=max(found.confidence, 0.6),
                           cues=(*found.cues, "pushes back"))
        return found

    def _point(self, turn: Turn) -> str:
        """What a message is about: without the sentences that only say which essay ("I just read the declutter
        one, where…"), and for a long, rambling message its question sentences (and the one before each)."""
        sentences = [s for s in split_sentences(turn.text) if s.strip()]
        if len(sentences) > 1:
            content = [s for s in sentences if s.rstrip().endswith("?") or not self._names_focus(turn, s)]
            sentences = content or sentences
        text = " ".join(sentences)
        if len(text.split()) <= 60:
            return text
        asked = [i for i, sentence in enumerate(sentences) if sentence.rstrip().endswith("?")]
        if not asked:
            return text
        keep = sorted({j for i in asked for j in (i - 1, i) if j >= 0})
        return " ".join(sentences[j] for j in keep)

    def _lines_naming(self, essay_id: str, other: str | None) -> list[Sentence]:
        """The lines of an essay that bring in `other` by name ("Where Severance needs a surgical chip…", in the
        Remains essay): not by a name both discuss ("Christopher Nolan", in the Memento essay, which the Long Self
        essay also discusses)."""
        namings = self._namings.get(essay_id)
        if namings is None:  # once per essay and index: a scan of every line costs tens of milliseconds
            namings = self._namings[essay_id] = [(s, frozenset(
                n.essay_id for n in self.catalog.named_in(s.text) if n.essay_id != essay_id and n.strength >= NAMED
                and not any(own.essay_id == essay_id and own.strength >= NAMED
                            for own in self.catalog.named_in(n.words)))) for s in self.sentences.sentences(essay_id)]
        return [s for s, named in namings if other in named]

    def _names_focus(self, turn: Turn, sentence: str) -> bool:
        """The sentence points at the focus essay by its title, author or a label ("the Severance essay")."""
        return any(n.essay_id == turn.focus and n.strength >= NAMED and (
            n.words in ("title", "author") or _labelled(sentence)) for n in self.catalog.named_in(sentence))

    def _best(self, turn: Turn, text: str) -> tuple[float, Sentence] | None:
        found = self._best_many(turn, text)
        return found[0] if found else None

    def _best_many(self, turn: Turn, text: str, essay_id: str | None = None, *,
                   fresh: bool = True) -> list[tuple[float, Sentence]]:
        """The sentences of the focus (or `essay_id`) that answer `text` best: by meaning, rare shared words and
        the hybrid passage search's ranking; something not quoted lately wins unless nothing else fits."""
        essay_id = essay_id or turn.focus
        vector = turn.vector(text)
        hits = self.sentences.searcher.search(text, k=5, essay=essay_id, vector=vector)
        rows = {p.id: row for row, p in enumerate(self.sentences.searcher.index.passages)}
        prior = {rows[h.passage.id]: max(0.0, float(h.score)) for h in hits}
        quoted = frozenset(turn.conversation.quoted) if fresh else frozenset()
        fact = turn.understanding.kind is Kind.QUESTION and asks_fact(turn.text)
        found = self.sentences.closest(essay_id, vector, text, k=8, avoid=quoted,
                                       recent=_recent_quotes(turn.conversation) if fresh else frozenset(), prior=prior)
        if fact:
            # "is Teddy a cop?": the line that states the fact, which may tell the story or sit inside a view the
            # essay reports ("he is exploited by Teddy, a corrupt police officer"); the essay's view is not asked
            return found[:3]
        if turn.understanding.kind in (Kind.QUESTION, Kind.READING_CHECK, Kind.POSITION, Kind.STORY):
            # a line that states the essay's view beats one that sets the scene, when both are about as close
            found = sorted(found, key=lambda item: -(item[0] + ARGUES_BONUS * self._argues(item[1])))
        # a view the essay reports in order to reject it is never quoted as what the essay says
        return [item for item in found if not self._reported(item[1])][:3]

    def _antecedent(self, sentence: Sentence) -> Sentence | None:
        """The line before, in the paragraph before, of a line that opens its paragraph pointing back ("That is why
        the erasure never quite works."): quoted first, since a quote cannot run across the paragraph break."""
        if sentence.order == 0 or self.sentences.preceding(sentence) is not None or not leans_back(
                parse(sentence.text)):
            return None
        return self.sentences.sentences(sentence.essay_id)[sentence.order - 1]

    def _best_in(self, essay_id: str, turn: Turn, text: str) -> tuple[float, Sentence] | None:
        found = self._best_many(turn, text, essay_id)
        return found[0] if found else None

    def _similarity(self, turn: Turn, a: str, b: str) -> float:
        return float(turn.vector(a).reshape(-1) @ turn.vector(b).reshape(-1))

    def _elsewhere(self, turn: Turn, text: str) -> str | None:
        """Another essay that answers `text` much better than the focus (named, never quoted: it isn't the topic)."""
        vector = turn.vector(text)
        best: tuple[float, str] | None = None
        hits = self.sentences.searcher.search(text, k=8, vector=vector)  # the candidates: not a scan of the library
        for essay_id in dict.fromkeys(h.passage.essay_id for h in hits if h.passage.essay_id != turn.focus):
            found = self.sentences.closest(essay_id, vector, text, k=1)
            if found and found[0][0] >= RELEVANT + 0.1 and (best is None or found[0][0] > best[0]):
                best = (found[0][0], essay_id)
        return best[1] if best else None

    def _counterview(self, turn: Turn, text: str) -> Counterview | None:
        """A view the essay reports and rejects that the message voices (or explicitly rejects)."""
        views = self.argmap.essays[turn.focus].counterviews
        if not views:
            return None
        vector = turn.vector(text).reshape(-1)
        scored = [(max(float(vector @ turn.vector(v.text).reshape(-1)), float(vector @ turn.vector(v.core).reshape(-1)),
                       float(vector @ turn.vector(v.answer).reshape(-1)) - 0.05), v)
                  for v in views]
        score, view = max(scored, key=lambda item: item[0])
        closest = self.sentences.nearest(turn.focus, vector)
        if closest is not None:
            holder = next((v for v in views if v.text in closest[1].text), None)
            if holder is not None and closest[0] >= COUNTERVIEW:  # the nearest line is the reported view itself
                return holder
        if score >= COUNTERVIEW and (closest is None or score >= closest[0] - 0.03) and \
                not self._restates_the_argument(turn.focus, text):
            return view
        return None

    def _restates_the_argument(self, essay_id: str, text: str) -> bool:
        """Every content word of the message (three or more) is in one line of the essay's own thesis or claims,
        headings included: "where does it say the lawyer is the real subject?" voices the essay's claim, however
        near in meaning a view it rejects lies ("Some readers find the lawyer admirably humane")."""
        said = set(word_stems(text)) - STOP_STEMS
        if len(said) < 3:
            return False
        argument = self.argmap.essays[essay_id]
        return any(said <= set(word_stems(c.text)) for c in (argument.thesis, *argument.claims))

    def _current_claim(self, turn: Turn) -> Claim:
        claim = self.argmap.claim(turn.conversation.claim_id) if turn.conversation.claim_id else None
        if claim is None or claim.essay_id != turn.focus:
            claim = self.argmap.essays[turn.focus].thesis
        return claim

    def _reading_after(self, sentence: Sentence, reach: int = 2, telling: int = 5) -> Sentence | None:
        """The line of `sentence`'s passage that reads it: the first of the next `reach` that states the essay's
        view, else the very next one (a line that tells of a scene is most often followed by what the essay makes
        of it: "Ah Bartleby! Ah humanity!", then "That closing cry is often read as Melville's verdict on the
        universe. I read it as the lawyer's last evasion."), or the first of the next `telling` after a scene told at
        length (the hockey memory's rewind takes four sentences before "The joy Joy had been hoarding began as
        sadness…"). None at the end of the passage."""
        following = self.sentences.following(sentence)
        current = following
        # past `reach`, only while the passage goes on telling the scene (a reported reading, "That closing cry
        # is often read as…", is the essay turning to what it makes of it: shown as it comes)
        for step in range(telling):
            if current is None or step >= reach and (self._reported(following) or self._argues(following)):
                break
            if self._argues(current) and not self._reported(current):
                return current
            current = self.sentences.following(current)
        return following


def _labelled(sentence: str) -> bool:
    """The sentence calls an essay by a label: a word for a text as a noun ("the declutter one", "the Severance
    reading"), not "reading" as a verb ("why doesn't Patrick reading Joel's journal work")."""
    return any(t.lower_ in _LABELS and t.pos_ != "VERB" for t in parse(sentence))
