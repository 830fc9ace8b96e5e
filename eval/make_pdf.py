"""Build eval/essays/<id>.pdf from eval/pdf_source/<id>.md with fpdf2 core fonts.

Usage: python eval/make_pdf.py [id ...]   (default: every .md in eval/pdf_source)
Source format: '# Title', '## Heading', paragraphs separated by blank lines.
Only Latin-1 characters are supported by the core fonts.
"""
import sys
from pathlib import Path

from fpdf import FPDF

EVAL = Path(__file__).resolve().parent
SRC = EVAL / "pdf_source"
OUT = EVAL / "essays"


def blocks(text):
    return [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]


def build(essay_id):
    text = (SRC / f"{essay_id}.md").read_text(encoding="utf-8")
    text.encode("latin-1")  # fail early on characters the core fonts cannot draw
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_title(blocks(text)[0].lstrip("# ").strip())
    pdf.add_page()
    for block in blocks(text):
        line = " ".join(block.split())
        if line.startswith("## "):
            pdf.ln(3)
            pdf.set_font("Helvetica", "B", 13)
            pdf.multi_cell(0, 7, line[3:], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif line.startswith("# "):
            pdf.set_font("Helvetica", "B", 20)
            pdf.multi_cell(0, 10, line[2:], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        else:
            pdf.set_font("Times", "", 12)
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    out = OUT / f"{essay_id}.pdf"
    pdf.output(str(out))
    print(out)


if __name__ == "__main__":
    ids = sys.argv[1:] or sorted(p.stem for p in SRC.glob("*.md"))
    for essay_id in ids:
        build(essay_id)
