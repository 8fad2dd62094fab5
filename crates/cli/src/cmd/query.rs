//! `gazette query "SQL"`: read-only SQL with bound parameters, a time limit, and several output formats.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rusqlite::types::ValueRef;
use serde_json::Value;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    Ndjson,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// One SQL statement. The database is opened read-only: writes fail and change nothing.
    pub sql: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Bind a parameter: `--param name=value` for `:name` in the SQL (values are never pasted into the SQL). A value
    /// spelt as a plain number (`42`, `-7`, `0.5`) binds as a number, anything else as text; write
    /// `CAST(:name AS TEXT)` to compare a number-like value as text.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Stop the query after this many seconds (also the longest wait for a lock).
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
}

/// Opens an existing database read-only (and `query_only`), with a helpful error when there is none.
pub fn open_existing(db: &Path) -> Result<rusqlite::Connection> {
    if !db.exists() {
        bail!(
            "no database at {} (run `gazette ingest` first, or pass --db)",
            db.display()
        );
    }
    gazette_store::open_read_only(db).with_context(|| format!("opening {} read-only", db.display()))
}

pub fn run(db: &Path, args: Args) -> Result<()> {
    let mut conn = open_existing(db)?;
    if args.timeout.is_nan() || args.timeout < 0.0 {
        bail!("--timeout {}: expected a number of seconds", args.timeout);
    }
    // A limit too large to represent is no limit.
    let limit = Duration::try_from_secs_f64(args.timeout).ok();
    if let Some(limit) = limit {
        conn.busy_timeout(limit.min(Duration::from_secs(30)))?;
    }
    if let Some(deadline) = limit.and_then(|l| Instant::now().checked_add(l)) {
        conn.progress_handler(10_000, Some(move || Instant::now() > deadline))?;
    }

    let mut stmt = conn.prepare(&args.sql).map_err(|e| explain(e, &args.sql))?;
    // The connection cannot write the database, but `VACUUM INTO 'file'` would still create a file: refuse any
    // statement that is not a read before running it.
    if !stmt.readonly() {
        bail!("the query would write; `gazette query` is read-only and nothing was changed");
    }
    let mut bound = std::collections::HashSet::new();
    for p in &args.params {
        let (name, value) = p
            .split_once('=')
            .with_context(|| format!("--param {p:?}: expected NAME=VALUE"))?;
        let key = if name.starts_with([':', '@', '$']) {
            name.to_string()
        } else {
            format!(":{name}")
        };
        let index = stmt
            .parameter_index(&key)?
            .with_context(|| format!("--param {name}: the SQL has no parameter {key}"))?;
        stmt.raw_bind_parameter(index, param_value(value))?;
        bound.insert(index);
    }
    // An unbound parameter is NULL to SQLite: the query would quietly match nothing.
    if let Some(i) = (1..=stmt.parameter_count()).find(|i| !bound.contains(i)) {
        match stmt.parameter_name(i) {
            Some(name) if !name.starts_with('?') => bail!(
                "the SQL uses {name} but no --param {}=VALUE was given",
                name.trim_start_matches([':', '@', '$'])
            ),
            _ => bail!("the SQL has a numbered parameter (? or ?N); name it (:name) and pass --param name=VALUE"),
        }
    }
    let columns = unique_names(stmt.column_names());
    let mut rows = stmt.raw_query();
    let stdout = std::io::stdout();
    let mut buffered = Vec::new();
    // CSV and the JSON forms stream row by row; only a table needs every row first, to size its columns.
    let mut csv_out = (args.format == Format::Csv).then(|| csv::Writer::from_writer(stdout.lock()));
    if let Some(w) = csv_out.as_mut() {
        w.write_record(&columns)?;
    }
    if args.format == Format::Json {
        stdout.lock().write_all(b"[")?;
    }
    let mut n = 0usize;
    loop {
        let row = match rows.next() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => return Err(explain(e, &args.sql)),
        };
        let values: Vec<Value> = (0..columns.len())
            .map(|i| to_json(row.get_ref(i).expect("column in range")))
            .collect();
        match args.format {
            Format::Table => buffered.push(values),
            Format::Csv => csv_out
                .as_mut()
                .expect("csv writer")
                .write_record(values.iter().map(cell))?,
            Format::Json | Format::Ndjson => {
                let obj: serde_json::Map<String, Value> = columns.iter().cloned().zip(values).collect();
                let mut out = stdout.lock();
                if args.format == Format::Json && n > 0 {
                    out.write_all(b",")?;
                }
                serde_json::to_writer(&mut out, &obj)?;
                if args.format == Format::Ndjson {
                    out.write_all(b"\n")?;
                }
            }
        }
        n += 1;
    }
    match args.format {
        Format::Table => print_rows(&columns, &buffered, Format::Table, &mut stdout.lock())?,
        Format::Json => stdout.lock().write_all(b"]\n")?,
        Format::Csv => csv_out.expect("csv writer").flush()?,
        Format::Ndjson => {}
    }
    Ok(())
}

/// A parameter as SQLite should compare it: a number when the text is spelt as a plain number (an optional minus,
/// digits without a leading zero, an optional decimal part: so `:n = 2` compares with integers), else text (`01234`,
/// `1e3`, `+5` and dates stay text).
fn param_value(value: &str) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    let digits = value.strip_prefix('-').unwrap_or(value);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let plain = all_digits(whole) && (whole == "0" || !whole.starts_with('0')) && fraction.is_none_or(all_digits);
    if plain {
        if fraction.is_none() {
            if let Ok(i) = value.parse::<i64>() {
                return Value::Integer(i);
            }
        }
        if let Ok(f) = value.parse::<f64>() {
            return Value::Real(f);
        }
    }
    Value::Text(value.to_string())
}

/// Column names made unique (`id`, `id_2`, ...), so that JSON objects keep every column of `SELECT a.id, f.id`.
fn unique_names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
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

fn explain(e: rusqlite::Error, sql: &str) -> anyhow::Error {
    let msg = e.to_string();
    if msg.contains("readonly") || msg.contains("read-only") || msg.contains("query_only") {
        anyhow::anyhow!("the query tried to write; `gazette query` is read-only and nothing was changed ({msg})")
    } else if msg.contains("interrupted") {
        anyhow::anyhow!("the query ran past its time limit and was stopped (raise it with --timeout)")
    } else {
        anyhow::anyhow!("query failed: {msg}\n  in: {sql}")
    }
}

fn to_json(v: ValueRef) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => i.into(),
        ValueRef::Real(f) => f.into(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
        ValueRef::Blob(b) => format!("<{} bytes>", b.len()).into(),
    }
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Prints rows already in memory in any format (used for small results such as `feeds list`).
pub fn print_rows(columns: &[String], rows: &[Vec<Value>], format: Format, out: &mut impl Write) -> Result<()> {
    match format {
        Format::Table => {
            const MAX: usize = 60;
            let shown: Vec<Vec<String>> = rows
                .iter()
                .map(|r| r.iter().map(|v| truncate(&cell(v).replace('\n', " "), MAX)).collect())
                .collect();
            let mut widths: Vec<usize> = columns.iter().map(|c| c.chars().count()).collect();
            for r in &shown {
                for (w, c) in widths.iter_mut().zip(r) {
                    *w = (*w).max(c.chars().count());
                }
            }
            let line = |cells: &[String]| {
                let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
                padded.join("  ").trim_end().to_string()
            };
            writeln!(out, "{}", line(columns))?;
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            writeln!(out, "{}", rule.join("  "))?;
            for r in &shown {
                writeln!(out, "{}", line(r))?;
            }
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(columns)?;
            for r in rows {
                w.write_record(r.iter().map(cell))?;
            }
            w.flush()?;
        }
        Format::Json | Format::Ndjson => {
            let objs: Vec<serde_json::Map<String, Value>> = rows
                .iter()
                .map(|r| columns.iter().cloned().zip(r.iter().cloned()).collect())
                .collect();
            if format == Format::Json {
                serde_json::to_writer_pretty(&mut *out, &objs)?;
                writeln!(out)?;
            } else {
                for o in objs {
                    serde_json::to_writer(&mut *out, &o)?;
                    writeln!(out)?;
                }
            }
        }
    }
    Ok(())
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
    use super::{param_value, unique_names};
    use rusqlite::types::Value;

    #[test]
    fn duplicate_column_names_are_numbered() {
        let names = unique_names(["id", "title", "id", "id_2", "id"].into_iter());
        assert_eq!(names, ["id", "title", "id_2", "id_2_2", "id_3"]);
    }

    #[test]
    fn parameters_are_numbers_only_when_spelt_as_numbers() {
        assert_eq!(param_value("2"), Value::Integer(2));
        assert_eq!(param_value("-7"), Value::Integer(-7));
        assert_eq!(param_value("0"), Value::Integer(0));
        assert_eq!(param_value("0.5"), Value::Real(0.5));
        assert_eq!(param_value("1.0"), Value::Real(1.0));
        assert_eq!(param_value("-0.25"), Value::Real(-0.25));
        assert_eq!(param_value("99999999999999999999"), Value::Real(1e20));
        assert_eq!(param_value("+5"), Value::Text("+5".into()));
        assert_eq!(param_value("1."), Value::Text("1.".into()));
        assert_eq!(param_value(".5"), Value::Text(".5".into()));
        assert_eq!(param_value("-"), Value::Text("-".into()));
        assert_eq!(param_value("01234"), Value::Text("01234".into()));
        assert_eq!(param_value("1e3"), Value::Text("1e3".into()));
        assert_eq!(param_value("Joe Biden"), Value::Text("Joe Biden".into()));
        assert_eq!(param_value("2021-12-03"), Value::Text("2021-12-03".into()));
    }
}
