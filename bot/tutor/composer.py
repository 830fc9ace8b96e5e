"""The offline composer's output: quotes and replies, and how a reply is laid out.

A reply is a short answer that quotes the essay verbatim (essay and section named under each quote), then exactly
one counter-question (none once the reader has asked the tutor to stop asking: `question` is then ""). `compose`
fits a draft into MAX_REPLY_CHARS by dropping trailing quotes, never the first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.corpus.text import sentence_spans
from bot.tutor.moves import Move
from bot.tutor.stance import Stance

MAX_REPLY_CHARS = 900
MAX_QUOTE_CHARS = 420


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
    essay: str | None = None  # the conversation's focus essay
    kind: str = "position"  # what the tutor took the message to be (see understanding.Kind)

    @property
    def reply(self) -> str:
        return f"{self.answer}\n\n{self.question}" if self.question else self.answer

    def to_json(self) -> dict[str, object]:
        return {"reply": self.reply, "answer": self.answer, "question": self.question, "move": self.move.value,
                "stance": self.stance.value, "quotes": [q.to_json() for q in self.quotes], "essay": self.essay}


@dataclass
class Draft:
    """A reply before layout: a lead sentence, the quotes (each with an optional label line), a closing note."""

    lead: str
    quotes: list[Quote]
    note: str = ""
    labels: tuple[str, ...] = ()  # one per quote, e.g. the essay's name in a comparison ("" = none)


def compose(draft: Draft, question: str, move: Move, stance: Stance, *, claim_id: str | None, essay: str | None,
            kind: str) -> Reply:
    # a line shown twice in one reply (once alone, inside a longer quote, or where two quotes overlap) is shown once
    kept = [n for n, q in enumerate(draft.quotes) if not any(
        o.essay == q.essay and (q.text in o.text and (q.text != o.text or m < n) or
                                m < n and o.text not in q.text and overlaps(q, o))
        for m, o in enumerate(draft.quotes) if m != n)]
    if len(kept) < len(draft.quotes):
        draft = replace(draft, quotes=[draft.quotes[n] for n in kept],
                        labels=tuple(draft.labels[n] for n in kept if n < len(draft.labels)))
    quotes = list(draft.quotes)
    while True:
        answer = layout(draft, quotes)
        if len(answer) + len(question) + 2 <= MAX_REPLY_CHARS or len(quotes) <= 1:
            break
        # a comparison keeps every essay's side: a quote of several sentences is cut back to its first before a
        # side is dropped
        longer = [n for n, q in enumerate(quotes) if len(sentence_spans(q.text)) > 1] if any(draft.labels) else []
        if longer:
            n = max(longer, key=lambda m: len(quotes[m].text))
            quotes[n] = replace(quotes[n], text=sentence_spans(quotes[n].text)[0].text)
        else:
            quotes.pop()
    return Reply(answer, question, move, stance, tuple(quotes), claim_id, essay, kind)


def overlaps(one: Quote, other: Quote) -> bool:
    """The two quotes share a sentence ("A. B." and "B. C.")."""
    return bool({s.text for s in sentence_spans(one.text)} & {s.text for s in sentence_spans(other.text)})


def layout(draft: Draft, quotes: Sequence[Quote]) -> str:
    lines = [draft.lead] if draft.lead else []
    for number, quote in enumerate(quotes):
        label = draft.labels[number] if number < len(draft.labels) else ""
        if label:
            lines.append(label)
        lines.append(quote_block(quote))
    if draft.note:
        lines.append(draft.note)
    return "\n".join(lines)


def quote_block(quote: Quote) -> str:
    """A quote as the reply shows it: the words in a block quote, then essay and section (a section that repeats
    the title is not named twice)."""
    title = short_title(quote.title)
    section = quote.section if quote.section and quote.section != quote.title and quote.section != title else None
    source = title + (f" · {section}" if section else "")
    return f"> “{quote.text}”\n— {source}"


def short_title(title: str) -> str:
    """'Severance - Don’t blame…' -> 'Severance'; 'The Stain That Stays: Eternal…' -> 'The Stain That Stays'."""
    head = re.split(r"\s+[-–—]\s+|:\s+", title, maxsplit=1)[0].strip()
    return head if len(head.split()) <= 10 else " ".join(head.split()[:10]) + "…"


def trim_quote(text: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """A long unit is cut back to its first sentence (still verbatim)."""
    return text if len(text) <= limit else sentence_spans(text)[0].text
