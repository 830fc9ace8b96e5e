"""Essays in, passages out. Nothing here imports discord or the embedding model."""

from bot.corpus.chunking import ChunkLimits, chunk_essay
from bot.corpus.collection import Corpus, CorpusError, NewEssay, find_essay
from bot.corpus.models import Essay, EssayError, Passage, Section, Span
from bot.corpus.readers import SUPPORTED_SUFFIXES, parse_essay, read_essay

__all__ = [
    "SUPPORTED_SUFFIXES",
    "ChunkLimits",
    "Corpus",
    "CorpusError",
    "Essay",
    "EssayError",
    "NewEssay",
    "Passage",
    "Section",
    "Span",
    "chunk_essay",
    "find_essay",
    "parse_essay",
    "read_essay",
]
