"""The argument map: per essay, its thesis and main claims, each linked to the passages that support it.

Built at index time (see `build_argument_map`, passed to the index build) and stored in the build as
`argmap.json`. Every claim's text is verbatim from the essay, so it can be quoted.

Beyond thesis and claims, the map keeps what an AutoTutor-style tutor needs to build on a reader's point or to correct
it: per claim, the `support` a good defence would cite (the essay's own sentences, from the claim's passages), and
per essay the `counterviews`: readings the essay itself reports and rejects ("Some readers defend Stevens on the
grounds that…", "It would be easy to read this as consolation"), each with the essay's answer. A reader who voices
a counterview is making the misreading the essay argues against, and is corrected with the essay's answer.

Thesis: the front matter's `thesis:` if present; otherwise the sentence that best combines centrality (cosine
to the mean of all sentence vectors), closeness to the title, a contrastive thesis cue ("not X but Y",
"truly", "the real ...") and a position at the start or end; it extends to the next sentence when that one
continues the claim. Claims: an argumentative section heading ("The Outie Isn't a Tragic Hero—He's a
Cautionary Tale") is a claim; each section also contributes its most central cue-bearing sentence.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from bot.corpus.models import Essay, Passage, Span
from bot.corpus.text import sentence_spans
from bot.retrieval.units import context_text

ARGMAP_FILE = "argmap.json"
# Bump when `map_essay` changes what it derives: a build then maps every essay again instead of keeping the live
# build's map of an unchanged essay.
ARGMAP_VERSION = 3
Embed = Callable[[list[str]], np.ndarray]

_CUE = re.compile(
    r"\b(?:not|isn[’']t|doesn[’']t|don[’']t|aren[’']t)\b[^.;]*\bbut\b"
    r"|\b(?:truly|really|real|ultimate|the point|is about|truth|in fact|rather|should|must|never)\b",
    re.IGNORECASE,
)
_OPENS_WITH_PRONOUN = re.compile(r"^(?:he|she|it|they|this|that|these|those|his|her|their)\b(?!\s+is\s+that)",
                                 re.IGNORECASE)
# "…is not X. It is that Y"
_CONTINUES = re.compile(r"^(?:it|this)\s+(?:is|’s|'s)\s+that\b|^rather\b|^instead\b", re.IGNORECASE)
CONNECTIVE = re.compile(r"^(?:but|yet|instead|however|so|and|indeed|still|sure),?\s+", re.IGNORECASE)
_LEADING_CLAUSE = re.compile(
    r"^(?:after|when|while|although|though|since|in|for|as|by|despite|with)\b[^,]{3,80},\s+", re.IGNORECASE
)
_CONDITIONAL = re.compile(r"^(?:(?:but|and|so),?\s+)?(?:if|when|while|although|though|unless)\b", re.IGNORECASE)
_ARGUMENT_WORDS = re.compile(
    r"\b(?:is|isn[’']t|are|aren[’']t|was|wasn[’']t|does|doesn[’']t|don[’']t|do|should|must|can[’']t|cannot|"
    r"never|blame|why|how)\b|[’']s\b",
    re.IGNORECASE,
)


# A sentence that reports a view in order to answer it: "Some readers…", "It is tempting to…", "is usually described
# as…". Discourse markers of concession, the few ways essays introduce the position they argue against.
REPORTED_VIEW = re.compile(
    r"^(?:(?:some|many|most|plenty of|a lot of)\s+(?:\w+\s+)?(?:readers|viewers|critics|people|fans|commentators|"
    r"psychologists|scholars|philosophers|sceptics|skeptics|audiences|reviewers|writers)\b|"
    r"(?:readers|viewers|critics|people|audiences|we)\s+(?:often|usually|tend to|sometimes|like to)\b|"
    r"it\s+(?:is|would be|’s|'s|might be|can be)\s+(?:tempting|easy|common|natural|fashionable)\b|"
    r"(?:one|you)\s+(?:might|could|may)\s+(?:think|object|say|argue|read)\b|"
    r"(?:sure|granted|admittedly|of course)[,—]|"
    r"the\s+(?:usual|common|standard|obvious|popular|easy)\s+(?:reading|view|interpretation|take|answer)\b|"
    r"(?:critics|opponents|sceptics|skeptics|defenders)\s+(?:of\s+[\w\s’']{3,40}?\s+)?(?:argue|say|claim|object|"
    r"worry|insist)\b)"
    r"|\b(?:is|are|was)\s+(?:usually|often|commonly|widely)\s+(?:described|read|remembered|praised|seen|filed|"
    r"treated|dismissed|called|taken)\b"
    r"|[,;]\s+(?:they|critics|some|others)\s+(?:point out|say|argue|insist|claim|object|reply|would say)\b",
    re.IGNORECASE,
)
_REBUTTAL = re.compile(r"^(?:but|yet|however|that (?:reading|view|summary|is|misses|objection|claim|idea|story|picture|"
                       r"account|notion|belief|assumption)|this (?:reading|is)|"
                       r"it is not|it isn[’']t|not so|the objection|still|instead|in fact|the trouble)\b",
                       re.IGNORECASE)
# "…, but its real subject…"
_ANSWERED_INLINE = re.compile(r"[,;—]\s*(?:but|yet)\s+(?:its|the|it|this)\b", re.IGNORECASE)
# The essay announcing its own claim: "Its claim is that…", "I want to argue…", "is really a study of…".
_THESIS_MARKER = re.compile(
    r"\b(?:(?:its|my|the (?:essay|film|episode|novel|show|story|book|play|series)[’']s?)\s+"
    r"(?:central\s+|real\s+|main\s+)?"
    r"(?:claim|argument|point|thesis|insight|lesson|subject)\s+is\b|i\s+(?:want|mean|intend)\s+to\s+argue\b|"
    r"\bi\s+(?:would\s+)?argue\b|\bis\s+(?:really|truly|actually)\s+(?:about|a study|an argument|a story)\b|"
    r"\bargues?\s+that\b|\bthe\s+real\s+subject\b)",
    re.IGNORECASE,
)
# A sentence that argues rather than narrates: a claim cue, the essay naming its claim or coining a term, a general
# "we"/"us", a modal. Claims per section are chosen among these first.
_ARGUES = re.compile(_CUE.pattern + r"|\bi (?:would )?(?:call|argue|think)\b|\bwhat i call\b|\b(?:we|us|our)\b|"
                     r"\b(?:is|are) (?:what|the (?:point|lesson|hinge|difference))\b|\bthis is\b", re.IGNORECASE)
SUPPORT_POINTS = 3


@dataclass(frozen=True)
class Claim:
    id: str
    essay_id: str
    section: str | None
    text: str
    kind: str  # "thesis", "heading" or "sentence"
    passage_ids: tuple[str, ...] = ()
    support: tuple[str, ...] = ()  # the essay's sentences a good defence of the claim would cite (verbatim)

    @property
    def gist(self) -> str:
        """A short form to cite inside a question: no leading connective or clause, no end punctuation, ≤ 20 words."""
        text = self.text
        first = sentence_spans(text)[0].text if text else text
        if first != text and len(first.split()) >= 8:
            text = first  # a two-sentence thesis is cited by its first sentence
        text = CONNECTIVE.sub("", text).rstrip(".!?… ")
        if len(text.split()) > 18:
            text = _LEADING_CLAUSE.sub("", text)  # "After spending time merging…, the refusal…" -> "the refusal…"
        text = text[:1].upper() + text[1:]
        words = text.split()
        return text if len(words) <= 20 else " ".join(words[:18]) + "…"


@dataclass(frozen=True)
class Counterview:
    """A reading the essay reports and rejects, and the essay's answer to it (both verbatim)."""

    text: str
    answer: str
    passage_id: str
    section: str | None

    @property
    def core(self) -> str:
        """The view without the words that report it: "…, is usually remembered as the film that taught children
        it is all right to be sad" -> "the film that taught children…". A reader voicing the view says only this
        part, and the credits or framing around it would dilute the match."""
        match = REPORTED_VIEW.search(self.text)
        rest = self.text[match.end():].strip(" ,;:") if match else ""
        rest = re.sub(r"^(?:(?:say|think|assume|believe|claim|argue|insist|suggest)s?\s+)?(?:that|as|to)\s+", "", rest)
        return rest if len(rest.split()) >= 5 else self.text


@dataclass
class EssayArgument:
    essay_id: str
    title: str
    thesis: Claim
    claims: list[Claim] = field(default_factory=list)
    counterviews: list[Counterview] = field(default_factory=list)
    source: str = ""  # what it was derived from (see `_source`): the same source gives the same map


class ArgumentMap:
    def __init__(self, essays: dict[str, EssayArgument]) -> None:
        self.essays = essays
        self._by_id = {c.id: c for e in essays.values() for c in [e.thesis, *e.claims]}

    def claim(self, claim_id: str) -> Claim | None:
        return self._by_id.get(claim_id)

    def all_claims(self) -> list[Claim]:
        return [c for e in self.essays.values() for c in e.claims]

    def claims_for_passage(self, passage_id: str) -> list[Claim]:
        return [c for c in self.all_claims() if passage_id in c.passage_ids]

    def to_json(self) -> str:
        return json.dumps({k: asdict(v) for k, v in self.essays.items()}, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> ArgumentMap:
        def claim_of(data: dict) -> Claim:
            return Claim(**{**data, "passage_ids": tuple(data["passage_ids"]), "support": tuple(data["support"])})

        raw = json.loads(text)
        return cls({
            key: EssayArgument(value["essay_id"], value["title"], claim_of(value["thesis"]),
                               [claim_of(c) for c in value["claims"]],
                               [Counterview(**c) for c in value["counterviews"]], value.get("source", ""))
            for key, value in raw.items()
        })


def build_argument_map(essays: list[Essay], passages: list[Passage], embed: Embed,
                       previous: Path | None = None) -> dict[str, str]:
    """The index-build hook: returns {"argmap.json": ...} for the build directory.

    An essay whose text and passages are those the live build (`previous`) mapped keeps that map: adding one essay
    to 1,000 maps one essay, not 1,001 (8 of the add's 16 s went to mapping them all again). The vectors of every
    essay still to map are asked for in one `embed` call (see `_texts_to_embed`): the build serves the texts that
    are also search units from memory and embeds the rest in one batch, not a batch per essay.
    """
    by_essay: dict[str, list[Passage]] = {}
    for passage in passages:
        by_essay.setdefault(passage.essay_id, []).append(passage)
    sources = {e.id: _source(e, by_essay.get(e.id, [])) for e in essays}
    kept = {key: argument for key, argument in _previous_map(previous).items()
            if key in sources and argument.source == sources[key]}
    fresh = [e for e in essays if e.id not in kept]
    vectors = _Prefetched(embed, [t for e in fresh for t in _texts_to_embed(e, by_essay.get(e.id, []))])
    mapped = {e.id: replace(map_essay(e, by_essay.get(e.id, []), vectors), source=sources[e.id]) for e in fresh}
    result = {e.id: kept.get(e.id) or mapped[e.id] for e in essays}
    return {ARGMAP_FILE: ArgumentMap(result).to_json()}


def _source(essay: Essay, passages: list[Passage]) -> str:
    """What an essay's map is derived from: the mapping code's version, the essay's text and its passages."""
    cut = hashlib.sha256("\n".join(f"{p.id}:{p.start}:{p.end}:{p.section}" for p in passages).encode()).hexdigest()
    return f"{ARGMAP_VERSION}:{essay.content_hash}:{essay.title}:{essay.thesis}:{cut[:16]}"


def _previous_map(build: Path | None) -> dict[str, EssayArgument]:
    """The live build's argument map, or nothing (none, or unreadable: every essay is mapped again)."""
    if build is None:
        return {}
    try:
        return ArgumentMap.from_json((build / ARGMAP_FILE).read_text(encoding="utf-8")).essays
    except (OSError, ValueError, TypeError, KeyError):
        return {}


def _texts_to_embed(essay: Essay, passages: list[Passage]) -> list[str]:
    """Every text `map_essay` embeds for this essay (one it does not list still works: it is embedded on demand)."""
    texts = [s.span.text for s in _sentences(essay)] + [essay.title] + [context_text(p) for p in passages]
    if essay.thesis:
        texts.append(essay.thesis)
    return texts + [s.heading for s in essay.sections if s.heading and _is_argumentative(s.heading)]


class _Prefetched:
    """An `Embed` over vectors fetched in one call up front; any other text goes to the underlying `embed`."""

    def __init__(self, embed: Embed, texts: list[str]) -> None:
        self._embed = embed
        self._vectors = embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        self._rows = {text: row for row, text in enumerate(texts)}

    def __call__(self, texts: list[str]) -> np.ndarray:
        if all(t in self._rows for t in texts):
            return self._vectors[[self._rows[t] for t in texts]]
        return self._embed(texts)


@dataclass(frozen=True)
class _Sentence:
    span: Span
    section: str | None
    paragraph: int


def map_essay(essay: Essay, passages: list[Passage], embed: Embed) -> EssayArgument:
    sentences = _sentences(essay)
    vectors = embed([s.span.text for s in sentences])
    centroid = _unit(vectors.mean(axis=0))
    title = embed([essay.title])[0]
    last_paragraph = max(s.paragraph for s in sentences)
    scores = np.array([
        float(v @ centroid) + 0.3 * float(v @ title)
        + 0.15 * bool(_CUE.search(s.span.text))
        + 0.3 * bool(_THESIS_MARKER.search(s.span.text))
        + 0.15 * (s.paragraph <= 1) + 0.05 * (s.paragraph == last_paragraph)
        - (1.0 if s.span.text.endswith("?") or len(s.span.text.split()) < 8 else 0.0)
        - (1.0 if REPORTED_VIEW.search(s.span.text) else 0.0)  # a view the essay reports is not its claim
        - (0.2 if _OPENS_WITH_PRONOUN.match(s.span.text) else 0.0)  # "He never asks…" leans on the sentence before
        for s, v in zip(sentences, vectors, strict=True)
    ])
    passage_vectors = embed([context_text(p) for p in passages]) if passages else np.zeros((0, 1))  # index units

    def supporting(text_vector: np.ndarray, section: str | None, own: Span | None) -> tuple[str, ...]:
        ranked: list[str] = []
        if own is not None:
            ranked += [p.id for p in passages if p.start <= own.start < p.end]
        similarity = passage_vectors @ text_vector if len(passages) else np.zeros(0)
        order = sorted(range(len(passages)), key=lambda row: (passages[row].section != section, -similarity[row]))
        for row in order:
            if passages[row].id not in ranked and (passages[row].section == section or similarity[row] >= 0.5):
                ranked.append(passages[row].id)
        return tuple(ranked[:3])

    def support(claim_text: str, text_vector: np.ndarray, passage_ids: tuple[str, ...]) -> tuple[str, ...]:
        """The sentences of the claim's passages closest to it (not the claim itself): a defence's points."""
        rows = [i for i, s in enumerate(sentences) if any(
            p.id in passage_ids and p.start <= s.span.start < p.end for p in passages)]
        rows = [i for i in rows if sentences[i].span.text not in claim_text and claim_text not in sentences[i].span.text
                and not sentences[i].span.text.endswith("?") and len(sentences[i].span.text.split()) >= 6
                and not REPORTED_VIEW.search(sentences[i].span.text)]  # a view the essay rejects is no support
        rows.sort(key=lambda i: -float(vectors[i] @ text_vector))
        return tuple(sentences[i].span.text for i in rows[:SUPPORT_POINTS])

    thesis, thesis_vector = _thesis(essay, sentences, scores, vectors, embed, supporting)
    thesis = replace(thesis, support=support(thesis.text, thesis_vector, thesis.passage_ids))
    claims: list[Claim] = []
    for section in essay.sections:
        if section.heading and _is_argumentative(section.heading):
            vector = embed([section.heading])[0]
            backing = supporting(vector, section.heading, None)
            claims.append(Claim(f"{essay.id}:c{len(claims)}", essay.id, section.heading, section.heading, "heading",
                                backing, support(section.heading, vector, backing)))
        rows = [i for i, s in enumerate(sentences) if s.section == section.heading
                and s.span.text not in thesis.text and not s.span.text.endswith("?")
                and not _CONDITIONAL.match(s.span.text)  # "If you feel sorry for him, ..." is not a claim
                and not REPORTED_VIEW.search(s.span.text)]  # nor a view the essay reports to reject
        if rows:
            # a claim argues: a sentence with a claim cue beats one that only tells the story
            best = max(rows, key=lambda i: scores[i] + 0.25 * bool(_ARGUES.search(sentences[i].span.text)))
            backing = supporting(vectors[best], section.heading, sentences[best].span)
            claims.append(Claim(f"{essay.id}:c{len(claims)}", essay.id, section.heading, sentences[best].span.text,
                                "sentence", backing, support(sentences[best].span.text, vectors[best], backing)))
    return EssayArgument(essay.id, essay.title, thesis, claims, _counterviews(sentences, passages))


def _paragraph_start(sentences: list[_Sentence], sentence: _Sentence) -> int:
    return next(s.span.start for s in sentences if s.paragraph == sentence.paragraph)


def _counterviews(sentences: list[_Sentence], passages: list[Passage]) -> list[Counterview]:
    """Views the essay reports in order to answer them, each with the answer: the next sentence(s) of the
    paragraph that rebut it ("That reading is too comfortable. Stevens is not a museum piece; …")."""
    found: list[Counterview] = []
    for i, sentence in enumerate(sentences):
        if not REPORTED_VIEW.search(sentence.span.text) or sentence.span.text.endswith("?") \
                or _ANSWERED_INLINE.search(sentence.span.text):
            continue
        # the answer comes later in the paragraph or early in the next one
        following = [s for s in sentences[i + 1:i + 8] if s.paragraph == sentence.paragraph
                     or s.paragraph == sentence.paragraph + 1 and s.span.start < _paragraph_start(sentences, s) + 400]
        answer = next((k for k, s in enumerate(following) if _REBUTTAL.match(s.span.text)), None)
        if answer is None:
            continue
        # the answer runs from the rebutting sentence to the next one when the rebuttal alone is short
        end = answer + 1 if len(following[answer].span.text.split()) >= 10 or answer + 1 >= len(following) \
            or following[answer + 1].paragraph != following[answer].paragraph else answer + 2
        text = " ".join(s.span.text for s in following[answer:end])
        start = following[answer].span.start
        passage = next((p for p in passages if p.start <= start < p.end), None)
        if passage is None or text not in passage.text:
            continue  # an answer that crosses into another passage would not be a verbatim quote of one
        if any(view.answer == text for view in found):
            continue  # two sentences of one concession ("Some readers…. Plenty of people…") share one answer
        found.append(Counterview(sentence.span.text, text, passage.id, passage.section))
    return found


def _thesis(essay: Essay, sentences: list[_Sentence], scores: np.ndarray, vectors: np.ndarray, embed: Embed,
            supporting: Callable[[np.ndarray, str | None, Span | None], tuple[str, ...]]) -> tuple[Claim, np.ndarray]:
    """The essay's thesis and its vector (an extracted thesis carried into the next sentence keeps the vector of
    the sentence that was chosen: no text of its own to embed)."""
    if essay.thesis:
        vector = embed([essay.thesis])[0]
        return Claim(f"{essay.id}:thesis", essay.id, None, essay.thesis, "thesis",
                     supporting(vector, None, None)), vector
    best = int(np.argmax(scores))
    span = sentences[best].span
    following = sentences[best + 1] if best + 1 < len(sentences) else None
    if (following is not None and following.paragraph == sentences[best].paragraph
            and len(span.text.split()) < 25 and (_CUE.search(following.span.text) or _CONTINUES.match(
                following.span.text))):
        span = Span(essay.text[span.start:following.span.end], span.start, following.span.end)
    return Claim(f"{essay.id}:thesis", essay.id, sentences[best].section, span.text, "thesis",
                 supporting(vectors[best], sentences[best].section, span)), vectors[best]


def _sentences(essay: Essay) -> list[_Sentence]:
    found: list[_Sentence] = []
    number = 0
    for section in essay.sections:
        for paragraph in section.paragraphs:
            found += [_Sentence(s, section.heading, number) for s in sentence_spans(paragraph.text, paragraph.start)]
            number += 1
    return found


def _is_argumentative(heading: str) -> bool:
    """A heading that asserts something ("X isn't Y", "Don't blame X") rather than naming a topic."""
    return len(heading.split()) >= 4 and bool(_ARGUMENT_WORDS.search(heading))


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector
