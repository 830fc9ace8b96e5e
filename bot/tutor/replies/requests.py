"""Replies to what a message asks of the tutor rather than of a line of the essay (`Requests`).

Empty messages, injections, greetings and goodbyes, messages off the topic, advice, ghost-writing, discussion
questions for a class, requests to stop asking questions, accusations of bias, questions about the tutor itself,
requests for a critique or an opinion, and requests for the essay's argument as a whole ("what is it about?", its
strongest line, "just tell me", "3 quotes about dignity").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from bot.language import leans_back, parse, plain, quoted, stem
from bot.state import Conversation
from bot.tutor.argmap import Claim
from bot.tutor.composer import Draft, Quote
from bot.tutor.evidence import Sentence
from bot.tutor.phrases import points_elsewhere
from bot.tutor.replies.lookup import LOOSELY, RELEVANT
from bot.tutor.replies.quoting import Quoting
from bot.tutor.replies.text import _echo, _listing, was_quoted
from bot.tutor.replies.turn import Response, Turn
from bot.tutor.stance import Stance
from bot.tutor.understanding import Act, Kind, understand

TUTOR_INTRO = ("I'm a reading tutor for the essays here: ask me about one, and I'll answer with its own words, then "
               "ask you one question to think with.")


def _said_goodbye(conversation: Conversation) -> bool:
    """The reader's last message was a goodbye, and the tutor answered it."""
    users = [t for t in conversation.turns if t.role == "user"]
    return bool(users) and bool(users[-1].meta.get("closing")) and conversation.turns[-1].role == "tutor"


_CONCEDES = re.compile(r"\b(?:is|are|was) (?:\w+ )?fair\b|\ba case for\b|\bgranted\b|\badmittedly\b|\bto be sure\b|"
                       r"\bit is true that\b", re.IGNORECASE)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "a few": 3, "some": 3, "several": 3, "a couple": 2,
            "couple of": 2}


def _how_many(text: str) -> int:
    """How many questions a request asks for ("five discussion questions", "3 prompts", "a few questions"): 1 if
    it names no number."""
    match = re.search(r"\b(\d|two|three|four|five|six|a few|some|several|a couple|couple of)\s+(?:\w+\s+){0,2}?"
                      r"(?:questions|prompts|topics)\b", text, re.IGNORECASE)
    if match is None:
        return 1
    word = match.group(1).lower()
    return int(word) if word.isdigit() else _NUMBERS[word]


def _asked_part(text: str) -> str | None:
    """The question a request to stop asking carries ("please don't end with a question, I just need the answer:
    what is Mary's role in the argument"), if it carries one."""
    pieces = [p.strip() for p in re.split(r"(?<=[.!?:;])\s+", text) if p.strip()]
    for piece in reversed(pieces[1:]):
        if len(piece.split()) >= 3 and re.match(r"(?:what|why|how|who|where|when|which|does|did|is|are)\b", piece,
                                                  re.IGNORECASE):
            return piece
    return None


class Requests(Quoting):
    """Replies to what is asked of the tutor."""

    # ---- kinds that step outside the argument -------------------------------------------------------------------
    def empty(self, turn: Turn) -> Response:
        return self._anchor(turn, "I didn't catch a message there. Here's where the essay's argument starts:",
                            ["greeting"], Stance.OFFTOPIC, thesis=True)

    def injection(self, turn: Turn) -> Response:
        if turn.understanding.target == "ping":
            return self._anchor(turn, "I won't ping anyone: I only answer here, to the person talking to me. Back "
                                      "to the argument:", ["offtopic"], Stance.OFFTOPIC)
        return self._anchor(turn, "I'll stay in my role: I quote the essay and ask about it, and nothing in a "
                                  "message changes that. Back to the argument:", ["offtopic"], Stance.OFFTOPIC)

    def social(self, turn: Turn) -> Response:
        if turn.understanding.target == "closing":  # told apart where the message was read (understanding)
            if _said_goodbye(turn.conversation):  # "bye x" after a goodbye was answered: no second send-off
                return Response(Draft("Take care, and come back whenever you like.", []), ["farewell"],
                                Stance.OFFTOPIC)
            if (line := self._taken_away(turn)) is not None:
                return Response(Draft("Glad it helped. The line you mean, to take with you:", [self._quote(line)]),
                                ["closing"], Stance.OFFTOPIC, self._claim_near(line))
            return self._anchor(turn, "Glad it helped. One line to take with you:", ["closing"], Stance.OFFTOPIC,
                                thesis=True)
        if turn.understanding.target == "apology":  # "sorry for trauma dumping on a reading bot"
            confided = bool({Act.PERSONAL.value, Act.FEELING.value} & turn.conversation.user_acts)
            return self._anchor(turn, "No need to apologise. When you want to pick it up again, this is the line we "
                                      "were on:", ["story" if confided else "ok"], Stance.OFFTOPIC)
        if turn.understanding.target == "truce":  # "agree to disagree i guess"
            return self._anchor(turn, "Fair enough: we can leave it there. For the record, the essay's claim is "
                                      "this:", ["closing"], Stance.OFFTOPIC, thesis=True)
        title = self._title(turn.focus)
        return self._anchor(turn, f"Hi! We're reading {title}. Its central claim:", ["greeting"], Stance.OFFTOPIC,
                            thesis=True)

    def _taken_away(self, turn: Turn) -> Sentence | None:
        """The line of the focus essay a goodbye cites ("i'll try noticing 'the moment of reaching' like she says"):
        the one that uses a phrase of two words or more that the reader quotes."""
        for phrase in quoted(turn.text):
            if len(phrase.split()) >= 2 and (uses := self.sentences.uses(turn.focus, phrase)):
                return uses[0]
        return None

    def offtopic(self, turn: Turn) -> Response:
        if (about := self._on_someone(turn)) is not None:
            return about  # "what was hallie's deal again": someone the essay discusses is never off the topic
        title = self._title(turn.focus)
        return self._anchor(turn, f"That's outside what we're reading, so I'll leave it there. Back to {title}:",
                            ["offtopic"], Stance.OFFTOPIC)

    def advice(self, turn: Turn) -> Response:
        lead = ("That's your decision to make, and I'm not the right one to advise you on it: I'm here for the "
                "essay, and the essay isn't advice either.")
        best = self._best(turn, turn.text)
        if best and best[0] >= RELEVANT:
            return Response(Draft(f"{lead} It does say something that bears on it, though:", [self._quote(best[1])]),
                            ["advice"], Stance.OFFTOPIC, self._claim_near(best[1]))
        return self._anchor(turn, f"{lead} What it does argue is this:", ["advice"], Stance.OFFTOPIC, thesis=True)

    def ghostwrite(self, turn: Turn) -> Response:
        thesis = self.argmap.essays[turn.focus].thesis
        if any(t.meta.get("kind") == Kind.GHOSTWRITE.value for t in turn.conversation.turns if t.role == "user"):
            lead = ("Still no, and changing a few words wouldn't make it yours: what your teacher wants is your "
                    "reading. Building it is quicker than it sounds. Here is a line your paragraph could start from:")
            support = next((s for s in thesis.support if s not in thesis.text and not was_quoted(
                s, turn.conversation.quoted)), None)
            sentence = self.sentences.find(turn.focus, support) if support else None
            if sentence is not None:
                return Response(Draft(lead, [self._quote(sentence, extend=False)]), ["ghostwrite"], Stance.QUESTION,
                                thesis)
        lead = ("I won't write it for you: it's your assignment, and a paragraph in my words would be my reading, "
                "not yours. I'll help you build your own, though. The claim it has to deal with:")
        quote = self._claim_quote(thesis)  # the thesis even if it was quoted before: it is what the paragraph answers
        if quote is None:
            return self._anchor(turn, lead, ["ghostwrite"], Stance.QUESTION, thesis=True)
        return Response(Draft(lead, [quote]), ["ghostwrite"], Stance.QUESTION, thesis)

    def teaching(self, turn: Turn) -> Response:
        """Questions for a class or a group to discuss: the tutor's own kind of question, so it gives one, built on
        a claim a discussion has to take a side on (the essay's central claims, in its words, not yet shown) and on
        an objection the essay answers."""
        argument = self.argmap.essays[turn.focus]
        quoted = turn.conversation.quoted
        claim, quotes = argument.thesis, [q for q in [self._claim_quote(argument.thesis)] if q]
        standing = next(((c, q) for c, q in self._unshown_claims(turn) if not leans_back(parse(c.text))
                         and not was_quoted(q.text, quoted)), None)
        if standing is not None:  # one that stands alone, not yet shown
            claim, quotes = standing[0], [standing[1]]
        view = next((v for v in argument.counterviews if not was_quoted(v.text, quoted)), None)
        found = self.sentences.find(turn.focus, view.text) if view is not None else None
        if found is not None:
            quotes.append(self._quote(found))  # "Some viewers resist this reading." comes with what they say
        again = any(t.meta.get("kind") == Kind.TEACHING.value for t in turn.conversation.turns if t.role == "user")
        lead = ("Another, then. " if again else "Glad to. ") + (
            "A discussion works best when people have to take a side on a claim the essay makes, and on an objection "
            "it answers; here are both, in its words:" if len(quotes) > 1 else
            "A discussion works best when people have to take a side on a claim the essay makes, in its words:")
        if (wanted := _how_many(turn.text)) > 1:  # "five discussion questions": one more per claim, in its words
            shown = {q.text for q in quotes} | quoted
            more = [c.text for c in self._central_claims(turn.focus) if c.id != claim.id and len(c.text) <= 160
                    and not was_quoted(c.text, shown) and not points_elsewhere(c.text)
                    and not leans_back(parse(c.text))]
            more = list(dict.fromkeys(more))[:min(wanted, 5) - 1]
            if more:
                quotes = quotes[:1]  # room for the list: the objection can come with "another one?"
                lead = "Glad to. Start them on a claim the essay makes, in its words:"
                note = "Then, each a claim to take a side on:\n" + "\n".join(
                    f"{n}. The essay says: “{text}” Is it right, and what would you point to?"
                    for n, text in enumerate(more, start=1))
                return Response(Draft(lead, quotes, note), ["teaching_list"], Stance.QUESTION, claim)
        return Response(Draft(lead, quotes), ["teaching"], Stance.QUESTION, claim)

    def stop_questions(self, turn: Turn) -> Response:
        if (asked := _asked_part(turn.text)) is not None:  # "no question this time, just: what is Mary's role?"
            response = self.question(replace(turn, text=asked, understanding=understand(asked)))
            response.draft.lead = f"Sure. {response.draft.lead}"
            response.keys = ["stop"]
            return response
        lead = ("Fair enough: no more questions from me. I asked because the point is for you to test the essay, "
                "not to be quizzed on it. Here is the essay's point, straight:")
        if turn.understanding.target == "declined":  # "I would prefer not to answer your question": that one
            lead = "Fair enough, you don't have to answer that one. Here is the essay's point, straight:"
        # the essay's point: its thesis, or, when that was just quoted, its next central claim, never the line
        # under discussion (which may be a scene: "At first Bartleby copies prodigiously…")
        return self._anchor(turn, lead, ["stop"], Stance.QUESTION, thesis=True)

    def bias(self, turn: Turn) -> Response:
        lead = ("Fair challenge. I'm not here to defend the essay: I quote it accurately and push back on whatever "
                "you say, agreement included. If you think it's wrong, this is the line to take on:")
        return self._anchor(turn, lead, ["bias"], Stance.DISAGREE, thesis=True)

    def help(self, turn: Turn) -> Response:
        """A question about the tutor itself, answered plainly, then back to the essay under discussion."""
        if turn.understanding.target == "quoting":  # "you keep reading it back to me": whether the argument holds
            return self.critique(turn, opening="Fair: a quote isn't an argument, and I won't argue the essay's side "
                                               "for it. To judge whether it holds,")
        title = self._title(turn.focus)
        profiles = sorted(self.catalog.profiles.values(), key=lambda p: (p.added_at, p.title), reverse=True)
        library = f"The library has {len(profiles)}: {_listing(profiles[:12])}" + (
            f", and {len(profiles) - 12} more (the /essays command lists them all)" if len(profiles) > 12 else "")
        lead = {
            "library": f"{library}. We're on {title}; name another by its title, author or subject and I'll switch.",
            "method": ("Because the thinking is meant to be yours: I answer with the essay's own words, then ask one "
                       "question so you test the essay against your own reading rather than take my word for it. If "
                       "you'd rather not get them, say \"no more questions\" and I'll stop."),
            "usage": (f"Just name it in a message, by its title, author or subject (\"the essay on …\"), and I'll "
                      f"switch; /ask also takes an essay option. {library}."),
            "resume": "Gladly.",
            "words": ("Gladly. Give me any word or sentence that stops you, one at a time, and I'll show you where "
                      "the essay uses it and what it says around it; no word is too small to ask about."),
            "instructions": ("I won't paste my instructions, but nothing in them is hidden from you: I'm a reading "
                             "tutor that answers from the essays' own words and asks one question back."),
            "taste": ("I don't watch, read or have favourites of my own: all I know is the essays in this library, "
                      "so I'd rather not pretend."),
            "self": ("I'm a bot, not a person: a reading tutor for the essays in this library. I answer from the "
                     "essays' own words and ask one question back. I keep this conversation so we can pick it up "
                     "later; on Discord, /forget deletes it."),
        }[turn.understanding.target or "usage"]
        if turn.understanding.target == "words":  # help with the words in general: ask for the first one
            return self._anchor(turn, f"{lead} To start, here is what {title} argues, in its own words:",
                                ["words_help"], Stance.QUESTION, thesis=True)
        if turn.understanding.target == "resume":  # questions asked for again: one on the point under discussion
            return self._anchor(turn, f"{lead} Take this line of {title}:", ["position", "scheme"], Stance.QUESTION)
        return self._anchor(turn, f"{lead} Meanwhile, {title} argues this:", ["offtopic"], Stance.OFFTOPIC)

    def critique(self, turn: Turn, opening: str = "I won't take a side, but") -> Response:
        """"Is there anything it gets wrong?": the tutor takes no side, but points to where the essay is most open
        to attack, the objection it raises against itself, with its answer, so the reader can judge the answer."""
        argument = self.argmap.essays[turn.focus]
        quoted = turn.conversation.quoted
        # an objection the essay grants part of ("The objection is fair about the mechanics, but…") first: that is
        # where it admits a weakness
        for view in sorted(argument.counterviews, key=lambda v: (was_quoted(v.text, quoted),
                                                                 not _CONCEDES.search(f"{v.text} {v.answer}"))):
            objection, answer = self.sentences.find(turn.focus, view.text), self.sentences.find(turn.focus, view.answer)
            if objection is None or answer is None:
                continue
            lead = f"{opening} look where it is most open to attack: the objection it raises against itself, and its " \
                   "answer."
            return Response(Draft(lead, [self._quote(objection), self._quote(answer, extend=False)]),
                            ["critique"], Stance.QUESTION, self._claim_near(answer))
        lead = f"{opening} push on its central claim, which it never tests against an objection:"
        return self._anchor(turn, lead, ["critique_none"], Stance.QUESTION, thesis=True)

    def opinion(self, turn: Turn) -> Response:
        lead = ("I don't take sides: my job is to make the essay's case as sharply as I can and let you judge it. "
                "Its strongest line on this:")
        best = self._best(turn, turn.text)
        if best and best[0] >= LOOSELY:
            return Response(Draft(lead, [self._quote(best[1])]), ["opinion", "scheme"], Stance.QUESTION,
                            self._claim_near(best[1]))
        return self._anchor(turn, lead, ["opinion"], Stance.QUESTION, thesis=True)

    # ---- the essay's argument ----------------------------------------------------------------------------------
    def about(self, turn: Turn) -> Response:
        argument = self.argmap.essays[turn.focus]
        lead = "In short, the essay argues this:"
        if turn.understanding.target == "tutor":  # "what can I do with this bot?": what the tutor does, and the essay
            return self._thesis_with_support(turn, argument.thesis, f"{TUTOR_INTRO} This one, "
                                             f"{self._title(turn.focus)}, argues this:", ["about"])
        if turn.understanding.target == "strongest":  # its central claim, or the next one if that was shown
            lead = "Its strongest line, I'd say, is this, with the support it gives:"
            claim = next((c for c, _ in self._unshown_claims(turn)), argument.thesis)
            return self._thesis_with_support(turn, claim, lead, ["strongest"])
        if turn.changed:
            lead = f"Sure, let's turn to {self._title(turn.focus)}. In short, it argues this:"
        elif turn.understanding.target == "opening":  # "can we talk about the ship of theseus essay?"
            lead = f"Yes, let's: {self._title(turn.focus)}. In short, it argues this:"
        elif (shown := self._claim_quote(argument.thesis)) is not None and was_quoted(shown.text,
                                                                                        turn.conversation.quoted):
            lead = "Its central claim is the one above; here is how it makes the case:"  # not the same lines again
            return self._thesis_with_support(turn, argument.thesis, lead, ["scheme", "about"], shown=True)
        return self._thesis_with_support(turn, argument.thesis, lead, ["scheme", "about"])

    def just_answer(self, turn: Turn) -> Response:
        argument = self.argmap.essays[turn.focus]
        if turn.understanding.target in ("brief", "shorter") and (quote := self._claim_quote(argument.thesis)):
            if turn.understanding.target == "shorter":  # after the thesis: the shortest of its central claims
                shorter = min((q for _, q in self._unshown_claims(turn) if len(q.text) < len(quote.text) and
                               not leans_back(parse(q.text))),
                              key=lambda q: len(q.text), default=None)
                if shorter is not None:
                    return Response(Draft("Shorter, still in the essay's own words:", [shorter]), ["just_answer"],
                                    Stance.QUESTION, argument.thesis)
            return Response(Draft("In one sentence, in the essay's own words:", [quote]), ["just_answer"],
                            Stance.QUESTION, argument.thesis)
        if turn.understanding.target == "quotes" and (topic := turn.understanding.topic):
            on_topic = self._lines_on(turn, topic)  # "3 quotes about dignity": lines about dignity
            if on_topic:
                return Response(Draft(f"Here are {len(on_topic)} of its lines on {_echo(topic)}, in its own words; "
                                      "credit them to the essay, with the section, if you use them:",
                                      [self._quote(s, extend=False) for s in on_topic]),
                                ["just_answer", "scheme"], Stance.QUESTION, self._claim_near(on_topic[0]))
        if turn.understanding.target == "quotes":  # the essay's words are the reader's to quote, credited
            response = self._thesis_with_support(turn, argument.thesis, "", ["just_answer", "scheme"])
            shown = {q.text for q in response.draft.quotes} | turn.conversation.quoted
            for claim in self._central_claims(turn.focus):
                if len(response.draft.quotes) >= 3:
                    break
                if (quote := self._claim_quote(claim, avoid=shown, support=False)) is not None:
                    response.draft.quotes.append(quote)
                    shown.add(quote.text)
            response.draft.lead = (f"Here are {len(response.draft.quotes)} of its key lines, in its own words; credit "
                                   "them to the essay, with the section, if you use them:")
            return response
        lead = "Straight answer: the essay's main argument is this, with its key support."
        return self._thesis_with_support(turn, argument.thesis, lead, ["just_answer", "scheme"])

    def _lines_on(self, turn: Turn, topic: str, count: int = 3) -> list[Sentence]:
        """Up to `count` lines of the focus on `topic`, in the essay's order: those that use its words first, then
        those nearest it in meaning; none already shown."""
        quoted = turn.conversation.quoted
        chosen = [s for s in self.sentences.uses(turn.focus, topic) if not was_quoted(s.text, quoted)][:count]
        if len(chosen) < count:
            near = self.sentences.closest(turn.focus, turn.vector(topic), topic, k=count * 2,
                                          avoid=frozenset(quoted))
            have = {s.key for s in chosen}
            chosen += [s for score, s in near if score >= RELEVANT and s.key not in have and not
                       was_quoted(s.text, quoted) and not self._reported(s)][:count - len(chosen)]
        return sorted(chosen, key=lambda s: s.order)

    def _thesis_with_support(self, turn: Turn, thesis: Claim, lead: str, keys: list[str], *,
                             shown: bool = False) -> Response:
        """The claim and a line of its support; `shown`: the claim was quoted already, so two lines of support."""
        quotes = [] if shown else [q for q in [self._claim_quote(thesis)] if q]
        avoid = {q.text for q in quotes} | turn.conversation.quoted
        fresh = [s for s in thesis.support if not was_quoted(s, avoid) and s not in thesis.text]
        # lines that stand alone first: "That identity is selfish…", shown out of its paragraph, has no referent
        for support in sorted(fresh, key=lambda s: leans_back(parse(s)))[:2 if shown else 1]:
            if (sentence := self.sentences.find(turn.focus, support)) is not None:
                quotes.append(self._quote(sentence, extend=False))
        if not quotes:  # nothing new to show: the claim again
            quotes, lead = [q for q in [self._claim_quote(thesis)] if q], "In short, the essay argues this:"
        return Response(Draft(lead, quotes), keys, Stance.QUESTION, thesis)

    def _on_someone(self, turn: Turn) -> Response | None:
        """A question about someone the essay discusses that no line answers closely: the line about them closest
        to the question."""
        characters = self._characters(turn.focus)
        name = next((w for w in re.findall(r"[A-Za-z][\w-]+", plain(turn.text)) if stem(w.lower()) in characters),
                    None)
        uses = self.sentences.uses(turn.focus, name) if name else []
        if not uses:
            return None
        vector = turn.vector(turn.text).reshape(-1)
        best = max(uses, key=lambda s: float(s.vector @ vector))
        return Response(Draft(f"Here is what the essay says of {name.capitalize()}:", [self._quote(best)]),
                        ["question_what", "scheme"], Stance.QUESTION, self._claim_near(best))

    def _unshown_claims(self, turn: Turn) -> Iterator[tuple[Claim, Quote]]:
        """The focus essay's thesis, then its central claims, each with its own sentence as a quote, skipping those
        the conversation has shown."""
        argument = self.argmap.essays[turn.focus]
        quoted = turn.conversation.quoted
        for claim in [argument.thesis, *self._central_claims(turn.focus)]:
            if (quote := self._claim_quote(claim, avoid=quoted, support=False)) is not None:
                yield claim, quote
