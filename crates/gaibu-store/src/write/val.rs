//! The values a write binds to its run-time statements.

use jiff::Timestamp;
use jiff::civil::Date;

/// A column value of a write.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    Int(Option<i64>),
    Text(Option<String>),
}

macro_rules! val_from {
    ($($t:ty => |$v:ident| $e:expr),* $(,)?) => {
        $(impl From<$t> for Val {
            fn from($v: $t) -> Val {
                $e
            }
        })*
    };
}

val_from! {
    i64 => |v| Val::Int(Some(v)),
    Option<i64> => |v| Val::Int(v),
    bool => |v| Val::Int(Some(i64::from(v))),
    Timestamp => |v| Val::Int(Some(v.as_millisecond())),
    Option<Timestamp> => |v| Val::Int(v.map(|t| t.as_millisecond())),
    Date => |v| Val::Text(Some(v.to_string())),
    &str => |v| Val::Text(Some(v.to_string())),
    String => |v| Val::Text(Some(v)),
    &String => |v| Val::Text(Some(v.clone())),
    Option<&str> => |v| Val::Text(v.map(str::to_string)),
    Option<String> => |v| Val::Text(v),
}

/// Binds values in order to a run-time query.
pub(crate) fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    vals: Vec<Val>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for v in vals {
        q = match v {
            Val::Int(i) => q.bind(i),
            Val::Text(s) => q.bind(s),
        };
    }
    q
}
