"""Tables as downloads a Danish spreadsheet opens as columns: CSV (UTF-8 with a byte-order mark,
semicolons, a decimal comma, Danish headings) and XLSX (openpyxl: numbers stay numbers, the
spreadsheet shows them in the reader's own format). Both take the same headings and rows."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from flask import Response

from ..i18n import decimal

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return decimal(value)  # 45,2 in Danish
    return str(value) if not isinstance(value, int) else value


def csv_text(headings: Sequence[object], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads the file as UTF-8 only with the byte-order mark
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(h) for h in headings])
    writer.writerows([[_csv_cell(v) for v in row] for row in rows])
    return out.getvalue()


def csv_response(name: str, headings: Sequence[object], rows: Sequence[Sequence[object]]) -> Response:
    return Response(csv_text(headings, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


def xlsx_bytes(sheet: str, headings: Sequence[object], rows: Sequence[Sequence[object]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    ws.title = str(sheet)[:31]
    ws.append([str(h) for h in headings])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([v if isinstance(v, int | float) or v is None else str(v) for v in row])
    ws.freeze_panes = "A2"
    for i, heading in enumerate(headings, start=1):
        width = max([len(str(heading))] + [len(str(r[i - 1])) for r in rows if r[i - 1] is not None])
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(max(width + 2, 8), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(name: str, sheet: str, headings: Sequence[object], rows: Sequence[Sequence[object]]) -> Response:
    return Response(xlsx_bytes(sheet, headings, rows), mimetype=XLSX_TYPE,
                    headers={"Content-Disposition": f"attachment; filename={name}"})
