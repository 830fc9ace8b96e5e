"""Reading essays: every format, the seed essay's structure, and every rejection."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from bot.corpus import EssayError, parse_essay, read_essay
from tests.conftest import SEED

SEED_HEADINGS = [
    "Severance - Don’t blame the Innie—blame the myth of the “clean slate”",
    "The Outie Isn’t a Tragic Hero—He’s a Cautionary Tale",
    "The real horror isn’t what Mark does—it’s that we understand why",
]


def test_seed_headings_are_headings_and_paragraphs_intact() -> None:
    essay = read_essay(SEED)
    assert [s.heading for s in essay.sections] == [None, *SEED_HEADINGS]
    source_lines = [line for line in SEED.read_text(encoding="utf-8").split("\n") if line.strip()]
    paragraphs = [p.text for p in essay.paragraphs]
    assert paragraphs == [line for line in source_lines if line not in SEED_HEADINGS]
    assert len(paragraphs) == 12
    assert not any(heading in paragraphs for heading in SEED_HEADINGS)
    for paragraph in essay.paragraphs:
        assert essay.text[paragraph.start : paragraph.end] == paragraph.text
    assert essay.title == SEED_HEADINGS[0]
    assert essay.id == "severance"


def test_plain_text_with_title_byline_crlf_bom_and_wrapped_lines() -> None:
    raw = (
        "\ufeffThe Office Is a Mirror\r\nBy Ada Lovelace\r\n\r\n"
        "This paragraph is hard wrapped at a short width so that it spans\r\n"
        "several lines, which must be joined into one paragraph again when\r\n"
        "the essay is read.\r\n\r\nThe Second Part\r\n\r\nA closing paragraph stands alone.\r\n"
    ).encode()
    essay = parse_essay(raw, name="mirror.txt", suffix=".txt")
    assert essay.title == "The Office Is a Mirror"
    assert essay.author == "Ada Lovelace"
    assert [s.heading for s in essay.sections] == [None, "The Second Part"]
    assert essay.paragraphs[0].text.startswith("This paragraph is hard wrapped at a short width so that it spans sev")
    assert "\r" not in essay.text


def test_markdown_front_matter_headings_and_inline_markup() -> None:
    raw = b"""---
title: Work and the Self
author: Jo Writer
thesis: Work should not ask us to split ourselves in two.
---

## First claim

Some *emphasis* and a [link](https://example.com) in a paragraph
that continues on a second line.

## Second claim

- a list item paragraph
"""
    essay = parse_essay(raw, name="work.md", suffix=".md")
    assert essay.title == "Work and the Self"
    assert essay.author == "Jo Writer"
    assert essay.thesis == "Work should not ask us to split ourselves in two."
    assert [s.heading for s in essay.sections] == ["First claim", "Second claim"]
    assert essay.paragraphs[0].text == (
        "Some emphasis and a link in a paragraph that continues on a second line."
    )
    assert essay.paragraphs[1].text == "a list item paragraph"


def test_markdown_hash_title_without_front_matter() -> None:
    essay = parse_essay(b"# The Title\n\nBody text of the essay here.\n", name="t.md", suffix=".md")
    assert essay.title == "The Title"
    assert essay.sections[0].heading is None


def test_html_keeps_article_text_only() -> None:
    raw = b"""<html><head><title>Site | Essay</title><meta name="author" content="H. Tml">
<style>p { color: red }</style><script>var secret = "SCRIPT TEXT";</script></head>
<body><header>HEADER TEXT</header><nav>NAV TEXT</nav>
<article><h1>The Real Title</h1><p>First paragraph of the <b>article</b>.</p>
<h2>A Section</h2><p>Second paragraph.</p><aside>ASIDE TEXT</aside></article>
<footer>FOOTER TEXT</footer></body></html>"""
    essay = parse_essay(raw, name="page.html", suffix=".html")
    assert essay.title == "The Real Title"
    assert essay.author == "H. Tml"
    assert [p.text for p in essay.paragraphs] == ["First paragraph of the article .", "Second paragraph."]
    assert [s.heading for s in essay.sections] == [None, "A Section"]
    for hidden in ("SCRIPT", "HEADER", "NAV", "FOOTER", "ASIDE", "color"):
        assert hidden not in essay.text


def _pdf_bytes(title: str, paragraphs: list[str]) -> bytes:
    pdf = FPDF()
    pdf.set_title(title)
    pdf.set_author("P. Df")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 8, paragraph)
        pdf.ln(8)
    return bytes(pdf.output())


def test_pdf_text_layer() -> None:
    long = ("The machine keeps the hours while the worker keeps nothing of them, and that is the bargain the essay "
            "wants us to look at closely before we accept it.")
    raw = _pdf_bytes("A PDF Essay", [long, "Short final paragraph."])
    essay = parse_essay(raw, name="essay.pdf", suffix=".pdf")
    assert essay.title == "A PDF Essay"
    assert essay.author == "P. Df"
    assert essay.paragraphs[0].text == long  # wrapped lines were joined back into one paragraph
    assert essay.paragraphs[1].text == "Short final paragraph."


@pytest.mark.parametrize(
    ("name", "raw", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t\n  ", "only whitespace"),
        ("binary.txt", b"text\x00with NUL", "binary"),
        ("latin1.txt", "Caf\u00e9 society".encode("latin-1"), "not valid UTF-8"),
        ("headings.txt", b"Only A Heading\n\nAnother Heading", "no paragraph text"),
        ("nothing.html", b"<html><script>x()</script><nav>menu</nav></html>", "no paragraph text"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type"),
        ("bad.md", b"---\ntitle: [unclosed\n---\nText here.", "front matter"),
    ],
)
def test_rejections_are_one_line_naming_file_and_reason(name: str, raw: bytes, reason: str) -> None:
    with pytest.raises(EssayError) as caught:
        parse_essay(raw, name=name, suffix=Path(name).suffix)
    message = str(caught.value)
    assert message.startswith(f"{name}: ")
    assert reason in message
    assert "\n" not in message


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("A sentence that repeats. " * 100, encoding="utf-8")
    with pytest.raises(EssayError, match=r"big\.txt: the file is 2,500 bytes, above the 1,000-byte limit"):
        read_essay(path, max_bytes=1000)


def test_wrapped_lines_that_look_like_headings_stay_in_their_paragraph() -> None:
    """A wrapped line can start with a capital and lack end punctuation; only a short line after a sentence's
    end is a heading (the eval essay digital-declutter.txt and PDF pages read this way)."""
    raw = (
        b"A Title Line\n\nThe phantom buzz\n\n"
        b"That is not what happened, or not only. I want to argue something the\n"
        b"books tend to soft-pedal: a declutter is not a clean slate for the mind.\n"
        b"It is an exposure. When you take away the scroll, you do not get\n"
        b"emptiness. You get whatever the scroll was holding down.\n"
        b"The attic analogy\n"
        b"Think of an attic: the boxes you stacked there do not vanish when the\n"
        b"light goes out, and you find them again the day you climb the stairs.\n"
    )
    essay = parse_essay(raw, name="declutter.txt", suffix=".txt")
    assert [s.heading for s in essay.sections] == ["The phantom buzz", "The attic analogy"]
    first = essay.sections[0].paragraphs[0].text
    assert first.startswith("That is not what happened") and first.endswith("was holding down.")
    assert "It is an exposure." in first


def test_a_paragraph_running_over_a_pdf_page_break_stays_one_paragraph() -> None:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, "The first page ends in the middle of a sentence that the")
    pdf.add_page()
    pdf.multi_cell(0, 8, "second page finishes. Then the paragraph ends.")
    pdf.add_page()
    pdf.multi_cell(0, 8, "A page that starts after a full stop starts a new paragraph.")
    essay = parse_essay(bytes(pdf.output()), name="pages.pdf", suffix=".pdf")
    assert [p.text for p in essay.paragraphs] == [
        "The first page ends in the middle of a sentence that the second page finishes. Then the paragraph ends.",
        "A page that starts after a full stop starts a new paragraph.",
    ]
