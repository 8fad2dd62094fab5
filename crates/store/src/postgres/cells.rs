//! Values as read, as [`Cell`]s: the same cells SQLite gives for the same data, so that every renderer (and an
//! export's CSV) prints the same text. Any type is accepted; one Gazette does not know reads as `<type name>`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use tokio_postgres::types::{FromSql, Type};

use crate::Cell;

/// A column of any type, as a [`Cell`].
pub(crate) struct AnyCell(pub Cell);

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl<'a> FromSql<'a> for AnyCell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<AnyCell, BoxError> {
        let cell = match *ty {
            Type::BOOL => Cell::Integer(bool::from_sql(ty, raw)? as i64),
            Type::INT2 => Cell::Integer(i16::from_sql(ty, raw)? as i64),
            Type::INT4 => Cell::Integer(i32::from_sql(ty, raw)? as i64),
            Type::INT8 => Cell::Integer(i64::from_sql(ty, raw)?),
            Type::OID => Cell::Integer(u32::from_sql(ty, raw)? as i64),
            Type::FLOAT4 => Cell::Real(f32::from_sql(ty, raw)? as f64),
            Type::FLOAT8 => Cell::Real(f64::from_sql(ty, raw)?),
            Type::NUMERIC => numeric(raw)?,
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                Cell::Text(String::from_sql(ty, raw)?)
            }
            Type::TIMESTAMPTZ => Cell::Text(time_text(DateTime::<Utc>::from_sql(ty, raw)?)),
            Type::TIMESTAMP => Cell::Text(
                NaiveDateTime::from_sql(ty, raw)?
                    .format("%Y-%m-%dT%H:%M:%S%.f")
                    .to_string(),
            ),
            Type::DATE => Cell::Text(NaiveDate::from_sql(ty, raw)?.format("%Y-%m-%d").to_string()),
            Type::JSON | Type::JSONB => Cell::Text(serde_json::Value::from_sql(ty, raw)?.to_string()),
            Type::BYTEA => Cell::Text(format!("<{} bytes>", raw.len())),
            _ => Cell::Text(format!("<{}>", ty.name())),
        };
        Ok(AnyCell(cell))
    }

    fn from_sql_null(_: &Type) -> Result<AnyCell, BoxError> {
        Ok(AnyCell(Cell::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A time as SQLite's backend stores it: RFC 3339, UTC, `Z`, seconds (and a fraction only when there is one).
pub(crate) fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// A row's cells.
pub(crate) fn row_cells(row: &tokio_postgres::Row, cells: &mut Vec<Cell>) -> Result<(), tokio_postgres::Error> {
    cells.clear();
    for i in 0..row.len() {
        cells.push(row.try_get::<_, AnyCell>(i)?.0);
    }
    Ok(())
}

/// A NUMERIC (binary form: digit count, weight, sign, display scale, base-10000 digits) as SQLite would give the
/// same value: an integer when it has no decimals, else a real.
fn numeric(raw: &[u8]) -> Result<Cell, BoxError> {
    let word = |i: usize| -> Result<u16, BoxError> {
        raw.get(i..i + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "short numeric".into())
    };
    let (ndigits, weight, sign, dscale) = (word(0)? as usize, word(2)? as i16 as i32, word(4)?, word(6)? as usize);
    if sign == 0xC000 {
        return Ok(Cell::Real(f64::NAN));
    }
    let digits: Vec<u16> = (0..ndigits).map(|i| word(8 + 2 * i)).collect::<Result<_, _>>()?;
    let digit = |pos: i32| -> u16 {
        usize::try_from(pos)
            .ok()
            .and_then(|p| digits.get(p))
            .copied()
            .unwrap_or(0)
    };
    let mut int_part = String::new();
    for pos in 0..=weight {
        let d = digit(pos);
        if int_part.is_empty() {
            if d != 0 {
                int_part = d.to_string();
            }
        } else {
            int_part.push_str(&format!("{d:04}"));
        }
    }
    if int_part.is_empty() {
        int_part.push('0');
    }
    let mut frac = String::new();
    let mut pos = weight + 1;
    while frac.len() < dscale {
        frac.push_str(&format!("{:04}", digit(pos)));
        pos += 1;
    }
    frac.truncate(dscale);
    let minus = if sign == 0x4000 { "-" } else { "" };
    if dscale == 0 {
        if let Ok(i) = format!("{minus}{int_part}").parse::<i64>() {
            return Ok(Cell::Integer(i));
        }
        return Ok(Cell::Real(format!("{minus}{int_part}").parse()?));
    }
    Ok(Cell::Real(format!("{minus}{int_part}.{frac}").parse()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(ndigits: &[u16], weight: i16, sign: u16, dscale: u16) -> Vec<u8> {
        let mut v = Vec::new();
        for w in [ndigits.len() as u16, weight as u16, sign, dscale] {
            v.extend_from_slice(&w.to_be_bytes());
        }
        for d in ndigits {
            v.extend_from_slice(&d.to_be_bytes());
        }
        v
    }

    #[test]
    fn numerics_read_as_sqlite_would_give_them() {
        assert_eq!(numeric(&encode(&[1400], -1, 0, 2)).unwrap(), Cell::Real(0.14));
        assert_eq!(numeric(&encode(&[1], 0, 0, 2)).unwrap(), Cell::Real(1.0));
        assert_eq!(numeric(&encode(&[12, 3456], 1, 0, 0)).unwrap(), Cell::Integer(123_456));
        assert_eq!(numeric(&encode(&[], 0, 0, 0)).unwrap(), Cell::Integer(0));
        assert_eq!(numeric(&encode(&[7], 0, 0x4000, 0)).unwrap(), Cell::Integer(-7));
        assert_eq!(numeric(&encode(&[3, 5000], 0, 0, 1)).unwrap(), Cell::Real(3.5));
        assert_eq!(numeric(&encode(&[5], -1, 0, 8)).unwrap(), Cell::Real(0.0005));
    }
}
