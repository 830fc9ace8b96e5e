"""The offline composer: a short answer that quotes the essay verbatim, then exactly one counter-question."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.tutor.argmap import CONNECTIVE, Claim
from bot.tutor.moves import QUESTIONS, SCAFFOLDS, Move
from bot.tutor.stance import Stance

MAX_REPLY_CHARS = 900
_SLOT = re.compile(r"\{(\w+)\}")
_FILLER = re.compile(
    r"^(?:(?:(?:i|we)\s+(?:think|feel|guess|believe|mean|agree|disagree)(?:\s+like)?(?:\s+that)?|honestly|well|yeah|"
    r"yes|no|so|ok|okay|actually|but|and|(?:is|isn[’']t|wasn[’']t)\s+(?:the|your)\s+point\s+(?:just\s+)?that|"
    r"do(?:es)?\s+(?:you|the essay)\s+(?:think|say|mean)(?:\s+that)?|i'?m not sure (?:i follow|about)|"
    r"i don'?t (?:get|understand)|can you explain)\s+)+",
    re.IGNORECASE,
)
_STOPWORDS = frozenset(
    "a an and are as at be been but by can could did do does doesn't don't for from had has have he her "
    "him his how i if in into is isn't it it's its just me more most my no not of on or our out so some "
    "such than that the their them then there these they this those to too us very was we were what when "
    "where which while who whom why will with would you your yours itself himself herself themselves "
    "ourselves also only even every about after before being both each few many much own same should "
    "shall may might must one ones instead however yet sure indeed rather therefore thus perhaps simply "
    "merely truly really quietly entire whole first seem seems make made something someone anything "
    "everything nothing way thing things lot enough".split()
)


class Situation(StrEnum):
    """Why the reply is shaped as it is, beyond the stance."""

    NORMAL = "normal"
    SCAFFOLD = "scaffold"
    EMPTY = "empty"
    INJECTION = "injection"


@dataclass(frozen=True)
class Quote:
    essay: str
    title: str
    section: str | None
    text: str

    def to_json(self) -> dict[str, str | None]:
        return {"essay": self.essay, "section": self.section, "text": self.text}


@dataclass(frozen=True)
class Reply:
    answer: str
    question: str
    move: Move
    stance: Stance
    quotes: tuple[Quote, ...]
    claim_id: str | None = None

    @property
    def reply(self) -> str:
        return f"{self.answer}\n\n{self.question}"

    def to_json(self) -> dict[str, object]:
        return {"reply": self.reply, "answer": self.answer, "question": self.question, "move": self.move.value,
                "stance": self.stance.value, "quotes": [q.to_json() for q in self.quotes]}


OPENINGS: dict[Stance | Situation, tuple[str, ...]] = {
    Stance.QUESTION: ("Here is how the essay answers that:", "The essay's own answer:",
                      "The essay speaks to this directly:"),
    Stance.AGREE: ("You're close to the essay's own argument. It puts it this way:", "The essay would agree with you:",
                   "That is the essay's line too:"),
    Stance.DISAGREE: ("The essay would push back, with this evidence:",
                      "That cuts against the essay. Here is what you would have to answer:",
                      "The essay sees it differently:"),
    Stance.OFFTOPIC: ("That's outside the essays we're reading, so let me bring us back to {title}:",
                      "Let's keep to the essay. Here's the thread we were on:"),
    Situation.SCAFFOLD: ("Fair enough, let's slow down. Start from this line:",
                         "No problem, one step at a time. Here's the key line:"),
    Situation.EMPTY: ("I didn't catch a message there. Here's where the essay begins its argument:",),
    Situation.INJECTION: ("I'll stay in my role and stick to the essays. Back to the argument:",),
}


def short_title(title: str) -> str:
    """'Severance - Don’t blame…' -> 'Severance'; 'The Stain That Stays: Eternal…' -> 'The Stain That Stays'."""
    head = re.split(r"\s+[-–—]\s+|:\s+", title, maxsplit=1)[0].strip()
    return head if len(head.split()) <= 8 else " ".join(head.split()[:8]) + "…"


def key_term(text: str, rarity: dict[str, float]) -> str | None:
    """The rarest run of one or two content words in `text` (verbatim), e.g. 'emotional compartmentalization'."""
    best: tuple[float, str] | None = None
    for chunk in re.split(r"[^\w’' ]+", text):
        run: list[str] = []
        for word in [*chunk.split(), ""]:
            if word and _content_word(word):
                run.append(word)
                continue
            if run:
                phrase_words = run[-2:]  # the head of a noun phrase sits at its end
                score = sum(rarity.get(w.lower(), 1.0) for w in phrase_words) * (1.2 if len(phrase_words) > 1 else 1)
                if best is None or score > best[0]:
                    best = (score, " ".join(phrase_words))
            run = []
    return best[1] if best else None


def _content_word(word: str) -> bool:
    """Not a stop word, a contraction or an -ly adverb: what is left is mostly nouns, adjectives and verbs."""
    lowered = word.lower()
    return (len(word) > 2 and lowered.strip("’'") not in _STOPWORDS and "’" not in word and "'" not in word
            and not lowered.endswith("ly"))


def user_phrase(message: str) -> str | None:
    """The most contentful clause of the user's message (≤ 12 words), made safe to echo back."""
    cleaned = re.sub(r"https?://\S+|[`*_~>#|@<]|\s+", " ", message).replace("“", "'").replace("”", "'").strip()
    clauses = re.split(r"[.?!;,:()]+|\s+(?:but|because|although|though|and so)\s+", cleaned, flags=re.IGNORECASE)
    best: tuple[int, str] | None = None
    for clause in clauses:
        clause = _FILLER.sub("", clause.strip()).strip()
        words = clause.split()
        content = sum(w.lower() not in _STOPWORDS for w in words)
        if content >= 2 and len(words) >= 3 and (best is None or content > best[0]):
            best = (content, " ".join(words[:12]) + ("…" if len(words) > 12 else ""))
    return best[1] if best else None


def short_quote(text: str) -> str:
    """A phrase of a quote to cite inside a question: its first clause, at most 12 words, verbatim."""
    clauses = re.split(r"(?<=\w)[,;:—]\s*", CONNECTIVE.sub("", text).rstrip(".!?"))
    first = next((c for c in clauses if len(c.split()) >= 4), clauses[0])  # not "For clarity's sake"
    first = first[:1].upper() + first[1:]
    words = first.split()
    return first if len(words) <= 12 else " ".join(words[:12]) + "…"


def choose_question(
    move: Move, scaffold: bool, slots: dict[str, str | None], asked: Iterable[str], turn: int
) -> tuple[str, Move]:
    """A filled question form never asked before in this conversation (falls back to other moves' forms)."""
    asked_set = set(asked)
    moves = [move, *(m for m in Move if m is not move)]
    banks = [(m, SCAFFOLDS[m]) for m in moves if m in SCAFFOLDS] if scaffold else []
    banks += [(m, QUESTIONS[m]) for m in moves]
    for candidate_move, forms in banks:
        for offset in range(len(forms)):
            form = forms[(turn + offset) % len(forms)]
            needed = _SLOT.findall(form)
            if any(not slots.get(name) for name in needed):
                continue
            question = form.format(**{name: slots[name] for name in needed})
            if question not in asked_set:
                return question, candidate_move
    claim = slots.get("claim") or "the essay's main claim"
    return f"After all this, what is the one thing you would still question about “{claim}” (round {turn + 1})?", move


def compose(
    *,
    stance: Stance,
    situation: Situation,
    move: Move,
    claim: Claim,
    quotes: list[Quote],
    slots: dict[str, str | None],
    asked: Iterable[str],
    turn: int,
) -> Reply:
    key: Stance | Situation = stance if situation is Situation.NORMAL else situation
    openings = OPENINGS[key]
    title = short_title(quotes[0].title) if quotes else "the essay"
    opening = openings[turn % len(openings)].format(title=title)
    question, move = choose_question(move, situation is Situation.SCAFFOLD, slots, asked, turn)
    chosen = list(quotes)
    while True:
        answer = "\n".join([opening, *(quote_block(q) for q in chosen)])
        if len(answer) + len(question) + 2 <= MAX_REPLY_CHARS or len(chosen) <= 1:
            break
        chosen.pop()
    return Reply(answer, question, move, stance, tuple(chosen), claim.id)


def quote_block(quote: Quote) -> str:
    """A quote as the reply shows it: the words in a block quote, then essay and section."""
    source = short_title(quote.title) + (f" · {quote.section}" if quote.section else "")
    return f"> “{quote.text}”\n— {source}"
