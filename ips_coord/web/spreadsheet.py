"""Tables as downloads a Danish spreadsheet opens as columns: CSV (UTF-8 with a byte-order mark,
semicolons, a decimal comma, Danish headings) and XLSX (openpyxl: numbers stay numbers, the
spreadsheet shows them in the reader's own format). Both take the same headings and rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime

from flask import Response

from ..i18n import decimal

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return decimal(value)  # 45,2 in Danish
    if isinstance(value, date):
        from .formatting import local_date

        return local_date(value)  # 07.12.2026
    return str(value) if not isinstance(value, int) else value


def csv_text(headings: Sequence[object], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads the file as UTF-8 only with the byte-order mark
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(h) for h in headings])
    writer.writerows([[_csv_cell(v) for v in row] for row in rows])
    return out.getvalue()


def csv_response(name: str, headings: Sequence[object], rows: Sequence[Sequence[object]]) -> Response:
    return Response(
        csv_text(headings, rows), mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={name}"}
    )


Sheet = tuple[object, Sequence[object], Sequence[Sequence[object]]]  # (name, headings, rows)


def xlsx_bytes(
    sheet: str, headings: Sequence[object], rows: Sequence[Sequence[object]], more: Sequence[Sheet] = ()
) -> bytes:
    """One workbook: the table, and after it any further tables of the same page, a sheet each."""
    from openpyxl import Workbook

    book = Workbook()
    _fill(book.active, sheet, headings, rows)
    for name, more_headings, more_rows in more:
        _fill(book.create_sheet(), name, more_headings, more_rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(ws, sheet: object, headings: Sequence[object], rows: Sequence[Sequence[object]]) -> None:
    from openpyxl.styles import Font

    ws.title = str(sheet)[:31]
    ws.append([str(h) for h in headings])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # Numbers stay numbers and dates are date cells (the reader's spreadsheet shows them its way).
        ws.append([v if isinstance(v, int | float | date) or v is None else str(v) for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, datetime | date):
                cell.number_format = "dd.mm.yyyy"
    ws.freeze_panes = "A2"
    for i, heading in enumerate(headings, start=1):
        width = max(
            [len(str(heading))]
            + [10 if isinstance(r[i - 1], date) else len(str(r[i - 1])) for r in rows if r[i - 1] is not None]
        )
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(max(width + 2, 8), 60)


def dated_name(stem: object, ext: str) -> str:
    """A download's file name in the page's language with today's (Copenhagen) date: resultater-2026-12-07.xlsx."""
    from ..clock import local_today, utcnow

    return f"{stem}-{local_today(utcnow()).isoformat()}.{ext}"


def xlsx_response(
    name: str, sheet: str, headings: Sequence[object], rows: Sequence[Sequence[object]], more: Sequence[Sheet] = ()
) -> Response:
    return Response(
        xlsx_bytes(sheet, headings, rows, more),
        mimetype=XLSX_TYPE,
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )
