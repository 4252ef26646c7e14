"""Reads a workbook with openpyxl, a reader independent of excelize, and
prints what it sees as JSON: for each worksheet its cells (in full and in
read-only mode), their quotePrefix, hyperlinks, dropdowns and print setup.
Used by TestXLSXSecondReader (xlsx_reader_test.go)."""
import datetime
import json
import sys

import openpyxl


def value(v):
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    return v


def main(path):
    out = []
    wb = openpyxl.load_workbook(path)
    ro = openpyxl.load_workbook(path, read_only=True)
    for ws in wb.worksheets:
        rows, quote, links = [], [], {}
        for row in ws.iter_rows():
            rows.append([value(c.value) for c in row])
            quote.append([bool(c.quotePrefix) for c in row])
            for c in row:
                if c.hyperlink is not None:
                    links[c.coordinate] = c.hyperlink.target
        rws = ro[ws.title]
        ro_rows = [[value(v) for v in r] for r in rws.iter_rows(values_only=True)]
        ps = ws.page_setup
        pr = ws.sheet_properties.pageSetUpPr
        out.append({
            "name": ws.title,
            "rows": rows,
            "quote": quote,
            "links": links,
            "roRows": ro_rows,
            "roMaxRow": rws.max_row,
            "validations": [
                {"type": dv.type, "sqref": str(dv.sqref), "formula1": dv.formula1, "allowBlank": bool(dv.allow_blank)}
                for dv in ws.data_validations.dataValidation
            ],
            "orientation": ps.orientation,
            "fitToWidth": ps.fitToWidth,
            "fitToHeight": ps.fitToHeight,
            "fitToPage": bool(pr.fitToPage) if pr is not None else False,
            "printTitleRows": ws.print_title_rows,
            "header": ws.oddHeader.left.text or "",
            "headerRight": ws.oddHeader.right.text or "",
            "footer": ws.oddFooter.right.text or "",
        })
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
