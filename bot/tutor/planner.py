"""Choose the Socratic move for a turn from the reader's stance and the conversation so far.

Agreement is challenged (another viewpoint, a hidden assumption, an uncomfortable implication); disagreement
is asked to answer the essay's own evidence; a question is answered and met with a question back; off-topic talk
is brought back gently. Within those options the least used move wins, and the last move is never repeated, so
moves vary. The move is a preference: the question forms that answer to the kind of turn (see `questions.py`)
come first and carry their own move.
"""

from __future__ import annotations

from bot.tutor.moves import Move
from bot.tutor.stance import Stance

OPTIONS: dict[Stance, tuple[Move, ...]] = {
    Stance.AGREE: (Move.VIEWPOINTS, Move.ASSUMPTIONS, Move.IMPLICATIONS),
    Stance.DISAGREE: (Move.EVIDENCE, Move.ASSUMPTIONS, Move.VIEWPOINTS, Move.IMPLICATIONS),
    Stance.QUESTION: (Move.IMPLICATIONS, Move.CLARIFICATION, Move.META, Move.VIEWPOINTS),
    Stance.OFFTOPIC: (Move.CLARIFICATION, Move.META),
}


def plan_move(stance: Stance, previous_moves: list[str], *, exclude: Move | None = None) -> Move:
    """The move for this turn. `exclude` forces a different move (the "another angle" button)."""
    options = OPTIONS[stance]
    recent_evidence = Move.EVIDENCE.value in previous_moves[-2:]
    if stance is Stance.DISAGREE and not recent_evidence and exclude is not Move.EVIDENCE:
        return Move.EVIDENCE  # disagreement meets the essay's own evidence first
    last = previous_moves[-1] if previous_moves else None
    candidates = [m for m in options if m.value != last and m is not exclude] or [
        m for m in Move if m.value != last and m is not exclude
    ]
    return min(candidates, key=lambda m: (previous_moves.count(m.value), options.index(m) if m in options else 9))
