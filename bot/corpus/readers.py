"""Read essay files (.txt, .md, .html, .pdf) into `Essay` objects.

Every reader turns its format into a `Draft` (metadata plus a list of heading and paragraph blocks);
`assemble` then builds the normalised essay text and the spans, so the rules for titles and sections live
in one place.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.corpus.models import Essay, EssayError, Section, Span
from bot.corpus.text import (
    collapse_spaces,
    content_hash,
    decode_text,
    ends_with_punctuation,
    is_heading,
    slugify,
)

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
_WRAPPED_LINE_MAX = 120  # lines no longer than this, in a block of several, are a hard-wrapped paragraph
_BYLINE = re.compile(r"^by\s+(.{2,80}?)(?:\s+[·|•—–-]\s+.*)?$", re.IGNORECASE)  # "By Ann Lee · 5 min read"
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_MD_PREFIX = re.compile(r"^\s*(?:>\s?|[-*+]\s+|\d+[.)]\s+)")
_HTML_DROP = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "svg",
              "iframe", "button", "figure")
_HTML_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre")
_META_KEYS = ("title", "author", "date", "thesis", "source")


@dataclass
class Draft:
    """A format-independent reading of a file: metadata and ('h' | 'p', text) blocks in order."""

    title: str | None = None
    author: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    blocks: list[tuple[str, str]] = field(default_factory=list)


def read_essay(path: Path, *, max_bytes: int = 5_000_000, name: str | None = None) -> Essay:
    """Read and validate one essay file. Raises EssayError (one line: file name and reason)."""
    name = name or path.name
    return parse_essay(read_file(path, max_bytes=max_bytes, name=name), name=name, suffix=path.suffix)


def read_file(path: Path, *, max_bytes: int, name: str) -> bytes:
    """An essay file's bytes; EssayError if it is larger than `max_bytes` or cannot be read."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise EssayError(name, f"the file is {size:,} bytes, above the {max_bytes:,}-byte limit")
        return path.read_bytes()
    except OSError as exc:
        raise EssayError(name, f"cannot read the file ({exc.strerror or exc})") from None


def parse_essay(raw: bytes, *, name: str, suffix: str) -> Essay:
    """Parse the bytes of an essay file whose format is given by `suffix`."""
    suffix = suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        allowed = ", ".join(SUPPORTED_SUFFIXES)
        raise EssayError(name, f"unsupported file type {suffix or '(none)'}; use one of {allowed}")
    if suffix == ".pdf":
        draft = _read_pdf(raw, name)
    else:
        text = decode_text(raw, name)
        if suffix in (".md", ".markdown"):
            draft = _read_markdown(text, name)
        elif suffix in (".html", ".htm"):
            draft = _read_html(text)
        else:
            draft = Draft(blocks=plain_text_blocks(text))
    return assemble(draft, filename=name)


def plain_text_blocks(text: str) -> list[tuple[str, str]]:
    """Split plain text into heading and paragraph blocks.

    Paragraphs are separated by blank lines. A block of long lines (one paragraph per line, as in the seed
    essay) gives one paragraph per line, and a short line without terminal punctuation there is a heading. A
    block of short lines is hard-wrapped text (e-mail style, or a PDF page): its lines are joined into
    paragraphs, and a heading inside it is a line that is short against the wrapping width, has no terminal
    punctuation, and follows the end of a sentence (or another heading).
    """
    blocks: list[tuple[str, str]] = []
    for chunk in re.split(r"\n[ \t]*\n", text):
        lines = [collapse_spaces(line) for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if _is_wrapped(lines):
            blocks.extend(_unwrap(lines))
        else:
            blocks.extend(("h" if is_heading(line) else "p", line) for line in lines)
    return blocks


def _unwrap(lines: list[str]) -> list[tuple[str, str]]:
    """Join hard-wrapped lines into paragraphs; a line ending a sentence well short of the width ends one."""
    width = max(map(len, lines))
    blocks: list[tuple[str, str]] = []
    paragraph: list[str] = []
    for line in lines:
        after_break = not paragraph or ends_with_punctuation(paragraph[-1])
        if after_break and is_heading(line) and len(line) < 0.7 * width:
            if paragraph:
                blocks.append(("p", " ".join(paragraph)))
                paragraph = []
            blocks.append(("h", line))
            continue
        paragraph.append(line)
        if ends_with_punctuation(line) and len(line) < 0.75 * width:
            blocks.append(("p", " ".join(paragraph)))
            paragraph = []
    if paragraph:
        blocks.append(("p", " ".join(paragraph)))
    return blocks


def _is_wrapped(lines: list[str]) -> bool:
    """Several short lines, some of which continue the line before (no end punctuation, or a lower-case start)."""
    if len(lines) < 2 or max(map(len, lines)) > _WRAPPED_LINE_MAX:
        return False
    return any(line[:1].islower() for line in lines[1:]) or not all(
        ends_with_punctuation(line) or is_heading(line) for line in lines)


# libyaml's safe loader when PyYAML has it: the pure-Python one took 0.8 s of reading 1,000 essays, and every
# build and add reads them all.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_markdown(text: str, name: str) -> Draft:
    draft = Draft()
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            front = yaml.load(match.group(1), Loader=_YAML_LOADER) or {}
        except yaml.YAMLError as exc:
            first = str(exc).splitlines()[0]
            raise EssayError(name, f"the YAML front matter is invalid ({first})") from None
        if not isinstance(front, dict):
            raise EssayError(name, "the YAML front matter is not a mapping of keys to values")
        draft.meta = {k: collapse_spaces(str(front[k])) for k in _META_KEYS if front.get(k) is not None}
        draft.title = draft.meta.get("title")
        draft.author = draft.meta.get("author")
        text = text[match.end():]
    in_fence = False
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            draft.blocks.append(("p", collapse_spaces(" ".join(paragraph))))
            paragraph.clear()

    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            flush()
            in_fence = not in_fence
            continue
        heading = None if in_fence else _MD_HEADING.match(line)
        if heading:
            flush()
            title = _strip_inline_markdown(heading.group(2))
            if len(heading.group(1)) == 1 and draft.title is None and not draft.blocks:
                draft.title = title
            elif title:
                draft.blocks.append(("h", title))
        elif not line.strip() or re.fullmatch(r"\s*([-*_])(\s*\1){2,}\s*", line):
            flush()
        else:
            paragraph.append(_strip_inline_markdown(_MD_PREFIX.sub("", line)))
    flush()
    return draft


def _strip_inline_markdown(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    for _ in range(2):  # nested emphasis such as ***word***
        text = _MD_EMPHASIS.sub(r"\2", text)
    return collapse_spaces(text.replace("`", ""))


def _read_html(text: str) -> Draft:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "lxml")
    draft = Draft()
    if soup.title and soup.title.get_text(strip=True):
        draft.title = collapse_spaces(soup.title.get_text())
    author = soup.find("meta", attrs={"name": "author"})
    if author and author.get("content"):
        draft.author = collapse_spaces(str(author["content"]))
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    h1 = root.find("h1")
    if h1 and h1.get_text(strip=True):
        draft.title = collapse_spaces(h1.get_text(" "))
    for element in root.find_all(_HTML_BLOCKS):
        if element.find_parent(_HTML_BLOCKS):
            continue  # its text is taken with the enclosing block
        content = collapse_spaces(element.get_text(" "))
        if not content or (element.name == "h1" and content == draft.title):
            continue
        draft.blocks.append(("h" if element.name.startswith("h") else "p", content))
    if not any(kind == "p" for kind, _ in draft.blocks):
        draft.blocks.extend(plain_text_blocks(root.get_text("\n")))
    return draft


def _read_pdf(raw: bytes, name: str) -> Draft:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not raw:
        raise EssayError(name, "the file is empty")
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise EssayError(name, "the PDF is encrypted; export an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except EssayError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise EssayError(name, f"the PDF cannot be read ({exc})") from None
    text = _join_pages(pages).replace("\r\n", "\n").replace("\x00", "")
    if not text.strip():
        raise EssayError(name, "the PDF has no text layer (scanned images are not supported)")
    draft = Draft(blocks=plain_text_blocks(text))
    if info:
        if info.title and info.title.strip():
            draft.title = collapse_spaces(info.title)
        if info.author and info.author.strip():
            draft.author = collapse_spaces(info.author)
    return draft


def _join_pages(pages: list[str]) -> str:
    """The pages' text in order. A page that ends mid-sentence continues its paragraph on the next page (a
    paragraph break would cut the sentence in two); otherwise the page break also ends the paragraph."""
    text = ""
    for page in (p.strip() for p in pages):
        if not page:
            continue
        continues = text and (not ends_with_punctuation(text.rsplit("\n", 1)[-1]) or page[:1].islower())
        text += ("\n" if continues else "\n\n" if text else "") + page
    return text


def assemble(draft: Draft, *, filename: str) -> Essay:
    """Build the essay's normalised text and sections from a draft; apply the title rules."""
    blocks = [(kind, text) for kind, text in draft.blocks if text]
    title, author = draft.title, draft.author
    if title is None and blocks and blocks[0][0] == "h":
        title = blocks.pop(0)[1]  # a leading heading line is the title, not a section
    elif title is None:
        title = next((text for kind, text in blocks if kind == "h"), None)
    if author is None and blocks and (m := _BYLINE.match(blocks[0][1])):
        author = m.group(1).strip()
        blocks.pop(0)
    if not any(kind == "p" for kind, _ in blocks):
        raise EssayError(filename, "no paragraph text was found")
    title = title or Path(filename).stem.replace("_", " ").replace("-", " ").strip().capitalize()

    pieces: list[str] = []
    offset = 0
    sections: list[Section] = []
    heading: str | None = None
    paragraphs: list[Span] = []
    for kind, text in blocks:
        if pieces:
            offset += 2  # the blank line between blocks
        pieces.append(text)
        if kind == "h":
            if paragraphs or heading is not None:
                sections.append(Section(heading, tuple(paragraphs)))
            heading, paragraphs = text, []
        else:
            paragraphs.append(Span(text, offset, offset + len(text)))
        offset += len(text)
    sections.append(Section(heading, tuple(paragraphs)))
    normalised = "\n\n".join(pieces)
    return Essay(
        id=slugify(Path(filename).stem),
        title=title,
        author=author,
        text=normalised,
        sections=tuple(s for s in sections if s.paragraphs),
        filename=filename,
        content_hash=content_hash(normalised),
        meta=dict(draft.meta),
    )
