"""Choose the Socratic move for a turn from the user's stance and the conversation so far.

Agreement is challenged (another viewpoint, a hidden assumption, an uncomfortable implication); disagreement
is asked to answer the essay's own evidence; a question is answered and met with a question back; a
low-content reply ("idk", "yes", "why?") gets a scaffolded question; off-topic talk is brought back gently.
Within those options the least used move wins, and the last move is never repeated, so moves vary.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.tutor.moves import Move
from bot.tutor.stance import Stance, StanceResult

OPTIONS: dict[Stance, tuple[Move, ...]] = {
    Stance.AGREE: (Move.VIEWPOINTS, Move.ASSUMPTIONS, Move.IMPLICATIONS),
    Stance.DISAGREE: (Move.EVIDENCE, Move.ASSUMPTIONS, Move.VIEWPOINTS, Move.IMPLICATIONS),
    Stance.QUESTION: (Move.IMPLICATIONS, Move.CLARIFICATION, Move.META, Move.VIEWPOINTS),
    Stance.OFFTOPIC: (Move.CLARIFICATION, Move.META),
}
SCAFFOLD_OPTIONS = (Move.CLARIFICATION, Move.EVIDENCE, Move.ASSUMPTIONS)


@dataclass(frozen=True)
class Plan:
    move: Move
    scaffold: bool


def plan_move(stance: StanceResult, previous_moves: list[str], *, exclude: Move | None = None) -> Plan:
    """The move for this turn. `exclude` forces a different move (the "another angle" button)."""
    scaffold = stance.short and stance.stance is not Stance.OFFTOPIC
    options = SCAFFOLD_OPTIONS if scaffold else OPTIONS[stance.stance]
    recent_evidence = Move.EVIDENCE.value in previous_moves[-2:]
    if stance.stance is Stance.DISAGREE and not scaffold and not recent_evidence and exclude is not Move.EVIDENCE:
        return Plan(Move.EVIDENCE, scaffold)  # disagreement meets the essay's own evidence first
    last = previous_moves[-1] if previous_moves else None
    candidates = [m for m in options if m.value != last and m is not exclude] or [
        m for m in Move if m.value != last and m is not exclude
    ]
    chosen = min(candidates, key=lambda m: (previous_moves.count(m.value), options.index(m) if m in options else 9))
    return Plan(chosen, scaffold)
