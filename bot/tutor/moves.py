"""The six Socratic question types and the bank of question forms the offline composer fills in.

Slots: {claim} the claim under discussion (verbatim gist), {user} a phrase from the user's own message,
{term} a key phrase of the claim, {quote} a short phrase of the passage just quoted. A form is only used
when every slot it names has a value, so questions always name something specific.
"""

from __future__ import annotations

from enum import StrEnum


class Move(StrEnum):
    CLARIFICATION = "clarification"
    ASSUMPTIONS = "assumptions"
    EVIDENCE = "evidence"
    VIEWPOINTS = "viewpoints"
    IMPLICATIONS = "implications"
    META = "meta"  # a question about the question


QUESTIONS: dict[Move, tuple[str, ...]] = {
    Move.CLARIFICATION: (
        "When you say “{user}”, what do you mean exactly? Can you give one concrete example?",
        "How would you restate the essay's claim “{claim}” in one plain sentence of your own?",
        "Which word in “{claim}” carries the most weight for you, and why that one?",
        "What do you take “{term}” to mean here: something done to a person, or something a person chooses?",
        "Is your point about the essay's argument itself, or about how the story shows “{term}”?",
    ),
    Move.ASSUMPTIONS: (
        "What are you taking for granted when you say “{user}”, and would the essay grant it?",
        "The claim “{claim}” rests on an unstated premise. What is it, and do you accept it?",
        "What would have to be true about people for “{claim}” to hold?",
        "Agreeing is easy. What must you assume about “{term}” to agree, and could that assumption be wrong?",
        "Does “{user}” assume that people choose freely, or that their situation chooses for them?",
    ),
    Move.EVIDENCE: (
        "If you're right, how do you account for the essay's line “{quote}”?",
        "What in the story would you set against “{quote}”, and why does it weigh more?",
        "What evidence would it take to change your mind about “{claim}”?",
        "The essay backs “{claim}” with the passage above. Which part of it does your reading explain better?",
        "Where is the essay's support for “{claim}” weakest, in your view, and what is missing there?",
    ),
    Move.VIEWPOINTS: (
        "How would a reader who rejects “{claim}” answer you, in their strongest form?",
        "Whose perspective is missing if we accept “{claim}”?",
        "What is the best case against “{claim}”, even if you don't hold it yourself?",
        "Would someone living through “{term}” see it the way the essay does, or differently?",
        "Who gains if readers accept “{claim}”, and who loses?",
    ),
    Move.IMPLICATIONS: (
        "If “{claim}” is right, what follows for how we live day to day?",
        "Where does “{user}” lead if you follow it all the way, and are you willing to accept that?",
        "If we accept “{claim}”, who else becomes responsible, and for what?",
        "What would change in your own week if you took “{term}” seriously?",
        "If the essay is right about “{term}”, what should a reader do differently tomorrow?",
    ),
    Move.META: (
        "Why do you think the essay frames this around “{term}” rather than one person's choices?",
        "What makes this hard to settle: the facts of the story, or what we value?",
        "Why does it matter to you whether “{claim}” is true?",
        "Is asking who is to blame even the right question here? What would you ask instead?",
        "What question do you think the essay wants its readers to leave with, if not “{user}”?",
    ),
}

# Simpler, scaffolded forms for "idk", "yes", "why?": one small step, often an either/or.
SCAFFOLDS: dict[Move, tuple[str, ...]] = {
    Move.CLARIFICATION: (
        "Let's take one small step: do you think “{claim}” is mostly right or mostly wrong?",
        "Here's an easier way in: in the passage above, is the essay blaming a person or a system?",
        "Try just this: what is one word you would use to describe “{term}”?",
    ),
    Move.EVIDENCE: (
        "Look at “{quote}”: have you seen anything like that in real life, and where?",
        "Which single sentence of the passage above do you find most convincing, and which least?",
    ),
    Move.ASSUMPTIONS: (
        "A simpler question first: can you think of one time “{term}” showed up in your own life?",
        "Quick one: could the person in the story have chosen differently, yes or no?",
    ),
}
