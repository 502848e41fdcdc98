"""The contract note as a PDF (fpdf2): the same header, trades and summary as the CSV, on A4 landscape.

The PDF core fonts are Latin-1 only, so amounts carry no rupee sign; the header says they are in INR.
"""

from app.services.contract_notes import TRADE_COLUMNS, ContractNote, header_rows, summary_rows, trade_rows

WIDTHS = (34, 36, 26, 34, 18, 22, 24, 20, 26, 32)


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def to_pdf(note: ContractNote) -> bytes:
    # Imported here: fpdf2 (with fontTools and Pillow) costs every process half a second at start for a download
    # few ask for.
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"Contract note {note.number}")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, "CONTRACT NOTE CUM TAX INVOICE", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for label, value in header_rows(note):
        pdf.cell(40, 5, label)
        pdf.cell(0, 5, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, "Amounts in INR. Negative: payable by the client.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 8)
    for title, width in zip(TRADE_COLUMNS, WIDTHS, strict=True):
        pdf.cell(width, 6, title, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    rows = trade_rows(note)
    for row in rows:
        for index, (value, width) in enumerate(zip(row, WIDTHS, strict=True)):
            pdf.cell(width, 5, _latin1(value), border=1, align="R" if index >= 7 else "L")
        pdf.ln()
    if not rows:
        pdf.cell(sum(WIDTHS), 6, "No trades on this day.", border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 9)
    for label, value in summary_rows(note):
        pdf.cell(90, 5, label, border=1)
        pdf.cell(36, 5, value, border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
