"""Text helpers shared by the readers, the chunker and the tutor: decoding, headings, sentences, slugs."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from bot.corpus.models import EssayError, Span

_TERMINAL = ".!?…:;,"
_CLOSERS = "\"'”’»)]*_"
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+[\"'“‘«(\[]?[A-Z0-9])")
_WORD = re.compile(r"\w+", re.UNICODE)


def decode_text(raw: bytes, name: str) -> str:
    """Decode an essay file as UTF-8 (BOM optional) and normalise line ends to LF.

    Raises EssayError for empty, binary, undecodable or whitespace-only content.
    """
    if not raw:
        raise EssayError(name, "the file is empty")
    if b"\x00" in raw:
        raise EssayError(name, "the file looks binary (it contains NUL bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EssayError(name, f"the file is not valid UTF-8 text (bad byte at offset {exc.start})") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise EssayError(name, "the file contains only whitespace")
    return text


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def slugify(name: str) -> str:
    """A readable, filesystem- and URL-safe essay id: 'Severance (2).txt' -> 'severance-2'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "essay"


def ends_with_punctuation(line: str) -> bool:
    stripped = line.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


def is_heading(line: str) -> bool:
    """A short line without terminal punctuation, starting like a title: the plain-text heading rule."""
    line = line.strip()
    if not line or len(line) > 120 or len(line.split()) > 15:
        return False
    first = line.lstrip("\"'“‘«(#*")[:1]
    return (first.isupper() or first.isdigit()) and not ends_with_punctuation(line)


def collapse_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def sentence_spans(text: str, offset: int = 0) -> list[Span]:
    """Split text into sentences; each span's text is a verbatim slice (shifted by `offset`)."""
    spans: list[Span] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        _append_trimmed(spans, text, start, match.end(), offset)
        start = match.end()
    _append_trimmed(spans, text, start, len(text), offset)
    return spans


def _append_trimmed(spans: list[Span], text: str, start: int, end: int, offset: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(Span(text[start:end], start + offset, end + offset))


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())
