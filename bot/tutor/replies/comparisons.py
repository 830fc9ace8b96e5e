"""Two essays side by side (`Comparisons`).

Each essay's best line (or its thesis, when the essays themselves are compared) on what the message compares; two
lines the reader quotes, shown with what each is doing where it stands; a connection neither essay makes, said to
be the reader's; and each essay's own answer to "does either essay mention X?".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from bot.language import noun_phrases, parse, plain, quoted
from bot.tutor.composer import Draft, Quote
from bot.tutor.evidence import Sentence
from bot.tutor.replies.lookup import LOOSELY
from bot.tutor.replies.quoting import Quoting
from bot.tutor.replies.text import _GENERIC_NOUNS, _phrase_in, was_quoted
from bot.tutor.replies.turn import Response, Turn
from bot.tutor.stance import Stance
from bot.tutor.understanding import Kind

COMPARE_THESIS_MARGIN = 0.05  # in a comparison, an essay's thesis stands in for a line this little closer
COMPARED_CONTEXT = 280  # a compared line is shown with its neighbour up to this length (two sides must fit)
_ALIKE = re.compile(r"\b(?:similar|same|alike|both say|both think|both argue|like the)\b", re.IGNORECASE)
_WEIGHING = frozenset({"fair", "same", "flatten", "neat", "overread", "mirror", "opposite", "contrast", "differ",
                       "different", "disagree", "agree", "right", "wrong", "similar", "equivalent"})


def _weighs_comparison(text: str) -> bool:
    """The message asks whether a comparison holds ("is that a fair contrast or am i flattening them?")."""
    lowered = text.lower()
    return ("?" in text or " or am i " in f" {lowered} ") and bool(
        {t.lemma_.lower() for t in parse(text)} & _WEIGHING)


_LINK_WORDS = frozenset({"connection", "connect", "link", "invent", "imagine", "relate", "parallel"})


class Comparisons(Quoting):
    """Two essays side by side."""

    def compare(self, turn: Turn) -> Response:
        other = turn.other
        if other is None:
            return self.question(turn)
        crossings = {e: self._crossing(turn, e) for e in (turn.focus, other)}
        mine, theirs = self._side(turn, turn.focus, crossings[turn.focus]), self._side(turn, other, crossings[other])
        cited = self._cited_lines(turn, other)
        weighed = len(cited) == 2 and _weighs_comparison(turn.text)  # "is that a fair contrast?" of two quoted lines
        quotes, labels = [], []
        for essay_id, best in ((turn.focus, mine), (other, theirs)):
            if best is None:
                continue
            # a line the reader quotes to compare, with the line beside it: what it is doing where it stands
            quotes.append(self._in_context(best[1], limit=COMPARED_CONTEXT) if weighed and cited.get(
                essay_id) is best[1] else self._quote(best[1], toward=turn.vector(turn.text)))
            labels.append(f"**{self._title(essay_id)}:**")
        theses = all(best is not None and self.argmap.essays[e].thesis.text in best[1].text
                     for e, best in ((turn.focus, mine), (other, theirs)))
        lead = ("Here is what each essay argues, side by side:" if theses
                else "Here is each essay on that, side by side:")
        if all(best is None or best[0] < LOOSELY for best in (mine, theirs)):
            lead = "Neither essay takes that on directly; here is the nearest each comes:"
        elif drawn := [e for e, best in ((turn.focus, mine), (other, theirs))
                       if best and (crossing := crossings[e]) is not None and crossing[1] is best[1]]:
            lead = (f"{self._title(drawn[0])} draws that comparison itself. Here is each side:" if len(drawn) == 1
                    else "Each essay draws that comparison itself:")
        alike = bool(_ALIKE.search(turn.text))
        keys = ["compare_alike", "compare"] if alike else ["compare"]
        if (apart := self._kept_apart(turn, other)) is not None:  # "does either essay make that connection?"
            lead, keys = f"{apart} Here is each side of it:", ["compare_link", *keys]
        elif weighed:
            lead = ("You quote both essays right. Whether the comparison holds turns on what each line is doing where "
                    "it stands:")
            keys = ["compare_cited", *keys]
        return Response(Draft(lead, quotes, labels=tuple(labels)), keys, Stance.QUESTION,
                        self._claim_near(mine[1]) if mine else None)

    def _cited_lines(self, turn: Turn, other: str) -> dict[str, Sentence]:
        """The lines of the two essays the reader quotes (three words or more, verbatim), by essay."""
        found: dict[str, Sentence] = {}
        for phrase in quoted(turn.text):
            phrase = phrase.strip(" .,!?")
            if len(phrase.split()) < 3:
                continue
            for essay_id in (turn.focus, other):
                line = next((s for s in self.sentences.sentences(essay_id) if phrase in plain(s.text)), None)
                if line is not None:
                    found.setdefault(essay_id, line)
        return found

    def _kept_apart(self, turn: Turn, other: str) -> str | None:
        """Asked whether the essays make a connection the reader draws ("the dead letter office and the long self's
        'flat archive' feel like opposites: does either essay make that connection?"), the answer the text can
        check: each essay's own term (a phrase of the message it uses and the other does not), and whether the
        other essay ever uses it. None unless asked, or unless each side has a term of its own."""
        doc = parse(turn.text)
        if not {t.lemma_.lower() for t in doc} & _LINK_WORDS:
            return None
        own: dict[str, tuple[str, str]] = {}  # essay -> (the message's phrase, the essay's words for it)
        for phrase in noun_phrases(doc):
            owner = max((t.i for t in phrase if t.tag_ == "POS"), default=None)  # "the long self's 'flat archive'"
            term = doc[owner + 1:phrase.end] if owner is not None else phrase
            text = term.text.strip(" '\"‘’“”")
            content = [t for t in term if t.pos_ in ("NOUN", "PROPN", "ADJ") and t.lower_ not in _GENERIC_NOUNS]
            if len(content) < 2:
                continue  # one word is no term of an essay's own ("the bartleby essay": one, beside "essay")
            users = [e for e in (turn.focus, other) if self.sentences.uses(e, text)]
            if len(users) == 1 and users[0] not in own:
                own[users[0]] = (text, _phrase_in(self.sentences.uses(users[0], text)[0].text, text))
        if len(own) < 2:
            return None
        focus_term, other_term = own[turn.focus][1], own[other][1]
        return (f"Neither essay makes that connection: {self._title(turn.focus)} never mentions “{other_term}”, and "
                f"{self._title(other)} never mentions “{focus_term}”. The link is yours.")

    def _each(self, turn: Turn, handler: Callable[[Turn], Response]) -> Response:
        """The focus's and the other essay's own answers to a "does either essay mention X?", one after the other,
        each led by the essay's title."""
        assert turn.other is not None
        answers = [(turn.focus, handler(turn)), (turn.other, handler(replace(turn, focus=turn.other,
                                                                               other=turn.focus)))]
        quotes: list[Quote] = []
        labels: list[str] = []
        for essay_id, answer in answers:
            quotes += answer.draft.quotes
            labels += [f"**{self._title(essay_id)}:** {answer.draft.lead}".strip(),
                       *[""] * (len(answer.draft.quotes) - 1)]
        first = next((a for _, a in answers if a.draft.quotes), answers[0][1])
        found = {a.keys[:1] == ["mention_yes"] for _, a in answers}
        key = "compare_mention_" + ("split" if len(found) == 2 else "both" if True in found else "none")
        return Response(Draft("Here is what each essay has on that:", quotes, labels=tuple(labels)), [key],
                        first.stance, first.claim)

    def _side(self, turn: Turn, essay_id: str,
              crossing: tuple[float, Sentence] | None = None) -> tuple[float, Sentence] | None:
        """One essay's answer in a comparison: the line the reader cites, its own line on the other essay
        (`crossing`), its best line, or its thesis when that answers about as well, or when
        the message compares the essays themselves ("both seem to be about workers who lose themselves to a job: a
        fair pairing?" is met by what each argues, not by the scene that shares the most words with it)."""
        best = self._best_in(essay_id, turn, turn.text)
        cited = [q.strip(" .,!?") for q in quoted(turn.text, single=True) if len(q.split()) >= 2]
        for line in cited:  # "It frames the procedure as dividing 'one's soul'": the line the reader cites
            sentence = next((s for s in self.sentences.sentences(essay_id) if line in plain(s.text)), None)
            if sentence is not None:
                return max(best[0], LOOSELY) if best else LOOSELY, sentence
        if crossing is not None:  # the essay makes the comparison itself (see `_crossing`)
            return (max(best[0], crossing[0]) if best else crossing[0]), crossing[1]
        thesis = self.sentences.find(essay_id, self.argmap.essays[essay_id].thesis.text)
        if best is None or thesis is None or thesis is best[1] or was_quoted(thesis.text, turn.conversation.quoted):
            return best
        if turn.understanding.kind is Kind.COMPARE:  # the essays themselves compared: what each argues
            return best[0], thesis
        toward = turn.vector(turn.text).reshape(-1)
        if float(thesis.vector @ toward) >= float(best[1].vector @ toward) - COMPARE_THESIS_MARGIN:
            return best[0], thesis
        return best

    def _crossing(self, turn: Turn, essay_id: str) -> tuple[float, Sentence] | None:
        """The essay's own comparison: its line closest to the message among those that name the other essay of
        the comparison ("Where Severance needs a surgical chip to divide a worker from his grief, Stevens manages
        the division with nothing but habit"), if it is at least loosely on the message."""
        other = turn.other if essay_id == turn.focus else turn.focus
        toward = turn.vector(turn.text).reshape(-1)
        lines = [(float(s.vector @ toward), s) for s in self._lines_naming(essay_id, other)]
        best = max(lines, key=lambda line: line[0], default=None)
        return best if best is not None and best[0] >= LOOSELY else None
