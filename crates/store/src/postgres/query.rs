//! Ad-hoc read-only SQL (`gazette query`): one statement in a READ ONLY transaction that is rolled back at the end
//! (so even a `SET` leaves nothing behind), `statement_timeout` and `lock_timeout` from the time limit, named
//! parameters (`:name`, `@name` or `$name`, as on SQLite) bound by position, never pasted.

use tokio_postgres::error::SqlState;
use tokio_postgres::types::{ToSql, Type};

use super::cells::row_cells;
use super::Reader;
use crate::{Result, RowSink, SqlQuery, StoreError};

/// Rows fetched from the server at a time (a result of any size streams in flat memory).
pub(crate) const FETCH_ROWS: i32 = 1000;

pub(crate) fn run(db: &Reader, q: &SqlQuery, sink: &mut dyn RowSink) -> Result<u64> {
    let (sql, names) = positional(&q.sql, |_| true);
    let sql = sql.map_err(|_| StoreError::NumberedParam)?;
    let mut values = Vec::with_capacity(names.len());
    for name in &names {
        let given = q
            .params
            .iter()
            .find(|(n, _)| n.trim_start_matches([':', '@', '$']) == name)
            .map(|(_, v)| v.clone());
        values.push(given.ok_or_else(|| StoreError::MissingParam(format!(":{name}")))?);
    }
    for (n, _) in &q.params {
        let n = n.trim_start_matches([':', '@', '$']);
        if !names.iter().any(|x| x == n) {
            return Err(StoreError::NoSuchParam(format!(":{n}")));
        }
    }
    let mut client = db.client.lock().map_err(|_| StoreError::WriterGone)?;
    db.rt.block_on(async {
        let tx = client.build_transaction().read_only(true).start().await?;
        if let Some(limit) = q.timeout {
            let ms = limit.as_millis().clamp(1, i32::MAX as u128);
            tx.batch_execute(&format!(
                "SET LOCAL statement_timeout = {ms}; SET LOCAL lock_timeout = {ms}"
            ))
            .await?;
        }
        let stmt = tx.prepare(&sql).await.map_err(|e| explain(e, &q.sql))?;
        let params: Vec<Box<dyn ToSql + Sync + Send>> = stmt
            .params()
            .iter()
            .zip(&values)
            .map(|(ty, v)| param(ty, v))
            .collect::<Result<_>>()?;
        let columns: Vec<String> = stmt.columns().iter().map(|c| c.name().to_string()).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect();
        let portal = tx.bind(&stmt, &refs).await.map_err(|e| explain(e, &q.sql))?;
        sink.header(&columns).map_err(StoreError::Output)?;
        let mut n = 0;
        let mut cells = Vec::with_capacity(columns.len());
        loop {
            let rows = tx
                .query_portal(&portal, FETCH_ROWS)
                .await
                .map_err(|e| explain(e, &q.sql))?;
            for row in &rows {
                row_cells(row, &mut cells)?;
                sink.row(&cells).map_err(StoreError::Output)?;
                n += 1;
            }
            if rows.len() < FETCH_ROWS as usize {
                break;
            }
        }
        // Nothing a read did (a SET, a temporary object) outlives it.
        tx.rollback().await?;
        Ok(n)
    })
}

/// A parameter's text as the type the server expects: numbers spelt as numbers, text as text (see the SQLite
/// backend's rule); a type Gazette cannot bind from text asks for a cast.
fn param(ty: &Type, v: &str) -> Result<Box<dyn ToSql + Sync + Send>> {
    let wrong = |what: &str| StoreError::QueryFailed {
        message: format!("the parameter value {v:?} is not {what}"),
        sql: String::new(),
    };
    Ok(match *ty {
        Type::INT2 => Box::new(v.parse::<i16>().map_err(|_| wrong("a whole number"))?),
        Type::INT4 => Box::new(v.parse::<i32>().map_err(|_| wrong("a whole number"))?),
        Type::INT8 => Box::new(v.parse::<i64>().map_err(|_| wrong("a whole number"))?),
        Type::FLOAT4 => Box::new(v.parse::<f32>().map_err(|_| wrong("a number"))?),
        Type::FLOAT8 => Box::new(v.parse::<f64>().map_err(|_| wrong("a number"))?),
        Type::BOOL => Box::new(matches!(v, "1" | "true" | "t" | "yes")),
        Type::DATE => {
            Box::new(chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| wrong("a day (YYYY-MM-DD)"))?)
        }
        Type::TIMESTAMPTZ => Box::new(
            chrono::DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&chrono::Utc))
                .or_else(|_| {
                    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
                })
                .map_err(|_| wrong("a time (RFC 3339) or a day"))?,
        ),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => Box::new(v.to_string()),
        Type::JSON | Type::JSONB => Box::new(serde_json::from_str::<serde_json::Value>(v).map_err(|_| wrong("JSON"))?),
        _ => {
            return Err(StoreError::QueryFailed {
                message: format!(
                    "a parameter of type {} cannot be bound from text: cast it (:name::text)",
                    ty.name()
                ),
                sql: String::new(),
            })
        }
    })
}

/// The SQL with its named parameters (`:name`, `@name`, `$name`; those `wanted` accepts) as `$1`, `$2`, ... in order
/// of first use, and their names. Quoted text, quoted identifiers, comments, `::` casts and `$1`-style parameters
/// are left alone. Err(name) for a name that cannot be bound.
pub(crate) fn positional(
    sql: &str,
    wanted: impl Fn(&str) -> bool,
) -> (std::result::Result<String, String>, Vec<String>) {
    let mut out = String::with_capacity(sql.len());
    let mut names: Vec<String> = Vec::new();
    let b = sql.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\'' | b'"' => {
                let end = sql[i + 1..].find(c as char).map_or(b.len(), |j| i + 1 + j + 1);
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                let end = sql[i..].find('\n').map_or(b.len(), |j| i + j);
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = sql[i + 2..].find("*/").map_or(b.len(), |j| i + 2 + j + 2);
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'$' if b.get(i + 1) == Some(&b'$') => {
                let end = sql[i + 2..].find("$$").map_or(b.len(), |j| i + 2 + j + 2);
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'$' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => return (Err(String::from("$")), names),
            b':' if b.get(i + 1) == Some(&b':') => {
                out.push_str("::");
                i += 2;
            }
            b':' | b'@' | b'$'
                if b.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic() || *n == b'_')
                    && !(i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let len = sql[i + 1..]
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .unwrap_or(sql.len() - i - 1);
                let name = &sql[i + 1..i + 1 + len];
                // `$tag$` opens dollar-quoted text.
                if c == b'$' && sql[i + 1 + len..].starts_with('$') {
                    let tag = &sql[i..i + 2 + len];
                    let end = sql[i + tag.len()..]
                        .find(tag)
                        .map_or(b.len(), |j| i + tag.len() + j + tag.len());
                    out.push_str(&sql[i..end]);
                    i = end;
                    continue;
                }
                if !wanted(name) {
                    return (Err(name.to_string()), names);
                }
                let k = match names.iter().position(|n| n == name) {
                    Some(k) => k,
                    None => {
                        names.push(name.to_string());
                        names.len() - 1
                    }
                };
                out.push_str(&format!("${}", k + 1));
                i += 1 + len;
            }
            _ => {
                let ch = sql[i..].chars().next().expect("in bounds");
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    (Ok(out), names)
}

fn explain(e: tokio_postgres::Error, sql: &str) -> StoreError {
    match e.code() {
        Some(c) if *c == SqlState::READ_ONLY_SQL_TRANSACTION || *c == SqlState::INSUFFICIENT_PRIVILEGE => {
            StoreError::QueryTriedToWrite(super::describe(&e))
        }
        Some(c) if *c == SqlState::QUERY_CANCELED || *c == SqlState::LOCK_NOT_AVAILABLE => StoreError::QueryTimedOut,
        Some(_) => StoreError::QueryFailed {
            message: super::describe(&e),
            sql: sql.to_string(),
        },
        None => StoreError::Postgres(e),
    }
}

#[cfg(test)]
mod tests {
    use super::positional;

    #[test]
    fn named_parameters_become_positional_outside_quotes_and_casts() {
        assert!(positional("SELECT $1", |_| true).0.is_err());
        let (sql, names) = positional(
            "SELECT ':not', \"a:b\", x::text, '$1' -- :c\nFROM t WHERE a = :a AND b = @b AND c = :a AND d = $$:e$$",
            |_| true,
        );
        assert_eq!(
            sql.unwrap(),
            "SELECT ':not', \"a:b\", x::text, '$1' -- :c\nFROM t WHERE a = $1 AND b = $2 AND c = $1 AND d = $$:e$$"
        );
        assert_eq!(names, ["a", "b"]);
    }
}
