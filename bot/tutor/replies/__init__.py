"""What the tutor says back to each kind of turn: the lead, the lines it quotes, and what its question answers to.

Each `Responder` method takes the turn (`Turn`: the message, what it is, the focus) and returns a `Response`: a
`Draft` (lead sentence, quotes, note) plus the keys of the question forms that fit (see `moves.AFTER`), the stance
reported in the JSON contract, and the claim now under discussion. Leads are written so that their framing is
true whatever the message: "the essay would agree with you" only when the reader's stance is clear and the line
quoted is the essay's own claim, "the essay doesn't say" when it does not.

The modules, from the ground up:
- `turn`: `Turn`, what a handler is given, and `Response`, what it gives back.
- `text`: text helpers and word lists shared by several of the modules below.
- `lookup`: `Lookup`, the responder's state and the look-ups every reply shares (the lines that answer a message,
  the lines around one, the views the essay rejects, the reader's stance, the claim under discussion).
- `quoting`: `Quoting(Lookup)`, lines made into quotes, the claim a line bears on, and the replies built from them
  (the one that brings the conversation back to its point, the essay's answer to a view it rejects).
- the feature mixins, each a `Quoting`, one per area: `requests` (what is asked of the tutor: injections, greetings
  and goodbyes, off-topic messages, advice, ghost-writing, teaching, no more questions, bias, help, critique,
  opinion, the argument as a whole, "just answer"), `answers` (questions about the essay), `words` (meanings and
  mentions), `readings` (verdicts on the reader's reading), `positions` (the reader's positions, stories, rejected
  evidence, approval, short replies), `comparisons` (two essays side by side).
- `responder`: `Responder`, the mixins together, with the dispatch of a turn to its handler (a message that asks
  two things answered in two parts), the choice of an essay, and the slots for the counter-question.
"""

from bot.tutor.replies.requests import TUTOR_INTRO
from bot.tutor.replies.responder import Responder
from bot.tutor.replies.turn import Response, Turn

__all__ = ["TUTOR_INTRO", "Responder", "Response", "Turn"]
