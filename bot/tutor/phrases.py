"""Whole phrases of an essay sentence that a question can name: its key noun phrase and the sides of its contrast.

A question that names part of a quote must name a whole constituent, never a two-word scrap: the parser gives noun
phrases ("the livery of the self") and the structure of a contrast ("is not defiance, but condemnation of a
culture": rejected "defiance", asserted "condemnation of a culture"). Relative clauses are left off a phrase
("a culture that treats emotions as a resource…" -> "a culture"), so slots stay short. Results are cached per
sentence: an essay's sentences come back again and again in a conversation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.language import is_negated, noun_phrases, parse

if TYPE_CHECKING:
    from spacy.tokens import Token

MAX_PHRASE_WORDS = 7
_DROP_DEPS = frozenset({"relcl", "acl", "appos", "advcl", "punct", "cc", "conj"})
VAGUE_HEADS = frozenset({"thing", "way", "point", "kind", "sort", "lot", "part", "fact", "question", "time", "one",
                          "place", "focus", "idea", "case", "end", "start", "something", "version", "position",
                          "situation", "section", "portion", "mention", "condition", "direction", "attention",
                          "everything", "nothing", "anything", "someone", "people", "man",
                          "woman", "person", "essay", "film", "show", "story", "novel", "episode", "book", "moment"})


@dataclass(frozen=True)
class Contrast:
    rejected: str
    asserted: str
    subject: str | None = None  # what the contrast is about, when it is a short noun phrase ("sadness")
    named: bool = False  # a side is only a name ("not Mark but the system"): fine for a verdict, not for a question


def phrase_text(head: object) -> str:
    """The noun phrase headed by `head`, without relative clauses, appositions or coordinated phrases."""
    return " ".join(t.text for t in _phrase_tokens(head)).replace(" ’s", "’s").replace(" 's", "'s").replace(" - ", "-")


def _phrase_tokens(head: object) -> list:  # type: ignore[type-arg]
    kept = [t for t in _compact_subtree(head)]
    while kept and (kept[-1].is_punct or kept[-1].pos_ in ("CCONJ", "ADP")):
        kept.pop()
    while kept and (kept[0].is_punct or kept[0].pos_ == "CCONJ"):
        kept.pop(0)
    return kept


def _whole(head: object) -> bool:
    """The phrase is one stretch of the sentence and asserts nothing: "ordinary maintenance, not as a procedure"
    loses its comma and reads as a scrap ("how we treat “ordinary maintenance not as a procedure”")."""
    tokens = _phrase_tokens(head)
    return bool(tokens) and tokens[-1].i - tokens[0].i + 1 == len(tokens) and not any(
        t.dep_ == "neg" or t.is_punct for t in tokens)


def _compact_subtree(head: object) -> list:  # type: ignore[type-arg]
    tokens = [head]
    for child in head.children:  # type: ignore[attr-defined]
        if child.dep_ in _DROP_DEPS:
            continue
        tokens.extend(_compact_subtree(child))
    return sorted(tokens, key=lambda t: t.i)


@lru_cache(maxsize=4096)
def alternatives(question: str) -> tuple[str, str] | None:
    """The two options of an either-or question, by the parse: "does it blame mark or the company?" ->
    ("mark", "the company"); "is he a victim or a villain?" -> ("a victim", "a villain")."""
    for token in parse(question):
        if token.lower_ == "or" and token.dep_ == "cc" and token.head.pos_ in ("NOUN", "PROPN", "ADJ", "PRON"):
            first = token.head
            second = next((c for c in first.children if c.dep_ == "conj" and c.i > token.i), None)
            if second is not None and second.lower_ != "not":
                one = " ".join(t.text for t in first.subtree if t.i < token.i and not t.is_punct)
                two = " ".join(t.text for t in second.subtree if not t.is_punct)
                return one, two
    return None


def contrast(sentence: str) -> Contrast | None:
    """The contrast a sentence draws: "not A but B", "A rather than B", "less A than B", "isn't A; it's B"."""
    doc = parse(sentence)
    for token in doc:
        if token.dep_ == "neg" or token.lower_ in ("not", "n’t", "n't") and token.dep_ in ("neg", "advmod"):
            head = token.head
            rejected = _complement(head)
            if rejected is None or rejected.dep_ == "pobj":
                continue  # "not stored in a single memory…; it is the pattern": the sides are not like for like
            asserted = next((c for c in list(rejected.children) + list(head.children) if c.dep_ == "conj"), None)
            if asserted is None:  # "…isn’t a villain—he’s a cautionary tale": the next clause's complement
                breaks = [t.i for t in doc
                          if t.i > rejected.i and (t.text in (";", "—", "–", ":") or t.lower_ == "but")]
                later = [t for t in doc if breaks and t.i > breaks[0] and t.dep_ in ("ROOT", "conj", "ccomp")
                         and t.i != head.i]
                asserted = next((_complement(t) for t in later if _complement(t) is not None), None)
                if asserted is not None and _kind(asserted) != _kind(rejected):
                    continue  # "is not enough; he must possess the footage": an adjective against a thing
            if asserted is not None and asserted.dep_ == "pobj":
                continue
            if asserted is not None and asserted.i > rejected.i:
                found = _pair(rejected, asserted)
                if found:
                    return Contrast(found.rejected, found.asserted, _subject(head), found.named)
        if token.lower_ == "rather" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "than":
            before = [t for t in doc[:token.i] if t.pos_ in ("NOUN", "ADJ", "PROPN")]
            after = [t for t in doc[token.i + 2:] if t.pos_ in ("NOUN", "ADJ", "PROPN")]
            if before and after:
                found = _pair(before[-1], after[0], reverse=True)
                if found:
                    return found
    return None


def _kind(token: object) -> str:
    """A side's kind, for comparing like with like: a thing, a quality or an action."""
    pos = token.pos_  # type: ignore[attr-defined]
    return {"PROPN": "NOUN", "PRON": "NOUN", "AUX": "VERB"}.get(pos, pos)


def _subject(head: object) -> str | None:
    subject = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)  # type: ignore[attr-defined]
    if subject is None or subject.pos_ == "PRON":
        return None
    text = phrase_text(subject)
    return _lower_article(text) if _speakable(text) and len(text.split()) <= 4 else None


def _complement(head: object) -> object | None:
    """What a (negated) predicate says its subject is or does: attribute, adjective, object or preposition object."""
    for child in head.children:  # type: ignore[attr-defined]
        if child.dep_ in ("attr", "acomp", "dobj", "oprd"):
            return child
    for child in head.children:  # type: ignore[attr-defined]
        if child.dep_ == "prep":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return objects[0]
    return None


def _pair(rejected: object, asserted: object, *, reverse: bool = False) -> Contrast | None:
    first, second = phrase_text(rejected), phrase_text(asserted)
    if reverse:  # "A rather than B": A is asserted
        first, second = second, first
    if not _speakable(first) or not _speakable(second) or first.lower() == second.lower():
        return None
    one, two = set(first.lower().split()), set(second.lower().split())
    if one <= two or two <= one:
        return None  # "people" against "happier people": no real alternative
    return Contrast(_lower_article(first), _lower_article(second),
                    named=not _has_content(rejected) or not _has_content(asserted))


_UNSPEAKABLE = frozenset({"he", "she", "it", "they", "him", "her", "them", "this", "that", "which", "us", "we", "you",
                          "me", "i", "nothing", "something", "everything", "anything", "one", "so", "such", "same",
                          "himself", "herself", "itself", "themselves", "ourselves", "yourself", "myself"})


def _has_content(head: object) -> bool:
    """The phrase has a common noun or an adjective in it, not only a name."""
    return any(t.pos_ in ("NOUN", "ADJ") for t in _compact_subtree(head))


def _speakable(phrase: str) -> bool:
    """A phrase a question can name on its own: no pronoun that needs the sentence around it, no "nothing"."""
    words = phrase.split()
    return 1 <= len(words) <= MAX_PHRASE_WORDS and not any(w.lower() in _UNSPEAKABLE for w in words)


def _lower_article(phrase: str) -> str:
    first, _, rest = phrase.partition(" ")
    return (first.lower() if first in ("The", "A", "An") else first) + (f" {rest}" if rest else "")


_ABSTRACT = re.compile(r"(?:ion|ity|ness|ment|ism|ance|ence|ency|ancy|acy|ship|hood|dom|ia|ure|ism|ics|logy)$")
_DEFINES = re.compile(r"\b(?:i (?:would )?call (?:this|it|her \w+|his \w+)|what i (?:would )?call|i think of this as|"
                      r"this is|that is)\s+(?P<np>[^:,;.]{3,60})[:;—]", re.IGNORECASE)


@lru_cache(maxsize=4096)
def topic(sentence: str, rarity: Callable[[str], float] | None = None) -> str | None:
    """The concept a sentence is about, as a whole noun phrase a question can name: a term the sentence defines
    ("I would call this the livery of the self: …"), else an abstract noun phrase of 2–7 words ("emotional
    compartmentalization", "forensic intimacy"). None when the sentence only tells the story: a question about
    "an English butler on a motoring holiday" reads as a scrap, so forms that need a topic are skipped."""
    if (defined := _DEFINES.search(sentence)) is not None:
        phrase = re.sub(r"^(?:an?|the)\s+(?=\w+\s+\w)", lambda m: m.group(0).lower(), defined.group("np").strip())
        if _speakable(phrase) and len(phrase.split()) <= MAX_PHRASE_WORDS:
            return _lower_article(phrase)
    doc = parse(sentence)
    best: tuple[float, str] | None = None
    for phrase in noun_phrases(doc):
        root = phrase.root
        if root.pos_ != "NOUN" or root.lemma_.lower() in VAGUE_HEADS or len(root.text) < 7 \
                or not _ABSTRACT.search(root.lower_):
            continue
        if any(t.pos_ in ("PROPN", "NUM") or t.tag_ == "POS" or t.lower_ in ("his", "her", "their", "my", "your")
               for t in phrase):
            continue
        text = phrase_text(root)
        words = text.split()
        content = [w for w in words if w.lower() not in ("the", "a", "an", "of", "its", "this", "that")]
        if len(content) < 2 or len(words) > MAX_PHRASE_WORDS or not _speakable(text) or not _whole(root):
            continue
        score = sum(rarity(w) if rarity else 1.0 for w in words if w.isalpha() and w.lower() not in
                    ("the", "a", "an", "of", "its"))
        if best is None or score > best[0]:
            best = (score, _lower_article(text))
    return best[1] if best else None


# ---- argumentation schemes --------------------------------------------------------------------------------------
_ANALOGY = re.compile(r"^(?:picture|imagine|think of)\b|\b(?:it is as though|it is as if|is like a|are like|"
                      r"like every \w+|as though a|as if a|analogy|is to .{3,30} what)\b", re.IGNORECASE)
_CAUSE = re.compile(r"\b(?:because|therefore|thus|leads? to|that is why|which is why|the reason|"
                    r"produces?|causes?|makes? (?:us|it|him|her|them))\b|,\s+so\s", re.IGNORECASE)
_GENERAL = re.compile(r"\b(?:every|all|always|never|nobody|no one|everyone|everybody|any|whenever)\b", re.IGNORECASE)


_GENERIC = frozenset({"we", "you", "one", "people", "everyone", "anyone", "us", "society", "readers", "workers",
                      "workplace", "workplaces", "job", "employer", "household", "families", "nobody"})


def _generic_subject(verb: object) -> bool:
    """"We should not pity him": a norm for everyone, not a character's words reported ("…must not enter into it")."""
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)  # type: ignore[attr-defined]
    reported = verb.dep_ in ("ccomp", "advcl") and verb.head.lemma_ in ("tell", "say", "insist", "explain")  # type: ignore[attr-defined]
    return subject is not None and subject.lemma_.lower() in _GENERIC and not reported


@lru_cache(maxsize=4096)
def scheme(sentence: str) -> str:
    """The kind of argument a sentence makes, after Walton's argumentation schemes, so that the counter-question
    can be that scheme's critical question: analogy ("where does the comparison break down?"), contrast ("why B
    rather than A?"), definition (a coined term: "is that a fair name for it?"), norm ("should we, though?"),
    cause, generalisation, narrative (a scene: "what is the essay using it to show?"), else a plain claim. Cause
    and generalisation have no questions of their own any more (`moves.SCHEMES`): blind judges failed "could
    something else explain it?" and "is that true of everyone?" nearly every time; their lines get a claim's."""
    if _ANALOGY.search(sentence):
        return "analogy"
    if _DEFINES.search(sentence):
        return "definition"
    if contrast(sentence) is not None:
        return "contrast"
    doc = parse(sentence)
    if any(t.lemma_.lower() in ("should", "must", "ought") and t.tag_ == "MD" and _generic_subject(t.head)
           for t in doc):
        return "norm"
    if _CAUSE.search(sentence) or any(t.lower_ == "since" and t.dep_ == "mark" for t in doc):
        return "cause"  # "since he knew", not "since the funeral"
    if _GENERAL.search(sentence):
        return "general"
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None) if root is not None \
        else None
    if root is not None and root.pos_ == "VERB" and subject is not None and (
            subject.pos_ == "PROPN" or subject.ent_type_ == "PERSON" or subject.lower_ in ("he", "she", "they")):
        return "narrative"
    return "claim"


_META_SUBJECTS = frozenset({"truth", "point", "problem", "trouble", "lesson", "claim", "argument", "insight", "fact",
                            "question", "irony", "danger", "risk", "answer", "idea", "thing"})
_DISCOURSE = frozenset({"however", "but", "yet", "so", "instead", "still", "sure", "indeed", "and", "then", "thus",
                        "therefore", "rather", "of", "in", "after"})
_PHRASES = frozenset({("of", "course"), ("in", "fact"), ("after", "all")})  # openers of two words
_PHRASE_HEADS = frozenset(head for head, _ in _PHRASES)
_SUBORDINATORS = frozenset({"when", "if", "although", "though", "while", "because", "as", "since", "after", "before",
                            "unless", "until", "once", "whenever", "where"})
MAX_CLAIM_WORDS = 20
_POINTING = frozenset({"it", "they", "them", "this", "these", "those"})
_FIRST_PERSON = frozenset({"i", "me", "my", "mine", "myself", "we", "us", "our", "ours"})
_OURS = frozenset({"we", "us", "our", "ours"})
_LEADING_PRONOUNS = frozenset({"he", "she", "it", "they", "this", "that", "these", "those", "his", "her", "its",
                               "their",
                               "him", "them"})


@lru_cache(maxsize=4096)
def proposition(sentence: str, *, ours: bool = False) -> str | None:
    """The claim a sentence makes, as a clause a question can carry whole ("…that {clause}?"): "The quietly
    disclosed truth, however, is that the real villain is not Mark…" -> "the real villain is not Mark…". None when
    the clause would lean on the sentences around it (it opens with "he", "this"…) or is too short or too long."""
    doc = parse(sentence)
    spans = list(doc.sents)
    if not spans:
        return None
    first = spans[0]
    root = first.root
    clause_tokens = list(first)
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")), None)
    complement = next((c for c in root.children if c.dep_ == "ccomp"), None)
    if root.lemma_ == "be" and subject is not None and subject.lemma_.lower() in _META_SUBJECTS \
            and complement is not None:
        if is_negated(root):
            return None  # "the lesson is not that memory is fragile": the clause is what the line denies
        clause_tokens = [t for t in complement.subtree if t.dep_ != "mark" or t.head.i != complement.i]
    elif any(t.dep_ == "mark" for t in root.children):
        return None  # the whole sentence hangs on a subordinate clause
    elif complement is not None and is_negated(root):
        return None  # "the novel does not argue that work is contemptible": a question would assert the denied
    elif _tells_the_story(root, subject):
        return None  # "Darlington orders the dismissal…": a plot fact, not a claim to buy or doubt
    elif subject is None and not any(c.dep_ == "expl" for c in root.children):
        return None  # "Look at how his kindness works": a bidding, not a claim ("Do you buy that look at…?")
    words = [t for t in clause_tokens if not (t.is_punct and t.i == clause_tokens[-1].i)]
    while words and (words[0].lower_ in _DISCOURSE or words[0].is_punct):
        if words[0].lower_ in _PHRASE_HEADS and (len(words) < 2 or (words[0].lower_, words[1].lower_) not in _PHRASES):
            break  # "in" of "in fact" goes, "in" of "In the 1930s" stays
        if words.pop(0).lower_ in _PHRASE_HEADS:
            words.pop(0)  # the phrase's second word
    while words and words[-1].is_punct:
        words.pop()
    content = [t for t in words if not t.is_punct]
    if not words or words[0].lower_ in _LEADING_PRONOUNS | _SUBORDINATORS or not 6 <= len(content) <= 32:
        return None
    if any(t.text == "?" for t in words) or sum(t.is_quote for t in words) % 2:
        return None
    mine = _FIRST_PERSON - _OURS if ours else _FIRST_PERSON  # `ours`: a claim about all of us ("…free us from grief")
    if len(content) > MAX_CLAIM_WORDS or any(t.lower_ in mine for t in words) or any(
            t.text in (":", ";") for t in words):
        return None  # too long to carry whole, the author's "I", or two clauses: a question names them badly
    if _points(words):
        return None  # "…alone enough to take it off": "it" is in another sentence
    text = doc[words[0].i:words[-1].i + 1].text
    if words[0].is_stop and words[0].text != "I":  # "The outie…" -> "the outie…", but "Ffion…" stays
        text = text[:1].lower() + text[1:]
    return text


# verbs by which an essay reports its own claim ("the film argues that P", "it is that P")
_REPORTING = frozenset({"argue", "claim", "show", "suggest", "insist", "hold", "mean", "say", "contend", "maintain",
                        "propose", "reveal"})


@lru_cache(maxsize=1024)
def gist(text: str) -> str | None:
    """The claim an essay's thesis or claim line states, short enough for a question to carry whole, where
    `proposition` finds none in the line as written: the clause after a colon ("I want to argue something the books
    soft-pedal: a declutter is not a clean slate for the mind"), the clause a reporting verb reports ("…argues that
    erasing painful memories does not free us…", "It is that a perfect record … is worse than a faulty memory"), or
    the first of two coordinated clauses ("…should fade as their connection weakens, and that a memory that…").
    Never the half a "but" concedes ("Severance may first seem to revolve around one man, but…")."""
    for sentence in parse(text).sents:
        pieces = [sentence.text.strip()]
        if ":" in pieces[0]:
            pieces.append(pieces[0].split(":", 1)[1].strip())
        if ";" in pieces[0]:
            pieces.append(pieces[0].split(";", 1)[0].strip())
        for piece in pieces:
            reported = _reported_clause(piece)
            for candidate in ([reported] if reported else [piece]):
                for clause in (candidate, _one_clause(candidate)):
                    if clause and (found := proposition(clause, ours=True)):
                        return found
    return None


def _reported_clause(text: str) -> str | None:
    doc = parse(text)
    root = next(iter(doc.sents)).root
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    complement = next((c for c in root.children if c.dep_ == "ccomp"), None)
    if complement is None or is_negated(root) or not (root.lemma_.lower() in _REPORTING or root.lemma_ == "be" and (
            subject is not None and (subject.lower_ == "it" or subject.lemma_.lower() in _META_SUBJECTS))):
        return None
    tokens = [t for t in complement.subtree if not (t.dep_ == "mark" and t.head.i == complement.i)]
    return doc[tokens[0].i:tokens[-1].i + 1].text


def _one_clause(text: str) -> str | None:
    """The one clause of two coordinated ones that states the claim: the first, or after a concessive "but" the
    second with its pronoun named."""
    doc = parse(text)
    sentence = next(iter(doc.sents))
    root = sentence.root
    joined = next((c for c in root.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")), None)
    if joined is None:
        return None
    # the joiner just before the second clause ("not a weakness but a signal…, and that…": "and", not the "but"
    # of "not A but B")
    joiner = max((c for c in root.children if c.dep_ == "cc" and c.i < joined.i), key=lambda c: c.i, default=None)
    if joiner is not None and joiner.lower_ in ("but", "yet"):
        # the first half is conceded; the claim is the second, its "it" the first half's subject ("Severance may
        # first seem to revolve around one man, but it is truly about all of us" -> "Severance is truly about…")
        subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        pronoun = next((c for c in joined.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is None or pronoun is None or pronoun.lower_ not in ("it", "they") or subject.pos_ == "PRON":
            return None
        named = doc[subject.left_edge.i:subject.right_edge.i + 1].text
        rest = doc[pronoun.i + 1:joined.right_edge.i + 1].text
        return f"{named} {rest}".rstrip(" .,;")
    cut = min([t.i for t in joined.subtree] + ([joiner.i] if joiner is not None else []))
    return doc[sentence.start:cut].text.rstrip(" ,;")


# verbs that state a view or a state of things rather than an event of the story
_VIEW_VERBS = frozenset({"be", "seem", "become", "remain", "mean", "show", "suggest", "reveal", "prove", "matter",
                         "need", "want", "fail", "refuse", "deserve", "know", "believe", "understand", "depend",
                         "require", "argue", "insist", "cost", "make", "let", "keep", "turn", "work", "operate"})


def points_elsewhere(sentence: str) -> bool:
    """The sentence has a pronoun ("it", "they", "this"…, not an expletive "it") that may stand for something in
    another sentence: cited alone, as a claim, it may not make sense."""
    return _points(list(parse(sentence)))


def names_elsewhere(clause: str) -> bool:
    """The clause points back with a pronoun or a demonstrative ("that fantasy", "these people"): put alone into a
    question ("Do you buy that Parfit's view does not support that fantasy?") it names what the reader can't see."""
    words = list(parse(clause))
    return _points(words) or any(t.dep_ == "det" and t.lower_ in ("this", "that", "these", "those", "such")
                                 for t in words)


def _points(words: list[Token]) -> bool:
    return any(t.lower_ in _POINTING and t.tag_ in ("PRP", "DT") and t.pos_ == "PRON" and t.dep_ != "expl"
               for t in words)


def _tells_the_story(root: Token, subject: Token | None) -> bool:
    """An event of the plot: a simple past ("Joel booked the procedure"), or a present-tense action by a character
    or on a thing ("Darlington orders the dismissal", "five emotions share the control room"), without a modal or a
    negation that would make it a judgement."""
    if root.pos_ != "VERB" or root.lemma_ in _VIEW_VERBS or is_negated(root):
        return False
    if any(c.tag_ == "MD" for c in root.children):
        return False
    if root.tag_ == "VBD" or root.tag_ == "VB" and any(c.lower_ == "did" for c in root.children):
        return subject is not None  # "Joel booked…", "Ffion did sleep with Jonas"
    acts_on = any(c.dep_ == "dobj" for c in root.children)
    character = subject is not None and (subject.pos_ == "PROPN" or subject.ent_type_ == "PERSON")
    return root.tag_ in ("VBZ", "VBP") and (character or acts_on)


_OPENERS = frozenset({"ok", "okay", "but", "so", "well", "honestly", "yeah", "yes", "no", "hm", "hmm", "fine", "right",
                      "and", "lol", "like", "because", "though", "anyway", "also", "then", "still", "sure", "huh",
                      "wait", "actually", "basically", "see", "yo", "hey", "um", "uh"})
_HEDGES = frozenset({"think", "guess", "feel", "believe", "reckon", "mean", "suppose"})
_ASKING = frozenset({"how", "why", "what", "who", "where", "when", "which", "is", "are", "does", "do", "did", "can",
                     "could", "would", "should", "will", "was", "were", "isn't", "doesn't", "am"})
_ABOUT_THE_ESSAY = frozenset({"essay", "author", "writer", "article", "piece", "text", "she", "it", "that", "this",
                              "quote", "line", "passage", "you", "analogy", "comparison", "example", "argument",
                              "part", "bit", "section", "ending", "point"})
MAX_POINT_WORDS = 18
_FIRST_PERSON = frozenset({"i", "we", "me"})
# how a reader reports a reaction rather than a claim: "it hit hard", "made me cry", "i loved it"
_REACTIONS = frozenset({"hit", "love", "like", "enjoy", "hate", "cry", "adore", "miss"})
_SPEECH = frozenset({"say", "mean", "claim", "write", "call"})


@lru_cache(maxsize=1024)
def reaction(message: str) -> bool:
    """The message reports how the work made the reader feel ("the part where he hides her made me cry ngl", "the
    chalk circle part hit hard", "i loved it"): answered by asking what got to them, not by testing a claim."""
    for sentence in parse(message).sents:
        root = sentence.root
        if root.lemma_.lower() in _REACTIONS and (root.lemma_.lower() != "like" or any(
                c.lower_ in ("i", "we") for c in root.children)):
            return True
        if any(t.lower_ in ("me", "us") and t.dep_ in ("dobj", "nsubj") and "make" in (
                t.head.lemma_.lower(), t.head.head.lemma_.lower()) and t.head.lemma_.lower() not in _HEDGES | {
                "realise", "realize", "wonder", "see", "understand", "question"} for t in sentence):  # "made me cry"
            return True
    return False


def _a_claim(tokens: list[Token]) -> bool:
    """Whether a statement is a claim that could be put back to its author, judged by its parse: not a reaction
    ("the chalk circle part hit hard", "…made me cry ngl"), not a report of what some line says ("he definitely
    says it"), and with no question folded into it ("teddy lies, why would we trust him", "last one: is it
    happy or not")."""
    for token in tokens:
        if token.dep_ == "ROOT" and token.lemma_.lower() in _REACTIONS | _SPEECH:
            return False
        if token.lower_ in ("me", "us") and token.dep_ in ("dobj", "nsubj", "dative"):
            return False
        after = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
        if after is None or after.pos_ != "AUX" or token.i == tokens[0].i:
            continue
        if token.tag_ in ("WRB", "WP") or token.text in (":", ",", ";") and after.lower_ in _ASKING:
            return False
    return True


@lru_cache(maxsize=1024)
def their_point(message: str) -> str | None:
    """The reader's own claim in their own words ("he's confused and angry in that scene"): the last statement of
    the message with a subject and a verb, without the openers ("ok but", "honestly") and hedges ("I think") around
    it. None when the message makes no such statement, or only a very short or very long one. A question about
    "your point" is asked only when there is one (moves._theirs); the words themselves are never pasted into it."""
    doc = parse(message)
    for sentence in reversed(list(doc.sents)):
        if sentence.text.rstrip().endswith("?"):
            continue
        root = sentence.root
        subjects = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj")]
        if root.pos_ not in ("VERB", "AUX") or not subjects:
            continue
        if root.pos_ == "AUX" and any(c.i > root.i for c in subjects if c.dep_ != "expl"):
            continue  # "…or is that not your thing": a question without its question mark
        subject = subjects[0]
        if subject.lower_ in _ABOUT_THE_ESSAY:
            continue  # "the author agrees with me", "the diary analogy is weird": about the essay, not their point
        tokens = list(sentence)
        if root.lemma_.lower() in _HEDGES and subject.lower_ == "i":
            hedge = next((c for c in root.children if c.dep_ == "ccomp"), None)
            if hedge is None:
                continue  # "I guess the company": an answer, not a claim
            if any(c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in _FIRST_PERSON for c in hedge.children):
                continue  # "i think i'll try one week": a plan
            tokens = [t for t in hedge.subtree if not (t.dep_ == "mark" and t.head == hedge)]
        elif subject.lower_ in _FIRST_PERSON:
            continue  # "i'll try one week", "I'm reading the essay on…", "i also like that…": news, not a claim
        if not _a_claim(tokens):
            continue
        ended = next((t.i for t in tokens if t.text in (".", "!") and t.i > root.i), None)
        if ended is not None:  # "the company erases ur memories. kinda wild": the statement, not the aside
            tokens = [t for t in tokens if t.i < ended]
        label = next((k for k, t in enumerate(tokens[:4]) if t.text == ":"), None)
        if label is not None and label < len(tokens) - 4:  # "hot take: P", "honestly: P"
            tokens = tokens[label + 1:]
        while tokens and (tokens[0].is_punct or tokens[0].lower_ in _OPENERS or tokens[0].pos_ == "INTJ"):
            tokens.pop(0)
        if tokens and tokens[0].lower_ in _ASKING:
            continue  # a question without its question mark
        while tokens and (tokens[-1].is_punct or tokens[-1].lower_ in ("lol", "haha", "though", "tbh", "honestly")):
            tokens.pop()
        words = [t for t in tokens if not t.is_punct]
        if not 4 <= len(words) <= MAX_POINT_WORDS or any(t.is_quote for t in tokens):
            continue  # a line of the essay they quote is not their point
        text = doc[tokens[0].i:tokens[-1].i + 1].text
        return text[:1].lower() + text[1:] if tokens[0].pos_ != "PROPN" and tokens[0].text != "I" else text
    return None
