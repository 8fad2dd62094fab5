//! The one renderer: rows from the store (header, then [`Cell`]s) printed as a table, CSV, JSON or NDJSON, and
//! export's spreadsheet-safe CSV. Every command that prints rows (`query`, `search`, `export`, `feeds list`) goes
//! through it. Everything but a table streams row by row; a table needs every row first, to size its columns.
//!
//! Export's CSV is the store's [`ExportCsv`] (the web view's downloads write the same), with formula-like text
//! neutralised unless `--raw`. (`query --format csv` and `search --format csv` print data as it is: they are for
//! programs.)

use std::io::Write;

use gazette_store::export::csv_error;
use gazette_store::{Cell, ExportCsv, RowSink};
use serde_json::Value;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    Ndjson,
}

/// Longest cell shown in a table, in characters.
const TABLE_CELL: usize = 60;

enum Style {
    Table {
        rows: Vec<Vec<String>>,
    },
    Csv(csv::Writer<Box<dyn Write>>),
    Json {
        rows: u64,
    },
    Ndjson,
    /// Export's CSV.
    Spreadsheet(ExportCsv<Box<dyn Write>>),
}

/// Prints rows in one format. Call [`Renderer::finish`] after the last row.
pub struct Renderer {
    out: Box<dyn Write>,
    style: Style,
    columns: Vec<String>,
    record: Vec<String>,
}

impl Renderer {
    pub fn new(format: Format, out: Box<dyn Write>) -> Renderer {
        let (out, style): (Box<dyn Write>, Style) = match format {
            Format::Table => (out, Style::Table { rows: Vec::new() }),
            Format::Csv => (Box::new(std::io::sink()), Style::Csv(csv::Writer::from_writer(out))),
            Format::Json => (out, Style::Json { rows: 0 }),
            Format::Ndjson => (out, Style::Ndjson),
        };
        Renderer {
            out,
            style,
            columns: Vec::new(),
            record: Vec::new(),
        }
    }

    /// Export's CSV for spreadsheets (see the module doc).
    pub fn spreadsheet_csv(out: Box<dyn Write>, raw: bool) -> Renderer {
        Renderer {
            out: Box::new(std::io::sink()),
            style: Style::Spreadsheet(ExportCsv::new(out, raw)),
            columns: Vec::new(),
            record: Vec::new(),
        }
    }

    /// Writes what is still held (a table, the end of a JSON array) and flushes.
    pub fn finish(mut self) -> std::io::Result<()> {
        if let Style::Spreadsheet(csv) = self.style {
            return csv.finish()?.flush();
        }
        match &mut self.style {
            Style::Table { rows } => {
                let mut widths: Vec<usize> = self.columns.iter().map(|c| c.chars().count()).collect();
                for r in rows.iter() {
                    for (w, c) in widths.iter_mut().zip(r) {
                        *w = (*w).max(c.chars().count());
                    }
                }
                let line = |cells: &[String]| {
                    let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
                    padded.join("  ").trim_end().to_string()
                };
                writeln!(self.out, "{}", line(&self.columns))?;
                let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
                writeln!(self.out, "{}", rule.join("  "))?;
                for r in rows.iter() {
                    writeln!(self.out, "{}", line(r))?;
                }
            }
            Style::Json { rows } => {
                if *rows == 0 {
                    self.out.write_all(b"[")?;
                }
                self.out.write_all(b"]\n")?;
            }
            Style::Csv(csv) => csv.flush()?,
            Style::Spreadsheet(_) | Style::Ndjson => {}
        }
        self.out.flush()
    }
}

impl RowSink for Renderer {
    fn header(&mut self, columns: &[String]) -> std::io::Result<()> {
        self.columns = unique_names(columns);
        match &mut self.style {
            Style::Csv(csv) => csv.write_record(&self.columns).map_err(csv_error),
            Style::Spreadsheet(csv) => csv.header(&self.columns),
            _ => Ok(()),
        }
    }

    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        match &mut self.style {
            Style::Table { rows } => {
                rows.push(
                    cells
                        .iter()
                        .map(|c| truncate(&data_text(c).replace('\n', " "), TABLE_CELL))
                        .collect(),
                );
                Ok(())
            }
            Style::Csv(csv) => {
                self.record.clear();
                self.record.extend(cells.iter().map(data_text));
                csv.write_record(&self.record).map_err(csv_error)
            }
            Style::Spreadsheet(csv) => csv.row(cells),
            Style::Json { rows } => {
                self.out.write_all(if *rows == 0 { b"[" } else { b"," })?;
                *rows += 1;
                serde_json::to_writer(&mut self.out, &object(&self.columns, cells))?;
                Ok(())
            }
            Style::Ndjson => {
                serde_json::to_writer(&mut self.out, &object(&self.columns, cells))?;
                self.out.write_all(b"\n")
            }
        }
    }
}

fn object(columns: &[String], cells: &[Cell]) -> serde_json::Map<String, Value> {
    columns.iter().cloned().zip(cells.iter().map(json)).collect()
}

/// A cell as JSON.
fn json(c: &Cell) -> Value {
    match c {
        Cell::Null => Value::Null,
        Cell::Integer(i) => (*i).into(),
        Cell::Real(f) => (*f).into(),
        Cell::Text(s) => s.clone().into(),
    }
}

/// A cell as data text (tables, `query` and `search` CSV): numbers as JSON writes them.
fn data_text(c: &Cell) -> String {
    match json(c) {
        Value::Null => String::new(),
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Column names made unique (`id`, `id_2`, ...), so that JSON objects keep every column of `SELECT a.id, f.id`.
fn unique_names(names: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
        .iter()
        .map(|name| {
            let mut unique = name.to_string();
            let mut n = 1;
            while !seen.insert(unique.clone()) {
                n += 1;
                unique = format!("{name}_{n}");
            }
            unique
        })
        .collect()
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose bytes can be read after the renderer took it.
    #[derive(Clone, Default)]
    struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn render(format: Format, rows: &[Vec<Cell>]) -> String {
        let out = Shared::default();
        let mut r = Renderer::new(format, Box::new(out.clone()));
        r.header(&["id".into(), "name".into(), "id".into()]).unwrap();
        for row in rows {
            r.row(row).unwrap();
        }
        r.finish().unwrap();
        let bytes = out.0.borrow().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn duplicate_column_names_are_numbered() {
        let names: Vec<String> = ["id", "title", "id", "id_2", "id"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(unique_names(&names), ["id", "title", "id_2", "id_2_2", "id_3"]);
    }

    #[test]
    fn every_format_prints_the_same_rows() {
        // (JSON objects list their keys in order, as serde_json's map keeps them.)
        let rows = vec![
            vec![Cell::Integer(1), Cell::Text("a\nb".into()), Cell::Real(-0.0)],
            vec![Cell::Integer(2), Cell::Null, Cell::Real(0.5)],
        ];
        assert_eq!(
            render(Format::Table, &rows),
            "id  name  id_2\n--  ----  ----\n1   a b   -0.0\n2         0.5\n"
        );
        assert_eq!(render(Format::Csv, &rows), "id,name,id_2\n1,\"a\nb\",-0.0\n2,,0.5\n");
        assert_eq!(
            render(Format::Json, &rows),
            "[{\"id\":1,\"id_2\":-0.0,\"name\":\"a\\nb\"},{\"id\":2,\"id_2\":0.5,\"name\":null}]\n"
        );
        assert_eq!(render(Format::Json, &[]), "[]\n");
        assert_eq!(
            render(Format::Ndjson, &rows),
            "{\"id\":1,\"id_2\":-0.0,\"name\":\"a\\nb\"}\n{\"id\":2,\"id_2\":0.5,\"name\":null}\n"
        );
    }
}
