"""Text helpers and word lists that several of the responder's modules share.

Whether a line was shown already (`was_quoted`), where a line stands in its essay (`_where`), a reader's phrase made
safe to repeat (`_echo`) or found in the essay's own words (`_phrase_in`), an odd count of negations (`_negated`),
the library listed by title and author (`_listing`); and the patterns for reasons, "does the essay say…" questions,
rejections of a view, and the nouns too generic to be what a message is about.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.language import negation_count, parse, plain, word_stems
from bot.tutor.evidence import Sentence

_REASONS = re.compile(r"\b(?:because|since|so that|therefore|this is why|that is why|which is why|the reason|"
                      r"it is that|without|so she|so he|so we)\b|,\s+so\s", re.IGNORECASE)
_GENERIC_NOUNS = frozenset({"essay", "author", "writer", "piece", "text", "article", "book", "film", "movie",
                            "show", "story", "point", "part", "thing", "way", "one", "lot", "question", "idea",
                            "argument", "line", "sentence", "word", "bit", "kind", "sort", "people", "person",
                            "time", "end", "sense", "opinion", "view", "reading", "answer", "example", "reason"})
_ASKS_IF_SAYS = re.compile(r"^(?:so |and |but |ok,? )?(?:does|did|do|is) (?:the |this )?(?:[\w’'-]+ )?(?:essay|author|"
                           r"writer|it|she|he|one|piece)\b", re.IGNORECASE)
_REJECTS_VIEW = re.compile(r"\b(?:missing (?:it|the point)|miss the point|wrong|mistaken|don'?t (?:buy|think)|not true|"
                           r"nonsense|too (?:simple|easy|comfortable)|misread)\b", re.IGNORECASE)


def was_quoted(text: str, quoted: set[str] | frozenset[str]) -> bool:
    """`text` was already shown: quoted as it is, or inside a longer quote."""
    return any(text in q or q in text for q in quoted)


def _negated(text: str) -> bool:
    return negation_count(parse(text)) % 2 == 1


def _where(sentence: Sentence) -> str:
    """Where in the essay a line stands, for "Yes, it mentions …, <where>"."""
    return f"in the section “{sentence.section}”" if sentence.section else "near the start"


def _phrase_in(sentence: str, term: str) -> str:
    """The essay's own words for what the reader typed ("permanent abeyance"), as written in the sentence."""
    wanted = [s for s in word_stems(term)]
    words = re.findall(r"[\w’'-]+", sentence)
    stems = [word_stems(w)[0] if word_stems(w) else "" for w in words]
    for start in range(len(words)):
        if stems[start] == (wanted[0] if wanted else None):
            end = start
            matched = 1
            while matched < len(wanted) and end + 1 < len(words) and end - start < len(wanted) + 2:
                end += 1
                if stems[end] == wanted[matched]:
                    matched += 1
            if matched == len(wanted):
                return " ".join(words[start:end + 1])
    return _echo(term)


def _echo(term: str) -> str:
    """A reader's phrase, safe to repeat inside the answer (never inside a question): no markup, no mentions."""
    return re.sub(r"[`*_~<>@|]", "", plain(term)).strip()[:60]


def _listing(profiles: Sequence[object]) -> str:
    """"A (Ann Lee); B; C": titles with their authors."""
    return "; ".join(p.short_title + (f" ({_author(p.author)})" if p.author else "")  # type: ignore[attr-defined]
                     for p in profiles)


def _author(author: str | None) -> str:
    return re.split(r"\s+[·|•]\s+|,", author or "")[0].strip()
