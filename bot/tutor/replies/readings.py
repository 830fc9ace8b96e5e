"""Checks of the reader's reading of the essay (`Readings`).

"Is my reading right?" gets a verdict (fair, wrong, overstated, partly or unclear) against the essay's closest
line, or its closest claim: by the side of a contrast the reading takes, by polarity, by the condition a line
rejects, and by what is said of the people both name; with the clause-level helpers these verdicts use.
"""

from __future__ import annotations

import re

from bot.language import is_negated, parse, quoted, stem, word_stems
from bot.tutor.composer import Draft
from bot.tutor.evidence import Sentence
from bot.tutor.phrases import contrast, points_elsewhere
from bot.tutor.replies.lookup import LOOSELY, RELEVANT
from bot.tutor.replies.quoting import Quoting
from bot.tutor.replies.text import _ASKS_IF_SAYS, _negated
from bot.tutor.replies.turn import Response, Turn
from bot.tutor.stance import Stance
from bot.tutor.understanding import Act

POLARITY_CHECKED = 0.55  # this close, a reading with the opposite polarity ("is" / "is not") is a misreading
FAIR_READING = 0.6  # a reader's proposition this close to a line of the essay is a fair reading of it
# sweeping words a reading can overstate the essay with (not "must": "we must not pity him" states a duty, no sweep)
_OVERSTATES = re.compile(r"\b(?:always|never|all|every|everyone|only|completely|totally)\b", re.IGNORECASE)


def _without_shared_names(one: str, other: str) -> tuple[str, str]:
    """Both texts without the proper names they share (the parser's PROPN), for comparing what they say of them."""
    first, second = parse(one), parse(other)
    shared = {t.lower_ for t in first if t.pos_ == "PROPN"} & {t.lower_ for t in second if t.pos_ == "PROPN"}
    if not shared:
        return one, other
    return tuple(" ".join(t.text for t in doc if t.lower_ not in shared) for doc in (first, second))  # type: ignore


_SIDES = (
    (re.compile(r"\bnot\s+(?:just\s+|only\s+|merely\s+)?(?P<r>.+?),?\s+but\s+(?:rather\s+)?(?P<a>.+)", re.I), False),
    (re.compile(r"(?P<a>.+?)(?:,|\s+and|\s+but)?\s+not\s+(?P<r>.+)", re.I), False),
    (re.compile(r"(?P<a>.+?)\s+(?:rather than|instead of)\s+(?P<r>.+)", re.I), False),
)


def _proposition_sides(text: str) -> tuple[str, str] | None:
    """(asserted, rejected) when a reader's reading itself contrasts two things: "the system and not Mark"."""
    for pattern, _ in _SIDES:
        match = pattern.search(text)
        if match and len(match.group("a").split()) >= 1 and len(match.group("r").split()) >= 1:
            return match.group("a").strip(" ,."), match.group("r").strip(" ,.")
    return None


def _copular(text: str) -> bool:
    """"X is (not) Y": a claim whose polarity can be compared with another's."""
    doc = parse(text)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    return root is not None and root.lemma_ == "be" and any(c.dep_ in ("attr", "acomp", "ccomp") for c in
                                                             root.children)


def _negated_about(proposition: str, text: str) -> bool | None:
    """Whether `text` negates what it says of the reading's subject: in "Joy is not cruel; she is cheerful about
    it", the clause about Joy, not the sentence's grammatical root. None when no clause of `text` has that subject
    (or the reading's subject is a pronoun)."""
    root = next((t for t in parse(proposition) if t.dep_ == "ROOT"), None)
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None) if root is not None else None
    if subject is None or subject.pos_ == "PRON":
        return None
    for token in parse(text):
        if token.dep_ in ("nsubj", "nsubjpass") and token.lemma_.lower() == subject.lemma_.lower():
            return is_negated(token.head)
    return None


_ERROR_VERBS = frozenset({"miss", "mistake", "misread", "misunderstand", "misinterpret", "err"})
_ERROR_STATES = frozenset({"wrong", "mistaken", "misguided"})


def _rejected_condition(text: str) -> str | None:
    """The reading a sentence rejects as a condition: "if the conclusion you arrived at is to feel sorry for Mark's
    outie, then most likely you have missed the point" -> the if-clause. A main clause that says the reader has
    erred (a verb of error, or "wrong"/"mistaken") makes its condition a misreading, not a claim of the essay."""
    for token in parse(text):
        if token.dep_ != "ROOT":
            continue
        errs = token.lemma_.lower() in _ERROR_VERBS or any(
            c.dep_ == "acomp" and c.lemma_.lower() in _ERROR_STATES for c in token.children)
        condition = next((c for c in token.children if c.dep_ == "advcl" and any(
            m.dep_ == "mark" and m.lower_ == "if" for m in c.children)), None)
        if errs and condition is not None:
            return condition.doc[condition.left_edge.i:condition.right_edge.i + 1].text
    return None


def _main_negated(text: str) -> bool:
    """The main clause is negated ("Stevens is not a museum piece"), not merely some word in it ("never finds")."""
    doc = parse(text)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is not None and root.lemma_ == "be" and (complement := next(
            (c for c in root.children if c.dep_ == "ccomp"), None)) is not None and not any(
            c.dep_ in ("attr", "acomp") for c in root.children):
        root = complement  # "The truth is that X is not Y": the claim is the that-clause
    return root is not None and is_negated(root)


class Readings(Quoting):
    """Verdicts on the reader's reading."""

    def reading_check(self, turn: Turn) -> Response:
        proposition = turn.understanding.proposition or (
            turn.conversation.user_messages[-1] if turn.conversation.user_messages else turn.text)
        # 'The writer says "<its line>". Well. I kept my face composed…': the essay's own words, quoted to answer
        # them, are no reading of the reader's to pass
        cited = self._focus_lines(turn, turn.text, words=5, single=False)
        if cited and len(turn.text.split()) - len(cited[0].split()) >= 8:
            return self.question(turn) if turn.understanding.question else self.position(turn)
        view = self._counterview(turn, proposition)
        if view is not None:
            return self._answer_counterview(turn, view, endorsed=not _negated(proposition), reading=True)
        # a reading put as pushback ("isn't he just a victim of his condition?") that is no reading the essay answers
        # is an objection: answered with the essay's case and asked to weigh it; a verdict of "fair" would say the
        # essay concedes it (judges failed "Yes, that's a fair reading" said to objectors 6 times)
        if Act.OBJECTION in turn.understanding.acts:
            return self.question(turn) if turn.understanding.question else self.position(turn)
        probe = proposition if proposition in turn.text and len(proposition.split()) >= 6 else turn.text
        found = self._best_many(turn, probe)
        if not found:
            return self._not_addressed(turn)
        claimed = self._closest_claim_line(turn, proposition)
        candidates = [claimed, *found] if claimed is not None and claimed[0] > found[0][0] else \
            [*found, *([claimed] if claimed else [])]
        # a line that gives the reading's point to another character is not its verdict: the next one is
        score, sentence = next((c for c in candidates if not self._about_someone_else(proposition, c[1])),
                               candidates[0])
        if probe != proposition:  # the line was found with the whole message; the verdict is on the reading alone
            score = self._similarity(turn, proposition, sentence.text)
        verdict = self._verdict(proposition, sentence, score, turn)
        if verdict == "fair" and self._about_someone_else(proposition, sentence):
            verdict = "partly"
        if verdict in ("unclear", "partly") and self._quotes_focus(turn, proposition):
            verdict = "fair"  # "the essay says the outie is a 'cautionary tale', not a tragic hero": its own words
        quote = self._quote(sentence, toward=turn.vector(probe))
        claim = self._claim_near(sentence)
        asks = bool(_ASKS_IF_SAYS.search(turn.text))  # "does the essay say P?" rather than "is P a fair reading?"
        if verdict == "wrong":
            lead = "No, it says otherwise:" if asks else "Not quite: the essay says otherwise."
            return Response(Draft(lead, [quote]), ["reading_wrong"], Stance.QUESTION, claim)
        if verdict == "fair":
            lead = "Yes, it does:" if asks else "Yes, that's a fair reading. The essay puts it this way:"
            return Response(Draft(lead, [quote]), ["reading_fair", "scheme"], Stance.QUESTION, claim)
        if verdict == "overstated":
            return Response(Draft("Not that strongly. The essay's claim is narrower:", [quote]), ["reading_partly"],
                            Stance.QUESTION, claim)
        if verdict == "partly":
            lead = ("Not in so many words. The nearest it comes is this:" if asks else
                    "Partly. The essay doesn't put it quite like that; its own words are:")
            keys = ["question", "scheme"] if asks else ["reading_partly", "scheme"]  # asked, so no "your reading"
            return Response(Draft(lead, [quote]), keys, Stance.QUESTION, claim)
        if score >= LOOSELY:  # a line near it, but not one that makes the claim: show it, and say what it is
            lead = ("I can't point to a line that says exactly that. The closest is this:" if asks else
                    "I can't point to a line that says exactly that, so check your reading against the closest:")
            return Response(Draft(lead, [quote]), ["reading_unclear", "scheme"], Stance.QUESTION, claim)
        thesis = self.argmap.essays[turn.focus].thesis
        lead = "I can't match that to one line, so check your reading against the essay's own claim:"
        anchor = self._claim_quote(thesis)
        return Response(Draft(lead, [anchor] if anchor else [quote]), ["reading_unclear"], Stance.QUESTION, thesis)

    def _closest_claim_line(self, turn: Turn, text: str) -> tuple[float, Sentence] | None:
        """The essay's own claims (thesis, claims, their support) as candidates for what a reading restates."""
        argument = self.argmap.essays[turn.focus]
        vector = turn.vector(text).reshape(-1)
        best: tuple[float, Sentence] | None = None
        for line in [argument.thesis.text, *argument.thesis.support, *(c.text for c in argument.claims
                                                                         if c.kind != "heading")]:
            sentence = self.sentences.find(turn.focus, line)
            if sentence is None or self._reported(sentence):
                continue
            if line != argument.thesis.text and points_elsewhere(line):
                continue  # "…alone enough to take it off" cannot be checked against a reading on its own
            score = float(vector @ sentence.vector)
            if best is None or score > best[0]:
                best = (score, sentence)
        return best

    def _verdict(self, proposition: str, sentence: Sentence, score: float, turn: Turn) -> str:
        """fair / wrong / partly / unclear: is `proposition` what `sentence` (the essay's closest line) says?

        Where the line draws a contrast ("not Mark but the system"), the reading is judged by which side it takes
        (matching each side of the reader's own contrast, if they drew one); otherwise by closeness and polarity."""
        if _OVERSTATES.search(proposition) and not _OVERSTATES.search(sentence.text) and score >= LOOSELY:
            return "overstated"  # "sadness is always good, we must be sad more": stronger than the essay says
        sides = contrast(sentence.text)
        if sides is not None and score >= LOOSELY:
            mine = _proposition_sides(proposition)
            if mine is not None:
                asserted, rejected = mine
                straight = self._similarity(turn, asserted, sides.asserted) + self._similarity(
                    turn, rejected, sides.rejected)
                crossed = self._similarity(turn, asserted, sides.rejected) + self._similarity(
                    turn, rejected, sides.asserted)
            else:
                straight = self._similarity(turn, proposition, sides.asserted)
                crossed = self._similarity(turn, proposition, sides.rejected)
                if _negated(proposition):
                    straight, crossed = crossed, straight
            if straight > crossed + 0.05:
                return "fair"
            if crossed > straight + 0.05:
                return "wrong"
        condition = _rejected_condition(sentence.text)
        if condition is not None and self._similarity(turn, proposition, condition) >= RELEVANT:
            # "if you conclude that you should pity the outie, you have missed the point": wrong to conclude it,
            # right to deny it ("so we must not feel sorry for the outie?")
            return "fair" if _main_negated(proposition) != _main_negated(condition) else "wrong"
        said = _negated_about(proposition, sentence.text)
        same_polarity = _main_negated(proposition) == (_main_negated(sentence.text) if said is None else said)
        # a reading that draws its own contrast ("a cautionary tale, not a tragic hero") carries a "not" of its own:
        # its polarity is not the line's to contradict ("he isn't the tragic figure…")
        if score >= POLARITY_CHECKED and not same_polarity and _copular(proposition) and _copular(sentence.text) \
                and _proposition_sides(proposition) is None:
            return "wrong"
        if score < RELEVANT or not self._argues(sentence):
            return "unclear"  # only a line that tells the story is close: the essay does not make that claim
        # what is said of the people both name, without the names: "stevens is driving to see miss kenton because he
        # wants to propose" is 0.66 from "What Stevens lost was not only Miss Kenton but the self who might have
        # knocked on her door" and 0.14 once both lose "Stevens" and "Miss Kenton"
        said_of_them = self._similarity(turn, *_without_shared_names(proposition, sentence.text))
        if score >= FAIR_READING and said_of_them >= RELEVANT:
            return "fair"
        return "partly" if said_of_them >= LOOSELY else "unclear"

    def _about_someone_else(self, proposition: str, sentence: Sentence) -> bool:
        """The line gives what the reading says of one character to another: "the essay thinks Leonard is faking
        the amnesia" is not borne out by "Leonard judged Sammy's amnesia to be psychological", however close (the
        line's "Sammy's amnesia": a thing the reading names, owned by someone the reading does not name)."""
        names = self._characters(sentence.essay_id)
        theirs = set(word_stems(proposition))
        if not theirs & names:
            return False  # "the outie is the villain" names no one: "Mark's outie" is the same outie
        for token in parse(sentence.text):
            owners = {stem(c.text.lower()) for c in token.children if c.dep_ == "poss"} & names
            if owners and not owners & theirs and stem(token.text.lower()) in theirs:
                return True
        return False

    def _quotes_focus(self, turn: Turn, text: str) -> bool:
        """`text` puts in quotation marks words of two or more that the focus essay uses (a line or a heading)."""
        return bool(self._focus_lines(turn, text))

    def _focus_lines(self, turn: Turn, text: str, *, words: int = 2, single: bool = True) -> list[str]:
        """What `text` puts in quotation marks (`single`: in single quotes too) that the focus essay says, of at
        least `words` words."""
        return [q for q in quoted(text, single=single) if len(q.split()) >= words and
                self.sentences.contains(turn.focus, q.strip(" .,!?"))]
