"""Checks on an LLM's reply before anyone sees it, with repairs, or the offline composer's reply instead.

A usable reply quotes only what the passages really say, ends with exactly one question (none once the reader has
asked for no questions: the model's are dropped), fits MAX_REPLY_CHARS and mentions nobody. What can be repaired is:
a sentence with an invented quote is dropped; an unfinished last sentence (the token limit) is dropped; a missing,
misplaced or repeated question is replaced by the planner's question; a reply that quotes nothing verbatim gets the
planner's quote; a long answer loses its last sentences. Anything else (an empty reply, a mention, nothing of the
model's answer left) gives the offline reply.

Quotes are matched forgivingly (case, curly or straight quotes and apostrophes, spacing, end punctuation) and
then rewritten to the passage's exact words, so every quote in the final reply is verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.corpus.models import Passage
from bot.corpus.text import sentence_spans
from bot.tutor.composer import MAX_REPLY_CHARS, Quote, Reply, quote_block

MENTION = re.compile(r"@(?:everyone|here)\b|<@[!&]?\d+>|<#\d+>")
_QUOTED = re.compile(r"“([^“”\n]*)”|\"([^\"\n]*)\"")
_CITATION = re.compile(r"\s*\[\d+(?:,\s*\d+)*\]")  # "[2]": the prompt numbers passages, readers don't see them
_BLOCKQUOTE = re.compile(r"^\s*>\s?", re.MULTILINE)
_CLOSERS = "\"'”’»)]*_"
_EDGE_PUNCTUATION = " .,;:!?…"
_FOLD = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"'})


@dataclass(frozen=True)
class Verdict:
    """The reply to send, what was repaired on the way, or why the offline reply is sent instead."""

    reply: Reply
    repairs: tuple[str, ...] = ()
    fallback: str | None = None


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    exact: Quote | None  # None: not found in the passages
    after: str = ""  # punctuation to write after the closing mark


def check_reply(text: str, *, passages: Sequence[Passage], offline: Reply) -> Verdict:
    """The checked form of the LLM's `text`; `offline` is the planner's own reply (its question, quote and move)."""
    text = " ".join(_CITATION.sub("", _BLOCKQUOTE.sub("", text)).split())
    if not text:
        return Verdict(offline, fallback="empty reply")
    if mention := MENTION.search(text):
        return Verdict(offline, fallback=f"it contains a mention ({mention.group()})")
    spans = [_verify(match, passages) for match in _QUOTED.finditer(text) if len(_inner(match).split()) >= 2]
    masked = _mask_quotes(text, spans)
    repairs: list[str] = []
    kept: list[tuple[str, str, list[_Span]]] = []  # (sentence, its masked form, its quotes)
    for sentence in sentence_spans(masked):
        inside = [s for s in spans if sentence.start <= s.start < sentence.end]
        if bad := [s for s in inside if s.exact is None]:
            repairs.append(f"dropped a sentence with an invented quote {text[bad[0].start:bad[0].end]}")
            continue
        kept.append((_rewrite(text, sentence.start, sentence.end, inside), sentence.text, inside))
    if kept and kept[-1][1].rstrip(_CLOSERS)[-1:] not in (".", "!", "?", "…"):
        repairs.append(f"dropped an unfinished sentence: {kept.pop()[0][:80]!r}")
    questions = [n for n, (_, masked_sentence, _) in enumerate(kept) if "?" in masked_sentence]
    if not offline.question:  # the reader asked for no questions: the model's are dropped
        if questions:
            repairs.append(f"{len(questions)} question(s) after the reader asked for none: dropped")
        question = ""
        kept = [k for n, k in enumerate(kept) if n not in questions]
    elif questions and questions == [len(kept) - 1]:
        question = kept.pop()[0]
    else:
        repairs.append("no question: the planner's question added" if not questions else
                       f"{len(questions)} questions: replaced by the planner's question" if len(questions) > 1 else
                       "the question did not end the reply: replaced by the planner's question")
        question = offline.question
        kept = [k for n, k in enumerate(kept) if n not in questions]
    while kept:
        quotes = list(dict.fromkeys(s.exact for _, _, inside in kept for s in inside if s.exact is not None))
        extra = "\n" + quote_block(offline.quotes[0]) if not quotes and offline.quotes else ""
        answer = " ".join(sentence for sentence, _, _ in kept) + extra
        if len(answer) + len(question) + 2 <= MAX_REPLY_CHARS or len(kept) == 1:
            break
        kept.pop()
        repairs.append("too long: dropped the answer's last sentence")
    if not kept:
        return Verdict(offline, tuple(repairs), fallback="nothing of the model's answer was left")
    if len(answer) + len(question) + 2 > MAX_REPLY_CHARS:
        return Verdict(offline, tuple(repairs), fallback=f"too long ({len(answer) + len(question) + 2} characters)")
    if extra:
        repairs.append("no verbatim quote: the planner's quote added")
        quotes = [offline.quotes[0]]
    return Verdict(replace(offline, answer=answer, question=question, quotes=tuple(quotes)), tuple(repairs))


def _inner(match: re.Match[str]) -> str:
    return match.group(1) if match.group(1) is not None else match.group(2)


def _verify(match: re.Match[str], passages: Sequence[Passage]) -> _Span:
    """The quote's exact words in the passages (as a Quote), or a span marked as invented. End punctuation that
    the passage does not have there (“…repression.” for “…repression,”) is moved after the closing mark."""
    inner = _inner(match).strip().removeprefix("...").removeprefix("…").strip()
    bare = inner.strip(_EDGE_PUNCTUATION)
    for candidate, after in ((inner, ""), (bare, inner[len(inner.rstrip(_EDGE_PUNCTUATION)):])):
        wanted, _ = _fold(candidate)
        for passage in passages:
            folded, origin = _fold(passage.text)
            at = folded.find(wanted) if wanted else -1
            if at >= 0:
                exact = passage.text[origin[at]: origin[at + len(wanted) - 1] + 1]
                quote = Quote(passage.essay_id, passage.essay_title, passage.section, exact)
                return _Span(match.start(), match.end(), quote, after.replace("?", "").replace("!", "").strip())
    return _Span(match.start(), match.end(), None)


def _fold(text: str) -> tuple[str, list[int]]:
    """`text` lower-cased, with one kind of quote and apostrophe and single spaces; and where each char came from."""
    chars: list[str] = []
    origin: list[int] = []
    for position, char in enumerate(text):
        if char.isspace():
            if chars and chars[-1] == " ":
                continue
            char = " "
        lowered = char.translate(_FOLD).lower()
        chars.append(lowered if len(lowered) == 1 else char)
        origin.append(position)
    return "".join(chars), origin


def _mask_quotes(text: str, spans: list[_Span]) -> str:
    """`text` with the sentence punctuation inside quotes hidden, so a quote is never split into sentences or
    taken for a question; a quote's last mark still ends a sentence, as a full stop."""
    chars = list(text)
    for span in spans:
        inner = range(span.start + 1, span.end - 1)
        last = max((i for i in inner if chars[i] in ".!?…"), default=None)
        for i in inner:
            if chars[i] in ".!?…":
                chars[i] = "." if i == last and i == span.end - 2 else ","
    return "".join(chars)


def _rewrite(text: str, start: int, end: int, spans: list[_Span]) -> str:
    """The sentence text[start:end] with each verified quote replaced by the passage's exact words in “ ”."""
    pieces, cursor = [], start
    for span in sorted(spans, key=lambda s: s.start):
        assert span.exact is not None
        pieces += [text[cursor:span.start], f"“{span.exact.text}”{span.after}"]
        cursor = span.end
    return "".join([*pieces, text[cursor:end]])

