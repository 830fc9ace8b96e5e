"""Answers to questions about the essay (`Questions`).

The line that answers, with the line that completes it or reads it; "does it say…?" answered no when no line
says it; a why-question by the line that gives the reason, an either-or question by the line that picks between
its options; "who is X?" by where the essay brings them in; and a question the essay does not address, said
plainly (with the line shown earlier that answers it, or the essay that does).
"""

from __future__ import annotations

import re

from bot.language import parse, plain, quoted, word_stems
from bot.tutor.composer import Draft, short_title
from bot.tutor.evidence import Sentence
from bot.tutor.focus import NAMED
from bot.tutor.phrases import alternatives, contrast, their_point
from bot.tutor.replies.lookup import LOOSELY, RELEVANT
from bot.tutor.replies.quoting import Quoting
from bot.tutor.replies.text import _ASKS_IF_SAYS, _REASONS, _REJECTS_VIEW, _echo, _negated, _where, was_quoted
from bot.tutor.replies.turn import Response, Turn
from bot.tutor.stance import Stance
from bot.tutor.understanding import Act, asks_fact, asks_purpose, unframed

SAYS_IT = 0.5  # "does the essay say what he should have done?": a line this close says it
EITHER_OR_BONUS = 0.1  # an either-or question prefers the line that picks between its options...
EITHER_OR_MATCH = 0.3  # ...whose two sides are each this close to one option (mean cosine)
SECOND_QUOTE = 0.02  # a second line from another passage is quoted when it answers about as well as the first
_WHY_LEAD = "The essay's answer to why:"
_WHAT_IS = re.compile(r"\bwhat(?:'s| is| are| was)\s+(?:the|that|this|a|an)\b|\bwhat happens\b|"
                      r"\bwho(?:'s| is| are| was)\b|\bis .{3,40} (?:in|from) the (?:movie|film|book|show|story)\b",
                      re.IGNORECASE)
_MEANS_THAT = re.compile(r"\bwhat does (?:it|the essay|that|she|he) mean (?:that|when it says|by saying)\b",
                         re.IGNORECASE)
_HINGE = re.compile(r"\b(?:this is the (?:hinge|point|key)|what (?:she|he|it|they) did was|the point is|"
                    r"matters because|"
                    r"is important because|the reason)\b", re.IGNORECASE)
_MENTIONING = frozenset({"mention", "name-drop", "drop", "refer", "reference", "cite", "bring", "namedrop"})
_WHO_IS = re.compile(r"\bwho(?:'s| is| was| are| were)\s+(?P<who>(?:the\s+)?[\w’'.-]+(?:\s+[\w’'.-]+){0,2}?)"
                     r"(?=\s+(?:and|again|exactly|even|in|supposed|really|actually|anyway|then|now|here|"
                     r"though|tho)\b|\s*[?.!,;]|\s*$)",
                     re.IGNORECASE)
_POINTER_WORDS = frozenset({"he", "she", "they", "it", "this", "that", "you", "him", "her", "them", "i", "we",
                            "right", "wrong", "to", "the", "a"})


class Questions(Quoting):
    """Answers to questions about the essay."""

    def question(self, turn: Turn) -> Response:
        taken: list[tuple[str, Sentence] | None] = []  # `_taken_up` (a parse and a scan), asked for at most once

        def taken_up() -> tuple[str, Sentence] | None:
            if not taken:
                taken.append(self._taken_up(turn, self._point(turn)))
            return taken[0]

        if (introduced := self._introduction(turn)) is not None:  # "who is parfit?": where the essay brings him in,
            return introduced  # or "who is helly?": that it never mentions her, not that she is off the topic
        if self._stance(turn).stance is Stance.OFFTOPIC and taken_up() is None and not self._names_a_character(turn):
            return self.offtopic(turn)  # unless it asks about something the essay talks about in those words
        voiced = unframed(turn.text)  # "does the essay agree that P?" voices P; "does it say what he should do?" not
        view = self._counterview(turn, voiced)
        if view is not None and _ASKS_IF_SAYS.search(turn.text):
            if voiced != turn.text and not re.match(r"(?:what|why|how|who|whether|if|when|where|which)\b", voiced,
                                                    re.IGNORECASE) and not _negated(turn.text):
                return self._answer_counterview(turn, view, endorsed=True, reading=True)
            if alternatives(turn.text) is None:  # "does it blame joel, or lacuna?": a view it rejects is an option
                view = None
        if view is not None and was_quoted(view.answer, turn.conversation.quoted):
            view = None  # its answer was shown already: the same reply twice says nothing new
        if view is not None and not their_point(turn.text):  # asked, not voiced: the essay's answer is the answer
            answer = self.sentences.find(turn.focus, view.answer)
            if answer is not None:
                return Response(Draft(self._question_lead(turn.text), [self._quote(answer)]),
                                ["scheme", "question"], Stance.QUESTION, self._claim_near(answer))
        if view is not None:
            return self._answer_counterview(turn, view, endorsed=not _REJECTS_VIEW.search(turn.text))
        if (cited := self._cited(turn)) is not None:  # 'what's wrong with "leave your baggage at the door"?'
            return self._where_used(turn, *cited, ["scheme", "question"], Stance.QUESTION)
        found = self._best_many(turn, self._point(turn))
        if (not found or found[0][0] < RELEVANT) and (use := taken_up()) is not None:
            # the essay's words for it beat a line that is only near in meaning
            return self._where_used(turn, *use, ["scheme", "question"], Stance.QUESTION)
        if not found or found[0][0] < LOOSELY:
            if self._unrelated(turn, found[0][0] if found else None):
                return self.offtopic(turn)  # "what's the capital of France?": nothing here is near it at all
            return self._not_addressed(turn)
        if turn.text.lower().lstrip().startswith(("why", "how come")):  # a why-question wants the line with the reason
            found = sorted(found, key=lambda item: -(item[0] + 0.08 * bool(_REASONS.search(item[1].text) or
                                                                          _HINGE.search(item[1].text))))
        if (options := alternatives(turn.text)) is not None:  # "does it blame mark or the company?"
            found = sorted(found, key=lambda item: -(item[0] + EITHER_OR_BONUS * self._picks_between(turn, options,
                                                                                                    item[1])))
        score, first = found[0]
        if _MEANS_THAT.search(turn.text) and len(found) > 1 and found[1][0] >= RELEVANT:
            score, first = found[1]  # "what does it mean that P?": the reader has P; the line that unpacks it helps
        elif self._known(turn, first) and (around := self._around(first, turn)) is not None:
            # they quote the line ("'pulling one thread unravels the whole sweater': does the film show that?"):
            # what the essay goes on to say about it answers, the line itself does not
            return Response(Draft(f"That's the essay's own line ({_where(first)}). Beside it, the essay says:",
                                  [self._quote(around, extend=False)]), ["scheme", "question"], Stance.QUESTION,
                            self._claim_near(first))
        # "does it say who wrote it?" asks for a fact, which a line may state while lying far from the question in
        # meaning: only a line that is not even relevant makes the answer "no"
        if _ASKS_IF_SAYS.search(turn.text) and score < (RELEVANT if asks_fact(turn.text) else SAYS_IT):
            lead = "No, the essay doesn't say that. The closest it comes is this:"
            return Response(Draft(lead, [self._quote(first)]), ["mention_no"], Stance.QUESTION,
                            self._claim_near(first))
        if score < RELEVANT:
            lead = "The nearest the essay comes to that is this:"  # near, not a denial: it may be the answer
            return Response(Draft(lead, [self._quote(first)]), ["question_near", "scheme"], Stance.QUESTION,
                            self._claim_near(first))
        quotes = [self._quote(first, toward=turn.vector(self._point(turn)))]
        # "why does he say X?", "what does X show?": a line that only tells of X is followed by the one that reads it
        # (held-out 5's judges failed "Ah Bartleby! Ah humanity!" without the essay's "last evasion")
        reading = self._reading_after(first) if asks_purpose(turn.text) and not self._argues(first) else None
        if reading is not None and reading.text not in quotes[0].text:
            quotes.append(self._quote(reading))
        elif (before := self._antecedent(first)) is not None and not was_quoted(before.text, turn.conversation.quoted):
            quotes.insert(0, self._quote(before, extend=False))
        elif len(found) > 1 and found[1][0] >= score - SECOND_QUOTE and found[1][1].row != first.row:
            quotes.append(self._quote(found[1][1], extend=False))
        # only a line this close says it (SAYS_IT); a nearer-than-nothing one bears on it, and the lead says so
        lead = self._question_lead(turn.text) if score >= SAYS_IT else "Here is what the essay says that bears on it:"
        keys = ["question_what", "scheme", "question"] if _WHAT_IS.search(turn.text) else ["scheme", "question"]
        if asks_fact(turn.text) and Act.OBJECTION not in turn.understanding.acts:
            keys = ["lookup", *keys]  # a fact looked up is not a claim to object to
        elif lead == _WHY_LEAD and Act.OBJECTION not in turn.understanding.acts:
            keys = ["why", *keys]  # the essay's reason, given: whether it explains it for them
        return Response(Draft(lead, quotes), keys, Stance.QUESTION, self._claim_near(first))

    def _introduction(self, turn: Turn) -> Response | None:
        """"Who is Parfit?": the sentence where the essay first names him ("The philosopher who took these worries
        furthest was Derek Parfit, whose Reasons and Persons…"), which says who he is; a second part of the question
        ("…and why does he keep coming up?") gets its own line."""
        match = _WHO_IS.search(plain(turn.text))
        if match is None:
            return None
        who = match.group("who").strip()
        if who.lower() in _POINTER_WORDS or who.split()[0].lower() in ("the", "this", "that", "a", "an"):
            return None  # "who's the villain then?" asks a question of the argument, answered by search
        if parse(who)[0].tag_ == "VBG":
            return None  # "who is bearing it?": asks who does something, not who someone is
        uses = self.sentences.uses(turn.focus, who)
        if not uses and len(who.split()) <= 2:
            # "who is helly": a name the essay never uses gets a plain "it never mentions her" (judges failed
            # the off-topic redirect, and a line about someone else, as unanswered), unless told in other words
            return self.mention(turn, who, denial="The essay never mentions")
        if not uses:
            return None
        first = uses[0]
        quotes = [self._quote(first)]
        rest = re.sub(r"^(?:actually|really|exactly|anyway)\b\W*", "", turn.text[match.end():].strip(" ,.;?"),
                      flags=re.IGNORECASE)
        if len(rest.split()) >= 3:  # "…and why does he keep coming up?", "…? like what's his job"
            more = next((s for score, s in self._best_many(turn, f"{who}: {rest}") if score >= SAYS_IT and
                         s.row != first.row and s.text not in quotes[0].text), None)
            if more is not None:
                quotes.append(self._quote(more, extend=False))
        return Response(Draft(f"The essay brings {_echo(who)} in here:", quotes), ["lookup", "scheme", "question"],
                        Stance.QUESTION, self._claim_near(first))

    def _picks_between(self, turn: Turn, options: tuple[str, str], sentence: Sentence) -> bool:
        """The line draws a contrast whose two sides are the question's two options ("not Mark … but the entire
        system"): it answers an either-or question, where a line near the question in words may not."""
        sides = contrast(sentence.text)
        if sides is None:
            return False
        one, two = options
        straight = self._similarity(turn, one, sides.rejected) + self._similarity(turn, two, sides.asserted)
        crossed = self._similarity(turn, one, sides.asserted) + self._similarity(turn, two, sides.rejected)
        return max(straight, crossed) / 2 >= EITHER_OR_MATCH

    def _question_lead(self, text: str) -> str:
        lowered = text.lower()
        if re.search(r"\b(?:does|did|is|was) (?:the |it |this )?(?:essay |author )?(?:say|argue|claim)\b", lowered):
            return "Here is what the essay says on that:"
        if lowered.lstrip().startswith(("why", "how come")):
            return _WHY_LEAD
        return "Here's how the essay answers that:"

    def _not_addressed(self, turn: Turn) -> Response:
        # a line shown earlier in the conversation may be the answer still: said again, rather than "not addressed"
        earlier = [item for item in self._best_many(turn, self._point(turn), fresh=False)
                   if was_quoted(item[1].text, turn.conversation.quoted)]
        if earlier and earlier[0][0] >= RELEVANT:
            sentence = earlier[0][1]
            return Response(Draft("The essay's answer is the line we saw earlier:", [self._quote(sentence)]),
                            ["question", "scheme"], Stance.QUESTION, self._claim_near(sentence))
        # nor is a question "not addressed" when the essay uses the words it quotes ("why does the writer call the
        # lawyer the 'real subject'?"): the line that uses them
        for phrase in quoted(turn.text):
            if len(phrase.split()) >= 2 and (uses := self.sentences.uses(turn.focus, phrase.strip(" .,!?"))):
                return Response(Draft(f"The essay says it here, {_where(uses[0])}:", [self._quote(uses[0])]),
                                ["question", "scheme"], Stance.QUESTION, self._claim_near(uses[0]))
        elsewhere = self._elsewhere(turn, turn.text)
        named = {n.essay_id for n in self.catalog.named_in(turn.text) if n.strength >= NAMED}
        if elsewhere is not None and elsewhere in named | {turn.other}:
            # the reader named that essay in this very message ("the butler one name-drops severance: where?"): its
            # answer, under its title, is the answer
            found = self._best_in(elsewhere, turn, turn.text)
            # where one essay brings in the other ("the butler one name-drops severance: where?"): that line
            vector = turn.vector(turn.text).reshape(-1)
            crossing = self._lines_naming(elsewhere, turn.focus)
            mentions = bool(_MENTIONING & ({t.lemma_.lower() for t in parse(turn.text)} | set(word_stems(turn.text))))
            line = max(crossing, key=lambda s: float(s.vector @ vector)) if crossing and mentions else \
                found[1] if found is not None else None
            if line is not None:
                return Response(Draft(f"{self._title(elsewhere)} does, {_where(line)}:", [self._quote(line)]),
                                ["question", "scheme"], Stance.QUESTION, self._claim_near(line))
        where = f" {short_title(self.catalog.profiles[elsewhere].title)} does, if you want to look at that one." \
            if elsewhere else ""
        lead = f"The essay doesn't address that.{where} What it does argue is this:"
        return self._anchor(turn, lead, ["mention_no"], Stance.QUESTION)

    def _names_a_character(self, turn: Turn) -> bool:
        """The message names someone the focus essay discusses ("what is Mary's role?"): never off-topic."""
        return bool(self._characters(turn.focus) & set(word_stems(turn.text)))
