//! Ad-hoc read-only SQL (`gazette query`): the connection is read-only and `query_only`, a statement that would write
//! is refused before it runs, parameters are bound (every one the SQL uses must be given), and a progress handler
//! stops a query past its time limit.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use super::{cell, Reader};
use crate::{Result, RowSink, SqlQuery, StoreError};

pub(crate) fn run(db: &mut Reader, q: &SqlQuery, sink: &mut dyn RowSink) -> Result<u64> {
    let conn = &mut db.conn;
    if let Some(limit) = q.timeout {
        conn.busy_timeout(limit.min(Duration::from_secs(30)))?;
    }
    if let Some(deadline) = q.timeout.and_then(|l| Instant::now().checked_add(l)) {
        conn.progress_handler(10_000, Some(move || Instant::now() > deadline))?;
    }
    let mut stmt = conn.prepare(&q.sql).map_err(|e| explain(e, &q.sql))?;
    // The connection cannot write the database, but `VACUUM INTO 'file'` would still create a file: refuse any
    // statement that is not a read before running it.
    if !stmt.readonly() {
        return Err(StoreError::QueryWouldWrite);
    }
    let mut bound = HashSet::new();
    for (name, value) in &q.params {
        let key = if name.starts_with([':', '@', '$']) {
            name.to_string()
        } else {
            format!(":{name}")
        };
        let index = stmt.parameter_index(&key)?.ok_or(StoreError::NoSuchParam(key))?;
        stmt.raw_bind_parameter(index, param_value(value))?;
        bound.insert(index);
    }
    // An unbound parameter is NULL to SQLite: the query would quietly match nothing.
    if let Some(i) = (1..=stmt.parameter_count()).find(|i| !bound.contains(i)) {
        return Err(match stmt.parameter_name(i) {
            Some(name) if !name.starts_with('?') => StoreError::MissingParam(name.to_string()),
            _ => StoreError::NumberedParam,
        });
    }
    let columns: Vec<String> = stmt.column_names().map(String::from).collect();
    sink.header(&columns).map_err(StoreError::Output)?;
    let mut rows = stmt.raw_query();
    let mut n = 0;
    let mut cells = Vec::with_capacity(columns.len());
    loop {
        let row = match rows.next() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => return Err(explain(e, &q.sql)),
        };
        cells.clear();
        for i in 0..columns.len() {
            cells.push(cell(row.get_ref(i)?));
        }
        sink.row(&cells).map_err(StoreError::Output)?;
        n += 1;
    }
    Ok(n)
}

/// A parameter as SQLite should compare it: a number when the text is spelt as a plain number (an optional minus,
/// digits without a leading zero, an optional decimal part: so `:n = 2` compares with integers), else text (`01234`,
/// `1e3`, `+5` and dates stay text).
pub(crate) fn param_value(value: &str) -> rusqlite::types::Value {
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

fn explain(e: rusqlite::Error, sql: &str) -> StoreError {
    let msg = e.to_string();
    if msg.contains("readonly") || msg.contains("read-only") || msg.contains("query_only") {
        StoreError::QueryTriedToWrite(msg)
    } else if msg.contains("interrupted") {
        StoreError::QueryTimedOut
    } else {
        StoreError::QueryFailed {
            message: msg,
            sql: sql.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::param_value;
    use rusqlite::types::Value;

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
