//! Decoding stored values into typed records, in one place.
//!
//! The schema keeps portable column types (BIGINT, TEXT) so that one query set serves SQLite and
//! PostgreSQL through sqlx's `Any` driver: times are epoch milliseconds, dates ISO text, states
//! their names, structures JSON text. Here they become `jiff` times, enums and parsed
//! structures. A value that does not decode is an error naming the column, never a default.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::AnyRow;

type R<T> = Result<T, sqlx::Error>;

fn bad(col: &str, what: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: col.to_string(),
        source: what.to_string().into(),
    }
}

pub(crate) fn get<T>(r: &AnyRow, col: &str) -> R<T>
where
    T: for<'a> sqlx::Decode<'a, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    r.try_get(col)
}

pub(crate) fn ts(r: &AnyRow, col: &str) -> R<Timestamp> {
    let ms: i64 = r.try_get(col)?;
    Timestamp::from_millisecond(ms).map_err(|e| bad(col, e))
}

pub(crate) fn opt_ts(r: &AnyRow, col: &str) -> R<Option<Timestamp>> {
    let ms: Option<i64> = r.try_get(col)?;
    ms.map(|ms| Timestamp::from_millisecond(ms).map_err(|e| bad(col, e)))
        .transpose()
}

pub(crate) fn date(r: &AnyRow, col: &str) -> R<Date> {
    let s: String = r.try_get(col)?;
    s.parse().map_err(|e| bad(col, e))
}

pub(crate) fn opt_date(r: &AnyRow, col: &str) -> R<Option<Date>> {
    let s: Option<String> = r.try_get(col)?;
    s.map(|s| s.parse().map_err(|e| bad(col, e))).transpose()
}

pub(crate) fn flag(r: &AnyRow, col: &str) -> R<bool> {
    let v: i64 = r.try_get(col)?;
    Ok(v != 0)
}

pub(crate) fn json<T: DeserializeOwned>(r: &AnyRow, col: &str) -> R<T> {
    let s: String = r.try_get(col)?;
    serde_json::from_str(&s).map_err(|e| bad(col, e))
}

/// A named value (state, track, role …) through the enum's own `parse`.
pub(crate) fn named<T>(r: &AnyRow, col: &str, parse: fn(&str) -> Option<T>) -> R<T> {
    let s: String = r.try_get(col)?;
    parse(&s).ok_or_else(|| bad(col, format!("unknown value {s:?}")))
}

pub(crate) fn opt_named<T>(r: &AnyRow, col: &str, parse: fn(&str) -> Option<T>) -> R<Option<T>> {
    let s: Option<String> = r.try_get(col)?;
    s.map(|s| parse(&s).ok_or_else(|| bad(col, format!("unknown value {s:?}"))))
        .transpose()
}

/// Encodes a structure for a JSON column. Our own plain structs always serialise.
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "{}".into())
}

/// A record with its id.
pub(crate) trait Keyed {
    fn key(&self) -> i64;
}

/// Declares the store's plain reads, one line each: `name(args) -> one|list Row = "SQL";`
/// (`one` answers `Option<Row>`, `list` answers `Vec<Row>`).
macro_rules! reads {
    ($($(#[$m:meta])* $name:ident($($arg:ident: $t:ty),*) -> $kind:ident $row:ty = $sql:expr;)*) => {
        impl $crate::Store {
            $(
                $(#[$m])*
                pub async fn $name(&self $(, $arg: $t)*) -> $crate::Result<reads!(@ret $kind $row)> {
                    self.$kind($sql, vec![$($arg.into()),*]).await
                }
            )*
        }
    };
    (@ret one $row:ty) => { Option<$row> };
    (@ret list $row:ty) => { Vec<$row> };
}
pub(crate) use reads;

/// Declares a row type's `FromRow` over `AnyRow` column by column with the decoders above:
/// `column => decoder` where the decoder is `get`, `ts`, `named(State::parse)` and so on.
macro_rules! decode_rows {
    ($($ty:ident { $($field:ident: $dec:ident $(($arg:expr))?),* $(,)? })*) => {
        $(
            impl $crate::codec::Keyed for $ty {
                fn key(&self) -> i64 {
                    self.id
                }
            }
            impl<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> for $ty {
                fn from_row(r: &'r sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
                    use $crate::codec::*;
                    Ok($ty {
                        $($field: $dec(r, stringify!($field) $(, $arg)?)?,)*
                    })
                }
            }
        )*
    };
}
pub(crate) use decode_rows;

#[cfg(test)]
mod tests {
    #[test]
    fn millisecond_times_round_trip() {
        let t = jiff::Timestamp::from_millisecond(1_764_000_000_123).expect("in range");
        assert_eq!(t.as_millisecond(), 1_764_000_000_123);
    }
}
