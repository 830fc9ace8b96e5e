"""Summing up a discussion: who took which position on which claim, their strongest words, the essay lines met,
and the question left open.

One core for both summaries the bot posts: the weekly thread's, when the next week opens, and a tutor
conversation's, when someone presses End. Both feed `summarize` with `Contribution`s (who wrote what, about which
claim) and render the `Summary` it returns: `weekly_text` and `conversation_text`. For a conversation, the
contributions come from its user turns in the state store (`conversation_contributions`) and the essay lines
from its tutor turns (`lines_met`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.state import Conversation, Span
from bot.tutor.argmap import ArgumentMap, Claim
from bot.tutor.composer import Quote, short_title
from bot.tutor.stance import Stance, StanceDetector

EXCERPT_CHARS = 180
MAX_LINES = 4  # essay lines listed in a conversation's summary
SIDES = (Stance.AGREE, Stance.DISAGREE, Stance.QUESTION)
POSITION = {Stance.AGREE: "Agreed with", Stance.DISAGREE: "Disagreed with", Stance.QUESTION: "Asked about"}


@dataclass(frozen=True)
class Contribution:
    author: str  # display name
    text: str
    claim: Claim | None = None  # the claim it was about; None: the summary's claim
    context: str | None = None  # the question it answered, if any


@dataclass(frozen=True)
class Position:
    """A participant's strongest contribution on one side of one claim."""

    author: str
    stance: Stance
    claim: Claim
    excerpt: str
    strength: float


@dataclass
class Summary:
    claim: Claim
    participants: int
    messages: int
    positions: list[Position] = field(default_factory=list)  # strongest first
    open_question: str = ""
    lines: list[Quote] = field(default_factory=list)

    @property
    def sides(self) -> dict[Stance, list[tuple[str, str]]]:
        """Per side, each participant's strongest words on it (strongest first), for any claim."""
        best: dict[Stance, dict[str, str]] = {side: {} for side in SIDES}
        for position in self.positions:
            best[position.stance].setdefault(position.author, position.excerpt)
        return {side: list(voices.items()) for side, voices in best.items()}

    @property
    def strongest(self) -> Position | None:
        """The strongest argument for or against (a question only when nobody argued)."""
        arguments = [p for p in self.positions if p.stance is not Stance.QUESTION]
        return (arguments or self.positions or [None])[0]


def summarize(claim: Claim, contributions: Sequence[Contribution], detector: StanceDetector, open_question: str,
              *, lines: Sequence[Quote] = ()) -> Summary:
    """Each participant's strongest contribution per side and claim (a reasoned message beats a bare "agreed")."""
    best: dict[tuple[str, Stance, str], Position] = {}
    for item in contributions:
        about = item.claim or claim
        stance = detector.detect(item.text, about=about.text, context=item.context)
        if stance.stance not in POSITION or stance.short:
            continue
        author = safe_name(item.author)
        strength = stance.confidence * min(len(item.text.split()), 60)
        key = (author, stance.stance, about.id)
        if key not in best or strength > best[key].strength:
            best[key] = Position(author, stance.stance, about, excerpt(item.text), strength)
    positions = sorted(best.values(), key=lambda p: -p.strength)
    return Summary(claim, len({c.author for c in contributions}), len(contributions), positions, open_question,
                   list(lines))


# ---- the weekly thread -------------------------------------------------------------------------------------------
def weekly_text(summary: Summary) -> str:
    """How many took part, the strongest argument of each for and against the claim, questions raised, and the
    question left open."""
    people = "person" if summary.participants == 1 else "people"
    lines = [f"**{summary.participants} {people}** took part ({summary.messages} messages) on the claim: "
             f"{summary.claim.text}", ""]
    sides = summary.sides
    for stance, label in ((Stance.AGREE, "For the claim"), (Stance.DISAGREE, "Against the claim")):
        voices = sides[stance]
        lines.append(f"**{label}** ({len(voices)}):")
        lines += [f"• {author}: “{text}”" for author, text in voices[:3]] or ["• nobody argued this side"]
        lines.append("")
    if sides[Stance.QUESTION]:
        lines += ["**Questions raised:**", *(f"• {a}: “{t}”" for a, t in sides[Stance.QUESTION][:3]), ""]
    lines.append(f"**Left open:** {summary.open_question}")
    return "\n".join(lines)


# ---- a tutor conversation ----------------------------------------------------------------------------------------
def conversation_contributions(
    conversation: Conversation, authored: Sequence[tuple[str, Sequence[Span]]], argmap: ArgumentMap,
    names: Mapping[int, str], *, default: str,
) -> list[Contribution]:
    """The conversation's user turns as contributions: each author's part of each turn (`authored`, from the
    store, in turn order), about the claim the tutor's reply to it took up, answering the question before it.
    A turn with no recorded authors is `default`'s."""
    contributions: list[Contribution] = []
    spans = iter(authored)
    question: str | None = None
    turns = conversation.turns
    for index, turn in enumerate(turns):
        if turn.role == "tutor":
            question = turn.question or question
            continue
        text, parts = next(spans, (turn.text, ()))
        reply = next((t for t in turns[index + 1 :] if t.role == "tutor"), None)
        claim = argmap.claim(reply.claim_id) if reply is not None and reply.claim_id else None
        pieces = [(names.get(s.user_id, default), text[s.start : s.end]) for s in parts] or [(default, text)]
        contributions += [Contribution(author, piece, claim, question) for author, piece in pieces if piece.strip()]
    return contributions


def lines_met(conversation: Conversation) -> list[Quote]:
    """The essay lines the tutor quoted in the conversation, first time each."""
    found: dict[str, Quote] = {}
    for turn in conversation.tutor_turns:
        for q in turn.quotes:
            essay = str(q.get("essay") or "")
            found.setdefault(str(q["text"]), Quote(essay, str(q.get("title") or essay), q.get("section"),
                                                   str(q["text"])))
    return list(found.values())


def summarize_conversation(conversation: Conversation, authored: Sequence[tuple[str, Sequence[Span]]],
                           argmap: ArgumentMap, detector: StanceDetector, names: Mapping[int, str], *,
                           default: str, fallback: Callable[[], Claim]) -> Summary:
    """A tutor conversation summed up; the question left open is the tutor's last one (the one End left
    unanswered). `fallback` gives the claim when the conversation never settled on one."""
    claim = (argmap.claim(conversation.claim_id) if conversation.claim_id else None) or fallback()
    contributions = conversation_contributions(conversation, authored, argmap, names, default=default)
    open_question = conversation.questions[-1] if conversation.questions else ""
    return summarize(claim, contributions, detector, open_question, lines=lines_met(conversation))


def conversation_text(summary: Summary) -> str:
    """The positions each person took, the strongest point (quoted, by name), the essay lines met, the question
    left open."""
    lines: list[str] = []
    authors = list(dict.fromkeys(p.author for p in summary.positions))
    for author in authors:
        lines.append(f"**Where {author} stood**")
        taken = [p for p in summary.positions if p.author == author]
        order = {side: n for n, side in enumerate(SIDES)}
        lines += [f"• {POSITION[p.stance]}: *{p.claim.gist}*" for p in sorted(taken, key=lambda p: order[p.stance])]
        lines.append("")
    if not authors:
        lines += ["**Positions taken:** none yet: the conversation stayed with questions of its own.", ""]
    strongest = summary.strongest
    if strongest is not None:
        lines += [f"**Strongest point** ({strongest.author}):", f"> “{strongest.excerpt}”", ""]
    if summary.lines:
        lines.append("**Essay lines met:**")
        for quote in summary.lines[:MAX_LINES]:
            source = short_title(quote.title) + (f" › {quote.section}" if quote.section else "")
            lines.append(f"• “{excerpt(quote.text)}” — *{source}*")
        lines.append("")
    if summary.open_question:
        lines.append(f"**Left open:** {summary.open_question}")
    return "\n".join(lines).strip()


# ---- shared ------------------------------------------------------------------------------------------------------
def safe_name(name: str) -> str:
    """A display name that cannot ping or break markdown."""
    return re.sub(r"[@`*_~|<>]", "", name).strip() or "someone"


def excerpt(text: str) -> str:
    """Someone's words, quotable: one line, no markdown or mention syntax, at most EXCERPT_CHARS."""
    cleaned = re.sub(r"\s+", " ", re.sub(r"[@`*_~|<>]", "", text)).strip().replace("“", "'").replace("”", "'")
    if len(cleaned) <= EXCERPT_CHARS:
        return cleaned
    return cleaned[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"
