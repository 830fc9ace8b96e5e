"""The texts of the weekly discussion: the opening post, the quiet-thread nudge and the closing summary."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.corpus.models import Passage
from bot.corpus.text import sentence_spans
from bot.tutor.argmap import Claim
from bot.tutor.composer import Quote, short_title
from bot.tutor.moves import Move
from bot.tutor.phrases import contrast, topic
from bot.tutor.questions import choose_question
from bot.tutor.stance import Stance, StanceDetector

THREAD_NAME_LIMIT = 100  # Discord's limit for a thread name
EXCERPT_CHARS = 180
# One prompt per move: defend the claim (evidence), challenge it (viewpoints), follow it through (implications).
PROMPTS: tuple[tuple[str, Move, str], ...] = (
    ("Defend it", Move.EVIDENCE, "What in the essay, or in your own life, best supports this claim?"),
    ("Challenge it", Move.VIEWPOINTS, "What is the strongest case against it, even if you don't hold it?"),
    ("Follow it through", Move.IMPLICATIONS, "If it is right, what should change in how we live or work?"),
)


@dataclass(frozen=True)
class Opening:
    week_key: str
    claim: Claim
    quote: Quote
    prompts: tuple[tuple[str, str], ...]
    thread_name: str

    @property
    def title(self) -> str:
        return f"Weekly discussion · {self.week_key}"

    def text(self) -> str:
        source = short_title(self.quote.title) + (f" · {self.quote.section}" if self.quote.section else "")
        lines = [f"> “{self.quote.text}”", f"— {source}", "", f"**The claim:** {self.claim.text}", ""]
        lines += [f"**{label}.** {prompt}" for label, prompt in self.prompts]
        lines += ["", "Reply in the thread below. I'll join in, and close the week with a summary."]
        return "\n".join(lines)


def compose_opening(claim: Claim, passages: Sequence[Passage], week_key: str, rarity: dict[str, float]) -> Opening:
    """The opening post for `claim`: its best passage quoted verbatim, the claim, three prompts of different moves."""
    supporting = [p for p in passages if p.id in claim.passage_ids]
    supporting.sort(key=lambda p: claim.passage_ids.index(p.id))
    passage = supporting[0] if supporting else passages[0]
    quote = Quote(passage.essay_id, passage.essay_title, passage.section, _quotable(claim, passage))
    prompts = tuple((label, form) for label, _, form in PROMPTS)
    week = week_key.split("-W")[-1]
    name = f"Week {week} · {_theme(claim, rarity)}"
    return Opening(week_key, claim, quote, prompts, name[:THREAD_NAME_LIMIT])


def _theme(claim: Claim, rarity: dict[str, float]) -> str:
    """A thread name's theme: a heading as it is, else the claim's key noun phrase, else its first words."""
    if claim.kind == "heading":
        return claim.text
    phrase = topic(claim.text, lambda word: rarity.get(word.lower(), 1.0))
    if phrase:
        return phrase[:1].upper() + phrase[1:]
    words = claim.gist.split()
    return " ".join(words[:8]) + ("…" if len(words) > 8 else "")


def _quotable(claim: Claim, passage: Passage) -> str:
    """Verbatim sentences of the passage that back the claim (≤ ~350 chars), not the claim's own sentence again."""
    sentences = [s for s in sentence_spans(passage.text) if s.text not in claim.text and claim.text not in s.text]
    if not sentences:
        return passage.text[:400]
    run = [sentences[0]]
    for sentence in sentences[1:]:
        contiguous = not passage.text[run[-1].end : sentence.start].strip()
        if not contiguous or sentence.end - run[0].start > 350:
            break
        run.append(sentence)
    return passage.text[run[0].start : run[-1].end]


def nudge_question(claim: Claim, asked: Sequence[str], rarity: dict[str, float], turn: int) -> str:
    """A fresh counter-question for a quiet thread, never one already asked there."""
    sides = contrast(claim.text) if claim.kind != "heading" else None
    slots: dict[str, str | None] = {"topic": topic(claim.text, lambda word: rarity.get(word.lower(), 1.0)),
                                    "rejected": sides.rejected if sides else None,
                                    "asserted": sides.asserted if sides else None}
    return choose_question(["nudge"], Move.VIEWPOINTS, slots, asked=asked, acts_now=(), acts_before=(),
                           turn=turn).text


@dataclass(frozen=True)
class Contribution:
    author: str  # display name
    text: str


@dataclass
class Summary:
    claim: Claim
    participants: int
    messages: int
    sides: dict[Stance, list[tuple[str, str]]] = field(default_factory=dict)
    open_question: str = ""

    def text(self) -> str:
        people = "person" if self.participants == 1 else "people"
        lines = [f"**{self.participants} {people}** took part ({self.messages} messages) on the claim: "
                 f"{self.claim.text}", ""]
        for stance, label in ((Stance.AGREE, "For the claim"), (Stance.DISAGREE, "Against the claim")):
            voices = self.sides.get(stance, [])
            lines.append(f"**{label}** ({len(voices)}):")
            lines += [f"• {author}: “{excerpt}”" for author, excerpt in voices[:3]] or ["• nobody argued this side"]
            lines.append("")
        questions = self.sides.get(Stance.QUESTION, [])
        if questions:
            lines += ["**Questions raised:**", *(f"• {author}: “{text}”" for author, text in questions[:3]), ""]
        lines.append(f"**Left open:** {self.open_question}")
        return "\n".join(lines)


def summarize(
    claim: Claim, contributions: Sequence[Contribution], detector: StanceDetector, open_question: str
) -> Summary:
    """Who took part and the strongest argument of each participant, for and against the claim."""
    best: dict[Stance, dict[str, tuple[float, str]]] = {Stance.AGREE: {}, Stance.DISAGREE: {}, Stance.QUESTION: {}}
    for item in contributions:
        stance = detector.detect(item.text, about=claim.text)
        if stance.stance not in best or stance.short:
            continue
        strength = stance.confidence * min(len(item.text.split()), 60)  # a reasoned message beats a bare "agreed"
        author = safe_name(item.author)
        if strength > best[stance.stance].get(author, (-1.0, ""))[0]:
            best[stance.stance][author] = (strength, excerpt(item.text))
    sides = {
        side: [(author, text) for author, (_, text) in sorted(voices.items(), key=lambda kv: -kv[1][0])]
        for side, voices in best.items()
    }
    return Summary(claim, len({c.author for c in contributions}), len(contributions), sides, open_question)


def safe_name(name: str) -> str:
    """A display name that cannot ping or break markdown."""
    return re.sub(r"[@`*_~|<>]", "", name).strip() or "someone"


def excerpt(text: str) -> str:
    cleaned = re.sub(r"\s+", " ", re.sub(r"[@`*_~|<>]", "", text)).strip().replace("“", "'").replace("”", "'")
    if len(cleaned) <= EXCERPT_CHARS:
        return cleaned
    return cleaned[: EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"
