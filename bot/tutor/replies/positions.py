"""Replies to the reader's own positions and reactions (`Positions`).

A view they state (with the essay, against it, or beside it), a personal story, pushback on the evidence just
shown, a request for approval, and the short replies ("yes", "no", "why?", "idk"); with the lines that back,
explain or simplify the claim under discussion.
"""

from __future__ import annotations

import re

from bot.language import split_sentences, word_stems
from bot.state import Conversation
from bot.tutor.argmap import REPORTED_VIEW, Claim
from bot.tutor.composer import Draft, Quote
from bot.tutor.evidence import STOP_STEMS, Sentence
from bot.tutor.phrases import their_point
from bot.tutor.replies.lookup import LOOSELY, RELEVANT, _recent_quotes
from bot.tutor.replies.quoting import Quoting
from bot.tutor.replies.text import _REASONS, _REJECTS_VIEW, _where, was_quoted
from bot.tutor.replies.turn import Response, Turn
from bot.tutor.stance import Stance, StanceResult
from bot.tutor.understanding import Act, Kind, Short

_REFERS = re.compile(r"\b(?:essay|author|writer|film|movie|book|novel|show|episode|story|character|scene|ending|"
                     r"argument|claim|point|line|quote|passage)\b", re.IGNORECASE)
_DISAGREES = re.compile(r"\b(?:disagree|wrong|false|no way|don'?t think so)\b|👎|❌", re.IGNORECASE)


def _asked_what(conversation: Conversation) -> bool:
    """The last counter-question was an open one (where, which, what…), so "no" means "nothing comes to mind"."""
    last = conversation.questions[-1] if conversation.questions else ""
    return bool(re.match(r"^(?:[^,:]*[,:]\s*)?(?:what|where|which|who|how|why|can you think)\b", last, re.IGNORECASE))


def _by_similarity(stance: StanceResult) -> bool:
    """Off-topic only because nothing in the essays is near it (not a greeting, a named other topic, …)."""
    return all(cue.startswith("topic similarity") for cue in stance.cues)


class Positions(Quoting):
    """Replies to the reader's positions and reactions."""

    # ---- positions ----------------------------------------------------------------------------------------------
    def position(self, turn: Turn) -> Response:
        # a reading the essay rejects, voiced as a claim ("people really did behave like that back then"); a remark
        # with no claim in it ("that's kinda deep for a kids movie") is not a reading to correct
        view = self._counterview(turn, turn.text) if their_point(turn.text) else None
        if view is not None and was_quoted(view.answer, turn.conversation.quoted):
            view = None
        if view is not None:
            return self._answer_counterview(turn, view, endorsed=not _REJECTS_VIEW.search(turn.text))
        stance = self._stance(turn)
        carries_on = self._carries_on(turn)
        if stance.stance is Stance.OFFTOPIC and not (carries_on and _by_similarity(stance)) and \
                not self._on_title(turn):
            return self.offtopic(turn)
        found = self._best(turn, self._point(turn))
        if found is None or found[0] < LOOSELY:
            if (use := self._taken_up(turn, self._point(turn))) is not None:
                return self._where_used(turn, *use, ["position", "scheme"], stance.stance)
            if not _REFERS.search(turn.text) and not self._on_title(turn) and (
                    not carries_on or self._unrelated(turn, found[0] if found else None)):
                return self.offtopic(turn)  # nothing in the essay is near it ("pineapple or no pineapple?")
            if stance.stance in (Stance.AGREE, Stance.DISAGREE) and len(turn.text.split()) <= 8:
                lead = ("Then you're with the essay. Here is the claim you're agreeing with:"
                        if stance.stance is Stance.AGREE else "Then this is the claim you're pushing against:")
                return self._anchor(turn, lead, ["agree" if stance.stance is Stance.AGREE else "disagree", "scheme"],
                                    stance.stance)
            # "to set beside yours" only where the reader made a claim (judges failed it said to one who had not:
            # "have u seen inside out 2", "i need the paragraph")
            beside = ", to set beside yours" if their_point(turn.text) else ""
            return self._anchor(turn, f"The essay doesn't speak to that directly; here is its own claim{beside}:",
                                ["position", "scheme"], stance.stance)
        score, sentence = found
        claim = self._claim_near(sentence)
        if self._known(turn, sentence) and (around := self._around(sentence, turn)) is not None:
            # "'borrowed history has no weight', about patrick. but the journal lines did work on her": the line
            # they quote, shown back, says nothing new; what the essay goes on to say about it does
            keys = ["disagree", "scheme:evidence"] if stance.stance is Stance.DISAGREE else ["position", "scheme"]
            return Response(Draft(f"That's the essay's own line ({_where(sentence)}). Beside it, the essay says:",
                                  [self._quote(around, extend=False)]), keys, stance.stance, claim)
        # a clear side, not a concession ("I don't fully agree, but I can see why…"): say where the essay stands
        clear = stance.confidence >= 0.6 and not any(cue.startswith("contrast") for cue in stance.cues)
        if stance.stance is Stance.DISAGREE and clear:
            quote = self._quote(sentence) if score >= RELEVANT and self._argues(sentence) else \
                self._evidence_for(turn, claim, sentence)
            return Response(Draft("The essay sees it differently, and here is its case:", [quote]),
                            ["disagree", "scheme:evidence"], Stance.DISAGREE, claim)
        if stance.stance is Stance.AGREE and clear and score >= RELEVANT:
            return Response(Draft("You're on the same side as the essay here. It puts it this way:",
                                  [self._quote(sentence, toward=turn.vector(self._point(turn)))]),
                            ["agree", "scheme:challenge"], Stance.AGREE, claim)
        keys = ["disagree", "scheme:evidence"] if stance.stance is Stance.DISAGREE else ["position", "scheme"]
        return Response(Draft("Here is what the essay says on that:", [self._quote(sentence, toward=turn.vector(
            self._point(turn)))]), keys, stance.stance, claim)

    def _on_title(self, turn: Turn) -> bool:
        """The message uses a telling word of the focus essay's title ("i would get severed tomorrow" in a talk about
        Severance): about its subject, however far its meaning lands from any one line."""
        profile = self.catalog.profiles.get(turn.focus)
        telling = {s for s in profile.title_stems if len(s) > 3 and s not in STOP_STEMS} if profile else set()
        return bool(telling & set(word_stems(turn.text)))

    def story(self, turn: Turn) -> Response:
        told_before = any(t.meta.get("kind") == Kind.STORY.value for t in turn.conversation.turns if t.role == "user")
        hard = Act.FEELING in turn.understanding.acts
        if hard:
            opening = "That sounds hard, and I'm sorry." if told_before else "I'm sorry; that's a lot to carry."
        else:
            opening = "I hear you." if told_before else "Thank you for telling me."
        found = self._best(turn, self._point(turn))
        lead = f"{opening} The essay has a line your experience can test:"
        if found is None or found[0] < LOOSELY:
            return self._anchor(turn, lead, ["story"], Stance.QUESTION, thesis=not turn.conversation.tutor_turns)
        return Response(Draft(lead, [self._quote(found[1], toward=turn.vector(self._point(turn)))]), ["story"],
                        Stance.QUESTION, self._claim_near(found[1]))

    def reject_evidence(self, turn: Turn) -> Response:
        claim = self._current_claim(turn)
        last = self._last_quote(turn)
        if re.search(r"\b(?:say|says|said|saying)\b", turn.text, re.IGNORECASE):
            words = len(turn.text.split())
            if last is not None and words <= 5:  # "it doesn't say that.": show the words again, in their context
                return Response(Draft("Then judge it from its own words, with what comes around them:",
                                      [self._quote(last)]),
                                ["reject", "scheme:evidence"], Stance.DISAGREE, claim)
            found = self._best(turn, turn.text)  # "it doesn't say he agreed with it": true, and then?
            if found is not None and found[0] >= LOOSELY:
                return Response(Draft("Right, it doesn't claim that in so many words. What it does argue is this:",
                                      [self._quote(found[1], toward=turn.vector(turn.text))]),
                                ["reject", "scheme:evidence"], Stance.QUESTION, self._claim_near(found[1]))
        rest = split_sentences(turn.text, maxsplit=1)[1:]  # "that proves nothing. Joel chose it…"
        found = self._best(turn, rest[0]) if rest and len(rest[0].split()) >= 4 else None
        if found is not None and found[0] >= RELEVANT and not was_quoted(found[1].text, turn.conversation.quoted):
            evidence = self._quote(found[1])
            lead = "Fair: one line doesn't settle it. On the point you raise, the essay says this:"
        else:
            evidence = self._evidence_for(turn, claim, last, exclude_last=True)
            lead = "Fair: one line doesn't settle it. Here is more of the essay's case:"
        return Response(Draft(lead, [evidence]), ["reject", "scheme"], Stance.DISAGREE, claim)

    def approval(self, turn: Turn) -> Response:
        proposition = re.split(r"[:—]\s*", turn.text, maxsplit=1)[-1]
        found = self._best(turn, proposition)
        lead = ("I can't tell you you're right just because you ask. Here is what the essay actually says, so you "
                "can check it yourself:")
        if found is None or found[0] < LOOSELY:
            return self._anchor(turn, lead, ["approval"], Stance.AGREE, thesis=True)
        return Response(Draft(lead, [self._quote(found[1])]), ["approval", "scheme"], Stance.AGREE,
                        self._claim_near(found[1]))

    def short(self, turn: Turn) -> Response:
        short = turn.understanding.short
        claim = self._current_claim(turn)
        if short is Short.LAUGH:
            return self._anchor(turn, "Glad something landed. Back to the argument:", ["ok"], Stance.OFFTOPIC)
        if short is Short.UNSURE and turn.understanding.target == "explain" and (
                around := self._around_last(turn)) is not None:
            return Response(Draft("Put another way, in the lines around it:", [around]), ["unsure"],
                            Stance.QUESTION, claim)
        if short is Short.UNSURE:
            quote = self._simple_line(turn, claim)
            return Response(Draft("No problem, let's take it one step at a time. Start with this line:", [quote]),
                            ["unsure"], Stance.QUESTION, claim)
        if short is Short.WHY:
            reason = self._reason_for(turn, claim)
            gives_reason = bool(_REASONS.search(reason.text))
            lead = "Because, in the essay's own words:" if gives_reason else \
                "The essay doesn't give a reason in so many words. This is what that point rests on:"
            return Response(Draft(lead, [reason]), ["because" if gives_reason else "why", "scheme"],
                            Stance.QUESTION, claim)
        if short is Short.YES:
            evidence = self._evidence_for(turn, claim, self._last_quote(turn), exclude_last=True)
            return Response(Draft("Then look at what holds that up in the essay:", [evidence]), ["yes", "scheme"],
                            Stance.AGREE, claim)
        disagrees = _DISAGREES.search(turn.text) is not None  # "disagree", "wrong": a side taken, not "nothing"
        if short is Short.NO and _asked_what(turn.conversation) and not disagrees:  # "no" to "where else…?"
            quote = self._simple_line(turn, claim)
            return Response(Draft("That's fine: nothing has to come to mind. Try it from another side, with this "
                                  "line:", [quote]), ["unsure"], Stance.QUESTION, claim)
        if short is Short.NO:
            quote = self._claim_quote(claim, avoid=turn.conversation.quoted) or self._claim_quote(
                self.argmap.essays[turn.focus].thesis, avoid=turn.conversation.quoted) or self._simple_line(turn, claim)
            lead = "You disagree: then this is the claim you'd be pushing against:" if disagrees else \
                "Fair enough. Then this is the claim you'd be pushing against:"
            return Response(Draft(lead, [quote]), ["no"], Stance.DISAGREE, claim)
        following = self._next_claim(turn, claim)
        quote = self._claim_quote(following, avoid=turn.conversation.quoted) if following else None
        if following is None or quote is None:
            return Response(Draft("Then here's where the essay goes next:", [self._evidence_for(
                turn, claim, self._last_quote(turn), exclude_last=True)]), ["scheme", "ok"], Stance.AGREE, claim)
        return Response(Draft("Then here's where the essay goes next:", [quote]), ["scheme", "ok"],
                        Stance.AGREE, following)

    def _evidence_for(self, turn: Turn, claim: Claim | None, near: Sentence | None, *,
                      exclude_last: bool = False) -> Quote:
        """A line that backs the claim under discussion, not yet quoted: its support, else the next closest line."""
        quoted = set(turn.conversation.quoted) | ({near.text} if near is not None and exclude_last else set())
        if claim is not None:
            for text in claim.support:
                found = None if was_quoted(text, quoted) or REPORTED_VIEW.search(text) else self.sentences.find(
                    claim.essay_id, text)
                if found is not None and found.essay_id == turn.focus and not was_quoted(found.text, quoted) \
                        and not self._reported(found):
                    return self._quote(found, extend=False)
        probe = near.text if near is not None else (claim.text if claim else turn.text)
        candidates = self.sentences.closest(turn.focus, turn.vector(probe), probe, k=8, avoid=frozenset(quoted))
        for _, sentence in candidates:
            if not was_quoted(sentence.text, quoted) and not self._reported(sentence):
                return self._quote(sentence, extend=False)
        return self._quote(candidates[0][1], extend=False) if candidates else self._fallback_quote(turn)

    def _next_claim(self, turn: Turn, claim: Claim | None) -> Claim | None:
        """The essay's next claim after the one under discussion (in the essay's order), not yet quoted."""
        argument = self.argmap.essays[turn.focus]
        claims = [c for c in argument.claims if c.kind != "heading"]
        start = next((i + 1 for i, c in enumerate(claims) if claim is not None and c.id == claim.id), 0)
        for candidate in claims[start:] + claims[:start]:
            if not was_quoted(candidate.text, turn.conversation.quoted):
                return candidate
        return None

    def _reason_for(self, turn: Turn, claim: Claim | None) -> Quote:
        """Why the essay holds the point just made: a line near it that gives a reason ("because", "so", "this
        is why", a contrast), not one that only sets the scene."""
        last = self._last_quote(turn)
        probe = last.text if last is not None else (claim.text if claim else turn.text)
        quoted = set(turn.conversation.quoted)
        candidates = self.sentences.closest(turn.focus, turn.vector(probe), probe, k=10, avoid=frozenset(quoted),
                                            recent=_recent_quotes(turn.conversation))
        scored = []
        for score, sentence in candidates:
            if was_quoted(sentence.text, quoted):
                continue
            same_passage = last is not None and sentence.row == last.row
            bonus = 0.2 * bool(_REASONS.search(sentence.text)) + 0.1 * self._argues(sentence) + 0.2 * same_passage
            scored.append((score + bonus, sentence))
        if not scored:
            return self._evidence_for(turn, claim, last, exclude_last=True)
        return self._quote(max(scored, key=lambda item: item[0])[1], extend=False)

    def _around_last(self, turn: Turn) -> Quote | None:
        """For a reader lost on the line just quoted: the line after it in its paragraph (where essays unpack a
        point), else the one before, if not shown yet; never the same line again."""
        last = self._last_quote(turn)
        if last is None:
            return None
        quoted = turn.conversation.quoted
        for neighbour in (self.sentences.following(last), self.sentences.preceding(last)):
            while neighbour is not None and was_quoted(neighbour.text, quoted):
                neighbour = self.sentences.following(neighbour) if neighbour.order > last.order else \
                    self.sentences.preceding(neighbour)
            if neighbour is not None:
                return self._quote(neighbour, extend=False)
        return None

    def _simple_line(self, turn: Turn, claim: Claim | None) -> Quote:
        """A short, plain line for a reader who is lost: the claim's shortest support, or the claim itself."""
        options = [self.sentences.find(turn.focus, t) for t in (claim.support if claim else ())]
        usable = [s for s in options if s is not None and not was_quoted(s.text, turn.conversation.quoted)]
        if usable:
            return self._quote(min(usable, key=lambda s: len(s.text)), extend=False)
        return (self._claim_quote(claim) if claim else None) or self._fallback_quote(turn)

    def _last_quote(self, turn: Turn) -> Sentence | None:
        for tutor_turn in reversed(turn.conversation.tutor_turns):
            for quote in tutor_turn.quotes:
                if quote.get("essay") == turn.focus:
                    return self.sentences.find(turn.focus, str(quote["text"]))
        return None
