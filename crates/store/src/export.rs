//! Export's CSV: a report as RFC 4180 CSV, streamed row by row, the one writer behind `gazette export` and the web
//! view's downloads (so that both give the same bytes).
//!
//! Spreadsheets execute cells that start with `=`, `+`, `-`, `@`, tab or carriage return as formulas, and article
//! text is written by strangers. Following OWASP's advice on CSV injection, such text cells get a leading single
//! quote (`'`), which spreadsheets show as text; numbers are left alone. `raw` turns this off.

use std::io::Write;

use crate::{Cell, RowSink};

/// A [`RowSink`] writing export's CSV. Call [`ExportCsv::finish`] after the last row.
pub struct ExportCsv<W: Write> {
    csv: csv::Writer<W>,
    raw: bool,
    record: Vec<String>,
}

impl<W: Write> ExportCsv<W> {
    pub fn new(out: W, raw: bool) -> ExportCsv<W> {
        ExportCsv {
            csv: csv::Writer::from_writer(out),
            raw,
            record: Vec::new(),
        }
    }

    /// Flushes, and hands back the writer.
    pub fn finish(self) -> std::io::Result<W> {
        self.csv.into_inner().map_err(|e| e.into_error())
    }
}

impl<W: Write> RowSink for ExportCsv<W> {
    fn header(&mut self, columns: &[String]) -> std::io::Result<()> {
        self.csv.write_record(columns).map_err(csv_error)
    }

    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        self.record.clear();
        self.record.extend(cells.iter().map(|c| export_cell(c, self.raw)));
        self.csv.write_record(&self.record).map_err(csv_error)
    }
}

/// A CSV error as the I/O error underneath (a closed pipe ends a command quietly), or as an I/O error of its own.
pub fn csv_error(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// A cell as written to export's CSV: text that a spreadsheet would run as a formula gets a leading `'`.
pub fn export_cell(cell: &Cell, raw: bool) -> String {
    match cell {
        Cell::Text(s) if !raw && s.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{s}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_unless_raw() {
        for bad in ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            let cell = Cell::Text(bad.into());
            assert_eq!(export_cell(&cell, false), format!("'{bad}"));
            assert_eq!(export_cell(&cell, true), bad);
        }
        assert_eq!(export_cell(&Cell::Text("Joe Biden".into()), false), "Joe Biden");
        assert_eq!(export_cell(&Cell::Integer(-3), false), "-3");
        assert_eq!(export_cell(&Cell::Null, false), "");
    }

    #[test]
    fn writes_rfc_4180() {
        let mut sink = ExportCsv::new(Vec::new(), false);
        sink.header(&["id".into(), "title".into()]).unwrap();
        sink.row(&[Cell::Integer(1), Cell::Text("a, \"b\"\n=c".into())])
            .unwrap();
        sink.row(&[Cell::Integer(2), Cell::Text("=1+1".into())]).unwrap();
        let out = String::from_utf8(sink.finish().unwrap()).unwrap();
        assert_eq!(out, "id,title\n1,\"a, \"\"b\"\"\n=c\"\n2,'=1+1\n");
    }
}
