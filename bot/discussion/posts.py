"""The texts of the weekly discussion: the opening post and the quiet-thread nudge (the closing summary is
`bot.discussion.summary`, shared with the End of a conversation)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.corpus.models import Passage
from bot.corpus.text import sentence_spans
from bot.tutor.argmap import Claim
from bot.tutor.composer import Quote, short_title
from bot.tutor.moves import Move
from bot.tutor.phrases import contrast, topic
from bot.tutor.questions import choose_question

THREAD_NAME_LIMIT = 100  # Discord's limit for a thread name
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
