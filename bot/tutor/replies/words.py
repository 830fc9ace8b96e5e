"""The meaning of a word and whether the essay mentions a thing (`Words`).

A word or phrase asked about is shown where the essay uses it: with its own definition, the words of a phrase
defined one by one, or the words around it; a phrase another essay uses is shown there. "Does it mention X?" is
answered from the essay's uses of X (by name, in a kindred word, in a heading, or described in other words).
With the helpers that tell whether a sentence defines a term, and what a "does it mention…" question asks about.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.corpus.text import words
from bot.language import commonness, content_words, noun_phrases, parse, rare_words, stem, word_stems
from bot.tutor.composer import Draft, Quote
from bot.tutor.evidence import STOP_STEMS, Sentence
from bot.tutor.phrases import VAGUE_HEADS
from bot.tutor.replies.lookup import LOOSELY, RELEVANT
from bot.tutor.replies.quoting import Quoting
from bot.tutor.replies.text import _echo, _phrase_in, _where
from bot.tutor.replies.turn import Response, Turn
from bot.tutor.stance import Stance

if TYPE_CHECKING:
    from spacy.tokens import Token

DESCRIBED = 0.45  # "does it mention facebook showing you old memories?": a line this close mentions the described
DESCRIPTION_WORDS = 3  # thing in other words; a name or a term (fewer content words) must be used as such


def _described_around(target: str, part: str) -> set[str]:
    """The content words (stems) a "does it mention…" target has beyond the part found: "the ending where riley
    gets on the bus" around "riley"."""
    return {w for w in word_stems(target) if w not in STOP_STEMS} - set(word_stems(part))


def _alternatives(target: str) -> list[str]:
    """What a "does it mention…" question asks about, one item per alternative: "Helly or the other innies in
    the office" -> ["Helly", "innies"]; "whether he went to his father's funeral" -> ["funeral"] (the head noun
    of a long phrase: the essay may use it in other words around it)."""
    parts = [p.strip() for p in re.split(r"\s*(?:,|\bor\b|\band\b|/)\s*", target) if p.strip()]
    found: list[str] = []
    for part in parts:
        part = re.sub(r"^(?:only|just|even|also)\s+", "", part, flags=re.IGNORECASE).strip(" '\"")
        # "lumon specifically", "helly by name": how it is asked for, not what
        part = re.sub(r"\s+(?:specifically|at all|by name|outright|directly|explicitly|in particular)$", "", part,
                      flags=re.IGNORECASE)
        if re.search(r"\w-\w+-\w", part):  # "the every-cell-gets-replaced thing": words strung into one
            part = part.replace("-", " ")
        if len(part.split()) > 2 or re.search(r"\w['’]s\s", part):  # "riley's dad": the dad, whose is around it
            phrases = [p for p in noun_phrases(parse(part)) if p.root.pos_ in ("NOUN", "PROPN")]
            # "the thing where all your cells get replaced": the first noun that names something, not "thing";
            # "the 4 day work week thing": the noun that "thing" is about
            named = [p for p in phrases if p.root.lemma_.lower() not in VAGUE_HEADS]
            inner = [t for p in phrases for t in p if t.pos_ in ("NOUN", "PROPN") and t is not p.root
                     and t.lemma_.lower() not in VAGUE_HEADS]
            found.append(_rarest_noun(named[0].root) if named else inner[-1].text if inner else
                         phrases[0].root.text if phrases else part)
        else:
            found.append(re.sub(r"^(?:the|a|an|any|his|her|their|its)\s+", "", part, flags=re.IGNORECASE))
    return found or [target]


def _rarest_noun(root: Token) -> str:
    """The head noun of a described thing, or the rarer common noun the description hangs on it ("kids needing
    therapy" -> "therapy": an essay that says "children" has not mentioned therapy)."""
    if root.pos_ == "PROPN":
        return root.text
    nouns = [t for t in root.subtree if t.pos_ == "NOUN" and t.lemma_.lower() not in VAGUE_HEADS]
    return min(nouns, key=lambda t: (commonness(t.text), t is not root)).text if nouns else root.text


def _term_slot(phrase: str) -> dict[str, str | None]:
    """The phrase asked about, for a question about the essay's choice of words: a term, not a whole line.
    `chosen_term`: a term the essay could have put more plainly, for "why does it reach for X rather than a plainer
    word?": not an everyday word ("okay") nor a name ("Lacuna", the film's company), which judges failed it for."""
    if len(phrase.split()) > 4:
        return {}
    chosen = bool(rare_words(phrase)) and not phrase[:1].isupper()
    return {"term": phrase, "chosen_term": phrase if chosen else None}


def _defines(sentence: str, phrase: str) -> bool:
    """The sentence explains the phrase: "I would call this X: …", "X, by which he means …", "X is …"."""
    lowered, key = sentence.lower(), phrase.lower()
    position = lowered.find(key)
    if position < 0:
        return False
    after = lowered[position + len(key):position + len(key) + 40]
    if lowered[:position].count("“") > lowered[:position].count("”"):
        return False  # inside a quoted title ("Bartleby, the Scrivener: A Story of Wall-Street"), named, not explained
    appositive = bool(re.match(r"\s*, (?:the|a|an)\b", after)) and bool(re.search(r"\b(?:the|a|an)\s+$",
                                                                                 lowered[:position]))
    # a dash after it explains only as an apposition ("grief—he constructed…" goes on with the sentence)
    explained = bool(re.match(r"\s*(?::|[—–]\s*(?:the|a|an|that is|meaning)\b|, (?:by which|meaning|that is|which "
                              r"means|i mean)\b|\s+(?:is|means|refers to)\b)", after))
    coined = bool(re.search(r"\b(?:i would call|what i call|i think of this as|call(?:ed)? this)\b",
                            lowered[:position + 1]))
    # "psychologists call the filling of memory gaps with invented material confabulation": the name ends the clause
    named = bool(re.search(r"\b(?:call|calls|called|known as|termed|the name for)\b[^.;:]{0,90}$", lowered[:position])
                 and re.match(r"\s*(?:[,.;:—–)]|$)", after))
    return appositive or explained or coined or named


def _defining(uses: list[Sentence], term: str) -> Sentence | None:
    return next((s for s in uses if _defines(s.text, _phrase_in(s.text, term))), None)


class Words(Quoting):
    """Meanings and mentions."""

    def meaning(self, turn: Turn) -> Response:
        term = turn.understanding.target or ""
        uses = self.sentences.uses(turn.focus, term)
        if uses and " " not in term and stem(term.lower()) in self._characters(turn.focus):
            # "mary?": someone the essay discusses has no definition, but a place where the essay brings them in
            return Response(Draft(f"The essay brings {_echo(term).capitalize()} in here:", [self._quote(uses[0])]),
                            ["lookup", "scheme", "question"], Stance.QUESTION, self._claim_near(uses[0]))
        if not uses and (phrase := self._used_phrase(turn.focus, term)) is not None:
            term, uses = phrase, self.sentences.uses(turn.focus, phrase)  # "calling the scrolling an anaesthetic"
        if uses:
            sentence = _defining(uses, term) or uses[0]
            phrase = _phrase_in(sentence.text, term)
            if self._known(turn, sentence):  # they quote the line: another use, or what the essay goes on to say
                other = next((s for s in uses if not self._known(turn, s)), None)
                if other is None and (around := self._around(sentence, turn)) is not None:
                    return Response(Draft(f"That's the essay's own line ({_where(sentence)}). Beside it, the "
                                          "essay says:", [self._quote(around, extend=False)]), ["meaning_used"],
                                    Stance.QUESTION, self._claim_near(sentence), _term_slot(phrase))
                sentence = other or sentence
            defined = _defines(sentence.text, phrase)
            quote = self._quote(sentence, extend=len(sentence.text) < 160) if defined else self._in_context(sentence)
            quotes = [quote, *self._parts_defined(turn.focus, phrase, shown=quote.text)]
            lead = (f"The essay defines it itself, where it uses “{phrase}”:" if defined else
                    f"The essay doesn't define “{phrase}” as a whole, but it says what its words mean:"
                    if len(quotes) > 1 else
                    f"The essay doesn't define “{phrase}” outright. It uses it here, and the words around it carry "
                    "the sense:")
            return Response(Draft(lead, quotes), ["meaning" if defined else "meaning_used"], Stance.QUESTION,
                            self._claim_near(sentence), _term_slot(phrase))
        if headings := self.sentences.heading_uses(turn.focus, term):
            return self._in_heading(turn, headings[0], term, ["meaning_absent"])
        best = self._best(turn, term + " " + turn.text)
        if (elsewhere := self._essay_using(turn, term)) is not None:
            # the reader asked about that phrase: show it where it is (the essay brought in, if it is that one's),
            # then the nearest this essay comes
            uses = self.sentences.uses(elsewhere, term)
            sentence = _defining(uses, term) or uses[0]
            phrase = _phrase_in(sentence.text, term)
            quotes = [self._quote(sentence)]
            lead = (f"The phrase “{phrase}” comes from {self._title(elsewhere)}, not this essay. There it is used "
                    "like this")
            if best and best[0] >= RELEVANT:
                quotes.append(self._quote(best[1], extend=False))
                lead += f"; the nearest {self._title(turn.focus)} comes is the second line"
            return Response(Draft(lead + ":", quotes), ["meaning"], Stance.QUESTION, None, {"term": phrase})
        lead = f"The essay never uses “{_echo(term)}”."
        if best and best[0] >= LOOSELY:
            return Response(Draft(f"{lead} The nearest it comes is this:", [self._quote(best[1])]),
                            ["meaning_absent"], Stance.QUESTION, self._claim_near(best[1]))
        return self._anchor(turn, f"{lead} Its own argument is this:", ["meaning_absent"], Stance.QUESTION)

    def _parts_defined(self, essay_id: str, phrase: str, *, shown: str) -> list[Quote]:
        """For a phrase of several words ("custody without capture"), the lines where the essay defines its words
        one by one ("Capture is the opposite: being held by the past…"), not already in `shown`."""
        nouns = [t.text for t in parse(phrase) if t.pos_ in ("NOUN", "PROPN") and not t.is_stop]
        if len(nouns) < 2:
            return []
        found: list[Quote] = []
        for noun in nouns:
            sentence = _defining(self.sentences.uses(essay_id, noun), noun)
            if sentence is not None and sentence.text not in shown and all(q.text != sentence.text for q in found):
                found.append(self._quote(sentence, extend=False))
        return found[:2]

    def _used_phrase(self, essay_id: str, term: str) -> str | None:
        """A noun phrase of a longer target that the essay does use, the rarest first: what "what does the writer
        mean by calling the scrolling an anaesthetic?" asks about is "an anaesthetic", which the essay has (in
        "the anaesthetic scroll") where the target's whole wording is the reader's own."""
        if len(term.split()) < 3:
            return None
        phrases = [(p[1:] if p[0].pos_ == "DET" else p).text for p in noun_phrases(parse(term))
                   if p.text != term and content_words(p)]
        # a phrase is as rare as its rarest word ("a surgical chip" before "Stevens", in the Stevens essay)
        for phrase in sorted(phrases, key=lambda p: -max((self.rarity(w) for w in words(p)), default=0.0)):
            if self.sentences.uses(essay_id, phrase):
                return phrase
        return None

    def _essay_using(self, turn: Turn, term: str) -> str | None:
        """Another essay that uses the phrase: the one brought into the conversation first, else one the passage
        search finds it in (a look-up among its few best hits, not a pass over the library)."""
        hits = self.sentences.searcher.search(term, k=5, vector=turn.vector(term))
        candidates = dict.fromkeys([*([turn.other] if turn.other else []), *(h.passage.essay_id for h in hits)])
        return next((e for e in candidates if e != turn.focus and self.sentences.uses(e, term)), None)

    def mention(self, turn: Turn, target: str | None = None, *,
                denial: str = "No, the essay never mentions") -> Response:
        """Whether the focus essay mentions the thing asked about (`target`, else the one understood), and where;
        `denial` opens the answer when it does not ("The essay never mentions helly", to "who is helly?")."""
        # "the nazi stuff": the thing asked about, without the filler noun it is wrapped in
        target = re.sub(r"(?<=\w)\s+(?:stuff|things?|bits?)$", "", target or turn.understanding.target or "")
        parts = _alternatives(target)
        found = [(part, self._use_for(turn, target, part, uses)) for part in parts
                 if (uses := self.sentences.uses(turn.focus, part))]
        missing = [part for part in parts if part not in {p for p, _ in found}]
        if found:
            part, sentence = found[0]
            phrase = _phrase_in(sentence.text, part)
            around = _described_around(target, part)
            lead = (f"It never mentions {_echo(missing[0])}, but it does discuss “{phrase}”, {_where(sentence)}:"
                    if missing else f"Yes, {_where(sentence)}:" if len(around) >= DESCRIPTION_WORDS else
                    f"Yes, it mentions “{phrase}”, {_where(sentence)}:")  # the thing described, not "Riley"
            return Response(Draft(lead, [self._quote(sentence)]), ["mention_yes"], Stance.QUESTION,
                            self._claim_near(sentence))
        if headings := self.sentences.heading_uses(turn.focus, parts[0]):
            return self._in_heading(turn, headings[0], parts[0], ["mention_yes"])
        kin = self.sentences.kin_word(turn.focus, turn.vector(parts[0])) if len(parts[0].split()) == 1 and not \
            parts[0].isupper() else None
        if kin and (uses := self.sentences.uses(turn.focus, kin)):  # "dad" for an essay that says "father"
            return Response(Draft(f"Not in those words, but it does: it says “{kin}”, here:", [self._quote(uses[0])]),
                            ["mention_yes"], Stance.QUESTION, self._claim_near(uses[0]))
        found_near = self._best_many(turn, turn.text, fresh=False)  # the reader asks: the same line may serve again
        best = found_near[0] if found_near else None
        # a thing described in other words, unless the reader named one the essay never does ("AI or chatbots
        # remembering stuff about people": no line on memory answers for "AI")
        named = any(re.fullmatch(r"[A-Z]{2,6}s?", part) for part in parts)
        described = len({w for w in word_stems(target) if w not in STOP_STEMS}) >= DESCRIPTION_WORDS and not named
        # the thing described, told in the essay's own words: a line near the whole description and near the thing
        # itself ("kids needing therapy" is not met by a line on sad children that never comes near therapy)
        if best and described and best[0] >= DESCRIBED and float(
                best[1].vector @ turn.vector(parts[0]).reshape(-1)) >= LOOSELY:
            return Response(Draft(f"Yes, though not in those words; {_where(best[1])}:", [self._quote(best[1])]),
                            ["mention_yes"], Stance.QUESTION, self._claim_near(best[1]))
        lead = f"{denial} {_echo(target)}."
        if best and best[0] >= RELEVANT:
            return Response(Draft(f"{lead} The nearest it comes is this:", [self._quote(best[1])]), ["mention_no"],
                            Stance.QUESTION, self._claim_near(best[1]))
        return self._anchor(turn, f"{lead} What it focuses on instead is this:", ["mention_no"], Stance.QUESTION,
                            thesis=True)

    def _use_for(self, turn: Turn, target: str, part: str, uses: list[Sentence]) -> Sentence:
        """Which use of `part` answers: the first (where the essay brings it in) for a bare name or term; for a thing
        described around it ("the ending where riley gets on the bus"), the use closest to the whole question, not
        the line that introduces Riley."""
        described = _described_around(target, part)
        if len(described) < DESCRIPTION_WORDS or len(uses) == 1:
            return uses[0]
        vector = turn.vector(turn.text).reshape(-1)  # most of the description's words, then the closest in meaning
        return max(uses, key=lambda s: (len(described & set(word_stems(s.text))), float(s.vector @ vector)))

    def _in_heading(self, turn: Turn, heading: str, term: str, keys: list[str]) -> Response:
        """The phrase is in a section heading, not in a sentence: say so, and quote what that section argues."""
        claims = [c for c in self.argmap.essays[turn.focus].claims if c.section == heading and c.kind != "heading"]
        sentence = next((self.sentences.find(turn.focus, c.text) for c in claims), None) or next(
            iter(self.sentences.in_section(turn.focus, heading)), None)
        lead = (f"It uses “{_phrase_in(heading, term)}” in a section heading (“{heading}”) rather than in a "
                "sentence. What that section argues:")
        if sentence is None:
            return self._anchor(turn, lead, keys, Stance.QUESTION)
        return Response(Draft(lead, [self._quote(sentence)]), keys, Stance.QUESTION, self._claim_near(sentence))
