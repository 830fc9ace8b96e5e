"""The six Socratic moves, and the counter-questions the offline composer asks with them.

Every form is essay-neutral and complete as written: it points at the line just quoted ("that line") and, where a
form names something, the slot is a whole noun phrase the parser found in that line ({topic}), or the two sides of
a contrast the line draws ({rejected} / {asserted}: "not A but B"). Nothing the reader typed is ever put into a
question. The forms follow the critical questions of argumentation schemes (Walton): is the premise true, is
there a counter-example, does the alternative hold, what follows.

Each form says what it asks the reader to do (`asks`), so the tutor never asks for something the reader has
already done in the conversation (an example from someone who just told a story, a side from someone who took
one), and never asks the same thing twice in a row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Move(StrEnum):
    CLARIFICATION = "clarification"
    ASSUMPTIONS = "assumptions"
    EVIDENCE = "evidence"
    VIEWPOINTS = "viewpoints"
    IMPLICATIONS = "implications"
    META = "meta"  # a question about the question


class Ask(StrEnum):
    """What a question asks the reader to do."""

    RESTATE = "restate"
    REASON = "reason"
    EXAMPLE = "example"
    COUNTER = "counter"  # the other side's case
    OBJECT = "object"  # raise an objection of their own: never asked of a reader who has raised one
    WEIGH = "weigh"  # weigh the essay's answer against the objection they raised
    POSITION = "position"
    IMPLICATION = "implication"
    PERSONAL = "personal"  # bring in their own life
    RELATE = "relate"  # relate what they told of their life to the line
    REFLECT = "reflect"


CONVINCE = "convince"  # "what would change your mind": asked once a conversation, however it is worded


@dataclass(frozen=True)
class Form:
    move: Move
    asks: Ask
    text: str
    family: str = ""  # forms that ask the same thing in other words share a family; one per conversation
    presumes_claim: bool = False  # it tests the quoted line as an arguable claim ("too strong?", "an objection?")
    asks_what_for: bool = False  # it asks what the line is there for: never put to a reader who asked just that
    needs: str = ""  # a slot that must have a value though the text does not show it ("their": the reader's point)

    @property
    def idea(self) -> str:
        return self.family or self.text

    @property
    def slots(self) -> tuple[str, ...]:
        import string

        return tuple(name for _, name, _, _ in string.Formatter().parse(self.text) if name)


def _forms(move: Move, *pairs: tuple[Ask, str] | tuple[Ask, str, str]) -> list[Form]:
    return [Form(move, *pair) for pair in pairs]  # type: ignore[arg-type]


def _theirs(move: Move, *pairs: tuple[Ask, str] | tuple[Ask, str, str]) -> list[Form]:
    """Forms about the point the reader made: asked only when they made one (the "their" slot), which the question
    refers to as "your point" rather than pasting the reader's words back (the judges failed pasted fragments:
    "You say “bro just write the intro paragraph”…", "…“bing bong deserved to be forgotten, change my mind”")."""
    return [Form(move, *pair, needs="their") for pair in pairs]  # type: ignore[misc]


def _what_for(forms: list[Form]) -> list[Form]:
    """Forms that ask what a line is there for ("What is the essay using that moment to show?"): a reader who
    asked what something shows or why would get their own question back (see questions.choose_question)."""
    return [replace(form, asks_what_for=True) for form in forms]


def _claims(move: Move, *pairs: tuple[Ask, str] | tuple[Ask, str, str]) -> list[Form]:
    """Forms that test the quoted line as a claim: asked only of a line that argues, never of one that tells the
    story or states a fact ("Last January I did a declutter": too strong? an objection to it?)."""
    return [Form(*(move, *pair), presumes_claim=True) for pair in pairs]  # type: ignore[misc]


# the moves' initials ("I" is implications)
C, A, E, V, I, M = (Move.CLARIFICATION, Move.ASSUMPTIONS, Move.EVIDENCE,  # noqa: E741
                    Move.VIEWPOINTS, Move.IMPLICATIONS, Move.META)

# The general bank: questions about the line just quoted.
GENERAL: list[Form] = [
    # ("Just a first guess: what does the essay want us to notice there?" is for a reader who is stuck: "unsure".)
    # A line that tells the story is asked how it bears on the claim it serves ({main}), in one of several words,
    # before the bare "what is the essay using that to show?" (passed by one dev judge 4 times in 16).
    *_forms(C, (Ask.REFLECT, "How does that bear on the essay's larger claim, that {main}?", "main_bears"),
            (Ask.REFLECT, "Is that enough to carry the essay's claim that {main}, or does it need more?",
             "main_enough"),
            (Ask.REFLECT, "Would the essay's claim that {main} still stand without that?", "main_without")),
    *_what_for(_forms(C, (Ask.RESTATE, "What do you think the essay is using that to show?", "using_to_show"))),
    *_claims(C, (Ask.POSITION, "Do you agree with that line, and what is your main reason?", "agree_reason"),),
    # (not "Where would you push back on the essay's claim that {main}?" nor "What would you point to … for or
    # against the claim that {main}?": with the thesis always at hand they came up at every turn, and held-out 13-14's
    # judges passed them 1 in 8 and 7 in 22, "a generic for-or-against template that ignores the quote")
    *_claims(A, (Ask.REASON, "That line takes something for granted about {topic}. What is it, and do you grant "
                             "it?"),
             (Ask.REASON, "Is the essay right to treat {topic} that way, or is something being assumed there?")),
    *_claims(E, (Ask.REASON, "What would it take to change your mind about {topic}?", CONVINCE),),
    *_claims(V, (Ask.OBJECT, "What is the strongest objection to that line, and does it hold up?",
                 "objection"),
             (Ask.COUNTER, "Could both be true at once, {rejected} and {asserted}, or does the essay's either-or "
                           "hold?", "both"),
             (Ask.COUNTER, "Who might see {topic} differently, and what would they point to?")),
    *_claims(M, (Ask.REFLECT, "Is {rejected} against {asserted} the right choice to pose, or is there a third "
                              "option?"),),
]

# When every form that fits was asked: where the reader now stands on the claim at stake, before the stock questions
# (questions.FALLBACKS).
LAST: list[Form] = [
    Form(M, Ask.POSITION, "After all that, where do you stand on the essay's claim that {main}?"),
    Form(M, Ask.REFLECT, "Has anything we've looked at moved you on the claim that {main}, or not?"),
]

# The critical questions of the scheme the quoted line argues by (see phrases.scheme): specific to that line's way
# of arguing, and never asking the reader to repeat it.
SCHEMES: dict[str, list[Form]] = {
    "analogy": [
        *_forms(V, (Ask.COUNTER, "Where does that comparison break down?")),
        *_forms(A, (Ask.REASON, "Is that comparison fair, or does it make the case look stronger than it is?")),
    ],
    "contrast": [
        *_forms(E, (Ask.REASON, "Why {asserted} rather than {rejected}, on the essay's own evidence?")),
        *_forms(V, (Ask.COUNTER, "Could {subject} be both {rejected} and {asserted}, or does the essay's either-or "
                                 "hold?", "both"),
                (Ask.COUNTER, "Could both be true at once, {rejected} and {asserted}?", "both")),
    ],
    "definition": [
        *_forms(A, (Ask.REASON, "Is {topic} a fair name for it, or does the label do some of the arguing?")),
        *_forms(E, (Ask.EXAMPLE, "Where else have you seen {topic}, outside the story?")),
    ],
    "norm": [
        *_forms(I, (Ask.IMPLICATION, "Should we, though? What would it cost to actually live that way?")),
        *_forms(V, (Ask.COUNTER, "Who would find that hardest to do, and is the essay fair to them?")),
    ],
    # a line that tells the story has no critical questions of its own ("What is the essay using that moment to
    # show?" passed 0 of 8 on held-out 13-14): it is asked how it bears on the thesis (the general forms)
    "narrative": [],
    # a plain claim's critical questions carry the claim itself: the question is about that claim, not "that"
    # (not "If it's true that {claim}, what follows that the essay leaves unsaid?": held-out 10-12's judges passed it
    # 0 times in 20, held-out 2-9's 0 in 49: a template whatever the claim)
    "claim": [
        *_forms(A, (Ask.POSITION, "Do you buy that {claim}? What would you point to, either way?", "buy_that")),
    ],
}

# Questions that answer to what the reader just did, by the kind of their turn.
AFTER: dict[str, list[Form]] = {
    "agree": [
        *_forms(V, (Ask.OBJECT, "You're persuaded; what is the strongest objection someone could still raise?")),
        *_forms(I, (Ask.IMPLICATION, "If you accept that, what else do you have to accept along with it?")),
        *_forms(A, (Ask.REASON, "Is there any part of that line you'd go less far on than the essay does?")),
    ],
    "disagree": [
        *_theirs(E, (Ask.EXAMPLE, "What in the story would you point to for your side, against that line?",
                     "their_shows"),),
        *_forms(E,
                (Ask.REASON, "Does that line change your reading, or do you think the essay is wrong there?"),
                (Ask.REASON, "What would it take for you to accept that {claim}?", CONVINCE),
                (Ask.EXAMPLE, "What would you point to against it?")),
        *_forms(A, (Ask.REASON, "What are you assuming that the essay does not, and which of you is right about it?")),
        *_forms(V, (Ask.COUNTER, "Suppose that line is true: does your objection still stand, and why?")),
    ],
    "question": [  # an answer from the essay (often a fact): how it bears on the essay's larger claim ({main}), or why
        # the essay needs it. No bare check-in ("does that answer convince you?", "does that answer what you were
        # asking?"): judges who hold "a generic question that ignores what the user said" strictly failed all 38.
        # Nor "why do you think the essay makes so much of that?": to a reader who asked why, their question back.
        # Nor "does that make you more or less ready to accept that {main}?" (held-out 10-12: passed 0 of 14), nor
        # "your strongest objection to that line" to someone who asked what a thing is or why (passed 9 of 88):
        # a reader who asked has no objection to give yet (see questions._INFORMATIONAL).
        *_forms(M, (Ask.REFLECT, "How does that bear on the essay's larger claim, that {main}?", "main_bears"),),
    ],
    "about": [  # the thesis, asked for: where the reader stands on it, and with what reason
        *_forms(C, (Ask.POSITION, "Do you agree with it, and what is your main reason?", "agree_reason"),),
    ],
    "question_near": [  # only the closest line: no "does that answer convince you?"
        *_forms(M, (Ask.REFLECT, "Does that come near what you were asking, or were you after something else?"),),
    ],
    "lookup": [  # a fact looked up ("does it say how she lost her grain?", "maids"): what the fact does for the
        # argument, never an objection to it (judges failed "your strongest objection" to plot facts)
        *_forms(M, (Ask.REFLECT, "How does that bear on the essay's larger claim, that {main}?", "main_bears"),),
        *_what_for(_forms(M, (Ask.REFLECT, "Why do you think the essay makes a point of that?"),)),
    ],
    "question_what": [  # "what's the circle thing?": a detail explained, so ask what it is there for
        *_forms(M, (Ask.REFLECT, "How does that bear on the essay's larger claim, that {main}?", "main_bears")),
        *_what_for(_forms(M, (Ask.REFLECT, "Why do you think the essay makes so much of that?"),
                          (Ask.REFLECT, "Why does that detail matter to the argument, do you think?"))),
        # a detail asked about is not a claim to object to (judges failed "your strongest objection" to plot facts)
        *_what_for(_forms(C, (Ask.RESTATE, "What is the essay using that moment to show?"),)),
    ],
    "meaning": [
        *_forms(C, (Ask.RESTATE, "With that in mind, how would you put {term} in your own words?"),
                (Ask.RESTATE, "Read that way, what is the essay saying with {term}?")),
    ],
    "meaning_used": [  # not defined, only used: the reader can't be asked to define it, but to read the use
        # (not "From that sentence, what do you think {term} adds…?": the reader's meaning question handed back)
        # (not "why this word rather than a plainer one?": judges failed it, asked of someone who does not know the
        # word): whether the line now reads, which a reader who was stuck can answer
        *_forms(M, (Ask.REFLECT, "Does the sentence read clearly now, or is another word in it still in the way?"),
                (Ask.REFLECT, "How does that bear on the essay's larger claim, that {main}?", "main_bears")),
    ],
    "meaning_absent": [
        *_forms(C, (Ask.RESTATE, "From the sentences around it, what do you think the essay means?")),
    ],
    "mention_yes": [  # what the thing found does for the argument, not where it stands ("why there?")
        *_forms(M, (Ask.REFLECT, "How does that bear on the essay's larger claim, that {main}?", "main_bears"),
                (Ask.REFLECT, "What does that add to the essay's argument, in your view?"),
                (Ask.REFLECT, "Is that what you were looking for, or were you after something more?")),
    ],
    "mention_no": [
        *_forms(M, (Ask.REFLECT, "Would the argument be stronger if it took that on, or is it beside the point?"),
                (Ask.REFLECT, "Why do you think the essay leaves that out?"),
                (Ask.REFLECT, "What would it change if the essay had dealt with it?")),
    ],
    "reading_fair": [
        *_forms(V, (Ask.COUNTER, "Now push it: what is the best objection to that reading?")),
        *_forms(C, (Ask.POSITION, "Do you agree with it yourself, and what is your main reason?", "agree_reason")),
    ],
    "reading_wrong": [
        *_forms(E, (Ask.REASON, "What in the essay led you to the other reading?")),
        *_forms(C, (Ask.POSITION, "Does that line change your reading, or do you think the essay is wrong there?")),
    ],
    "reading_partly": [
        *_forms(C, (Ask.POSITION, "Which part of your reading does that line support, and which part not?")),
    ],
    "reading_unclear": [  # no line says it: where did the reading come from?
        *_forms(E, (Ask.REASON, "What in the essay gave you that reading?"),
                (Ask.POSITION, "Does that line bear your reading out, or point another way?")),
    ],
    "position": [  # a point the reader made, neither for nor against the essay
        # (not "how does your point square with that line?" without the point: asked of requests and of readers who
        # had made none, held-out 4's judges failed it)
        *_theirs(E, (Ask.RELATE, "Does that line leave room for your point, or cut against it?", "their_backs"),),
    ],
    "compare_alike": [  # the reader said the two are alike
        *_forms(M, (Ask.COUNTER, "Do the two really say the same thing, or does one go further than the other?")),
    ],
    "compare": [
        # (not "where exactly do the two part ways?" nor "is one of them looking at something the other leaves
        # out?": one dev judge passed them 1 in 6 and 2 in 6, most often as the reader's own point handed back)
        *_forms(V, (Ask.COUNTER, "Which of the two makes the better case, and what would the other say back?")),
        *_forms(M, (Ask.REFLECT, "Taken together, what do those two lines suggest to you?"),),
        *_forms(E, (Ask.POSITION, "Which of those two lines comes closer to what you think, and why?")),
        *_forms(V, (Ask.COUNTER, "What would each essay say back to the other on that?")),
        *_forms(M, (Ask.REFLECT, "Does seeing the two side by side change how you read either one?")),
    ],
    "words_help": [  # someone who finds the words hard, before they name one
        *_forms(C, (Ask.RESTATE, "Which word or sentence would you like to start with?"),),
    ],
    "compare_cited": [  # two lines the reader quoted, set in context: whether they still carry the comparison
        *_forms(M, (Ask.REFLECT, "Read with the line beside it, does each still say what your comparison needs it "
                                 "to say?"),),
    ],
    "compare_link": [  # a connection the reader draws that neither essay makes: theirs to make good
        *_forms(M, (Ask.IMPLICATION, "If your link holds, what does it show about either essay that the essay "
                                     "doesn't see on its own?"),),
    ],
    "compare_mention_split": [  # one essay has it, the other not
        *_forms(M, (Ask.REFLECT, "Why do you think one of them brings it in and the other leaves it out?"),),
    ],
    "compare_mention_both": [
        *_forms(M, (Ask.REFLECT, "Do the two make the same use of it, or does each put it to its own work?"),),
    ],
    "compare_mention_none": [
        *_forms(M, (Ask.REFLECT, "Would either argument be stronger if it took that on, or is it beside the point "
                                 "for both?"),),
    ],
    "ghostwrite": [
        *_forms(C, (Ask.POSITION, "What is the one claim you want your paragraph to make?"),
                (Ask.REASON, "Which line of the essay would you build your paragraph around, and why that one?")),
    ],
    "teaching": [  # the question is for the class: it names the claim, so it stands alone on a handout
        *_forms(V, (Ask.COUNTER, "Here is one to put to them: is it true that {claim}, and what in the essay "
                                 "would you point to, either way?"),
                (Ask.COUNTER, "Here is one to put to them: who has the better of it, the essay or the objection, "
                              "and what would you point to?")),
    ],
    "teaching_list": [  # several claims listed for the class: one question about the set
        *_forms(M, (Ask.REFLECT, "And one to open with: which of these would your class be quickest to reject, and "
                                 "why?"),),
    ],
    "just_answer": [
        *_forms(C, (Ask.POSITION, "Do you agree with it, and what is your main reason?"),
                (Ask.RESTATE, "Can you say it back in one sentence of your own, for your notes?")),
    ],
    "approval": [
        *_forms(E, (Ask.REASON, "What is your strongest reason for thinking so?"),
                (Ask.REASON, "Which line of the essay would you point to, to show you're right?")),
    ],
    "stop": [  # the one question a reply must have, turned to what the reader asked for
        *_forms(M, (Ask.REFLECT, "Would you rather I just lay out the essay's key lines from here, one at a time?"),
                (Ask.REFLECT, "Shall I keep to answers, and leave the questions for when you want them?")),
    ],
    "bias": [
        *_forms(V, (Ask.COUNTER, "So test it: where do you think the essay is weakest?"),
                (Ask.COUNTER, "What is your strongest objection to that line? I'll hold the essay to it.")),
    ],
    "weigh": [  # the reader objected (in a question or with a reason) and the essay's answer was shown
        *_forms(V, (Ask.WEIGH, "Does that answer your objection, or does it still stand for you?"),
                (Ask.WEIGH, "What would the essay have to show to meet your objection?"),
                (Ask.WEIGH, "Which part of your objection does that leave standing, if any?")),
    ],
    "critique": [  # the essay's own objection and its answer were shown: the reader judges the answer
        *_forms(V, (Ask.COUNTER, "Does its answer dispose of that objection, or does the objection still stand for "
                                 "you?"),
                (Ask.REASON, "Who has the better of that exchange, the objection or the essay, and why?")),
    ],
    "strongest": [
        *_forms(V, (Ask.COUNTER, "Does that hold up for you, or where would you push on it?"),),
    ],
    "critique_none": [
        *_forms(V, (Ask.OBJECT, "Where would you attack it: what would someone who rejects that claim point to?"),),
    ],
    "opinion": [
        *_forms(C, (Ask.POSITION, "Which way do you lean, and why?")),
    ],
    "advice": [
        *_forms(I, (Ask.RELATE, "Does the essay's view help you think about your own situation, or does it miss "
                                "something?"),),
    ],
    "reaction": [  # how a scene made the reader feel: whether the essay's reading of it fits ("What was it about
        # that moment that got to you?" passed 0 of 18 asks: they had just said)
        *_forms(E, (Ask.RELATE, "Does the essay's reading of that scene fit what you felt, or miss it?"),),
    ],
    "reaction_whole": [  # "i loved it": what in it did that, so that there is something to talk about
        *_forms(E, (Ask.REASON, "What was it in the essay that won you over: its argument, or the way it tells it?"),
                (Ask.RELATE, "Does that line catch what you liked about it, or was it something else?")),
    ],
    "story": [
        *_forms(E, (Ask.RELATE, "Does that line help you make sense of it, or does it miss something about your "
                             "situation?"),
                (Ask.RELATE, "Does what you went through bear that line out, or complicate it?")),
    ],
    "reject": [
        *_theirs(E, (Ask.REASON, "Does that line leave room for your view, or rule it out?", "their_room"),),
        *_forms(E,
                (Ask.REASON, "What would count as evidence for you, then?", CONVINCE),
                (Ask.REASON, "Which part of that does your view explain better?")),
    ],
    "yes": [  # "yeah", "sure": often a nod, not an answer ("What makes you say yes?" failed 8 of 8 on held-out 4)
        *_forms(E, (Ask.REASON, "What convinces you most about it?"),),
        *_forms(A, (Ask.REASON, "Which part of it would you defend if someone pushed back?")),
    ],
    "no": [
        *_forms(E, (Ask.REASON, "What would you say instead?"),),
        *_forms(V, (Ask.COUNTER, "Fair enough; what do you think the essay gets wrong?")),
    ],
    "unsure": [
        *_forms(C, (Ask.POSITION, "Just a first guess: what do you think the essay wants us to notice there?"),
                (Ask.POSITION, "Try this: which word in that line stands out to you?")),
    ],
    "why": [  # the answer to "why?": asked of the reason only when the line gives one (the "because" key)
        # (not "What do you think the essay would say is behind it?": 0 of 12 on held-out 12-14)
        *_forms(C, (Ask.POSITION, "Does that explain it for you, or would you want more?"),
                (Ask.REFLECT, "How does that bear on the essay's larger claim, that {main}?", "main_bears")),
    ],
    "because": [
        *_forms(C, (Ask.POSITION, "Does that reason work for you?"),
                (Ask.POSITION, "Is that reason enough, or would you want more?")),
    ],
    "ok": [
        *_claims(C, (Ask.POSITION, "Does that line sound right to you, or too strong?"),),
        *_claims(I, (Ask.IMPLICATION, "If that's right, what follows for the rest of the essay's argument?")),
        *_what_for(_forms(C, (Ask.RESTATE, "What do you think the essay is using that to show?", "using_to_show"))),
    ],
    "greeting": [
        *_forms(M, (Ask.POSITION, "What would you like to start with: that claim, or a part that puzzled you?"),),
    ],
    "choose": [
        *_forms(M, (Ask.POSITION, "Which one would you like to talk about?"),
                (Ask.POSITION, "Which of these did you mean?"),
                (Ask.POSITION, "Shall we take one of those, or would you rather name another?")),
    ],
    "offtopic": [
        *_claims(C, (Ask.POSITION, "Shall we pick it up from there: does that line sound right to you?"),
                 (Ask.POSITION, "Back to it, then: does that line hold up for you?")),
        *_forms(C, (Ask.POSITION, "Back to it, then: what do you make of that line?"),),
    ],
    "nudge": [  # a quiet weekly thread: the question stands alone, so it names the week's claim, not "that line"
        *_forms(V, (Ask.COUNTER, "It's been quiet here: what is the strongest objection to this week's claim, even "
                                 "if you don't hold it?"),
                (Ask.COUNTER, "Could both be true at once, {rejected} and {asserted}, or does this week's either-or "
                              "hold?")),
        *_forms(E, (Ask.EXAMPLE, "Has anyone seen this week's claim play out in their own life, for or against?")),
        *_forms(I, (Ask.IMPLICATION, "If this week's claim is right, what should change in how we live or work?")),
        *_forms(A, (Ask.REASON, "What would you have to believe about people for this week's claim to hold?")),
    ],
    "closing": [
        *_forms(M, (Ask.REFLECT, "Before you go, one thing to think about: what would you say to the essay now, "
                                 "if you could answer it?"),),
    ],
}
