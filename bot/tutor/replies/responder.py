"""The tutor's replies to every kind of message (`Responder`): the feature mixins put together.

Here are the dispatch of a turn to the handler of its kind (a message about the focus and another essay it names
answered from both; one that asks two things answered in two numbered parts), the choice of an essay when nothing
says which, and the slots the counter-question is built from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from bot.language import leans_back, parse, split_sentences
from bot.state import Turn as StoredTurn
from bot.tutor.argmap import Claim
from bot.tutor.composer import Draft, Quote, overlaps
from bot.tutor.focus import NAMED
from bot.tutor.phrases import contrast, gist, names_elsewhere, proposition, reaction, their_point, topic
from bot.tutor.replies.answers import Questions
from bot.tutor.replies.comparisons import Comparisons
from bot.tutor.replies.positions import Positions
from bot.tutor.replies.readings import Readings
from bot.tutor.replies.requests import Requests
from bot.tutor.replies.text import _listing
from bot.tutor.replies.turn import Response, Turn
from bot.tutor.replies.words import Words
from bot.tutor.stance import Stance
from bot.tutor.understanding import Kind, asked_parts, understand

# the kinds of question a message may ask two of at once, each answered on its own
_PARTED = frozenset({Kind.QUESTION, Kind.MENTION, Kind.MEANING, Kind.READING_CHECK})
_BACK_POINTERS = frozenset({"it", "that", "this", "they", "them", "those", "these"})
_SAYING = frozenset({"say", "mention", "name", "discuss", "talk", "argue", "claim", "imply", "address", "suggest",
                     "mean", "call", "describe", "explain", "use", "cover", "bring"})


def _points_back(piece: str) -> bool:
    """A question that needs the one before it ("and why does it matter for the argument", "if so, why?"): a
    pronoun that stands for something said before, or no more than a few words."""
    doc = parse(piece)
    return leans_back(doc) or any(t.lower_ in _BACK_POINTERS and t.pos_ == "PRON" and t.dep_ != "expl" and not (
        t.dep_ == "nsubj" and t.head.lemma_.lower() in _SAYING) for t in doc)  # "does it name the actor": the essay


_SCENE_WORDS = frozenset({"scene", "part", "moment", "bit", "ending", "end", "episode", "chapter", "shot"})


class Responder(Requests, Questions, Words, Readings, Positions, Comparisons):
    """Every kind of reply, and the dispatch of a turn to the one for its kind."""

    # ---- dispatch --------------------------------------------------------------------------------------------
    def _handlers(self) -> dict[Kind, Callable[[Turn], Response]]:
        return {
            Kind.EMPTY: self.empty, Kind.INJECTION: self.injection, Kind.SOCIAL: self.social,
            Kind.SHORT: self.short, Kind.GHOSTWRITE: self.ghostwrite, Kind.TEACHING: self.teaching,
            Kind.JUST_ANSWER: self.just_answer,
            Kind.APPROVAL: self.approval, Kind.STOP_QUESTIONS: self.stop_questions, Kind.BIAS: self.bias,
            Kind.HELP: self.help, Kind.CRITIQUE: self.critique,
            Kind.OPINION: self.opinion, Kind.ADVICE: self.advice, Kind.COMPARE: self.compare,
            Kind.SWITCH: self.about, Kind.ABOUT: self.about, Kind.MEANING: self.meaning, Kind.MENTION: self.mention,
            Kind.READING_CHECK: self.reading_check, Kind.REJECT_EVIDENCE: self.reject_evidence,
            Kind.STORY: self.story, Kind.QUESTION: self.question, Kind.POSITION: self.position,
        }

    def respond(self, turn: Turn) -> Response:
        kind = turn.understanding.kind
        handler = self._handlers()[kind]
        if turn.other and kind in (Kind.QUESTION, Kind.POSITION, Kind.READING_CHECK) and turn.named_other \
                and not turn.changed:
            response = self.compare(turn)  # a message about the focus and the essay it brings in answers both
        elif turn.other and turn.together and kind is Kind.MENTION:
            response = self._each(turn, self.mention)  # "does either essay mention X?": each essay's answer
        else:
            parted = self._in_parts(turn) if kind in _PARTED else None
            response = parted or handler(turn)
        if kind in (Kind.POSITION, Kind.STORY) and reaction(turn.text):
            # "that part made me cry": whether the essay's reading of the scene fits; "i loved it": what won them
            scene = any(t.lemma_.lower() in _SCENE_WORDS for t in parse(turn.text))
            response.keys = ["reaction" if scene else "reaction_whole", *response.keys]
        # the reader's own claim, for the question to put back to them: only from a message that asks nothing
        point = None if turn.understanding.question else their_point(turn.text)
        if point and not self.sentences.contains(turn.focus, point):  # a pasted line of the essay is not theirs
            response.slots.setdefault("their", point)
        if turn.guessed:  # the closest essay taken: said as a guess, or as the reading of their description
            response.draft.lead = (f"I take it you mean {self._title(turn.focus)}. " if turn.described else
                                   f"You haven't said which essay, so I'll take the closest, "
                                   f"{self._title(turn.focus)}. ") + response.draft.lead
        elif turn.changed and kind not in (Kind.SWITCH, Kind.ABOUT):
            response.draft.lead = f"Switching to {self._title(turn.focus)}. {response.draft.lead}".rstrip()
        return response

    def _in_parts(self, turn: Turn) -> Response | None:
        """A message that asks two things ("does it mention the short story? and does it name the actor?") gets
        both answered, each under its own number, instead of the second being dropped. A piece that points back
        ("and why does it matter for the argument") is read with the piece before it. None when the message asks
        once, when a piece is not a question about the essay, or when both pieces come to the same line."""
        pieces = asked_parts(turn.text)
        if len(pieces) < 2:
            return None
        answers: list[Response] = []
        for n, piece in enumerate(pieces[:2]):
            understanding = understand(piece)
            if understanding.kind not in _PARTED or any(
                    named.essay_id != turn.focus and named.strength >= NAMED for named in self.catalog.named_in(piece)):
                return None  # a piece about another essay ("and is the bantering the same move in the remains essay?")
            conversation = turn.conversation
            if not answers:
                answers.append(self.respond_to(replace(turn, text=piece, understanding=understanding)))
                continue
            # the second answer looks past the lines the first shows; read with the question before it when it
            # points back, alone when that only finds the first answer's line again
            shown_first = tuple(q.to_json() for q in answers[0].draft.quotes)
            conversation = replace(conversation, turns=[*conversation.turns, StoredTurn("tutor", "",
                                                                                          quotes=shown_first)])
            readings = [f"{split_sentences(pieces[n - 1])[-1]} {piece}", piece] if _points_back(piece) else [piece]
            for text in readings:
                answer = self.respond_to(replace(turn, conversation=conversation, text=text,
                                                 understanding=understanding))
                if answer.anchored or not {q.text for q in answer.draft.quotes} & {q["text"] for q in shown_first}:
                    break
            answers.append(answer)
        first, second = answers
        if first.anchored and second.anchored or any(not a.anchored and not a.draft.quotes for a in answers):
            return None  # nothing to show for either: the message's own answer
        # the second on the first's line: "does it talk about Lumon?" found in the line that answered "Helly?" is
        # said in words; any other answer on that line is the same question asked twice
        again = not first.anchored and not second.anchored and any(
            one.essay == other.essay and (one.text in other.text or other.text in one.text or overlaps(one, other))
            for one in first.draft.quotes for other in second.draft.quotes)  # one line inside the other counts
        if again and second.keys[:1] != ["mention_yes"]:
            return None
        quotes: list[Quote] = []
        labels: list[str] = []
        said: list[str] = []  # a piece answered in a line: "No, the essay never mentions the actor."
        for number, answer in enumerate(answers, start=1):
            if answer.anchored:  # the answer, without the thesis the anchor would show after it
                said.append(f"{number}. {split_sentences(answer.draft.lead)[0]}")
                continue
            if number == 2 and again:
                said.append(f"2. {answer.draft.lead.rstrip(':')}, in the line above.")
                continue
            quotes.append(answer.draft.quotes[0])  # one line each: two answers must fit one reply uncut
            lead = answer.draft.lead if number == 1 or answer.draft.lead != first.draft.lead else \
                "On your second question, the essay says this:"  # not the first answer's lead again
            labels.append("\n".join([*said, f"{number}. {lead}".strip()]))
            said = []
        last = next(a for a in reversed(answers) if not a.anchored)
        note = "\n".join(filter(None, [*(a.draft.note for a in answers), *said]))
        return Response(Draft("", quotes, note, tuple(labels)), list(dict.fromkeys([*last.keys, *first.keys])),
                        first.stance, last.claim, first.slots | last.slots)

    def respond_to(self, turn: Turn) -> Response:
        """The handler of the turn's kind, on its own (no comparison, no pieces)."""
        return self._handlers()[turn.understanding.kind](turn)

    def choose_essay(self, turn_text: str, essays: Sequence[str], candidates: Sequence[str], *,
                     hello: str = "") -> Response:
        """Nothing says which essay: ask. A message that several essays could answer gets its closest candidates;
        otherwise the library is listed (newest first) with the newest's central claim on offer, after `hello`
        ("Hi! ")."""
        if len(candidates) >= 2:
            names = _listing([self.catalog.profiles[e] for e in candidates if e in self.catalog.profiles])
            lead = f"Several essays here take that up: {names}. The closest is this:"
            best = self.sentences.closest(candidates[0], self._vector(turn_text), turn_text, k=1)
            quotes = [self._quote(best[0][1], extend=False)] if best else []
            return Response(Draft(lead, quotes), ["choose"], Stance.QUESTION)
        profiles = sorted((self.catalog.profiles[e] for e in essays if e in self.catalog.profiles),
                          key=lambda p: (p.added_at, p.title), reverse=True)
        shown = profiles[:8]
        more = f", and {len(profiles) - len(shown)} more (the /essays command lists them all)" \
            if len(profiles) > len(shown) else ""
        lead = f"{hello}Which essay shall we talk about? The library has {len(profiles)}: {_listing(shown)}{more}."
        quotes: list[Quote] = []
        if shown:
            thesis = self.argmap.essays[shown[0].id].thesis if shown[0].id in self.argmap.essays else None
            if thesis is not None and (quote := self._claim_quote(thesis)) is not None:
                quotes.append(quote)
                lead += f" If you'd rather not choose, the newest, {shown[0].short_title}, begins from this claim:"
        return Response(Draft(lead, quotes), ["choose"], Stance.OFFTOPIC)

    def question_slots(self, quotes: Sequence[Quote], claim: Claim | None) -> dict[str, str | None]:
        """Slots for the counter-question: whole phrases of the first quote (or, failing that, the claim)."""
        # a question carries a line's claim only when the line argues ("Do you buy that the most famous is the
        # teletransporter?" asks about a scene-setter)
        claim_line = quotes[0] if quotes and self.argues_line(quotes[0].essay, quotes[0].text) else None
        slots: dict[str, str | None] = {"topic": None, "rejected": None, "asserted": None, "subject": None,
                                        "claim": proposition(claim_line.text) if claim_line else None}
        if slots["claim"] and names_elsewhere(slots["claim"]):
            slots["claim"] = None  # "…does not support that fantasy": which fantasy?
        # the essay's larger claim the quoted line serves: its thesis, else the claim nearest the line (a fact answered
        # asks how it bears on the argument; judges failed a section's claim called "the essay's larger claim"), as
        # a clause the question can carry (`gist`: a thesis is seldom one sentence of one clause)
        essay = quotes[0].essay if quotes else None
        larger = [c.text for c in (self.argmap.essays[essay].thesis if essay in self.argmap.essays else None, claim)
                  if c is not None and c.kind != "heading" and not (quotes and (c.text in quotes[0].text or
                                                                                quotes[0].text in c.text))]
        slots["main"] = next((m for text in larger if (m := proposition(text) or gist(text))), None)
        for text in [q.text for q in quotes[:1]]:  # only what the reader can see: a phrase of the quoted line
            if slots["topic"] is None:
                slots["topic"] = topic(text, self.rarity)
            if slots["rejected"] is None and (sides := contrast(text)) is not None and not sides.named:
                slots["rejected"], slots["asserted"], slots["subject"] = sides.rejected, sides.asserted, sides.subject
        return slots
