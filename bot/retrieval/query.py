"""What a question asks, without the words that only point at the essay.

Readers wrap a question in talk about the text: "according to the writer, …", "does the author claim that …",
"what does the essay say about …", "in the butler essay, …". Those words are not in the answering sentence, so they
pull the query's vector towards every essay's talk about authors and arguments, and give BM25 terms ("essay",
"author") that match nothing useful. `content_of` removes them with the parser, not with patterns: a noun phrase
whose head is a word for the text or its writer goes (with its preposition, "according to" / "per" / "in"), and
so does a verb of saying or thinking whose subject it is ("does the writer think [the innie is selfish]" keeps
the bracketed clause). Whatever names the essay ("the butler essay") is read by the catalog from the original
question before this runs.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.language import ParserUnavailable, parse

if TYPE_CHECKING:
    from spacy.tokens import Token

# Words for the text and its writer (lemmas). "Film", "show", "novel" stay: they are what the essay discusses.
TEXT_NOUNS = frozenset({"essay", "author", "writer", "essayist", "article", "piece", "text", "post", "blog"})
_SURFACE_FORMS = TEXT_NOUNS | {f"{noun}s" for noun in TEXT_NOUNS}
# Verbs of saying and thinking whose subject is the text or its writer: the verb goes too.
SAYING_VERBS = frozenset({
    "say", "think", "claim", "argue", "suggest", "believe", "mean", "hold", "accept", "mention", "write", "see",
    "view", "consider", "describe", "imply", "contend", "maintain", "insist", "propose", "tell", "want", "feel",
    "make", "talk", "discuss", "agree", "conclude", "admit",
})
_NOUN_ROLES = frozenset({"nsubj", "nsubjpass", "pobj", "poss", "npadvmod", "appos", "dobj", "conj", "ROOT", "dep"})
MIN_CONTENT_TOKENS = 1


@lru_cache(maxsize=1024)
def content_of(question: str) -> str:
    """The question without its talk about the essay; the question itself if nothing (or nearly all) would go."""
    if not _SURFACE_FORMS.intersection(re.findall(r"[a-z]+", question.lower())):
        return question  # nothing to remove: spare the parse (most questions)
    try:
        doc = parse(question)
    except ParserUnavailable:
        return question
    drop: set[int] = set()
    for token in doc:
        if token.lemma_.lower() not in TEXT_NOUNS or token.dep_ not in _NOUN_ROLES or token.i in drop:
            continue
        if token.dep_ == "dobj" and token.head.lemma_.lower() not in SAYING_VERBS:
            continue  # "did you read the essay" is about the essay; leave it
        drop.add(token.i)  # the noun and its little words; what describes it ("the butler essay") stays
        drop.update(c.i for c in token.children if c.dep_ in ("det", "case", "punct", "prep") and not any(
            d.dep_ == "pobj" and d.lemma_.lower() not in TEXT_NOUNS for d in c.children))
        drop.update(c.i for c in token.children if c.dep_ == "poss" and c.lemma_.lower() in TEXT_NOUNS)
        if token.dep_ == "pobj":
            prep = _outer_preposition(token)  # "according to the author", "per the essay"
            drop.update(t.i for t in prep.subtree if t.i <= token.i and t.dep_ in ("prep", "det", "pobj", "case"))
        elif token.dep_ in ("nsubj", "nsubjpass") and token.head.lemma_.lower() in SAYING_VERBS:
            verb = token.head
            drop.add(verb.i)
            drop.update(c.i for c in verb.children if c.dep_ in ("aux", "auxpass", "mark", "punct", "advmod", "neg")
                        and c.i < verb.i)
    if not drop:
        return question
    kept = [t for t in doc if t.i not in drop]
    while kept and kept[0].i > 0 and (kept[0].is_punct or kept[0].dep_ in ("cc", "mark")):
        kept = kept[1:]  # what led into the part that went: "that" in "does the author claim that …"
    if sum(not t.is_punct and not t.is_stop for t in kept) < MIN_CONTENT_TOKENS:
        return question
    text = re.sub(r"\s+([,;:?!.])", r"\1", "".join(t.text_with_ws for t in kept)).strip()
    return text[:1].upper() + text[1:] if question[:1].isupper() else text


def _outer_preposition(noun: Token) -> Token:
    """The outermost preposition over a prepositional object: "According" for "according to the author"."""
    prep = noun.head
    while prep.head is not prep and prep.head.dep_ == "prep" and prep.dep_ == "prep" and prep.head.i < prep.i:
        prep = prep.head
    return prep
