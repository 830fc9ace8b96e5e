"""A turn as a handler of `Responder` is given it, and what the handler gives back.

`Turn`: the message, what it is (`Understanding`), the focus essay (and the other one brought in) and the
conversation so far. `Response`: the `Draft` (lead sentence, quotes, note), the keys of the question forms that fit
(see `moves.AFTER`), the stance reported in the JSON contract, and the claim now under discussion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bot.state import Conversation
from bot.tutor.argmap import Claim
from bot.tutor.composer import Draft
from bot.tutor.stance import Stance
from bot.tutor.understanding import Understanding


@dataclass
class Turn:
    conversation: Conversation
    text: str
    understanding: Understanding
    focus: str
    other: str | None
    vector: Callable[[str], np.ndarray]  # embeds a text (cached)
    changed: bool = False  # the focus moved to another essay with this message
    named_other: bool = False
    guessed: bool = False  # the reader never said which essay: the tutor took the closest, and says so
    described: bool = False  # the message describes an essay ("the one about the movie where…")
    together: bool = False  # the message asks both essays of a comparison


@dataclass
class Response:
    draft: Draft
    keys: list[str]
    stance: Stance
    claim: Claim | None = None
    slots: dict[str, str | None] = field(default_factory=dict)
    anchored: bool = False  # the quote only brings the conversation back to its point: it answers nothing
