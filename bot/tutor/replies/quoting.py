"""Lines made into quotes, and the replies every feature builds from them (`Quoting`, on `Lookup`).

A sentence as a quote, extended by the neighbour that completes its point (`_quote`) or shown with the one that
carries its sense (`_in_context`); a claim as a quote (`_claim_quote`) and the claim a quoted line bears on
(`_claim_near`); the essay's short title; the reply that brings the conversation back to its point (`_anchor`); the
answer from the line that uses the reader's phrase (`_where_used`); and the essay's answer to a view it rejects
(`_answer_counterview`). Every feature mixin subclasses `Quoting`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from bot.language import leans_back, parse, word_stems
from bot.tutor.argmap import Claim, Counterview
from bot.tutor.composer import MAX_QUOTE_CHARS, Draft, Quote, short_title, trim_quote
from bot.tutor.evidence import STOP_STEMS, Sentence
from bot.tutor.replies.lookup import Lookup, _recent_quotes
from bot.tutor.replies.text import _where, was_quoted
from bot.tutor.replies.turn import Response, Turn
from bot.tutor.stance import Stance

_CONTINUATION = re.compile(r"^(?:but|yet|however|instead|rather|so|that|this|it|in other words|which|and|not)\b",
                           re.IGNORECASE)
_ENDORSES = re.compile(r"\b(?:i think|i'd say|i read it as|to me|honestly|clearly|obviously|is just|was just|"
                       r"really is|it's just|he's just|she's just|just a)\b", re.IGNORECASE)


def _chains(sentence: str, following: str) -> bool:
    """The next sentence takes up what this one ends on ("…it is not the same thing as distraction. Distraction
    pulls you away from…"): it explains the point this one only names, so the two are one answer."""
    ending = {s for s in word_stems(" ".join(sentence.split()[-5:])) if s not in STOP_STEMS}
    opening = {s for s in word_stems(" ".join(following.split()[:3])) if s not in STOP_STEMS}
    return bool(ending & opening)


def _gist(text: str, words: int = 12) -> str:
    """The opening words of a sentence, to point at it inside a lead ("Readers often pity him as a relic…")."""
    parts = text.rstrip(".").split()
    return "“" + " ".join(parts[:words]) + ("…”" if len(parts) > words else "”")


class Quoting(Lookup):
    """Quotes and the replies built from them: the base of every feature mixin."""

    if TYPE_CHECKING:  # the handlers one feature's mixin calls on another's, for type checkers (see `Responder`)
        def offtopic(self, turn: Turn) -> Response: ...
        def question(self, turn: Turn) -> Response: ...
        def _not_addressed(self, turn: Turn) -> Response: ...
        def mention(self, turn: Turn, target: str | None = None, *, denial: str = ...) -> Response: ...
        def position(self, turn: Turn) -> Response: ...

    def _in_context(self, sentence: Sentence, *, limit: int = MAX_QUOTE_CHARS) -> Quote:
        """A line that uses a word without defining it, with the neighbour (of the same paragraph) closest to it in
        meaning, where the sense usually lies: "Identity, which ought to be transitive, has come apart" needs the
        line before, where the general is the officer and the officer is the boy, but the general is not the boy.
        The line as `_quote` extends it when no neighbour fits beside it."""
        neighbours = [n for n in (self.sentences.preceding(sentence), self.sentences.following(sentence))
                      if n is not None]
        if not neighbours:
            return self._quote(sentence)
        closest = max(neighbours, key=lambda n: float(n.vector @ sentence.vector))
        first, second = sorted((sentence, closest), key=lambda s: s.order)
        joined = f"{first.text} {second.text}"
        if len(joined) > limit or joined not in self._passage_text(sentence):
            return self._quote(sentence)
        return Quote(sentence.essay_id, sentence.title, sentence.section, trim_quote(joined))

    def _where_used(self, turn: Turn, phrase: str, sentence: Sentence, keys: list[str], stance: Stance) -> Response:
        """The answer from the sentence that uses the reader's phrase (quoted, or named: see `_cited`, `_taken_up`);
        when they quote that whole line, what the essay goes on to say about it."""
        if self._known(turn, sentence) and (around := self._around(sentence, turn)) is not None:
            return Response(Draft(f"That's the essay's own line ({_where(sentence)}). Beside it, the essay says:",
                                  [self._quote(around, extend=False)]), keys, stance, self._claim_near(sentence))
        return Response(Draft(f"The essay takes up “{phrase}” here:",
                              [self._quote(sentence, toward=turn.vector(self._point(turn)))]),
                        keys, stance, self._claim_near(sentence))

    def _answer_counterview(self, turn: Turn, view: Counterview, *, endorsed: bool,
                            reading: bool = False) -> Response:
        answer = self.sentences.find(turn.focus, view.answer)
        passage = next((p for p in self.sentences.searcher.index.passages if p.id == view.passage_id), None)
        quote = Quote(turn.focus, passage.essay_title if passage else self._title(turn.focus), view.section,
                      trim_quote(view.answer))
        claim = self._claim_near(answer) if answer is not None else None
        if endorsed and reading:
            return Response(Draft("Not quite: that's the reading the essay raises in order to reject it. Its "
                                  "answer:", [quote]), ["reading_wrong"], Stance.QUESTION, claim)
        if endorsed and _ENDORSES.search(turn.text):
            return Response(Draft("Some readers do see it that way, and the essay answers them directly:", [quote]),
                            ["disagree", "scheme:evidence"], Stance.DISAGREE, claim)
        if not endorsed and reading:  # "the essay says that's NOT liberation?": a check of the essay, not their view
            return Response(Draft("Yes: the essay raises that reading only to reject it. Its answer:", [quote]),
                            ["reading_fair"], Stance.QUESTION, claim)
        if not endorsed:
            return Response(Draft("The essay is with you: it raises that reading only to reject it.", [quote]),
                            ["agree", "scheme:challenge"], Stance.AGREE, claim)
        return Response(Draft(f"The essay takes up that very reading. It mentions it ({_gist(view.text)}), and "
                              "answers it:", [quote]), ["scheme"], Stance.QUESTION, claim)

    def _central_claims(self, essay_id: str) -> list[Claim]:
        """The essay's sentence claims, those closest to its thesis first (the argument's core before its asides)."""
        argument = self.argmap.essays[essay_id]
        thesis = self.sentences.find(essay_id, argument.thesis.text) or self.sentences.find(
            essay_id, argument.thesis.support[0] if argument.thesis.support else "")
        claims = [c for c in argument.claims if c.kind != "heading"]
        if thesis is None:
            return claims
        vectors = {c.id: s.vector for c in claims if (s := self.sentences.find(essay_id, c.text)) is not None}
        return sorted(claims, key=lambda c: -float(vectors[c.id] @ thesis.vector) if c.id in vectors else 0.0)

    def _anchor(self, turn: Turn, lead: str, keys: list[str], stance: Stance, *, thesis: bool = False) -> Response:
        """A reply that brings the conversation back to its point: the claim under discussion (or the thesis)."""
        argument = self.argmap.essays[turn.focus]
        first = argument.thesis if thesis else (self._current_claim(turn) or argument.thesis)
        avoid = _recent_quotes(turn.conversation)
        for claim in [first, argument.thesis, *self._central_claims(turn.focus)]:
            quote = self._claim_quote(claim, avoid=avoid, support=False)
            if quote is not None:
                return Response(Draft(lead, [quote]), keys, stance, claim, anchored=True)
        return Response(Draft(lead, [self._fallback_quote(turn)]), keys, stance, first, anchored=True)

    def _claim_quote(self, claim: Claim, avoid: set[str] | frozenset[str] = frozenset(), *,
                     support: bool = True) -> Quote | None:
        """The claim as a quote: its own sentence when it is one; for a heading or a front-matter thesis (or, with
        `support`, a claim already quoted), the best line of its supporting passages."""
        if claim.kind != "heading" and (sentence := self.sentences.find(claim.essay_id, claim.text)) is not None \
                and not self._reported(sentence):  # a critic's view the essay answers is not its claim
            text = claim.text if claim.text in self._passage_text(sentence) else sentence.text
            if not was_quoted(text, avoid) and not was_quoted(sentence.text, avoid):
                before = self.sentences.preceding(sentence)
                joined = f"{before.text} {text}" if before is not None else ""
                if joined and text == sentence.text and leans_back(parse(text)) and len(joined) <= MAX_QUOTE_CHARS \
                        and joined in self._passage_text(sentence):
                    text = joined  # "It can be edited, burned…": with the line that says what "it" is
                return Quote(claim.essay_id, sentence.title, sentence.section, trim_quote(text))
        front_matter = claim.kind == "thesis" and self.sentences.find(claim.essay_id, claim.text) is None
        for text in claim.support if support or claim.kind == "heading" or front_matter else ():
            if not was_quoted(text, avoid) and (found := self.sentences.find(claim.essay_id, text)) is not None:
                return self._quote(found, extend=False)
        return None

    def _passage_text(self, sentence: Sentence) -> str:
        return self.sentences.searcher.index.passages[sentence.row].text

    def _fallback_quote(self, turn: Turn) -> Quote:
        sentences = self.sentences.sentences(turn.focus)
        return self._quote(sentences[0], extend=False)

    def _quote(self, sentence: Sentence, *, extend: bool = True, toward: np.ndarray | None = None) -> Quote:
        """A sentence as a quote, extended by a neighbour of the same passage when that completes the point: the
        next sentence when it continues ("But…", "It is not.", after a colon, or a short one), or, given the
        message's vector (`toward`), the neighbour that answers it about as well or argues where this one only
        describes (the answer to "what's wrong with X?" often sits right after the line that names X)."""
        text = sentence.text
        if not extend:
            return Quote(sentence.essay_id, sentence.title, sentence.section, trim_quote(text))
        passage = self._passage_text(sentence)
        before, after = self.sentences.preceding(sentence), self.sentences.following(sentence)
        options: list[tuple[float, str]] = []
        if after is not None and (text.endswith(":") or _CONTINUATION.match(after.text)
                                  or len(after.text.split()) < 8 or len(text.split()) < 14
                                  or _chains(text, after.text)):
            options.append((1.0, f"{text} {after.text}"))
        if toward is not None:
            mine = float(sentence.vector @ toward.reshape(-1))
            for neighbour, joined in ((after, f"{text} {after.text}" if after else ""),
                                      (before, f"{before.text} {text}" if before else "")):
                if neighbour is None:
                    continue
                if neighbour is before and self._reported(neighbour):
                    continue  # a view the essay goes on to reject is not its answer
                theirs = float(neighbour.vector @ toward.reshape(-1))
                argues = self._argues(neighbour) and not self._argues(sentence)
                # the line after, when it states the view this one leads up to ("…is different. Where Severance
                # needs a surgical chip, Stevens manages with habit."): the answer is often the next sentence
                follows_up = neighbour is after and len(joined) <= 320 and (
                    theirs >= mine - 0.12 or self._argues(neighbour) and theirs >= mine - 0.2)
                if theirs >= mine - 0.06 or argues and theirs >= mine - 0.15 or follows_up:
                    options.append((theirs + 0.1 * argues, joined))
        for _, joined in sorted(options, key=lambda item: -item[0]):
            if len(joined) <= MAX_QUOTE_CHARS and joined in passage:
                text = joined
                break
        if before is not None and text.startswith(sentence.text) and leans_back(parse(sentence.text)):
            # "It is not." / "This is why…" needs the line it answers, more than the one that follows it
            for joined in (f"{before.text} {text}", f"{before.text} {sentence.text}"):
                if len(joined) <= MAX_QUOTE_CHARS and joined in passage:
                    text = joined
                    break
        return Quote(sentence.essay_id, sentence.title, sentence.section, trim_quote(text))

    def _claim_near(self, sentence: Sentence | None) -> Claim | None:
        """The claim a quoted sentence bears on: one it supports (by passage), else the essay's thesis."""
        if sentence is None:
            return None
        passage_id = self.sentences.searcher.index.passages[sentence.row].id
        claims = [c for c in self.argmap.claims_for_passage(passage_id) if c.essay_id == sentence.essay_id]
        if not claims:
            return self.argmap.essays[sentence.essay_id].thesis if sentence.essay_id in self.argmap.essays else None
        stems = set(word_stems(sentence.text))
        return max(claims, key=lambda c: len(stems & set(word_stems(c.text))))

    def title(self, essay_id: str | None) -> str:
        """The essay's short title, as replies name it."""
        return self._title(essay_id)

    def _title(self, essay_id: str | None) -> str:
        profile = self.catalog.profiles.get(essay_id or "")
        return short_title(profile.title) if profile else "the essay"
