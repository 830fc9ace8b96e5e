"""The corpus's data types: an essay, its sections and paragraphs, and the passages cut from it."""

from __future__ import annotations

from dataclasses import dataclass, field


class EssayError(ValueError):
    """An essay file was rejected. The message is one line naming the file and the reason."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class Span:
    """A piece of the essay's normalised text: `essay.text[start:end] == text`."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Section:
    heading: str | None
    paragraphs: tuple[Span, ...]


@dataclass(frozen=True)
class Essay:
    """An essay read from one file.

    `text` is the normalised document: headings and paragraphs joined by blank lines. Every paragraph and
    passage is a verbatim slice of it, so a quote can always be checked against the essay.
    """

    id: str
    title: str
    author: str | None
    text: str
    sections: tuple[Section, ...]
    filename: str
    content_hash: str
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def paragraphs(self) -> list[Span]:
        return [p for s in self.sections for p in s.paragraphs]

    @property
    def thesis(self) -> str | None:
        return self.meta.get("thesis")


@dataclass(frozen=True)
class Passage:
    """A retrievable chunk of an essay: one or more paragraphs, or part of a long one."""

    id: str
    essay_id: str
    essay_title: str
    section: str | None
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "essay_id": self.essay_id,
            "essay_title": self.essay_title,
            "section": self.section,
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Passage:
        return cls(
            id=str(data["id"]),
            essay_id=str(data["essay_id"]),
            essay_title=str(data["essay_title"]),
            section=None if data["section"] is None else str(data["section"]),
            text=str(data["text"]),
            start=int(data["start"]),  # type: ignore[arg-type]
            end=int(data["end"]),  # type: ignore[arg-type]
        )
