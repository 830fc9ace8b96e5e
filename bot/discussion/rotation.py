"""Which claim is next week's topic.

Topics are the argument map's claims. None repeats until every claim has had its week (a cycle); essays added
most recently come first; a removed essay's claims simply stop being candidates.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.retrieval.store import EssayRecord
from bot.tutor.argmap import ArgumentMap, Claim


def ordered_claims(argmap: ArgumentMap, essays: Sequence[EssayRecord]) -> list[Claim]:
    """Every claim, newest essay first, in reading order within an essay."""
    newest_first = sorted(essays, key=lambda e: e.added_at, reverse=True)
    return [c for e in newest_first if e.id in argmap.essays for c in argmap.essays[e.id].claims]


def next_topic(argmap: ArgumentMap, essays: Sequence[EssayRecord], history: Sequence[str]) -> Claim | None:
    """The first claim not yet used in the current cycle; `history` is every past topic's claim id, oldest first."""
    claims = ordered_claims(argmap, essays)
    if not claims:
        return None
    current = {c.id for c in claims}
    used: set[str] = set()
    for claim_id in history:
        if claim_id in current:
            used.add(claim_id)
            if used == current:
                used = set()  # every claim has had its week: a new cycle starts
    return next(c for c in claims if c.id not in used)
